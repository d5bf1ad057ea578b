package cxmetrics

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
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

// baselineOrder is the hand-written baseline's input: cents already int64.
type baselineOrder struct {
	customer string
	time     time.Time
	cents    int64
}

type baselineCell struct {
	month  int32
	active bool
	cents  int64
}

type baselineCustomer struct {
	first int32
	cells []baselineCell
}

// baselineCohorts computes the monthly cohort table (sizes, active counts,
// revenue in cents, unattributed cents) the way one would by hand, with
// int64 cents, a map and slices: the practical speed limit for
// CohortBuilder.
func baselineCohorts(orders []baselineOrder) (firsts []int32, size map[int32]int64, active, cents map[int32][]int64, unattributed int64) {
	customers := make(map[string]*baselineCustomer)
	for _, o := range orders {
		y, m, _ := o.time.Date()
		month := int32(y*12 + int(m) - 1)
		c := customers[o.customer]
		if c == nil {
			c = &baselineCustomer{first: 1<<31 - 1}
			customers[o.customer] = c
		}
		var cell *baselineCell
		for i := range c.cells {
			if c.cells[i].month == month {
				cell = &c.cells[i]
				break
			}
		}
		if cell == nil {
			c.cells = append(c.cells, baselineCell{month: month})
			cell = &c.cells[len(c.cells)-1]
		}
		cell.cents += o.cents
		if o.cents >= 0 {
			cell.active = true
			c.first = min(c.first, month)
		}
	}
	last := int32(-1 << 31)
	size = map[int32]int64{}
	for _, c := range customers {
		for _, cell := range c.cells {
			if c.first != 1<<31-1 {
				last = max(last, cell.month)
			}
		}
		if c.first != 1<<31-1 {
			size[c.first]++
		}
	}
	active, cents = map[int32][]int64{}, map[int32][]int64{}
	for f := range size {
		firsts = append(firsts, f)
		active[f] = make([]int64, last-f+1)
		cents[f] = make([]int64, last-f+1)
	}
	for _, c := range customers {
		for _, cell := range c.cells {
			if c.first == 1<<31-1 || cell.month < c.first {
				unattributed += cell.cents
				continue
			}
			k := cell.month - c.first
			if cell.active {
				active[c.first][k]++
			}
			cents[c.first][k] += cell.cents
		}
	}
	return firsts, size, active, cents, unattributed
}

func toBaseline(orders []Order) []baselineOrder {
	out := make([]baselineOrder, len(orders))
	for i, o := range orders {
		out[i] = baselineOrder{customer: o.CustomerID, time: o.Time, cents: o.Amount.Shift(2).IntPart()}
	}
	return out
}

func BenchmarkBaselineInt64(b *testing.B) {
	orders := toBaseline(millionOrders())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		baselineCohorts(orders)
	}
	b.StopTimer()
	reportPerOrder(b, len(orders))
}

// The baseline is only a fair yardstick if it computes the same table.
func TestBaselineMatchesCohortBuilder(t *testing.T) {
	orders := benchOrders(20_000)
	table, err := Cohorts(orders, CohortOptions{})
	if err != nil {
		t.Fatal(err)
	}
	firsts, size, active, cents, unattributed := baselineCohorts(toBaseline(orders))
	if len(firsts) != len(table.Rows) {
		t.Fatalf("%d rows, baseline %d", len(table.Rows), len(firsts))
	}
	for _, r := range table.Rows {
		f := int32(r.Start.Year()*12 + int(r.Start.Month()) - 1)
		if size[f] != r.Size {
			t.Fatalf("row %s: size %d, baseline %d", r.Start, r.Size, size[f])
		}
		for k := range r.Active {
			if r.Active[k] != active[f][k] || !r.Revenue[k].Equal(decimal.New(cents[f][k], -2)) {
				t.Fatalf("row %s k %d: %d %s, baseline %d %d", r.Start, k, r.Active[k], r.Revenue[k], active[f][k], cents[f][k])
			}
		}
	}
	if !table.Unattributed.Equal(decimal.New(unattributed, -2)) {
		t.Fatalf("unattributed %s, baseline %d", table.Unattributed, unattributed)
	}
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
