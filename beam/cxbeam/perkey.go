package cxbeam

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/cxmetrics/cxmetrics"
)

// Per key. The same transforms for a PCollection of KV<string, T>: one
// report per key (per currency, country, plan, channel…), each exactly
// what the plain transform gives for that key's elements. A shard is then
// a key and a group of its customers, and every combine is per key, of
// one element per shard of the key.

func init() {
	register.DoFn3x1[string, cxmetrics.Order, func(string, cxmetrics.Order), error](&shardKeyedOrderFn{})
	register.DoFn4x1[string, func(*cxmetrics.Order) bool, func(string, *Figures), func(string, *cxmetrics.OrderStats), error](&buildKeyedShardFn{})
	register.Emitter2[string, *Figures]()
	register.Emitter2[string, cxmetrics.Order]()
	register.Emitter2[string, cxmetrics.SubscriptionSpan]()
	register.Emitter2[string, Response]()
	register.Emitter2[string, *cxmetrics.OrderStats]()
	register.DoFn4x1[string, *cxmetrics.OrderStats, func(string) func(**Figures) bool, func(string, *Figures), error](&keyedCandidatesFn{})
	register.DoFn5x1[string, *cxmetrics.OrderStats, func(string) func(**Figures) bool, func(string) func(**Figures) bool, func(string, *Figures), error](&keyedTiersFn{})
	register.DoFn3x3[string, *Figures, func(string) func(**Figures) bool, string, *Figures, error](&keyedFinishFn{})
	register.DoFn2x3[string, func(**Figures) bool, string, *Figures, error](&unliftedKeyedFn{})
	register.DoFn3x1[string, cxmetrics.SubscriptionSpan, func(string, cxmetrics.SubscriptionSpan), error](&shardKeyedSpanFn{})
	register.DoFn3x1[string, func(*cxmetrics.SubscriptionSpan) bool, func(string, *Figures), error](&keyedLatestFn{})
	register.DoFn4x1[string, func(*cxmetrics.SubscriptionSpan) bool, func(string) func(**Figures) bool, func(string, *Figures), error](&keyedMRRFn{})
	register.DoFn3x1[string, Response, func(string, Response), error](&shardKeyedResponseFn{})
	register.DoFn2x3[string, func(*Response) bool, string, *Figures, error](&keyedTallyFn{})
}

// shardKey joins a shard and a key; keyOf takes the key back.
func shardKey(shard int, key string) string { return strconv.Itoa(shard) + "\x00" + key }

func keyOf(sk string) (string, error) {
	_, key, ok := strings.Cut(sk, "\x00")
	if !ok {
		return "", fmt.Errorf("cxbeam: shard key %q without a key", sk)
	}
	return key, nil
}

// one returns the single figures a per-key side input holds for key, or
// empty figures.
func one(lookup func(string) func(**Figures) bool, key string) *Figures {
	var f *Figures
	out := NewFigures()
	for next := lookup(key); next(&f); {
		_ = out.Add(f) // one element per key: the sum of that key's shards
	}
	return out
}

// combinePerKey adds the figures of each key of a KV<string, *Figures>.
func combinePerKey(s beam.Scope, col beam.PCollection, unlifted bool) beam.PCollection {
	if unlifted {
		return beam.ParDo(s, &unliftedKeyedFn{}, beam.GroupByKey(s, col))
	}
	return beam.CombinePerKey(s, &addFiguresFn{}, col)
}

// unliftedKeyedFn is unliftedFn per key.
type unliftedKeyedFn struct{}

func (unliftedKeyedFn) ProcessElement(key string, figures func(**Figures) bool) (string, *Figures, error) {
	f, err := unliftedFn{}.ProcessElement(0, figures)
	return key, f, err
}

type shardKeyedOrderFn struct{ Shards int }

func (f *shardKeyedOrderFn) ProcessElement(key string, o cxmetrics.Order, emit func(string, cxmetrics.Order)) error {
	if f.Shards < 1 {
		return fmt.Errorf("cxbeam: no shards")
	}
	emit(shardKey(shardOf(o.CustomerID, f.Shards), key), o)
	return nil
}

// OrderReportPerKey is [OrderReport] for a PCollection of KV<string,
// cxmetrics.Order>: it returns a KV<string, *Figures> with one element per
// key that has orders, each key's orders in one currency.
func OrderReportPerKey(s beam.Scope, keyed beam.PCollection, opts Options) beam.PCollection {
	s = s.Scope("cxbeam.OrderReportPerKey")
	grouped := beam.GroupByKey(s, beam.ParDo(s, &shardKeyedOrderFn{Shards: opts.shards()}, keyed))
	parts, customers := beam.ParDo2(s, &buildKeyedShardFn{Period: opts.Period, Location: opts.Location, Window: opts.window()}, grouped)
	whole := combinePerKey(s, parts, opts.Unlifted)
	candidates := combinePerKey(s, beam.ParDo(s, &keyedCandidatesFn{}, customers, beam.SideInput{Input: whole}), opts.Unlifted)
	tiers := combinePerKey(s, beam.ParDo(s, &keyedTiersFn{}, customers, beam.SideInput{Input: whole}, beam.SideInput{Input: candidates}), opts.Unlifted)
	return beam.ParDo(s, &keyedFinishFn{}, whole, beam.SideInput{Input: tiers})
}

type buildKeyedShardFn struct {
	Period, Location string
	Window           int
}

func (f *buildKeyedShardFn) ProcessElement(sk string, orders func(*cxmetrics.Order) bool, emit func(string, *Figures), emitStats func(string, *cxmetrics.OrderStats)) error {
	key, err := keyOf(sk)
	if err != nil {
		return err
	}
	fig, stats, err := shardFigures(f.Period, f.Location, f.Window, orders)
	if err != nil {
		return err
	}
	emit(key, fig)
	emitStats(key, stats)
	return nil
}

type keyedCandidatesFn struct{}

func (keyedCandidatesFn) ProcessElement(key string, stats *cxmetrics.OrderStats, whole func(string) func(**Figures) bool, emit func(string, *Figures)) error {
	out, err := shardCandidates(stats, one(whole, key))
	if out != nil {
		emit(key, out)
	}
	return err
}

type keyedTiersFn struct{}

func (keyedTiersFn) ProcessElement(key string, stats *cxmetrics.OrderStats, whole, candidates func(string) func(**Figures) bool, emit func(string, *Figures)) error {
	out, err := shardTiers(stats, one(whole, key), one(candidates, key))
	if out != nil {
		emit(key, out)
	}
	return err
}

type keyedFinishFn struct{}

func (keyedFinishFn) ProcessElement(key string, whole *Figures, tiers func(string) func(**Figures) bool) (string, *Figures, error) {
	f, err := finishOrders(whole, one(tiers, key))
	return key, f, err
}

type shardKeyedSpanFn struct{ Shards int }

func (f *shardKeyedSpanFn) ProcessElement(key string, sp cxmetrics.SubscriptionSpan, emit func(string, cxmetrics.SubscriptionSpan)) error {
	if f.Shards < 1 {
		return fmt.Errorf("cxbeam: no shards")
	}
	emit(shardKey(shardOf(sp.CustomerID, f.Shards), key), sp)
	return nil
}

// MRRPerKey is [MRR] for a PCollection of KV<string,
// cxmetrics.SubscriptionSpan> (per plan, per currency…): a KV<string,
// *Figures> with one element per key that has spans; without
// opts.Until, each key's series runs to that key's latest span event.
func MRRPerKey(s beam.Scope, keyed beam.PCollection, opts Options) beam.PCollection {
	s = s.Scope("cxbeam.MRRPerKey")
	grouped := beam.GroupByKey(s, beam.ParDo(s, &shardKeyedSpanFn{Shards: opts.shards()}, keyed))
	latest := combinePerKey(s, beam.ParDo(s, &keyedLatestFn{}, grouped), opts.Unlifted)
	parts := beam.ParDo(s, &keyedMRRFn{Period: opts.Period, Location: opts.Location, Until: opts.Until}, grouped, beam.SideInput{Input: latest})
	return combinePerKey(s, parts, opts.Unlifted)
}

type keyedLatestFn struct{}

func (keyedLatestFn) ProcessElement(sk string, spans func(*cxmetrics.SubscriptionSpan) bool, emit func(string, *Figures)) error {
	key, err := keyOf(sk)
	if err != nil {
		return err
	}
	emit(key, latestFn{}.ProcessElement(0, spans))
	return nil
}

type keyedMRRFn struct{ Period, Location, Until string }

func (f *keyedMRRFn) ProcessElement(sk string, spans func(*cxmetrics.SubscriptionSpan) bool, latest func(string) func(**Figures) bool, emit func(string, *Figures)) error {
	key, err := keyOf(sk)
	if err != nil {
		return err
	}
	build := buildMRRFn{Period: f.Period, Location: f.Location, Until: f.Until}
	return build.ProcessElement(0, spans, one(latest, key), func(fig *Figures) { emit(key, fig) })
}

type shardKeyedResponseFn struct{ Shards int }

func (f *shardKeyedResponseFn) ProcessElement(key string, r Response, emit func(string, Response)) error {
	if f.Shards < 1 {
		return fmt.Errorf("cxbeam: no shards")
	}
	emit(shardKey(hashOf(r.Metric, r.Line, f.Shards), key), r)
	return nil
}

// SurveyPerKey is [Survey] for a PCollection of KV<string, Response> (per
// touchpoint, per country…): a KV<string, *Figures> with one element per
// key that has answers.
func SurveyPerKey(s beam.Scope, keyed beam.PCollection, opts Options) beam.PCollection {
	s = s.Scope("cxbeam.SurveyPerKey")
	grouped := beam.GroupByKey(s, beam.ParDo(s, &shardKeyedResponseFn{Shards: opts.shards()}, keyed))
	return combinePerKey(s, beam.ParDo(s, &keyedTallyFn{}, grouped), opts.Unlifted)
}

type keyedTallyFn struct{}

func (keyedTallyFn) ProcessElement(sk string, responses func(*Response) bool) (string, *Figures, error) {
	key, err := keyOf(sk)
	if err != nil {
		return "", nil, err
	}
	f, err := tallyFn{}.ProcessElement(0, responses)
	return key, f, err
}
