package cxmetrics

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScaleValidate(t *testing.T) {
	tests := []struct {
		scale Scale
		ok    bool
	}{
		{FivePoint, true},
		{SevenPointCES, true},
		{Scale{0, 100, 50}, true},
		{Scale{1, 5, 1}, true},
		{Scale{1, 5, 5}, true},
		{Scale{5, 1, 3}, false},
		{Scale{3, 3, 3}, false},
		{Scale{1, 5, 6}, false},
		{Scale{1, 5, 0}, false},
		{Scale{0, 101, 50}, false},
		{Scale{}, false},
	}
	for _, tt := range tests {
		err := tt.scale.Validate()
		if tt.ok {
			assert.NoError(t, err, "%+v", tt.scale)
		} else {
			assert.ErrorIs(t, err, ErrOutOfRange, "%+v", tt.scale)
		}
	}
}

func TestCSAT(t *testing.T) {
	tests := []struct {
		name   string
		scores []int
		want   string
		err    error
		errMsg string
	}{
		{"one of each", []int{5, 4, 3, 2, 1}, "0.4", nil, ""}, // 2 of 5
		{"all satisfied", []int{5, 5, 4}, "1", nil, ""},
		{"none satisfied", []int{1, 2, 3}, "0", nil, ""},
		{"a third", []int{5, 3, 3}, "0.3333333333333333", nil, ""}, // 1/3 to 16 digits
		{"two thirds", []int{5, 4, 3}, "0.6666666666666667", nil, ""},
		{"empty", []int{}, "", ErrNoData, "cxmetrics: positive share of no answers: no data"},
		{"zero", []int{0}, "", ErrOutOfRange, "cxmetrics: score 0 at index 0 not in 1..5: out of range"},
		{"six", []int{5, 6}, "", ErrOutOfRange, "cxmetrics: score 6 at index 1 not in 1..5: out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CSAT(tt.scores)
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

func TestCES(t *testing.T) {
	tests := []struct {
		name   string
		scores []int
		want   string
		err    error
	}{
		{"mixed", []int{7, 6, 5, 1}, "4.75", nil}, // 19 / 4
		{"low", []int{1, 2}, "1.5", nil},
		{"thirds", []int{7, 7, 6}, "6.6666666666666667", nil}, // 20 / 3
		{"bounds", []int{1, 7}, "4", nil},
		{"empty", nil, "", ErrNoData},
		{"eight", []int{8}, "", ErrOutOfRange},
		{"zero", []int{3, 0}, "", ErrOutOfRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CES(tt.scores)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assertDecimal(t, tt.want, got)
		})
	}
}

func TestScaleTally(t *testing.T) {
	var zero ScaleTally
	assert.Equal(t, FivePoint, zero.Scale())
	assert.Equal(t, []int64{0, 0, 0, 0, 0}, zero.Distribution())
	assert.Equal(t, int64(0), zero.Responses())
	_, err := zero.Mean()
	assert.ErrorIs(t, err, ErrNoData)
	_, err = zero.PositiveShare()
	assert.ErrorIs(t, err, ErrNoData)

	ten, err := NewScaleTally(Scale{Min: 0, Max: 10, Positive: 9})
	require.NoError(t, err)
	for _, s := range []int{0, 10, 9, 5} {
		require.NoError(t, ten.Add(s))
	}
	assert.ErrorIs(t, ten.Add(11), ErrOutOfRange)
	assert.ErrorIs(t, ten.Add(-1), ErrOutOfRange)
	assert.Equal(t, []int64{1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1}, ten.Distribution())
	mean, err := ten.Mean() // 24 / 4
	require.NoError(t, err)
	assertDecimal(t, "6", mean)
	share, err := ten.PositiveShare() // 9 and 10: 2 of 4
	require.NoError(t, err)
	assertDecimal(t, "0.5", share)

	// The distribution is a copy.
	d := ten.Distribution()
	d[0] = 99
	assert.Equal(t, int64(1), ten.Distribution()[0])

	_, err = NewScaleTally(Scale{Min: 5, Max: 1, Positive: 3})
	assert.ErrorIs(t, err, ErrOutOfRange)

	// Merging different scales fails and changes nothing.
	var five ScaleTally
	require.NoError(t, five.Add(4))
	before := five.Clone()
	assert.ErrorIs(t, five.Merge(ten), ErrInconsistent)
	assert.Equal(t, before.Distribution(), five.Distribution())

	// A zero-value tally is on FivePoint and merges with an explicit one.
	explicit, err := NewScaleTally(FivePoint)
	require.NoError(t, err)
	require.NoError(t, explicit.Add(5))
	require.NoError(t, five.Merge(explicit))
	require.NoError(t, five.Merge(&ScaleTally{}))
	assert.Equal(t, []int64{0, 0, 0, 1, 1}, five.Distribution())

	// Clone is independent.
	c := five.Clone()
	require.NoError(t, c.Add(1))
	assert.Equal(t, int64(2), five.Responses())
	assert.Equal(t, int64(3), c.Responses())
}

// Property: any split of the answers, merged in any order, gives the one-pass
// distribution, and the positive share stays in [0, 1].
func TestScaleTallyMergeAnyOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 200; trial++ {
		whole, err := NewScaleTally(SevenPointCES)
		require.NoError(t, err)
		shards := make([]*ScaleTally, 1+r.IntN(5))
		for i := range shards {
			shards[i], err = NewScaleTally(SevenPointCES)
			require.NoError(t, err)
		}
		for i := 0; i < 1+r.IntN(300); i++ {
			s := 1 + r.IntN(7)
			require.NoError(t, whole.Add(s))
			require.NoError(t, shards[r.IntN(len(shards))].Add(s))
		}
		merged, err := NewScaleTally(SevenPointCES)
		require.NoError(t, err)
		for _, k := range r.Perm(len(shards)) {
			require.NoError(t, merged.Merge(shards[k]))
		}
		assert.Equal(t, whole.Distribution(), merged.Distribution())
		m1, err := whole.Mean()
		require.NoError(t, err)
		m2, err := merged.Mean()
		require.NoError(t, err)
		assert.True(t, m1.Equal(m2))
		share, err := merged.PositiveShare()
		require.NoError(t, err)
		assert.True(t, share.GreaterThanOrEqual(decimal.Zero) && share.LessThanOrEqual(one))
	}
}

func FuzzScaleTally(f *testing.F) {
	f.Add(int8(1), int8(5), int8(4), []byte{1, 2, 3, 4, 5, 6})
	f.Add(int8(0), int8(10), int8(9), []byte{0, 10, 200})
	f.Fuzz(func(t *testing.T, lo, hi, pos int8, data []byte) {
		s := Scale{Min: int(lo), Max: int(hi), Positive: int(pos)}
		tally, err := NewScaleTally(s)
		if err != nil {
			if !errors.Is(err, ErrOutOfRange) {
				t.Fatalf("NewScaleTally(%+v): %v", s, err)
			}
			return
		}
		var n, positives, sum int64
		for _, b := range data {
			v := int(int8(b))
			before := tally.Clone()
			err := tally.Add(v)
			if v < s.Min || v > s.Max {
				if !errors.Is(err, ErrOutOfRange) || tally.Responses() != before.Responses() {
					t.Fatalf("Add(%d) on %+v: %v", v, s, err)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
			sum += int64(v)
			if v >= s.Positive {
				positives++
			}
		}
		if tally.Responses() != n {
			t.Fatalf("Total %d, want %d", tally.Responses(), n)
		}
		share, err := tally.PositiveShare()
		mean, err2 := tally.Mean()
		if n == 0 {
			if !errors.Is(err, ErrNoData) || !errors.Is(err2, ErrNoData) {
				t.Fatalf("empty: %v, %v", err, err2)
			}
			return
		}
		wantShare := decimal.NewFromInt(positives).DivRound(decimal.NewFromInt(n), 16)
		wantMean := decimal.NewFromInt(sum).DivRound(decimal.NewFromInt(n), 16)
		if err != nil || err2 != nil || !share.Equal(wantShare) || !mean.Equal(wantMean) {
			t.Fatalf("share %s (want %s), mean %s (want %s): %v %v", share, wantShare, mean, wantMean, err, err2)
		}
	})
}
