package clv

import (
	"fmt"
	"math"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
	"gonum.org/v1/gonum/mathext"
)

// SBG is a fitted (or given) shifted-beta-geometric model of contract
// renewals (Fader & Hardie 2007, "How to Project Customer Retention",
// Journal of Interactive Marketing 21(1)). At the end of each period a
// customer either renews, with a probability 1 − θ that stays the same from
// period to period, or leaves for good; θ varies across customers as a
// Beta(Alpha, Beta) distribution. The customers who are left are more and
// more those with a small θ, so a cohort's retention rate rises with its
// age even though no customer's own probability changes. Periods are those
// of the data the model was fitted on (months for monthly subscription
// cohorts, years for annual contracts).
//
// A model built by hand needs Alpha and Beta finite and > 0 (see
// [SBG.Validate]); the fit fields are then zero.
type SBG struct {
	Alpha, Beta float64
	// LogLikelihood is the log-likelihood of the fitted survivor counts at
	// the parameters (0 for a model built by hand).
	LogLikelihood float64
	// AIC and BIC with k = 2 parameters and n = Customers, as for BGNBD.
	AIC, BIC float64
	// StdErr and AtBoundary are as for BGNBD, in the order Alpha, Beta,
	// and both parameters are also at a boundary when multiplying or
	// dividing both by 1000 changes the log-likelihood by less than 0.001.
	// Alpha and Beta → ∞ together means the data are best described by
	// one churn probability, Alpha/(Alpha+Beta), shared by every customer
	// (constant retention); → 0 together, by customers who either leave at
	// the first renewal or never. The predictions are then those of that
	// limit.
	StdErr     [2]float64
	AtBoundary [2]bool
	// Cohorts is the number of cohorts fitted, and Customers the
	// customers in them; a cohort observed for no full period carries no
	// information and counts in neither.
	Cohorts, Customers int
}

var sbgNames = []string{"alpha", "beta"}

// Validate reports whether the parameters define an sBG model: Alpha and
// Beta finite and > 0 (cxmetrics.ErrOutOfRange otherwise, naming the
// parameter; a nil model is cxmetrics.ErrNoData, a zero-value one
// cxmetrics.ErrOutOfRange). Every method calls it.
func (m *SBG) Validate() error {
	if m == nil {
		return errorf(cxmetrics.ErrNoData, "nil sBG model")
	}
	return validParams("sBG", sbgNames, m.Alpha, m.Beta)
}

// logRetention returns ln((β+t−1)/(α+β+t−1)) for bt = β+t−1 and den =
// α+β+t−1 = α+bt, without cancellation whichever of α and bt is larger.
func logRetention(alpha, bt, den float64) float64 {
	if alpha < den/2 {
		return math.Log1p(-alpha / den)
	}
	return logPos(bt) - logPos(den)
}

// logPos returns ln x for x > 0, subnormal x included: math.Log is wrong
// there on amd64 (Go 1.26 gives math.Log(1e-310) = -709.09, not -713.80),
// so a subnormal is scaled into the normal range first. A model's
// parameters and a discount rate may be that small.
func logPos(x float64) float64 {
	if x < 0x1p-1022 {
		return math.Log(x*0x1p64) - 64*math.Ln2
	}
	return math.Log(x)
}

// lgammaPos returns ln Γ(x) for x > 0, subnormal x included (see logPos):
// below 2^-70, ln Γ(x) = -ln x to within a rounding, as math.Lgamma has it.
func lgammaPos(x float64) float64 {
	if x < 0x1p-70 {
		return -logPos(x)
	}
	v, _ := math.Lgamma(x)
	return v
}

// logSurvival returns ln S(t) = Σ_{i=1..t} ln((β+i−1)/(α+β+i−1)).
func (m *SBG) logSurvival(t int) float64 {
	var s float64
	for i := 1; i <= t; i++ {
		bt := m.Beta + float64(i-1)
		s += logRetention(m.Alpha, bt, m.Alpha+bt)
	}
	return s
}

// checkPeriod checks a period number t for Survival and ChurnProbability:
// from lo to MaxHorizon.
func checkPeriod(t, lo int) error {
	if t < lo || t > MaxHorizon {
		return errorf(cxmetrics.ErrOutOfRange, "period t = %d not in %d..%d", t, lo, MaxHorizon)
	}
	return nil
}

// Survival returns S(t), the probability that a new customer is still a
// customer after t periods, having renewed t times, a fraction in [0, 1]
// (Fader & Hardie 2007):
//
//	S(t) = B(α, β+t) / B(α, β) = Π_{i=1..t} (β+i−1)/(α+β+i−1)
//
// S(0) = 1. Times the cohort's size, it projects the cohort's survivors.
// The product is summed in logarithms, each factor without cancellation:
// the relative error grows with t, about 1e-16 at t = 12, 1e-14 at 1,000
// and 1e-13 at 100,000 (against mpmath); a survival below about 1e-308 is
// 0. t outside 0..MaxHorizon is cxmetrics.ErrOutOfRange; an
// invalid model is an error.
func (m *SBG) Survival(t int) (float64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	if err := checkPeriod(t, 0); err != nil {
		return 0, err
	}
	return math.Exp(m.logSurvival(t)), nil
}

// ChurnProbability returns P(T = t), the probability that a new customer
// leaves at the end of period t (makes t − 1 renewals and not the t-th), a
// fraction in [0, 1] (Fader & Hardie 2007, eq. 7 in recursive form):
//
//	P(T = t) = B(α+1, β+t−1) / B(α, β) = S(t−1) × α/(α+β+t−1)
//
// The first chance to leave is at the end of period 1, so t below 1 (or
// above MaxHorizon) is cxmetrics.ErrOutOfRange. An invalid model is an
// error.
func (m *SBG) ChurnProbability(t int) (float64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	if err := checkPeriod(t, 1); err != nil {
		return 0, err
	}
	den := m.Alpha + m.Beta + float64(t-1)
	return math.Exp(m.logSurvival(t-1) + logPos(m.Alpha) - logPos(den)), nil
}

// RetentionRate returns r_t, the share of the customers there after t − 1
// periods who renew at the end of period t, a fraction in (0, 1) (Fader &
// Hardie 2007, eq. 8):
//
//	r_t = S(t) / S(t−1) = (β+t−1) / (α+β+t−1)
//
// It rises with t toward 1: the customers likely to leave leave first. t
// below 1 is cxmetrics.ErrOutOfRange; an invalid model is an error.
func (m *SBG) RetentionRate(t int) (float64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	if t < 1 {
		return 0, errorf(cxmetrics.ErrOutOfRange, "period t = %d below 1", t)
	}
	bt := m.Beta + float64(t-1)
	return bt / (m.Alpha + bt), nil
}

// DiscountedExpectedResidualLifetime returns DERL, the expected discounted
// number of periods a customer who has renewed renewals times will still
// pay for (Fader & Hardie 2010, "Customer-Base Valuation in a Contractual
// Setting: The Perils of Ignoring Heterogeneity", Marketing Science 29(1),
// eq. 6, with n − 1 = renewals):
//
//	DERL = (β+renewals)/(α+β+renewals) × 2F1(1, β+renewals+1; α+β+renewals+1; 1/(1+d))
//	     = Σ_{k=0..∞} S(renewals+1+k)/S(renewals) / (1+d)^k
//
// It is valued, as in the paper, at the end of the customer's current
// period (period renewals+1), just before the next renewal decision: the
// payment that comes with the next renewal counts in full (it is made now),
// the one after it is discounted by one period, and so on. The payment for
// the current period, already made, does not count. So for a customer who
// has just signed up and paid for period 1 (renewals = 0) DERL counts the
// payments for periods 2, 3, …; the expected discounted number of payments
// of a customer about to sign up, the first one included and paid now, is
// 1 + DERL(0)/(1+d).
//
// discount d is per period, a fraction (0.01 for 1% a month with monthly
// periods). With d = 0, DERL is the expected number of further renewals,
// (β+renewals)/(α−1), finite only for α > 1; otherwise (α <= 1) it is
// cxmetrics.ErrOutOfRange, and so are a negative, NaN or infinite d and a
// negative renewals. The result is at most (1+d)/d, so it fits a float64
// unless d is below about 1e-308; one that does not is an error.
//
// The hypergeometric function is evaluated with gonum's mathext.Hypergeo
// where Cephes sums its defining series, z = 1/(1+d) <= 0.9 (d >= 1/9),
// whose positive terms fall at least as fast as z^k. Closer to 1 Cephes
// turns to transformations that lose digits (2e-11 at α = 1) or, for a
// whole α and a large β, do not finish; there DERL is the integral over
// the posterior of the churn probability θ, Beta(α, β+renewals),
//
//	DERL = (1+d) E[(1−θ)/(d+θ)]
//
// by adaptive Gauss-Kronrod quadrature in logit θ, with its far tail
// integrated exactly. Both agree with mpmath and with a direct truncated
// sum of the series to 1e-12 in the tests. An invalid model is an error.
func (m *SBG) DiscountedExpectedResidualLifetime(renewals int, discount float64) (float64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	if renewals < 0 {
		return 0, errorf(cxmetrics.ErrOutOfRange, "renewals %d below 0", renewals)
	}
	if !(discount >= 0) || math.IsInf(discount, 0) {
		return 0, errorf(cxmetrics.ErrOutOfRange, "discount rate %v: must be a finite number >= 0", discount)
	}
	a, bp := m.Alpha, m.Beta+float64(renewals) // the posterior of θ is Beta(a, bp)
	if discount == 0 {
		if !(a > 1) {
			return 0, errorf(cxmetrics.ErrOutOfRange, "undiscounted residual lifetime with alpha = %v <= 1 is infinite; use a discount rate > 0", a)
		}
		v := bp / (a - 1)
		if math.IsInf(v, 0) {
			return 0, errorf(cxmetrics.ErrOutOfRange, "residual lifetime (beta+renewals)/(alpha-1) = %v/%v does not fit a float64", bp, a-1)
		}
		return v, nil
	}
	if z := 1 / (1 + discount); z <= hypergeoMaxZ {
		f := mathext.Hypergeo(1, bp+1, a+bp+1, z)
		// The series' terms are positive and at most z^k, so 1 <= F <=
		// 1/(1-z); a value outside is a failure of the evaluation.
		if f >= 1 && f <= (1+discount)/discount*(1+1e-12) {
			return bp / (a + bp) * f, nil
		}
	}
	return sbgDERLQuad(a, bp, discount)
}

// hypergeoMaxZ is the largest argument at which DERL uses mathext.Hypergeo:
// up to it Cephes sums the defining series directly (about 350 terms at
// 0.9), with no transformation.
const hypergeoMaxZ = 0.9

// sbgDERLQuad returns DERL for θ ~ Beta(a, bp) and discount d > 0 as the
// integral over y = logit θ,
//
//	DERL = ∫ exp(h(y)) dy,  h(y) = a y − (a+bp) ln(1+e^y) − ln B(a, bp) − ln(ε + e^y),
//
// with ε = d/(1+d). h is concave (a sum of concave terms), so the
// integrand has one peak, found by bisection on h'. Below
// Y = min(ln ε, 0) − 40 − ln(1+a+bp) the integrand is e^{a y − ln B − ln ε}
// to within a factor 1 ± 1e-17, and that tail is integrated exactly; the
// rest by adaptive Gauss-Kronrod out to where the integrand is e^-90 of its
// peak.
func sbgDERLQuad(a, bp, d float64) (float64, error) {
	lnEps := logPos(d) - math.Log1p(d)
	lb := logBeta(a, bp)
	h := func(y float64) float64 {
		return a*y - (a+bp)*softplus(y) - lb - logAddExp(lnEps, y)
	}
	// h'(y) = a − (a+bp) σ(y) − σ(y − ln ε), decreasing from a to −(bp+1).
	dh := func(y float64) float64 {
		return a - (a+bp)*sigmoid(y) - sigmoid(y-lnEps)
	}
	Y := math.Min(lnEps, 0) - 40 - math.Log1p(a+bp)
	lo, hi := Y, math.Max(0, lnEps)+40
	for dh(hi) > 0 {
		hi += 2 * (hi - lo)
	}
	mode := Y // h decreasing from Y on (a tiny): the peak is at Y
	if dh(Y) > 0 {
		for i := 0; i < 200 && hi-lo > 1e-12*(1+math.Abs(lo)); i++ {
			mid := (lo + hi) / 2
			if dh(mid) > 0 {
				lo = mid
			} else {
				hi = mid
			}
		}
		mode = (lo + hi) / 2
	}
	peak := h(mode)
	f := func(y float64) float64 { return math.Exp(h(y) - peak) }
	w := 3 / math.Sqrt(math.Max(-secondDiff(h, mode), 1e-300))
	w = math.Min(math.Max(w, 1e-6), 50)
	left, right := math.Max(mode-w, Y), mode+w
	from := left
	for step := w; peak-h(from) < 90 && from > Y; step *= 2 {
		from = math.Max(from-step, Y)
	}
	to := right
	for step := w; peak-h(to) < 90 && step < 1e7; step *= 2 {
		to += step
	}
	const tol, depth = 1e-13, 30
	sum := integrate(f, from, left, tol, depth) + integrate(f, left, right, tol, depth) + integrate(f, right, to, tol, depth)
	if from == Y {
		sum += math.Exp(a*Y-lb-lnEps-peak) / a
	}
	if !(sum > 0) || math.IsInf(sum, 0) {
		return 0, errorf(cxmetrics.ErrOutOfRange, "DERL cannot be evaluated for alpha = %v, beta + renewals = %v, discount %v", a, bp, d)
	}
	return finite("DERL", peak+logPos(sum))
}

// secondDiff returns a central second difference of f at x.
func secondDiff(f func(float64) float64, x float64) float64 {
	const s = 1e-4
	return (f(x+s) - 2*f(x) + f(x-s)) / (s * s)
}

// logAddExp returns ln(e^a + e^b) without overflow.
func logAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// sigmoid returns 1/(1+e^-y).
func sigmoid(y float64) float64 {
	if y >= 0 {
		return 1 / (1 + math.Exp(-y))
	}
	e := math.Exp(y)
	return e / (1 + e)
}

// SubscriptionLifetimeValue returns the expected discounted margin a
// subscriber who has made renewals renewals will still bring, in the MRR's
// currency:
//
//	value = mrr × margin × DERL(renewals, discount)
//
// with DERL as [SBG.DiscountedExpectedResidualLifetime] gives it, so the
// same periods count: the payment of the next renewal in full, each later
// one discounted by (1+discount) per period, the current period's (already
// paid) not at all. mrr is the revenue of one period of the model: the MRR
// for a model fitted on monthly cohorts, twelve times it for yearly ones.
// margin is the gross margin, a fraction in (0, 1].
//
// DERL is a float64 statistic; it enters the product as
// decimal.NewFromFloat gives it (the shortest decimal that reads back as
// the same float64, at most 17 significant digits), the product is exact,
// and the result is rounded half away from zero to 16 fractional digits
// (round it to the currency's minor unit to show it). A nil or invalid
// model is an error; a negative mrr is cxmetrics.ErrNegative; a margin
// outside (0, 1] is cxmetrics.ErrOutOfRange; renewals and discount are
// checked as DERL checks them.
func SubscriptionLifetimeValue(m *SBG, mrr, margin decimal.Decimal, renewals int, discount float64) (decimal.Decimal, error) {
	if err := m.Validate(); err != nil {
		return decimal.Decimal{}, err
	}
	if mrr.IsNegative() {
		return decimal.Decimal{}, errorf(cxmetrics.ErrNegative, "MRR %s below 0", mrr)
	}
	if !margin.IsPositive() || margin.GreaterThan(decimal.NewFromInt(1)) {
		return decimal.Decimal{}, errorf(cxmetrics.ErrOutOfRange, "margin %s not in (0, 1]", margin)
	}
	derl, err := m.DiscountedExpectedResidualLifetime(renewals, discount)
	if err != nil {
		return decimal.Decimal{}, err
	}
	return mrr.Mul(margin).Mul(decimal.NewFromFloat(derl)).Round(16), nil
}

// sbgData is survival data grouped by age: lost[t] customers left at the
// end of period t (T = t observed), still[t] customers still there after t
// periods when their observation ended (right-censored at t), for t =
// 1..len-1.
type sbgData struct {
	lost, still []float64
	cohorts     int
	customers   int64
}

// add adds one cohort's survivor curve, n[0] its size and n[t] the
// customers still there after t periods, non-increasing.
func (d *sbgData) add(n []int64) {
	if len(n) < 2 || n[0] == 0 {
		return
	}
	for len(d.lost) < len(n) {
		d.lost, d.still = append(d.lost, 0), append(d.still, 0)
	}
	for t := 1; t < len(n); t++ {
		d.lost[t] += float64(n[t-1] - n[t])
	}
	d.still[len(n)-1] += float64(n[len(n)-1])
	d.cohorts++
	d.customers += n[0]
}

// check reports data that cannot identify the model: no cohort observed
// for a full period; none for two (one period tells only the churn
// probability at the first renewal, α/(α+β), so every α and β with that
// ratio fit alike and the projections would depend on where the optimizer
// stopped); nobody lost (the churn probability's maximum likelihood is 0
// for everyone) or nobody renewed (1 for everyone).
func (d *sbgData) check() error {
	if d.cohorts == 0 {
		return errorf(cxmetrics.ErrNoData, "no cohort with customers observed for at least one period")
	}
	if len(d.lost) < 3 {
		return errorf(cxmetrics.ErrNoData, "the cohorts are observed for one period only, which gives the churn probability at the first renewal but not alpha and beta apart; the model needs two")
	}
	var lost float64
	for _, n := range d.lost {
		lost += n
	}
	if lost == 0 {
		return errorf(cxmetrics.ErrNoData, "none of the %d customers left in the periods observed, so the churn probabilities cannot be estimated", d.customers)
	}
	if d.lost[1] == float64(d.customers) {
		return errorf(cxmetrics.ErrNoData, "all %d customers left at their first renewal, so the churn probabilities cannot be estimated", d.customers)
	}
	return nil
}

// sbgLogLik is the sBG log-likelihood of data and its gradient in (α, β)
// (Fader & Hardie 2007; with several cohorts, the product of their
// likelihoods):
//
//	LL = Σ_t lost[t] ln P(T = t) + still[t] ln S(t)
//
// with ln S and ln P accumulated period by period from the retention rates,
// so each period costs a few logarithms and no term cancels.
func sbgLogLik(d *sbgData) logLikelihood {
	return func(p, grad []float64) float64 {
		alpha, beta := p[0], p[1]
		lnAlpha := logPos(alpha)
		var ll, ga, gb float64
		var lnS, dSa, dSb float64 // ln S(t−1) and its derivatives
		for t := 1; t < len(d.lost); t++ {
			bt := beta + float64(t-1)
			den := alpha + bt
			if n := d.lost[t]; n > 0 {
				ll += n * (lnS + lnAlpha - logPos(den))
				ga += n * (dSa + 1/alpha - 1/den)
				gb += n * (dSb - 1/den)
			}
			lnS += logRetention(alpha, bt, den)
			dSa -= 1 / den
			dSb += alpha / (bt * den)
			if n := d.still[t]; n > 0 {
				ll += n * lnS
				ga += n * dSa
				gb += n * dSb
			}
		}
		grad[0], grad[1] = ga, gb
		return ll
	}
}

// fitSBG fits the model to data.
func fitSBG(d *sbgData, opts FitOptions) (*SBG, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	if int64(int(d.customers)) != d.customers {
		return nil, errorf(cxmetrics.ErrOutOfRange, "%d customers do not fit an int", d.customers)
	}
	ll := sbgLogLik(d)
	res, err := maximize(sbgNames, ll, int(d.customers), opts)
	if err != nil {
		return nil, err
	}
	m := &SBG{Alpha: res.params[0], Beta: res.params[1], LogLikelihood: res.logLik, Cohorts: d.cohorts, Customers: int(d.customers)}
	copy(m.StdErr[:], res.stdErr)
	copy(m.AtBoundary[:], res.atBoundary)
	// The sBG's boundaries are also joint: α and β → ∞ with their ratio
	// fixed (one churn probability for everyone) or → 0 (each customer
	// leaves at once or never). maximize tests one parameter at a time;
	// test the ray through both the same way. On that flat stretch, where
	// the optimizer stopped is an accident of its path, and the likelihood
	// there can still fall short of the limit's in the fourth decimal: go
	// on along the ray, a factor 1000 at a time, while the likelihood
	// rises.
	g := make([]float64, 2)
	for _, f := range []float64{1.0 / boundaryShift, boundaryShift} {
		x := []float64{m.Alpha * f, m.Beta * f}
		v := ll(x, g)
		if !(v >= m.LogLikelihood-boundaryLoss) {
			continue
		}
		m.AtBoundary = [2]bool{true, true}
		m.StdErr = [2]float64{}
		for i := 0; i < 3 && v > m.LogLikelihood && x[0] > 1e-290 && x[1] > 1e-290 && x[0] < 1e290 && x[1] < 1e290; i++ {
			m.Alpha, m.Beta, m.LogLikelihood = x[0], x[1], v
			x = []float64{m.Alpha * f, m.Beta * f}
			v = ll(x, g)
		}
	}
	m.AIC, m.BIC = infoCriteria(2, m.Customers, m.LogLikelihood)
	return m, nil
}

// FitSBG fits the sBG model to one cohort by maximum likelihood (see [SBG]
// and [FitOptions]; the parameter order is alpha, beta): survivors[0] is
// the cohort's size and survivors[t] the customers still there after t
// periods, so len(survivors) − 1 periods are observed. Those lost at the
// end of period t contribute ln P(T = t) each, and those still there at
// the end ln S(len(survivors) − 1) each (Fader & Hardie 2007).
//
// A negative count is cxmetrics.ErrNegative and a count above the one
// before it cxmetrics.ErrInconsistent (survivors never come back; for
// subscription cohorts with win-backs, see [FitSBGCohorts]), naming the
// index. Fewer than three counts (two periods), a size of 0, nobody lost
// or nobody renewing is cxmetrics.ErrNoData: one period tells only the
// churn probability at the first renewal, α/(α+β), and the model needs
// both losses and renewals to estimate a distribution of churn
// probabilities. A maximum at a boundary is returned
// with AtBoundary set, as for [FitBGNBD]; a fit that does not converge is
// ErrNotConverged.
func FitSBG(survivors []int64, opts FitOptions) (*SBG, error) {
	if len(survivors) < 3 {
		return nil, errorf(cxmetrics.ErrNoData, "%d survivor counts: need the cohort's size and at least two periods", len(survivors))
	}
	for t, n := range survivors {
		switch {
		case n < 0:
			return nil, errorf(cxmetrics.ErrNegative, "survivors[%d] = %d below 0", t, n)
		case t > 0 && n > survivors[t-1]:
			return nil, errorf(cxmetrics.ErrInconsistent, "survivors[%d] = %d above survivors[%d] = %d: survivor counts never rise", t, n, t-1, survivors[t-1])
		}
	}
	if survivors[0] == 0 {
		return nil, errorf(cxmetrics.ErrNoData, "a cohort of size 0")
	}
	var d sbgData
	d.add(survivors)
	return fitSBG(&d, opts)
}

// FitSBGCohorts fits the sBG model to several cohorts of different ages at
// once, the multi-cohort case of Fader & Hardie (2007): the likelihood is
// the product of the cohorts' likelihoods, each as in [FitSBG], with the
// customers still there at the end of a row right-censored at its age.
// Cohort tables are triangles, so the old cohorts tell about late periods
// and all of them about the first ones.
//
// Each row's Active is its survivor curve: Active[0] the cohort's size,
// Active[k] the customers still active k periods later, as
// cxmetrics.MRRBuilder.Cohorts gives them for subscriptions. A subscription
// cohort's count can go up again when customers who left come back; the
// model has no return, so the fit takes each row's running minimum,
// min(Active[0..k]), as its survivors after k periods: a customer who left
// and came back counts as lost. The table holds counts, not customers, so
// this is the closest the table allows to the customers who never left,
// and an upper bound on them: exact when nobody comes back, it can
// overstate survival a little when a customer comes back in a period in
// which others leave, hiding one of those losses.
// A purchase cohort table (cxmetrics.Cohorts) is no survivor data: its
// customers can skip a period and still be customers.
//
// Rows of size 0, and rows observed for no full period (a single cell),
// carry no information and are left out of Cohorts and Customers. A nil
// table, no row left, no row observed for two periods, nobody lost or
// nobody renewing is cxmetrics.ErrNoData. A row with no cells, an Active[0] other than its
// Size or a count above its Size is cxmetrics.ErrInconsistent, a negative
// count cxmetrics.ErrNegative, naming the row. The fit is as for FitSBG.
func FitSBGCohorts(t *cxmetrics.CohortTable, opts FitOptions) (*SBG, error) {
	if t == nil {
		return nil, errorf(cxmetrics.ErrNoData, "nil cohort table")
	}
	var d sbgData
	curve := []int64{}
	for i, r := range t.Rows {
		where := func() string { return rowName(i, r.Start) }
		switch {
		case r.Size < 0:
			return nil, errorf(cxmetrics.ErrNegative, "%s: size %d below 0", where(), r.Size)
		case len(r.Active) == 0:
			return nil, errorf(cxmetrics.ErrInconsistent, "%s: no cells", where())
		case r.Active[0] != r.Size:
			return nil, errorf(cxmetrics.ErrInconsistent, "%s: Active[0] = %d is not its size %d", where(), r.Active[0], r.Size)
		}
		curve = curve[:0]
		low := r.Size
		for k, n := range r.Active {
			switch {
			case n < 0:
				return nil, errorf(cxmetrics.ErrNegative, "%s: Active[%d] = %d below 0", where(), k, n)
			case n > r.Size:
				return nil, errorf(cxmetrics.ErrInconsistent, "%s: Active[%d] = %d above its size %d", where(), k, n, r.Size)
			}
			low = min(low, n)
			curve = append(curve, low)
		}
		if d.customers > math.MaxInt64-r.Size {
			return nil, errorf(cxmetrics.ErrOutOfRange, "the cohorts' sizes add up to more than %d", int64(math.MaxInt64))
		}
		d.add(curve)
	}
	return fitSBG(&d, opts)
}

// rowName names row i of a cohort table in a message.
func rowName(i int, start time.Time) string {
	if start.IsZero() {
		return fmt.Sprintf("cohort %d", i)
	}
	return fmt.Sprintf("cohort %d (%s)", i, start.Format(time.RFC3339))
}

// logBeta returns ln B(a, b) for a, b > 0 to within a few units of 1e-16
// absolute where the difference of log-gamma functions would lose digits
// (an argument of 10 or more): with p <= q, Stirling's series of each
// log-gamma function is written out so that its large terms cancel
// analytically, leaving only the corrections c(x) = lnΓ(x) − (x−½) ln x + x
// − ½ ln 2π to subtract.
func logBeta(a, b float64) float64 {
	p, q := min(a, b), max(a, b)
	switch {
	case p >= 10:
		corr := stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p+q)
		return -0.5*math.Log(q) + lnSqrt2Pi + corr + (p-0.5)*math.Log(p/(p+q)) + q*math.Log1p(-p/(p+q))
	case q >= 10:
		corr := stirlingCorrection(q) - stirlingCorrection(p+q)
		return lgammaPos(p) + corr + p - p*math.Log(p+q) + (q-0.5)*math.Log1p(-p/(p+q))
	}
	return lgammaPos(a) + lgammaPos(b) - lgammaPos(a+b)
}

const lnSqrt2Pi = 0.918938533204672741780329736405617639861397474

// stirlingCorrection returns c(x) = lnΓ(x) − (x−½) ln x + x − ½ ln 2π for
// x >= 10 by its asymptotic series Σ B_2k / (2k (2k−1) x^(2k−1)), k = 1..8,
// whose first omitted term is below 1e-18 there.
func stirlingCorrection(x float64) float64 {
	y := 1 / (x * x)
	s := -3617.0 / 122400
	for _, c := range []float64{1.0 / 156, -691.0 / 360360, 1.0 / 1188, -1.0 / 1680, 1.0 / 1260, -1.0 / 360, 1.0 / 12} {
		s = s*y + c
	}
	return s / x
}
