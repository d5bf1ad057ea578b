package cxmetrics

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// benchOrders returns n deterministic orders from n/10 customers over 24
// months: about 10 orders per customer, amounts 1.00..200.00 with two
// decimals, one in twenty a refund of up to 50.00, in random time order.
// Every order carries its own CustomerID string, as orders decoded from a
// file or a database do; with one shared string per customer, map lookups
// would succeed on pointer equality and flatter every contender.
func benchOrders(n int) []Order {
	r := rand.New(rand.NewPCG(2024, uint64(n)))
	customers := max(1, n/10)
	base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	span := base.AddDate(2, 0, 0).Sub(base)
	orders := make([]Order, n)
	for i := range orders {
		cents := int64(100 + r.IntN(19901))
		if r.IntN(20) == 0 {
			cents = -int64(1 + r.IntN(5000))
		}
		orders[i] = Order{
			ID:         fmt.Sprintf("o%d", i),
			CustomerID: fmt.Sprintf("cust-%07d", r.IntN(customers)),
			Time:       base.Add(time.Duration(r.Int64N(int64(span)))),
			Amount:     decimal.New(cents, -2),
		}
	}
	return orders
}

var (
	benchOnce sync.Once
	benchData []Order
)

const benchN = 1_000_000

func millionOrders() []Order {
	benchOnce.Do(func() { benchData = benchOrders(benchN) })
	return benchData
}

// heapAfter returns the live heap in bytes after a GC, to measure state.
func heapAfter() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func BenchmarkCohortBuilder(b *testing.B) {
	orders := millionOrders()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		builder, _ := NewCohortBuilder(CohortOptions{})
		for _, o := range orders {
			if err := builder.Add(o); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := builder.Table(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportPerOrder(b, len(orders))
	var kept *CohortBuilder
	perCustomer := liveBytes(func() {
		kept, _ = NewCohortBuilder(CohortOptions{})
		for _, o := range orders {
			_ = kept.Add(o)
		}
	}, func() int64 { return int64(kept.customers.len()) })
	var cells int
	kept.customers.each(func(_ int32, c *cohortCustomer) { cells += len(c.cells) })
	b.ReportMetric(perCustomer, "B/customer")
	b.ReportMetric(float64(cells)/float64(kept.customers.len()), "periods/customer")
}

// reportPerOrder reports the time per order of a benchmark that feeds n
// orders per iteration.
func reportPerOrder(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/order")
}

// liveBytes runs build and returns the live heap it added, after a GC,
// divided by customers().
func liveBytes(build func(), customers func() int64) float64 {
	before := heapAfter()
	build()
	after := heapAfter()
	return float64(after-before) / float64(customers())
}

func BenchmarkOrderStats(b *testing.B) {
	orders := millionOrders()
	b.ReportAllocs()
	b.ResetTimer()
	var s *OrderStats
	for i := 0; i < b.N; i++ {
		s = new(OrderStats)
		for _, o := range orders {
			if err := s.Add(o); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.AOV(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportPerOrder(b, len(orders))
	var kept *OrderStats
	b.ReportMetric(liveBytes(func() {
		kept = new(OrderStats)
		for _, o := range orders {
			_ = kept.Add(o)
		}
	}, func() int64 { return kept.Customers() }), "B/customer")
}

// BenchmarkCohortBuilderEncoding encodes and decodes a builder of the 1M
// orders (100,000 customers) in both forms, reporting the payload's size.
func BenchmarkCohortBuilderEncoding(b *testing.B) {
	builder, _ := NewCohortBuilder(CohortOptions{})
	for _, o := range millionOrders() {
		if err := builder.Add(o); err != nil {
			b.Fatal(err)
		}
	}
	for _, enc := range []struct {
		name      string
		marshal   func() ([]byte, error)
		unmarshal func(*CohortBuilder, []byte) error
	}{
		{"JSON", builder.MarshalJSON, (*CohortBuilder).UnmarshalJSON},
		{"Binary", builder.MarshalBinary, (*CohortBuilder).UnmarshalBinary},
	} {
		payload, err := enc.marshal()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(enc.name+"/Marshal", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := enc.marshal(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(payload)), "bytes")
			b.ReportMetric(float64(len(payload))/float64(builder.customers.len()), "B/customer")
		})
		b.Run(enc.name+"/Unmarshal", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				var back CohortBuilder
				if err := enc.unmarshal(&back, payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSeries computes the monthly series of the 1M orders from a
// built CohortBuilder, with windows of 1 and 3 months.
func BenchmarkSeries(b *testing.B) {
	builder, _ := NewCohortBuilder(CohortOptions{})
	for _, o := range millionOrders() {
		if err := builder.Add(o); err != nil {
			b.Fatal(err)
		}
	}
	for _, w := range []int{1, 3} {
		b.Run(fmt.Sprintf("window=%d", w), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := builder.Series(w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOrderDedup feeds 1M distinct orders (IDs of 8 bytes) and then a
// re-delivery of each to an OrderDedup, reporting the time per delivery and
// the live memory per distinct order, with and without the ID's bytes.
func BenchmarkOrderDedup(b *testing.B) {
	orders := millionOrders()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var d OrderDedup
		for _, o := range orders {
			if dup, err := d.Seen(o); err != nil || dup {
				b.Fatal(dup, err)
			}
		}
		for _, o := range orders {
			if dup, err := d.Seen(o); err != nil || !dup {
				b.Fatal(dup, err)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*2*len(orders)), "ns/delivery")
	var kept *OrderDedup
	var idBytes int
	for _, o := range orders {
		idBytes += len(o.ID)
	}
	perOrder := liveBytes(func() {
		kept = new(OrderDedup)
		for _, o := range orders {
			_, _ = kept.Seen(o)
		}
	}, func() int64 { return kept.Orders() })
	b.ReportMetric(perOrder, "B/order")
	b.ReportMetric(perOrder-float64(idBytes)/float64(len(orders)), "B/order-without-ID")
}

// millionCustomers returns OrderStats of 1,000,000 customers (3,000,000
// orders, one in twenty a refund), built once.
var millionCustomers = sync.OnceValue(func() *OrderStats {
	r := rand.New(rand.NewPCG(7, 1_000_000))
	base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	var s OrderStats
	for i := range 3_000_000 {
		cents := int64(100 + r.IntN(19901))
		if r.IntN(20) == 0 {
			cents = -int64(1 + r.IntN(5000))
		}
		o := Order{CustomerID: fmt.Sprintf("cust-%07d", i%1_000_000), Time: base.Add(time.Duration(r.Int64N(int64(730 * 24 * time.Hour)))), Amount: decimal.New(cents, -2)}
		if err := s.Add(o); err != nil {
			panic(err)
		}
	}
	s.Customers() // fold
	return &s
})

// BenchmarkCustomerFigures times the figures that need every customer at
// once, at 1,000,000 customers: the AOV tiers at the terciles and RFM.
func BenchmarkCustomerFigures(b *testing.B) {
	s := millionCustomers()
	asOf := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	b.Run("Summaries", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s.Summaries()
		}
	})
	b.Run("SegmentByAOVTerciles", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, _, err := SegmentByAOVTerciles(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SummarizeAOVTerciles", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, _, err := SummarizeAOVTerciles(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RFM", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := RFM(s, asOf, 5); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchSpans returns n subscription spans of n/10 customers over 36 months:
// each customer's subscription changes plan every few months (the spans
// follow one another), a fifth of them pay yearly, and one span in eight
// ends in a cancellation, the next starting after a gap (a win-back).
func benchSpans(n int) []SubscriptionSpan {
	r := rand.New(rand.NewPCG(36, uint64(n)))
	base := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	month := 30 * 24 * time.Hour
	spans := make([]SubscriptionSpan, 0, n)
	for c := 0; len(spans) < n; c++ {
		id := fmt.Sprintf("cust-%07d", c)
		at := base.Add(time.Duration(r.Int64N(int64(6 * month))))
		interval := BillingInterval{Unit: Month, Count: 1}
		if r.IntN(5) == 0 {
			interval = BillingInterval{Unit: Year, Count: 1}
		}
		for k := 0; k < 10 && len(spans) < n; k++ {
			end := at.Add(time.Duration(1+r.IntN(5)) * month / 2)
			spans = append(spans, SubscriptionSpan{CustomerID: id, SubscriptionID: fmt.Sprintf("s%d", c), Start: at, End: end,
				Amount: decimal.New(int64(900+r.IntN(20000)), -2), Interval: interval})
			at = end
			if r.IntN(8) == 0 {
				at = at.Add(time.Duration(r.IntN(3)) * month)
			}
		}
	}
	r.Shuffle(len(spans), func(i, j int) { spans[i], spans[j] = spans[j], spans[i] })
	return spans
}

// BenchmarkMRRBuilder adds 1,000,000 spans of 100,000 customers over 36
// months to a monthly MRRBuilder and computes its series, reporting the
// time per span and the live memory per span.
func BenchmarkMRRBuilder(b *testing.B) {
	spans := benchSpans(1_000_000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var m MRRBuilder
		for _, s := range spans {
			if err := m.Add(s); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := m.Series(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(spans)), "ns/span")
	var kept *MRRBuilder
	b.ReportMetric(liveBytes(func() {
		kept = new(MRRBuilder)
		for _, s := range spans {
			_ = kept.Add(s)
		}
	}, func() int64 { return kept.Spans() }), "B/span")
	runtime.KeepAlive(spans)
}

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
