// Command gensample writes the sample data set embedded in the cxmetrics
// command: orders and survey responses of a small online shop over 18
// months. It is seeded, so running it again gives the same files:
//
//	go run ./cmd/cxmetrics/internal/gensample -dir cmd/cxmetrics/sample
//
// The shop acquires customers every month, each customer buys in their first
// month and then with a probability that decays month by month (so cohort
// retention decays), spends around a personal typical basket drawn from a
// log-normal distribution (so order values spread from a few euros to a few
// hundred), and one order in twenty-five is partly refunded a few days later.
//
// Beside the shop runs a subscription product: monthly plans at 19, 49 and
// 99 EUR and an annual plan at 490 EUR. Customers sign up every month,
// upgrade and downgrade (one span ends where the next starts), cancel,
// and some come back months later; annual subscribers renew or leave at
// their anniversary.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

func main() {
	dir := flag.String("dir", "cmd/cxmetrics/sample", "output folder")
	flag.Parse()
	if err := write(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "gensample:", err)
		os.Exit(1)
	}
}

var start = time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)

const months = 18

func write(dir string) error {
	r := rand.New(rand.NewPCG(20240701, 18))
	for _, f := range []struct {
		name string
		fill func(*csv.Writer) error
	}{
		{"orders.csv", func(w *csv.Writer) error { writeOrders(w, r); return nil }},
		{"responses.csv", func(w *csv.Writer) error { writeResponses(w, r); return nil }},
		{"subscriptions.csv", func(w *csv.Writer) error {
			writeSubscriptions(w, rand.New(rand.NewPCG(20240701, 36)))
			return nil
		}},
	} {
		if err := writeCSV(filepath.Join(dir, f.name), f.fill); err != nil {
			return err
		}
	}
	return nil
}

// writeCSV creates path and fills it through a CSV writer.
func writeCSV(path string, fill func(*csv.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := fill(w); err != nil {
		f.Close()
		return err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeOrders writes the shop's orders and refunds.
func writeOrders(orders *csv.Writer, r *rand.Rand) {
	orders.Write([]string{"order_id", "customer_id", "time", "amount", "currency"})

	orderID := 100000
	customer := 0
	for m := 0; m < months; m++ {
		newCustomers := 26 + r.IntN(12) // a few hundred in all
		for c := 0; c < newCustomers; c++ {
			customer++
			id := fmt.Sprintf("C%04d", customer)
			basket := math.Exp(3.6 + 0.7*r.NormFloat64()) // median ~37 EUR
			loyalty := 0.5 + 0.45*r.Float64()
			if r.Float64() < 0.25 {
				loyalty = 0.05 // one in four rarely comes back
			}
			for k := 0; m+k < months; k++ {
				p := 1.0
				if k > 0 {
					p = loyalty * math.Pow(0.86, float64(k))
				}
				if r.Float64() >= p {
					continue
				}
				for n := 0; n < 1+r.IntN(2)*r.IntN(3); n++ {
					monthStart := start.AddDate(0, m+k, 0)
					days := monthStart.AddDate(0, 1, 0).Sub(monthStart).Hours() / 24
					t := monthStart.Add(time.Duration(r.Float64() * days * 24 * float64(time.Hour))).Truncate(time.Second)
					cents := int64(math.Round(basket * (0.6 + 0.8*r.Float64()) * 100))
					orderID++
					orders.Write([]string{fmt.Sprint(orderID), id, t.Format(time.RFC3339), money(cents), "EUR"})
					if r.IntN(25) == 0 {
						refund := cents * int64(20+r.IntN(81)) / 100
						orderID++
						rt := t.Add(time.Duration(1+r.IntN(6)) * 24 * time.Hour)
						if rt.Before(start.AddDate(0, months, 0)) {
							orders.Write([]string{fmt.Sprint(orderID), id, rt.Format(time.RFC3339), money(-refund), "EUR"})
						}
					}
				}
			}
		}
	}
}

// writeResponses writes the survey answers.
func writeResponses(resp *csv.Writer, r *rand.Rand) {
	resp.Write([]string{"metric", "score", "time"})
	// NPS answers lean positive: about 45% promoters, 30% passives.
	npsWeights := []float64{2, 1, 1, 2, 2, 4, 7, 13, 17, 22, 29}
	csatWeights := []float64{5, 7, 14, 36, 38}
	cesWeights := []float64{3, 5, 8, 14, 24, 28, 18}
	for i := 0; i < 640; i++ {
		resp.Write([]string{"nps", fmt.Sprint(draw(r, npsWeights)), when(r, start, months)})
	}
	for i := 0; i < 380; i++ {
		resp.Write([]string{"csat", fmt.Sprint(1 + draw(r, csatWeights)), when(r, start, months)})
	}
	for i := 0; i < 210; i++ {
		resp.Write([]string{"ces", fmt.Sprint(1 + draw(r, cesWeights)), when(r, start, months)})
	}
}

// plan is a subscription plan: its price per interval.
type plan struct {
	amount   string
	interval string
}

var plans = []plan{{"19.00", "month"}, {"49.00", "month"}, {"99.00", "month"}, {"490.00", "year"}}

// writeSubscriptions writes the subscription ledger: one row per span.
func writeSubscriptions(w *csv.Writer, r *rand.Rand) {
	w.Write([]string{"customer_id", "subscription_id", "start", "end", "amount", "interval", "interval_count", "currency"})
	end := start.AddDate(0, months, 0)
	customers, subs := 0, 0
	for m := 0; m < months; m++ {
		for c := 0; c < 14+r.IntN(10); c++ {
			customers++
			customer := fmt.Sprintf("S%04d", customers)
			at := start.AddDate(0, m, 0).Add(time.Duration(r.Int64N(int64(27 * 24 * time.Hour)))).Truncate(time.Second)
			for {
				subs++
				cancelled := subscriptionSpans(w, r, customer, fmt.Sprintf("sub%05d", subs), at, end)
				// One cancelled customer in five comes back one to six months later.
				if cancelled.IsZero() || r.IntN(5) > 0 {
					break
				}
				if at = cancelled.AddDate(0, 1+r.IntN(6), r.IntN(20)); !at.Before(end) {
					break
				}
			}
		}
	}
}

// subscriptionSpans writes the spans of one subscription started at at, on
// a plan drawn at random: at each renewal it is cancelled, upgraded or
// downgraded (a monthly plan; one span ends, the next starts) or renewed. It
// returns when it was cancelled, or the zero time if it still runs at end.
func subscriptionSpans(w *csv.Writer, r *rand.Rand, customer, id string, at, end time.Time) time.Time {
	p := draw(r, []float64{5, 4, 1, 2})
	spanStart := at
	span := func(until string) {
		w.Write([]string{customer, id, spanStart.Format(time.RFC3339), until, plans[p].amount, plans[p].interval, "1", "EUR"})
	}
	for t := at; ; {
		next := t.AddDate(0, 1, 0)
		churn, up, down := 0.045, 0.03, 0.015
		if plans[p].interval == "year" {
			next, churn, up, down = t.AddDate(1, 0, 0), 0.3, 0, 0
		}
		if !next.Before(end) {
			span("")
			return time.Time{}
		}
		switch x := r.Float64(); {
		case x < churn:
			span(next.Format(time.RFC3339))
			return next
		case x < churn+up && p < 2:
			span(next.Format(time.RFC3339))
			p, spanStart = p+1, next
		case x < churn+up+down && p > 0 && p < 3:
			span(next.Format(time.RFC3339))
			p, spanStart = p-1, next
		}
		t = next
	}
}

func money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// draw returns an index with probability proportional to its weight.
func draw(r *rand.Rand, weights []float64) int {
	var total float64
	for _, w := range weights {
		total += w
	}
	x := r.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func when(r *rand.Rand, start time.Time, months int) string {
	end := start.AddDate(0, months, 0)
	return start.Add(time.Duration(r.Int64N(int64(end.Sub(start))))).Truncate(time.Second).Format(time.RFC3339)
}
