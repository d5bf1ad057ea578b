package cxmetrics

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/shopspring/decimal"
)

// NPSGroup is the group an answer to the Net Promoter question ("How likely
// is it that you would recommend us to a friend or colleague?", 0..10) puts a
// respondent in.
type NPSGroup int

// The three NPS groups (Reichheld 2003): detractors answer 0..6, passives
// 7..8 and promoters 9..10.
const (
	Detractor NPSGroup = iota
	Passive
	Promoter
)

// String returns "detractor", "passive" or "promoter".
func (g NPSGroup) String() string {
	switch g {
	case Detractor:
		return "detractor"
	case Passive:
		return "passive"
	case Promoter:
		return "promoter"
	}
	return fmt.Sprintf("NPSGroup(%d)", int(g))
}

// ClassifyNPS returns the group of an answer on the 0..10 scale: 0..6 is a
// Detractor, 7..8 a Passive and 9..10 a Promoter (Reichheld 2003, "The One
// Number You Need to Grow", Harvard Business Review). A score outside 0..10
// is ErrOutOfRange.
func ClassifyNPS(score int) (NPSGroup, error) {
	switch {
	case score < 0 || score > 10:
		return 0, errorf(ErrOutOfRange, "NPS score %d not in 0..10", score)
	case score >= 9:
		return Promoter, nil
	case score >= 7:
		return Passive, nil
	}
	return Detractor, nil
}

// NPSTally counts answers to the Net Promoter question by group. The zero
// value is an empty tally ready to use; tallies computed on different
// shards combine with Merge. It follows the package's accumulator contract
// (see the package doc) and is not safe for concurrent use.
//
// The fields are exported so a tally can be built from stored counts
// (NPSTally{Promoters: 50, Passives: 30, Detractors: 20}); they must not be
// negative and their sum must fit in an int64, which every method checks.
type NPSTally struct {
	Promoters  int64 `json:"promoters"`
	Passives   int64 `json:"passives"`
	Detractors int64 `json:"detractors"`
}

// Add counts one answer on the 0..10 scale. A score outside 0..10 is
// ErrOutOfRange, a tally whose fields are already invalid is ErrNegative or
// ErrOutOfRange, and a tally holding 2^63-1 answers is ErrOutOfRange; each
// leaves the tally unchanged.
func (t *NPSTally) Add(score int) error {
	g, err := ClassifyNPS(score)
	if err != nil {
		return err
	}
	n, err := t.check()
	if err != nil {
		return err
	}
	if n == math.MaxInt64 {
		return errorf(ErrOutOfRange, "NPS tally already holds %d answers", n)
	}
	switch g {
	case Promoter:
		t.Promoters++
	case Passive:
		t.Passives++
	default:
		t.Detractors++
	}
	return nil
}

// Merge adds the counts of o to t, as if o's answers had been added to t;
// o is not modified and nil o is a no-op. t.Merge(t) counts every answer
// twice. An invalid tally on either side is ErrNegative, and a total beyond
// 2^63-1 ErrOutOfRange; either leaves t unchanged. Merging is commutative
// and associative.
func (t *NPSTally) Merge(o *NPSTally) error {
	if o == nil {
		return nil
	}
	n, err := t.check()
	if err != nil {
		return err
	}
	m, err := o.check()
	if err != nil {
		return err
	}
	if n > math.MaxInt64-m {
		return errorf(ErrOutOfRange, "merging %d NPS answers into %d overflows int64", m, n)
	}
	add := *o // o may be t
	t.Promoters += add.Promoters
	t.Passives += add.Passives
	t.Detractors += add.Detractors
	return nil
}

// Responses returns the number of answers counted: promoters + passives +
// detractors. For a tally with invalid fields (negative, or a sum beyond
// int64) it returns 0; the figures return the error.
func (t *NPSTally) Responses() int64 {
	n, err := t.check()
	if err != nil {
		return 0
	}
	return n
}

// check returns the number of answers, or an error if a field is negative
// (ErrNegative) or the total does not fit in an int64 (ErrOutOfRange).
func (t *NPSTally) check() (int64, error) {
	if t.Promoters < 0 || t.Passives < 0 || t.Detractors < 0 {
		return 0, errorf(ErrNegative, "NPS tally %+v has a negative count", *t)
	}
	if t.Promoters > math.MaxInt64-t.Passives || t.Promoters+t.Passives > math.MaxInt64-t.Detractors {
		return 0, errorf(ErrOutOfRange, "NPS tally %+v overflows int64", *t)
	}
	return t.Promoters + t.Passives + t.Detractors, nil
}

// Score returns the Net Promoter Score in points, from -100 (every answer a
// detractor) to +100 (every answer a promoter):
//
//	NPS = (promoters - detractors) / total * 100
//
// Unlike the package's rates, NPS is in points, not a fraction: 30 means 30
// points, not 30%. The value is exact to 16 fractional digits (rounded half
// away from zero, as shopspring's Div). An empty tally is ErrNoData; a
// negative count is ErrNegative.
func (t *NPSTally) Score() (decimal.Decimal, error) {
	n, err := t.check()
	if err != nil {
		return decimal.Decimal{}, err
	}
	if n == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "NPS of no answers")
	}
	diff := decimal.NewFromInt(t.Promoters).Sub(decimal.NewFromInt(t.Detractors))
	return div(diff.Mul(hundred), decimal.NewFromInt(n)), nil
}

// StandardError returns the standard error of the NPS in points, treating
// each answer as +1 (promoter), 0 (passive) or -1 (detractor):
//
//	p+ = promoters/n, p- = detractors/n
//	Var = (p+ + p-) - (p+ - p-)^2
//	SE  = sqrt(Var / n) * 100
//
// For 50 promoters, 30 passives and 20 detractors: sqrt((0.7-0.09)/100)*100
// = 7.8102 points. Computed in float64, as a statistic. An empty tally is
// ErrNoData.
func (t *NPSTally) StandardError() (float64, error) {
	n, err := t.check()
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, errorf(ErrNoData, "standard error of no answers")
	}
	fn := float64(n)
	return npsStandardError(float64(t.Promoters)/fn, float64(t.Detractors)/fn, fn), nil
}

// ConfidenceInterval returns the two-sided confidence interval of the NPS at
// the given level (0.95 for 95%), in points, with the adjusted Wald method
// of Rocks (2016, "Interval Estimation for the 'Net Promoter Score'", The
// American Statistician 70(4)): add 3/4 to promoters and to detractors and 3
// to n, then
//
//	p+ = (promoters + 3/4) / (n + 3), p- = (detractors + 3/4) / (n + 3)
//	(p+ - p-) ± z * sqrt(((p+ + p-) - (p+ - p-)^2) / (n + 3))
//
// times 100, where z is the standard normal quantile for the level. The
// bounds are clamped to [-100, 100]. The adjustment keeps the interval
// sensible for small samples and for scores near ±100, where the plain Wald
// interval collapses to a point. A level outside (0, 1) is ErrOutOfRange; an
// empty tally is ErrNoData.
func (t *NPSTally) ConfidenceInterval(level float64) (lo, hi float64, err error) {
	n, err := t.check()
	if err != nil {
		return 0, 0, err
	}
	if n == 0 {
		return 0, 0, errorf(ErrNoData, "confidence interval of no answers")
	}
	return adjustedWald(float64(t.Promoters), float64(t.Detractors), float64(n), level)
}

// MarshalJSON encodes the tally as {"promoters":…,"passives":…,"detractors":…}.
// It has a value receiver, as MarshalBinary, so that json.Marshal of a
// value (not only of a pointer) encodes the tally and never gives {}.
func (t NPSTally) MarshalJSON() ([]byte, error) {
	type plain NPSTally // without methods, for the default encoding
	return json.Marshal(plain(t))
}

// UnmarshalJSON decodes a tally written by MarshalJSON, replacing t. A
// negative count is ErrNegative, a total beyond int64 ErrOutOfRange,
// malformed data ErrInconsistent; on error t is unchanged.
func (t *NPSTally) UnmarshalJSON(data []byte) error {
	type plain NPSTally
	var p plain
	if err := decodeJSON(data, &p, "an NPS tally"); err != nil {
		return err
	}
	out := NPSTally(p)
	if _, err := out.check(); err != nil {
		return err
	}
	*t = out
	return nil
}

// MarshalBinary encodes the tally in the package's compact binary form (see
// the package doc). Value receiver, as MarshalJSON.
func (t NPSTally) MarshalBinary() ([]byte, error) {
	if _, err := t.check(); err != nil {
		return nil, err
	}
	e := newEncoder(tagNPSTally)
	e.uvarint(uint64(t.Promoters))
	e.uvarint(uint64(t.Passives))
	e.uvarint(uint64(t.Detractors))
	return e.b, nil
}

// UnmarshalBinary decodes a tally written by MarshalBinary, replacing t,
// with the checks of UnmarshalJSON; on error t is unchanged.
func (t *NPSTally) UnmarshalBinary(data []byte) error {
	d := newDecoder(data, tagNPSTally, "an NPS tally")
	out := NPSTally{Promoters: d.int64(), Passives: d.int64(), Detractors: d.int64()}
	if err := d.end(); err != nil {
		return err
	}
	if _, err := out.check(); err != nil {
		return err
	}
	*t = out
	return nil
}

// NPS returns the Net Promoter Score of the answers, in points from -100 to
// 100; see [NPSTally.Score] for the formula. A score outside 0..10 is
// ErrOutOfRange naming the index of the first bad score; no answers is
// ErrNoData.
func NPS(scores []int) (decimal.Decimal, error) {
	var t NPSTally
	for i, s := range scores {
		if err := t.Add(s); err != nil {
			return decimal.Decimal{}, errorf(ErrOutOfRange, "score %d at index %d not in 0..10", s, i)
		}
	}
	return t.Score()
}

// NPSComparison is the result of [CompareNPS]: a two-sample z-test of the
// difference between two Net Promoter Scores.
type NPSComparison struct {
	Difference    float64 // NPS(a) - NPS(b), in points
	StandardError float64 // standard error of the difference, in points
	Z             float64 // Difference / StandardError
	PValue        float64 // two-sided p-value of Z under the standard normal
}

// CompareNPS tests whether two independent samples have different Net
// Promoter Scores, with the unpooled two-sample z-test:
//
//	Difference = NPS(a) - NPS(b)
//	SE = sqrt(SE(a)^2 + SE(b)^2)   (each from [NPSTally.StandardError])
//	Z = Difference / SE, PValue = 2 * (1 - Phi(|Z|))
//
// All in float64, points for Difference and SE. An empty tally is ErrNoData,
// and so is SE = 0 (both samples without variance, where Z is undefined).
func CompareNPS(a, b *NPSTally) (NPSComparison, error) {
	var se2 [2]float64
	for i, t := range [2]*NPSTally{a, b} {
		if t == nil {
			return NPSComparison{}, errorf(ErrNoData, "sample %c of CompareNPS is nil", "ab"[i])
		}
		n, err := t.check()
		if err != nil {
			return NPSComparison{}, err
		}
		if n == 0 {
			return NPSComparison{}, errorf(ErrNoData, "sample %c of CompareNPS has no answers", "ab"[i])
		}
		se2[i], _ = t.StandardError() // checked above
	}
	se := math.Hypot(se2[0], se2[1])
	if se == 0 {
		return NPSComparison{}, errorf(ErrNoData, "both samples have zero variance, z is undefined")
	}
	d := npsFloat(a) - npsFloat(b)
	z := d / se
	return NPSComparison{Difference: d, StandardError: se, Z: z, PValue: math.Erfc(math.Abs(z) / math.Sqrt2)}, nil
}

func npsFloat(t *NPSTally) float64 {
	n := float64(t.Responses())
	return (float64(t.Promoters) - float64(t.Detractors)) / n * 100
}

// npsStandardError is SE in points for shares p+ and p- of n answers.
func npsStandardError(pp, pm, n float64) float64 {
	v := (pp + pm) - (pp-pm)*(pp-pm)
	if v < 0 { // rounding when every answer is in one group
		v = 0
	}
	return math.Sqrt(v/n) * 100
}

// adjustedWald is Rocks' adjusted Wald interval for promoters and detractors
// out of n (possibly an effective, non-integer n), in points.
func adjustedWald(promoters, detractors, n, level float64) (lo, hi float64, err error) {
	if !(level > 0 && level < 1) {
		return 0, 0, errorf(ErrOutOfRange, "confidence level %v not in (0, 1)", level)
	}
	z := math.Sqrt2 * math.Erfinv(level)
	na := n + 3
	pp := (promoters + 0.75) / na
	pm := (detractors + 0.75) / na
	center := (pp - pm) * 100
	half := z * npsStandardError(pp, pm, na)
	return math.Max(center-half, -100), math.Min(center+half, 100), nil
}

// WeightedResponse is one answer to the Net Promoter question with its
// survey weight: the number of members of the population the respondent
// stands for (a post-stratification or design weight).
type WeightedResponse struct {
	Score  int             // 0..10
	Weight decimal.Decimal // >= 0; 0 counts the response but moves no share
}

// WeightedNPSTally is an NPS tally for weighted survey answers. The zero
// value is ready to use; tallies from different shards combine with Merge.
// Sums of weights are exact decimals. It follows the package's accumulator
// contract (see the package doc) and is not safe for concurrent use.
type WeightedNPSTally struct {
	promoters, passives, detractors decimal.Decimal // sums of weights
	sumSquares                      decimal.Decimal // sum of weight^2, for EffectiveN
	responses                       int64
}

// Add counts one weighted answer. A score outside 0..10 is ErrOutOfRange, a
// negative weight ErrNegative, a weight with more than [MaxDigits]
// significant digits or an exponent beyond ±[MaxExponent] ErrOutOfRange, and
// so is a tally already holding 2^63-1 responses; each leaves the tally
// unchanged.
func (t *WeightedNPSTally) Add(r WeightedResponse) error {
	g, err := ClassifyNPS(r.Score)
	if err != nil {
		return err
	}
	if r.Weight.IsNegative() {
		return errorf(ErrNegative, "weight %s for score %d", shortDecimal(r.Weight), r.Score)
	}
	if err := checkDecimal(r.Weight, "weight"); err != nil {
		return err
	}
	if t.responses == math.MaxInt64 {
		return errorf(ErrOutOfRange, "weighted NPS tally already holds %d responses", t.responses)
	}
	switch g {
	case Promoter:
		t.promoters = t.promoters.Add(r.Weight)
	case Passive:
		t.passives = t.passives.Add(r.Weight)
	default:
		t.detractors = t.detractors.Add(r.Weight)
	}
	t.sumSquares = t.sumSquares.Add(r.Weight.Mul(r.Weight))
	t.responses++
	return nil
}

// Merge adds the weights and responses of o to t, as if o's answers had
// been added to t; o is not modified and nil o is a no-op. t.Merge(t)
// counts every answer twice. More than 2^63-1 responses in all is
// ErrOutOfRange and leaves t unchanged. Any merge order gives the same
// result.
func (t *WeightedNPSTally) Merge(o *WeightedNPSTally) error {
	if o == nil {
		return nil
	}
	if t.responses > math.MaxInt64-o.responses {
		return errorf(ErrOutOfRange, "merging %d weighted responses into %d overflows int64", o.responses, t.responses)
	}
	add := *o // o may be t
	t.promoters = t.promoters.Add(add.promoters)
	t.passives = t.passives.Add(add.passives)
	t.detractors = t.detractors.Add(add.detractors)
	t.sumSquares = t.sumSquares.Add(add.sumSquares)
	t.responses += add.responses
	return nil
}

// Responses returns the number of answers added, whatever their weight.
func (t *WeightedNPSTally) Responses() int64 { return t.responses }

// TotalWeight returns the exact sum of the weights added.
func (t *WeightedNPSTally) TotalWeight() decimal.Decimal {
	return t.promoters.Add(t.passives).Add(t.detractors)
}

// Score returns the weighted NPS in points, from -100 to 100:
//
//	NPS = (sum of promoter weights - sum of detractor weights) / sum of weights * 100
//
// exact to 16 fractional digits. A total weight of zero is ErrNoData.
func (t *WeightedNPSTally) Score() (decimal.Decimal, error) {
	w := t.TotalWeight()
	if w.IsZero() {
		return decimal.Decimal{}, errorf(ErrNoData, "weighted NPS with total weight 0")
	}
	return div(t.promoters.Sub(t.detractors).Mul(hundred), w), nil
}

// EffectiveN returns Kish's effective sample size of the weighted answers,
//
//	n_eff = (sum w)^2 / sum w^2
//
// which equals the number of answers when all weights are equal and shrinks
// as weights grow unequal (Kish 1965, Survey Sampling). It lies in
// [1, Responses] and is 0 for a tally without weight. The quotient is taken
// exactly (to 16 fractional digits) before it becomes a float64, so weights
// as large as 1e1000 or as small as 1e-1000 give a finite answer.
func (t *WeightedNPSTally) EffectiveN() float64 {
	if t.sumSquares.IsZero() {
		return 0
	}
	w := t.TotalWeight()
	return w.Mul(w).DivRound(t.sumSquares, divPrecision).InexactFloat64()
}

// shares returns the weighted promoter and detractor shares and n_eff, each
// from an exact quotient, so no float64 overflows or underflows.
func (t *WeightedNPSTally) shares() (pp, pm, n float64, err error) {
	w := t.TotalWeight()
	if w.IsZero() {
		return 0, 0, 0, errorf(ErrNoData, "weighted NPS with total weight 0")
	}
	return div(t.promoters, w).InexactFloat64(), div(t.detractors, w).InexactFloat64(), t.EffectiveN(), nil
}

// StandardError returns the standard error of the weighted NPS in points,
// as [NPSTally.StandardError] with the weighted shares and n = EffectiveN.
// A total weight of zero is ErrNoData.
func (t *WeightedNPSTally) StandardError() (float64, error) {
	pp, pm, n, err := t.shares()
	if err != nil {
		return 0, err
	}
	return npsStandardError(pp, pm, n), nil
}

// ConfidenceInterval returns the adjusted Wald interval of
// [NPSTally.ConfidenceInterval] for the weighted shares, with n = EffectiveN
// and promoters = p+ * n_eff, detractors = p- * n_eff. In points, clamped to
// [-100, 100]. A level outside (0, 1) is ErrOutOfRange; a total weight of
// zero is ErrNoData.
func (t *WeightedNPSTally) ConfidenceInterval(level float64) (lo, hi float64, err error) {
	pp, pm, n, err := t.shares()
	if err != nil {
		return 0, 0, err
	}
	return adjustedWald(pp*n, pm*n, n, level)
}

// validate checks a decoded tally against what Add can produce: sums not
// negative and within the bounds of sums of bounded weights, no weight
// without a response, and, since every weight is >= 0,
// (sum w)^2 / n <= sum w^2 <= (sum w)^2 (Cauchy-Schwarz).
func (t *WeightedNPSTally) validate() error {
	for _, f := range []struct {
		v     decimal.Decimal
		name  string
		power int64
	}{{t.promoters, "promoters", 1}, {t.passives, "passives", 1}, {t.detractors, "detractors", 1}, {t.sumSquares, "sum_squares", 2}} {
		if f.v.IsNegative() {
			return errorf(ErrNegative, "weighted NPS tally: %s is %s", f.name, shortDecimal(f.v))
		}
		if err := checkDerived(f.v, f.power, "weighted NPS tally: "+f.name); err != nil {
			return err
		}
	}
	if t.responses < 0 {
		return errorf(ErrNegative, "weighted NPS tally: responses is %d", t.responses)
	}
	w := t.TotalWeight()
	w2 := w.Mul(w)
	if t.responses == 0 && !(w.IsZero() && t.sumSquares.IsZero()) ||
		t.sumSquares.GreaterThan(w2) ||
		t.responses > 0 && t.sumSquares.Mul(decimal.NewFromInt(t.responses)).LessThan(w2) {
		return errorf(ErrInconsistent, "weighted NPS tally: sum of squared weights %s does not fit %d responses of total weight %s",
			shortDecimal(t.sumSquares), t.responses, shortDecimal(w))
	}
	return nil
}

type weightedNPSJSON struct {
	Promoters  string `json:"promoters"`
	Passives   string `json:"passives"`
	Detractors string `json:"detractors"`
	SumSquares string `json:"sum_squares"`
	Responses  int64  `json:"responses"`
}

// MarshalJSON encodes the tally's exact sums of weights as decimal strings.
// Value receiver, so that json.Marshal of a value never gives {}.
func (t WeightedNPSTally) MarshalJSON() ([]byte, error) {
	return json.Marshal(weightedNPSJSON{
		Promoters: t.promoters.String(), Passives: t.passives.String(), Detractors: t.detractors.String(),
		SumSquares: t.sumSquares.String(), Responses: t.responses,
	})
}

// UnmarshalJSON decodes a tally written by MarshalJSON, replacing t. It
// accepts only what Add could have produced: negative sums or counts are
// ErrNegative, sums beyond the bounds of bounded weights ErrOutOfRange, a
// sum of squares that no set of weights gives ErrInconsistent, and so is
// malformed data. On error t is unchanged.
func (t *WeightedNPSTally) UnmarshalJSON(data []byte) error {
	var j weightedNPSJSON
	if err := decodeJSON(data, &j, "a weighted NPS tally"); err != nil {
		return err
	}
	out := WeightedNPSTally{responses: j.Responses}
	for _, f := range []struct {
		dst   *decimal.Decimal
		src   string
		name  string
		power int64
	}{{&out.promoters, j.Promoters, "promoters", 1}, {&out.passives, j.Passives, "passives", 1},
		{&out.detractors, j.Detractors, "detractors", 1}, {&out.sumSquares, j.SumSquares, "sum_squares", 2}} {
		d, err := parseJSONDecimal(f.src, "weighted NPS tally: "+f.name, f.power)
		if err != nil {
			return err
		}
		*f.dst = d
	}
	if err := out.validate(); err != nil {
		return err
	}
	*t = out
	return nil
}

// MarshalBinary encodes the tally in the package's compact binary form.
// Value receiver, as MarshalJSON.
func (t WeightedNPSTally) MarshalBinary() ([]byte, error) {
	e := newEncoder(tagWeightedNPSTally)
	e.decimal(t.promoters)
	e.decimal(t.passives)
	e.decimal(t.detractors)
	e.decimal(t.sumSquares)
	e.uvarint(uint64(t.responses))
	return e.b, nil
}

// UnmarshalBinary decodes a tally written by MarshalBinary, replacing t,
// with the checks of UnmarshalJSON; on error t is unchanged.
func (t *WeightedNPSTally) UnmarshalBinary(data []byte) error {
	d := newDecoder(data, tagWeightedNPSTally, "a weighted NPS tally")
	out := WeightedNPSTally{
		promoters: d.decimal(1, "promoters"), passives: d.decimal(1, "passives"), detractors: d.decimal(1, "detractors"),
		sumSquares: d.decimal(2, "sum_squares"), responses: d.int64(),
	}
	if err := d.end(); err != nil {
		return err
	}
	if err := out.validate(); err != nil {
		return err
	}
	*t = out
	return nil
}
