package cxmetrics

import (
	"math/bits"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// orderBatch holds the orders an accumulator has taken but not yet folded
// into its customers' states, as compact events.
//
// An accumulator keyed by customer costs, per order, a lookup of the
// customer and an update of the customer's state: two cache misses once
// the customers outnumber the cache. Batching turns the second into near-
// sequential work: the customers of a batch are looked up together
// (customerTable.numbers), and the events are then sorted by customer
// number, so that the states are visited in memory order. A batch is
// validated order by order as it is added; folding it cannot fail.
type orderBatch struct {
	events []orderEvent
	ids    []string          // ids[i] is the customer ID of events[i]
	hashes []uint64          // and hashes[i] its hash
	bigs   []decimal.Decimal // the amounts of events flagged eventBig
	nums   []int32           // scratch for the customer numbers
	sorted []orderEvent      // scratch for the radix sort
	counts []int32           // the radix sort's buckets
	limit  int               // the events that fill the batch (see batchLimit); minEvents while 0
}

// orderEvent is one order waiting to be folded into its customer's state.
type orderEvent struct {
	units    int64 // the amount in 10^-scale units, or an index into bigs
	sec      int64 // the order's time, Unix seconds
	nsec     int32 // and nanoseconds
	customer int32 // the customer's number, once the batch is resolved
	period   int32 // the order's period, for a CohortBuilder
	scale    int8
	flags    uint8
}

const (
	eventActive = 1 << 0 // a purchase (amount >= 0), not a refund
	eventBig    = 1 << 1 // the amount is bigs[units]
)

// A batch folds minEvents events at once (2 MiB of them), or a quarter as
// many as the accumulator has customers, up to maxEvents. The fold visits
// the batch's customers in the order of their states in memory; with a
// batch of at least a quarter of the customers, those it visits lie
// within a few states of each other, so that the visit streams through
// memory instead of missing the cache at every customer. The room grows
// with the customers (about 23 bytes a customer) and stays bounded.
// (Variables, so that tests can make batches tiny.)
var (
	minEvents = 1 << 16
	maxEvents = 1 << 18
)

// batchLimit is the number of events that fills the batch of an
// accumulator of the given customers.
func batchLimit(customers int) int {
	return min(max(minEvents, customers/4), maxEvents)
}

// newEvent returns the event of an order of the given amount and time.
func (b *orderBatch) newEvent(amount decimal.Decimal, t time.Time) orderEvent {
	ev := orderEvent{sec: t.Unix(), nsec: int32(t.Nanosecond())}
	if !amount.IsNegative() {
		ev.flags = eventActive
	}
	if sc, ok := scaleOf(amount); ok {
		if u, ok := mulPow10(amount.CoefficientInt64(), sc+amount.Exponent()); ok {
			ev.units, ev.scale = u, int8(sc)
			return ev
		}
	}
	ev.flags |= eventBig
	ev.units = int64(len(b.bigs))
	b.bigs = append(b.bigs, amount)
	return ev
}

// add appends ev, of the customer with the given ID and hash, and reports
// whether the batch is full.
func (b *orderBatch) add(id string, h uint64, ev orderEvent) bool {
	b.ids = append(double(b.ids, 1), id)
	b.hashes = append(double(b.hashes, 1), h)
	b.events = append(double(b.events, 1), ev)
	return len(b.events) >= max(b.limit, minEvents)
}

// pending reports whether the batch holds events.
func (b *orderBatch) pending() bool { return len(b.events) > 0 }

// resolve numbers the batch's customers in t, adding new ones with state
// fresh, and returns the events sorted by customer number, in the order
// they were added within a customer. The caller folds them and then calls
// reset.
func resolve[T any](b *orderBatch, t *customerTable[T], fresh T) []orderEvent {
	nums := b.nums[:0]
	if cap(nums) < len(b.events) {
		nums = make([]int32, len(b.events))
	}
	nums = nums[:len(b.events)]
	t.numbers(b.ids, b.hashes, nums, fresh)
	for i, n := range nums {
		b.events[i].customer = n
	}
	clear(b.ids) // the IDs are the callers' strings: let them go
	b.ids, b.hashes, b.nums = b.ids[:0], b.hashes[:0], nums
	b.limit = batchLimit(t.len())
	return b.sortEvents(t.len())
}

// reset empties the batch, keeping its room.
func (b *orderBatch) reset() {
	b.events, b.bigs = b.events[:0], b.bigs[:0]
}

// clone returns an independent copy of the pending events.
func (b *orderBatch) clone() orderBatch {
	return orderBatch{
		events: slices.Clone(b.events), ids: slices.Clone(b.ids),
		hashes: slices.Clone(b.hashes), bigs: slices.Clone(b.bigs), limit: b.limit,
	}
}

// sortEvents returns the events sorted by customer number with a stable
// radix sort: one pass when the numbers of the customers fit in 16 bits,
// two passes of half their width otherwise, so the buckets stay few and in
// the cache.
func (b *orderBatch) sortEvents(customers int) []orderEvent {
	src := b.events
	if cap(b.sorted) < len(src) {
		b.sorted = make([]orderEvent, len(src))
	}
	dst := b.sorted[:len(src)]
	width := bits.Len32(uint32(max(customers-1, 0)))
	passes := []int{width}
	if width > 16 {
		passes = []int{width / 2, width - width/2}
	}
	shift := 0
	for _, w := range passes {
		counts := b.buckets(1 << w)
		mask := uint32(1)<<w - 1
		for i := range src {
			counts[uint32(src[i].customer)>>shift&mask]++
		}
		sum := int32(0)
		for k, c := range counts {
			counts[k], sum = sum, sum+c
		}
		for i := range src {
			k := uint32(src[i].customer) >> shift & mask
			dst[counts[k]] = src[i]
			counts[k]++
		}
		src, dst = dst, src
		shift += w
	}
	b.events, b.sorted = dst, src
	return src
}

// buckets returns n zeroed counters for a radix pass, reusing the batch's.
func (b *orderBatch) buckets(n int) []int32 {
	if cap(b.counts) < n {
		b.counts = make([]int32, n)
	}
	c := b.counts[:n]
	clear(c)
	return c
}
