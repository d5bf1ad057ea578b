package cxmetrics

import (
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
// with Merge.
//
// A ScaleTally holds a slice: copy one with Clone, not by assignment, when
// the copy will be added to.
type ScaleTally struct {
	scale  Scale
	counts []int64 // counts[i] answers of value Min+i; nil until the first Add
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

// Add counts one answer. An answer outside the scale is ErrOutOfRange and
// leaves the tally unchanged.
func (t *ScaleTally) Add(score int) error {
	s := t.Scale()
	if score < s.Min || score > s.Max {
		return errorf(ErrOutOfRange, "score %d not in %d..%d", score, s.Min, s.Max)
	}
	t.init()
	t.counts[score-s.Min]++
	return nil
}

func (t *ScaleTally) init() {
	if t.counts == nil {
		t.scale = t.Scale()
		t.counts = make([]int64, t.scale.points())
	}
}

// Merge adds the counts of o to t. Tallies on different scales are
// ErrInconsistent and leave t unchanged. Any merge order gives the same
// result.
func (t *ScaleTally) Merge(o ScaleTally) error {
	if t.Scale() != o.Scale() {
		a, b := t.Scale(), o.Scale()
		return errorf(ErrInconsistent, "merging a tally on scale %d..%d (positive from %d) with one on %d..%d (positive from %d)",
			a.Min, a.Max, a.Positive, b.Min, b.Max, b.Positive)
	}
	if o.counts == nil {
		return nil
	}
	t.init()
	for i, c := range o.counts {
		t.counts[i] += c
	}
	return nil
}

// Clone returns an independent copy of t.
func (t *ScaleTally) Clone() ScaleTally {
	c := ScaleTally{scale: t.scale}
	if t.counts != nil {
		c.counts = append([]int64(nil), t.counts...)
	}
	return c
}

// Total returns the number of answers counted.
func (t *ScaleTally) Total() int64 {
	var n int64
	for _, c := range t.counts {
		n += c
	}
	return n
}

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
	n := t.Total()
	if n == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "positive share of no answers")
	}
	s := t.Scale()
	var pos int64
	for i, c := range t.counts {
		if s.Min+i >= s.Positive {
			pos += c
		}
	}
	return ratio(pos, n), nil
}

// Mean returns the mean answer, in the scale's own units:
//
//	Mean = sum of answers / number of answers
//
// On [SevenPointCES] it is the Customer Effort Score (higher is easier).
// Exact to 16 fractional digits; no answers is ErrNoData.
func (t *ScaleTally) Mean() (decimal.Decimal, error) {
	n := t.Total()
	if n == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "mean of no answers")
	}
	s := t.Scale()
	sum := decimal.Zero
	for i, c := range t.counts {
		sum = sum.Add(decimal.NewFromInt(c).Mul(decimal.NewFromInt(int64(s.Min + i))))
	}
	return div(sum, decimal.NewFromInt(n)), nil
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
