package cxmetrics_test

import (
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
	march := cxmetrics.PeriodCounts{Start: 400, New: 60, End: 420}
	churn, _ := cxmetrics.ChurnRate(march)
	crr, _ := cxmetrics.RetentionRate(march)
	annual, _ := cxmetrics.CompoundRate(churn, 12)
	lifetime, _ := cxmetrics.ExpectedLifetime(churn)
	fmt.Println("lost:", march.Lost())
	fmt.Println("monthly churn:", churn, "retention:", crr)
	fmt.Println("annual churn:", annual.StringFixed(4), "expected lifetime:", lifetime, "months")
	// Output:
	// lost: 40
	// monthly churn: 0.1 retention: 0.9
	// annual churn: 0.7176 expected lifetime: 10 months
}

func ExampleNetRevenueRetention() {
	q := cxmetrics.RevenueMovements{
		Start:       d("100000"),
		Expansion:   d("18000"),
		Contraction: d("3000"),
		Churned:     d("7000"),
	}
	grr, _ := cxmetrics.GrossRevenueRetention(q)
	nrr, _ := cxmetrics.NetRevenueRetention(q)
	churn, _ := cxmetrics.RevenueChurnRate(q)
	fmt.Println("GRR:", grr, "NRR:", nrr, "revenue churn:", churn)
	// Output:
	// GRR: 0.9 NRR: 1.08 revenue churn: 0.1
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
	cac, err := cxmetrics.CAC(costs, 160)
	if err != nil {
		panic(err)
	}
	ltv, _ := cxmetrics.LTVFromChurn(d("30"), d("0.8"), d("0.04")) // 30/month at 80% margin, 4% churn
	ratio, _ := cxmetrics.LTVToCAC(ltv, cac)
	payback, _ := cxmetrics.CACPayback(cac, d("30"), d("0.8"))
	fmt.Println("CAC:", cac, "LTV:", ltv, "LTV:CAC:", ratio, "payback:", payback, "months")
	// Output:
	// CAC: 150 LTV: 600 LTV:CAC: 4 payback: 6.25 months
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
		AOV:               d("45.00"),
		PurchaseFrequency: d("3.2"), // orders per year
		Lifespan:          d("2.5"), // years
		GrossMargin:       d("0.35"),
	})
	if err != nil {
		panic(err)
	}
	pv, _ := cxmetrics.DiscountedLTV(d("50.40"), d("0.6"), d("0.1")) // yearly margin, retention, discount
	fmt.Println("LTV:", ltv, "discounted LTV:", pv.StringFixed(2))
	// Output:
	// LTV: 126 discounted LTV: 110.88
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
			s.CustomerID, s.Recency, s.Frequency, s.Monetary, s.LastPurchase.Format(time.DateOnly), s.Orders, s.Revenue)
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
		if err := t.Add(a.score, d(a.weight)); err != nil {
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
	conv, _ := cxmetrics.ConversionRate(48000, 1200) // visitors, buyers
	closeRate, _ := cxmetrics.LeadCloseRate(250, 40) // leads, new customers
	roi, _ := cxmetrics.ROI(d("18000"), d("12000"))  // gain, cost
	fmt.Println("conversion:", conv, "lead close:", closeRate, "ROI:", roi)
	// Output:
	// conversion: 0.025 lead close: 0.16 ROI: 0.5
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
