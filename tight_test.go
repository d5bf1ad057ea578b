package cxmetrics

import (
	"math"
	"math/bits"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The "tight" baselines: what a careful engineer would write by hand for
// one fixed job, the practical speed limit the accumulators are measured
// against. They take the same orders, each with its own customer-ID string
// as from a file, and make two passes: the first converts every order to an
// int32 customer index (a Go map), a month number and int64 cents, the
// second aggregates those with a bitset of active months per customer.

type tightOrder struct {
	customer int32
	month    int32
	cents    int64
}

// toTight is the baselines' first pass.
func toTight(orders []Order) ([]tightOrder, int) {
	index := make(map[string]int32)
	out := make([]tightOrder, len(orders))
	for i := range orders {
		o := &orders[i]
		c, ok := index[o.CustomerID]
		if !ok {
			c = int32(len(index))
			index[o.CustomerID] = c
		}
		out[i] = tightOrder{customer: c, month: tightMonth(o.Time), cents: centsOf(o.Amount)}
	}
	return out, len(index)
}

// centsOf converts an amount of at most two decimals to cents without
// allocating.
func centsOf(d decimal.Decimal) int64 {
	c := d.CoefficientInt64()
	for e := d.Exponent(); e < -2; e++ {
		c /= 10
	}
	for e := d.Exponent(); e > -2; e-- {
		c *= 10
	}
	return c
}

func tightMonth(t time.Time) int32 {
	y, m, _ := t.Date()
	return int32(y*12 + int(m) - 1)
}

// tightTable is a monthly cohort table in cents.
type tightTable struct {
	lo, span     int32
	size         []int64 // by cohort month - lo
	active       []int64 // [(first-lo)*span + k]
	cents        []int64 // likewise
	unattributed int64
}

// tightCohorts computes the monthly cohort table of orders in UTC.
func tightCohorts(all []Order) *tightTable {
	orders, customers := toTight(all)
	first := make([]int32, customers)
	for i := range first {
		first[i] = math.MaxInt32
	}
	lo, hi := int32(math.MaxInt32), int32(math.MinInt32)
	for i := range orders { // first purchase month, the range
		o := &orders[i]
		m := o.month
		lo, hi = min(lo, m), max(hi, m)
		if o.cents >= 0 && m < first[o.customer] {
			first[o.customer] = m
		}
	}
	t := &tightTable{lo: lo, span: hi - lo + 1}
	words := int(t.span+63) / 64
	activeBits := make([]uint64, customers*words)
	t.size = make([]int64, t.span)
	t.active = make([]int64, int(t.span)*int(t.span))
	t.cents = make([]int64, len(t.active))
	for i := range orders { // pass 2: activity bits and revenue cells
		o := &orders[i]
		m, f := o.month, first[o.customer]
		if o.cents >= 0 {
			bit := m - lo
			activeBits[int(o.customer)*words+int(bit/64)] |= 1 << (bit % 64)
		}
		if f == math.MaxInt32 || m < f {
			t.unattributed += o.cents
			continue
		}
		t.cents[int(f-lo)*int(t.span)+int(m-f)] += o.cents
	}
	for c, f := range first {
		if f == math.MaxInt32 {
			continue
		}
		t.size[f-lo]++
		row := int(f-lo) * int(t.span)
		for w := 0; w < words; w++ {
			for b := activeBits[c*words+w]; b != 0; b &= b - 1 {
				m := int32(w*64+bits.TrailingZeros64(b)) + lo
				t.active[row+int(m-f)]++
			}
		}
	}
	return t
}

// tightStats are order totals and per-customer counts, revenue and first
// and last purchase, in cents.
type tightStats struct {
	revenue, orders, buyers, repeaters int64
	perOrders, perCents                []int64
	firstLast                          []int64 // Unix nanoseconds, 2 per customer
}

func tightOrderStats(all []Order) *tightStats {
	index := make(map[string]int32)
	type row struct {
		customer int32
		cents    int64
		ns       int64
	}
	orders := make([]row, len(all))
	for i := range all { // pass 1
		o := &all[i]
		c, ok := index[o.CustomerID]
		if !ok {
			c = int32(len(index))
			index[o.CustomerID] = c
		}
		orders[i] = row{c, centsOf(o.Amount), o.Time.UnixNano()}
	}
	customers := len(index)
	s := &tightStats{perOrders: make([]int64, customers), perCents: make([]int64, customers), firstLast: make([]int64, 2*customers)}
	for i := range orders {
		o := &orders[i]
		s.revenue += o.cents
		s.perCents[o.customer] += o.cents
		if o.cents < 0 {
			continue
		}
		s.orders++
		n, ns := s.perOrders[o.customer], o.ns
		if n == 0 || ns < s.firstLast[2*o.customer] {
			s.firstLast[2*o.customer] = ns
		}
		if n == 0 || ns > s.firstLast[2*o.customer+1] {
			s.firstLast[2*o.customer+1] = ns
		}
		s.perOrders[o.customer] = n + 1
		if n == 0 {
			s.buyers++
		} else if n == 1 {
			s.repeaters++
		}
	}
	return s
}

// The baselines are only a fair yardstick if they compute the same figures.
func TestTightBaselinesMatchTheAccumulators(t *testing.T) {
	orders := benchOrders(30_000)
	tight, _ := toTight(orders)
	table, err := Cohorts(orders, CohortOptions{})
	require.NoError(t, err)
	tt := tightCohorts(orders)
	var rows int
	for f := int32(0); f < tt.span; f++ {
		if tt.size[f] == 0 {
			continue
		}
		r := table.Rows[rows]
		rows++
		assert.Equal(t, tt.lo+f, tightMonth(r.Start))
		assert.Equal(t, tt.size[f], r.Size)
		for k := range r.Active {
			assert.Equal(t, tt.active[int(f)*int(tt.span)+k], r.Active[k], "cohort %d k %d", f, k)
			assert.True(t, decimal.New(tt.cents[int(f)*int(tt.span)+k], -2).Equal(r.Revenue[k]), "cohort %d k %d", f, k)
		}
	}
	assert.Len(t, table.Rows, rows)
	assert.True(t, decimal.New(tt.unattributed, -2).Equal(table.Unattributed))

	stats, err := statsOf(orders)
	require.NoError(t, err)
	ts := tightOrderStats(orders)
	assert.True(t, decimal.New(ts.revenue, -2).Equal(stats.Revenue()))
	assert.Equal(t, ts.orders, stats.Orders())
	assert.Equal(t, ts.buyers, stats.Customers())
	rpr, _ := stats.RepeatPurchaseRate()
	assert.True(t, ratio(ts.repeaters, ts.buyers).Equal(rpr))
	index := map[string]int32{}
	for i, o := range orders {
		if _, ok := index[o.CustomerID]; !ok {
			index[o.CustomerID] = tight[i].customer
		}
	}
	for _, s := range stats.Summaries() {
		c := index[s.CustomerID]
		assert.Equal(t, ts.perOrders[c], s.Orders, s.CustomerID)
		assert.True(t, decimal.New(ts.perCents[c], -2).Equal(s.Revenue), s.CustomerID)
		if s.Orders > 0 {
			assert.Equal(t, ts.firstLast[2*c], s.First.UnixNano())
			assert.Equal(t, ts.firstLast[2*c+1], s.Last.UnixNano())
		}
	}
}

func BenchmarkTightCohorts(b *testing.B) {
	orders := millionOrders()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tightCohorts(orders)
	}
	b.StopTimer()
	reportPerOrder(b, len(orders))
}

func BenchmarkTightOrderStats(b *testing.B) {
	orders := millionOrders()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tightOrderStats(orders)
	}
	b.StopTimer()
	reportPerOrder(b, len(orders))
}
