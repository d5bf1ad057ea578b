package cxmetrics

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// batchOrders returns n orders that cross several batch boundaries: times
// out of order over three years, refunds, amounts at mixed scales and
// some far beyond int64 units, few or many customers.
func batchOrders(r *rand.Rand, n, customers int) []Order {
	base := time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC)
	amounts := []func() decimal.Decimal{
		func() decimal.Decimal { return decimal.New(int64(r.IntN(100000)), -2) },
		func() decimal.Decimal { return decimal.New(-int64(1+r.IntN(5000)), -2) },
		func() decimal.Decimal { return decimal.New(int64(r.IntN(1000)), -int32(r.IntN(9))) },
		func() decimal.Decimal { return decimal.RequireFromString("123456789012345678901234.5") },
		func() decimal.Decimal { return decimal.New(int64(r.IntN(7)), int32(r.IntN(30))) },
		func() decimal.Decimal { return decimal.RequireFromString("-0.000000000000000000007") },
	}
	orders := make([]Order, n)
	for i := range orders {
		kind := 0
		if k := r.IntN(40); k < len(amounts) {
			kind = k
		}
		orders[i] = Order{
			CustomerID: fmt.Sprintf("c%d", r.IntN(customers)),
			Time:       base.Add(time.Duration(r.Int64N(int64(3 * 365 * 24 * time.Hour)))),
			Amount:     amounts[kind](),
		}
	}
	return orders
}

// oracleCohorts computes the cohort table of orders by periods numbered
// with periodOf, straight from the definition: a customer's cohort is the
// period of their first purchase, Active[k] counts the cohort's customers
// with a purchase k periods later, Revenue[k] sums their amounts then, and
// amounts before a customer's first purchase (or of customers without one)
// are unattributed.
func oracleCohorts(orders []Order, periodOf func(time.Time) int) (firsts []int, size map[int]int64, active, revenue map[[2]int]decimal.Decimal, unattributed decimal.Decimal, last int) {
	first := map[string]int{}
	for _, o := range orders {
		if p := periodOf(o.Time); !o.IsRefund() {
			if f, ok := first[o.CustomerID]; !ok || p < f {
				first[o.CustomerID] = p
			}
		}
	}
	size = map[int]int64{}
	for _, f := range first {
		if size[f] == 0 {
			firsts = append(firsts, f)
		}
		size[f]++
	}
	slices.Sort(firsts)
	active, revenue = map[[2]int]decimal.Decimal{}, map[[2]int]decimal.Decimal{}
	seen := map[[2]any]bool{}
	last = -1 << 62
	for _, o := range orders {
		p := periodOf(o.Time)
		f, ok := first[o.CustomerID]
		if !ok || p < f {
			unattributed = unattributed.Add(o.Amount)
			if ok {
				last = max(last, p)
			}
			continue
		}
		last = max(last, p)
		key := [2]int{f, p - f}
		revenue[key] = revenue[key].Add(o.Amount)
		if !o.IsRefund() && !seen[[2]any{o.CustomerID, p}] {
			seen[[2]any{o.CustomerID, p}] = true
			active[key] = active[key].Add(decimal.New(1, 0))
		}
	}
	return firsts, size, active, revenue, unattributed, last
}

// Property: fed order by order across several batches, with customers
// few (many events per customer and batch) or many, by month and by day,
// CohortBuilder and OrderStats give what the definitions give.
func TestAccumulatorsAcrossBatches(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	month := func(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 }
	day := func(t time.Time) int { return int(t.Unix() / 86400) }
	for _, tc := range []struct {
		name      string
		customers int
		period    Period
		periodOf  func(time.Time) int
		tiny      bool // batches of 64 to 1,024 events, growing with the customers
	}{
		{"few customers, months", 50, Month, month, false},
		{"many customers, months", 40_000, Month, month, false},
		{"many customers, days", 3_000, Day, day, false},
		{"tiny batches, few customers", 50, Month, month, true},
		{"tiny batches growing with the customers", 40_000, Month, month, true},
		{"tiny batches growing with the customers, days", 3_000, Day, day, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.tiny {
				savedMin, savedMax := minEvents, maxEvents
				minEvents, maxEvents = 64, 1024
				defer func() { minEvents, maxEvents = savedMin, savedMax }()
			}
			orders := batchOrders(r, 2*minEvents+777, tc.customers)
			if tc.tiny {
				orders = batchOrders(r, 60_000, tc.customers)
			}
			var b CohortBuilder
			if tc.period != Month {
				nb, err := NewCohortBuilder(CohortOptions{Period: tc.period})
				require.NoError(t, err)
				b = *nb
			}
			var s OrderStats
			for i := range orders {
				require.NoError(t, b.Add(orders[i]))
				require.NoError(t, s.Add(orders[i]))
			}
			table, err := b.Table()
			require.NoError(t, err)
			firsts, size, active, revenue, unattributed, last := oracleCohorts(orders, tc.periodOf)
			require.Len(t, table.Rows, len(firsts))
			for i, f := range firsts {
				row := table.Rows[i]
				assert.Equal(t, f, tc.periodOf(row.Start), "row %d", i)
				assert.Equal(t, size[f], row.Size, "row %d", i)
				require.Len(t, row.Active, last-f+1, "row %d", i)
				for k := range row.Active {
					want := active[[2]int{f, k}]
					assert.Equal(t, want.IntPart(), row.Active[k], "row %d k %d", i, k)
					want = revenue[[2]int{f, k}]
					assert.True(t, want.Equal(row.Revenue[k]), "row %d k %d: %s, want %s", i, k, row.Revenue[k], want)
				}
			}
			assert.True(t, unattributed.Equal(table.Unattributed), "%s, want %s", table.Unattributed, unattributed)

			type sum struct {
				orders      int64
				revenue     decimal.Decimal
				first, last time.Time
			}
			want := map[string]*sum{}
			var total decimal.Decimal
			for _, o := range orders {
				c := want[o.CustomerID]
				if c == nil {
					c = &sum{}
					want[o.CustomerID] = c
				}
				c.revenue = c.revenue.Add(o.Amount)
				total = total.Add(o.Amount)
				if o.IsRefund() {
					continue
				}
				if c.orders == 0 || o.Time.Before(c.first) {
					c.first = o.Time
				}
				if c.orders == 0 || o.Time.After(c.last) {
					c.last = o.Time
				}
				c.orders++
			}
			assert.True(t, total.Equal(s.Revenue()))
			sums := s.Summaries()
			require.Len(t, sums, len(want))
			for _, got := range sums {
				w := want[got.CustomerID]
				require.NotNil(t, w, got.CustomerID)
				assert.Equal(t, w.orders, got.Orders, got.CustomerID)
				assert.True(t, w.revenue.Equal(got.Revenue), "%s: %s, want %s", got.CustomerID, got.Revenue, w.revenue)
				assert.True(t, w.first.Equal(got.First) && w.last.Equal(got.Last), got.CustomerID)
			}
		})
	}
}

// A batch holds at least minEvents events and a quarter as many as the
// customers, up to maxEvents.
func TestBatchLimit(t *testing.T) {
	for _, tc := range []struct{ customers, want int }{
		{0, 1 << 16},
		{100_000, 1 << 16},
		{4 << 16, 1 << 16},
		{4<<16 + 4, 1<<16 + 1},
		{500_000, 125_000},
		{4 << 18, 1 << 18},
		{10_000_000, 1 << 18},
	} {
		assert.Equal(t, tc.want, batchLimit(tc.customers), "%d customers", tc.customers)
	}
}
