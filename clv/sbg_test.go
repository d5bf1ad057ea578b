package clv

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The data of Fader & Hardie (2007), Table 1: 1,000 customers acquired in
// year 0, still customers after 1..7 years, and the actual survivors of
// years 8..12 they hold out.
var (
	highEnd = []int64{1000, 869, 743, 653, 593, 551, 517, 491}
	regular = []int64{1000, 631, 468, 382, 326, 289, 262, 241}
)

func TestFitSBGReproducesThePaper(t *testing.T) {
	v := must(t)
	for _, tt := range []struct {
		name      string
		survivors []int64
		// The paper's figures, as printed.
		alpha, beta, ll float64
		projected       [5]float64
		// testdata/sbg_reference.py at 40 digits: Newton on the digamma
		// gradient of the beta-function likelihood.
		refAlpha, refBeta, refLL float64
		refProjected             [5]float64
	}{
		{
			"high end", highEnd, 0.668, 3.806, -1611.2, [5]float64{460.4, 435.8, 414.2, 395.1, 378.0},
			0.66808835110644622, 3.8060949640582669, -1611.1581473911564,
			[5]float64{460.43967182043899, 435.77959000517921, 414.17239787170597, 395.05534315829728, 377.99907159740885},
		},
		{
			"regular", regular, 0.704, 1.182, -1680.3, [5]float64{220.1, 204.4, 191.2, 179.9, 170.0},
			0.70407729847351621, 1.1820430262094757, -1680.265188463287,
			[5]float64{220.08496653381901, 204.41078661463678, 191.1901910189629, 179.86499242512676, 170.03745281151089},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := FitSBG(tt.survivors, FitOptions{})
			require.NoError(t, err)
			// To the digits the paper prints.
			assert.InDelta(t, tt.alpha, m.Alpha, 0.0005)
			assert.InDelta(t, tt.beta, m.Beta, 0.0005)
			assert.InDelta(t, tt.ll, m.LogLikelihood, 0.05)
			// And to the precision of the fit: the gradient of the mean
			// log-likelihood within 1e-8 leaves the parameters within
			// about 1e-7 of the maximum and the log-likelihood within
			// 1e-9.
			assert.InEpsilon(t, tt.refAlpha, m.Alpha, 1e-6)
			assert.InEpsilon(t, tt.refBeta, m.Beta, 1e-6)
			assert.InDelta(t, tt.refLL, m.LogLikelihood, 1e-9)
			for i := range tt.projected {
				s := 1000 * v(m.Survival(8+i))
				assert.InDelta(t, tt.projected[i], s, 0.05, "year %d", 8+i)
				assert.InDelta(t, tt.refProjected[i], s, 1e-5, "year %d", 8+i)
			}
			assert.Equal(t, 1, m.Cohorts)
			assert.Equal(t, 1000, m.Customers)
			assert.InDelta(t, 2*2-2*m.LogLikelihood, m.AIC, 1e-9)
			assert.InDelta(t, 2*math.Log(1000)-2*m.LogLikelihood, m.BIC, 1e-9)
			assert.Equal(t, [2]bool{}, m.AtBoundary)
			assert.Greater(t, m.StdErr[0], 0.0)
			assert.Greater(t, m.StdErr[1], 0.0)
		})
	}
}

// The model the paper fits to the high-end customers, as printed.
var paperSBG = &SBG{Alpha: 0.668, Beta: 3.806}

func TestSBGSurvivalChurnRetention(t *testing.T) {
	v := must(t)
	// testdata/sbg_reference.py: S(t) = B(α, β+t)/B(α, β) and P(T = t) =
	// B(α+1, β+t−1)/B(α, β) with mpmath's beta function, r_t = S(t)/S(t−1).
	for _, tt := range []struct {
		t       int
		s, p, r float64
	}{
		{1, 0.85069289226642825, 0.14930710773357175, 0.85069289226642825},
		{2, 0.74688162956383891, 0.10381126270258934, 0.87796857873584216},
		{7, 0.48894462089372573, 0.033307669463288679, 0.93622302845140348},
		{12, 0.37804042018209043, 0.017055990860572498, 0.95683081297660592},
		{100, 0.1068914100811491, 0.00069454566790078013, 0.99354427199103156},
		{1000, 0.023456415736421067, 1.5625041844513568e-5, 0.99933431259803443},
		{100000, 0.0010846888495867155, 7.2455182059983995e-9, 0.99999332023205514},
	} {
		assert.InEpsilon(t, tt.s, v(paperSBG.Survival(tt.t)), 1e-12, "S(%d)", tt.t)
		assert.InEpsilon(t, tt.p, v(paperSBG.ChurnProbability(tt.t)), 1e-12, "P(T = %d)", tt.t)
		assert.InEpsilon(t, tt.r, v(paperSBG.RetentionRate(tt.t)), 1e-15, "r_%d", tt.t)
	}
	assert.Equal(t, 1.0, v(paperSBG.Survival(0)))
	// r_1 = β/(α+β) and P(T = 1) = α/(α+β), by hand.
	assert.InEpsilon(t, 3.806/4.474, v(paperSBG.RetentionRate(1)), 1e-15)
	assert.InEpsilon(t, 0.668/4.474, v(paperSBG.ChurnProbability(1)), 1e-15)
	// The identities S(t−1) − S(t) = P(T = t) and S(t) = r_t S(t−1).
	for t0 := 1; t0 <= 40; t0++ {
		prev, cur := v(paperSBG.Survival(t0-1)), v(paperSBG.Survival(t0))
		assert.InDelta(t, prev-cur, v(paperSBG.ChurnProbability(t0)), 1e-15)
		assert.InEpsilon(t, cur, prev*v(paperSBG.RetentionRate(t0)), 1e-14)
	}
	// Extreme parameters: no cancellation in either factor of S.
	tiny := &SBG{Alpha: 1e-12, Beta: 1}
	assert.InEpsilon(t, 1-1e-12*(1+0.5), v(tiny.Survival(2)), 1e-15, "S(2) = 1/(1+α) × (1+1)/(1+α+1)")
	huge := &SBG{Alpha: 1e12, Beta: 1e-3}
	assert.InEpsilon(t, 1e-15, v(huge.Survival(1)), 1e-12, "S(1) = β/(α+β)")
	assert.InEpsilon(t, 1e-15, v(huge.RetentionRate(1)), 1e-12)
	assert.Equal(t, 0.0, v(huge.Survival(MaxHorizon)), "below the smallest float64")
}

func TestSBGErrors(t *testing.T) {
	for _, m := range []*SBG{nil, {}, {Alpha: 1, Beta: math.NaN()}, {Alpha: math.Inf(1), Beta: 1}, {Alpha: -1, Beta: 1}} {
		_, err := m.Survival(1)
		assert.Error(t, err, "%+v", m)
		_, err = m.ChurnProbability(1)
		assert.Error(t, err, "%+v", m)
		_, err = m.RetentionRate(1)
		assert.Error(t, err, "%+v", m)
		_, err = m.DiscountedExpectedResidualLifetime(0, 0.1)
		assert.Error(t, err, "%+v", m)
		_, err = SubscriptionLifetimeValue(m, decimal.NewFromInt(10), decimal.NewFromInt(1), 0, 0.1)
		assert.Error(t, err, "%+v", m)
	}
	var nilModel *SBG
	assert.ErrorIs(t, nilModel.Validate(), cxmetrics.ErrNoData)
	assert.ErrorIs(t, (&SBG{Alpha: 1}).Validate(), cxmetrics.ErrOutOfRange)
	assert.ErrorContains(t, (&SBG{Alpha: 1}).Validate(), "sBG parameter beta = 0")
	for _, tt := range []struct {
		name string
		call func() (float64, error)
		msg  string
	}{
		{"S(-1)", func() (float64, error) { return paperSBG.Survival(-1) }, "period t = -1 not in 0..100000"},
		{"S past MaxHorizon", func() (float64, error) { return paperSBG.Survival(MaxHorizon + 1) }, "not in 0..100000"},
		{"P(T = 0)", func() (float64, error) { return paperSBG.ChurnProbability(0) }, "period t = 0 not in 1..100000"},
		{"r_0", func() (float64, error) { return paperSBG.RetentionRate(0) }, "period t = 0 below 1"},
		{"renewals -1", func() (float64, error) { return paperSBG.DiscountedExpectedResidualLifetime(-1, 0.1) }, "renewals -1 below 0"},
		{"negative discount", func() (float64, error) { return paperSBG.DiscountedExpectedResidualLifetime(0, -0.01) }, "discount rate -0.01"},
		{"NaN discount", func() (float64, error) { return paperSBG.DiscountedExpectedResidualLifetime(0, math.NaN()) }, "discount rate NaN"},
		{"infinite discount", func() (float64, error) { return paperSBG.DiscountedExpectedResidualLifetime(0, math.Inf(1)) }, "discount rate +Inf"},
		{"undiscounted, alpha <= 1", func() (float64, error) { return paperSBG.DiscountedExpectedResidualLifetime(0, 0) }, "alpha = 0.668 <= 1 is infinite"},
		{"undiscounted, alpha = 1", func() (float64, error) { return (&SBG{Alpha: 1, Beta: 2}).DiscountedExpectedResidualLifetime(3, 0) }, "is infinite"},
		// About d^(α−1) = 10^309.7.
		{"beyond a float64", func() (float64, error) {
			return (&SBG{Alpha: 1e-3, Beta: 1}).DiscountedExpectedResidualLifetime(0, 1e-310)
		}, "does not fit a float64"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.call()
			assert.ErrorIs(t, err, cxmetrics.ErrOutOfRange)
			assert.ErrorContains(t, err, tt.msg)
			assert.Zero(t, v)
		})
	}
}

// directDERL sums DERL's series Σ_k S(n+1+k)/S(n) / (1+d)^k term by term,
// each survival ratio a running product of retention rates written out
// here, until the rest is below 1e-16 of the sum: the terms fall at least
// as fast as (1+d)^-k, so the rest after a term u is at most u (1+d)/d.
func directDERL(alpha, beta float64, n int, d float64) float64 {
	ratio := 1.0 // S(n+1+k)/S(n)
	bt := beta + float64(n)
	var sum float64
	disc := 1.0
	for k := 0; ; k++ {
		ratio *= bt / (alpha + bt)
		bt++
		u := ratio * disc
		sum += u
		if u*(1+d)/d < 1e-16*sum {
			return sum
		}
		disc /= 1 + d
	}
}

func TestDERL(t *testing.T) {
	v := must(t)
	// testdata/sbg_reference.py: mpmath's hyp2f1 on Fader & Hardie's
	// (2010) eq. 6 (quad over the posterior for a whole α), agreeing with
	// nsum of the series to 25 digits.
	for _, tt := range []struct {
		alpha, beta float64
		renewals    int
		d, want     float64
	}{
		{0.668, 3.806, 0, 0.1, 5.4148560483740406},
		{0.668, 3.806, 0, 0.25, 3.1289780714495507},
		{0.668, 3.806, 4, 0.1, 6.8970573977460909},
		{0.704, 1.182, 0, 0.1, 2.9646621461320315},
		{0.704, 1.182, 10, 0.01, 31.076724327857125},
		// α = 1, β large: where Cephes' psi expansion for z > 0.9 does
		// not finish.
		{1, 100000, 0, 0.1, 10.998790254020053},
		{3, 2, 0, 0.0001, 0.99970088555445185},
		{0.05, 0.2, 3, 0.001, 767.81164943434575},
		{300.5, 1000, 7, 0.02, 3.1535214522968051},
		{2, 5, 0, 0.125, 2.4920536050204597},
		{0.3, 100000, 20, 1, 1.9999880025914371},
	} {
		m := &SBG{Alpha: tt.alpha, Beta: tt.beta}
		got := v(m.DiscountedExpectedResidualLifetime(tt.renewals, tt.d))
		assert.InEpsilon(t, tt.want, got, 1e-12, "%+v", tt)
		if tt.d >= 0.001 {
			assert.InEpsilon(t, directDERL(tt.alpha, tt.beta, tt.renewals, tt.d), got, 1e-12, "%+v: the direct sum", tt)
		}
	}
	// d = 0 and α > 1: the expected number of further renewals, (β+n)/(α−1).
	assert.InEpsilon(t, (5+3)/(2.5-1), v((&SBG{Alpha: 2.5, Beta: 5}).DiscountedExpectedResidualLifetime(3, 0)), 1e-15)
	// A very high discount counts only the next renewal: r_{n+1}.
	assert.InEpsilon(t, (3.806+2)/(0.668+3.806+2), v(paperSBG.DiscountedExpectedResidualLifetime(2, 1e12)), 1e-11)
	// Subnormal discounts and parameters, where math.Log is wrong on
	// amd64: DERL tends to (β+n)/(α−1) as d → 0 (α > 1) and to
	// d^(α−1) × Γ(1−α)Γ(α+β)/Γ(β) for α < 1 (here α = 0.5, β = 1: Γ(0.5)
	// Γ(1.5) d^-0.5 = π/2 × 10^155).
	assert.InEpsilon(t, 1.0, v((&SBG{Alpha: 3, Beta: 2}).DiscountedExpectedResidualLifetime(0, 1e-310)), 1e-12)
	assert.InEpsilon(t, math.Pi/2*1e155, v((&SBG{Alpha: 0.5, Beta: 1}).DiscountedExpectedResidualLifetime(0, 1e-310)), 1e-9)
	assert.InEpsilon(t, 1e-310, v((&SBG{Alpha: 1e-310, Beta: 1}).ChurnProbability(1)), 1e-12)
	assert.InEpsilon(t, 1e-310, v((&SBG{Alpha: 1, Beta: 1e-310}).Survival(1)), 1e-12)
	// Nobody leaves (α → 0): the annuity Σ (1+d)^-k = (1+d)/d.
	assert.InEpsilon(t, 1.01/0.01, v((&SBG{Alpha: 1e-14, Beta: 1}).DiscountedExpectedResidualLifetime(0, 0.01)), 1e-11)
}

// Both ways of evaluating DERL agree where both apply: the closed form with
// Hypergeo (d >= 1/9) and the quadrature.
func TestDERLClosedFormMatchesQuadrature(t *testing.T) {
	for _, alpha := range []float64{1e-3, 0.3, 0.668, 1, 2, 17, 300, 1e3} {
		for _, bp := range []float64{1e-3, 0.2, 3.806, 100, 1e5} {
			for _, d := range []float64{1.0 / 9, 0.125, 0.25, 1, 10} {
				m := &SBG{Alpha: alpha, Beta: bp}
				closed, err := m.DiscountedExpectedResidualLifetime(0, d)
				require.NoError(t, err)
				quad, err := sbgDERLQuad(alpha, bp, d)
				require.NoError(t, err)
				assert.InEpsilon(t, quad, closed, 1e-12, "alpha %v beta %v d %v", alpha, bp, d)
				assert.InEpsilon(t, directDERL(alpha, bp, 0, d), closed, 1e-12, "alpha %v beta %v d %v", alpha, bp, d)
			}
		}
	}
}

func TestLogBeta(t *testing.T) {
	// mpmath's log(beta(a, b)) at 40 digits (testdata/sbg_reference.py).
	for _, tt := range []struct{ a, b, want float64 }{
		{10, 10, -13.736229227036554814},
		{0.668, 1e5, -7.3892377519294644382},
		{1e3, 1e5, -5612.6834827573461668},
		{3.5, 12.25, -7.899401290669235581},
		{1e-3, 1e5, 6.8956659649138917414},
		{50, 1e8, -776.46830550127136635},
	} {
		assert.InDelta(t, tt.want, logBeta(tt.a, tt.b), 4e-16*math.Max(1, math.Abs(tt.want)), "%+v", tt)
		assert.InDelta(t, tt.want, logBeta(tt.b, tt.a), 4e-16*math.Max(1, math.Abs(tt.want)), "%+v", tt)
	}
}

func TestSubscriptionLifetimeValue(t *testing.T) {
	// 49.90 a month at 80% margin, the paper's regular model read as
	// monthly, a subscriber after 10 renewals, 1% a month: 39.92 × DERL
	// with DERL = 31.076724327857125 (TestDERL's reference).
	m := &SBG{Alpha: 0.704, Beta: 1.182}
	mrr, margin := decimal.RequireFromString("49.90"), decimal.RequireFromString("0.8")
	got, err := SubscriptionLifetimeValue(m, mrr, margin, 10, 0.01)
	require.NoError(t, err)
	// 39.92 × 31.076724327857125 = 1240.58283516805643
	assert.Equal(t, "1240.58", got.StringFixed(2))
	assert.InDelta(t, 1240.58283516805643, got.InexactFloat64(), 1e-9)
	assert.LessOrEqual(t, -got.Exponent(), int32(16), "rounded to 16 places")
	zero, err := SubscriptionLifetimeValue(m, decimal.Zero, margin, 0, 0.1)
	require.NoError(t, err)
	assert.True(t, zero.IsZero())

	for _, tt := range []struct {
		name        string
		mrr, margin string
		renewals    int
		discount    float64
		sentinel    error
		msg         string
		model       *SBG
	}{
		{"negative MRR", "-1", "0.5", 0, 0.1, cxmetrics.ErrNegative, "MRR -1 below 0", m},
		{"zero margin", "10", "0", 0, 0.1, cxmetrics.ErrOutOfRange, "margin 0 not in (0, 1]", m},
		{"margin above 1", "10", "1.5", 0, 0.1, cxmetrics.ErrOutOfRange, "margin 1.5 not in (0, 1]", m},
		{"negative renewals", "10", "0.5", -2, 0.1, cxmetrics.ErrOutOfRange, "renewals -2 below 0", m},
		{"infinite lifetime", "10", "0.5", 0, 0, cxmetrics.ErrOutOfRange, "is infinite", m},
		{"nil model", "10", "0.5", 0, 0.1, cxmetrics.ErrNoData, "nil sBG model", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SubscriptionLifetimeValue(tt.model, decimal.RequireFromString(tt.mrr), decimal.RequireFromString(tt.margin), tt.renewals, tt.discount)
			assert.ErrorIs(t, err, tt.sentinel)
			assert.ErrorContains(t, err, tt.msg)
		})
	}
}

func TestFitSBGErrors(t *testing.T) {
	for _, tt := range []struct {
		name      string
		survivors []int64
		sentinel  error
		msg       string
	}{
		{"nil", nil, cxmetrics.ErrNoData, "0 survivor counts"},
		{"size only", []int64{10}, cxmetrics.ErrNoData, "1 survivor counts"},
		{"one period", []int64{10, 5}, cxmetrics.ErrNoData, "2 survivor counts: need the cohort's size and at least two periods"},
		{"negative", []int64{10, 5, -1}, cxmetrics.ErrNegative, "survivors[2] = -1 below 0"},
		{"rising", []int64{10, 5, 6}, cxmetrics.ErrInconsistent, "survivors[2] = 6 above survivors[1] = 5"},
		{"empty cohort", []int64{0, 0, 0}, cxmetrics.ErrNoData, "a cohort of size 0"},
		{"nobody leaves", []int64{10, 10, 10}, cxmetrics.ErrNoData, "none of the 10 customers left"},
		{"nobody renews", []int64{10, 0, 0}, cxmetrics.ErrNoData, "all 10 customers left at their first renewal"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := FitSBG(tt.survivors, FitOptions{})
			assert.Nil(t, m)
			assert.ErrorIs(t, err, tt.sentinel)
			assert.ErrorContains(t, err, tt.msg)
		})
	}
	_, err := FitSBG(highEnd, FitOptions{Initial: []float64{1, 2, 3}})
	assert.ErrorIs(t, err, cxmetrics.ErrOutOfRange)
	_, err = FitSBG(highEnd, FitOptions{MaxIterations: 1})
	assert.ErrorIs(t, err, ErrNotConverged)
}

func TestFitSBGBoundaries(t *testing.T) {
	v := must(t)
	// Constant retention of 90%: one churn probability for everyone, the
	// limit α, β → ∞ with α/(α+β) = 0.1.
	geometric := []int64{100000, 90000, 81000, 72900, 65610, 59049}
	m, err := FitSBG(geometric, FitOptions{})
	require.NoError(t, err)
	assert.Equal(t, [2]bool{true, true}, m.AtBoundary)
	assert.Equal(t, [2]float64{}, m.StdErr)
	// To the fit's tolerance: its gradient within 1e-8 per customer.
	assert.InDelta(t, 0.9, v(m.RetentionRate(1)), 1e-6)
	assert.InDelta(t, 0.9, v(m.RetentionRate(20)), 1e-5)
	// The log-likelihood is the limit's, the geometric model with churn
	// 0.1: Σ lost[t] ln(0.1 × 0.9^(t−1)) + 59049 ln(0.9^5).
	geo := 59049 * 5 * math.Log(0.9)
	for i, lost := range []float64{10000, 9000, 8100, 7290, 6561} {
		geo += lost * (math.Log(0.1) + float64(i)*math.Log(0.9))
	}
	assert.InDelta(t, geo, m.LogLikelihood, 1e-6)
	assert.InDelta(t, 4-2*geo, m.AIC, 1e-6)
	// Half leave at once, the others never: α, β → 0 with α = β.
	m, err = FitSBG([]int64{10, 5, 5, 5}, FitOptions{})
	require.NoError(t, err)
	assert.Equal(t, [2]bool{true, true}, m.AtBoundary)
	assert.InDelta(t, 0.5, v(m.Survival(10)), 1e-6)
}

// cohortTable builds a table from survivor curves, one row a month.
func cohortTable(curves ...[]int64) *cxmetrics.CohortTable {
	t := &cxmetrics.CohortTable{Period: cxmetrics.Month, Location: time.UTC}
	for i, c := range curves {
		size := int64(0)
		if len(c) > 0 {
			size = c[0]
		}
		t.Rows = append(t.Rows, cxmetrics.CohortRow{Start: time.Date(2024, time.Month(1+i), 1, 0, 0, 0, 0, time.UTC), Size: size, Active: c})
	}
	return t
}

func TestFitSBGCohorts(t *testing.T) {
	// One row is FitSBG.
	one, err := FitSBGCohorts(cohortTable(regular), FitOptions{})
	require.NoError(t, err)
	single, err := FitSBG(regular, FitOptions{})
	require.NoError(t, err)
	assert.Equal(t, single, one)

	// Cohorts of different ages, the last one too young to count:
	// testdata/sbg_reference.py fits the product of the cohorts'
	// likelihoods with mpmath.
	m, err := FitSBGCohorts(cohortTable(regular, []int64{500, 330, 250, 200, 170}, []int64{800, 520, 400}, []int64{300}), FitOptions{})
	require.NoError(t, err)
	assert.InEpsilon(t, 0.73682963263637551, m.Alpha, 1e-6)
	assert.InEpsilon(t, 1.321611634680289, m.Beta, 1e-6)
	assert.InDelta(t, -3193.5292727628954, m.LogLikelihood, 1e-9)
	assert.Equal(t, 3, m.Cohorts)
	assert.Equal(t, 2300, m.Customers)
	assert.InDelta(t, 2*math.Log(2300)-2*m.LogLikelihood, m.BIC, 1e-9)

	// A win-back: 310 after 300 is fitted as 300, the running minimum.
	m, err = FitSBGCohorts(cohortTable(regular, []int64{400, 300, 310, 250}), FitOptions{})
	require.NoError(t, err)
	assert.InEpsilon(t, 0.62658823124074499, m.Alpha, 1e-6)
	assert.InEpsilon(t, 1.2947374618476016, m.Beta, 1e-6)
	assert.InDelta(t, -2126.8677774004227, m.LogLikelihood, 1e-9)

	// Rows of size 0 are left out.
	m, err = FitSBGCohorts(cohortTable(regular, []int64{0, 0, 0}), FitOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1, m.Cohorts)
	assert.Equal(t, 1000, m.Customers)
}

func TestFitSBGCohortsErrors(t *testing.T) {
	_, err := FitSBGCohorts(nil, FitOptions{})
	assert.ErrorIs(t, err, cxmetrics.ErrNoData)
	for _, tt := range []struct {
		name     string
		table    *cxmetrics.CohortTable
		sentinel error
		msg      string
	}{
		{"no rows", cohortTable(), cxmetrics.ErrNoData, "no cohort with customers observed for at least one period"},
		{"only new cohorts", cohortTable([]int64{10}, []int64{20}), cxmetrics.ErrNoData, "no cohort with customers"},
		{"no cells", cohortTable(regular, nil), cxmetrics.ErrInconsistent, "cohort 1 (2024-02-01T00:00:00Z): no cells"},
		{"negative count", cohortTable([]int64{10, 5, -1}), cxmetrics.ErrNegative, "cohort 0 (2024-01-01T00:00:00Z): Active[2] = -1 below 0"},
		{"above the size", cohortTable([]int64{10, 11}), cxmetrics.ErrInconsistent, "Active[1] = 11 above its size 10"},
		{"one period", cohortTable([]int64{10, 5}, []int64{8, 4}, []int64{3}), cxmetrics.ErrNoData, "observed for one period only"},
		{"nobody leaves", cohortTable([]int64{10, 10}, []int64{5, 5, 5}), cxmetrics.ErrNoData, "none of the 15 customers left"},
		{"nobody renews", cohortTable([]int64{10, 0}, []int64{5, 0, 0}), cxmetrics.ErrNoData, "all 15 customers left at their first renewal"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FitSBGCohorts(tt.table, FitOptions{})
			assert.ErrorIs(t, err, tt.sentinel)
			assert.ErrorContains(t, err, tt.msg)
		})
	}
	bad := cohortTable(regular)
	bad.Rows[0].Size = 999
	_, err = FitSBGCohorts(bad, FitOptions{})
	assert.ErrorIs(t, err, cxmetrics.ErrInconsistent)
	assert.ErrorContains(t, err, "Active[0] = 1000 is not its size 999")
	bad.Rows[0].Size = -1
	_, err = FitSBGCohorts(bad, FitOptions{})
	assert.ErrorIs(t, err, cxmetrics.ErrNegative)
	// A row without a start is named by its index alone.
	bad = cohortTable([]int64{10, 11})
	bad.Rows[0].Start = time.Time{}
	_, err = FitSBGCohorts(bad, FitOptions{})
	assert.ErrorContains(t, err, "cohort 0: Active[1]")
}

// Subscription cohorts from the library's MRR builder fit as they come.
func TestFitSBGOnSubscriptionCohorts(t *testing.T) {
	b, err := cxmetrics.NewMRRBuilder(cxmetrics.MRROptions{Until: time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	// Per monthly cohort of 20, customer i leaves after i months (never
	// for i >= 12): a triangle with losses in every row.
	for cohort := 0; cohort < 6; cohort++ {
		for i := 0; i < 20; i++ {
			start := time.Date(2024, time.Month(1+cohort), 15, 0, 0, 0, 0, time.UTC)
			s := cxmetrics.SubscriptionSpan{CustomerID: string(rune('a'+cohort)) + string(rune('A'+i)), SubscriptionID: "s",
				Start: start, Amount: decimal.NewFromInt(10), Interval: cxmetrics.BillingInterval{Unit: cxmetrics.Month, Count: 1}}
			if i > 0 && i < 12 {
				s.End = start.AddDate(0, i, 0)
			}
			require.NoError(t, b.Add(s))
		}
	}
	table, err := b.Cohorts()
	require.NoError(t, err)
	m, err := FitSBGCohorts(table, FitOptions{})
	require.NoError(t, err)
	assert.Equal(t, 6, m.Cohorts)
	assert.Equal(t, 120, m.Customers)
	assert.True(t, m.Alpha > 0 && m.Beta > 0)
}

// The README and the package doc print the paper's fits; they must print
// what the code computes.
func TestDocsQuoteTheSBGFits(t *testing.T) {
	var quotes []string
	for _, survivors := range [][]int64{highEnd, regular} {
		m, err := FitSBG(survivors, FitOptions{})
		require.NoError(t, err)
		quotes = append(quotes, fmt.Sprintf("α = %.3f, β = %.3f, LL = %.1f", m.Alpha, m.Beta, m.LogLikelihood))
	}
	for _, path := range []string{"../README.md", "doc.go"} {
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		text := strings.Join(strings.Fields(strings.ReplaceAll(string(raw), "//", "")), " ")
		for _, q := range quotes {
			assert.Contains(t, text, q, path)
		}
	}
}
