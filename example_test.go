package cxmetrics_test

import (
	"encoding"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

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
	if err := tally.Merge(&cxmetrics.NPSTally{Promoters: 3, Detractors: 1}); err != nil {
		panic(err)
	}
	score, _ := tally.Score()
	fmt.Printf("%+v answers: %d\n", tally, tally.Responses())
	fmt.Println("NPS:", score.StringFixed(1))
	// Output:
	// skipped: cxmetrics: NPS score 12 not in 0..10: out of range
	// {Promoters:5 Passives:2 Detractors:2} answers: 9
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
	c, err := cxmetrics.CompareNPS(&thisQuarter, &lastQuarter)
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
	fmt.Println("CES:", ces) // a mean on the 1..7 scale, not a fraction
	// Output:
	// CES: 5.2
}

func ExampleScaleTally() {
	// Count CES answers as they arrive, on two shards.
	east, _ := cxmetrics.NewScaleTally(cxmetrics.SevenPointCES)
	west, _ := cxmetrics.NewScaleTally(cxmetrics.SevenPointCES)
	for _, s := range []int{7, 6, 6} {
		_ = east.Add(s)
	}
	for _, s := range []int{5, 2} {
		_ = west.Add(s)
	}
	if err := east.Add(9); err != nil {
		fmt.Println("rejected:", err)
	}
	if err := east.Merge(west); err != nil {
		panic(err)
	}
	mean, _ := east.Mean()           // the CES: mean answer, in scale points
	agree, _ := east.PositiveShare() // share answering 5..7, a fraction
	fmt.Println("answers:", east.Responses(), "distribution of 1..7:", east.Distribution())
	fmt.Println("mean:", mean, "agree:", agree)
	// Output:
	// rejected: cxmetrics: score 9 not in 1..7: out of range
	// answers: 5 distribution of 1..7: [0 1 0 0 1 2 1]
	// mean: 5.2 agree: 0.8
}

func ExampleOrderStats() {
	jan := time.Date(2024, 1, 10, 12, 0, 0, 0, time.UTC)
	orders := []cxmetrics.Order{
		{ID: "1001", CustomerID: "ann", Time: jan, Amount: d("40.00"), Currency: "EUR"},
		{ID: "1002", CustomerID: "bob", Time: jan.AddDate(0, 0, 3), Amount: d("25.50"), Currency: "EUR"},
		{ID: "1003", CustomerID: "ann", Time: jan.AddDate(0, 1, 0), Amount: d("60.00"), Currency: "EUR"},
		{ID: "R17", CustomerID: "bob", Time: jan.AddDate(0, 0, 9), Amount: d("-5.50"), Currency: "EUR"}, // a refund
	}
	var stats cxmetrics.OrderStats
	for _, o := range orders {
		if err := stats.Add(o); err != nil {
			panic(err)
		}
	}
	aov, _ := stats.AOV()
	freq, _ := stats.PurchaseFrequency()
	repeat, _ := stats.RepeatPurchaseRate()
	fmt.Println("net revenue:", stats.Revenue(), stats.Currency())
	fmt.Println("orders:", stats.Orders(), "customers:", stats.Customers())
	fmt.Println("AOV:", aov, "frequency:", freq, "repeat rate:", repeat)
	for _, c := range stats.Summaries() {
		fmt.Println(c.CustomerID, c.Orders, c.Revenue, c.First.Format(time.DateOnly), c.Last.Format(time.DateOnly))
	}
	// Output:
	// net revenue: 120 EUR
	// orders: 3 customers: 2
	// AOV: 40 frequency: 1.5 repeat rate: 0.5
	// ann 2 100 2024-01-10 2024-02-10
	// bob 1 20 2024-01-13 2024-01-13
}

func ExampleChurnRate() {
	// 400 customers on March 1, 60 won in March, 420 on March 31.
	march := cxmetrics.PeriodCounts{Start: 400, New: 60, End: 420}
	churn, err := cxmetrics.ChurnRate(march) // (S + N - E) / S
	if err != nil {
		panic(err)
	}
	fmt.Println("lost:", march.Lost(), "monthly churn:", churn) // a fraction: 10%
	// Output:
	// lost: 40 monthly churn: 0.1
}

func ExampleRetentionRate() {
	// Customers kept at the end, excluding the new ones, over those at the
	// start: (E - N) / S = (420 - 60) / 400.
	crr, err := cxmetrics.RetentionRate(cxmetrics.PeriodCounts{Start: 400, New: 60, End: 420})
	if err != nil {
		panic(err)
	}
	fmt.Println("retention:", crr)
	// More new customers than customers at the end cannot be: some new
	// ones left too, and (E - N) / S would be negative.
	_, err = cxmetrics.RetentionRate(cxmetrics.PeriodCounts{Start: 100, New: 50, End: 40})
	fmt.Println(err)
	// Output:
	// retention: 0.9
	// cxmetrics: period counts {Start:100 New:50 End:40}: End below New gives a negative retention rate: inconsistent
}

func ExampleCompoundRate() {
	annual, err := cxmetrics.CompoundRate(d("0.02"), 12) // 2% a month
	if err != nil {
		panic(err)
	}
	fmt.Println("annual churn:", annual.StringFixed(4), "(not 0.24)")
	// Output:
	// annual churn: 0.2153 (not 0.24)
}

func ExampleExpectedLifetime() {
	months, err := cxmetrics.ExpectedLifetime(d("0.05")) // 5% monthly churn
	if err != nil {
		panic(err)
	}
	fmt.Println("expected lifetime:", months, "months")
	// Output:
	// expected lifetime: 20 months
}

func ExampleNetRevenueRetention() {
	q := cxmetrics.RevenueMovements{
		Start:       d("100000"),
		Expansion:   d("18000"),
		Contraction: d("3000"),
		Churned:     d("7000"),
	}
	nrr, err := cxmetrics.NetRevenueRetention(q) // (100000 + 18000 - 3000 - 7000) / 100000
	if err != nil {
		panic(err)
	}
	fmt.Println("NRR:", nrr) // a fraction: 108%
	// Output:
	// NRR: 1.08
}

func ExampleGrossRevenueRetention() {
	q := cxmetrics.RevenueMovements{Start: d("100000"), Expansion: d("18000"), Contraction: d("3000"), Churned: d("7000")}
	grr, _ := cxmetrics.GrossRevenueRetention(q) // expansion left out
	churn, _ := cxmetrics.RevenueChurnRate(q)    // 1 - GRR
	fmt.Println("GRR:", grr, "revenue churn:", churn)
	// Output:
	// GRR: 0.9 revenue churn: 0.1
}

func ExampleCAC() {
	costs := cxmetrics.AcquisitionCosts{
		Advertising:  d("12000"),
		TaxesAndFees: d("600"),
		Campaigns:    d("2400"),
		Discounts:    d("1500"),
		FreeTrials:   d("900"),
		Sales:        d("6600"),
	}
	cac, err := cxmetrics.CAC(costs, 160) // 24000 / 160 new customers
	if err != nil {
		panic(err)
	}
	fmt.Println("CAC:", cac)
	// Output:
	// CAC: 150
}

func ExampleLTVFromChurn() {
	ltv, err := cxmetrics.LTVFromChurn(cxmetrics.ChurnLTVInputs{
		ARPU:        d("30"),   // per month
		GrossMargin: d("0.8"),  // 80%
		ChurnRate:   d("0.04"), // 4% a month
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("LTV:", ltv) // 30 × 0.8 / 0.04
	// Output:
	// LTV: 600
}

func ExampleLTVToCAC() {
	ratio, err := cxmetrics.LTVToCAC(d("600"), d("150"))
	if err != nil {
		panic(err)
	}
	fmt.Println("LTV:CAC", ratio) // a plain ratio; 3 or more is the usual target
	// Output:
	// LTV:CAC 4
}

func ExampleCACPayback() {
	months, err := cxmetrics.CACPayback(cxmetrics.PaybackInputs{CAC: d("150"), ARPU: d("30"), GrossMargin: d("0.8")})
	if err != nil {
		panic(err)
	}
	fmt.Println("payback:", months, "months") // 150 / (30 × 0.8)
	// Output:
	// payback: 6.25 months
}

func ExampleROAS() {
	roas, err := cxmetrics.ROAS(d("5400"), d("1200")) // revenue, spend
	if err != nil {
		panic(err)
	}
	fmt.Println("ROAS:", roas) // 4.5 back per 1 spent: a ratio, not a fraction
	// Output:
	// ROAS: 4.5
}

func ExampleROI() {
	roi, err := cxmetrics.ROI(d("18000"), d("12000")) // gain, cost
	if err != nil {
		panic(err)
	}
	fmt.Println("ROI:", roi) // a fraction: 50%
	// Output:
	// ROI: 0.5
}

func ExampleROASByChannel() {
	rows := []cxmetrics.ChannelSpend{
		{Channel: "search", Spend: d("1200"), Revenue: d("5400")},
		{Channel: "social", Spend: d("800"), Revenue: d("1600")},
		{Channel: "search", Spend: d("300"), Revenue: d("600")},
	}
	byChannel, err := cxmetrics.ROASByChannel(rows)
	if err != nil {
		panic(err)
	}
	for _, c := range byChannel {
		fmt.Printf("%-7s spend %5s revenue %5s ROAS %s\n", c.Channel, c.Spend, c.Revenue, c.ROAS)
	}
	// Output:
	// search  spend  1500 revenue  6000 ROAS 4
	// social  spend   800 revenue  1600 ROAS 2
}

func ExampleLTV() {
	ltv, err := cxmetrics.LTV(cxmetrics.LTVInputs{
		AOV:             d("45.00"),
		OrdersPerPeriod: d("3.2"), // orders per customer per year
		Lifespan:        d("2.5"), // years
		GrossMargin:     d("0.35"),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("LTV:", ltv) // 45 × 3.2 × 2.5 × 0.35
	// Output:
	// LTV: 126
}

func ExampleDiscountedLTV() {
	pv, err := cxmetrics.DiscountedLTV(cxmetrics.DiscountedLTVInputs{
		Margin:        d("50.40"), // a year
		RetentionRate: d("0.6"),   // a year
		DiscountRate:  d("0.1"),   // a year
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("discounted LTV:", pv.StringFixed(2)) // 50.40 × 1.1 / (1.1 - 0.6)
	// Output:
	// discounted LTV: 110.88
}

func ExampleRoundMoney() {
	for _, c := range []struct{ amount, currency string }{
		{"2.345", "USD"}, {"2.355", "USD"}, {"1234.5", "JPY"}, {"1.2345", "BHD"},
	} {
		r, err := cxmetrics.RoundMoney(d(c.amount), c.currency)
		if err != nil {
			panic(err)
		}
		fmt.Println(c.amount, c.currency, "->", r)
	}
	_, err := cxmetrics.RoundMoney(d("1"), "XYZ")
	fmt.Println(err)
	// Output:
	// 2.345 USD -> 2.34
	// 2.355 USD -> 2.36
	// 1234.5 JPY -> 1234
	// 1.2345 BHD -> 1.234
	// cxmetrics: currency "XYZ" is not in ISO 4217 list one of 2024-06-25: unknown currency
}

func ExampleCohorts() {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	var orders []cxmetrics.Order
	add := func(customer, date, amount string) {
		orders = append(orders, cxmetrics.Order{CustomerID: customer, Time: day(date), Amount: d(amount)})
	}
	// January cohort: four customers; February cohort: two.
	add("ann", "2024-01-03", "30")
	add("bob", "2024-01-09", "45")
	add("cat", "2024-01-15", "20")
	add("dan", "2024-01-28", "60")
	add("ann", "2024-02-05", "25")
	add("bob", "2024-02-11", "40")
	add("cat", "2024-02-20", "-20") // a refund: revenue, not activity
	add("eve", "2024-02-14", "80")
	add("fay", "2024-02-25", "15")
	add("ann", "2024-03-02", "35")
	add("eve", "2024-03-09", "70")

	table, err := cxmetrics.Cohorts(orders, cxmetrics.CohortOptions{Period: cxmetrics.Month})
	if err != nil {
		panic(err)
	}
	fmt.Println("cohort   size     M0     M1     M2")
	for _, row := range table.Rows {
		fmt.Printf("%s %5d", row.Start.Format("2006-01"), row.Size)
		for k := range row.Active {
			r, _ := row.Retention(k)
			fmt.Printf(" %5s%%", r.Shift(2).StringFixed(0))
		}
		fmt.Println()
	}
	m1, _ := table.AverageRetention(1)
	ltv, _ := table.Rows[0].CumulativeRevenuePerCustomer(2)
	fmt.Println("average month-1 retention:", m1.Shift(2).StringFixed(1)+"%")
	fmt.Println("January cohort revenue per customer by month 2:", ltv)
	// Output:
	// cohort   size     M0     M1     M2
	// 2024-01     4   100%    50%    25%
	// 2024-02     2   100%    50%
	// average month-1 retention: 50.0%
	// January cohort revenue per customer by month 2: 58.75
}

func ExampleSegmentByAOVTerciles() {
	var stats cxmetrics.OrderStats
	jan := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, o := range []struct{ customer, amount string }{
		{"ann", "20"}, {"ann", "30"}, {"bob", "250"}, {"cat", "60"}, {"cat", "80"},
		{"dan", "15"}, {"eve", "120"}, {"fay", "75"}, {"gus", "300"}, {"gus", "200"},
	} {
		_ = stats.Add(cxmetrics.Order{CustomerID: o.customer, Time: jan.AddDate(0, 0, i), Amount: d(o.amount)})
	}
	customers, th, err := cxmetrics.SegmentByAOVTerciles(&stats)
	if err != nil {
		panic(err)
	}
	fmt.Println("medium from", th.Medium, "high from", th.High)
	for _, c := range customers {
		fmt.Println(c.CustomerID, c.AOV, c.Tier)
	}
	for _, t := range cxmetrics.SummarizeTiers(customers) {
		fmt.Printf("%-6s customers %d revenue %4s AOV %s\n", t.Tier, t.Customers, t.Revenue, t.AOV)
	}
	// Output:
	// medium from 70 high from 120
	// ann 25 low
	// bob 250 high
	// cat 70 medium
	// dan 15 low
	// eve 120 high
	// fay 75 medium
	// gus 250 high
	// low    customers 2 revenue   65 AOV 21.6666666666666667
	// medium customers 2 revenue  215 AOV 71.6666666666666667
	// high   customers 3 revenue  870 AOV 217.5
}

// The tiers of a report, for customers whose list nobody reads: the same
// thresholds and sums as SegmentByAOVTerciles and SummarizeTiers above.
func ExampleSummarizeAOVTerciles() {
	var stats cxmetrics.OrderStats
	jan := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, o := range []struct{ customer, amount string }{
		{"ann", "20"}, {"ann", "30"}, {"bob", "250"}, {"cat", "60"}, {"cat", "80"},
		{"dan", "15"}, {"eve", "120"}, {"fay", "75"}, {"gus", "300"}, {"gus", "200"},
	} {
		_ = stats.Add(cxmetrics.Order{CustomerID: o.customer, Time: jan.AddDate(0, 0, i), Amount: d(o.amount)})
	}
	tiers, th, err := cxmetrics.SummarizeAOVTerciles(&stats)
	if err != nil {
		panic(err)
	}
	fmt.Println("medium from", th.Medium, "high from", th.High)
	for _, t := range tiers {
		fmt.Printf("%-6s customers %d orders %d revenue %4s AOV %s\n", t.Tier, t.Customers, t.Orders, t.Revenue, t.AOV)
	}
	// Output:
	// medium from 70 high from 120
	// low    customers 2 orders 3 revenue   65 AOV 21.6666666666666667
	// medium customers 2 orders 3 revenue  215 AOV 71.6666666666666667
	// high   customers 3 orders 4 revenue  870 AOV 217.5
}

func ExampleRFM() {
	var stats cxmetrics.OrderStats
	at := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	for _, o := range []struct{ customer, date, amount string }{
		{"ann", "2024-06-20", "40"}, {"ann", "2024-05-02", "35"}, {"ann", "2024-03-11", "50"},
		{"bob", "2024-01-15", "400"},
		{"cat", "2024-06-01", "20"}, {"cat", "2024-04-18", "25"},
		{"dan", "2024-02-27", "15"},
	} {
		_ = stats.Add(cxmetrics.Order{CustomerID: o.customer, Time: at(o.date), Amount: d(o.amount)})
	}
	scores, err := cxmetrics.RFM(&stats, at("2024-07-01"), 4)
	if err != nil {
		panic(err)
	}
	for _, s := range scores {
		fmt.Printf("%s R%d F%d M%d (last %s, %d orders, %s)\n",
			s.CustomerID, s.RecencyScore, s.FrequencyScore, s.MonetaryScore, s.LastPurchase.Format(time.DateOnly), s.Orders, s.Revenue)
	}
	// Output:
	// ann R4 F4 M3 (last 2024-06-20, 3 orders, 125)
	// bob R1 F1 M4 (last 2024-01-15, 1 orders, 400)
	// cat R3 F3 M2 (last 2024-06-01, 2 orders, 45)
	// dan R2 F1 M1 (last 2024-02-27, 1 orders, 15)
}

func ExampleWeightedNPSTally() {
	// A survey that under-sampled large accounts weights their answers up.
	// Promoter weight 5, detractor weight 4, total 10: (5 - 4) / 10 = 10 points;
	// Kish: 10² / (4×1² + 2×3²) = 100 / 22 = 4.55.
	var t cxmetrics.WeightedNPSTally
	for _, a := range []struct {
		score  int
		weight string
	}{
		{10, "1"}, {9, "1"}, {3, "1"}, {8, "1"}, // small accounts
		{2, "3"}, {9, "3"}, // large accounts count three times
	} {
		if err := t.Add(cxmetrics.WeightedResponse{Score: a.score, Weight: d(a.weight)}); err != nil {
			panic(err)
		}
	}
	score, _ := t.Score()
	fmt.Println("weighted NPS:", score.StringFixed(1))
	fmt.Printf("effective sample size: %.2f of %d answers\n", t.EffectiveN(), t.Responses())
	// Output:
	// weighted NPS: 10.0
	// effective sample size: 4.55 of 6 answers
}

func ExampleConversionRate() {
	conv, err := cxmetrics.ConversionRate(1200, 48000) // buyers, visitors
	if err != nil {
		panic(err)
	}
	fmt.Println("conversion:", conv) // a fraction: 2.5%
	// Output:
	// conversion: 0.025
}

func ExampleLeadCloseRate() {
	rate, err := cxmetrics.LeadCloseRate(40, 250) // new customers, leads
	if err != nil {
		panic(err)
	}
	fmt.Println("lead close rate:", rate)
	// Output:
	// lead close rate: 0.16
}

// Partial results computed on another machine travel as JSON and merge.
func ExampleOrderStats_MarshalJSON() {
	jan := time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)
	var shard cxmetrics.OrderStats // on the other machine
	_ = shard.Add(cxmetrics.Order{CustomerID: "ann", Time: jan, Amount: d("30.00"), Currency: "EUR"})
	payload, err := json.Marshal(shard)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(payload))

	var here, received cxmetrics.OrderStats
	_ = here.Add(cxmetrics.Order{CustomerID: "ann", Time: jan.AddDate(0, 1, 0), Amount: d("20.00"), Currency: "EUR"})
	if err := json.Unmarshal(payload, &received); err != nil {
		panic(err)
	}
	if err := here.Merge(&received); err != nil {
		panic(err)
	}
	repeat, _ := here.RepeatPurchaseRate()
	fmt.Println("revenue:", here.Revenue(), "orders:", here.Orders(), "repeat rate:", repeat)
	// Output:
	// {"currency":"EUR","customers":[{"id":"ann","orders":1,"revenue":"30","first":"2024-01-15T00:00:00Z","last":"2024-01-15T00:00:00Z"}]}
	// revenue: 50 orders: 2 repeat rate: 1
}

// Stream orders into a builder per shard, in any time order, and merge the
// shards into the table.
func ExampleCohortBuilder() {
	opts := cxmetrics.CohortOptions{Period: cxmetrics.Month, Location: time.UTC}
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	shards := [2]*cxmetrics.CohortBuilder{}
	for i := range shards {
		shards[i], _ = cxmetrics.NewCohortBuilder(opts)
	}
	for i, o := range []struct{ customer, date, amount string }{
		{"ann", "2024-02-05", "25"}, // ann's second month arrives first
		{"ann", "2024-01-03", "30"},
		{"bob", "2024-01-09", "45"},
		{"cat", "2024-02-14", "80"},
		{"bob", "2024-03-11", "40"},
		{"cat", "2024-03-02", "-10"}, // a refund: revenue, not activity
	} {
		order := cxmetrics.Order{CustomerID: o.customer, Time: day(o.date), Amount: d(o.amount)}
		if err := shards[i%2].Add(order); err != nil { // one customer may be on both shards
			panic(err)
		}
	}
	var all cxmetrics.CohortBuilder // empty: takes the shards' options
	for _, s := range shards {
		if err := all.Merge(s); err != nil {
			panic(err)
		}
	}
	table, err := all.Table()
	if err != nil {
		panic(err)
	}
	for _, r := range table.Rows {
		fmt.Println(r.Start.Format("2006-01"), "size", r.Size, "active", r.Active, "revenue", r.Revenue)
	}
	// Output:
	// 2024-01 size 2 active [2 1 1] revenue [75 25 40]
	// 2024-02 size 1 active [1 0] revenue [80 -10]
}

// Accumulators travel between machines in their compact binary form.
func ExampleCohortBuilder_MarshalBinary() {
	var shard cxmetrics.CohortBuilder // monthly, UTC
	_ = shard.Add(cxmetrics.Order{CustomerID: "ann", Time: time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC), Amount: d("30")})
	payload, err := shard.MarshalBinary()
	if err != nil {
		panic(err)
	}
	var received cxmetrics.CohortBuilder
	if err := received.UnmarshalBinary(payload); err != nil {
		panic(err)
	}
	table, _ := received.Table()
	// 4 header, 1 period, 4 zone "UTC", 2 currency, 1 count, 4 ID "ann",
	// 1 cell count, 3 month number, 1 activity, 3 revenue 30; then the
	// month's counts: 1 count, 3 month number, 1 order, 1 refund: 30 bytes.
	fmt.Println(len(payload), "bytes;", table.Rows[0].Start.Format("2006-01"), table.Rows[0].Active)
	// Output:
	// 30 bytes; 2024-01 [1]
}

// accumulator is the one contract every accumulator of the package meets
// (see the package doc): a pointer to A takes records of type In, merges
// another A, and travels in binary form.
type accumulator[In, A any] interface {
	*A
	Add(In) error
	Merge(*A) error
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
}

// fanIn adds records to one accumulator per shard, as separate machines
// would, ships each shard's binary encoding and merges what arrives. The
// result is the same for any number of shards and any assignment of
// records to them.
func fanIn[In, A any, P accumulator[In, A]](records []In, shards int, shardOf func(int) int) (*A, error) {
	parts := make([]A, shards)
	for i, r := range records {
		if err := P(&parts[shardOf(i)%shards]).Add(r); err != nil {
			return nil, err
		}
	}
	total := new(A)
	for i := range parts {
		payload, err := P(&parts[i]).MarshalBinary() // on the shard
		if err != nil {
			return nil, err
		}
		var received A // where the shards meet
		if err := P(&received).UnmarshalBinary(payload); err != nil {
			return nil, err
		}
		if err := P(total).Merge(&received); err != nil {
			return nil, err
		}
	}
	return total, nil
}

// One generic helper fans in any accumulator: survey answers and orders
// alike.
func Example_fanIn() {
	answers := []int{10, 9, 9, 8, 7, 6, 3, 10, 9, 5}
	nps, err := fanIn[int, cxmetrics.NPSTally](answers, 3, func(i int) int { return i })
	if err != nil {
		panic(err)
	}
	score, _ := nps.Score()
	fmt.Println("NPS over 3 shards:", score)

	jan := time.Date(2024, 1, 10, 12, 0, 0, 0, time.UTC)
	orders := []cxmetrics.Order{
		{CustomerID: "ann", Time: jan, Amount: d("40.00")},
		{CustomerID: "bob", Time: jan, Amount: d("25.50")},
		{CustomerID: "ann", Time: jan.AddDate(0, 1, 0), Amount: d("60.00")},
	}
	stats, err := fanIn[cxmetrics.Order, cxmetrics.OrderStats](orders, 2, func(i int) int { return i })
	if err != nil {
		panic(err)
	}
	repeat, _ := stats.RepeatPurchaseRate()
	fmt.Println("revenue:", stats.Revenue(), "repeat rate:", repeat)
	// Output:
	// NPS over 3 shards: 20
	// revenue: 125.5 repeat rate: 0.5
}

// Active, new, churned and reactivated customers month by month, from
// orders alone.
func ExampleOrderSeries() {
	m := func(month time.Month) time.Time { return time.Date(2024, month, 10, 12, 0, 0, 0, time.UTC) }
	orders := []cxmetrics.Order{
		{CustomerID: "ann", Time: m(1), Amount: d("10")},
		{CustomerID: "bob", Time: m(1), Amount: d("30")},
		{CustomerID: "bob", Time: m(2), Amount: d("15")},
		{CustomerID: "cat", Time: m(2), Amount: d("40")},
		{CustomerID: "ann", Time: m(3), Amount: d("20")},
		{CustomerID: "ann", Time: m(3), Amount: d("-5")}, // a refund: revenue, not activity
	}
	// A purchase keeps a customer active for the month it falls in (W = 1).
	s, err := cxmetrics.OrderSeries(orders, cxmetrics.CohortOptions{Period: cxmetrics.Month}, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println("month    revenue start new churned back end churn")
	for _, r := range s.Rows {
		churn := "n/a"
		if c, err := r.ChurnRate(); err == nil {
			churn = c.String()
		}
		fmt.Printf("%s %7s %5d %3d %7d %4d %3d %s\n", r.Start.Format("2006-01"), r.Revenue,
			r.ActiveAtStart, r.New, r.Churned, r.Reactivated, r.ActiveAtEnd, churn)
	}
	// Output:
	// month    revenue start new churned back end churn
	// 2024-01      40     0   2       0    0   2 n/a
	// 2024-02      55     2   1       1    0   2 0.5
	// 2024-03      15     2   0       2    1   1 1
}

// Re-delivered orders from an at-least-once stream are left out; an ID
// reused with other content is an error.
func ExampleOrderDedup() {
	at := time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)
	stream := []cxmetrics.Order{
		{ID: "A-1", CustomerID: "ann", Time: at, Amount: d("19.90"), Currency: "EUR"},
		{ID: "A-2", CustomerID: "bob", Time: at, Amount: d("5.00"), Currency: "EUR"},
		{ID: "A-1", CustomerID: "ann", Time: at, Amount: d("19.90"), Currency: "EUR"}, // delivered twice
		{ID: "A-2", CustomerID: "bob", Time: at, Amount: d("50.00"), Currency: "EUR"}, // not the same order
	}
	var dedup cxmetrics.OrderDedup
	var stats cxmetrics.OrderStats
	for _, o := range stream {
		dup, err := dedup.Seen(o)
		if err != nil {
			fmt.Println(err)
			continue
		}
		if !dup {
			_ = stats.Add(o)
		}
	}
	fmt.Println("orders:", stats.Orders(), "revenue:", stats.Revenue(), "duplicates:", dedup.Duplicates())
	// Output:
	// cxmetrics: order "A-2" delivered again with other content: first customer "bob", 2024-03-01T09:30:00Z, 5 "EUR", now customer "bob", 2024-03-01T09:30:00Z, 50 "EUR": inconsistent
	// orders: 2 revenue: 24.9 duplicates: 1
}

// Orders in several currencies, converted exactly into one at dated rates.
func ExampleConvert() {
	rates, _ := cxmetrics.NewRateTable("EUR", time.UTC)
	_ = rates.Add(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "USD", d("0.91"))  // 1 USD = 0.91 EUR
	_ = rates.Add(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), "USD", d("0.925")) // from February on
	o := cxmetrics.Order{ID: "7", CustomerID: "ann", Time: time.Date(2024, 2, 14, 0, 0, 0, 0, time.UTC), Amount: d("19.99"), Currency: "USD"}
	eur, err := cxmetrics.Convert(o, rates)
	if err != nil {
		panic(err)
	}
	fmt.Println(eur.Amount, eur.Currency) // 19.99 × 0.925, not rounded
	// Output:
	// 18.49075 EUR
}

// The invoice lines of one order, in any order, make one order.
func ExampleCombineLines() {
	at := time.Date(2011, 5, 6, 10, 0, 0, 0, time.UTC)
	lines := []cxmetrics.Order{
		{ID: "542806", CustomerID: "17850", Time: at.Add(time.Minute), Amount: d("15.30"), Currency: "GBP"},
		{ID: "542806", CustomerID: "17850", Time: at, Amount: d("20.34"), Currency: "GBP"},
		{ID: "542806", CustomerID: "17850", Time: at, Amount: d("-2.55"), Currency: "GBP"},
	}
	order := lines[0]
	for _, l := range lines[1:] {
		var err error
		if order, err = cxmetrics.CombineLines(order, l); err != nil {
			panic(err)
		}
	}
	fmt.Println(order.ID, order.Amount, order.Time.Format(time.Kitchen))
	// Output:
	// 542806 33.09 10:00AM
}

// Monthly recurring revenue and its movements, from subscription spans.
func ExampleMRRBuilder() {
	day := func(m time.Month, d int) time.Time { return time.Date(2024, m, d, 0, 0, 0, 0, time.UTC) }
	monthly, yearly := cxmetrics.BillingInterval{Unit: cxmetrics.Month, Count: 1}, cxmetrics.BillingInterval{Unit: cxmetrics.Year, Count: 1}
	var b cxmetrics.MRRBuilder // monthly periods in UTC
	for _, s := range []cxmetrics.SubscriptionSpan{
		// ann upgrades from 30 to 50 in March: one span ends, the next starts.
		{CustomerID: "ann", SubscriptionID: "a", Start: day(1, 10), End: day(3, 5), Amount: d("30"), Interval: monthly},
		{CustomerID: "ann", SubscriptionID: "a", Start: day(3, 5), Amount: d("50"), Interval: monthly},
		// bob pays 1200 a year: 100 a month.
		{CustomerID: "bob", SubscriptionID: "b", Start: day(1, 31), Amount: d("1200"), Interval: yearly},
		// cat pays for February only.
		{CustomerID: "cat", SubscriptionID: "c", Start: day(2, 1), End: day(3, 1), Amount: d("20"), Interval: monthly},
	} {
		if err := b.Add(s); err != nil {
			panic(err)
		}
	}
	series, err := b.Series()
	if err != nil {
		panic(err)
	}
	fmt.Println("month   start  +new +exp -churn  end customers")
	for _, r := range series.Rows {
		fmt.Printf("%s %5s %5s %4s %6s %4s %d\n", r.Start.Format("2006-01"), r.MRRAtStart, r.New, r.Expansion, r.Churn, r.MRRAtEnd, r.CustomersAtEnd)
	}
	nrr, _ := cxmetrics.NetRevenueRetention(series.Rows[2].Movements())
	fmt.Println("March NRR:", nrr.StringFixed(4))
	// Output:
	// month   start  +new +exp -churn  end customers
	// 2024-01     0   130    0      0  130 2
	// 2024-02   130    20    0      0  150 3
	// 2024-03   150     0   20     20  150 2
	// March NRR: 1.0000
}

// A plan's monthly recurring revenue: its charge normalized to one month.
func ExampleSubscriptionSpan_MRR() {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, plan := range []struct {
		amount string
		every  cxmetrics.BillingInterval
	}{
		{"49.99", cxmetrics.BillingInterval{Unit: cxmetrics.Month, Count: 1}},
		{"1000", cxmetrics.BillingInterval{Unit: cxmetrics.Year, Count: 1}}, // / 12
		{"10", cxmetrics.BillingInterval{Unit: cxmetrics.Week, Count: 1}},   // × 52 / 12
	} {
		s := cxmetrics.SubscriptionSpan{CustomerID: "c", SubscriptionID: "s", Start: start, Amount: d(plan.amount), Interval: plan.every}
		mrr, err := s.MRR()
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s every %s: MRR %s\n", plan.amount, plan.every, mrr)
	}
	// Output:
	// 49.99 every month: MRR 49.99
	// 1000 every year: MRR 83.3333333333333333
	// 10 every week: MRR 43.3333333333333333
}
