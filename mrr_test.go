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

func TestSpanMRR(t *testing.T) {
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		amount string
		unit   IntervalUnit
		count  int
		want   string
	}{
		{"49.99", Month, 1, "49.99"},             // exact
		{"120", Month, 3, "40"},                  // 120 / 3
		{"100", Month, 3, "33.3333333333333333"}, // 100 / 3, 16 places, half away from zero
		{"1188", Year, 1, "99"},                  // 1188 / 12
		{"1000", Year, 1, "83.3333333333333333"}, // 1000 / 12
		{"2000", Year, 2, "83.3333333333333333"}, // 2000 / 24
		{"10", Week, 1, "43.3333333333333333"},   // 10 × 52 / 12 = 520 / 12
		{"25", Week, 2, "54.1666666666666667"},   // 25 × 52 / 24 = 1300 / 24
		{"1", Day, 1, "30.4166666666666667"},     // 365 / 12
		{"300", Quarter, 1, "100"},               // 300 / 3
		{"0", Month, 1, "0"},                     // a free plan
		{"0.01", Day, 7, "0.0434523809523810"},   // 0.01 × 365 / 84 = 3.65 / 84
	} {
		s := SubscriptionSpan{CustomerID: "c", SubscriptionID: "s", Start: at, Amount: dec(c.amount), Interval: BillingInterval{c.unit, c.count}}
		got, err := s.MRR()
		require.NoError(t, err)
		assertDecimal(t, c.want, got, "%s every %s", c.amount, s.Interval)
	}

	good := SubscriptionSpan{CustomerID: "c", SubscriptionID: "s", Start: at, Amount: one, Interval: BillingInterval{Month, 1}}
	for _, c := range []struct {
		name string
		edit func(*SubscriptionSpan)
		err  error
	}{
		{"no customer", func(s *SubscriptionSpan) { s.CustomerID = "" }, ErrInconsistent},
		{"no subscription", func(s *SubscriptionSpan) { s.SubscriptionID = "" }, ErrInconsistent},
		{"zero start", func(s *SubscriptionSpan) { s.Start = time.Time{} }, ErrInconsistent},
		{"end before start", func(s *SubscriptionSpan) { s.End = at.Add(-time.Second) }, ErrInconsistent},
		{"negative amount", func(s *SubscriptionSpan) { s.Amount = dec("-1") }, ErrNegative},
		{"zero count", func(s *SubscriptionSpan) { s.Interval.Count = 0 }, ErrOutOfRange},
		{"bad unit", func(s *SubscriptionSpan) { s.Interval.Unit = 9 }, ErrOutOfRange},
		{"unknown currency", func(s *SubscriptionSpan) { s.Currency = "EURO" }, ErrUnknownCurrency},
		{"huge amount", func(s *SubscriptionSpan) { s.Amount = dec("1e2000") }, ErrOutOfRange},
	} {
		s := good
		c.edit(&s)
		_, err := s.MRR()
		assert.ErrorIs(t, err, c.err, c.name)
		var b MRRBuilder
		assert.ErrorIs(t, b.Add(s), c.err, c.name)
		assert.Equal(t, int64(0), b.Spans())
	}
}

// ledger is a small subscription business whose monthly MRR is worked out
// by hand:
//
//	ann: monthly 30 from Jan 10; upgrades to 50 on Mar 5 (one span ends,
//	     the next starts); cancels Apr 20
//	bob: yearly 1200 (100 a month) from Jan 31, still running
//	cat: monthly 20 from Feb 1 to Mar 1 exactly (counts in February,
//	     churns in March); back May 3 at 20, running
//	dan: weekly 12 (12 × 52 / 12 = 52 a month) from Feb 14 to Feb 20: in
//	     and out within February, never seen at a month's end
//
// Until May 31, 12:00. MRR at each month's end:
//
//	      ann  bob  cat  end  | new        expansion contraction churn reactivation
//	Jan    30  100    0  130  | 130 (2)
//	Feb    30  100   20  150  |  20 (cat)
//	Mar    50  100    0  150  |            20 (ann)              20 (cat)
//	Apr     0  100    0  100  |                                  50 (ann)
//	May     0  100   20  120  |                                             20 (cat)
func ledger() []SubscriptionSpan {
	d := func(m time.Month, day int) time.Time { return time.Date(2024, m, day, 0, 0, 0, 0, time.UTC) }
	monthly, yearly, weekly := BillingInterval{Month, 1}, BillingInterval{Year, 1}, BillingInterval{Week, 1}
	return []SubscriptionSpan{
		{CustomerID: "ann", SubscriptionID: "a1", Start: d(1, 10), End: d(3, 5), Amount: dec("30"), Interval: monthly},
		{CustomerID: "ann", SubscriptionID: "a1", Start: d(3, 5), End: d(4, 20), Amount: dec("50"), Interval: monthly},
		{CustomerID: "bob", SubscriptionID: "b1", Start: d(1, 31), Amount: dec("1200"), Interval: yearly},
		{CustomerID: "cat", SubscriptionID: "c1", Start: d(2, 1), End: d(3, 1), Amount: dec("20"), Interval: monthly},
		{CustomerID: "cat", SubscriptionID: "c2", Start: d(5, 3), Amount: dec("20"), Interval: monthly},
		{CustomerID: "dan", SubscriptionID: "d1", Start: d(2, 14), End: d(2, 20), Amount: dec("12"), Interval: weekly},
	}
}

func TestMRRSeriesByHand(t *testing.T) {
	until := time.Date(2024, 5, 31, 12, 0, 0, 0, time.UTC)
	s, err := SubscriptionSeries(ledger(), MRROptions{Until: until})
	require.NoError(t, err)
	type row struct {
		start, new, exp, con, churn, react, end string
		atStart, newC, reactC, churnC, atEnd    int64
	}
	want := []row{
		{"0", "130", "0", "0", "0", "0", "130", 0, 2, 0, 0, 2},
		{"130", "20", "0", "0", "0", "0", "150", 2, 1, 0, 0, 3},
		{"150", "0", "20", "0", "20", "0", "150", 3, 0, 0, 1, 2},
		{"150", "0", "0", "0", "50", "0", "100", 2, 0, 0, 1, 1},
		{"100", "0", "0", "0", "0", "20", "120", 1, 0, 1, 0, 2},
	}
	require.Len(t, s.Rows, len(want))
	for i, w := range want {
		r := s.Rows[i]
		assert.True(t, time.Date(2024, time.Month(i+1), 1, 0, 0, 0, 0, time.UTC).Equal(r.Start))
		got := row{r.MRRAtStart.String(), r.New.String(), r.Expansion.String(), r.Contraction.String(), r.Churn.String(),
			r.Reactivation.String(), r.MRRAtEnd.String(), r.CustomersAtStart, r.NewCustomers, r.ReactivatedCustomers, r.ChurnedCustomers, r.CustomersAtEnd}
		assert.Equal(t, w, got, "row %d", i)
	}
	// March: ARPA 150 / 2, quick ratio 20 / 20, logo churn 1 / 3, GRR
	// (150 - 20) / 150, NRR (150 + 20 - 20) / 150.
	mar := s.Rows[2]
	arpa, err := mar.ARPA()
	require.NoError(t, err)
	assertDecimal(t, "75", arpa)
	qr, err := mar.QuickRatio()
	require.NoError(t, err)
	assertDecimal(t, "1", qr)
	lc, err := mar.LogoChurn()
	require.NoError(t, err)
	assertDecimal(t, "0.3333333333333333", lc)
	grr, err := GrossRevenueRetention(mar.Movements())
	require.NoError(t, err)
	assertDecimal(t, "0.8666666666666667", grr)
	nrr, err := NetRevenueRetention(mar.Movements())
	require.NoError(t, err)
	assertDecimal(t, "1", nrr)
	_, err = s.Rows[0].QuickRatio()
	assert.ErrorIs(t, err, ErrNoData, "January lost nothing")
	_, err = s.Rows[0].LogoChurn()
	assert.ErrorIs(t, err, ErrNoData)

	// The default Until is the latest Start or End: May 3, cat's return.
	s2, err := SubscriptionSeries(ledger(), MRROptions{})
	require.NoError(t, err)
	assert.Equal(t, time.Date(2024, 5, 3, 0, 0, 0, 0, time.UTC), s2.Until)
	assert.Equal(t, "120", s2.Rows[4].MRRAtEnd.String())

	// Annual plans do not look churned: bob pays at every month's end.
	c, err := func() (*CohortTable, error) {
		var b MRRBuilder
		for _, sp := range ledger() {
			require.NoError(t, b.Add(sp))
		}
		return b.Cohorts()
	}()
	require.NoError(t, err)
	// January cohort: ann and bob; February: cat. dan never paid at an end.
	require.Len(t, c.Rows, 2)
	jan, feb := c.Rows[0], c.Rows[1]
	assert.Equal(t, int64(2), jan.Size)
	assert.Equal(t, []int64{2, 2, 2, 1, 1}, jan.Active)
	assert.Equal(t, []string{"130", "130", "150", "100", "100"}, decimalStrings(jan.Revenue))
	assert.Equal(t, int64(1), feb.Size)
	assert.Equal(t, []int64{1, 0, 0, 1}, feb.Active, "cat comes back in May")
	assert.Equal(t, []string{"20", "0", "0", "20"}, decimalStrings(feb.Revenue))
}

func decimalStrings(ds []decimal.Decimal) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	return out
}

// mrrOracle computes the MRR series by brute force: for every period, at
// its end (the first instant of the next period's first local day, less a
// nanosecond, or Until), every customer's MRR is the sum of the spans that
// cover that instant; movements compare consecutive period ends.
func mrrOracle(spans []SubscriptionSpan, p Period, loc *time.Location, until time.Time) []MRRRow {
	civil := func(t time.Time) time.Time { return seriesCivil(t, p, loc) }
	firstInstant := func(day time.Time) time.Time {
		t := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
		for t.In(loc).Day() != day.Day() { // midnight skipped by a DST change
			t = t.Add(time.Minute)
		}
		for t.Add(-time.Minute).In(loc).Day() == day.Day() {
			t = t.Add(-time.Minute)
		}
		return t
	}
	mrrOf := func(s SubscriptionSpan) decimal.Decimal {
		n := decimal.NewFromInt(int64(s.Interval.Count))
		switch s.Interval.Unit {
		case Week:
			return s.Amount.Mul(dec("52")).DivRound(dec("12").Mul(n), 16)
		case Day:
			return s.Amount.Mul(dec("365")).DivRound(dec("12").Mul(n), 16)
		case Year:
			return s.Amount.DivRound(dec("12").Mul(n), 16)
		case Quarter:
			return s.Amount.DivRound(dec("3").Mul(n), 16)
		}
		return s.Amount.DivRound(n, 16)
	}
	first := spans[0].Start
	for _, s := range spans {
		if s.Start.Before(first) {
			first = s.Start
		}
	}
	var rows []MRRRow
	prev := map[string]decimal.Decimal{}
	ever := map[string]bool{}
	for q := civil(first); !q.After(civil(until)); q = seriesNext(q, p) {
		m := firstInstant(seriesNext(q, p)).Add(-time.Nanosecond)
		if m.After(until) {
			m = until
		}
		cur := map[string]decimal.Decimal{}
		for _, s := range spans {
			if !s.Start.After(m) && (s.End.IsZero() || s.End.After(m)) {
				cur[s.CustomerID] = cur[s.CustomerID].Add(mrrOf(s))
			}
		}
		row := MRRRow{Start: q}
		customers := map[string]bool{}
		for c := range cur {
			customers[c] = true
		}
		for c := range prev {
			customers[c] = true
		}
		for c := range customers {
			a, b := prev[c], cur[c]
			row.MRRAtStart = row.MRRAtStart.Add(a)
			row.MRRAtEnd = row.MRRAtEnd.Add(b)
			if a.IsPositive() {
				row.CustomersAtStart++
			}
			if b.IsPositive() {
				row.CustomersAtEnd++
			}
			switch {
			case a.IsZero() && b.IsPositive() && !ever[c]:
				row.New, row.NewCustomers = row.New.Add(b), row.NewCustomers+1
			case a.IsZero() && b.IsPositive():
				row.Reactivation, row.ReactivatedCustomers = row.Reactivation.Add(b), row.ReactivatedCustomers+1
			case a.IsPositive() && b.IsZero():
				row.Churn, row.ChurnedCustomers = row.Churn.Add(a), row.ChurnedCustomers+1
			case b.GreaterThan(a):
				row.Expansion = row.Expansion.Add(b.Sub(a))
			case b.LessThan(a):
				row.Contraction = row.Contraction.Add(a.Sub(b))
			}
			if b.IsPositive() {
				ever[c] = true
			}
		}
		rows = append(rows, row)
		prev = cur
	}
	return rows
}

// seriesCivil and seriesNext are the oracles' calendar: a period named by
// the civil date it starts on, stepped with AddDate on civil dates.
func seriesCivil(t time.Time, p Period, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch p {
	case Week:
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	case Month:
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	case Quarter:
		return time.Date(y, (m-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	case Year:
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

func seriesNext(t time.Time, p Period) time.Time {
	switch p {
	case Week:
		return t.AddDate(0, 0, 7)
	case Month:
		return t.AddDate(0, 1, 0)
	case Quarter:
		return t.AddDate(0, 3, 0)
	case Year:
		return t.AddDate(1, 0, 0)
	}
	return t.AddDate(0, 0, 1)
}

// trialLedger returns the ledger of one property trial in periods of p:
// randomLedger's spans, starting within span of base, a stretch that holds
// many periods of p.
func trialLedger(r *rand.Rand, p Period) (base time.Time, span time.Duration, spans []SubscriptionSpan) {
	span = map[Period]time.Duration{Day: 60 * 24 * time.Hour, Week: 300 * 24 * time.Hour, Month: 1000 * 24 * time.Hour,
		Quarter: 2000 * 24 * time.Hour, Year: 5000 * 24 * time.Hour}[p]
	base = time.Date(2017, 12, 30, 22, 0, 0, 0, time.UTC)
	return base, span, randomLedger(r, base, span)
}

// randomLedger draws spans with plan changes (one span ending where the
// next starts), monthly, annual, weekly, daily and quarterly plans,
// cancellations and win-backs, some still running.
func randomLedger(r *rand.Rand, base time.Time, span time.Duration) []SubscriptionSpan {
	units := []IntervalUnit{Month, Month, Month, Year, Week, Day, Quarter}
	var out []SubscriptionSpan
	for c := 0; c < 1+r.IntN(12); c++ {
		t := base.Add(time.Duration(r.Int64N(int64(span))))
		for sub := 0; sub < 1+r.IntN(3); sub++ {
			for change := 0; change < 1+r.IntN(4); change++ {
				end := t.Add(time.Duration(r.Int64N(int64(span / 3))))
				s := SubscriptionSpan{CustomerID: fmt.Sprintf("c%d", c), SubscriptionID: fmt.Sprintf("s%d", sub), Start: t,
					Amount: decimal.New(int64(r.IntN(20000)), -2), Interval: BillingInterval{units[r.IntN(len(units))], 1 + r.IntN(3)}}
				if r.IntN(4) > 0 || change < 3 {
					s.End = end
				}
				out = append(out, s)
				if s.End.IsZero() {
					break
				}
				t = end
				if r.IntN(3) == 0 {
					t = t.Add(time.Duration(r.Int64N(int64(span / 4)))) // cancelled, back later
				}
			}
		}
	}
	return out
}

// Property: on random ledgers, in any zone and period, split into shards
// merged in any order (some through their encodings), the series equals the
// brute-force oracle and the waterfall identity holds exactly on every row.
func TestMRRSeriesMatchesOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 71))
	zones := []string{"UTC", "Europe/Berlin", "America/Sao_Paulo", "Australia/Lord_Howe", "Asia/Kathmandu"}
	for trial := 0; trial < 80; trial++ {
		loc, err := time.LoadLocation(zones[r.IntN(len(zones))])
		require.NoError(t, err)
		p := Period(r.IntN(5))
		base, span, spans := trialLedger(r, p)
		var until time.Time
		if r.IntN(2) == 0 {
			until = base.Add(time.Duration(r.Int64N(int64(2 * span))))
		}
		opts := MRROptions{Period: p, Location: loc, Until: until}
		shards := make([]*MRRBuilder, 1+r.IntN(3))
		for i := range shards {
			shards[i], err = NewMRRBuilder(opts)
			require.NoError(t, err)
		}
		for _, s := range spans {
			require.NoError(t, shards[r.IntN(len(shards))].Add(s))
		}
		var merged MRRBuilder
		for _, k := range r.Perm(len(shards)) {
			part := shards[k]
			switch r.IntN(3) {
			case 0:
				data, err := part.MarshalBinary()
				require.NoError(t, err)
				part = new(MRRBuilder)
				require.NoError(t, part.UnmarshalBinary(data))
			case 1:
				data, err := part.MarshalJSON()
				require.NoError(t, err)
				part = new(MRRBuilder)
				require.NoError(t, part.UnmarshalJSON(data))
			}
			require.NoError(t, merged.Merge(part))
		}
		got, err := merged.Series()
		effective := until
		if effective.IsZero() {
			for _, s := range spans {
				effective = maxTime(effective, s.Start, s.End)
			}
		}
		first := spans[0].Start
		for _, s := range spans {
			if s.Start.Before(first) {
				first = s.Start
			}
		}
		if effective.Before(first) {
			assert.ErrorIs(t, err, ErrNoData)
			continue
		}
		require.NoError(t, err, "trial %d", trial)
		want := mrrOracle(spans, p, loc, effective)
		require.Len(t, got.Rows, len(want), "trial %d: %s in %s", trial, p, loc)
		for k := range want {
			g, o := got.Rows[k], want[k]
			y, m, d := g.Start.In(loc).Date()
			assert.Equal(t, o.Start.Format(time.DateOnly), time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), "trial %d row %d", trial, k)
			for _, f := range []struct {
				name string
				a, b decimal.Decimal
			}{{"start", o.MRRAtStart, g.MRRAtStart}, {"new", o.New, g.New}, {"expansion", o.Expansion, g.Expansion},
				{"contraction", o.Contraction, g.Contraction}, {"churn", o.Churn, g.Churn}, {"reactivation", o.Reactivation, g.Reactivation},
				{"end", o.MRRAtEnd, g.MRRAtEnd}} {
				assert.True(t, f.a.Equal(f.b), "trial %d row %d %s: %s, oracle %s", trial, k, f.name, f.b, f.a)
			}
			assert.Equal(t, [5]int64{o.CustomersAtStart, o.NewCustomers, o.ReactivatedCustomers, o.ChurnedCustomers, o.CustomersAtEnd},
				[5]int64{g.CustomersAtStart, g.NewCustomers, g.ReactivatedCustomers, g.ChurnedCustomers, g.CustomersAtEnd}, "trial %d row %d", trial, k)
			waterfall := g.MRRAtStart.Add(g.New).Add(g.Expansion).Add(g.Reactivation).Sub(g.Contraction).Sub(g.Churn)
			assert.True(t, waterfall.Equal(g.MRRAtEnd), "identity, trial %d row %d", trial, k)
			assert.Equal(t, g.CustomersAtEnd, g.CustomersAtStart+g.NewCustomers+g.ReactivatedCustomers-g.ChurnedCustomers)
		}
		// The cohorts agree with the series: each row's paying customers are
		// in exactly one cohort.
		if table, err := merged.Cohorts(); err == nil {
			paying := make([]int64, len(got.Rows))
			for _, row := range table.Rows {
				off := len(got.Rows) - len(row.Active)
				for k, a := range row.Active {
					paying[off+k] += a
				}
			}
			for k := range paying {
				assert.Equal(t, got.Rows[k].CustomersAtEnd, paying[k], "trial %d row %d", trial, k)
			}
		}
	}
	_ = sort.Strings
}
