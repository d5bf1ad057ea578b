package cxmetrics

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The library's regression tests of the hostile-input issue.

// within fails t if f does not return within d: a guard against hangs, not
// a speed measurement (benchmarks measure speed).
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not return within %v", what, d)
	}
}

// 6. Weighted statistics stay finite for weights far beyond float64's
// comfortable range: with equal weights they equal the unweighted ones.
func TestWeightedNPSExtremeWeights(t *testing.T) {
	plain := NPSTally{Promoters: 5, Passives: 3, Detractors: 2}
	wantSE, err := plain.StandardError()
	require.NoError(t, err)
	wantLo, wantHi, err := plain.ConfidenceInterval(0.95)
	require.NoError(t, err)
	for _, w := range []string{"1", "1e154", "1e308", "1e1000", "1e-162", "1e-324", "1e-1000", "9.999999999999999999999999999999999999999e1000"} {
		t.Run(w, func(t *testing.T) {
			var tally WeightedNPSTally
			for _, s := range []int{10, 9, 9, 10, 9, 7, 8, 8, 0, 6} {
				require.NoError(t, tally.Add(WeightedResponse{Score: s, Weight: dec(w)}))
			}
			assert.InDelta(t, 10, tally.EffectiveN(), 1e-12)
			se, err := tally.StandardError()
			require.NoError(t, err)
			assert.InDelta(t, wantSE, se, 1e-9)
			lo, hi, err := tally.ConfidenceInterval(0.95)
			require.NoError(t, err)
			assert.InDelta(t, wantLo, lo, 1e-9)
			assert.InDelta(t, wantHi, hi, 1e-9)
			score, err := tally.Score()
			require.NoError(t, err)
			assertDecimal(t, "30", score)

			// And the encodings take back what they wrote.
			for _, enc := range []func() ([]byte, error){tally.MarshalJSON, tally.MarshalBinary} {
				data, err := enc()
				require.NoError(t, err)
				var back WeightedNPSTally
				decodeEither(t, data, &back)
				assert.True(t, back.TotalWeight().Equal(tally.TotalWeight()))
			}
		})
	}
	// Mixed extremes: one weight of 1e1000 dominates; n_eff is 1.
	var mixed WeightedNPSTally
	require.NoError(t, mixed.Add(WeightedResponse{Score: 10, Weight: dec("1e1000")}))
	require.NoError(t, mixed.Add(WeightedResponse{Score: 0, Weight: dec("1e-1000")}))
	assert.InDelta(t, 1, mixed.EffectiveN(), 1e-12)
	se, err := mixed.StandardError()
	require.NoError(t, err)
	assert.False(t, math.IsNaN(se) || math.IsInf(se, 0))
}

// 7. Decoders refuse what Add could not have produced, with a sentinel.
func TestDecodersRefuseImpossibleState(t *testing.T) {
	big := fmt.Sprint(int64(1) << 62)
	for _, c := range []struct {
		name string
		into json.Unmarshaler
		data string
		err  error
	}{
		{"orders add up beyond int64", &OrderStats{}, `{"currency":null,"customers":[` +
			`{"id":"a","orders":` + big + `,"revenue":"1","first":"2024-01-01T00:00:00Z","last":"2024-01-01T00:00:00Z"},` +
			`{"id":"b","orders":` + big + `,"revenue":"1","first":"2024-01-01T00:00:00Z","last":"2024-01-01T00:00:00Z"}]}`, ErrOutOfRange},
		{"answers add up beyond int64", &ScaleTally{}, `{"scale":{"min":1,"max":5,"positive":4},"counts":[9223372036854775807,1,0,0,0]}`, ErrOutOfRange},
		{"sum of squares above the square of the sum", &WeightedNPSTally{},
			`{"promoters":"1","passives":"0","detractors":"0","sum_squares":"5","responses":1}`, ErrInconsistent},
		{"sum of squares below what n weights allow", &WeightedNPSTally{},
			`{"promoters":"4","passives":"0","detractors":"0","sum_squares":"1","responses":2}`, ErrInconsistent},
		{"weight without a response", &WeightedNPSTally{},
			`{"promoters":"4","passives":"0","detractors":"0","sum_squares":"16","responses":0}`, ErrInconsistent},
		{"a period Add cannot produce", &CohortBuilder{},
			`{"period":"month","location":"UTC","currency":null,"customers":[{"id":"a","cells":[{"period":120000,"active":true,"revenue":"1"}]}]}`, ErrOutOfRange},
		{"the decoding machine's zone", &CohortBuilder{}, `{"period":"month","location":"Local","currency":null,"customers":[]}`, ErrOutOfRange},
		{"an empty zone", &CohortBuilder{}, `{"period":"month","location":"","currency":null,"customers":[]}`, ErrOutOfRange},
		{"a zone not in canonical form", &CohortBuilder{}, `{"period":"month","location":"Etc/GMT+5","currency":null,"customers":[]}`, ErrOutOfRange},
		{"an offset of a day", &CohortBuilder{}, `{"period":"month","location":"+24:00","currency":null,"customers":[]}`, ErrOutOfRange},
		{"a million-digit revenue", &OrderStats{}, `{"currency":null,"customers":[{"id":"a","orders":0,"revenue":"` + strings.Repeat("7", 1_000_000) + `"}]}`, ErrOutOfRange},
		{"an exponent of 2^30", &OrderStats{}, `{"currency":null,"customers":[{"id":"a","orders":0,"revenue":"1e1073741824"}]}`, ErrOutOfRange},
		{"a negative MRR", &MRRBuilder{}, mrrPayload(`"-1"`), ErrNegative},
		{"an MRR beyond what amounts give", &MRRBuilder{}, mrrPayload(`"1e1100"`), ErrOutOfRange},
		{"an MRR finer than amounts give", &MRRBuilder{}, mrrPayload(`"1e-1001"`), ErrOutOfRange},
		{"an MRR that is no decimal", &MRRBuilder{}, mrrPayload(`"12,5"`), ErrInconsistent},
		{"spans out of order", &MRRBuilder{}, `{"period":"month","location":"UTC","until":null,"currency":null,"spans":[` +
			`{"customer_id":"b","subscription_id":"s","start":"2024-01-01T00:00:00Z","end":null,"mrr":"1"},` +
			`{"customer_id":"a","subscription_id":"s","start":"2024-01-01T00:00:00Z","end":null,"mrr":"1"}]}`, ErrInconsistent},
		{"a span ending before it starts", &MRRBuilder{}, `{"period":"month","location":"UTC","until":null,"currency":null,"spans":[` +
			`{"customer_id":"a","subscription_id":"s","start":"2024-02-01T00:00:00Z","end":"2024-01-01T00:00:00Z","mrr":"1"}]}`, ErrInconsistent},
		{"a span without a subscription", &MRRBuilder{}, `{"period":"month","location":"UTC","until":null,"currency":null,"spans":[` +
			`{"customer_id":"a","subscription_id":"","start":"2024-01-01T00:00:00Z","end":null,"mrr":"1"}]}`, ErrInconsistent},
		{"an unknown currency", &MRRBuilder{}, `{"period":"month","location":"UTC","until":null,"currency":"XYZ","spans":[]}`, ErrUnknownCurrency},
	} {
		t.Run(c.name, func(t *testing.T) {
			within(t, 5*time.Second, "decoding", func() {
				assert.ErrorIs(t, c.into.UnmarshalJSON([]byte(c.data)), c.err)
			})
		})
	}
}

// mrrPayload is an MRR builder's JSON with one span of the given MRR.
func mrrPayload(mrr string) string {
	return `{"period":"month","location":"UTC","until":null,"currency":null,"spans":[` +
		`{"customer_id":"a","subscription_id":"s","start":"2024-01-01T00:00:00Z","end":null,"mrr":` + mrr + `}]}`
}

// 7 and 8. Add and Merge check totals for overflow, and every entry point
// that takes a decimal bounds its digits and exponent: a hostile value is
// ErrOutOfRange, at once, never a hang or a panic.
func TestEveryDecimalEntryPointIsBounded(t *testing.T) {
	huge := decimal.New(1, 1<<30)
	tiny := decimal.New(1, -(1 << 30))
	long := decimal.RequireFromString("1." + strings.Repeat("3", 60))
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, v := range []decimal.Decimal{huge, tiny, long, decimal.New(7, 1001), decimal.New(7, -1001)} {
		calls := map[string]func() error{
			"WeightedNPSTally.Add": func() error { var w WeightedNPSTally; return w.Add(WeightedResponse{Score: 9, Weight: v.Abs()}) },
			"OrderStats.Add":       func() error { var s OrderStats; return s.Add(Order{CustomerID: "a", Time: at, Amount: v}) },
			"CohortBuilder.Add":    func() error { var b CohortBuilder; return b.Add(Order{CustomerID: "a", Time: at, Amount: v}) },
			"Revenue":              func() error { _, err := Revenue([]Order{{CustomerID: "a", Time: at, Amount: v}}); return err },
			"LTV": func() error {
				_, err := LTV(LTVInputs{AOV: v, OrdersPerPeriod: one, Lifespan: one, GrossMargin: one})
				return err
			},
			"LTVFromChurn": func() error {
				_, err := LTVFromChurn(ChurnLTVInputs{ARPU: v, GrossMargin: one, ChurnRate: dec("0.1")})
				return err
			},
			"DiscountedLTV": func() error {
				_, err := DiscountedLTV(DiscountedLTVInputs{Margin: one, RetentionRate: dec("0.5"), DiscountRate: v.Abs()})
				return err
			},
			"CACPayback": func() error {
				_, err := CACPayback(PaybackInputs{CAC: v.Abs(), ARPU: one, GrossMargin: one})
				return err
			},
			"LTVToCAC": func() error { _, err := LTVToCAC(v.Abs(), one); return err },
			"ROAS":     func() error { _, err := ROAS(one, v.Abs()); return err },
			"ROI":      func() error { _, err := ROI(v.Abs(), one); return err },
			"CAC":      func() error { _, err := CAC(AcquisitionCosts{Sales: v.Abs()}, 3); return err },
			"ROASByChannel": func() error {
				_, err := ROASByChannel([]ChannelSpend{{Channel: "x", Spend: one, Revenue: v.Abs()}})
				return err
			},
			"CompoundRate":          func() error { _, err := CompoundRate(v, 12); return err },
			"ExpectedLifetime":      func() error { _, err := ExpectedLifetime(v); return err },
			"GrossRevenueRetention": func() error { _, err := GrossRevenueRetention(RevenueMovements{Start: v.Abs()}); return err },
			"NetRevenueRetention": func() error {
				_, err := NetRevenueRetention(RevenueMovements{Start: one, Expansion: v.Abs()})
				return err
			},
			"RevenueChurnRate": func() error { _, err := RevenueChurnRate(RevenueMovements{Start: v.Abs()}); return err },
			"RoundMoney":       func() error { _, err := RoundMoney(v, "EUR"); return err },
			"TierThresholds.Validate": func() error {
				return TierThresholds{Medium: one, High: v.Abs()}.Validate()
			},
			"TercileThresholds": func() error { _, err := TercileThresholds([]decimal.Decimal{one, v}); return err },
		}
		for name, call := range calls {
			within(t, 5*time.Second, name, func() {
				assert.ErrorIs(t, call(), ErrOutOfRange, "%s(%s)", name, shortDecimal(v))
			})
		}
	}
}

// 8. The bounds hold on a decimal's value, not on how it is written, so
// that what an encoder writes (every value without trailing zeros) is what
// a decoder accepted: 10000000e999 is 1e1006 and refused, 1000e-1003 is
// 1e-1000 and accepted.
func TestDecimalBoundsAreOnTheValue(t *testing.T) {
	zeros := func(n int) string { return strings.Repeat("0", n) }
	for _, c := range []struct {
		name string
		d    decimal.Decimal
		ok   bool
	}{
		{"1e1000", decimal.New(1, 1000), true},
		{"10e999, the same value", decimal.New(10, 999), true},
		{"1e1001", decimal.New(1, 1001), false},
		{"10000000e999 is 1e1006", decimal.New(10000000, 999), false},
		{"-10000000e999", decimal.New(-10000000, 999), false},
		{"a big coefficient ending in zeros past 1e1000", dec("1" + zeros(30) + "e980"), false},
		{"1e-1000", decimal.New(1, -1000), true},
		{"1000e-1003 is 1e-1000", decimal.New(1000, -1003), true},
		{"1e-1001", decimal.New(1, -1001), false},
		{"10e-1002 is 1e-1001", decimal.New(10, -1002), false},
		{"40 significant digits and 30 zeros", dec(strings.Repeat("9", 40) + zeros(30) + "e-30"), true},
		{"41 significant digits", dec(strings.Repeat("9", 41) + "e0"), false},
		{"1 written with 2040 digits", dec("1" + zeros(2039) + "e-2039"), true},
		{"1 written with 2041 digits", dec("1" + zeros(2040) + "e-2040"), false},
		// 40 nines and 2000 zeros: 2040 digits, where a bit-length
		// estimate of the digits says 2041.
		{"40 nines written with 2040 digits", dec(strings.Repeat("9", 40) + zeros(2000) + "e-2000"), true},
		{"zero", decimal.Decimal{}, true},
		{"0e1000", decimal.New(0, 1000), true},
		{"0e1001", decimal.New(0, 1001), false},
		{"0e-1001", decimal.New(0, -1001), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := checkDecimal(c.d, "value")
			if c.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, ErrOutOfRange)
			}
			// Add agrees, and an accepted amount survives both encodings.
			var d OrderDedup
			_, _, err = d.SeenAt(Order{ID: "1", CustomerID: "a", Time: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Amount: c.d}, 0)
			assert.Equal(t, c.ok, err == nil, "%v", err)
			if err != nil {
				return
			}
			for _, enc := range []func() ([]byte, error){d.MarshalJSON, d.MarshalBinary} {
				data, err := enc()
				require.NoError(t, err)
				decodeEither(t, data, new(OrderDedup))
			}
		})
	}
}

// 8. What the package derives from accepted amounts is accepted in turn,
// however the amounts are written: lines written with trailing zeros below
// 1e-1000 combine (the sum's value is within bounds).
func TestCombineLinesOfAmountsWrittenFine(t *testing.T) {
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	zeros := strings.Repeat("0", 1500)
	for _, c := range []struct {
		a, b decimal.Decimal
		want string
	}{
		{dec("1" + zeros + "e-1500"), dec("1" + zeros + "e-1500"), "2"},
		{dec("25" + zeros + "e-1502"), decimal.New(1, 1000), "1e1000"}, // 1e1000 + 0.25
		{decimal.New(1000, -1003), decimal.New(-1000, -1003), "0"},
	} {
		a := Order{ID: "o", CustomerID: "c", Time: at, Amount: c.a}
		b := Order{ID: "o", CustomerID: "c", Time: at, Amount: c.b}
		require.NoError(t, a.Validate())
		require.NoError(t, b.Validate())
		sum, err := CombineLines(a, b)
		require.NoError(t, err)
		want := c.a.Add(c.b)
		assert.True(t, sum.Amount.Equal(want), "%s", shortDecimal(sum.Amount))
	}
	// A sum finer than any accepted amounts give is still refused.
	assert.ErrorIs(t, checkDerived(decimal.New(1, -1001), 1, "sum"), ErrOutOfRange)
	assert.ErrorIs(t, checkDerived(decimal.New(10, -1002), 1, "sum"), ErrOutOfRange)
	assert.NoError(t, checkDerived(decimal.New(10, -1001), 1, "sum"))
	assert.ErrorIs(t, checkDerived(dec("1"+strings.Repeat("0", 4200)+"e-4200"), 1, "sum"), ErrOutOfRange)
}

// 9. A day cohort starts at the first instant of its day, even where a
// daylight-saving change skips midnight.
func TestDayStartsWhereDSTSkipsMidnight(t *testing.T) {
	sp, err := time.LoadLocation("America/Sao_Paulo")
	require.NoError(t, err)
	b, err := NewCohortBuilder(CohortOptions{Period: Day, Location: sp})
	require.NoError(t, err)
	// 2018-11-04 had no midnight in São Paulo: clocks went from 00:00 -03
	// to 01:00 -02.
	for _, o := range []Order{
		{CustomerID: "a", Time: time.Date(2018, 11, 3, 12, 0, 0, 0, sp), Amount: one},
		{CustomerID: "b", Time: time.Date(2018, 11, 4, 12, 0, 0, 0, sp), Amount: one},
	} {
		require.NoError(t, b.Add(o))
	}
	table, err := b.Table()
	require.NoError(t, err)
	require.Len(t, table.Rows, 2)
	assert.Equal(t, "2018-11-03T00:00:00-03:00", table.Rows[0].Start.Format(time.RFC3339))
	assert.Equal(t, "2018-11-04T01:00:00-02:00", table.Rows[1].Start.Format(time.RFC3339))
}

// 9. Zones are compared by their rules, and encoded so that they mean the
// same calendar everywhere.
func TestZoneIdentity(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	at := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	builder := func(loc *time.Location) *CohortBuilder {
		b, err := NewCohortBuilder(CohortOptions{Location: loc})
		require.NoError(t, err)
		require.NoError(t, b.Add(Order{CustomerID: "a", Time: at, Amount: one}))
		return b
	}
	utcB := builder(time.UTC)
	assert.ErrorIs(t, utcB.Merge(builder(time.FixedZone("UTC", 5*3600))), ErrInconsistent, "a zone named UTC five hours off is not UTC")
	assert.NoError(t, utcB.Merge(builder(time.FixedZone("anything", 0))), "an offset of zero is UTC")
	assert.NoError(t, builder(time.FixedZone("A", 3600)).Merge(builder(time.FixedZone("B", 3600))), "equal offsets are one zone")

	for _, c := range []struct {
		loc  *time.Location
		want string
	}{
		{time.UTC, "UTC"}, {time.FixedZone("", 0), "UTC"}, {time.FixedZone("", 3600), "+01:00"},
		{time.FixedZone("IST", 5*3600+1800), "+05:30"}, {time.FixedZone("LMT", -(4*3600 + 56*60 + 2)), "-04:56:02"},
		{ny, "America/New_York"},
	} {
		b := builder(c.loc)
		// Method expressions, not values: a method value of a value
		// receiver copies b when it is made, and that copy shares b's
		// state, which the Merge below changes.
		for _, enc := range []func(CohortBuilder) ([]byte, error){CohortBuilder.MarshalJSON, CohortBuilder.MarshalBinary} {
			data, err := enc(*b)
			require.NoError(t, err)
			assert.Contains(t, string(data), c.want)
			var back CohortBuilder
			decodeEither(t, data, &back)
			require.NoError(t, b.Merge(&back), "the decoded builder is the same zone")
			want, _ := builder(c.loc).Table()
			got, _ := back.Table()
			assert.True(t, want.Rows[0].Start.Equal(got.Rows[0].Start), "%s: %s vs %s", c.want, want.Rows[0].Start, got.Rows[0].Start)
		}
	}

	for _, bad := range []*time.Location{time.FixedZone("", 24*3600), time.FixedZone("x", -25*3600)} {
		_, err := NewCohortBuilder(CohortOptions{Location: bad})
		assert.ErrorIs(t, err, ErrOutOfRange)
	}
	// A zone that borrowed an IANA name with other rules has no identity.
	fake, err := time.LoadLocationFromTZData("Europe/Berlin", fakeZoneData())
	require.NoError(t, err)
	_, off := time.Date(2000, 1, 1, 0, 0, 0, 0, fake).Zone()
	require.Equal(t, 10*3600, off, "the fake zone loaded")
	_, err = NewCohortBuilder(CohortOptions{Location: fake})
	assert.ErrorIs(t, err, ErrOutOfRange)
}

// fakeZoneData returns a TZif file with one transition, in 1970, from
// +09:00 to +10:00: rules that are not any real zone's.
func fakeZoneData() []byte {
	be32 := func(b []byte, v int32) []byte { return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v)) }
	b := append([]byte("TZif"), make([]byte, 16)...)
	for _, c := range []int32{0, 0, 0, 1, 2, 8} { // isut, isstd, leap, transitions, types, chars
		b = be32(b, c)
	}
	b = be32(b, 0)                     // the transition, at the Unix epoch
	b = append(b, 1)                   // to type 1
	b = append(be32(b, 9*3600), 0, 0)  // type 0: +09:00 "AAA"
	b = append(be32(b, 10*3600), 0, 4) // type 1: +10:00 "BBB"
	return append(b, "AAA\x00BBB\x00"...)
}

// 9. Equal instants encode alike whatever the zones and the merge order;
// local mean time survives the trip to the second.
func TestOrderStatsEncodeInstants(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	ny, _ := time.LoadLocation("America/New_York")
	at := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	a := Order{CustomerID: "c", Time: at.In(tokyo), Amount: one}
	b := Order{CustomerID: "c", Time: at.In(ny), Amount: one}
	var x, y OrderStats
	require.NoError(t, x.Add(a))
	require.NoError(t, x.Add(b))
	require.NoError(t, y.Add(b))
	require.NoError(t, y.Add(a))
	jx, _ := json.Marshal(x)
	jy, _ := json.Marshal(y)
	assert.Equal(t, string(jx), string(jy))

	lmt := time.Date(1880, 1, 1, 12, 0, 0, 0, ny) // -04:56:02, local mean time
	var s OrderStats
	require.NoError(t, s.Add(Order{CustomerID: "old", Time: lmt, Amount: one}))
	for _, enc := range []func() ([]byte, error){s.MarshalJSON, s.MarshalBinary} {
		data, err := enc()
		require.NoError(t, err)
		var back OrderStats
		decodeEither(t, data, &back)
		assert.True(t, back.Summaries()[0].First.Equal(lmt), "%s vs %s", back.Summaries()[0].First, lmt)
	}

	// Add refuses what the encodings cannot hold: year 10000 in UTC.
	late := time.Date(9999, 12, 31, 23, 0, 0, 0, time.FixedZone("", -5*3600))
	assert.ErrorIs(t, s.Add(Order{CustomerID: "x", Time: late, Amount: one}), ErrOutOfRange)
}

// 10. Adding to one customer's periods stays cheap in any order: a
// hundred thousand days backwards is as quick as forwards.
func TestCohortBuilderManyPeriodsOutOfOrder(t *testing.T) {
	const days = 100_000
	start := time.Date(1800, 1, 1, 12, 0, 0, 0, time.UTC)
	var backwards, forwards CohortBuilder
	backwards.opts.Period, forwards.opts.Period = Day, Day
	within(t, 20*time.Second, "100,000 days backwards", func() {
		for i := days - 1; i >= 0; i-- {
			require.NoError(t, backwards.Add(Order{CustomerID: "a", Time: start.AddDate(0, 0, i), Amount: one}))
		}
	})
	for i := 0; i < days; i++ {
		require.NoError(t, forwards.Add(Order{CustomerID: "a", Time: start.AddDate(0, 0, i), Amount: one}))
	}
	fj, err := forwards.MarshalBinary()
	require.NoError(t, err)
	bj, err := backwards.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, fj, bj)
}
