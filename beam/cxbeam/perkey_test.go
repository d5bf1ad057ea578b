package cxbeam

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/vet"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/internal/report"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { ptest.Main(m) }

func init() {
	register.Function1x2(byCurrency)
	register.Function1x2(byInterval)
	register.Function1x2(byTouchpoint)
	register.Function2x2(reportOf)
	register.Function1x1(prefixOrders)
	register.Function1x1(prefixMRR)
	register.Function1x1(prefixSurvey)
}

// reportOf writes figures as the report's JSON, prefixed with the key, so
// that a pipeline's output compares as text.
func reportOf(key string, f *Figures) (string, error) {
	r := report.Results{NPS: f.NPS, CSAT: f.CSAT, CES: f.CES}
	if o := f.Orders; o != nil {
		r.Orders, r.Refunds, r.Cohorts, r.Series = o.Totals, o.Refunds, o.Table, o.Series
	}
	if f.Tiers != nil {
		r.Tiers = &report.Tiers{Thresholds: f.Tiers.Thresholds, Summaries: f.Tiers.Summaries}
	}
	if f.MRR != nil {
		r.MRR, r.SubscriptionCohorts = f.MRR.Series, f.MRR.Cohorts
	}
	return jsonOf(key, r)
}

func jsonOf(key string, r report.Results) (string, error) {
	rep, err := report.Build(r)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := report.WriteJSON(&b, rep); err != nil {
		return "", err
	}
	return key + " " + b.String(), nil
}

// noData turns ErrNoData into nil.
func noData[T any](v *T, err error) (*T, error) {
	if errors.Is(err, cxmetrics.ErrNoData) {
		return nil, nil
	}
	return v, err
}

func byCurrency(o cxmetrics.Order) (string, cxmetrics.Order) { return o.Currency, o }

func byInterval(sp cxmetrics.SubscriptionSpan) (string, cxmetrics.SubscriptionSpan) {
	return sp.Interval.Unit.String(), sp
}

func byTouchpoint(r Response) (string, Response) { return []string{"web", "shop"}[r.Line%2], r }

// The per-key transforms give, for each key, what the library's own
// accumulators give on that key's elements alone: orders per currency,
// spans per billing interval, answers per touchpoint; lifted and unlifted.
func TestPerKeyEqualsLibrary(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 15))
	base := time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)
	var orders []cxmetrics.Order
	for i := 0; i < 4000; i++ {
		cur := []string{"EUR", "USD", "JPY"}[r.IntN(3)]
		cents := 100 + r.Int64N(20000)
		if r.IntN(10) == 0 {
			cents = -cents / 4
		}
		o := cxmetrics.Order{CustomerID: fmt.Sprintf("%s-%d", cur, r.IntN(400)), ID: fmt.Sprint(i),
			Time: base.Add(time.Duration(r.Int64N(int64(500 * 24 * time.Hour)))), Amount: decimal.New(cents, -2), Currency: cur}
		if cur == "JPY" {
			o.Amount = decimal.New(cents, 0)
		}
		orders = append(orders, o)
	}
	var spans []cxmetrics.SubscriptionSpan
	for c := 0; c < 200; c++ {
		start := base.Add(time.Duration(r.Int64N(int64(300 * 24 * time.Hour))))
		unit := []cxmetrics.IntervalUnit{cxmetrics.Month, cxmetrics.Year}[r.IntN(2)]
		for k := 0; k < 1+r.IntN(3); k++ {
			sp := cxmetrics.SubscriptionSpan{CustomerID: fmt.Sprint("s", c), SubscriptionID: "x", Start: start,
				Amount: decimal.New(1000+r.Int64N(9000), -2), Interval: cxmetrics.BillingInterval{Unit: unit, Count: 1}, Currency: "EUR"}
			if r.IntN(3) > 0 {
				sp.End = start.Add(time.Duration(r.Int64N(int64(200 * 24 * time.Hour))))
			}
			spans = append(spans, sp)
			if sp.End.IsZero() {
				break
			}
			start = sp.End
		}
	}
	var answers []Response
	for i := 0; i < 600; i++ {
		m := []string{"nps", "csat", "ces"}[i%3]
		answers = append(answers, Response{Metric: m, Score: map[string]int{"nps": r.IntN(11), "csat": 1 + r.IntN(5), "ces": 1 + r.IntN(7)}[m], Line: i + 2})
	}

	var want []any
	opts := cxmetrics.CohortOptions{Period: cxmetrics.Month}
	byKey := map[string][]cxmetrics.Order{}
	for _, o := range orders {
		byKey[o.Currency] = append(byKey[o.Currency], o)
	}
	for key, os := range byKey {
		var stats cxmetrics.OrderStats
		b, err := cxmetrics.NewCohortBuilder(opts)
		require.NoError(t, err)
		res := report.Results{}
		for _, o := range os {
			require.NoError(t, stats.Add(o))
			require.NoError(t, b.Add(o))
			if o.IsRefund() {
				res.Refunds++
			}
		}
		res.Orders = stats.Totals()
		res.Cohorts, err = noData(b.Table())
		require.NoError(t, err)
		res.Series, err = noData(b.Series(2))
		require.NoError(t, err)
		customers, th, err := cxmetrics.SegmentByAOVTerciles(&stats)
		require.NoError(t, err)
		res.Tiers = &report.Tiers{Thresholds: th, Summaries: cxmetrics.SummarizeTiers(customers)}
		j, err := jsonOf("orders "+key, res)
		require.NoError(t, err)
		want = append(want, j)
	}
	spansByKey := map[string][]cxmetrics.SubscriptionSpan{}
	for _, sp := range spans {
		k, _ := byInterval(sp)
		spansByKey[k] = append(spansByKey[k], sp)
	}
	for key, ss := range spansByKey {
		b, err := cxmetrics.NewMRRBuilder(cxmetrics.MRROptions{})
		require.NoError(t, err)
		for _, sp := range ss {
			require.NoError(t, b.Add(sp))
		}
		res := report.Results{}
		res.MRR, err = noData(b.Series())
		require.NoError(t, err)
		res.SubscriptionCohorts, err = noData(b.Cohorts())
		require.NoError(t, err)
		j, err := jsonOf("mrr "+key, res)
		require.NoError(t, err)
		want = append(want, j)
	}
	for _, key := range []string{"web", "shop"} {
		res := report.Results{NPS: new(cxmetrics.NPSTally)}
		res.CSAT, _ = cxmetrics.NewScaleTally(cxmetrics.FivePoint)
		res.CES, _ = cxmetrics.NewScaleTally(cxmetrics.SevenPointCES)
		for _, a := range answers {
			if k, _ := byTouchpoint(a); k == key {
				switch a.Metric {
				case "nps":
					require.NoError(t, res.NPS.Add(a.Score))
				case "csat":
					require.NoError(t, res.CSAT.Add(a.Score))
				default:
					require.NoError(t, res.CES.Add(a.Score))
				}
			}
		}
		j, err := jsonOf("survey "+key, res)
		require.NoError(t, err)
		want = append(want, j)
	}

	for _, unlifted := range []bool{false, true} {
		t.Run(fmt.Sprintf("unlifted=%v", unlifted), func(t *testing.T) {
			p, s := beam.NewPipelineWithRoot()
			o := Options{Window: 2, Shards: 5, Unlifted: unlifted}
			got := beam.Flatten(s,
				beam.ParDo(s, prefixOf("orders "), beam.ParDo(s, reportOf, OrderReportPerKey(s, beam.ParDo(s, byCurrency, beam.CreateList(s, orders)), o))),
				beam.ParDo(s, prefixOf("mrr "), beam.ParDo(s, reportOf, MRRPerKey(s, beam.ParDo(s, byInterval, beam.CreateList(s, spans)), o))),
				beam.ParDo(s, prefixOf("survey "), beam.ParDo(s, reportOf, SurveyPerKey(s, beam.ParDo(s, byTouchpoint, beam.CreateList(s, answers)), o))))
			passert.Equals(s, got, want...)
			require.NoError(t, ptest.Run(p))
		})
	}
}

// prefixOf returns a function that prefixes a string.
func prefixOf(prefix string) func(string) string {
	return map[string]func(string) string{
		"orders ": prefixOrders, "mrr ": prefixMRR, "survey ": prefixSurvey,
	}[prefix]
}

func prefixOrders(s string) string { return "orders " + s }
func prefixMRR(s string) string    { return "mrr " + s }
func prefixSurvey(s string) string { return "survey " + s }

// Beam's vet runner accepts every transform of the package, per key and
// not: all their functions and types are registered.
func TestVetRunner(t *testing.T) {
	p, s := beam.NewPipelineWithRoot()
	o := Options{}
	orders := beam.CreateList(s, []cxmetrics.Order{{CustomerID: "a", Time: time.Now(), Amount: decimal.NewFromInt(1)}})
	spans := beam.CreateList(s, []cxmetrics.SubscriptionSpan{{CustomerID: "a", SubscriptionID: "s", Start: time.Now(), Amount: decimal.NewFromInt(9),
		Interval: cxmetrics.BillingInterval{Unit: cxmetrics.Month, Count: 1}}})
	answers := beam.CreateList(s, []Response{{Metric: "nps", Score: 9, Line: 2}})
	for _, unlifted := range []bool{false, true} {
		o.Unlifted = unlifted
		CombineFigures(s, beam.Flatten(s, OrderReport(s, orders, o), MRR(s, spans, o), Survey(s, answers, o)), o)
		OrderReportPerKey(s, beam.ParDo(s, byCurrency, orders), o)
		MRRPerKey(s, beam.ParDo(s, byInterval, spans), o)
		SurveyPerKey(s, beam.ParDo(s, byTouchpoint, answers), o)
	}
	beam.Combine(s, &OrderStatsFn{}, orders)
	RFM(s, orders, time.Now(), 5, o)
	beam.Combine(s, &CohortFn{Period: "week", Location: "Europe/Berlin"}, orders)
	beam.Combine(s, &DedupFn{}, orders)
	beam.Combine(s, &MRRFn{}, spans)
	scores := beam.CreateList(s, []int{9, 3, 10})
	beam.Combine(s, &NPSFn{}, scores)
	beam.Combine(s, &ScaleFn{Min: 0, Max: 10}, scores)
	beam.Combine(s, &WeightedNPSFn{}, beam.CreateList(s, []cxmetrics.WeightedResponse{{Score: 9, Weight: decimal.NewFromInt(2)}}))
	_, err := beam.Run(context.Background(), "vet", p)
	require.NoError(t, err)
}
