package clv

import (
	"math"

	"github.com/cxmetrics/cxmetrics"
	"gonum.org/v1/gonum/mathext"
)

// BGNBD is a fitted (or given) BG/NBD model of repeat purchasing (Fader,
// Hardie & Lee 2005, "Counting Your Customers the Easy Way", Marketing
// Science 24(2)). While alive, a customer buys at Poisson rate λ, with λ
// gamma-distributed over customers (shape R, rate Alpha); after each repeat
// purchase the customer drops out for good with probability p, with p
// beta-distributed over customers (A, B). Times are in the unit of the
// summary the model was fitted on.
//
// A model built by hand needs R, Alpha, A and B finite and > 0 (see
// [BGNBD.Validate]); the fit fields are then zero.
type BGNBD struct {
	R, Alpha, A, B float64
	// LogLikelihood is the log-likelihood of the fitted customers at the
	// parameters (0 for a model built by hand).
	LogLikelihood float64
	// AIC = 2k - 2 LL and BIC = k ln n - 2 LL with k = 4 parameters and
	// n = Customers (Akaike 1974; Schwarz 1978): lower is better when
	// comparing models fitted to the same customers. 0 for a model built by
	// hand.
	AIC, BIC float64
	// StdErr holds the standard errors of R, Alpha, A and B, from the
	// inverse of the observed information matrix. A parameter without one
	// has 0: one at a boundary (see AtBoundary), and all of them when the
	// information matrix of the others is singular (the data do not tell
	// them apart).
	StdErr [4]float64
	// AtBoundary marks the parameters whose maximum-likelihood value is at
	// a boundary of the parameter space: the likelihood changes by less
	// than 0.001 when the parameter is divided or multiplied by 1000. The
	// value reported is where the fit stopped on that flat stretch (a ≈ 0
	// means nobody seems to drop out); it has no standard error, and the
	// predictions are those of the limiting model.
	AtBoundary [4]bool
	// Customers is the number of customers fitted.
	Customers int
}

// bgnbdNames name the parameters in errors.
var bgnbdNames = []string{"r", "alpha", "a", "b"}

// Validate reports whether the parameters define a BG/NBD model: R, Alpha,
// A and B finite and > 0 (cxmetrics.ErrOutOfRange otherwise, naming the
// parameter; a nil or zero-value model fails). Every method calls it.
func (m *BGNBD) Validate() error {
	if m == nil {
		return errorf(cxmetrics.ErrNoData, "nil BG/NBD model")
	}
	return validParams("BG/NBD", bgnbdNames, m.R, m.Alpha, m.A, m.B)
}

// bgnbdLogLik is the BG/NBD log-likelihood of customers and its gradient in
// (r, alpha, a, b), in the numerically stable form of Hardie's note on the
// #NUM! error: with
//
//	A1 = lnΓ(r+x) - lnΓ(r) + r ln α
//	A2 = lnΓ(a+b) + lnΓ(b+x) - lnΓ(b) - lnΓ(a+b+x)
//	A3 = -(r+x) ln(α+T)
//	A4 = ln a - ln(b+x-1) - (r+x) ln(α+t_x)   (x > 0 only)
//
// ln L = A1 + A2 + ln(e^A3 + e^A4), the last term as a log-sum-exp, so heavy
// buyers with large x do not overflow. The gamma and digamma functions are
// evaluated once per distinct frequency.
func bgnbdLogLik(cs cells) logLikelihood {
	nx := len(cs.xs)
	lgX := make([]float64, nx) // per distinct x: lnΓ(r+x) - lnΓ(r) + lnΓ(b+x) - lnΓ(b) - lnΓ(a+b+x) + lnΓ(a+b)
	psiRX, psiBX, psiABX := make([]float64, nx), make([]float64, nx), make([]float64, nx)
	return func(p, grad []float64) float64 {
		r, alpha, a, b := p[0], p[1], p[2], p[3]
		lgR, _ := math.Lgamma(r)
		lgAB, _ := math.Lgamma(a + b)
		lgB, _ := math.Lgamma(b)
		psiR, psiAB, psiB := mathext.Digamma(r), mathext.Digamma(a+b), mathext.Digamma(b)
		for i, x := range cs.xs {
			lgRX, _ := math.Lgamma(r + x)
			lgBX, _ := math.Lgamma(b + x)
			lgABX, _ := math.Lgamma(a + b + x)
			lgX[i] = lgRX - lgR + lgBX - lgB - lgABX + lgAB
			psiRX[i], psiBX[i], psiABX[i] = mathext.Digamma(r+x), mathext.Digamma(b+x), mathext.Digamma(a+b+x)
		}
		lnAlpha, lnA := math.Log(alpha), math.Log(a)
		var ll, gr, gal, ga, gb float64
		for _, c := range cs.cells {
			x, tx, T, n := c.x, c.tx, c.T, c.n
			lnAT := math.Log(alpha + T)
			a3 := -(r + x) * lnAT
			w3, w4, lse := 1.0, 0.0, a3
			var lnAtx float64
			if x > 0 {
				lnAtx = math.Log(alpha + tx)
				a4 := lnA - math.Log(b+x-1) - (r+x)*lnAtx
				m := math.Max(a3, a4)
				e3, e4 := math.Exp(a3-m), math.Exp(a4-m)
				lse = m + math.Log(e3+e4)
				w3, w4 = e3/(e3+e4), e4/(e3+e4)
			}
			ll += n * (lgX[c.xi] + r*lnAlpha + lse)
			gr += n * (psiRX[c.xi] - psiR + lnAlpha - w3*lnAT - w4*lnAtx)
			gal += n * (r/alpha - w3*(r+x)/(alpha+T))
			ga += n * (psiAB - psiABX[c.xi])
			gb += n * (psiAB + psiBX[c.xi] - psiB - psiABX[c.xi])
			if x > 0 {
				gal -= n * w4 * (r + x) / (alpha + tx)
				ga += n * w4 / a
				gb -= n * w4 / (b + x - 1)
			}
		}
		grad[0], grad[1], grad[2], grad[3] = gr, gal, ga, gb
		return ll
	}
}

// checkSample checks every customer and that at least one made a repeat
// purchase: without one, the purchase rate's maximum likelihood is at 0
// and no model can be told from another.
func checkSample(customers []Customer) error {
	if len(customers) == 0 {
		return errorf(cxmetrics.ErrNoData, "no customers to fit")
	}
	repeat := false
	for i, c := range customers {
		if err := checkCustomer(c); err != nil {
			return wrap(err, "at index %d", i)
		}
		repeat = repeat || c.Frequency > 0
	}
	if !repeat {
		return errorf(cxmetrics.ErrNoData, "none of the %d customers made a repeat purchase, so the purchase rate cannot be estimated", len(customers))
	}
	return nil
}

// FitBGNBD fits the BG/NBD model to customers by maximum likelihood (see
// [BGNBD] and [FitOptions]). Every customer counts, including those without
// a repeat purchase. A customer with a negative or fractional Frequency is
// cxmetrics.ErrOutOfRange, with Recency > T or a Recency but no repeat
// purchase cxmetrics.ErrInconsistent; no customers, or none with a repeat
// purchase, is cxmetrics.ErrNoData.
//
// When the likelihood is highest at a boundary of the parameter space (a →
// 0, b → ∞) or its information matrix is singular there, the model is still
// returned, with a nil error: AtBoundary and StdErr say which parameters
// are not estimated. Only an optimizer that cannot bring the gradient
// within the tolerance is ErrNotConverged, saying why.
func FitBGNBD(customers []Customer, opts FitOptions) (*BGNBD, error) {
	if err := checkSample(customers); err != nil {
		return nil, err
	}
	res, err := maximize(bgnbdNames, bgnbdLogLik(groupCustomers(customers)), len(customers), opts)
	if err != nil {
		return nil, err
	}
	m := &BGNBD{R: res.params[0], Alpha: res.params[1], A: res.params[2], B: res.params[3], LogLikelihood: res.logLik, Customers: len(customers)}
	m.AIC, m.BIC = infoCriteria(4, len(customers), res.logLik)
	copy(m.StdErr[:], res.stdErr)
	copy(m.AtBoundary[:], res.atBoundary)
	return m, nil
}

// ExpectedPurchases returns E[X(t)], the expected number of repeat purchases
// of a new customer in a period of length t (eq. 7 of Fader, Hardie & Lee):
//
//	E[X(t)] = (a+b-1)/(a-1) × [1 - (α/(α+t))^r × 2F1(r, b; a+b-1; t/(α+t))]
//
// the conditional expectation of [BGNBD.ConditionalExpectedPurchases] for
// x = t_x = T = 0, and evaluated the same way. t in the model's time unit,
// finite and >= 0 (cxmetrics.ErrOutOfRange otherwise); t = 0 gives 0.
func (m *BGNBD) ExpectedPurchases(t float64) (float64, error) {
	return m.ConditionalExpectedPurchases(Customer{}, t)
}

// logDropoutOdds returns ln of (a/(b+x-1)) × ((α+T)/(α+t_x))^(r+x), the odds
// that a customer with x > 0 dropped out right after the last purchase.
func (m *BGNBD) logDropoutOdds(c Customer) float64 {
	x := c.Frequency
	return math.Log(m.A) - math.Log(m.B+x-1) + (m.R+x)*math.Log1p((c.T-c.Recency)/(m.Alpha+c.Recency))
}

// logAlive returns ln P(alive | x, t_x, T).
func (m *BGNBD) logAlive(c Customer) float64 {
	if c.Frequency == 0 {
		return 0
	}
	return logInvOnePlusExp(m.logDropoutOdds(c))
}

// ProbabilityAlive returns P(alive | x, t_x, T), the probability that the
// customer has not dropped out by the end of the observation period (eq. 11):
//
//	P(alive) = 1 / (1 + δ(x>0) × a/(b+x-1) × ((α+T)/(α+t_x))^(r+x))
//
// computed in logarithms, so it is exactly 1 for x = 0 and tends to 0, not
// NaN, for heavy buyers long silent. An invalid model or customer is an
// error (see [BGNBD.Validate] and [Customer]).
func (m *BGNBD) ProbabilityAlive(c Customer) (float64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	if err := checkCustomer(c); err != nil {
		return 0, err
	}
	return math.Exp(m.logAlive(c)), nil
}

// ConditionalExpectedPurchases returns E[Y(t) | x, t_x, T], the expected
// number of purchases of the customer in the next t units (eq. 10):
//
//	(a+b+x-1)/(a-1) × [1 - ((α+T)/(α+T+t))^(r+x) × 2F1(r+x, b+x; a+b+x-1; z)]
//	× P(alive | x, t_x, T),   z = t/(α+T+t)
//
// evaluated after Euler's transformation of the hypergeometric function,
//
//	((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)
//	  = ((α+T)/(α+T+t))^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z),
//
// whose series has bounded terms for heavy buyers (the original 2F1
// overflows while its prefactor underflows), and with the factor a-1
// cancelled analytically, so a = 1 is its limit, not a division by zero.
// The result is finite wherever the true value fits a float64 (an error
// otherwise). t in the model's time unit, finite and >= 0
// (cxmetrics.ErrOutOfRange otherwise); t = 0 gives 0. An invalid model or
// customer is an error.
func (m *BGNBD) ConditionalExpectedPurchases(c Customer, t float64) (float64, error) {
	if err := checkPrediction(m, c, t); err != nil {
		return 0, err
	}
	if t == 0 {
		return 0, nil
	}
	lnE, err := bgnbdLogGrowth(m.R, m.Alpha, m.A, m.B, c.Frequency, c.T, t)
	if err != nil {
		return 0, wrap(err, "customer %s, t = %v", quoteID(c.ID), t)
	}
	if math.IsInf(lnE, -1) {
		return 0, nil
	}
	return finite("expected purchases", lnE+m.logAlive(c))
}

// bgnbdLogGrowth returns ln of the expected purchases of an alive customer
// in the next t units,
//
//	G = C/(a-1) × [1 - (1-z)^(a-1) 2F1(A', a-1; C; z)]
//
// with C = a+b+x-1, A' = a+b-1-r, z = t/(α+T+t). Writing the series of the
// 2F1 as 1 + (a-1) S/C, with
//
//	S = Σ_{n>=1} (A')_n (a)_{n-1} / ((C+1)_{n-1} n!) z^n,
//
// G = C (1 - (1-z)^(a-1))/(a-1) - (1-z)^(a-1) S, where neither a = 1 nor
// C = 0 (a+b = 1, x = 0) divides by zero. With u = (a-1) ln(1-z) > 0 (a <
// 1, growth without bound) the common factor e^u is taken out in
// logarithms.
func bgnbdLogGrowth(r, alpha, a, b, x, T, t float64) (float64, error) {
	C := a + b + x - 1
	Ap := a + b - 1 - r
	z := t / (alpha + T + t)
	L := -math.Log1p(t / (alpha + T)) // ln(1-z), exact for z near 1
	u := (a - 1) * L
	quad := func() (float64, error) {
		// Past the series' reach (z very near 1 with a large a, or terms
		// that cancel): the integral over the posterior of p.
		e := bgnbdAliveQuad(r, alpha, a, b, x, T, t)
		if !(e >= 0) || math.IsInf(e, 0) {
			return 0, errorf(cxmetrics.ErrOutOfRange, "expected purchases cannot be evaluated at z = %v (C = %v)", z, C)
		}
		return math.Log(e), nil
	}
	S, ok := seriesS(Ap, a, C, z)
	if !ok {
		return quad()
	}
	if u > 0 {
		// G = e^u [C (e^-u - 1)/(a-1) - S]
		first := C * math.Expm1(-u) / (a - 1)
		inner := first - S
		if !(inner > 1e-8*math.Abs(first)) {
			return quad()
		}
		return u + math.Log(inner), nil
	}
	first := C * growth(a-1, L)
	g := first - math.Exp(u)*S
	if !(g > 1e-8*math.Abs(first)) {
		return quad()
	}
	return math.Log(g), nil
}

// seriesS sums S = Σ_{n>=1} (A')_n (a)_{n-1} / ((C+1)_{n-1} n!) z^n (see
// bgnbdLogGrowth) until the tail is below 1e-16 of the sum, bounding the
// tail by a geometric series of the current term ratio and z. It reports
// false when 20,000 terms do not get there (z very near 1), or when the
// terms cancel so much (the largest 1e6 times the sum) that the sum has
// lost six digits.
func seriesS(Ap, a, C, z float64) (float64, bool) {
	term := Ap * z
	sum := term
	largest := math.Abs(term)
	for n := 1.0; n <= 20000; n++ {
		q := (Ap + n) * (a + n - 1) / ((C + n) * (n + 1)) * z
		term *= q
		sum += term
		largest = math.Max(largest, math.Abs(term))
		qb := math.Max(math.Abs(q), z)
		if term == 0 || n > -Ap && n > 1-a && qb < 1 && math.Abs(term)*qb/(1-qb) <= 1e-16*math.Abs(sum) {
			return sum, largest <= 1e6*math.Abs(sum)
		}
		if math.IsInf(sum, 0) || math.IsNaN(sum) {
			return 0, false
		}
	}
	return 0, false
}

// ProbabilityOfPurchases returns P(X(t) = n), the probability that a new
// customer makes exactly n repeat purchases in a period of length t (eq. 8):
//
//	P(X(t)=n) = Γ(r+n)/(Γ(r) n!) (α/(α+t))^r (t/(α+t))^n × B(a, b+n)/B(a, b)
//	          + δ(n>0) B(a+1, b+n-1)/B(a, b) × [1 - (α/(α+t))^r Σ_{j<n} Γ(r+j)/(Γ(r) j!) (t/(α+t))^j]
//
// n >= 0 and t finite and >= 0 (cxmetrics.ErrOutOfRange otherwise); an
// invalid model is an error.
func (m *BGNBD) ProbabilityOfPurchases(n int, t float64) (float64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	if err := checkHorizon(t); err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, errorf(cxmetrics.ErrOutOfRange, "number of purchases %d below 0", n)
	}
	r, alpha, a, b := m.R, m.Alpha, m.A, m.B
	lbAB := mathext.Lbeta(a, b)
	lnA := -math.Log1p(t / alpha)
	lnT := math.Log(t / (alpha + t))
	lgR, _ := math.Lgamma(r)
	fn := float64(n)
	// ln of the NBD term Γ(r+j)/(Γ(r) j!) (α/(α+t))^r (t/(α+t))^j
	nbd := func(j float64) float64 {
		lg1, _ := math.Lgamma(r + j)
		lg3, _ := math.Lgamma(j + 1)
		v := lg1 - lgR - lg3 + r*lnA
		if j > 0 {
			v += j * lnT
		}
		return v
	}
	p := math.Exp(nbd(fn) + mathext.Lbeta(a, b+fn) - lbAB)
	if n > 0 {
		var sum float64
		for j := 0; j < n; j++ {
			sum += math.Exp(nbd(float64(j)))
		}
		p += math.Exp(mathext.Lbeta(a+1, b+fn-1)-lbAB) * math.Max(0, 1-sum)
	}
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return 0, errorf(cxmetrics.ErrOutOfRange, "P(X(%v) = %d) cannot be evaluated for this model", t, n)
	}
	return math.Min(p, 1), nil
}
