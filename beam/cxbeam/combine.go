package cxbeam

import (
	"hash/fnv"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/cxmetrics/cxmetrics"
)

func init() {
	register.Combiner1[*Figures](&addFiguresFn{})
	register.DoFn2x2[int, func(**Figures) bool, *Figures, error](&unliftedFn{})
	register.Iter1[*Figures]()
	register.Combiner3[*cxmetrics.OrderStats, cxmetrics.Order, *cxmetrics.OrderStats](&OrderStatsFn{})
	register.Combiner3[*cxmetrics.CohortBuilder, cxmetrics.Order, *cxmetrics.CohortBuilder](&CohortFn{})
	register.Combiner3[*cxmetrics.MRRBuilder, cxmetrics.SubscriptionSpan, *cxmetrics.MRRBuilder](&MRRFn{})
	register.Combiner3[*cxmetrics.NPSTally, int, *cxmetrics.NPSTally](&NPSFn{})
	register.Combiner3[*cxmetrics.WeightedNPSTally, cxmetrics.WeightedResponse, *cxmetrics.WeightedNPSTally](&WeightedNPSFn{})
	register.Combiner3[*cxmetrics.ScaleTally, int, *cxmetrics.ScaleTally](&ScaleFn{})
	register.Combiner3[*cxmetrics.OrderDedup, cxmetrics.Order, *cxmetrics.OrderDedup](&DedupFn{})
}

// addFiguresFn adds figures (see Figures.Add).
type addFiguresFn struct{}

func (addFiguresFn) CreateAccumulator() *Figures { return NewFigures() }
func (addFiguresFn) AddInput(a, f *Figures) (*Figures, error) {
	return a, a.Add(f)
}
func (addFiguresFn) MergeAccumulators(a, b *Figures) (*Figures, error) {
	return a, a.Add(b)
}
func (addFiguresFn) ExtractOutput(a *Figures) *Figures { return a }

// unliftedFn combines grouped figures the way a runner that does not lift
// combiners does: one accumulator, every input added, the output taken.
type unliftedFn struct{}

func (unliftedFn) ProcessElement(_ int, figures func(**Figures) bool) (*Figures, error) {
	var fn addFiguresFn
	acc := fn.CreateAccumulator()
	var f *Figures
	for figures(&f) {
		var err error
		if acc, err = fn.AddInput(acc, f); err != nil {
			return nil, err
		}
	}
	return fn.ExtractOutput(acc), nil
}

// combineAll adds the figures of col into exactly one: an empty figure is
// added in, since Beam emits nothing for a global combine of nothing.
func combineAll(s beam.Scope, col beam.PCollection, unlifted bool) beam.PCollection {
	all := beam.Flatten(s, col, beam.Create(s, NewFigures()))
	if unlifted {
		return beam.ParDo(s, &unliftedFn{}, beam.GroupByKey(s, beam.AddFixedKey(s, all)))
	}
	return beam.Combine(s, &addFiguresFn{}, all)
}

// CombineFigures adds every *Figures of col into exactly one (an empty
// one for an empty col); opts.Unlifted as for the transforms.
func CombineFigures(s beam.Scope, col beam.PCollection, opts Options) beam.PCollection {
	return combineAll(s.Scope("cxbeam.CombineFigures"), col, opts.Unlifted)
}

// The combiners below are the cxmetrics accumulators as Beam CombineFns,
// for pipelines of your own: beam.Combine(s, &cxbeam.OrderStatsFn{}, orders)
// gives one *cxmetrics.OrderStats. They merge with the accumulators' Merge,
// which keeps per-customer state: right for any split of the input, lifted
// or not, but the state of every customer ends in one place. The
// transforms of this package shard by customer instead.

// OrderStatsFn accumulates cxmetrics.Order into a *cxmetrics.OrderStats.
type OrderStatsFn struct{}

// CreateAccumulator returns empty stats.
func (OrderStatsFn) CreateAccumulator() *cxmetrics.OrderStats { return new(cxmetrics.OrderStats) }

// AddInput adds an order; a bad order fails the bundle with its reason.
func (OrderStatsFn) AddInput(a *cxmetrics.OrderStats, o cxmetrics.Order) (*cxmetrics.OrderStats, error) {
	return a, a.Add(o)
}

// MergeAccumulators merges b into a.
func (OrderStatsFn) MergeAccumulators(a, b *cxmetrics.OrderStats) (*cxmetrics.OrderStats, error) {
	return a, a.Merge(b)
}

// ExtractOutput returns the stats.
func (OrderStatsFn) ExtractOutput(a *cxmetrics.OrderStats) *cxmetrics.OrderStats { return a }

// CohortFn accumulates orders into a *cxmetrics.CohortBuilder cutting
// periods by Period in Location (names, as in Options).
type CohortFn struct{ Period, Location string }

// CreateAccumulator returns an empty builder; bad options fail.
func (f CohortFn) CreateAccumulator() (*cxmetrics.CohortBuilder, error) {
	opts, err := cohortOptions(f.Period, f.Location)
	if err != nil {
		return nil, err
	}
	return cxmetrics.NewCohortBuilder(opts)
}

// AddInput adds an order.
func (CohortFn) AddInput(a *cxmetrics.CohortBuilder, o cxmetrics.Order) (*cxmetrics.CohortBuilder, error) {
	return a, a.Add(o)
}

// MergeAccumulators merges b into a.
func (CohortFn) MergeAccumulators(a, b *cxmetrics.CohortBuilder) (*cxmetrics.CohortBuilder, error) {
	return a, a.Merge(b)
}

// ExtractOutput returns the builder.
func (CohortFn) ExtractOutput(a *cxmetrics.CohortBuilder) *cxmetrics.CohortBuilder { return a }

// MRRFn accumulates spans into a *cxmetrics.MRRBuilder; Until is RFC 3339
// or empty for the latest span event.
type MRRFn struct{ Period, Location, Until string }

// CreateAccumulator returns an empty builder; bad options fail.
func (f MRRFn) CreateAccumulator() (*cxmetrics.MRRBuilder, error) {
	opts, err := mrrOptions(f.Period, f.Location, f.Until)
	if err != nil {
		return nil, err
	}
	return cxmetrics.NewMRRBuilder(opts)
}

// AddInput adds a span.
func (MRRFn) AddInput(a *cxmetrics.MRRBuilder, s cxmetrics.SubscriptionSpan) (*cxmetrics.MRRBuilder, error) {
	return a, a.Add(s)
}

// MergeAccumulators merges b into a.
func (MRRFn) MergeAccumulators(a, b *cxmetrics.MRRBuilder) (*cxmetrics.MRRBuilder, error) {
	return a, a.Merge(b)
}

// ExtractOutput returns the builder.
func (MRRFn) ExtractOutput(a *cxmetrics.MRRBuilder) *cxmetrics.MRRBuilder { return a }

// NPSFn tallies 0..10 scores into a *cxmetrics.NPSTally.
type NPSFn struct{}

// CreateAccumulator returns an empty tally.
func (NPSFn) CreateAccumulator() *cxmetrics.NPSTally { return new(cxmetrics.NPSTally) }

// AddInput adds a score; one outside 0..10 fails.
func (NPSFn) AddInput(a *cxmetrics.NPSTally, score int) (*cxmetrics.NPSTally, error) {
	return a, a.Add(score)
}

// MergeAccumulators merges b into a.
func (NPSFn) MergeAccumulators(a, b *cxmetrics.NPSTally) (*cxmetrics.NPSTally, error) {
	return a, a.Merge(b)
}

// ExtractOutput returns the tally.
func (NPSFn) ExtractOutput(a *cxmetrics.NPSTally) *cxmetrics.NPSTally { return a }

// WeightedNPSFn tallies weighted answers into a *cxmetrics.WeightedNPSTally.
type WeightedNPSFn struct{}

// CreateAccumulator returns an empty tally.
func (WeightedNPSFn) CreateAccumulator() *cxmetrics.WeightedNPSTally {
	return new(cxmetrics.WeightedNPSTally)
}

// AddInput adds an answer.
func (WeightedNPSFn) AddInput(a *cxmetrics.WeightedNPSTally, r cxmetrics.WeightedResponse) (*cxmetrics.WeightedNPSTally, error) {
	return a, a.Add(r)
}

// MergeAccumulators merges b into a.
func (WeightedNPSFn) MergeAccumulators(a, b *cxmetrics.WeightedNPSTally) (*cxmetrics.WeightedNPSTally, error) {
	return a, a.Merge(b)
}

// ExtractOutput returns the tally.
func (WeightedNPSFn) ExtractOutput(a *cxmetrics.WeightedNPSTally) *cxmetrics.WeightedNPSTally {
	return a
}

// ScaleFn tallies answers on the scale Min..Max (1..5 for CSAT, 1..7 for
// CES) into a *cxmetrics.ScaleTally.
type ScaleFn struct{ Min, Max int }

// CreateAccumulator returns an empty tally; a bad scale fails.
func (f ScaleFn) CreateAccumulator() (*cxmetrics.ScaleTally, error) {
	return cxmetrics.NewScaleTally(cxmetrics.Scale{Min: f.Min, Max: f.Max})
}

// AddInput adds an answer.
func (ScaleFn) AddInput(a *cxmetrics.ScaleTally, score int) (*cxmetrics.ScaleTally, error) {
	return a, a.Add(score)
}

// MergeAccumulators merges b into a.
func (ScaleFn) MergeAccumulators(a, b *cxmetrics.ScaleTally) (*cxmetrics.ScaleTally, error) {
	return a, a.Merge(b)
}

// ExtractOutput returns the tally.
func (ScaleFn) ExtractOutput(a *cxmetrics.ScaleTally) *cxmetrics.ScaleTally { return a }

// DedupFn collects the distinct orders in a *cxmetrics.OrderDedup; an ID
// delivered twice with other content fails.
type DedupFn struct{}

// CreateAccumulator returns an empty set.
func (DedupFn) CreateAccumulator() *cxmetrics.OrderDedup { return new(cxmetrics.OrderDedup) }

// AddInput adds an order.
func (DedupFn) AddInput(a *cxmetrics.OrderDedup, o cxmetrics.Order) (*cxmetrics.OrderDedup, error) {
	return a, a.Add(o)
}

// MergeAccumulators merges b into a.
func (DedupFn) MergeAccumulators(a, b *cxmetrics.OrderDedup) (*cxmetrics.OrderDedup, error) {
	return a, a.Merge(b)
}

// ExtractOutput returns the set.
func (DedupFn) ExtractOutput(a *cxmetrics.OrderDedup) *cxmetrics.OrderDedup { return a }

// mrrOptions parses MRR options.
func mrrOptions(period, location, until string) (cxmetrics.MRROptions, error) {
	co, err := cohortOptions(period, location)
	if err != nil {
		return cxmetrics.MRROptions{}, err
	}
	opts := cxmetrics.MRROptions{Period: co.Period, Location: co.Location}
	if until != "" {
		if opts.Until, err = time.Parse(time.RFC3339Nano, until); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

// hashOf spreads keys without a customer (answers) over shards.
func hashOf(s string, line, n int) int {
	h := fnv.New64a()
	h.Write([]byte(s))
	return int((h.Sum64() + uint64(line)) % uint64(n))
}
