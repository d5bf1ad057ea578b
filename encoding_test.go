package cxmetrics

import (
	"encoding"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeEither decodes data into v as JSON when it is an object, else as
// the binary form, and requires it to succeed.
func decodeEither(t *testing.T, data []byte, v interface {
	json.Unmarshaler
	encoding.BinaryUnmarshaler
}) {
	t.Helper()
	if data[0] == '{' {
		require.NoError(t, v.UnmarshalJSON(data))
	} else {
		require.NoError(t, v.UnmarshalBinary(data))
	}
}

// roundTrip encodes v and decodes it into out.
func roundTrip(t *testing.T, v, out any) {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, out), string(data))
}

func TestNPSTallyJSON(t *testing.T) {
	data, err := json.Marshal(NPSTally{Promoters: 5, Passives: 2, Detractors: 1})
	require.NoError(t, err)
	assert.JSONEq(t, `{"promoters":5,"passives":2,"detractors":1}`, string(data))
}

func TestWeightedNPSTallyJSON(t *testing.T) {
	var w WeightedNPSTally
	require.NoError(t, w.Add(WeightedResponse{10, dec("2.5")}))
	require.NoError(t, w.Add(WeightedResponse{0, dec("1")}))
	require.NoError(t, w.Add(WeightedResponse{7, dec("0.5")}))
	data, err := json.Marshal(w)
	require.NoError(t, err)
	// sum of squares 6.25 + 1 + 0.25
	assert.JSONEq(t, `{"promoters":"2.5","passives":"0.5","detractors":"1","sum_squares":"7.5","responses":3}`, string(data))
	var back WeightedNPSTally
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, w.Responses(), back.Responses())
	s1, _ := w.Score()
	s2, _ := back.Score()
	assert.True(t, s1.Equal(s2))
	assert.Equal(t, w.EffectiveN(), back.EffectiveN())

	for _, bad := range []struct {
		json string
		err  error
	}{
		{`{"promoters":"-1","passives":"0","detractors":"0","sum_squares":"0","responses":1}`, ErrNegative},
		{`{"promoters":"1","passives":"0","detractors":"0","sum_squares":"1","responses":-1}`, ErrNegative},
		{`{"promoters":"x","passives":"0","detractors":"0","sum_squares":"0","responses":1}`, ErrInconsistent},
		{`{"promoters":"1e5000","passives":"0","detractors":"0","sum_squares":"0","responses":1}`, ErrOutOfRange},
		{`[1,2]`, ErrInconsistent},
	} {
		before := back
		err := back.UnmarshalJSON([]byte(bad.json))
		assert.ErrorIs(t, err, bad.err, bad.json)
		assert.Equal(t, before, back, "unchanged on error")
	}
}

func TestScaleTallyJSON(t *testing.T) {
	var zero ScaleTally
	data, err := json.Marshal(zero)
	require.NoError(t, err)
	assert.JSONEq(t, `{"scale":{"min":1,"max":5,"positive":4},"counts":[0,0,0,0,0]}`, string(data))

	ces, _ := NewScaleTally(SevenPointCES)
	for _, s := range []int{7, 6, 6, 2} {
		require.NoError(t, ces.Add(s))
	}
	var back ScaleTally
	roundTrip(t, ces, &back)
	assert.Equal(t, SevenPointCES, back.Scale())
	assert.Equal(t, ces.Distribution(), back.Distribution())
	require.NoError(t, back.Merge(ces), "the decoded tally merges with its origin")
	assert.Equal(t, int64(8), back.Responses())

	for _, bad := range []struct {
		json string
		err  error
	}{
		{`{"scale":{"min":5,"max":1,"positive":3},"counts":[0,0,0,0,0]}`, ErrOutOfRange},
		{`{"scale":{"min":1,"max":5,"positive":4},"counts":[0,0,0]}`, ErrInconsistent},
		{`{"scale":{"min":1,"max":5,"positive":4},"counts":[0,0,-1,0,0]}`, ErrNegative},
		{`{"scale":`, ErrInconsistent},
	} {
		err := back.UnmarshalJSON([]byte(bad.json)) // json.Unmarshal rejects bad syntax itself
		assert.ErrorIs(t, err, bad.err, bad.json)
	}
}

func TestOrderStatsJSON(t *testing.T) {
	var s OrderStats
	for _, o := range shopOrders() {
		require.NoError(t, s.Add(o))
	}
	data, err := json.Marshal(s) // a value encodes too
	require.NoError(t, err)
	assert.JSONEq(t, `{"currency":"","customers":[
		{"id":"a","orders":2,"revenue":"25","first":"2024-01-05T00:00:00Z","last":"2024-02-01T00:00:00Z"},
		{"id":"b","orders":1,"revenue":"30.5","first":"2024-01-20T00:00:00Z","last":"2024-01-20T00:00:00Z"},
		{"id":"c","orders":2,"revenue":"9.99","first":"2024-01-01T00:00:00Z","last":"2024-03-01T00:00:00Z"},
		{"id":"d","orders":0,"revenue":"-2"}]}`, string(data))
	var back OrderStats
	require.NoError(t, json.Unmarshal(data, &back))
	assertSameStats(t, &s, &back)

	var empty OrderStats
	roundTrip(t, &empty, &back)
	assert.Equal(t, int64(0), back.Orders())
	require.NoError(t, back.Add(Order{CustomerID: "x", Time: day("2024-01-01"), Amount: dec("1"), Currency: "EUR"}), "no currency fixed yet")

	for _, bad := range []struct {
		json string
		err  error
	}{
		{`{"currency":"","customers":[{"id":"a","orders":1,"revenue":"1","first":"2024-01-01T00:00:00Z","last":"2024-01-01T00:00:00Z"},{"id":"a","orders":0,"revenue":"1"}]}`, ErrInconsistent},
		{`{"currency":"","customers":[{"id":"","orders":0,"revenue":"1"}]}`, ErrInconsistent},
		{`{"currency":"","customers":[{"id":"a","orders":-1,"revenue":"1"}]}`, ErrNegative},
		{`{"currency":"","customers":[{"id":"a","orders":1,"revenue":"1"}]}`, ErrInconsistent},
		{`{"currency":"","customers":[{"id":"a","orders":0,"revenue":"1","first":"2024-01-01T00:00:00Z","last":"2024-01-01T00:00:00Z"}]}`, ErrInconsistent},
		{`{"currency":"","customers":[{"id":"a","orders":1,"revenue":"1","first":"2024-02-01T00:00:00Z","last":"2024-01-01T00:00:00Z"}]}`, ErrInconsistent},
		{`{"currency":"","customers":[{"id":"a","orders":0,"revenue":"1e5000"}]}`, ErrOutOfRange},
	} {
		before := back.Summaries()
		err := back.UnmarshalJSON([]byte(bad.json))
		assert.ErrorIs(t, err, bad.err, bad.json)
		assert.Equal(t, before, back.Summaries(), "unchanged on error")
	}
}

// Partial results from other machines: shards encoded, decoded and merged
// equal the one-pass result.
func TestAccumulatorsMergeAcrossMachines(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for trial := 0; trial < 30; trial++ {
		orders := randomOrders(r, 1+r.IntN(200))
		opts := CohortOptions{Period: Period(r.IntN(5))}
		var whole, shardA, shardB OrderStats
		cWhole, _ := NewCohortBuilder(opts)
		cA, _ := NewCohortBuilder(opts)
		cB, _ := NewCohortBuilder(opts)
		for _, o := range orders {
			require.NoError(t, whole.Add(o))
			require.NoError(t, cWhole.Add(o))
			if r.IntN(2) == 0 {
				require.NoError(t, shardA.Add(o))
				require.NoError(t, cA.Add(o))
			} else {
				require.NoError(t, shardB.Add(o))
				require.NoError(t, cB.Add(o))
			}
		}
		var gotB OrderStats
		roundTrip(t, &shardB, &gotB)
		require.NoError(t, shardA.Merge(&gotB))
		assertSameStats(t, &whole, &shardA)

		var gotCB CohortBuilder
		roundTrip(t, cB, &gotCB)
		require.NoError(t, cA.Merge(&gotCB))
		want, err1 := cWhole.Table()
		got, err2 := cA.Table()
		if err1 != nil {
			assert.ErrorIs(t, err2, ErrNoData)
			continue
		}
		require.NoError(t, err2)
		assertSameTable(t, want, got)
	}
}

func TestCohortBuilderJSON(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err, "time/tzdata is linked into the tests")
	b, err := NewCohortBuilder(CohortOptions{Period: Week, Location: ny})
	require.NoError(t, err)
	for _, o := range cohortOrders() {
		require.NoError(t, b.Add(o))
	}
	var back CohortBuilder
	roundTrip(t, b, &back)
	assert.Equal(t, Week, back.Options().Period)
	assert.Equal(t, "America/New_York", back.Options().Location.String())
	want, err := b.Table()
	require.NoError(t, err)
	got, err := back.Table()
	require.NoError(t, err)
	assertSameTable(t, want, got)

	// Exact revenue beyond int64 survives the trip.
	big, _ := NewCohortBuilder(CohortOptions{})
	require.NoError(t, big.Add(Order{CustomerID: "a", Time: utc(2024, 1, 2), Amount: dec("12345678901234567890.123")}))
	require.NoError(t, big.Add(Order{CustomerID: "a", Time: utc(2024, 1, 3), Amount: dec("0.0000000000000000000001")}))
	roundTrip(t, big, &back)
	table, err := back.Table()
	require.NoError(t, err)
	assertDecimal(t, "12345678901234567890.1230000000000000000001", table.Rows[0].Revenue[0])

	for _, bad := range []struct {
		json string
		err  error
	}{
		{`{"period":"fortnight","location":"UTC","currency":null,"customers":[]}`, ErrOutOfRange},
		{`{"period":"month","location":"Mars/Olympus","currency":null,"customers":[]}`, ErrOutOfRange},
		{`{"period":"month","location":"UTC","currency":null,"customers":[{"id":"a","cells":[]},{"id":"a","cells":[]}]}`, ErrInconsistent},
		{`{"period":"month","location":"UTC","currency":null,"customers":[{"id":"","cells":[]}]}`, ErrInconsistent},
		{`{"period":"month","location":"UTC","currency":null,"customers":[{"id":"a","cells":[{"period":24290,"active":true,"revenue":"1"},{"period":24290,"active":true,"revenue":"1"}]}]}`, ErrInconsistent},
		{`{"period":"month","location":"UTC","currency":null,"customers":[{"id":"a","cells":[{"period":24290,"active":true,"revenue":"z"}]}]}`, ErrInconsistent},
		{`{"period":"month","location":"UTC","currency":null,"customers":[{"id":"a","cells":[{"period":2147483647,"active":true,"revenue":"1"}]}]}`, ErrOutOfRange},
		{`"nope"`, ErrInconsistent},
	} {
		before, _ := back.Table()
		err := back.UnmarshalJSON([]byte(bad.json))
		assert.ErrorIs(t, err, bad.err, bad.json)
		after, _ := back.Table()
		assertSameTable(t, before, after)
	}
}

// decoders are the accumulators' decoders, for the fuzz targets.
func decoders() []interface {
	json.Marshaler
	json.Unmarshaler
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
} {
	return []interface {
		json.Marshaler
		json.Unmarshaler
		encoding.BinaryMarshaler
		encoding.BinaryUnmarshaler
	}{&NPSTally{}, &WeightedNPSTally{}, &ScaleTally{}, &OrderStats{}, &CohortBuilder{}, &OrderDedup{}, &MRRBuilder{}}
}

var sentinels = []error{ErrNoData, ErrOutOfRange, ErrNegative, ErrInconsistent, ErrCurrencyMismatch, ErrUnknownCurrency}

func isSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// seedPayloads returns valid JSON and binary payloads of every accumulator,
// some with extreme values, for the fuzzers to mutate.
func seedPayloads() [][]byte {
	var out [][]byte
	add := func(vs ...interface {
		json.Marshaler
		encoding.BinaryMarshaler
	}) {
		for _, v := range vs {
			j, _ := v.MarshalJSON()
			b, _ := v.MarshalBinary()
			out = append(out, j, b)
		}
	}
	var w WeightedNPSTally
	_ = w.Add(WeightedResponse{Score: 10, Weight: dec("1e1000")})
	_ = w.Add(WeightedResponse{Score: 3, Weight: dec("1e-1000")})
	_ = w.Add(WeightedResponse{Score: 8, Weight: dec("123456789012345678901234567890.1234567891")})
	ces, _ := NewScaleTally(SevenPointCES)
	_ = ces.Add(7)
	var s OrderStats
	_ = s.Add(Order{CustomerID: "a", Time: utc(2024, 1, 1), Amount: dec("12.5"), Currency: "USD"})
	_ = s.Add(Order{CustomerID: "b", Time: utc(2024, 2, 1), Amount: dec("-1e999"), Currency: "USD"})
	b, _ := NewCohortBuilder(CohortOptions{Period: Day})
	_ = b.Add(Order{CustomerID: "a", Time: utc(2024, 1, 1), Amount: dec("99999999999999999999999.5")})
	_ = b.Add(Order{CustomerID: "a", Time: utc(9999, 12, 31), Amount: dec("1")})
	_ = b.Add(Order{CustomerID: "z", Time: utc(1, 1, 1), Amount: dec("-0.0000000000000000000001")})
	var d OrderDedup
	_, _, _ = d.SeenAt(Order{ID: "1", CustomerID: "a", Time: utc(2024, 1, 1), Amount: dec("12.5"), Currency: "USD"}, 3)
	_, _, _ = d.SeenAt(Order{ID: "2", CustomerID: "a", Time: utc(1200, 1, 1), Amount: dec("-1e999")}, 1<<40)
	// MRR is derived: Amount × 365 / 12 to 16 fractional digits has more
	// digits than an Amount may, and must still decode.
	m, _ := NewMRRBuilder(MRROptions{Period: Week, Until: utc(2025, 1, 1)})
	for i, sp := range []struct {
		amount string
		every  BillingInterval
	}{{"1e1000", BillingInterval{Year, 1}}, {"1234567890123456789012345678901234567890", BillingInterval{Day, 7}}, {"1e-1000", BillingInterval{Week, 3}}, {"49.99", BillingInterval{Month, 1}}} {
		_ = m.Add(SubscriptionSpan{CustomerID: "c", SubscriptionID: string(rune('a' + i)), Start: utc(2024, 1, i+1), Amount: dec(sp.amount), Interval: sp.every, Currency: "EUR"})
	}
	add(&NPSTally{Promoters: 5, Passives: 2, Detractors: 1}, &w, ces, &s, b, &d, m)
	return out
}

// FuzzDecodeAccumulators feeds arbitrary payloads, JSON and binary, to
// every decoder: none may panic, every error wraps a sentinel, and what
// decodes encodes again, in both forms, to payloads that decode to the same
// accumulator and encode to the same bytes.
func FuzzDecodeAccumulators(f *testing.F) {
	for _, p := range seedPayloads() {
		f.Add(p)
	}
	f.Add([]byte(`{"period":"day","location":"UTC","currency":null,"customers":[{"id":"a","cells":[{"period":5,"active":true,"revenue":"1"},{"period":9,"active":false,"revenue":"-1"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, v := range decoders() {
			for _, decode := range []func([]byte) error{v.UnmarshalJSON, v.UnmarshalBinary} {
				if err := decode(data); err != nil {
					if !isSentinel(err) {
						t.Fatalf("%T: error without a sentinel: %v", v, err)
					}
					continue
				}
				j1, err := v.MarshalJSON()
				if err != nil {
					t.Fatalf("%T: re-encoding JSON: %v", v, err)
				}
				b1, err := v.MarshalBinary()
				if err != nil {
					t.Fatalf("%T: re-encoding binary: %v", v, err)
				}
				if err := v.UnmarshalJSON(j1); err != nil {
					t.Fatalf("%T: decoding its own JSON %s: %v", v, j1, err)
				}
				if j2, _ := v.MarshalJSON(); string(j2) != string(j1) {
					t.Fatalf("%T: JSON is not stable:\n%s\n%s", v, j1, j2)
				}
				if err := v.UnmarshalBinary(b1); err != nil {
					t.Fatalf("%T: decoding its own binary %x: %v", v, b1, err)
				}
				if b2, _ := v.MarshalBinary(); string(b2) != string(b1) {
					t.Fatalf("%T: binary is not stable:\n%x\n%x", v, b1, b2)
				}
			}
		}
	})
}

func TestNPSTallyUnmarshalChecks(t *testing.T) {
	var tally NPSTally
	require.NoError(t, json.Unmarshal([]byte(`{"promoters":5,"passives":2,"detractors":1}`), &tally))
	assert.Equal(t, NPSTally{5, 2, 1}, tally)
	for _, bad := range []struct {
		json string
		err  error
	}{
		{`{"promoters":-1,"passives":0,"detractors":0}`, ErrNegative},
		{`{"promoters":9223372036854775807,"passives":1,"detractors":0}`, ErrOutOfRange},
		{`{"promoters":"x"}`, ErrInconsistent},
	} {
		err := tally.UnmarshalJSON([]byte(bad.json))
		assert.ErrorIs(t, err, bad.err, bad.json)
		assert.Equal(t, NPSTally{5, 2, 1}, tally, "unchanged on error")
	}
	// A tally with a negative count cannot be merged or encoded.
	poisoned := NPSTally{Promoters: -3}
	assert.ErrorIs(t, tally.Merge(&poisoned), ErrNegative)
	assert.Equal(t, NPSTally{5, 2, 1}, tally)
	_, err := poisoned.MarshalBinary()
	assert.ErrorIs(t, err, ErrNegative)
}

// Every malformed binary payload is an error with a sentinel, and the
// receiver is unchanged.
func TestBinaryDecodingChecks(t *testing.T) {
	valid := func(v encoding.BinaryMarshaler) []byte {
		b, err := v.MarshalBinary()
		require.NoError(t, err)
		return b
	}
	var stats OrderStats
	require.NoError(t, stats.Add(Order{CustomerID: "a", Time: utc(2024, 1, 1), Amount: dec("1.5")}))
	require.NoError(t, stats.Add(Order{CustomerID: "b", Time: utc(2024, 1, 2), Amount: dec("2")}))
	statsBytes := valid(stats)
	nps := valid(NPSTally{1, 2, 3})
	for _, c := range []struct {
		name string
		into encoding.BinaryUnmarshaler
		data []byte
		err  error
	}{
		{"empty", &NPSTally{}, nil, ErrInconsistent},
		{"not ours", &NPSTally{}, []byte("PK\x03\x04"), ErrInconsistent},
		{"other type", &ScaleTally{}, nps, ErrInconsistent},
		{"future version", &NPSTally{}, append([]byte("cx\x01\x02"), nps[4:]...), ErrInconsistent},
		{"truncated", &NPSTally{}, nps[:len(nps)-1], ErrInconsistent},
		{"trailing bytes", &NPSTally{}, append(slices.Clone(nps), 0), ErrInconsistent},
		{"count beyond int64", &NPSTally{}, []byte("cx\x01\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x00\x00"), ErrOutOfRange},
		{"overflowing total", &NPSTally{}, []byte("cx\x01\x01\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x01\x00"), ErrOutOfRange},
		// 'c' 'x' tag 4 v1, currency unset, "", 2 customers: "b" then "a"
		{"customers out of order", &OrderStats{}, []byte("cx\x04\x01\x00\x00\x02\x01b\x00\x00\x00\x00\x01a\x00\x00\x00\x00"), ErrInconsistent},
		{"a count beyond the payload", &OrderStats{}, []byte("cx\x04\x01\x00\x00\xff\xff\xff\xff\x0f"), ErrInconsistent},
		// decimal 10 written as coefficient 10, exponent 0: not canonical
		{"decimal with a trailing zero", &OrderStats{}, []byte("cx\x04\x01\x00\x00\x01\x01a\x00\x00\x00\x14"), ErrInconsistent},
		{"decimal exponent beyond the bounds", &OrderStats{}, []byte("cx\x04\x01\x00\x00\x01\x01a\x00\xa0\x1f\x00\x02"), ErrOutOfRange},
		{"unknown currency", &OrderStats{}, []byte("cx\x04\x01\x01\x03XYZ\x00"), ErrUnknownCurrency},
		{"scale with too many values", &ScaleTally{}, []byte("cx\x03\x01\x00\xd0\x0f\x02"), ErrOutOfRange},
		{"cohort period Add cannot produce", &CohortBuilder{}, []byte("cx\x05\x01\x00\x03UTC\x00\x00\x01\x01a\x01\x0a\x01\x00\x00\x02"), ErrOutOfRange},
		{"cohort zone unknown", &CohortBuilder{}, []byte("cx\x05\x01\x00\x04Mars\x00\x00\x00"), ErrOutOfRange},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, _ := json.Marshal(c.into)
			err := c.into.UnmarshalBinary(c.data)
			assert.ErrorIs(t, err, c.err)
			after, _ := json.Marshal(c.into)
			assert.Equal(t, string(before), string(after), "unchanged on error")
		})
	}
	var back OrderStats
	require.NoError(t, back.UnmarshalBinary(statsBytes))
	assertSameStats(t, &stats, &back)
}
