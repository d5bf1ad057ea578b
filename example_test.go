package cxmetrics_test

import (
	"fmt"

	"github.com/cxmetrics/cxmetrics"
)

func ExampleNPS() {
	// 0..10 answers to "How likely are you to recommend us?"
	answers := []int{10, 9, 9, 8, 7, 6, 3, 10, 9, 5}
	score, err := cxmetrics.NPS(answers)
	if err != nil {
		panic(err)
	}
	fmt.Println("NPS:", score) // in points, -100..100
	// Output:
	// NPS: 20
}

func ExampleNPSTally() {
	// Feed answers one at a time, e.g. from a stream of survey events.
	var tally cxmetrics.NPSTally
	for _, s := range []int{10, 9, 7, 3, 12, 8} {
		if err := tally.Add(s); err != nil {
			fmt.Println("skipped:", err)
		}
	}
	// Tallies from other shards merge in.
	tally.Merge(cxmetrics.NPSTally{Promoters: 3, Detractors: 1})
	score, _ := tally.Score()
	fmt.Printf("%+v\n", tally)
	fmt.Println("NPS:", score.StringFixed(1))
	// Output:
	// skipped: cxmetrics: NPS score 12 not in 0..10: out of range
	// {Promoters:5 Passives:2 Detractors:2}
	// NPS: 33.3
}

func ExampleNPSTally_ConfidenceInterval() {
	tally := cxmetrics.NPSTally{Promoters: 50, Passives: 30, Detractors: 20}
	score, _ := tally.Score()
	se, _ := tally.StandardError()
	lo, hi, _ := tally.ConfidenceInterval(0.95)
	fmt.Printf("NPS %s ± %.2f (SE), 95%% CI [%.1f, %.1f]\n", score, se, lo, hi)
	// Output:
	// NPS 30 ± 7.81 (SE), 95% CI [14.1, 44.2]
}

func ExampleCompareNPS() {
	lastQuarter := cxmetrics.NPSTally{Promoters: 30, Passives: 30, Detractors: 40}
	thisQuarter := cxmetrics.NPSTally{Promoters: 50, Passives: 30, Detractors: 20}
	c, err := cxmetrics.CompareNPS(thisQuarter, lastQuarter)
	if err != nil {
		panic(err)
	}
	fmt.Printf("change %+.0f points, z = %.2f, p = %.4f\n", c.Difference, c.Z, c.PValue)
	// Output:
	// change +40 points, z = 3.51, p = 0.0005
}

func ExampleCSAT() {
	// 1..5 answers to "How satisfied were you?"; 4 and 5 count as satisfied.
	csat, err := cxmetrics.CSAT([]int{5, 4, 4, 3, 5, 2, 5, 1})
	if err != nil {
		panic(err)
	}
	fmt.Println("CSAT:", csat, "=", csat.Shift(2).String()+"%")
	// Output:
	// CSAT: 0.625 = 62.5%
}

func ExampleCES() {
	// 1..7 answers to "The company made it easy for me to handle my issue."
	ces, err := cxmetrics.CES([]int{7, 6, 6, 5, 2})
	if err != nil {
		panic(err)
	}
	fmt.Println("CES:", ces)

	// The tally also gives the share who agree (5..7).
	t, _ := cxmetrics.NewScaleTally(cxmetrics.SevenPointCES)
	for _, s := range []int{7, 6, 6, 5, 2} {
		_ = t.Add(s)
	}
	agree, _ := t.PositiveShare()
	fmt.Println("agree:", agree, "distribution:", t.Distribution())
	// Output:
	// CES: 5.2
	// agree: 0.8 distribution: [0 1 0 0 1 2 1]
}
