package cxmetrics

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func order(id, customer, date, amount string) Order {
	return Order{ID: id, CustomerID: customer, Time: day(date), Amount: dec(amount)}
}

// A small shop: three buyers and one customer seen only in a refund.
//
//	a: 10.00 (Jan 5), 20.00 (Feb 1), refund -5.00 (Feb 3)  -> 2 orders, 25.00
//	b: 30.50 (Jan 20)                                      -> 1 order,  30.50
//	c: 0.00 (Mar 1), 9.99 (Jan 1)                          -> 2 orders,  9.99
//	d: refund -2.00 (Mar 9)                                -> 0 orders, -2.00
//
// Revenue 10 + 20 - 5 + 30.5 + 0 + 9.99 - 2 = 63.49; orders 5; customers 3
// (a, b, c); AOV 63.49 / 5 = 12.698; frequency 5/3; repeaters a, c: 2/3;
// historical LTV 63.49 / 3 = 21.1633…
func shopOrders() []Order {
	return []Order{
		order("1", "a", "2024-01-05", "10.00"),
		order("2", "b", "2024-01-20", "30.50"),
		order("3", "a", "2024-02-01", "20.00"),
		order("4", "a", "2024-02-03", "-5.00"),
		order("5", "c", "2024-03-01", "0.00"),
		order("6", "c", "2024-01-01", "9.99"),
		order("7", "d", "2024-03-09", "-2.00"),
	}
}

func TestOrderStats(t *testing.T) {
	var s OrderStats
	for _, o := range shopOrders() {
		require.NoError(t, s.Add(o))
	}
	assertDecimal(t, "63.49", s.Revenue())
	assert.Equal(t, int64(5), s.Orders())
	assert.Equal(t, int64(3), s.Customers())
	assert.Equal(t, "", s.Currency())
	aov, err := s.AOV()
	require.NoError(t, err)
	assertDecimal(t, "12.698", aov)
	freq, err := s.PurchaseFrequency()
	require.NoError(t, err)
	assertDecimal(t, "1.6666666666666667", freq)
	rpr, err := s.RepeatPurchaseRate()
	require.NoError(t, err)
	assertDecimal(t, "0.6666666666666667", rpr)
	hl, err := s.HistoricalLTV()
	require.NoError(t, err)
	assertDecimal(t, "21.1633333333333333", hl)

	sums := s.Summaries()
	require.Len(t, sums, 4)
	want := []struct {
		id          string
		orders      int64
		revenue     string
		first, last string
	}{
		{"a", 2, "25", "2024-01-05", "2024-02-01"},
		{"b", 1, "30.5", "2024-01-20", "2024-01-20"},
		{"c", 2, "9.99", "2024-01-01", "2024-03-01"},
		{"d", 0, "-2", "", ""},
	}
	for i, w := range want {
		got := sums[i]
		assert.Equal(t, w.id, got.CustomerID)
		assert.Equal(t, w.orders, got.Orders, w.id)
		assertDecimal(t, w.revenue, got.Revenue, w.id)
		if w.first == "" {
			assert.True(t, got.First.IsZero() && got.Last.IsZero(), w.id)
			continue
		}
		assert.Equal(t, day(w.first), got.First, w.id)
		assert.Equal(t, day(w.last), got.Last, w.id)
	}
}

func TestOrderStatsEmpty(t *testing.T) {
	var s OrderStats
	assertDecimal(t, "0", s.Revenue())
	assert.Empty(t, s.Summaries())
	for name, f := range map[string]func() (decimal.Decimal, error){
		"AOV": s.AOV, "PurchaseFrequency": s.PurchaseFrequency,
		"RepeatPurchaseRate": s.RepeatPurchaseRate, "HistoricalLTV": s.HistoricalLTV,
	} {
		_, err := f()
		assert.ErrorIs(t, err, ErrNoData, name)
	}
	// Only refunds: revenue but no orders and no customers.
	require.NoError(t, s.Add(order("r", "x", "2024-01-01", "-3")))
	assertDecimal(t, "-3", s.Revenue())
	_, err := s.AOV()
	assert.ErrorIs(t, err, ErrNoData)
	_, err = s.RepeatPurchaseRate()
	assert.ErrorIs(t, err, ErrNoData)
}

func TestOrderStatsErrors(t *testing.T) {
	var s OrderStats
	require.NoError(t, s.Add(Order{ID: "1", CustomerID: "a", Time: day("2024-01-01"), Amount: dec("5"), Currency: "USD"}))
	before := s.Summaries()
	tests := []struct {
		name  string
		order Order
		err   error
		msg   string
	}{
		{"no customer", Order{ID: "2", Time: day("2024-01-01"), Amount: dec("1"), Currency: "USD"}, ErrInconsistent,
			`cxmetrics: order "2" has an empty customer ID: inconsistent`},
		{"zero time", Order{ID: "3", CustomerID: "a", Amount: dec("1"), Currency: "USD"}, ErrInconsistent,
			`cxmetrics: order "3" has a zero time: inconsistent`},
		{"other currency", Order{ID: "4", CustomerID: "a", Time: day("2024-01-01"), Amount: dec("1"), Currency: "EUR"}, ErrCurrencyMismatch,
			`cxmetrics: order "4" in "EUR" among amounts in "USD": currency mismatch`},
		{"no currency", Order{CustomerID: "b", Time: day("2024-01-01"), Amount: dec("1")}, ErrCurrencyMismatch,
			`cxmetrics: order in no currency ("") among amounts in "USD": currency mismatch`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Add(tt.order)
			require.ErrorIs(t, err, tt.err)
			assert.EqualError(t, err, tt.msg)
			assert.Equal(t, before, s.Summaries(), "a rejected order changes nothing")
			assert.Equal(t, int64(1), s.Orders())
			assertDecimal(t, "5", s.Revenue())
		})
	}
}

func TestOrderSliceFunctions(t *testing.T) {
	orders := shopOrders()
	rev, err := Revenue(orders)
	require.NoError(t, err)
	assertDecimal(t, "63.49", rev)
	aov, err := AOV(orders)
	require.NoError(t, err)
	assertDecimal(t, "12.698", aov)
	rpr, err := RepeatPurchaseRate(orders)
	require.NoError(t, err)
	assertDecimal(t, "0.6666666666666667", rpr)
	hl, err := HistoricalLTV(orders)
	require.NoError(t, err)
	assertDecimal(t, "21.1633333333333333", hl)

	rev, err = Revenue(nil)
	require.NoError(t, err)
	assertDecimal(t, "0", rev)
	_, err = AOV(nil)
	assert.ErrorIs(t, err, ErrNoData)
	_, err = HistoricalLTV(nil)
	assert.ErrorIs(t, err, ErrNoData)

	bad := append(shopOrders(), Order{ID: "x", CustomerID: "a", Time: day("2024-01-01"), Amount: dec("1"), Currency: "EUR"})
	_, err = RepeatPurchaseRate(bad)
	require.ErrorIs(t, err, ErrCurrencyMismatch)
	assert.EqualError(t, err, `cxmetrics: order "x" at index 7 in "EUR" among amounts in no currency (""): currency mismatch`)
	bad[7].Currency, bad[7].CustomerID = "", ""
	_, err = AOV(bad)
	assert.EqualError(t, err, `cxmetrics: order "x" at index 7 has an empty customer ID: inconsistent`)
	_, err = HistoricalLTV(bad)
	assert.ErrorIs(t, err, ErrInconsistent)
	_, err = Revenue(bad)
	assert.ErrorIs(t, err, ErrInconsistent)
}

func TestOrderStatsExactSums(t *testing.T) {
	var s OrderStats
	for i := 0; i < 10; i++ {
		require.NoError(t, s.Add(order("", "a", "2024-01-01", "0.1")))
	}
	assertDecimal(t, "1", s.Revenue())
	assertDecimal(t, "1", s.Summaries()[0].Revenue)
	// Amounts beyond int64 and beyond 18 decimals stay exact.
	require.NoError(t, s.Add(order("", "b", "2024-01-01", "12345678901234567890.5")))
	require.NoError(t, s.Add(order("", "b", "2024-01-01", "0.0000000000000000000001")))
	assertDecimal(t, "12345678901234567891.5000000000000000000001", s.Revenue())
}

func TestOrderStatsRefundsNeverCountAsOrders(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	orders := randomOrders(r, 500)
	var s OrderStats
	var wantOrders int64
	for _, o := range orders {
		require.NoError(t, s.Add(o))
		if !o.Amount.IsNegative() {
			wantOrders++
		}
	}
	assert.Equal(t, wantOrders, s.Orders())
	// Adding refunds changes revenue only.
	customers, rpr := s.Customers(), s.Summaries()
	for i := 0; i < 50; i++ {
		require.NoError(t, s.Add(Order{CustomerID: orders[i].CustomerID, Time: day("2030-01-01"), Amount: dec("-1.5")}))
	}
	assert.Equal(t, wantOrders, s.Orders())
	assert.Equal(t, customers, s.Customers())
	for i, c := range s.Summaries() {
		assert.Equal(t, rpr[i].Orders, c.Orders)
		assert.Equal(t, rpr[i].Last, c.Last, "a refund is not a purchase")
	}
}

// randomOrders draws orders over 20 customers in one year, some refunds.
func randomOrders(r *rand.Rand, n int) []Order {
	out := make([]Order, n)
	base := day("2024-01-01")
	for i := range out {
		cents := int64(r.IntN(20000))
		if r.IntN(10) == 0 {
			cents = -cents
		}
		out[i] = Order{
			ID:         "o" + string(rune('A'+i%26)),
			CustomerID: "c" + string(rune('a'+r.IntN(20))),
			Time:       base.Add(time.Duration(r.IntN(365*24)) * time.Hour),
			Amount:     decimal.New(cents, -2),
		}
	}
	return out
}

// Property: stats merged from any split of the orders, in any order, equal
// the one-pass stats.
func TestOrderStatsMergeAnySplit(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for trial := 0; trial < 100; trial++ {
		orders := randomOrders(r, 1+r.IntN(200))
		var whole OrderStats
		shards := make([]OrderStats, 1+r.IntN(5))
		for _, o := range orders {
			require.NoError(t, whole.Add(o))
			require.NoError(t, shards[r.IntN(len(shards))].Add(o))
		}
		var merged OrderStats
		for _, k := range r.Perm(len(shards)) {
			require.NoError(t, merged.Merge(&shards[k]))
		}
		assertSameStats(t, &whole, &merged)
	}
}

func assertSameStats(t *testing.T, want, got *OrderStats) {
	t.Helper()
	assert.True(t, want.Revenue().Equal(got.Revenue()), "revenue %s vs %s", want.Revenue(), got.Revenue())
	assert.Equal(t, want.Orders(), got.Orders())
	assert.Equal(t, want.Customers(), got.Customers())
	r1, err1 := want.RepeatPurchaseRate()
	r2, err2 := got.RepeatPurchaseRate()
	assert.Equal(t, err1 == nil, err2 == nil)
	assert.True(t, r1.Equal(r2))
	ws, gs := want.Summaries(), got.Summaries()
	require.Equal(t, len(ws), len(gs))
	for i := range ws {
		assert.Equal(t, ws[i].CustomerID, gs[i].CustomerID)
		assert.Equal(t, ws[i].Orders, gs[i].Orders)
		assert.True(t, ws[i].Revenue.Equal(gs[i].Revenue))
		assert.True(t, ws[i].First.Equal(gs[i].First))
		assert.True(t, ws[i].Last.Equal(gs[i].Last))
	}
}

func TestOrderStatsMerge(t *testing.T) {
	var a, b OrderStats
	require.NoError(t, a.Add(Order{CustomerID: "x", Time: day("2024-01-01"), Amount: dec("1"), Currency: "USD"}))
	require.NoError(t, b.Add(Order{CustomerID: "x", Time: day("2024-02-01"), Amount: dec("2"), Currency: "EUR"}))
	err := a.Merge(&b)
	require.ErrorIs(t, err, ErrCurrencyMismatch)
	assert.EqualError(t, err, `cxmetrics: merging amounts in "EUR" into amounts in "USD": currency mismatch`)
	assert.Equal(t, int64(1), a.Orders(), "a failed merge changes nothing")

	// Empty stats merge with anything; nil is a no-op.
	var empty OrderStats
	require.NoError(t, empty.Merge(&b))
	require.NoError(t, empty.Merge(nil))
	assert.Equal(t, "EUR", empty.Currency())
	assert.Equal(t, int64(1), b.Orders(), "merge leaves its argument alone")

	// Merging with itself doubles everything.
	require.NoError(t, empty.Merge(&empty))
	assert.Equal(t, int64(2), empty.Orders())
	assert.Equal(t, int64(1), empty.Customers())
	rpr, err := empty.RepeatPurchaseRate()
	require.NoError(t, err)
	assertDecimal(t, "1", rpr)
	assertDecimal(t, "4", empty.Revenue())
}

func FuzzOrderStatsAdd(f *testing.F) {
	f.Add([]byte("a"), "12.50", int64(1700000000), "USD", "b", "-3", "EUR")
	f.Add([]byte(""), "0", int64(0), "", "a", "1e30", "")
	f.Add([]byte("x"), "1e1000", int64(99), "JPY", "x", "-1e-1000", "JPY")
	f.Add([]byte("x"), "1e1073741824", int64(99), "", "y", "1.00000000000000000000000000000000000000001", "")
	f.Fuzz(func(t *testing.T, c1 []byte, a1 string, unix int64, cur1, c2, a2, cur2 string) {
		d1, err1 := decimal.NewFromString(a1)
		d2, err2 := decimal.NewFromString(a2)
		if err1 != nil || err2 != nil {
			return
		}
		var tm time.Time
		if unix != 0 {
			tm = time.Unix(unix%(1<<40), 0)
		}
		orders := []Order{
			{CustomerID: string(c1), Time: tm, Amount: d1, Currency: cur1},
			{CustomerID: c2, Time: tm, Amount: d2, Currency: cur2},
			{CustomerID: string(c1), Time: tm, Amount: d2, Currency: cur1},
		}
		var s, split1, split2 OrderStats
		wantRevenue := decimal.Zero
		var wantOrders int64
		for i, o := range orders {
			before := s.Summaries()
			err := s.Add(o)
			if err != nil {
				if !isSentinel(err) {
					t.Fatalf("unexpected error %v", err)
				}
				assert.Equal(t, before, s.Summaries())
				continue
			}
			wantRevenue = wantRevenue.Add(o.Amount)
			if !o.Amount.IsNegative() {
				wantOrders++
			}
			if i%2 == 0 {
				_ = split1.Add(o)
			} else {
				_ = split2.Add(o)
			}
		}
		if !s.Revenue().Equal(wantRevenue) || s.Orders() != wantOrders {
			t.Fatalf("revenue %s orders %d, want %s and %d", s.Revenue(), s.Orders(), wantRevenue, wantOrders)
		}
		if s.Customers() > s.Orders() {
			t.Fatalf("%d customers with %d orders", s.Customers(), s.Orders())
		}
		if err := split1.Merge(&split2); err == nil {
			assertSameStats(t, &s, &split1)
		}
		// The tiers summed in integers, or the decimal way when the
		// amounts do not fit, are those of the per-customer list.
		list, listTh, listErr := SegmentByAOVTerciles(&s)
		tiers, th, err := SummarizeAOVTerciles(&s)
		if listErr != nil {
			assert.EqualError(t, err, listErr.Error())
			return
		}
		require.NoError(t, err)
		assertSameTiers(t, listTh, SummarizeTiers(list), th, tiers, "")
	})
}
