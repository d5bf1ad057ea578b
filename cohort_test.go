package cxmetrics

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cxmetrics/cxmetrics/internal/civil"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cohortOrders is a small shop whose monthly triangle is worked out by hand:
//
//	a: Jan 10.00, Feb 20.00, Apr 5.00
//	b: Jan 30.00, Mar refund -10.00 (revenue in March, not activity)
//	c: Feb 15.00 and 5.00, Mar 7.50
//	d: Mar refund -4.00 only                   -> unattributed
//	e: Mar refund -2.00, Apr 12.00             -> April cohort, -2 unattributed
//	f: Apr 0.00 (a zero order is an order)     -> April cohort
//
// Last period April. Rows (no March cohort: nobody bought first in March):
//
//	Jan  size 2  active [2 1 0 1]  revenue [40 20 -10 5]
//	Feb  size 1  active [1 1 0]    revenue [20 7.5 0]
//	Apr  size 2  active [2]        revenue [12]
//
// unattributed -4 - 2 = -6.
func cohortOrders() []Order {
	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	return []Order{
		{ID: "7", CustomerID: "b", Time: at("2024-03-15T10:00:00Z"), Amount: dec("-10.00")},
		{ID: "1", CustomerID: "a", Time: at("2024-01-05T10:00:00Z"), Amount: dec("10.00")},
		{ID: "2", CustomerID: "a", Time: at("2024-02-10T10:00:00Z"), Amount: dec("20.00")},
		{ID: "3", CustomerID: "a", Time: at("2024-04-01T00:00:00Z"), Amount: dec("5.00")},
		{ID: "4", CustomerID: "b", Time: at("2024-01-20T10:00:00Z"), Amount: dec("30.00")},
		{ID: "6", CustomerID: "c", Time: at("2024-02-28T23:59:59Z"), Amount: dec("5")},
		{ID: "5", CustomerID: "c", Time: at("2024-02-03T10:00:00Z"), Amount: dec("15.00")},
		{ID: "8", CustomerID: "c", Time: at("2024-03-01T00:00:00Z"), Amount: dec("7.5")},
		{ID: "9", CustomerID: "d", Time: at("2024-03-05T10:00:00Z"), Amount: dec("-4.00")},
		{ID: "10", CustomerID: "e", Time: at("2024-03-10T10:00:00Z"), Amount: dec("-2.00")},
		{ID: "11", CustomerID: "e", Time: at("2024-04-02T10:00:00Z"), Amount: dec("12.00")},
		{ID: "12", CustomerID: "f", Time: at("2024-04-30T23:59:59Z"), Amount: dec("0.00")},
	}
}

type wantRow struct {
	start   time.Time
	size    int64
	active  []int64
	revenue []string
}

func assertTable(t *testing.T, want []wantRow, unattributed string, got *CohortTable) {
	t.Helper()
	require.Len(t, got.Rows, len(want))
	for i, w := range want {
		r := got.Rows[i]
		assert.True(t, w.start.Equal(r.Start), "row %d start %s, want %s", i, r.Start, w.start)
		assert.Equal(t, w.size, r.Size, "row %d", i)
		assert.Equal(t, w.active, r.Active, "row %d", i)
		require.Len(t, r.Revenue, len(w.revenue), "row %d", i)
		for k, rev := range w.revenue {
			assertDecimal(t, rev, r.Revenue[k], "row", i, "k", k)
		}
		assert.Equal(t, r.Size, r.Active[0], "Active[0] == Size")
	}
	assertDecimal(t, unattributed, got.Unattributed)
}

func utc(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestCohortsMonthly(t *testing.T) {
	table, err := Cohorts(cohortOrders(), CohortOptions{})
	require.NoError(t, err)
	assert.Equal(t, Month, table.Period)
	assert.Equal(t, time.UTC, table.Location)
	assertTable(t, []wantRow{
		{utc(2024, 1, 1), 2, []int64{2, 1, 0, 1}, []string{"40", "20", "-10", "5"}},
		{utc(2024, 2, 1), 1, []int64{1, 1, 0}, []string{"20", "7.5", "0"}},
		{utc(2024, 4, 1), 2, []int64{2}, []string{"12"}},
	}, "-6", table)

	jan := table.Rows[0]
	for k, want := range []string{"1", "0.5", "0", "0.5"} {
		got, err := jan.Retention(k)
		require.NoError(t, err)
		assertDecimal(t, want, got, "k", k)
	}
	// cumulative revenue per customer: 40/2, 60/2, 50/2, 55/2
	for k, want := range []string{"20", "30", "25", "27.5"} {
		got, err := jan.CumulativeRevenuePerCustomer(k)
		require.NoError(t, err)
		assertDecimal(t, want, got, "k", k)
	}
	// customer-weighted: k=1 over Jan and Feb: (1+1)/(2+1); k=3 over Jan only
	for k, want := range map[int]string{0: "1", 1: "0.6666666666666667", 2: "0", 3: "0.5"} {
		got, err := table.AverageRetention(k)
		require.NoError(t, err)
		assertDecimal(t, want, got, "k", k)
	}
	_, err = table.AverageRetention(4)
	assert.ErrorIs(t, err, ErrNoData)
	_, err = table.AverageRetention(-1)
	assert.ErrorIs(t, err, ErrOutOfRange)
	_, err = jan.Retention(4)
	assert.ErrorIs(t, err, ErrOutOfRange)
	_, err = jan.CumulativeRevenuePerCustomer(-1)
	assert.ErrorIs(t, err, ErrOutOfRange)
	_, err = CohortRow{Active: []int64{0}, Revenue: []decimal.Decimal{{}}}.Retention(0)
	assert.ErrorIs(t, err, ErrNoData)
	_, err = CohortRow{Active: []int64{0}, Revenue: []decimal.Decimal{{}}}.CumulativeRevenuePerCustomer(0)
	assert.ErrorIs(t, err, ErrNoData)
}

// Any arrival order of the same orders gives the same table.
func TestCohortsOutOfOrder(t *testing.T) {
	want, err := Cohorts(cohortOrders(), CohortOptions{})
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 20; i++ {
		orders := cohortOrders()
		r.Shuffle(len(orders), func(i, j int) { orders[i], orders[j] = orders[j], orders[i] })
		got, err := Cohorts(orders, CohortOptions{})
		require.NoError(t, err)
		assertSameTable(t, want, got)
	}
}

func assertSameTable(t *testing.T, want, got *CohortTable) {
	t.Helper()
	require.Len(t, got.Rows, len(want.Rows))
	for i := range want.Rows {
		w, g := want.Rows[i], got.Rows[i]
		assert.True(t, w.Start.Equal(g.Start))
		assert.Equal(t, w.Size, g.Size)
		assert.Equal(t, w.Active, g.Active)
		require.Len(t, g.Revenue, len(w.Revenue))
		for k := range w.Revenue {
			assert.True(t, w.Revenue[k].Equal(g.Revenue[k]), "row %d k %d: %s vs %s", i, k, w.Revenue[k], g.Revenue[k])
		}
	}
	assert.True(t, want.Unattributed.Equal(got.Unattributed))
}

func TestCohortsTimeZones(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err, "time/tzdata is linked into the tests")
	chicago, err := time.LoadLocation("America/Chicago")
	require.NoError(t, err)
	// 2024-03-31T23:30-05:00 is 2024-04-01T04:30Z: April in UTC. On that
	// date New York is already on daylight time (-04:00), so the instant is
	// 00:30 on April 1 there, April too; Chicago is on -05:00 (CDT), so there
	// it is still March 31.
	late := time.Date(2024, 3, 31, 23, 30, 0, 0, time.FixedZone("-05:00", -5*3600))
	month := func(loc *time.Location, at time.Time) time.Time {
		table, err := Cohorts([]Order{{CustomerID: "x", Time: at, Amount: dec("1")}}, CohortOptions{Location: loc})
		require.NoError(t, err)
		assert.Equal(t, cmpLoc(loc), table.Location)
		return table.Rows[0].Start
	}
	assert.True(t, month(nil, late).Equal(utc(2024, 4, 1)))
	assert.True(t, month(chicago, late).Equal(time.Date(2024, 3, 1, 0, 0, 0, 0, chicago)))
	assert.True(t, month(ny, late).Equal(time.Date(2024, 4, 1, 0, 0, 0, 0, ny)))
	// 23:30 on March 31 New York time (-04:00) is April 1 03:30 UTC.
	nyLate := time.Date(2024, 3, 31, 23, 30, 0, 0, ny)
	assert.True(t, month(ny, nyLate).Equal(time.Date(2024, 3, 1, 0, 0, 0, 0, ny)))
	assert.True(t, month(nil, nyLate).Equal(utc(2024, 4, 1)))

	// Daylight saving: 2024-03-10 has 23 hours in New York, 2024-11-03 has
	// 25; day boundaries stay at local midnight.
	nyAt := func(m time.Month, d, h, min int) time.Time { return time.Date(2024, m, d, h, min, 0, 0, ny) }
	days := []Order{
		{CustomerID: "x", Time: nyAt(3, 10, 0, 30), Amount: dec("1")},
		{CustomerID: "y", Time: nyAt(3, 10, 23, 30), Amount: dec("1")}, // same day as x
		{CustomerID: "x", Time: nyAt(3, 11, 0, 10), Amount: dec("1")},  // next day
		{CustomerID: "z", Time: nyAt(11, 3, 0, 1), Amount: dec("1")},   // EDT
		{CustomerID: "w", Time: nyAt(11, 3, 23, 59), Amount: dec("1")}, // EST, same day
		{CustomerID: "z", Time: nyAt(11, 4, 0, 0), Amount: dec("1")},   // next day
	}
	table, err := Cohorts(days, CohortOptions{Period: Day, Location: ny})
	require.NoError(t, err)
	require.Len(t, table.Rows, 2)
	assert.True(t, table.Rows[0].Start.Equal(nyAt(3, 10, 0, 0)))
	assert.Equal(t, int64(2), table.Rows[0].Size)
	assert.Equal(t, int64(1), table.Rows[0].Active[1])
	assert.Len(t, table.Rows[0].Active, 240) // Mar 10 .. Nov 4
	assert.True(t, table.Rows[1].Start.Equal(nyAt(11, 3, 0, 0)))
	assert.Equal(t, []int64{2, 1}, table.Rows[1].Active)

	// Monthly in New York: the DST switch inside March changes nothing.
	months, err := Cohorts(days, CohortOptions{Location: ny})
	require.NoError(t, err)
	assert.Equal(t, int64(2), months.Rows[0].Size)
	assert.Equal(t, 9, len(months.Rows[0].Active)) // March .. November
}

func cmpLoc(l *time.Location) *time.Location {
	if l == nil {
		return time.UTC
	}
	return l
}

func TestCohortsPeriods(t *testing.T) {
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	tests := []struct {
		name   string
		period Period
		orders []Order
		starts []time.Time
		active [][]int64
	}{
		{
			// 2024-12-30 is the Monday of ISO week 1 of 2025; 2024-12-29 is
			// the Sunday of 2024-W52; 2025-01-06 starts 2025-W02.
			name: "ISO weeks across a year", period: Week,
			orders: []Order{
				{CustomerID: "a", Time: at(2024, 12, 30), Amount: dec("1")},
				{CustomerID: "b", Time: at(2025, 1, 5), Amount: dec("1")},
				{CustomerID: "c", Time: at(2024, 12, 29), Amount: dec("1")},
				{CustomerID: "a", Time: at(2025, 1, 6), Amount: dec("1")},
			},
			starts: []time.Time{utc(2024, 12, 23), utc(2024, 12, 30)},
			active: [][]int64{{1, 0, 0}, {2, 1}},
		},
		{
			name: "quarters", period: Quarter,
			orders: []Order{
				{CustomerID: "a", Time: at(2024, 3, 31), Amount: dec("1")},
				{CustomerID: "b", Time: at(2024, 4, 1), Amount: dec("1")},
				{CustomerID: "a", Time: at(2024, 9, 30), Amount: dec("1")},
			},
			starts: []time.Time{utc(2024, 1, 1), utc(2024, 4, 1)},
			active: [][]int64{{1, 0, 1}, {1, 0}},
		},
		{
			name: "years", period: Year,
			orders: []Order{
				{CustomerID: "a", Time: at(2022, 12, 31), Amount: dec("1")},
				{CustomerID: "a", Time: at(2024, 1, 1), Amount: dec("1")},
			},
			starts: []time.Time{utc(2022, 1, 1)},
			active: [][]int64{{1, 0, 1}},
		},
		{
			name: "days across a leap day", period: Day,
			orders: []Order{
				{CustomerID: "a", Time: at(2024, 2, 28), Amount: dec("1")},
				{CustomerID: "a", Time: at(2024, 3, 1), Amount: dec("1")},
			},
			starts: []time.Time{utc(2024, 2, 28)},
			active: [][]int64{{1, 0, 1}},
		},
		{
			name: "before 1970", period: Week,
			orders: []Order{
				{CustomerID: "a", Time: at(1969, 12, 28), Amount: dec("1")}, // Sunday
				{CustomerID: "b", Time: at(1969, 12, 29), Amount: dec("1")}, // Monday
			},
			starts: []time.Time{utc(1969, 12, 22), utc(1969, 12, 29)},
			active: [][]int64{{1, 0}, {1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table, err := Cohorts(tt.orders, CohortOptions{Period: tt.period})
			require.NoError(t, err)
			require.Len(t, table.Rows, len(tt.starts))
			for i, r := range table.Rows {
				assert.True(t, tt.starts[i].Equal(r.Start), "row %d: %s, want %s", i, r.Start, tt.starts[i])
				assert.Equal(t, tt.active[i], r.Active, "row %d", i)
			}
		})
	}
}

func TestDaysFromCivil(t *testing.T) {
	// Checked against the standard library's own calendar.
	for _, d := range []time.Time{utc(1, 1, 1), utc(1969, 12, 31), utc(1970, 1, 1), utc(2000, 2, 29), utc(2024, 12, 30), utc(9999, 12, 31)} {
		want := int(d.Sub(utc(1970, 1, 1)).Hours() / 24)
		if d.Year() < 1700 || d.Year() > 2200 { // beyond time.Duration's range
			want = int(d.Unix() / 86400)
		}
		assert.Equal(t, want, int(civil.Days(d.Year(), int(d.Month()), d.Day())), d)
	}
	assert.Equal(t, -1, floorDiv(-1, 7))
	assert.Equal(t, -1, floorDiv(-7, 7))
	assert.Equal(t, 0, floorDiv(6, 7))
}

func TestPeriodNames(t *testing.T) {
	for _, p := range []Period{Month, Week, Day, Quarter, Year} {
		got, err := ParsePeriod(p.String())
		require.NoError(t, err)
		assert.Equal(t, p, got)
	}
	assert.Equal(t, "Period(9)", Period(9).String())
	_, err := ParsePeriod("fortnight")
	assert.ErrorIs(t, err, ErrOutOfRange)
}

func TestCohortBuilderErrors(t *testing.T) {
	_, err := NewCohortBuilder(CohortOptions{Period: Period(9)})
	assert.ErrorIs(t, err, ErrOutOfRange)

	var empty CohortBuilder
	_, err = empty.Table()
	assert.ErrorIs(t, err, ErrNoData)
	require.NoError(t, empty.Add(Order{CustomerID: "r", Time: utc(2024, 1, 1), Amount: dec("-1")}))
	_, err = empty.Table()
	assert.ErrorIs(t, err, ErrNoData, "refunds alone start no cohort")

	b, err := NewCohortBuilder(CohortOptions{})
	require.NoError(t, err)
	require.NoError(t, b.Add(Order{CustomerID: "a", Time: utc(2024, 1, 1), Amount: dec("1"), Currency: "USD"}))
	before, err := b.Table()
	require.NoError(t, err)
	for _, o := range []Order{
		{CustomerID: "", Time: utc(2024, 1, 1), Amount: dec("1"), Currency: "USD"},
		{CustomerID: "a", Amount: dec("1"), Currency: "USD"},
		{CustomerID: "a", Time: utc(2024, 2, 1), Amount: dec("1"), Currency: "EUR"},
		{CustomerID: "b", Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Amount: dec("1"), Currency: "USD"},
	} {
		assert.Error(t, b.Add(o))
	}
	err = b.Add(Order{ID: "9", CustomerID: "b", Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Amount: dec("1"), Currency: "USD"})
	assert.ErrorIs(t, err, ErrOutOfRange)
	after, err := b.Table()
	require.NoError(t, err)
	assertSameTable(t, before, after)

	_, err = Cohorts([]Order{{CustomerID: "a", Time: utc(2024, 1, 1), Amount: dec("1")}, {Time: utc(2024, 1, 1)}}, CohortOptions{})
	assert.EqualError(t, err, "cxmetrics: order at index 1 has an empty customer ID: inconsistent")
	_, err = Cohorts(nil, CohortOptions{Period: -1})
	assert.ErrorIs(t, err, ErrOutOfRange)

	weekly, err := NewCohortBuilder(CohortOptions{Period: Week})
	require.NoError(t, err)
	require.NoError(t, b.Merge(weekly), "an empty builder merges as a no-op whatever its options")
	require.NoError(t, weekly.Add(Order{CustomerID: "w", Time: utc(2024, 1, 1), Amount: dec("1"), Currency: "USD"}))
	assert.ErrorIs(t, b.Merge(weekly), ErrInconsistent)
	if ny, err := time.LoadLocation("America/New_York"); err == nil {
		inNY, err := NewCohortBuilder(CohortOptions{Location: ny})
		require.NoError(t, err)
		require.NoError(t, inNY.Add(Order{CustomerID: "w", Time: utc(2024, 1, 1), Amount: dec("1"), Currency: "USD"}))
		assert.ErrorIs(t, b.Merge(inNY), ErrInconsistent)
	}
	explicitUTC, err := NewCohortBuilder(CohortOptions{Location: time.UTC})
	require.NoError(t, err)
	require.NoError(t, explicitUTC.Add(Order{CustomerID: "z", Time: utc(2024, 1, 1), Amount: dec("1"), Currency: "EUR"}))
	assert.ErrorIs(t, b.Merge(explicitUTC), ErrCurrencyMismatch)
	after, err = b.Table()
	require.NoError(t, err)
	assertSameTable(t, before, after)
}

func TestCohortTableTooLarge(t *testing.T) {
	var orders []Order
	for i, y := range []int{2, 2000, 4000, 6000, 8000, 9999} {
		orders = append(orders, Order{CustomerID: string(rune('a' + i)), Time: utc(y, 1, 1), Amount: dec("1")})
	}
	_, err := Cohorts(orders, CohortOptions{Period: Day})
	assert.ErrorIs(t, err, ErrOutOfRange)
	table, err := Cohorts(orders, CohortOptions{Period: Year})
	require.NoError(t, err)
	assert.Equal(t, 9998, len(table.Rows[0].Active)) // years 2..9999
}

func TestCohortRevenueExact(t *testing.T) {
	var orders []Order
	for i := 0; i < 10; i++ {
		orders = append(orders, Order{CustomerID: "a", Time: utc(2024, 1, 2), Amount: dec("0.1")})
	}
	orders = append(orders,
		Order{CustomerID: "a", Time: utc(2024, 2, 2), Amount: dec("9000000000000000000")},
		Order{CustomerID: "a", Time: utc(2024, 2, 3), Amount: dec("9000000000000000000.001")},
		Order{CustomerID: "a", Time: utc(2024, 2, 4), Amount: dec("0.0000000000000000000001")},
	)
	table, err := Cohorts(orders, CohortOptions{})
	require.NoError(t, err)
	assertDecimal(t, "1", table.Rows[0].Revenue[0])
	assertDecimal(t, "18000000000000000000.0010000000000000000001", table.Rows[0].Revenue[1])
}

// Property: builders fed any split of the orders and merged in any order
// give the one-pass table.
func TestCohortBuilderMergeAnySplit(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for trial := 0; trial < 60; trial++ {
		opts := CohortOptions{Period: Period(r.IntN(5))}
		orders := randomOrders(r, 1+r.IntN(200))
		whole, err := NewCohortBuilder(opts)
		require.NoError(t, err)
		shards := make([]*CohortBuilder, 1+r.IntN(5))
		for i := range shards {
			shards[i], _ = NewCohortBuilder(opts)
		}
		for _, o := range orders {
			require.NoError(t, whole.Add(o))
			require.NoError(t, shards[r.IntN(len(shards))].Add(o))
		}
		merged, _ := NewCohortBuilder(opts)
		for _, k := range r.Perm(len(shards)) {
			require.NoError(t, merged.Merge(shards[k]))
		}
		want, err1 := whole.Table()
		got, err2 := merged.Table()
		if err1 != nil {
			assert.ErrorIs(t, err2, ErrNoData)
			continue
		}
		require.NoError(t, err2)
		assertSameTable(t, want, got)
	}
}

func TestCohortBuilderMergeSelf(t *testing.T) {
	b, _ := NewCohortBuilder(CohortOptions{})
	for _, o := range cohortOrders() {
		require.NoError(t, b.Add(o))
	}
	require.NoError(t, b.Merge(b))
	require.NoError(t, b.Merge(nil))
	table, err := b.Table()
	require.NoError(t, err)
	// Same customers, doubled revenue.
	assertTable(t, []wantRow{
		{utc(2024, 1, 1), 2, []int64{2, 1, 0, 1}, []string{"80", "40", "-20", "10"}},
		{utc(2024, 2, 1), 1, []int64{1, 1, 0}, []string{"40", "15", "0"}},
		{utc(2024, 4, 1), 2, []int64{2}, []string{"24"}},
	}, "-12", table)
}

// A known customer's orders in a known period do not allocate.
func TestCohortBuilderAddDoesNotAllocate(t *testing.T) {
	b, _ := NewCohortBuilder(CohortOptions{})
	o := Order{CustomerID: "a", Time: utc(2024, 1, 2), Amount: dec("12.34")}
	require.NoError(t, b.Add(o))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = b.Add(o) }))
	var s OrderStats
	require.NoError(t, s.Add(o))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = s.Add(o) }))
}

func FuzzCohortBuilder(f *testing.F) {
	f.Add([]byte("abcabc"), int64(1700000000), uint8(0), int64(1250), int32(-2))
	f.Add([]byte("zz"), int64(-1), uint8(1), int64(-5), int32(3))
	f.Add([]byte("abz"), int64(253402300799), uint8(2), int64(7), int32(1000))
	f.Add([]byte("q"), int64(-62135596800), uint8(3), int64(-9), int32(-1001))
	f.Fuzz(func(t *testing.T, ids []byte, unix int64, period uint8, cents int64, exp int32) {
		opts := CohortOptions{Period: Period(period % 5)}
		b, err := NewCohortBuilder(opts)
		if err != nil {
			t.Fatal(err)
		}
		var split [2]CohortBuilder
		split[0].opts, split[1].opts = opts, opts
		var stats OrderStats
		for i, id := range ids {
			o := Order{
				CustomerID: string(rune('a' + id%7)),
				Time:       time.Unix(unix%(1<<36)+int64(i)*86400*int64(id%40), 0),
				Amount:     decimal.New(cents*int64(i+1)-int64(id)*100, exp),
			}
			if err := b.Add(o); err != nil {
				if !errors.Is(err, ErrOutOfRange) && !(o.Time.IsZero() && errors.Is(err, ErrInconsistent)) {
					t.Fatal(err)
				}
				continue
			}
			_ = split[i%2].Add(o)
			_ = stats.Add(o)
		}
		table, err := b.Table()
		if err != nil {
			if !errors.Is(err, ErrNoData) && !errors.Is(err, ErrOutOfRange) {
				t.Fatal(err)
			}
			return
		}
		// Invariants: Active[0] == Size, Active[k] <= Size, sizes add up to
		// the customers with an order, and all revenue is accounted for.
		var size int64
		total := table.Unattributed
		for _, r := range table.Rows {
			if r.Active[0] != r.Size {
				t.Fatalf("Active[0] %d != Size %d", r.Active[0], r.Size)
			}
			for _, a := range r.Active {
				if a < 0 || a > r.Size {
					t.Fatalf("Active %d outside 0..%d", a, r.Size)
				}
			}
			size += r.Size
			total = total.Add(decimal.Sum(decimal.Zero, r.Revenue...))
		}
		if size != stats.Customers() || !total.Equal(stats.Revenue()) {
			t.Fatalf("size %d revenue %s, want %d and %s", size, total, stats.Customers(), stats.Revenue())
		}
		if err := split[0].Merge(&split[1]); err != nil {
			t.Fatal(err)
		}
		merged, err := split[0].Table()
		if err != nil {
			t.Fatal(err)
		}
		assertSameTable(t, table, merged)
	})
}

// Property: the fast calendar numbers every instant as the time package's
// calendar does, in every period and zone, across DST changes and the edges
// of the years 1..9999.
func TestCalendarMatchesTimePackage(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 9))
	zones := []string{"UTC", "Europe/Berlin", "America/Sao_Paulo", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Kiritimati", "America/St_Johns"}
	for _, z := range zones {
		loc, err := time.LoadLocation(z)
		require.NoError(t, err)
		for p := Month; p <= Year; p++ {
			opts := CohortOptions{Period: p, Location: loc}
			cal := newCalendar(opts)
			for i := 0; i < 3000; i++ {
				var tm time.Time
				switch i % 3 {
				case 0: // around now, where the zone changes often
					tm = time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int64N(int64(10 * 365 * 24 * time.Hour))))
				case 1: // anywhere in the years 1..9999
					tm = time.Unix(civil.MinSec+r.Int64N(civil.EndSec-civil.MinSec), int64(r.IntN(1e9)))
				default: // at the edges
					edges := []time.Time{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)}
					tm = edges[r.IntN(2)].Add(time.Duration(r.Int64N(int64(48*time.Hour)) - int64(24*time.Hour)))
				}
				want, okWant := opts.index(tm)
				got, ok := cal.index(tm)
				require.Equal(t, okWant, ok, "%s %s %s", z, p, tm)
				require.Equal(t, want, got, "%s %s %s", z, p, tm)
			}
		}
	}
}

// A cell packs its period, its activity and its units into 12 bytes: every
// period the builder can hold, and units at both ends of int64 and across
// the 32-bit halves, come back as they went in.
func TestCohortCellPacking(t *testing.T) {
	var periods []int32
	for _, p := range []Period{Day, Week, Month, Quarter, Year} {
		lo, hi := p.indexRange()
		periods = append(periods, lo, lo+1, -1, 0, 1, hi-1, hi)
	}
	units := []int64{math.MinInt64, math.MinInt64 + 1, -1 << 32, -1<<32 + 1, -1, 0, 1, 1<<31 - 1, 1 << 31, 1<<32 - 1, 1 << 32, math.MaxInt64}
	for _, p := range periods {
		for _, u := range units {
			for _, active := range []bool{false, true} {
				c := newCell(p)
				require.False(t, c.active(), "a new cell of period %d", p)
				c.setUnits(u)
				if active {
					c.markActive()
					c.markActive() // idempotent
				}
				assert.Equal(t, p, c.period(), "period %d units %d active %v", p, u, active)
				assert.Equal(t, u, c.units(), "period %d units %d active %v", p, u, active)
				assert.Equal(t, active, c.active(), "period %d units %d", p, u)
			}
		}
	}
	// Cells of one customer sort by key as by period.
	for i := 1; i < len(periods); i++ {
		if periods[i-1] == periods[i] {
			continue // a customer has one cell a period
		}
		a, b := newCell(periods[i-1]), newCell(periods[i])
		b.markActive()
		assert.Equal(t, cmp.Compare(a.period(), b.period()), cmp.Compare(a.key, b.key), "periods %d and %d", periods[i-1], periods[i])
	}
}

// The cells' room stays within what compactCells promises: after every
// fold, the room the customers hold is at most 1.5 times the cells live at
// the last compaction plus what was handed out since, and that is at most
// twice those cells plus a chunk; the room abandoned by growth is inside
// what was handed out. Days in random order over years make customers
// grow, move and compact many times; 20 orders a customer keep nearly all
// of them under cellIndexFrom cells, in the pool.
func TestCohortCellRoomIsBounded(t *testing.T) {
	savedMin, savedMax := minEvents, maxEvents
	minEvents, maxEvents = 512, 512
	defer func() { minEvents, maxEvents = savedMin, savedMax }()
	b, err := NewCohortBuilder(CohortOptions{Period: Day})
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(3, 5))
	compactions, last := 0, -1
	for i := range 400_000 {
		o := Order{
			CustomerID: fmt.Sprintf("c%d", rng.IntN(20_000)),
			Time:       time.Unix(1_500_000_000+rng.Int64N(3*365*86400), 0),
			Amount:     decimal.New(rng.Int64N(10_000), -2),
		}
		require.NoError(t, b.Add(o))
		if i%512 != 511 {
			continue
		}
		b.flush()
		p := &b.pool
		if p.compact != last {
			compactions, last = compactions+1, p.compact
		}
		room, live := 0, 0 // pooled room; every live cell, pooled or indexed
		b.customers.each(func(_ int32, c *cohortCustomer) {
			if c.byPeriod == nil { // indexed cells grow by append, outside the pool
				room += cap(c.cells)
			}
			live += len(c.cells)
		})
		require.LessOrEqual(t, room, p.compact+p.compact/2+p.handed, "after %d orders", i+1)
		require.LessOrEqual(t, p.handed, 2*p.compact+poolChunk, "after %d orders", i+1)
		require.LessOrEqual(t, p.compact, live, "after %d orders", i+1)
	}
	assert.Greater(t, compactions, 3, "the test compacts")
	indexed := 0
	b.customers.each(func(_ int32, c *cohortCustomer) {
		if c.byPeriod != nil {
			indexed++
		}
	})
	assert.Less(t, indexed, b.customers.len()/100, "the cells stay in the pool")
}
