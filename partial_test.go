package cxmetrics

import (
	"encoding"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shardOf puts a customer in one of n shards, as a pipeline's shuffle does.
func shardOf(customer string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(customer))
	return int(h.Sum32() % uint32(n))
}

// binaryTrip sends v through its binary encoding into a fresh value.
func binaryTrip[T any, P interface {
	*T
	UnmarshalBinary([]byte) error
}](t *testing.T, marshal func() ([]byte, error)) *T {
	t.Helper()
	data, err := marshal()
	require.NoError(t, err)
	out := P(new(T))
	require.NoError(t, out.UnmarshalBinary(data))
	return (*T)(out)
}

// The series of ann, bob, cat and dan (seriesOrders, worked out by hand in
// series_test.go) through July with a window of 2: May ends with cat active
// (she bought in May), June keeps her (window 2), July loses her.
func TestSeriesThroughByHand(t *testing.T) {
	b, err := NewCohortBuilder(CohortOptions{})
	require.NoError(t, err)
	for _, o := range seriesOrders() {
		require.NoError(t, b.Add(o))
	}
	for _, tt := range []struct {
		window int
		last   time.Time
		// start, churned, end of the rows after May
		tail [][3]int64
	}{
		{2, time.Date(2024, 7, 15, 0, 0, 0, 0, time.UTC), [][3]int64{{1, 0, 1}, {1, 1, 0}}},
		{1, time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC), [][3]int64{{1, 1, 0}, {0, 0, 0}, {0, 0, 0}}},
		{3, time.Date(2024, 5, 31, 0, 0, 0, 0, time.UTC), nil}, // May itself: no row added
	} {
		s, err := b.SeriesThrough(tt.window, tt.last)
		require.NoError(t, err)
		plain, err := b.Series(tt.window)
		require.NoError(t, err)
		require.Len(t, s.Rows, len(plain.Rows)+len(tt.tail))
		assert.Equal(t, plain.Rows, s.Rows[:len(plain.Rows)], "the rows with orders are Series' own")
		for i, want := range tt.tail {
			r := s.Rows[len(plain.Rows)+i]
			assert.Equal(t, time.Date(2024, time.Month(6+i), 1, 0, 0, 0, 0, time.UTC), r.Start)
			assert.Equal(t, want, [3]int64{r.ActiveAtStart, r.Churned, r.ActiveAtEnd}, "window %d, row %d", tt.window, i)
			assert.True(t, r.Revenue.IsZero())
			assert.Zero(t, r.Orders+r.Refunds+r.Customers+r.New+r.Returning+r.Reactivated)
		}
	}
	_, err = b.SeriesThrough(1, time.Date(2024, 4, 30, 0, 0, 0, 0, time.UTC))
	assert.ErrorIs(t, err, ErrOutOfRange, "before the last order")
	_, err = b.SeriesThrough(0, time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC))
	assert.ErrorIs(t, err, ErrOutOfRange, "window 0")
	_, err = new(CohortBuilder).SeriesThrough(1, time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC))
	assert.ErrorIs(t, err, ErrNoData)
	_, err = b.SeriesThrough(1, time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
	assert.NoError(t, err, "months to the end of the calendar are fewer than the bound")
	dayB, err := NewCohortBuilder(CohortOptions{Period: Day})
	require.NoError(t, err)
	require.NoError(t, dayB.Add(seriesOrders()[0]))
	_, err = dayB.SeriesThrough(1, time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
	assert.ErrorIs(t, err, ErrOutOfRange, "millions of days")
}

// partsOf splits orders by customer into n shards and builds each one's
// stats and cohort builder.
func partsOf(t *testing.T, orders []Order, opts CohortOptions, n int) ([]*OrderStats, []*CohortBuilder) {
	t.Helper()
	stats, builders := make([]*OrderStats, n), make([]*CohortBuilder, n)
	for i := range builders {
		stats[i] = new(OrderStats)
		var err error
		builders[i], err = NewCohortBuilder(opts)
		require.NoError(t, err)
	}
	for _, o := range orders {
		k := shardOf(o.CustomerID, n)
		require.NoError(t, stats[k].Add(o))
		require.NoError(t, builders[k].Add(o))
	}
	return stats, builders
}

// Property: on random orders split by customer into any number of shards,
// in any zone and period and with any window, the shards' totals, cohort
// tables and settled series (some sent through their binary encodings)
// add up to what one builder of all the orders gives, and the trimmed sum
// of the series equals the brute-force oracle of series_test.go.
func TestDisjointPartsAddUp(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 51))
	zones := []string{"UTC", "Europe/Berlin", "America/Sao_Paulo", "Asia/Kolkata"}
	for trial := 0; trial < 100; trial++ {
		loc, err := time.LoadLocation(zones[r.IntN(len(zones))])
		require.NoError(t, err)
		p := Period(r.IntN(5))
		w := 1 + r.IntN(4)
		orders := periodOrders(r, p, 1+r.IntN(150), 25, 5, "EUR")
		opts := CohortOptions{Period: p, Location: loc}
		var all OrderStats
		whole, err := NewCohortBuilder(opts)
		require.NoError(t, err)
		for _, o := range orders {
			require.NoError(t, all.Add(o))
			require.NoError(t, whole.Add(o))
		}
		stats, builders := partsOf(t, orders, opts, 1+r.IntN(6))

		var totals OrderTotals
		var table CohortTable
		var series Series
		for k := range builders {
			totals, err = totals.AddDisjoint(stats[k].Totals())
			require.NoError(t, err)
			part, err := builders[k].Table()
			if errors.Is(err, ErrNoData) {
				part = &CohortTable{Period: p, Location: loc, Unattributed: stats[k].Revenue()}
			} else {
				require.NoError(t, err)
			}
			if r.IntN(2) == 0 {
				part = binaryTrip[CohortTable](t, part.MarshalBinary)
			}
			require.NoError(t, table.AddDisjoint(part))
			plain, err := builders[k].Series(w)
			if errors.Is(err, ErrNoData) {
				continue
			}
			require.NoError(t, err)
			last := plain.Rows[len(plain.Rows)-1].Start
			hi, _ := opts.index(last)
			settled, err := builders[k].SeriesThrough(w, opts.start(hi+int32(w)))
			require.NoError(t, err)
			require.Zero(t, settled.Rows[len(settled.Rows)-1].ActiveAtEnd, "settled after the window")
			if r.IntN(2) == 0 {
				settled = binaryTrip[Series](t, settled.MarshalBinary)
			}
			require.NoError(t, series.AddDisjoint(settled))
		}

		assert.Equal(t, all.Totals().Currency, totals.Currency)
		assert.True(t, all.Revenue().Equal(totals.Revenue), "trial %d revenue", trial)
		assert.Equal(t, [3]int64{all.Orders(), all.Customers(), all.Totals().RepeatCustomers}, [3]int64{totals.Orders, totals.Customers, totals.RepeatCustomers})
		for _, f := range []struct {
			whole, sum func() (decimal.Decimal, error)
		}{{all.AOV, totals.AOV}, {all.PurchaseFrequency, totals.PurchaseFrequency},
			{all.RepeatPurchaseRate, totals.RepeatPurchaseRate}, {all.HistoricalLTV, totals.HistoricalLTV}} {
			a, errA := f.whole()
			b, errB := f.sum()
			assert.Equal(t, errA == nil, errB == nil)
			assert.Equal(t, a.String(), b.String(), "trial %d", trial)
		}

		wantTable, err := whole.Table()
		if errors.Is(err, ErrNoData) {
			assert.Empty(t, table.Rows)
		} else {
			require.NoError(t, err)
			assert.Equal(t, tableStrings(wantTable), tableStrings(&table), "trial %d: %s in %s", trial, p, loc)
		}

		series.Trim()
		want := seriesOracle(orders, p, loc, w)
		require.Len(t, series.Rows, len(want), "trial %d: %s in %s, window %d", trial, p, loc, w)
		wholeSeries, err := whole.Series(w)
		require.NoError(t, err)
		for k := range want {
			g, o := series.Rows[k], want[k]
			assert.True(t, o.Revenue.Equal(g.Revenue), "trial %d row %d revenue", trial, k)
			assert.True(t, g.Start.Equal(wholeSeries.Rows[k].Start))
			o.Start, o.Revenue, g.Start, g.Revenue = time.Time{}, decimal.Decimal{}, time.Time{}, decimal.Decimal{}
			assert.Equal(t, o, g, "trial %d row %d (%s, window %d, %s)", trial, k, p, w, loc)
		}
	}
}

// tableStrings writes a table's figures as text, so that tables compare
// without the representation of their decimals.
func tableStrings(t *CohortTable) []string {
	out := []string{"unattributed " + t.Unattributed.String()}
	for _, r := range t.Rows {
		out = append(out, fmt.Sprintf("%s %d %v %v", r.Start.Format(time.RFC3339), r.Size, r.Active, decimalStrings(r.Revenue)))
	}
	return out
}

// Property: on random ledgers split by customer, every part's MRR series
// and subscription cohorts with the same Until add up to what one builder
// of all the spans gives, which mrr_test.go checks against its oracle.
func TestDisjointMRRAddsUp(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 72))
	for trial := 0; trial < 60; trial++ {
		loc, err := time.LoadLocation([]string{"UTC", "Europe/Berlin", "Asia/Kathmandu"}[r.IntN(3)])
		require.NoError(t, err)
		p := Period(r.IntN(5))
		_, _, spans := trialLedger(r, p)
		var until time.Time
		for _, s := range spans {
			until = maxTime(until, s.Start, s.End)
		}
		opts := MRROptions{Period: p, Location: loc, Until: until}
		whole, err := NewMRRBuilder(opts)
		require.NoError(t, err)
		n := 1 + r.IntN(5)
		parts := make([]*MRRBuilder, n)
		for i := range parts {
			parts[i], err = NewMRRBuilder(opts)
			require.NoError(t, err)
		}
		for _, s := range spans {
			require.NoError(t, whole.Add(s))
			require.NoError(t, parts[shardOf(s.CustomerID, n)].Add(s))
		}
		var series MRRSeries
		var cohorts CohortTable
		for _, b := range parts {
			s, err := b.Series()
			if errors.Is(err, ErrNoData) {
				continue
			}
			require.NoError(t, err)
			if r.IntN(2) == 0 {
				s = binaryTrip[MRRSeries](t, s.MarshalBinary)
			}
			require.NoError(t, series.AddDisjoint(s))
			if c, err := b.Cohorts(); err == nil {
				require.NoError(t, cohorts.AddDisjoint(c))
			}
		}
		want, err := whole.Series()
		require.NoError(t, err)
		require.Len(t, series.Rows, len(want.Rows), "trial %d", trial)
		assert.True(t, want.Until.Equal(series.Until))
		for k := range want.Rows {
			g, o := series.Rows[k], want.Rows[k]
			assert.True(t, g.Start.Equal(o.Start))
			assert.Equal(t, decimalStrings([]decimal.Decimal{o.MRRAtStart, o.New, o.Expansion, o.Contraction, o.Churn, o.Reactivation, o.MRRAtEnd}),
				decimalStrings([]decimal.Decimal{g.MRRAtStart, g.New, g.Expansion, g.Contraction, g.Churn, g.Reactivation, g.MRRAtEnd}), "trial %d row %d", trial, k)
			assert.Equal(t, [5]int64{o.CustomersAtStart, o.NewCustomers, o.ReactivatedCustomers, o.ChurnedCustomers, o.CustomersAtEnd},
				[5]int64{g.CustomersAtStart, g.NewCustomers, g.ReactivatedCustomers, g.ChurnedCustomers, g.CustomersAtEnd}, "trial %d row %d", trial, k)
		}
		if wantCohorts, err := whole.Cohorts(); err == nil {
			assert.Equal(t, tableStrings(wantCohorts), tableStrings(&cohorts), "trial %d", trial)
		} else {
			assert.Empty(t, cohorts.Rows)
		}
	}
}

// Three customers, one of them a repeat buyer, in two parts: the tiers at
// thresholds 20 and 50 are worked out by hand.
func TestAddTierSummaries(t *testing.T) {
	a := [3]TierSummary{{Tier: LowAOV, Customers: 1, Orders: 2, Revenue: dec("30")}, {Tier: MediumAOV}, {Tier: HighAOV, Customers: 1, Orders: 1, Revenue: dec("60")}}
	b := [3]TierSummary{{Tier: LowAOV, Customers: 1, Orders: 1, Revenue: dec("10")}, {Tier: MediumAOV}, {Tier: HighAOV}}
	got := AddTierSummaries(a, b)
	// low: 2 customers, 3 orders, 40 → AOV 40/3; medium: empty; high: 60.
	assert.Equal(t, int64(2), got[LowAOV].Customers)
	assert.Equal(t, int64(3), got[LowAOV].Orders)
	assert.Equal(t, "13.3333333333333333", got[LowAOV].AOV.String())
	assert.True(t, got[MediumAOV].AOV.IsZero())
	assert.Equal(t, MediumAOV, got[MediumAOV].Tier)
	assert.Equal(t, "60", got[HighAOV].AOV.String())
}

func TestOrderTotalsAddDisjoint(t *testing.T) {
	eur := OrderTotals{Currency: "EUR", Revenue: dec("10"), Orders: 2, Customers: 1, RepeatCustomers: 1}
	usd := OrderTotals{Currency: "USD", Revenue: dec("5"), Orders: 1, Customers: 1}
	refunds := OrderTotals{Currency: "USD", Revenue: dec("-5")}
	for _, tt := range []struct {
		name    string
		a, b    OrderTotals
		want    OrderTotals
		wantErr error
	}{
		{"empty adopts", OrderTotals{}, eur, eur, nil},
		{"adding empty", eur, OrderTotals{Currency: "USD"}, eur, nil},
		{"sum", eur, OrderTotals{Currency: "EUR", Revenue: dec("-2.5"), Orders: 1, Customers: 1}, OrderTotals{Currency: "EUR", Revenue: dec("7.5"), Orders: 3, Customers: 2, RepeatCustomers: 1}, nil},
		{"currencies", eur, usd, eur, ErrCurrencyMismatch},
		{"refunds only are not empty", eur, refunds, eur, ErrCurrencyMismatch},
		{"overflow", OrderTotals{Orders: 1 << 62, Customers: 1}, OrderTotals{Orders: 1 << 62, Customers: 1}, OrderTotals{Orders: 1 << 62, Customers: 1}, ErrOutOfRange},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.a.AddDisjoint(tt.b)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			} else {
				assert.NoError(t, err)
			}
			assert.Equal(t, tt.want.String(), got.String())
		})
	}
	none := OrderTotals{}
	for _, f := range []func() (decimal.Decimal, error){none.AOV, none.PurchaseFrequency, none.RepeatPurchaseRate, none.HistoricalLTV} {
		_, err := f()
		assert.ErrorIs(t, err, ErrNoData)
	}
}

func (t OrderTotals) String() string {
	return fmt.Sprintf("%q %s %d %d %d", t.Currency, t.Revenue, t.Orders, t.Customers, t.RepeatCustomers)
}

func TestAddDisjointRefusesWhatItCanTell(t *testing.T) {
	jan := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	feb := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	row := func(start time.Time, size int64, cells int) CohortRow {
		r := CohortRow{Start: start, Size: size, Active: make([]int64, cells), Revenue: make([]decimal.Decimal, cells)}
		r.Active[0] = size
		return r
	}
	good := &CohortTable{Period: Month, Rows: []CohortRow{row(jan, 2, 2), row(feb, 1, 1)}}
	for _, tt := range []struct {
		name  string
		other *CohortTable
	}{
		{"other period", &CohortTable{Period: Week, Rows: []CohortRow{row(jan, 1, 1)}}},
		{"other location", &CohortTable{Period: Month, Location: berlin, Rows: []CohortRow{row(time.Date(2024, 1, 1, 0, 0, 0, 0, berlin), 1, 1)}}},
		{"size not active[0]", &CohortTable{Period: Month, Rows: []CohortRow{{Start: jan, Size: 2, Active: []int64{1}, Revenue: []decimal.Decimal{{}}}}}},
		{"ragged ends", &CohortTable{Period: Month, Rows: []CohortRow{row(jan, 1, 1), row(feb, 1, 2)}}},
		{"not a period start", &CohortTable{Period: Month, Rows: []CohortRow{row(jan.Add(time.Hour), 1, 1)}}},
		{"out of order", &CohortTable{Period: Month, Rows: []CohortRow{row(feb, 1, 1), row(jan, 1, 2)}}},
		{"more active than customers", &CohortTable{Period: Month, Rows: []CohortRow{{Start: jan, Size: 1, Active: []int64{1, 2}, Revenue: make([]decimal.Decimal, 2)}}}},
	} {
		t.Run("table "+tt.name, func(t *testing.T) {
			before := tableStrings(good)
			assert.ErrorIs(t, good.AddDisjoint(tt.other), ErrInconsistent)
			assert.Equal(t, before, tableStrings(good), "unchanged")
		})
	}
	// A table through March: the January row of good is padded.
	mar := &CohortTable{Period: Month, Rows: []CohortRow{row(jan, 1, 3)}, Unattributed: dec("-1")}
	mar.Rows[0].Revenue[2] = dec("7")
	sum := &CohortTable{}
	require.NoError(t, sum.AddDisjoint(good))
	require.NoError(t, sum.AddDisjoint(mar))
	assert.Equal(t, []string{"unattributed -1", "2024-01-01T00:00:00Z 3 [3 0 0] [0 0 7]", "2024-02-01T00:00:00Z 1 [1 0] [0 0]"}, tableStrings(sum))

	srow := func(start time.Time, orders, atStart, end, churned, newC int64) SeriesRow {
		return SeriesRow{Start: start, Orders: orders, ActiveAtStart: atStart, ActiveAtEnd: end, Churned: churned, New: newC, Revenue: decimal.Zero}
	}
	unsettled := &Series{Period: Month, Window: 1, Rows: []SeriesRow{srow(jan, 1, 0, 1, 0, 1)}}
	longer := &Series{Period: Month, Window: 1, Rows: []SeriesRow{srow(jan, 1, 0, 1, 0, 1), srow(feb, 1, 1, 1, 0, 0)}}
	for _, tt := range []struct {
		name string
		a, b *Series
	}{
		{"unsettled part ends earlier", unsettled, longer},
		{"other window", &Series{Period: Month, Window: 2, Rows: longer.Rows}, longer},
		{"unbalanced", &Series{Period: Month, Window: 1, Rows: []SeriesRow{srow(jan, 1, 0, 5, 0, 1)}}, longer},
		{"gap", &Series{Period: Month, Window: 1, Rows: []SeriesRow{srow(jan, 1, 0, 0, 0, 0), srow(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), 1, 0, 0, 0, 0)}}, longer},
	} {
		t.Run("series "+tt.name, func(t *testing.T) {
			rows := append([]SeriesRow(nil), tt.a.Rows...)
			assert.ErrorIs(t, tt.a.AddDisjoint(tt.b), ErrInconsistent)
			assert.Equal(t, rows, tt.a.Rows, "unchanged")
		})
	}
	m := func(start time.Time, until time.Time) *MRRSeries {
		return &MRRSeries{Period: Month, Until: until, Rows: []MRRRow{{Start: start, MRRAtStart: decimal.Zero, New: dec("5"), MRRAtEnd: dec("5"), NewCustomers: 1, CustomersAtEnd: 1}}}
	}
	assert.ErrorIs(t, m(jan, jan.Add(time.Hour)).AddDisjoint(m(jan, jan.Add(2*time.Hour))), ErrInconsistent, "other until")
	both := m(jan, jan.Add(time.Hour))
	require.NoError(t, both.AddDisjoint(m(jan, jan.Add(time.Hour))))
	assert.Equal(t, "10", both.Rows[0].MRRAtEnd.String())
	assert.Equal(t, int64(2), both.Rows[0].CustomersAtEnd)
}

// Each payload decodes to an equal value, and a payload cut short or with
// a byte changed never decodes to a result no builder could make.
func TestPartialEncodings(t *testing.T) {
	b, err := NewCohortBuilder(CohortOptions{Period: Week, Location: time.FixedZone("+05:30", 5*3600+1800)})
	require.NoError(t, err)
	var stats OrderStats
	for _, o := range seriesOrders() {
		o.Currency = "JPY"
		require.NoError(t, b.Add(o))
		require.NoError(t, stats.Add(o))
	}
	table, err := b.Table()
	require.NoError(t, err)
	series, err := b.SeriesThrough(2, time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	mb, err := NewMRRBuilder(MRROptions{Location: time.UTC})
	require.NoError(t, err)
	for _, s := range ledger() {
		require.NoError(t, mb.Add(s))
	}
	mrr, err := mb.Series()
	require.NoError(t, err)
	totals := stats.Totals()

	for _, tt := range []struct {
		name      string
		marshal   func() ([]byte, error)
		unmarshal func([]byte) (string, error)
		want      string
	}{
		{"table", table.MarshalBinary, func(d []byte) (string, error) {
			var v CohortTable
			err := v.UnmarshalBinary(d)
			return fmt.Sprintf("%v %v %v", tableStrings(&v), v.Period, v.Location), err
		}, fmt.Sprintf("%v %v %v", tableStrings(table), table.Period, "+05:30")},
		{"series", series.MarshalBinary, func(d []byte) (string, error) {
			var v Series
			err := v.UnmarshalBinary(d)
			return fmt.Sprintf("%v %v %d %v", v.Period, v.Location, v.Window, seriesStrings(&v)), err
		}, fmt.Sprintf("%v %v %d %v", series.Period, "+05:30", series.Window, seriesStrings(series))},
		{"mrr", mrr.MarshalBinary, func(d []byte) (string, error) {
			var v MRRSeries
			err := v.UnmarshalBinary(d)
			return fmt.Sprintf("%v %v %v %v", v.Period, v.Location, v.Until, mrrStrings(&v)), err
		}, fmt.Sprintf("%v %v %v %v", mrr.Period, mrr.Location, mrr.Until, mrrStrings(mrr))},
		{"totals", totals.MarshalBinary, func(d []byte) (string, error) {
			var v OrderTotals
			err := v.UnmarshalBinary(d)
			return v.String(), err
		}, totals.String()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data, err := tt.marshal()
			require.NoError(t, err)
			got, err := tt.unmarshal(data)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			for cut := 0; cut < len(data); cut++ {
				_, err := tt.unmarshal(data[:cut])
				assert.Error(t, err, "cut at %d", cut)
			}
			for i := 0; i < len(data); i++ {
				bad := append([]byte(nil), data...)
				bad[i] ^= 0x41
				// A changed byte may still decode (another count, another
				// amount); it must never panic.
				assert.NotPanics(t, func() { _, _ = tt.unmarshal(bad) }, "byte %d changed", i)
			}
			_, err = tt.unmarshal(append(data, 0))
			assert.ErrorIs(t, err, ErrInconsistent, "trailing byte")
		})
	}
	bad := OrderTotals{Orders: 1, Customers: 2}
	data, err := bad.MarshalBinary()
	require.NoError(t, err)
	assert.ErrorIs(t, new(OrderTotals).UnmarshalBinary(data), ErrInconsistent, "more customers than orders")
}

func seriesStrings(s *Series) []string {
	var out []string
	for _, r := range s.Rows {
		out = append(out, fmt.Sprintf("%s %s %d %d %d %d %d %d %d %d %d", r.Start.Format(time.RFC3339), r.Revenue, r.Orders, r.Refunds, r.Customers,
			r.New, r.Returning, r.ActiveAtStart, r.ActiveAtEnd, r.Churned, r.Reactivated))
	}
	return out
}

func mrrStrings(s *MRRSeries) []string {
	var out []string
	for _, r := range s.Rows {
		out = append(out, fmt.Sprint(r.Start.Format(time.RFC3339), decimalStrings([]decimal.Decimal{r.MRRAtStart, r.New, r.Expansion, r.Contraction, r.Churn, r.Reactivation, r.MRRAtEnd}),
			r.CustomersAtStart, r.NewCustomers, r.ReactivatedCustomers, r.ChurnedCustomers, r.CustomersAtEnd))
	}
	return out
}

// partialDecoders are the binary decoders of the partial results.
func partialDecoders() []interface {
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
} {
	return []interface {
		encoding.BinaryMarshaler
		encoding.BinaryUnmarshaler
	}{&CohortTable{}, &Series{}, &MRRSeries{}, &OrderTotals{}}
}

// FuzzDecodePartials feeds arbitrary payloads to the partial results'
// binary decoders: none may panic, every error wraps a sentinel, and what
// decodes encodes again to a payload that decodes to the same bytes.
func FuzzDecodePartials(f *testing.F) {
	b, _ := NewCohortBuilder(CohortOptions{Period: Week, Location: time.FixedZone("+05:30", 5*3600+1800)})
	var stats OrderStats
	for _, o := range seriesOrders() {
		o.Currency = "JPY"
		_ = b.Add(o)
		_ = stats.Add(o)
	}
	_ = b.Add(Order{CustomerID: "x", Time: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), Amount: dec("-1e999"), Currency: "JPY"})
	mb, _ := NewMRRBuilder(MRROptions{Location: time.UTC})
	for _, s := range ledger() {
		_ = mb.Add(s)
	}
	_ = mb.Add(SubscriptionSpan{CustomerID: "z", SubscriptionID: "z1", Start: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC),
		Amount: dec("1e1000"), Interval: BillingInterval{Day, 1}})
	table, _ := b.Table()
	series, _ := b.SeriesThrough(2, time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC))
	mrr, _ := mb.Series()
	totals := stats.Totals()
	for _, m := range []encoding.BinaryMarshaler{table, series, mrr, totals} {
		data, err := m.MarshalBinary()
		require.NoError(f, err)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, v := range partialDecoders() {
			if err := v.UnmarshalBinary(data); err != nil {
				if !isSentinel(err) {
					t.Fatalf("%T: error without a sentinel: %v", v, err)
				}
				continue
			}
			b1, err := v.MarshalBinary()
			if err != nil {
				t.Fatalf("%T: re-encoding: %v", v, err)
			}
			if err := v.UnmarshalBinary(b1); err != nil {
				t.Fatalf("%T: decoding its own binary %x: %v", v, b1, err)
			}
			if b2, _ := v.MarshalBinary(); string(b2) != string(b1) {
				t.Fatalf("%T: binary is not stable:\n%x\n%x", v, b1, b2)
			}
		}
	})
}

// Every figure of a row is added, encoded and decoded: fields() names each
// decimal and int64 field of SeriesRow and MRRRow exactly once.
func TestSeriesRowFieldsAreComplete(t *testing.T) {
	check := func(row any, start *time.Time, money []*decimal.Decimal, counts []*int64) {
		v := reflect.ValueOf(row).Elem()
		named := map[uintptr]bool{reflect.ValueOf(start).Pointer(): true}
		for _, m := range money {
			named[reflect.ValueOf(m).Pointer()] = true
		}
		for _, c := range counts {
			named[reflect.ValueOf(c).Pointer()] = true
		}
		assert.Len(t, named, 1+len(money)+len(counts), "%T: a field named twice", row)
		for i := 0; i < v.NumField(); i++ {
			assert.True(t, named[v.Field(i).Addr().Pointer()], "%T.%s is not in fields()", row, v.Type().Field(i).Name)
		}
	}
	var s SeriesRow
	start, money, counts := s.fields()
	check(&s, start, money, counts)
	var m MRRRow
	start, money, counts = m.fields()
	check(&m, start, money, counts)
}
