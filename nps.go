package cxmetrics

import (
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
// value is an empty tally ready to use; tallies computed on different shards
// combine with Merge.
//
// The fields are exported so a tally can be stored and rebuilt (it encodes
// to JSON as {"promoters":…,"passives":…,"detractors":…}); they must not be
// negative, and counts beyond 2^63-1 are not supported.
type NPSTally struct {
	Promoters  int64 `json:"promoters"`
	Passives   int64 `json:"passives"`
	Detractors int64 `json:"detractors"`
}

// Add counts one answer on the 0..10 scale. A score outside 0..10 is
// ErrOutOfRange and leaves the tally unchanged.
func (t *NPSTally) Add(score int) error {
	g, err := ClassifyNPS(score)
	if err != nil {
		return err
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

// Merge adds the counts of o to t. Merging is commutative and associative:
// tallies merged in any order give the same Score.
func (t *NPSTally) Merge(o NPSTally) {
	t.Promoters += o.Promoters
	t.Passives += o.Passives
	t.Detractors += o.Detractors
}

// Total returns the number of answers counted: promoters + passives +
// detractors.
func (t NPSTally) Total() int64 {
	return t.Promoters + t.Passives + t.Detractors
}

// check returns Total, or an error if a field is negative (ErrNegative) or
// the total does not fit in an int64 (ErrOutOfRange).
func (t NPSTally) check() (int64, error) {
	if t.Promoters < 0 || t.Passives < 0 || t.Detractors < 0 {
		return 0, errorf(ErrNegative, "NPS tally %+v has a negative count", t)
	}
	n := t.Promoters + t.Passives
	if n < 0 || n+t.Detractors < 0 {
		return 0, errorf(ErrOutOfRange, "NPS tally %+v overflows int64", t)
	}
	return n + t.Detractors, nil
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
func (t NPSTally) Score() (decimal.Decimal, error) {
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
func (t NPSTally) StandardError() (float64, error) {
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
func (t NPSTally) ConfidenceInterval(level float64) (lo, hi float64, err error) {
	n, err := t.check()
	if err != nil {
		return 0, 0, err
	}
	if n == 0 {
		return 0, 0, errorf(ErrNoData, "confidence interval of no answers")
	}
	return adjustedWald(float64(t.Promoters), float64(t.Detractors), float64(n), level)
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
func CompareNPS(a, b NPSTally) (NPSComparison, error) {
	var se2 [2]float64
	for i, t := range [2]NPSTally{a, b} {
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

func npsFloat(t NPSTally) float64 {
	n := float64(t.Total())
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

// WeightedNPSTally is an NPS tally for weighted survey answers, where each
// respondent stands for weight members of the population (post-
// stratification or design weights). The zero value is ready to use; tallies
// from different shards combine with Merge. Sums of weights are exact
// decimals.
type WeightedNPSTally struct {
	promoters, passives, detractors decimal.Decimal // sums of weights
	sumSquares                      decimal.Decimal // sum of weight^2, for EffectiveN
	responses                       int64
}

// Add counts one answer on the 0..10 scale with its weight. A score outside
// 0..10 is ErrOutOfRange and a negative weight ErrNegative; either leaves the
// tally unchanged. A zero weight is valid and counts as a response that
// moves no share.
func (t *WeightedNPSTally) Add(score int, weight decimal.Decimal) error {
	g, err := ClassifyNPS(score)
	if err != nil {
		return err
	}
	if weight.IsNegative() {
		return errorf(ErrNegative, "weight %s for score %d", weight, score)
	}
	switch g {
	case Promoter:
		t.promoters = t.promoters.Add(weight)
	case Passive:
		t.passives = t.passives.Add(weight)
	default:
		t.detractors = t.detractors.Add(weight)
	}
	t.sumSquares = t.sumSquares.Add(weight.Mul(weight))
	t.responses++
	return nil
}

// Merge adds the weights and responses of o to t; any merge order gives the
// same result.
func (t *WeightedNPSTally) Merge(o WeightedNPSTally) {
	t.promoters = t.promoters.Add(o.promoters)
	t.passives = t.passives.Add(o.passives)
	t.detractors = t.detractors.Add(o.detractors)
	t.sumSquares = t.sumSquares.Add(o.sumSquares)
	t.responses += o.responses
}

// Responses returns the number of answers added, whatever their weight.
func (t WeightedNPSTally) Responses() int64 { return t.responses }

// TotalWeight returns the exact sum of the weights added.
func (t WeightedNPSTally) TotalWeight() decimal.Decimal {
	return t.promoters.Add(t.passives).Add(t.detractors)
}

// Score returns the weighted NPS in points, from -100 to 100:
//
//	NPS = (sum of promoter weights - sum of detractor weights) / sum of weights * 100
//
// exact to 16 fractional digits. A total weight of zero is ErrNoData.
func (t WeightedNPSTally) Score() (decimal.Decimal, error) {
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
// as weights grow unequal (Kish 1965, Survey Sampling). It is 0 for a tally
// without weight. float64, as a statistic.
func (t WeightedNPSTally) EffectiveN() float64 {
	if t.sumSquares.IsZero() {
		return 0
	}
	w := t.TotalWeight().InexactFloat64()
	return w * w / t.sumSquares.InexactFloat64()
}

// shares returns the weighted promoter and detractor shares and n_eff.
func (t WeightedNPSTally) shares() (pp, pm, n float64, err error) {
	w := t.TotalWeight()
	if w.IsZero() {
		return 0, 0, 0, errorf(ErrNoData, "weighted NPS with total weight 0")
	}
	fw := w.InexactFloat64()
	return t.promoters.InexactFloat64() / fw, t.detractors.InexactFloat64() / fw, t.EffectiveN(), nil
}

// StandardError returns the standard error of the weighted NPS in points,
// as [NPSTally.StandardError] with the weighted shares and n = EffectiveN.
// A total weight of zero is ErrNoData.
func (t WeightedNPSTally) StandardError() (float64, error) {
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
func (t WeightedNPSTally) ConfidenceInterval(level float64) (lo, hi float64, err error) {
	pp, pm, n, err := t.shares()
	if err != nil {
		return 0, 0, err
	}
	return adjustedWald(pp*n, pm*n, n, level)
}
