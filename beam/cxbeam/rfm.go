package cxbeam

import (
	"fmt"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
)

// RFM over shards. cxmetrics.RFM scores a customer's value v on each
// dimension as 1 + less(v) × bins / n (integer division), where less(v) is
// how many of the n customers have a smaller value. So the score is
// s + 1 or more exactly when less(v) >= ceil(s × n / bins) = r, that is
// when v is above a[r-1], the value of rank r-1 in ascending order: the
// scores need bins - 1 order statistics per dimension, no more. They come
// from the passes of the AOV terciles (see tiers.go): bucket counts, then
// the values of the buckets that hold those ranks; a last pass scores each
// shard's customers against them.

func init() {
	register.DoFn4x1[int, func(*cxmetrics.Order) bool, func(*Figures), func(*cxmetrics.OrderStats), error](&rfmShardFn{})
	register.DoFn3x1[*cxmetrics.OrderStats, *Figures, func(*Figures), error](&rfmCandidatesFn{})
	register.DoFn4x1[*cxmetrics.OrderStats, *Figures, *Figures, func(cxmetrics.RFMScore), error](&rfmScoreFn{})
	register.Emitter1[cxmetrics.RFMScore]()
}

// rfmDimensions are the three values scored, each as a decimal whose
// order is the value's: the last purchase as Unix seconds, the orders, the
// net revenue.
var rfmDimensions = []string{"r", "f", "m"}

func rfmValues(s cxmetrics.CustomerSummary) [3]decimal.Decimal {
	last := decimal.New(s.Last.Unix(), 0).Add(decimal.New(int64(s.Last.Nanosecond()), -9))
	return [3]decimal.Decimal{last, decimal.NewFromInt(s.Orders), s.Revenue}
}

// rfmRanks are the ranks r-1 of the score boundaries among n values.
func rfmRanks(n int64, bins int) []int64 {
	var out []int64
	for s := int64(1); s < int64(bins); s++ {
		r := (s*n + int64(bins) - 1) / int64(bins) // ceil(s n / bins) >= 1
		out = append(out, r-1)
	}
	return out
}

// RFM scores every customer with an order on recency, frequency and
// monetary value in 1..bins, as cxmetrics.RFM does over all the orders at
// once, exactly: it returns a PCollection of cxmetrics.RFMScore, one per
// customer. asOf is the date recency is measured to; a purchase after it
// fails the job, as cxmetrics.RFM refuses it.
func RFM(s beam.Scope, orders beam.PCollection, asOf time.Time, bins int, opts Options) beam.PCollection {
	s = s.Scope("cxbeam.RFM")
	grouped := beam.GroupByKey(s, beam.ParDo(s, &shardOrderFn{Shards: opts.shards()}, orders))
	parts, customers := beam.ParDo2(s, &rfmShardFn{Bins: bins}, grouped)
	whole := combineAll(s, parts, opts.Unlifted)
	candidates := combineAll(s, beam.ParDo(s, &rfmCandidatesFn{Bins: bins}, customers, beam.SideInput{Input: whole}), opts.Unlifted)
	return beam.ParDo(s, &rfmScoreFn{Bins: bins, AsOf: asOf.Format(time.RFC3339Nano)}, customers, beam.SideInput{Input: whole}, beam.SideInput{Input: candidates})
}

// rfmShardFn counts a shard's values by dimension and bucket.
type rfmShardFn struct{ Bins int }

func (f *rfmShardFn) ProcessElement(_ int, orders func(*cxmetrics.Order) bool, emit func(*Figures), emitStats func(*cxmetrics.OrderStats)) error {
	if f.Bins < 2 || f.Bins > 10 {
		return fmt.Errorf("cxbeam: RFM bins %d not in 2..10: %w", f.Bins, cxmetrics.ErrOutOfRange)
	}
	stats := new(cxmetrics.OrderStats)
	var o cxmetrics.Order
	for orders(&o) {
		if err := stats.Add(o); err != nil {
			return err
		}
	}
	out := NewFigures()
	out.Counts = map[string]int64{}
	for _, c := range stats.Summaries() {
		if c.Orders == 0 {
			continue
		}
		out.Counts["n"]++
		for d, v := range rfmValues(c) {
			out.Counts[rfmDimensions[d]+bucketOf(v)]++
		}
	}
	emit(out)
	emitStats(stats)
	return nil
}

// rfmBuckets returns the bucket counts of dimension d.
func rfmBuckets(whole *Figures, d int) map[string]int64 {
	out := map[string]int64{}
	for k, n := range whole.Counts {
		if b, ok := strings.CutPrefix(k, rfmDimensions[d]); ok && k != "n" {
			out[b] = n
		}
	}
	return out
}

// rfmCandidatesFn gathers a shard's values in the buckets of the
// boundaries' ranks.
type rfmCandidatesFn struct{ Bins int }

func (f *rfmCandidatesFn) ProcessElement(stats *cxmetrics.OrderStats, whole *Figures, emit func(*Figures)) error {
	n := whole.Counts["n"]
	if n == 0 {
		return nil
	}
	var names [3][]string
	for d := range names {
		var err error
		if names[d], _, err = rankBuckets(rfmBuckets(whole, d), rfmRanks(n, f.Bins)); err != nil {
			return err
		}
	}
	out := NewFigures()
	out.Candidates = map[string]int64{}
	for _, c := range stats.Summaries() {
		if c.Orders == 0 {
			continue
		}
		for d, v := range rfmValues(c) {
			for _, name := range names[d] {
				if bucketOf(v) == name {
					out.Candidates[rfmDimensions[d]+v.String()]++
					break
				}
			}
		}
	}
	emit(out)
	return nil
}

// rfmBoundaries returns, per dimension, the values of the boundaries'
// ranks: a customer scores 1 + how many of them its value exceeds.
func rfmBoundaries(whole, candidates *Figures, bins int) ([3][]decimal.Decimal, error) {
	var out [3][]decimal.Decimal
	n := whole.Counts["n"]
	for d := range out {
		values := map[string]int64{}
		for k, c := range candidates.Candidates {
			if v, ok := strings.CutPrefix(k, rfmDimensions[d]); ok {
				values[v] = c
			}
		}
		for _, r := range rfmRanks(n, bins) {
			v, err := orderStatistic(rfmBuckets(whole, d), values, r)
			if err != nil {
				return out, err
			}
			out[d] = append(out[d], v)
		}
	}
	return out, nil
}

// rfmScoreFn scores a shard's customers.
type rfmScoreFn struct {
	Bins int
	AsOf string
}

func (f *rfmScoreFn) ProcessElement(stats *cxmetrics.OrderStats, whole, candidates *Figures, emit func(cxmetrics.RFMScore)) error {
	if whole.Counts["n"] == 0 {
		return nil
	}
	asOf, err := time.Parse(time.RFC3339Nano, f.AsOf)
	if err != nil {
		return err
	}
	bounds, err := rfmBoundaries(whole, candidates, f.Bins)
	if err != nil {
		return err
	}
	for _, c := range stats.Summaries() {
		if c.Orders == 0 {
			continue
		}
		if c.Last.After(asOf) {
			return fmt.Errorf("cxbeam: customer %q purchased at %s, after the RFM date %s: %w", c.CustomerID, c.Last, asOf, cxmetrics.ErrInconsistent)
		}
		var score [3]int
		for d, v := range rfmValues(c) {
			score[d] = 1
			for _, b := range bounds[d] {
				if v.GreaterThan(b) {
					score[d]++
				}
			}
		}
		emit(cxmetrics.RFMScore{CustomerID: c.CustomerID, RecencyScore: score[0], FrequencyScore: score[1], MonetaryScore: score[2],
			LastPurchase: c.Last, Orders: c.Orders, Revenue: c.Revenue})
	}
	return nil
}

func encodeRFMScore(v cxmetrics.RFMScore) ([]byte, error) {
	var w writer
	w.str(v.CustomerID)
	w.int(int64(v.RecencyScore))
	w.int(int64(v.FrequencyScore))
	w.int(int64(v.MonetaryScore))
	w.time(v.LastPurchase)
	w.int(v.Orders)
	w.decimal(v.Revenue)
	return w.b, w.err
}

func decodeRFMScore(data []byte) (cxmetrics.RFMScore, error) {
	r := reader{b: data}
	v := cxmetrics.RFMScore{CustomerID: r.str(), RecencyScore: r.small(), FrequencyScore: r.small(), MonetaryScore: r.small(),
		LastPurchase: r.time(), Orders: r.int(), Revenue: r.decimal()}
	return v, r.end("an RFM score")
}
