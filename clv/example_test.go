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

// Pareto/NBD predictions for the paper's customer, with the parameters
// Fader & Hardie fitted to CDNOW (weeks).
func ExampleParetoNBD() {
	model := &clv.ParetoNBD{R: 0.5534, Alpha: 10.5802, S: 0.6061, Beta: 11.6562}
	c := clv.Customer{Frequency: 2, Recency: 30.43, T: 38.86}
	alive, err := model.ProbabilityAlive(c)
	if err != nil {
		panic(err)
	}
	next, err := model.ConditionalExpectedPurchases(c, 39)
	if err != nil {
		panic(err)
	}
	fmt.Printf("P(alive) = %.3f, expected purchases in the next 39 weeks = %.3f\n", alive, next)
	// Output:
	// P(alive) = 0.869, expected purchases in the next 39 weeks = 1.455
}

// Check a model against a holdout period: mean predicted and actual
// purchases per calibration frequency.
func ExampleCheckHoldout() {
	model := &clv.BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	// Customers as Summarize gives them with an ObservationEnd: a 39-week
	// holdout, and what each bought in it.
	customers := []clv.Customer{
		{ID: "a", Frequency: 0, T: 30, HoldoutLength: 39, HoldoutPurchases: 0},
		{ID: "b", Frequency: 0, T: 20, HoldoutLength: 39, HoldoutPurchases: 1},
		{ID: "c", Frequency: 2, Recency: 30.43, T: 38.86, HoldoutLength: 39, HoldoutPurchases: 2},
		{ID: "d", Frequency: 9, Recency: 35, T: 38, HoldoutLength: 39, HoldoutPurchases: 7},
	}
	check, err := clv.CheckHoldout(model, customers)
	if err != nil {
		panic(err)
	}
	for _, g := range check.Groups {
		plus := ""
		if g.AndMore {
			plus = "+"
		}
		fmt.Printf("x = %d%s: %d customers, predicted %.2f, actual %.2f\n", g.Frequency, plus, g.Customers, g.Predicted, g.Actual)
	}
	fmt.Printf("total: predicted %.1f, actual %.0f; mean absolute error %.2f\n", check.Predicted, check.Actual, check.MeanAbsoluteError)
	// Output:
	// x = 0: 2 customers, predicted 0.28, actual 0.50
	// x = 2: 1 customers, predicted 1.23, actual 2.00
	// x = 7+: 1 customers, predicted 5.82, actual 7.00
	// total: predicted 7.6, actual 10; mean absolute error 0.72
}

// Cut orders into calibration and holdout periods, in an explicit zone.
func ExampleSummarize() {
	at := func(s string) time.Time { t, _ := time.Parse(time.DateTime, s); return t }
	orders := []cxmetrics.Order{
		{CustomerID: "a", Time: at("2024-01-01 10:00:00"), Amount: decimal.NewFromInt(30)},
		{CustomerID: "a", Time: at("2024-01-15 23:30:00"), Amount: decimal.NewFromInt(20)}, // Jan 16 in Berlin
		{CustomerID: "a", Time: at("2024-02-10 12:00:00"), Amount: decimal.NewFromInt(25)}, // holdout
		{CustomerID: "b", Time: at("2024-01-20 09:00:00"), Amount: decimal.NewFromInt(40)},
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	customers, err := clv.Summarize(orders, clv.SummaryOptions{
		CalibrationEnd: time.Date(2024, 1, 31, 0, 0, 0, 0, berlin),
		ObservationEnd: time.Date(2024, 2, 29, 0, 0, 0, 0, berlin),
		Unit:           24 * time.Hour,
		Location:       berlin,
	})
	if err != nil {
		panic(err)
	}
	for _, c := range customers {
		fmt.Printf("%s: x=%v t_x=%v T=%v mean=%s; holdout %v days: %v purchases, %s spent\n",
			c.ID, c.Frequency, c.Recency, c.T, c.MonetaryValue, c.HoldoutLength, c.HoldoutPurchases, c.HoldoutSpend)
	}
	// Output:
	// a: x=1 t_x=15 T=30 mean=20; holdout 29 days: 1 purchases, 25 spent
	// b: x=0 t_x=0 T=11 mean=0; holdout 29 days: 0 purchases, 0 spent
}

// Fader & Hardie's (2007) high-end customers: 1,000 acquired in year 0 and
// how many renewed each year for 7 years. The fit projects the next 5 years
// (actual: 468, 445, 427, 409, 394).
func ExampleFitSBG() {
	survivors := []int64{1000, 869, 743, 653, 593, 551, 517, 491}
	model, err := clv.FitSBG(survivors, clv.FitOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("alpha = %.3f, beta = %.3f, LL = %.1f\n", model.Alpha, model.Beta, model.LogLikelihood)
	for year := 8; year <= 12; year++ {
		s, err := model.Survival(year)
		if err != nil {
			panic(err)
		}
		r, err := model.RetentionRate(year)
		if err != nil {
			panic(err)
		}
		fmt.Printf("year %d: %.1f customers, retention %.3f\n", year, 1000*s, r)
	}
	// Output:
	// alpha = 0.668, beta = 3.806, LL = -1611.2
	// year 8: 460.4 customers, retention 0.942
	// year 9: 435.8 customers, retention 0.946
	// year 10: 414.2 customers, retention 0.950
	// year 11: 395.1 customers, retention 0.954
	// year 12: 378.0 customers, retention 0.957
}

// Several cohorts of different ages at once, as a subscription cohort
// table gives them (cxmetrics.MRRBuilder.Cohorts). The old cohorts tell
// about the late months, all of them about the first; the last cohort has
// not reached its first renewal yet and tells nothing.
func ExampleFitSBGCohorts() {
	month := func(m time.Month) time.Time { return time.Date(2024, m, 1, 0, 0, 0, 0, time.UTC) }
	table := &cxmetrics.CohortTable{Period: cxmetrics.Month, Rows: []cxmetrics.CohortRow{
		{Start: month(1), Size: 1000, Active: []int64{1000, 631, 468, 382, 326, 289, 262, 241}},
		{Start: month(4), Size: 500, Active: []int64{500, 330, 250, 200, 170}},
		{Start: month(6), Size: 800, Active: []int64{800, 520, 400}},
		{Start: month(8), Size: 300, Active: []int64{300}},
	}}
	model, err := clv.FitSBGCohorts(table, clv.FitOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d cohorts, %d customers: alpha = %.3f, beta = %.3f\n", model.Cohorts, model.Customers, model.Alpha, model.Beta)
	fmt.Print("a new cohort still paying after 1, 3, 6, 12 months:")
	for _, k := range []int{1, 3, 6, 12} {
		s, err := model.Survival(k)
		if err != nil {
			panic(err)
		}
		fmt.Printf(" %.1f%%", 100*s)
	}
	fmt.Println()
	// Output:
	// 3 cohorts, 2300 customers: alpha = 0.737, beta = 1.322
	// a new cohort still paying after 1, 3, 6, 12 months: 64.2% 39.9% 26.8% 17.1%
}

// The discounted expected residual lifetime of Fader & Hardie (2010): the
// number of further annual payments a customer will make, discounted at
// 10% a year, counted from the next renewal.
func ExampleSBG_DiscountedExpectedResidualLifetime() {
	model := &clv.SBG{Alpha: 0.668, Beta: 3.806} // the paper's high-end customers, years
	for _, renewals := range []int{0, 4} {
		derl, err := model.DiscountedExpectedResidualLifetime(renewals, 0.1)
		if err != nil {
			panic(err)
		}
		fmt.Printf("after %d renewals: DERL = %.3f\n", renewals, derl)
	}
	// Output:
	// after 0 renewals: DERL = 5.415
	// after 4 renewals: DERL = 6.897
}

// What a subscriber who has renewed 10 times is still worth: 49.90 a month
// at an 80% margin, discounted at 1% a month.
func ExampleSubscriptionLifetimeValue() {
	model := &clv.SBG{Alpha: 0.704, Beta: 1.182} // monthly periods
	value, err := clv.SubscriptionLifetimeValue(model, decimal.RequireFromString("49.90"), decimal.RequireFromString("0.8"), 10, 0.01)
	if err != nil {
		panic(err)
	}
	fmt.Println("residual value:", value.StringFixed(2), "EUR")
	// Output:
	// residual value: 1240.58 EUR
}
