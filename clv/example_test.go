package clv_test

import (
	"fmt"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/clv"
	"github.com/shopspring/decimal"
)

// Predictions for one customer with the parameters Fader, Hardie & Lee
// (2005) fitted to the CDNOW data (weeks).
func ExampleBGNBD() {
	model := &clv.BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	// Two repeat purchases, the last 30.43 weeks after the first, observed
	// for 38.86 weeks.
	c := clv.Customer{Frequency: 2, Recency: 30.43, T: 38.86, MonetaryValue: decimal.RequireFromString("22.35")}
	alive, err := model.ProbabilityAlive(c)
	if err != nil {
		panic(err)
	}
	next, err := model.ConditionalExpectedPurchases(c, 39)
	if err != nil {
		panic(err)
	}
	fmt.Printf("P(alive) = %.3f\n", alive)
	fmt.Printf("expected purchases in the next 39 weeks = %.3f\n", next)
	newcomer, err := model.ExpectedPurchases(39)
	if err != nil {
		panic(err)
	}
	none, err := model.ProbabilityOfPurchases(0, 39)
	if err != nil {
		panic(err)
	}
	fmt.Printf("a new customer: E[X(39)] = %.3f, P(X(39) = 0) = %.4f\n", newcomer, none)
	// Output:
	// P(alive) = 0.727
	// expected purchases in the next 39 weeks = 1.226
	// a new customer: E[X(39)] = 1.197, P(X(39) = 0) = 0.5738
}

// Spend per purchase for the same customer, with the Gamma-Gamma
// parameters fitted to CDNOW's repeat buyers.
func ExampleGammaGamma() {
	spend := &clv.GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}
	c := clv.Customer{Frequency: 2, Recency: 30.43, T: 38.86, MonetaryValue: decimal.RequireFromString("22.35")}
	// 6.25 × (15.44 + 2 × 22.35) / (6.25 × 2 + 3.74 - 1): the customer's own
	// mean of 22.35 pulled toward the population mean of 35.22.
	perPurchase, err := spend.ConditionalExpectedSpend(c)
	if err != nil {
		panic(err)
	}
	fmt.Println("expected spend per purchase:", perPurchase.StringFixed(2))
	// Output:
	// expected spend per purchase: 24.66
}

// A customer's discounted margin over the next twelve months.
func ExampleLifetimeValue() {
	purchases := &clv.BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426} // in weeks
	spend := &clv.GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}
	c := clv.Customer{Frequency: 2, Recency: 30.43, T: 38.86, MonetaryValue: decimal.RequireFromString("22.35")}
	ltv, err := clv.LifetimeValue(purchases, spend, c, clv.LifetimeOptions{
		Horizon:      12,
		PeriodLength: 52.0 / 12,                         // a month, in the models' weeks
		DiscountRate: decimal.RequireFromString("0.01"), // a month
		Margin:       decimal.RequireFromString("0.3"),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("12-month margin value:", ltv.StringFixed(2))
	// Output:
	// 12-month margin value: 10.86
}

// From orders to a fitted model: summarise, fit, predict.
func ExampleFitBGNBD() {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	var orders []cxmetrics.Order
	for i, o := range []struct{ customer, date string }{
		{"a", "2024-01-02"}, {"a", "2024-02-10"}, {"a", "2024-05-20"},
		{"b", "2024-01-15"},
		{"c", "2024-02-01"}, {"c", "2024-02-20"},
		{"d", "2024-03-03"}, {"d", "2024-04-01"}, {"d", "2024-04-29"}, {"d", "2024-06-10"},
		{"e", "2024-03-18"},
		{"f", "2024-04-07"}, {"f", "2024-06-01"},
	} {
		orders = append(orders, cxmetrics.Order{ID: fmt.Sprint(i), CustomerID: o.customer, Time: day(o.date), Amount: decimal.NewFromInt(20)})
	}
	customers, err := clv.Summarize(orders, clv.SummaryOptions{CalibrationEnd: day("2024-06-30"), Unit: 7 * 24 * time.Hour})
	if err != nil {
		panic(err)
	}
	for _, c := range customers {
		fmt.Printf("%s x=%v t_x=%.2f T=%.2f\n", c.ID, c.Frequency, c.Recency, c.T)
	}
	// Six customers are far too few for a fit; the penalty keeps it tame.
	model, err := clv.FitBGNBD(customers, clv.FitOptions{Penalty: 0.1})
	if err != nil {
		panic(err)
	}
	alive, err := model.ProbabilityAlive(customers[1])
	if err != nil {
		panic(err)
	}
	fmt.Printf("fitted %d customers; P(alive) of b, who never bought again: %.2f\n", model.Customers, alive)
	// Output:
	// a x=2 t_x=19.86 T=25.71
	// b x=0 t_x=0.00 T=23.86
	// c x=1 t_x=2.71 T=21.43
	// d x=3 t_x=14.14 T=17.00
	// e x=0 t_x=0.00 T=14.86
	// f x=1 t_x=7.86 T=12.00
	// fitted 6 customers; P(alive) of b, who never bought again: 1.00
}
