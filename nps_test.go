package cxmetrics

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// assertDecimal checks want.Equal(got), printing both on failure.
func assertDecimal(t *testing.T, want string, got decimal.Decimal, msgAndArgs ...any) {
	t.Helper()
	assert.Truef(t, dec(want).Equal(got), "want %s, got %s %v", want, got, msgAndArgs)
}

func TestClassifyNPS(t *testing.T) {
	tests := []struct {
		score int
		want  NPSGroup
		err   error
	}{
		{-1, 0, ErrOutOfRange},
		{0, Detractor, nil},
		{6, Detractor, nil},
		{7, Passive, nil},
		{8, Passive, nil},
		{9, Promoter, nil},
		{10, Promoter, nil},
		{11, 0, ErrOutOfRange},
	}
	for _, tt := range tests {
		got, err := ClassifyNPS(tt.score)
		if tt.err != nil {
			assert.ErrorIs(t, err, tt.err, "score %d", tt.score)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, "score %d", tt.score)
	}
}

func TestNPSGroupString(t *testing.T) {
	assert.Equal(t, "detractor", Detractor.String())
	assert.Equal(t, "passive", Passive.String())
	assert.Equal(t, "promoter", Promoter.String())
	assert.Equal(t, "NPSGroup(7)", NPSGroup(7).String())
}

func TestNPS(t *testing.T) {
	tests := []struct {
		name   string
		scores []int
		want   string
		err    error
		errMsg string
	}{
		// 2 promoters (9, 10), 2 passives, 2 detractors: (2-2)/6*100 = 0
		{"balanced", []int{9, 10, 7, 8, 0, 6}, "0", nil, ""},
		{"all promoters", []int{10, 10, 9}, "100", nil, ""},
		{"one detractor", []int{0}, "-100", nil, ""},
		// 3 promoters, 1 passive, 1 detractor: (3-1)/5*100 = 40
		{"forty", []int{9, 9, 10, 7, 0}, "40", nil, ""},
		// 3 promoters, 1 passive, 2 detractors: 1/6*100 = 16.666…, 16 digits rounded half up
		{"sixth", []int{10, 9, 8, 6, 5, 10}, "16.6666666666666667", nil, ""},
		// 1 promoter, 2 detractors: -1/3*100 = -33.333…
		{"negative third", []int{10, 3, 4}, "-33.3333333333333333", nil, ""},
		{"empty", nil, "", ErrNoData, "cxmetrics: NPS of no answers: no data"},
		{"too high", []int{5, 11}, "", ErrOutOfRange, "cxmetrics: score 11 at index 1 not in 0..10: out of range"},
		{"negative", []int{-1, 5}, "", ErrOutOfRange, "cxmetrics: score -1 at index 0 not in 0..10: out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NPS(tt.scores)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.EqualError(t, err, tt.errMsg)
				return
			}
			require.NoError(t, err)
			assertDecimal(t, tt.want, got)
		})
	}
}

func TestNPSTallyAddRejectedLeavesTallyUnchanged(t *testing.T) {
	tally := NPSTally{Promoters: 1, Passives: 2, Detractors: 3}
	for _, s := range []int{-5, -1, 11, 100} {
		require.ErrorIs(t, tally.Add(s), ErrOutOfRange)
		assert.Equal(t, NPSTally{1, 2, 3}, tally)
	}
}

func TestNPSTallyScoreErrors(t *testing.T) {
	_, err := (&NPSTally{}).Score()
	assert.ErrorIs(t, err, ErrNoData)
	_, err = (&NPSTally{Promoters: 2, Detractors: -1}).Score()
	assert.ErrorIs(t, err, ErrNegative)
	_, err = (&NPSTally{Promoters: 1 << 62, Passives: 1 << 62, Detractors: 1 << 62}).Score()
	assert.ErrorIs(t, err, ErrOutOfRange)
	_, err = (&NPSTally{}).StandardError()
	assert.ErrorIs(t, err, ErrNoData)
	_, _, err = (&NPSTally{}).ConfidenceInterval(0.95)
	assert.ErrorIs(t, err, ErrNoData)
	_, _, err = (&NPSTally{Passives: -1}).ConfidenceInterval(0.95)
	assert.ErrorIs(t, err, ErrNegative)
}

func TestNPSTallyStandardError(t *testing.T) {
	tests := []struct {
		tally NPSTally
		want  float64
	}{
		// p+ = .5, p- = .2: sqrt((0.7 - 0.09)/100)*100 = sqrt(0.0061)*100
		{NPSTally{50, 30, 20}, 7.810249675906654},
		// p+ = .3, p- = .4: sqrt((0.7 - 0.01)/100)*100
		{NPSTally{30, 30, 40}, 8.306623862918075},
		// all promoters: no variance
		{NPSTally{Promoters: 7}, 0},
		// one promoter, one detractor: Var = 1, SE = sqrt(1/2)*100
		{NPSTally{Promoters: 1, Detractors: 1}, 70.71067811865476},
	}
	for _, tt := range tests {
		got, err := tt.tally.StandardError()
		require.NoError(t, err)
		assert.InDelta(t, tt.want, got, 1e-9, "%+v", tt.tally)
	}
}

func TestNPSTallyConfidenceInterval(t *testing.T) {
	// Expected values from an independent Python implementation of Rocks'
	// adjusted Wald interval with statistics.NormalDist().inv_cdf.
	tests := []struct {
		name   string
		tally  NPSTally
		level  float64
		lo, hi float64
	}{
		// n+3 = 103, p+ = 50.75/103, p- = 20.75/103, z = 1.959964
		{"issue example 95%", NPSTally{50, 30, 20}, 0.95, 14.051130178761609, 44.201297005704404},
		{"issue example 90%", NPSTally{50, 30, 20}, 0.90, 16.474804778175965, 41.77762240629005},
		// all promoters: the upper bound is clamped to 100
		{"clamped", NPSTally{Promoters: 10}, 0.95, 47.50355154479021, 100},
		{"single detractor", NPSTally{Detractors: 1}, 0.95, -98.49864942025202, 48.49864942025202},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, hi, err := tt.tally.ConfidenceInterval(tt.level)
			require.NoError(t, err)
			assert.InDelta(t, tt.lo, lo, 1e-9)
			assert.InDelta(t, tt.hi, hi, 1e-9)
		})
	}
	for _, level := range []float64{0, 1, -0.5, 1.5, nan()} {
		_, _, err := (&NPSTally{1, 1, 1}).ConfidenceInterval(level)
		assert.ErrorIs(t, err, ErrOutOfRange, "level %v", level)
	}
}

func nan() float64 { z := 0.0; return z / z }

func TestCompareNPS(t *testing.T) {
	// a: NPS 30, SE 7.8102; b: NPS -10, SE 8.3066; SE = sqrt(61 + 69) = sqrt(130)
	got, err := CompareNPS(&NPSTally{50, 30, 20}, &NPSTally{30, 30, 40})
	require.NoError(t, err)
	assert.InDelta(t, 40, got.Difference, 1e-12)
	assert.InDelta(t, 11.40175425099138, got.StandardError, 1e-9)
	assert.InDelta(t, 3.5082320772281173, got.Z, 1e-9)
	assert.InDelta(t, 0.00045109534761422765, got.PValue, 1e-12)

	// swapped: the sign of the difference flips, the p-value stays
	rev, err := CompareNPS(&NPSTally{30, 30, 40}, &NPSTally{50, 30, 20})
	require.NoError(t, err)
	assert.InDelta(t, -40, rev.Difference, 1e-12)
	assert.InDelta(t, got.PValue, rev.PValue, 1e-15)

	// identical samples: z = 0, p = 1
	same, err := CompareNPS(&NPSTally{5, 5, 5}, &NPSTally{5, 5, 5})
	require.NoError(t, err)
	assert.Equal(t, 0.0, same.Z)
	assert.InDelta(t, 1, same.PValue, 1e-15)

	_, err = CompareNPS(&NPSTally{}, &NPSTally{1, 1, 1})
	assert.ErrorIs(t, err, ErrNoData)
	_, err = CompareNPS(&NPSTally{1, 1, 1}, &NPSTally{})
	assert.ErrorIs(t, err, ErrNoData)
	_, err = CompareNPS(&NPSTally{Promoters: 3}, &NPSTally{Detractors: 4})
	assert.ErrorIs(t, err, ErrNoData, "zero variance in both")
	_, err = CompareNPS(&NPSTally{Promoters: -3}, &NPSTally{Detractors: 4})
	assert.ErrorIs(t, err, ErrNegative)
}

func TestWeightedNPSTally(t *testing.T) {
	var w WeightedNPSTally
	require.NoError(t, w.Add(WeightedResponse{10, dec("2")}))
	require.NoError(t, w.Add(WeightedResponse{0, dec("1")}))
	require.NoError(t, w.Add(WeightedResponse{8, dec("1")}))
	require.NoError(t, w.Add(WeightedResponse{9, decimal.Zero}))
	// (2 - 1) / 4 * 100 = 25
	got, err := w.Score()
	require.NoError(t, err)
	assertDecimal(t, "25", got)
	assert.Equal(t, int64(4), w.Responses())
	assertDecimal(t, "4", w.TotalWeight())
	// Kish: 4^2 / (4 + 1 + 1) = 2.6667
	assert.InDelta(t, 16.0/6, w.EffectiveN(), 1e-12)
	se, err := w.StandardError()
	require.NoError(t, err)
	assert.InDelta(t, 50.77524002897476, se, 1e-9) // p+ .5, p- .25 on n 8/3
	lo, hi, err := w.ConfidenceInterval(0.95)
	require.NoError(t, err)
	assert.InDelta(t, -52.21364654999731, lo, 1e-9)
	assert.InDelta(t, 75.74305831470319, hi, 1e-9)

	// rejected answers change nothing
	before := w
	assert.ErrorIs(t, w.Add(WeightedResponse{11, dec("1")}), ErrOutOfRange)
	assert.ErrorIs(t, w.Add(WeightedResponse{5, dec("-0.5")}), ErrNegative)
	assert.Equal(t, before, w)

	var empty WeightedNPSTally
	_, err = empty.Score()
	assert.ErrorIs(t, err, ErrNoData)
	_, err = empty.StandardError()
	assert.ErrorIs(t, err, ErrNoData)
	_, _, err = empty.ConfidenceInterval(0.95)
	assert.ErrorIs(t, err, ErrNoData)
	assert.Equal(t, 0.0, empty.EffectiveN())
	require.NoError(t, empty.Add(WeightedResponse{10, decimal.Zero}))
	_, err = empty.Score()
	assert.ErrorIs(t, err, ErrNoData, "only zero weights")
	_, _, err = w.ConfidenceInterval(1)
	assert.ErrorIs(t, err, ErrOutOfRange)
}

// With equal weights the weighted tally is the plain tally: same score,
// n_eff = n, same interval. An independent check of the weighted code.
func TestWeightedNPSTallyEqualWeightsMatchUnweighted(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		var plain NPSTally
		var weighted WeightedNPSTally
		weight := decimal.New(int64(1+r.IntN(50)), -1)
		for i := 0; i < 1+r.IntN(200); i++ {
			s := r.IntN(11)
			require.NoError(t, plain.Add(s))
			require.NoError(t, weighted.Add(WeightedResponse{s, weight}))
		}
		want, err := plain.Score()
		require.NoError(t, err)
		got, err := weighted.Score()
		require.NoError(t, err)
		assert.True(t, want.Equal(got), "%s vs %s", want, got)
		assert.InDelta(t, float64(plain.Responses()), weighted.EffectiveN(), 1e-9)
		lo1, hi1, err := plain.ConfidenceInterval(0.95)
		require.NoError(t, err)
		lo2, hi2, err := weighted.ConfidenceInterval(0.95)
		require.NoError(t, err)
		assert.InDelta(t, lo1, lo2, 1e-9)
		assert.InDelta(t, hi1, hi2, 1e-9)
	}
}

// Property: tallies of any split of the answers, merged in any order, give
// the one-pass score, and the score stays in [-100, 100].
func TestNPSTallyMergeAnyOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 200; trial++ {
		scores := make([]int, 1+r.IntN(300))
		for i := range scores {
			scores[i] = r.IntN(11)
		}
		var whole NPSTally
		var wholeW WeightedNPSTally
		shards := make([]NPSTally, 1+r.IntN(6))
		shardsW := make([]WeightedNPSTally, len(shards))
		for i, s := range scores {
			require.NoError(t, whole.Add(s))
			k := r.IntN(len(shards))
			require.NoError(t, shards[k].Add(s))
			w := decimal.New(int64(i%7), -2)
			require.NoError(t, wholeW.Add(WeightedResponse{s, w}))
			require.NoError(t, shardsW[k].Add(WeightedResponse{s, w}))
		}
		var merged NPSTally
		var mergedW WeightedNPSTally
		for _, k := range r.Perm(len(shards)) {
			require.NoError(t, merged.Merge(&shards[k]))
			require.NoError(t, mergedW.Merge(&shardsW[k]))
		}
		assert.Equal(t, whole, merged)
		want, err := whole.Score()
		require.NoError(t, err)
		got, err := merged.Score()
		require.NoError(t, err)
		assert.True(t, want.Equal(got))
		assert.True(t, got.GreaterThanOrEqual(dec("-100")) && got.LessThanOrEqual(dec("100")), "NPS %s", got)
		assert.True(t, wholeW.TotalWeight().Equal(mergedW.TotalWeight()))
		assert.Equal(t, wholeW.Responses(), mergedW.Responses())
		assert.InDelta(t, wholeW.EffectiveN(), mergedW.EffectiveN(), 1e-9)
	}
}

func FuzzNPSTallyAdd(f *testing.F) {
	f.Add([]byte{0, 6, 7, 8, 9, 10})
	f.Add([]byte{11, 255, 10})
	f.Fuzz(func(t *testing.T, data []byte) {
		var tally NPSTally
		var want [3]int64
		for _, b := range data {
			s := int(int8(b)) // -128..127: mostly out of range
			before := tally
			err := tally.Add(s)
			if s < 0 || s > 10 {
				if !errors.Is(err, ErrOutOfRange) || tally != before {
					t.Fatalf("Add(%d): err %v, tally %+v -> %+v", s, err, before, tally)
				}
				continue
			}
			if err != nil {
				t.Fatalf("Add(%d): %v", s, err)
			}
			switch {
			case s >= 9:
				want[2]++
			case s >= 7:
				want[1]++
			default:
				want[0]++
			}
		}
		if got := [3]int64{tally.Detractors, tally.Passives, tally.Promoters}; got != want {
			t.Fatalf("counts %v, want %v", got, want)
		}
		score, err := tally.Score()
		if tally.Responses() == 0 {
			if !errors.Is(err, ErrNoData) {
				t.Fatalf("empty tally: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if score.LessThan(decimal.NewFromInt(-100)) || score.GreaterThan(decimal.NewFromInt(100)) {
			t.Fatalf("NPS %s out of [-100, 100] for %+v", score, tally)
		}
		lo, hi, err := tally.ConfidenceInterval(0.95)
		if err != nil || lo < -100 || hi > 100 || lo > hi {
			t.Fatalf("interval [%v, %v], %v for %+v", lo, hi, err, tally)
		}
	})
}

func FuzzWeightedNPSTally(f *testing.F) {
	f.Add([]byte{10, 1, 0, 2, 8, 3}, int32(-1))
	f.Add([]byte{11, 5, 200, 1}, int32(3))
	f.Fuzz(func(t *testing.T, data []byte, exp int32) {
		if exp < -20 || exp > 20 {
			return
		}
		var tally, evens, odds WeightedNPSTally
		var plain NPSTally
		for i := 0; i+1 < len(data); i += 2 {
			score := int(int8(data[i]))
			w := decimal.New(int64(int8(data[i+1])), exp)
			before := tally
			err := tally.Add(WeightedResponse{score, w})
			switch {
			case score < 0 || score > 10:
				if !errors.Is(err, ErrOutOfRange) || tally != before {
					t.Fatalf("Add(%d, %s): %v", score, w, err)
				}
				continue
			case w.IsNegative():
				if !errors.Is(err, ErrNegative) || tally != before {
					t.Fatalf("Add(%d, %s): %v", score, w, err)
				}
				continue
			case err != nil:
				t.Fatal(err)
			}
			_ = plain.Add(score)
			if i%4 == 0 {
				_ = evens.Add(WeightedResponse{score, w})
			} else {
				_ = odds.Add(WeightedResponse{score, w})
			}
		}
		_ = evens.Merge(&odds)
		if !evens.TotalWeight().Equal(tally.TotalWeight()) || evens.Responses() != plain.Responses() {
			t.Fatalf("merged weight %s vs %s", evens.TotalWeight(), tally.TotalWeight())
		}
		score, err := tally.Score()
		if tally.TotalWeight().IsZero() {
			if !errors.Is(err, ErrNoData) {
				t.Fatalf("zero weight: %v", err)
			}
			return
		}
		if err != nil || score.LessThan(decimal.NewFromInt(-100)) || score.GreaterThan(decimal.NewFromInt(100)) {
			t.Fatalf("score %s, %v", score, err)
		}
		if n := tally.EffectiveN(); n <= 0 || n > float64(tally.Responses())+1e-9 {
			t.Fatalf("effective n %v of %d responses", n, tally.Responses())
		}
		lo, hi, err := tally.ConfidenceInterval(0.9)
		if err != nil || lo < -100 || hi > 100 || lo > hi {
			t.Fatalf("interval [%v, %v], %v", lo, hi, err)
		}
	})
}
