package cxmetrics

import (
	"encoding/json"
	"math"
	"slices"

	"github.com/shopspring/decimal"
)

// Scale describes a rating question: answers are whole numbers in Min..Max,
// and an answer >= Positive counts as positive ("satisfied", "agree").
type Scale struct {
	Min, Max, Positive int
}

// The standard scales.
var (
	// FivePoint is the Customer Satisfaction (CSAT) scale: 1 (very
	// unsatisfied) to 5 (very satisfied), with 4 and 5 counting as
	// satisfied (the American Customer Satisfaction Index convention of
	// reporting the "top two boxes").
	FivePoint = Scale{Min: 1, Max: 5, Positive: 4}

	// SevenPointCES is the Customer Effort Score 2.0 scale (Dixon, Toman &
	// DeLisi 2013, The Effortless Experience): "The company made it easy for
	// me to handle my issue", 1 (strongly disagree) to 7 (strongly agree),
	// with 5, 6 and 7 counting as agreement.
	SevenPointCES = Scale{Min: 1, Max: 7, Positive: 5}
)

// maxScalePoints bounds the number of answer values of a Scale, so that a
// tally's memory stays small; it admits every scale in use, up to 0..100.
const maxScalePoints = 101

// Validate reports whether s is usable: Min < Max, Positive in Min..Max and
// at most 101 answer values (0..100 is the widest scale accepted). Otherwise
// it returns ErrOutOfRange.
func (s Scale) Validate() error {
	if s.Min >= s.Max {
		return errorf(ErrOutOfRange, "scale %d..%d: Min must be below Max", s.Min, s.Max)
	}
	if s.Positive < s.Min || s.Positive > s.Max {
		return errorf(ErrOutOfRange, "scale %d..%d: Positive %d outside the scale", s.Min, s.Max, s.Positive)
	}
	if int64(s.Max)-int64(s.Min)+1 > maxScalePoints {
		return errorf(ErrOutOfRange, "scale %d..%d has more than %d values", s.Min, s.Max, maxScalePoints)
	}
	return nil
}

func (s Scale) points() int { return s.Max - s.Min + 1 }

// ScaleTally counts the answers to one rating question, per answer value.
// The zero value is an empty tally on the [FivePoint] scale; use
// [NewScaleTally] for another scale. Tallies from different shards combine
// with Merge. It follows the package's accumulator contract (see the
// package doc): an empty tally takes the scale of a tally merged into it.
// It is not safe for concurrent use.
//
// A ScaleTally holds a slice: copy one with Clone, not by assignment, when
// the copy will be added to.
type ScaleTally struct {
	scale  Scale
	counts []int64 // counts[i] answers of value Min+i; nil until the first Add
	total  int64
}

// NewScaleTally returns an empty tally on scale s, or ErrOutOfRange if s is
// invalid (see [Scale.Validate]).
func NewScaleTally(s Scale) (*ScaleTally, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &ScaleTally{scale: s}, nil
}

// Scale returns the tally's scale: FivePoint for the zero value.
func (t *ScaleTally) Scale() Scale {
	if t.scale == (Scale{}) {
		return FivePoint
	}
	return t.scale
}

// Add counts one answer. An answer outside the scale is ErrOutOfRange, and
// so is a tally already holding 2^63-1 answers; either leaves the tally
// unchanged.
func (t *ScaleTally) Add(score int) error {
	s := t.Scale()
	if score < s.Min || score > s.Max {
		return errorf(ErrOutOfRange, "score %d not in %d..%d", score, s.Min, s.Max)
	}
	if t.total == math.MaxInt64 {
		return errorf(ErrOutOfRange, "scale tally already holds %d answers", t.total)
	}
	t.init()
	t.counts[score-s.Min]++
	t.total++
	return nil
}

func (t *ScaleTally) init() {
	if t.counts == nil {
		t.scale = t.Scale()
		t.counts = make([]int64, t.scale.points())
	}
}

// Merge adds the counts of o to t, as if o's answers had been added to t;
// o is not modified and nil o is a no-op. t.Merge(t) counts every answer
// twice. An empty o is a no-op whatever its scale, and an empty t takes
// o's scale. Two tallies with answers on different scales are
// ErrInconsistent, and more than 2^63-1 answers in all ErrOutOfRange; either
// leaves t unchanged. Any merge order gives the same result.
func (t *ScaleTally) Merge(o *ScaleTally) error {
	if o == nil || o.total == 0 {
		return nil
	}
	if t.total == 0 {
		t.scale, t.counts = o.Scale(), nil
	}
	if a, b := t.Scale(), o.Scale(); a != b {
		return errorf(ErrInconsistent, "merging a tally on scale %d..%d (positive from %d) with one on %d..%d (positive from %d)",
			b.Min, b.Max, b.Positive, a.Min, a.Max, a.Positive)
	}
	if t.total > math.MaxInt64-o.total {
		return errorf(ErrOutOfRange, "merging %d answers into %d overflows int64", o.total, t.total)
	}
	add := slices.Clone(o.counts) // o may be t
	t.init()
	for i, c := range add {
		t.counts[i] += c
	}
	t.total += o.total
	return nil
}

// Clone returns an independent copy of t.
func (t *ScaleTally) Clone() *ScaleTally {
	return &ScaleTally{scale: t.scale, counts: slices.Clone(t.counts), total: t.total}
}

// Responses returns the number of answers counted.
func (t *ScaleTally) Responses() int64 { return t.total }

// Distribution returns the number of answers per value: index 0 is Min, the
// last index Max. The slice is a copy the caller may keep.
func (t *ScaleTally) Distribution() []int64 {
	d := make([]int64, t.Scale().points())
	copy(d, t.counts)
	return d
}

// PositiveShare returns the share of positive answers (>= Scale.Positive)
// as a fraction in [0, 1] (0.8 means 80%):
//
//	PositiveShare = answers >= Positive / all answers
//
// On [FivePoint] it is the CSAT score, on [SevenPointCES] the share of
// respondents who agree the company made things easy. Exact to 16
// fractional digits; no answers is ErrNoData.
func (t *ScaleTally) PositiveShare() (decimal.Decimal, error) {
	if t.total == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "positive share of no answers")
	}
	s := t.Scale()
	var pos int64
	for i, c := range t.counts {
		if s.Min+i >= s.Positive {
			pos += c
		}
	}
	return ratio(pos, t.total), nil
}

// Mean returns the mean answer, in the scale's own units:
//
//	Mean = sum of answers / number of answers
//
// On [SevenPointCES] it is the Customer Effort Score (higher is easier).
// Exact to 16 fractional digits; no answers is ErrNoData.
func (t *ScaleTally) Mean() (decimal.Decimal, error) {
	if t.total == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "mean of no answers")
	}
	s := t.Scale()
	sum := decimal.Zero
	for i, c := range t.counts {
		sum = sum.Add(decimal.NewFromInt(c).Mul(decimal.NewFromInt(int64(s.Min + i))))
	}
	return div(sum, decimal.NewFromInt(t.total)), nil
}

type scaleJSON struct {
	Min      int `json:"min"`
	Max      int `json:"max"`
	Positive int `json:"positive"`
}

type scaleTallyJSON struct {
	Scale  scaleJSON `json:"scale"`
	Counts []int64   `json:"counts"`
}

// MarshalJSON encodes the tally's scale and its count per answer value.
// Value receiver, so that json.Marshal of a value never gives {}.
func (t ScaleTally) MarshalJSON() ([]byte, error) {
	return json.Marshal(scaleTallyJSON{Scale: scaleJSON(t.Scale()), Counts: t.Distribution()})
}

// newDecodedScaleTally checks decoded counts: an invalid scale is
// ErrOutOfRange, counts that do not fit the scale ErrInconsistent, negative
// counts ErrNegative and a total beyond int64 ErrOutOfRange.
func newDecodedScaleTally(s Scale, counts []int64) (ScaleTally, error) {
	if err := s.Validate(); err != nil {
		return ScaleTally{}, err
	}
	if len(counts) != s.points() {
		return ScaleTally{}, errorf(ErrInconsistent, "scale tally: %d counts for the %d values of %d..%d", len(counts), s.points(), s.Min, s.Max)
	}
	var total int64
	for i, c := range counts {
		if c < 0 {
			return ScaleTally{}, errorf(ErrNegative, "scale tally: count %d for answer %d", c, s.Min+i)
		}
		if total > math.MaxInt64-c {
			return ScaleTally{}, errorf(ErrOutOfRange, "scale tally: counts add up beyond int64")
		}
		total += c
	}
	out := ScaleTally{scale: s, total: total}
	if total > 0 {
		out.counts = counts
	}
	return out, nil
}

// UnmarshalJSON decodes a tally written by MarshalJSON, replacing t: an
// invalid scale is ErrOutOfRange, counts that do not fit the scale
// ErrInconsistent, negative counts ErrNegative, counts beyond int64 in all
// ErrOutOfRange. On error t is unchanged.
func (t *ScaleTally) UnmarshalJSON(data []byte) error {
	var j scaleTallyJSON
	if err := decodeJSON(data, &j, "a scale tally"); err != nil {
		return err
	}
	out, err := newDecodedScaleTally(Scale(j.Scale), j.Counts)
	if err != nil {
		return err
	}
	*t = out
	return nil
}

// MarshalBinary encodes the tally in the package's compact binary form.
// Value receiver, as MarshalJSON.
func (t ScaleTally) MarshalBinary() ([]byte, error) {
	s := t.Scale()
	e := newEncoder(tagScaleTally)
	e.varint(int64(s.Min))
	e.varint(int64(s.Max))
	e.varint(int64(s.Positive))
	for _, c := range t.Distribution() {
		e.uvarint(uint64(c))
	}
	return e.b, nil
}

// UnmarshalBinary decodes a tally written by MarshalBinary, replacing t,
// with the checks of UnmarshalJSON; on error t is unchanged.
func (t *ScaleTally) UnmarshalBinary(data []byte) error {
	d := newDecoder(data, tagScaleTally, "a scale tally")
	var s Scale
	for _, f := range []*int{&s.Min, &s.Max, &s.Positive} {
		v := d.varint()
		if v < math.MinInt32 || v > math.MaxInt32 {
			d.setErr(errorf(ErrOutOfRange, "scale tally: scale bound %d", v))
		}
		*f = int(v)
	}
	if d.err == nil {
		if err := s.Validate(); err != nil {
			return err
		}
	}
	counts := make([]int64, 0, maxScalePoints)
	for i := 0; d.err == nil && i < s.points(); i++ {
		counts = append(counts, d.int64())
	}
	if err := d.end(); err != nil {
		return err
	}
	out, err := newDecodedScaleTally(s, counts)
	if err != nil {
		return err
	}
	*t = out
	return nil
}

// tallyScores adds every score to a tally on scale s, naming the index of
// the first bad one.
func tallyScores(scores []int, s Scale) (*ScaleTally, error) {
	t, err := NewScaleTally(s)
	if err != nil {
		return nil, err
	}
	for i, v := range scores {
		if err := t.Add(v); err != nil {
			return nil, errorf(ErrOutOfRange, "score %d at index %d not in %d..%d", v, i, s.Min, s.Max)
		}
	}
	return t, nil
}

// CSAT returns the Customer Satisfaction score of answers on the five-point
// scale: the share of 4s and 5s, as a fraction in [0, 1] (0.8 means 80%).
// An answer outside 1..5 is ErrOutOfRange naming its index; no answers is
// ErrNoData.
func CSAT(scores []int) (decimal.Decimal, error) {
	t, err := tallyScores(scores, FivePoint)
	if err != nil {
		return decimal.Decimal{}, err
	}
	return t.PositiveShare()
}

// CES returns the Customer Effort Score of answers on the seven-point CES
// 2.0 scale: their mean, from 1 (very hard) to 7 (very easy). It is a mean
// in scale points, not a fraction. An answer outside 1..7 is ErrOutOfRange
// naming its index; no answers is ErrNoData.
func CES(scores []int) (decimal.Decimal, error) {
	t, err := tallyScores(scores, SevenPointCES)
	if err != nil {
		return decimal.Decimal{}, err
	}
	return t.Mean()
}
