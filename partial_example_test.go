package cxmetrics_test

import (
	"fmt"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
)

// Two shards hold different customers (a shuffle by customer ID put them
// there). Each one's series, extended until nobody of it is active, adds
// to the other's exactly; trimmed, the sum is the series of all the orders.
func ExampleSeries_AddDisjoint() {
	day := func(m time.Month, d int) time.Time { return time.Date(2024, m, d, 0, 0, 0, 0, time.UTC) }
	shards := [][]cxmetrics.Order{
		{{CustomerID: "ann", Time: day(1, 5), Amount: decimal.NewFromInt(10)}, {CustomerID: "ann", Time: day(3, 7), Amount: decimal.NewFromInt(20)}},
		{{CustomerID: "bob", Time: day(1, 9), Amount: decimal.NewFromInt(30)}, {CustomerID: "bob", Time: day(2, 3), Amount: decimal.NewFromInt(15)}},
	}
	const window = 1
	var sum cxmetrics.Series
	for _, orders := range shards {
		b, _ := cxmetrics.NewCohortBuilder(cxmetrics.CohortOptions{Period: cxmetrics.Month})
		for _, o := range orders {
			_ = b.Add(o)
		}
		plain, _ := b.Series(window)
		last := plain.Rows[len(plain.Rows)-1].Start
		settled, _ := b.SeriesThrough(window, last.AddDate(0, window, 0)) // everyone churned by then
		if err := sum.AddDisjoint(settled); err != nil {
			fmt.Println(err)
		}
	}
	sum.Trim()
	for _, r := range sum.Rows {
		fmt.Printf("%s revenue %s active %d -> %d (new %d, churned %d, back %d)\n",
			r.Start.Format("Jan"), r.Revenue, r.ActiveAtStart, r.ActiveAtEnd, r.New, r.Churned, r.Reactivated)
	}
	// Output:
	// Jan revenue 40 active 0 -> 2 (new 2, churned 0, back 0)
	// Feb revenue 15 active 2 -> 1 (new 0, churned 1, back 0)
	// Mar revenue 20 active 1 -> 1 (new 0, churned 1, back 1)
}

// Order totals of customer-disjoint shards add; the ratios of the sum are
// those of all the orders at once.
func ExampleOrderTotals_AddDisjoint() {
	var a, b cxmetrics.OrderStats
	_ = a.Add(cxmetrics.Order{CustomerID: "ann", Amount: decimal.NewFromInt(10), Time: time.Now()})
	_ = a.Add(cxmetrics.Order{CustomerID: "ann", Amount: decimal.NewFromInt(20), Time: time.Now()})
	_ = b.Add(cxmetrics.Order{CustomerID: "bob", Amount: decimal.NewFromInt(30), Time: time.Now()})
	sum, _ := a.Totals().AddDisjoint(b.Totals())
	aov, _ := sum.AOV()
	repeat, _ := sum.RepeatPurchaseRate()
	fmt.Println(sum.Orders, sum.Customers, aov, repeat)
	// Output: 3 2 20 0.5
}
