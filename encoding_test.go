package cxmetrics

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
	if err != nil {
		t.Skip("no time zone database:", err)
	}
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

// FuzzDecodeAccumulators feeds arbitrary payloads to every decoder: none
// may panic, every error wraps a sentinel, and what decodes encodes again
// to a payload that decodes to the same thing.
func FuzzDecodeAccumulators(f *testing.F) {
	f.Add([]byte(`{"promoters":"2.5","passives":"0.5","detractors":"1","sum_squares":"7.5","responses":3}`))
	f.Add([]byte(`{"scale":{"min":1,"max":5,"positive":4},"counts":[0,1,0,0,2]}`))
	f.Add([]byte(`{"currency":"USD","customers":[{"id":"a","orders":1,"revenue":"1","first":"2024-01-01T00:00:00Z","last":"2024-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`{"period":"day","location":"UTC","currency":null,"customers":[{"id":"a","cells":[{"period":5,"active":true,"revenue":"1"},{"period":9,"active":false,"revenue":"-1"}]}]}`))
	sentinels := []error{ErrNoData, ErrOutOfRange, ErrNegative, ErrInconsistent, ErrCurrencyMismatch}
	isSentinel := func(err error) bool {
		for _, s := range sentinels {
			if errors.Is(err, s) {
				return true
			}
		}
		return false
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var w WeightedNPSTally
		var st ScaleTally
		var os OrderStats
		var cb CohortBuilder
		for _, v := range []json.Unmarshaler{&w, &st, &os, &cb} {
			err := v.UnmarshalJSON(data)
			if err != nil {
				if !isSentinel(err) {
					t.Fatalf("%T: error without a sentinel: %v", v, err)
				}
				continue
			}
			again, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%T: re-encoding: %v", v, err)
			}
			if err := v.UnmarshalJSON(again); err != nil {
				t.Fatalf("%T: decoding its own encoding %s: %v", v, again, err)
			}
			third, _ := json.Marshal(v)
			if string(third) != string(again) {
				t.Fatalf("%T: encoding is not stable:\n%s\n%s", v, again, third)
			}
		}
		if _, err := cb.Table(); err != nil && !isSentinel(err) {
			t.Fatalf("table: %v", err)
		}
		_, _ = w.Score()
		_, _ = st.Mean()
		_, _ = os.AOV()
	})
}
