package clv

import (
	"math"

	"github.com/cxmetrics/cxmetrics"
	"gonum.org/v1/gonum/mathext"
)

// ParetoNBD is a fitted (or given) Pareto/NBD model of repeat purchasing
// (Schmittlein, Morrison & Colombo 1987, "Counting Your Customers: Who Are
// They and What Will They Do Next?", Management Science 33(1)). While
// alive, a customer buys at Poisson rate λ, gamma-distributed over
// customers (shape R, rate Alpha); the customer's lifetime is exponential
// with rate μ, gamma-distributed over customers (shape S, rate Beta), so
// customers can drop out at any time, not only right after a purchase as
// in BG/NBD. Times are in the unit of the summary the model was fitted on.
//
// The likelihood and the predictions follow Fader & Hardie (2005), "A Note
// on Deriving the Pareto/NBD Model and Related Expressions". A model built
// by hand needs R, Alpha, S and Beta finite and > 0 (see
// [ParetoNBD.Validate]); the fit fields are then zero.
type ParetoNBD struct {
	R, Alpha, S, Beta float64
	// LogLikelihood is the log-likelihood of the fitted customers at the
	// parameters, with every constant (0 for a model built by hand).
	LogLikelihood float64
	// AIC and BIC with k = 4 parameters and n = Customers, as for BGNBD.
	AIC, BIC float64
	// StdErr and AtBoundary are as for BGNBD, in the order R, Alpha, S,
	// Beta.
	StdErr     [4]float64
	AtBoundary [4]bool
	// Customers is the number of customers fitted.
	Customers int
}

var paretoNames = []string{"r", "alpha", "s", "beta"}

// Validate reports whether the parameters define a Pareto/NBD model: R,
// Alpha, S and Beta finite and > 0 (cxmetrics.ErrOutOfRange otherwise; a
// nil or zero-value model fails). Every method calls it.
func (m *ParetoNBD) Validate() error {
	if m == nil {
		return errorf(cxmetrics.ErrNoData, "nil Pareto/NBD model")
	}
	return validParams("Pareto/NBD", paretoNames, m.R, m.Alpha, m.S, m.Beta)
}

// The Pareto/NBD likelihood of a customer (Fader & Hardie 2005, eq. 2
// after integrating over λ and μ) is
//
//	L = Γ(r+x) α^r β^s / Γ(r) × [ (α+T)^-(r+x) (β+T)^-s + s I ],
//	I = ∫_{t_x}^{T} (α+τ)^-(r+x) (β+τ)^-(s+1) dτ,
//
// the first term for a customer alive at T, the second for one who died at
// τ between the last purchase and T. With n = r+s+x, I = (e^{J(t_x)} -
// e^{J(T)}) / n where, for α >= β,
//
//	J(τ) = -(r+x) ln(α+τ) - s ln(β+τ) + ln 2F1(1, r+x; n+1; (α-β)/(α+τ))
//
// and for α < β
//
//	J(τ) = -(r+x-1) ln(α+τ) - (s+1) ln(β+τ) + ln 2F1(1, s+1; n+1; (β-α)/(β+τ)).
//
// These are the 2F1 terms of Fader & Hardie's A0 after Euler's
// transformation: their series have positive terms with ratio below the
// argument, and they stay below n/s (or n/(r+x)) as the argument nears 1,
// where A0's own 2F1 diverges. Everything is summed in logarithms.

// paretoJ returns J(τ) and its gradient in (r, α, s, β).
func paretoJ(r, alpha, s, beta, x, tau float64, dJ *[4]float64) (float64, bool) {
	n := r + s + x
	la, lb := math.Log(alpha+tau), math.Log(beta+tau)
	if alpha >= beta {
		w := (alpha - beta) / (alpha + tau)
		F, Fb, Fc, Fw, ok := hyp2f1One(r+x, n+1, w)
		if !ok {
			return 0, false
		}
		dJ[0] = -la + (Fb+Fc)/F
		dJ[1] = -(r+x)/(alpha+tau) + Fw/F*(beta+tau)/((alpha+tau)*(alpha+tau))
		dJ[2] = -lb + Fc/F
		dJ[3] = -s/(beta+tau) - Fw/F/(alpha+tau)
		return -(r+x)*la - s*lb + math.Log(F), true
	}
	v := (beta - alpha) / (beta + tau)
	F, Fb, Fc, Fv, ok := hyp2f1One(s+1, n+1, v)
	if !ok {
		return 0, false
	}
	dJ[0] = -la + Fc/F
	dJ[1] = -(r+x-1)/(alpha+tau) - Fv/F/(beta+tau)
	dJ[2] = -lb + (Fb+Fc)/F
	dJ[3] = -(s+1)/(beta+tau) + Fv/F*(alpha+tau)/((beta+tau)*(beta+tau))
	return -(r+x-1)*la - (s+1)*lb + math.Log(F), true
}

// hyp2f1One returns F = 2F1(1, b; c; w) = Σ_k (b)_k/(c)_k w^k for
// 0 <= w < 1 and c > b > 0, and its partial derivatives in b, c and w,
// summed together term by term until the tail (bounded by a geometric
// series, the term ratio being below w) is below 1e-16 of the sum. Beyond
// 20,000 terms (w within about 1e-3 of 1) it takes gonum's 2F1, which
// continues analytically around w = 1, and central differences of it.
func hyp2f1One(b, c, w float64) (F, Fb, Fc, Fw float64, ok bool) {
	term := 1.0
	F = 1
	var hb, hc float64 // Σ_{j<k} 1/(b+j), Σ_{j<k} 1/(c+j)
	for k := 0.0; k < 20000; k++ {
		hb += 1 / (b + k)
		hc += 1 / (c + k)
		term *= (b + k) / (c + k) * w
		F += term
		Fb += term * hb
		Fc -= term * hc
		Fw += (k + 1) * term
		if term <= 1e-17*F*(1-w)*(1-w)/(k+2) {
			if w > 0 {
				Fw /= w
			} else {
				Fw = b / c
			}
			return F, Fb, Fc, Fw, true
		}
	}
	F = mathext.Hypergeo(1, b, c, w)
	const h = 1e-6
	Fb = (mathext.Hypergeo(1, b*(1+h), c, w) - mathext.Hypergeo(1, b*(1-h), c, w)) / (2 * h * b)
	Fc = (mathext.Hypergeo(1, b, c*(1+h), w) - mathext.Hypergeo(1, b, c*(1-h), w)) / (2 * h * c)
	dw := h * (1 - w)
	Fw = (mathext.Hypergeo(1, b, c, w+dw) - mathext.Hypergeo(1, b, c, w-dw)) / (2 * dw)
	for _, v := range []float64{F, Fb, Fc, Fw} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, 0, 0, 0, false
		}
	}
	return F, Fb, Fc, Fw, F > 0
}

// paretoLogLik is the Pareto/NBD log-likelihood of customers and its
// gradient in (r, alpha, s, beta); see paretoJ.
func paretoLogLik(cs cells) logLikelihood {
	lgX := make([]float64, len(cs.xs))
	psiX := make([]float64, len(cs.xs))
	return func(p, grad []float64) float64 {
		r, alpha, s, beta := p[0], p[1], p[2], p[3]
		lgR, _ := math.Lgamma(r)
		psiR := mathext.Digamma(r)
		for i, x := range cs.xs {
			lgX[i], _ = math.Lgamma(r + x)
			lgX[i] -= lgR
			psiX[i] = mathext.Digamma(r+x) - psiR
		}
		lnAlpha, lnBeta := math.Log(alpha), math.Log(beta)
		var ll float64
		var g [4]float64
		var d1, d2 [4]float64
		for _, c := range cs.cells {
			x := c.x
			n := r + s + x
			la, lb := math.Log(alpha+c.T), math.Log(beta+c.T)
			l1 := -(r+x)*la - s*lb
			j1, ok1 := paretoJ(r, alpha, s, beta, x, c.tx, &d1)
			j2, ok2 := j1, true
			d2 = d1
			if c.tx != c.T {
				j2, ok2 = paretoJ(r, alpha, s, beta, x, c.T, &d2)
			}
			if !ok1 || !ok2 {
				return math.NaN()
			}
			M := math.Max(l1, j1)
			e1, ej1, ej2 := math.Exp(l1-M), math.Exp(j1-M), math.Exp(j2-M)
			sn := s / n
			K := e1 + sn*(ej1-ej2)
			if !(K > 0) {
				return math.NaN()
			}
			ll += c.n * (lgX[c.xi] + r*lnAlpha + s*lnBeta + M + math.Log(K))
			dl1 := [4]float64{-la, -(r + x) / (alpha + c.T), -lb, -s / (beta + c.T)}
			dsn := [4]float64{-s / (n * n), 0, (r + x) / (n * n), 0}
			for i := range g {
				dK := e1*dl1[i] + dsn[i]*(ej1-ej2) + sn*(ej1*d1[i]-ej2*d2[i])
				g[i] += c.n * dK / K
			}
			g[0] += c.n * (psiX[c.xi] + lnAlpha)
			g[1] += c.n * r / alpha
			g[2] += c.n * lnBeta
			g[3] += c.n * s / beta
		}
		copy(grad, g[:])
		return ll
	}
}

// FitParetoNBD fits the Pareto/NBD model to customers by maximum likelihood
// (see [ParetoNBD] and [FitOptions]), under the same rules as [FitBGNBD]:
// every customer counts; invalid customers, no customers or none with a
// repeat purchase are errors; a maximum at a boundary of the parameter
// space is returned with AtBoundary set; only an optimizer that cannot
// bring the gradient within the tolerance is ErrNotConverged. On the CDNOW
// sample (weeks) it gives Fader & Hardie's r = 0.5534, α = 10.5802,
// s = 0.6061, β = 11.6562, LL = -9594.98.
func FitParetoNBD(customers []Customer, opts FitOptions) (*ParetoNBD, error) {
	if err := checkSample(customers); err != nil {
		return nil, err
	}
	res, err := maximize(paretoNames, paretoLogLik(groupCustomers(customers)), len(customers), opts)
	if err != nil {
		return nil, err
	}
	m := &ParetoNBD{R: res.params[0], Alpha: res.params[1], S: res.params[2], Beta: res.params[3], LogLikelihood: res.logLik, Customers: len(customers)}
	m.AIC, m.BIC = infoCriteria(4, len(customers), res.logLik)
	copy(m.StdErr[:], res.stdErr)
	copy(m.AtBoundary[:], res.atBoundary)
	return m, nil
}

// logAlive returns ln P(alive | x, t_x, T) (Fader & Hardie 2005, eq. 18):
//
//	P(alive) = 1 / (1 + s/(r+s+x) × (α+T)^(r+x) (β+T)^s × A0)
//
// with (α+T)^(r+x) (β+T)^s A0 = n I e^{-ℓ1} in the notation of paretoJ.
func (m *ParetoNBD) logAlive(c Customer) (float64, error) {
	if c.Recency == c.T {
		return 0, nil // a purchase at T: alive
	}
	r, alpha, s, beta, x := m.R, m.Alpha, m.S, m.Beta, c.Frequency
	var d [4]float64
	l1 := -(r+x)*math.Log(alpha+c.T) - s*math.Log(beta+c.T)
	j1, ok1 := paretoJ(r, alpha, s, beta, x, c.Recency, &d)
	j2, ok2 := paretoJ(r, alpha, s, beta, x, c.T, &d)
	if !ok1 || !ok2 {
		// The series is too slow (an argument within about 1e-3 of 1):
		// integrate I itself.
		lnI := paretoLogIQuad(r, alpha, s, beta, x, c.Recency, c.T)
		if math.IsNaN(lnI) || math.IsInf(lnI, 1) {
			return 0, errorf(cxmetrics.ErrOutOfRange, "P(alive) of customer %s cannot be evaluated", quoteID(c.ID))
		}
		return logInvOnePlusExp(math.Log(s) + lnI - l1), nil
	}
	if j2 >= j1 {
		return 0, nil // rounding: no room to have died unseen
	}
	lnOdds := math.Log(s/(r+s+x)) + (j1 - l1) + math.Log(-math.Expm1(j2-j1))
	return logInvOnePlusExp(lnOdds), nil
}

// ProbabilityAlive returns P(alive | x, t_x, T), the probability that the
// customer is still alive at the end of the observation period (Fader &
// Hardie 2005, eq. 18), computed in logarithms: 1 for a customer whose
// last purchase is at T, tending to 0, never NaN, for heavy buyers long
// silent. An invalid model or customer is an error.
func (m *ParetoNBD) ProbabilityAlive(c Customer) (float64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	if err := checkCustomer(c); err != nil {
		return 0, err
	}
	la, err := m.logAlive(c)
	if err != nil {
		return 0, err
	}
	return math.Exp(la), nil
}

// ConditionalExpectedPurchases returns E[Y(t) | x, t_x, T], the expected
// number of purchases of the customer in the next t units (Schmittlein,
// Morrison & Colombo 1987; Fader & Hardie 2005, eq. 22):
//
//	E[Y(t) | x, t_x, T] = (r+x)(β+T) / ((α+T)(s-1)) × [1 - ((β+T)/(β+T+t))^(s-1)] × P(alive)
//
// with its limit (r+x)(β+T)/(α+T) × ln((β+T+t)/(β+T)) × P(alive) at s = 1,
// computed without cancellation near it and in logarithms for s < 1, where
// it grows without bound in t. t in the model's time unit, finite and >= 0
// (cxmetrics.ErrOutOfRange otherwise); t = 0 gives 0. The result is finite
// wherever the true value fits a float64 (an error otherwise).
func (m *ParetoNBD) ConditionalExpectedPurchases(c Customer, t float64) (float64, error) {
	if err := checkPrediction(m, c, t); err != nil {
		return 0, err
	}
	if t == 0 {
		return 0, nil
	}
	la, err := m.logAlive(c)
	if err != nil {
		return 0, err
	}
	x := c.Frequency
	L := -math.Log1p(t / (m.Beta + c.T))
	lnE := math.Log(m.R+x) - math.Log(m.Alpha+c.T) + math.Log(m.Beta+c.T) + logGrowth(m.S-1, L) + la
	return finite("expected purchases", lnE)
}

// ExpectedPurchases returns E[X(t)], the expected number of repeat
// purchases of a new customer in a period of length t (Fader & Hardie
// 2005, eq. 17):
//
//	E[X(t)] = r β / (α (s-1)) × [1 - (β/(β+t))^(s-1)]
//
// the conditional expectation for x = t_x = T = 0, evaluated the same way.
// t finite and >= 0 (cxmetrics.ErrOutOfRange otherwise); t = 0 gives 0.
func (m *ParetoNBD) ExpectedPurchases(t float64) (float64, error) {
	return m.ConditionalExpectedPurchases(Customer{}, t)
}

// paretoLogIQuad returns ln I, I = ∫_{t_x}^{T} (α+τ)^-(r+x) (β+τ)^-(s+1) dτ,
// by adaptive Gauss–Kronrod on the integrand scaled to 1 at t_x, with
// breakpoints at multiples of its decay length (α+t_x)/(r+x+s+1) so a
// heavy buyer's steep fall is resolved.
func paretoLogIQuad(r, alpha, s, beta, x, tx, T float64) float64 {
	lnA, lnB := math.Log(alpha+tx), math.Log(beta+tx)
	f := func(tau float64) float64 {
		return math.Exp(-(r+x)*(math.Log(alpha+tau)-lnA) - (s+1)*(math.Log(beta+tau)-lnB))
	}
	h := math.Min(alpha+tx, beta+tx) / (r + x + s + 1)
	var sum float64
	lo := tx
	for k := 0.5; lo < T; k *= 2 {
		hi := math.Min(T, tx+k*h)
		sum += integrate(f, lo, hi, 1e-14, 30)
		lo = hi
	}
	return math.Log(sum) - (r+x)*lnA - (s+1)*lnB
}
