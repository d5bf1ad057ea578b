package cxmetrics

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seriesOrders is a small shop whose monthly series is worked out by hand:
//
//	ann: Jan 10, Mar 20, Apr refund -5
//	bob: Jan 30, Feb 15
//	cat: Feb 40, May 25
//	dan: Mar refund -8 only
//
// With a window of 1 month (active = bought this month):
//
//	      rev  ord ref cust new ret  start churn new react  end
//	Jan    40   2   0   2    2   0     0     0    2    0     2
//	Feb    55   2   0   2    1   1     2     1    1    0     2   (ann churns)
//	Mar    12   1   1   1    0   1     2     2    0    1     1   (bob, cat churn; ann back)
//	Apr    -5   0   1   0    0   0     1     1    0    0     0
//	May    25   1   0   1    0   1     0     0    0    1     1   (cat back)
//
// With a window of 2 (active = bought this month or the one before):
//
//	Jan: start 0, new 2, end 2      (ann, bob)
//	Feb: start 2, new 1 (cat), churn 0, end 3
//	Mar: start 3, churn 0, end 3    (ann by Mar; bob and cat by Feb)
//	Apr: start 3, churn 2 (bob, cat), end 1 (ann by Mar)
//	May: start 1, churn 1 (ann), react 1 (cat), end 1
func seriesOrders() []Order {
	m := func(month time.Month, day int) time.Time { return time.Date(2024, month, day, 12, 0, 0, 0, time.UTC) }
	return []Order{
		{CustomerID: "ann", Time: m(1, 5), Amount: dec("10")},
		{CustomerID: "bob", Time: m(1, 9), Amount: dec("30")},
		{CustomerID: "bob", Time: m(2, 3), Amount: dec("15")},
		{CustomerID: "cat", Time: m(2, 20), Amount: dec("40")},
		{CustomerID: "ann", Time: m(3, 7), Amount: dec("20")},
		{CustomerID: "dan", Time: m(3, 8), Amount: dec("-8")},
		{CustomerID: "ann", Time: m(4, 2), Amount: dec("-5")},
		{CustomerID: "cat", Time: m(5, 30), Amount: dec("25")},
	}
}

func TestOrderSeriesByHand(t *testing.T) {
	type want struct {
		revenue                                          string
		orders, refunds, customers, new, returning       int64
		activeAtStart, churned, reactivated, activeAtEnd int64
	}
	for _, tt := range []struct {
		window int
		rows   []want
	}{
		{1, []want{
			{"40", 2, 0, 2, 2, 0, 0, 0, 0, 2},
			{"55", 2, 0, 2, 1, 1, 2, 1, 0, 2},
			{"12", 1, 1, 1, 0, 1, 2, 2, 1, 1},
			{"-5", 0, 1, 0, 0, 0, 1, 1, 0, 0},
			{"25", 1, 0, 1, 0, 1, 0, 0, 1, 1},
		}},
		{2, []want{
			{"40", 2, 0, 2, 2, 0, 0, 0, 0, 2},
			{"55", 2, 0, 2, 1, 1, 2, 0, 0, 3},
			{"12", 1, 1, 1, 0, 1, 3, 0, 0, 3},
			{"-5", 0, 1, 0, 0, 0, 3, 2, 0, 1},
			{"25", 1, 0, 1, 0, 1, 1, 1, 1, 1},
		}},
	} {
		t.Run(fmt.Sprint("window ", tt.window), func(t *testing.T) {
			s, err := OrderSeries(seriesOrders(), CohortOptions{}, tt.window)
			require.NoError(t, err)
			assert.Equal(t, Month, s.Period)
			assert.Equal(t, tt.window, s.Window)
			require.Len(t, s.Rows, len(tt.rows))
			for i, w := range tt.rows {
				r := s.Rows[i]
				assert.True(t, time.Date(2024, time.Month(1+i), 1, 0, 0, 0, 0, time.UTC).Equal(r.Start), "row %d start %s", i, r.Start)
				assertDecimal(t, w.revenue, r.Revenue, "row", i)
				got := want{w.revenue, r.Orders, r.Refunds, r.Customers, r.New, r.Returning, r.ActiveAtStart, r.Churned, r.Reactivated, r.ActiveAtEnd}
				assert.Equal(t, w, got, "row %d", i)
			}
		})
	}
}

func TestSeriesRowRates(t *testing.T) {
	s, err := OrderSeries(seriesOrders(), CohortOptions{}, 1)
	require.NoError(t, err)
	feb := s.Rows[1] // start 2, churned 1, new 1, end 2; revenue 55 over 2 orders
	churn, err := feb.ChurnRate()
	require.NoError(t, err)
	assertDecimal(t, "0.5", churn)
	kept, err := feb.RetentionRate()
	require.NoError(t, err)
	assertDecimal(t, "0.5", kept)
	aov, err := feb.AOV()
	require.NoError(t, err)
	assertDecimal(t, "27.5", aov)
	// The PeriodCounts formulas give the same rates.
	c := feb.Counts()
	assert.Equal(t, PeriodCounts{Start: 2, New: 1, End: 2}, c)
	viaCounts, err := ChurnRate(c)
	require.NoError(t, err)
	assert.True(t, viaCounts.Equal(churn))
	viaCounts, err = RetentionRate(c)
	require.NoError(t, err)
	assert.True(t, viaCounts.Equal(kept))

	jan, apr := s.Rows[0], s.Rows[3]
	_, err = jan.ChurnRate()
	assert.ErrorIs(t, err, ErrNoData, "nobody active before January")
	_, err = jan.RetentionRate()
	assert.ErrorIs(t, err, ErrNoData)
	_, err = apr.AOV()
	assert.ErrorIs(t, err, ErrNoData, "April has a refund and no order")

	_, err = OrderSeries(seriesOrders(), CohortOptions{}, 0)
	assert.ErrorIs(t, err, ErrOutOfRange)
	_, err = OrderSeries(nil, CohortOptions{}, 1)
	assert.ErrorIs(t, err, ErrNoData)
	_, err = OrderSeries([]Order{{CustomerID: "a", Time: time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), Amount: one},
		{CustomerID: "a", Time: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), Amount: one}}, CohortOptions{Period: Day}, 1)
	assert.ErrorIs(t, err, ErrOutOfRange, "millions of days")
}

// seriesOracle computes a series by brute force over customers and periods,
// with its own calendar: periods are named by the civil date they start on,
// stepped one by one with AddDate on civil dates.
func seriesOracle(orders []Order, p Period, loc *time.Location, w int) []SeriesRow {
	civil := func(t time.Time) time.Time { return seriesCivil(t, p, loc) }
	next := func(t time.Time) time.Time { return seriesNext(t, p) }

	var keys []time.Time
	for _, o := range orders {
		keys = append(keys, civil(o.Time))
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Before(keys[j]) })
	var periods []time.Time
	for t := keys[0]; !t.After(keys[len(keys)-1]); t = next(t) {
		periods = append(periods, t)
	}
	index := map[time.Time]int{}
	for i, t := range periods {
		index[t] = i
	}
	bought := map[string]map[int]bool{}
	first := map[string]int{}
	rows := make([]SeriesRow, len(periods))
	for _, o := range orders {
		k := index[civil(o.Time)]
		rows[k].Revenue = rows[k].Revenue.Add(o.Amount)
		if o.Amount.IsNegative() {
			rows[k].Refunds++
			continue
		}
		rows[k].Orders++
		if bought[o.CustomerID] == nil {
			bought[o.CustomerID] = map[int]bool{}
			first[o.CustomerID] = k
		}
		bought[o.CustomerID][k] = true
		first[o.CustomerID] = min(first[o.CustomerID], k)
	}
	activeAt := func(c string, k int) bool {
		for j := k - w + 1; j <= k; j++ {
			if bought[c][j] {
				return true
			}
		}
		return false
	}
	for c := range bought {
		for k := range periods {
			now, before := activeAt(c, k), k > 0 && activeAt(c, k-1)
			if bought[c][k] {
				rows[k].Customers++
				if first[c] != k {
					rows[k].Returning++
				}
			}
			if now {
				rows[k].ActiveAtEnd++
			}
			if before {
				rows[k].ActiveAtStart++
			}
			switch {
			case before && !now:
				rows[k].Churned++
			case now && !before && first[c] == k:
				rows[k].New++
			case now && !before:
				rows[k].Reactivated++
			}
		}
	}
	for k := range rows {
		rows[k].Start = periods[k]
	}
	return rows
}

// periodOrders draws n orders for the property tests: customers c0 to
// c(customers-1), times over a span of some dozens of periods p from
// 2018-10-20, amounts up to 89.99, one in refundOneIn a refund, all in
// currency.
func periodOrders(r *rand.Rand, p Period, n, customers, refundOneIn int, currency string) []Order {
	span := map[Period]time.Duration{Day: 40 * 24 * time.Hour, Week: 30 * 7 * 24 * time.Hour, Month: 700 * 24 * time.Hour,
		Quarter: 2000 * 24 * time.Hour, Year: 5000 * 24 * time.Hour}[p]
	base := time.Date(2018, 10, 20, 0, 0, 0, 0, time.UTC)
	orders := make([]Order, n)
	for i := range orders {
		cents := int64(r.IntN(9000))
		if r.IntN(refundOneIn) == 0 {
			cents = -1 - cents
		}
		orders[i] = Order{CustomerID: fmt.Sprintf("c%d", r.IntN(customers)), Time: base.Add(time.Duration(r.Int64N(int64(span)))),
			Amount: decimal.New(cents, -2), Currency: currency}
	}
	return orders
}

// Property: on random orders, in any zone and period, with any window and
// any split into shards merged in any order (some through their binary
// encoding), the series equals the brute-force oracle, and the identity
// ActiveAtEnd = ActiveAtStart - Churned + New + Reactivated holds on every
// row.
func TestSeriesMatchesOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	zones := []string{"UTC", "Europe/Berlin", "America/Sao_Paulo", "Asia/Kolkata", "Pacific/Chatham"}
	for trial := 0; trial < 120; trial++ {
		loc, err := time.LoadLocation(zones[r.IntN(len(zones))])
		require.NoError(t, err)
		p := Period(r.IntN(5))
		w := 1 + r.IntN(5)
		orders := periodOrders(r, p, 1+r.IntN(150), 15, 6, "")
		opts := CohortOptions{Period: p, Location: loc}
		shards := make([]*CohortBuilder, 1+r.IntN(4))
		for i := range shards {
			shards[i], err = NewCohortBuilder(opts)
			require.NoError(t, err)
		}
		for _, o := range orders {
			require.NoError(t, shards[r.IntN(len(shards))].Add(o))
		}
		var merged CohortBuilder
		for _, k := range r.Perm(len(shards)) {
			part := shards[k]
			if r.IntN(2) == 0 {
				data, err := part.MarshalBinary()
				require.NoError(t, err)
				part = new(CohortBuilder)
				require.NoError(t, part.UnmarshalBinary(data))
			}
			require.NoError(t, merged.Merge(part))
		}
		got, err := merged.Series(w)
		require.NoError(t, err)
		want := seriesOracle(orders, p, loc, w)
		require.Len(t, got.Rows, len(want), "trial %d: %s in %s", trial, p, loc)
		for k := range want {
			g, o := got.Rows[k], want[k]
			y, m, d := g.Start.In(loc).Date()
			assert.Equal(t, o.Start.Format(time.DateOnly), time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), "trial %d row %d", trial, k)
			assert.True(t, o.Revenue.Equal(g.Revenue), "trial %d row %d revenue %s vs %s", trial, k, g.Revenue, o.Revenue)
			o.Start, o.Revenue, g.Start, g.Revenue = time.Time{}, decimal.Decimal{}, time.Time{}, decimal.Decimal{}
			assert.Equal(t, o, g, "trial %d row %d (%s, window %d, %s)", trial, k, p, w, loc)
			assert.Equal(t, g.ActiveAtEnd, g.ActiveAtStart-g.Churned+g.New+g.Reactivated, "identity, trial %d row %d", trial, k)
			if k > 0 {
				assert.Equal(t, got.Rows[k-1].ActiveAtEnd, g.ActiveAtStart)
			}
		}
	}
}
