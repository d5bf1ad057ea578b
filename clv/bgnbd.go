package clv

import (
	"math"

	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/internal/cxerr"
	"gonum.org/v1/gonum/mathext"
)

// BGNBD is a fitted (or given) BG/NBD model of repeat purchasing (Fader,
// Hardie & Lee 2005, "Counting Your Customers the Easy Way", Marketing
// Science 24(2)). While alive, a customer buys at Poisson rate λ, with λ
// gamma-distributed over customers (shape R, rate Alpha); after each repeat
// purchase the customer drops out for good with probability p, with p
// beta-distributed over customers (A, B). Times are in the unit of the
// summary the model was fitted on.
type BGNBD struct {
	R, Alpha, A, B float64
	// LogLikelihood is the log-likelihood of the fitted customers at the
	// parameters (0 for a model built by hand).
	LogLikelihood float64
	// StdErr holds the standard errors of R, Alpha, A and B, from the
	// inverse of the observed information matrix.
	StdErr [4]float64
	// Customers is the number of customers fitted.
	Customers int
}

// bgnbdNames name the parameters in errors.
var bgnbdNames = []string{"r", "alpha", "a", "b"}

func checkCustomer(c Customer) error {
	switch {
	case !(c.Frequency >= 0) || c.Frequency != math.Trunc(c.Frequency) || math.IsInf(c.Frequency, 0):
		return errorf(cxmetrics.ErrOutOfRange, "customer %s: frequency %v is not a whole number >= 0", cxerr.Quote(c.ID), c.Frequency)
	case !(c.Recency >= 0) || !(c.T >= c.Recency) || math.IsInf(c.T, 0):
		return errorf(cxmetrics.ErrInconsistent, "customer %s: recency %v and T %v need 0 <= recency <= T", cxerr.Quote(c.ID), c.Recency, c.T)
	case c.Frequency == 0 && c.Recency != 0:
		return errorf(cxmetrics.ErrInconsistent, "customer %s: recency %v without a repeat purchase", cxerr.Quote(c.ID), c.Recency)
	}
	return nil
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
// buyers with large x do not overflow.
func bgnbdLogLik(cs []Customer) logLikelihood {
	return func(p, grad []float64) float64 {
		r, alpha, a, b := p[0], p[1], p[2], p[3]
		lgR, _ := math.Lgamma(r)
		lgAB, _ := math.Lgamma(a + b)
		lgB, _ := math.Lgamma(b)
		psiR, psiAB, psiB := mathext.Digamma(r), mathext.Digamma(a+b), mathext.Digamma(b)
		lnAlpha := math.Log(alpha)
		var ll, gr, gal, ga, gb float64
		for _, c := range cs {
			x, tx, T := c.Frequency, c.Recency, c.T
			lgRX, _ := math.Lgamma(r + x)
			lgBX, _ := math.Lgamma(b + x)
			lgABX, _ := math.Lgamma(a + b + x)
			a1 := lgRX - lgR + r*lnAlpha
			a2 := lgAB + lgBX - lgB - lgABX
			lnAT := math.Log(alpha + T)
			a3 := -(r + x) * lnAT
			w3, w4, lse := 1.0, 0.0, a3
			var lnAtx float64
			if x > 0 {
				lnAtx = math.Log(alpha + tx)
				a4 := math.Log(a) - math.Log(b+x-1) - (r+x)*lnAtx
				m := math.Max(a3, a4)
				lse = m + math.Log(math.Exp(a3-m)+math.Exp(a4-m))
				w3, w4 = math.Exp(a3-lse), math.Exp(a4-lse)
			}
			ll += a1 + a2 + lse
			psiRX, psiBX, psiABX := mathext.Digamma(r+x), mathext.Digamma(b+x), mathext.Digamma(a+b+x)
			gr += psiRX - psiR + lnAlpha - w3*lnAT - w4*lnAtx
			gal += r/alpha - w3*(r+x)/(alpha+T)
			ga += psiAB - psiABX
			gb += psiAB + psiBX - psiB - psiABX
			if x > 0 {
				gal -= w4 * (r + x) / (alpha + tx)
				ga += w4 / a
				gb -= w4 / (b + x - 1)
			}
		}
		grad[0], grad[1], grad[2], grad[3] = gr, gal, ga, gb
		return ll
	}
}

// FitBGNBD fits the BG/NBD model to customers by maximum likelihood (see
// [BGNBD] and [FitOptions]). Every customer counts, including those without
// a repeat purchase. A customer with a negative or fractional Frequency is
// cxmetrics.ErrOutOfRange, with Recency > T or a Recency but no repeat
// purchase cxmetrics.ErrInconsistent; no customers is cxmetrics.ErrNoData;
// an optimizer that does not converge is ErrNotConverged, saying why.
func FitBGNBD(customers []Customer, opts FitOptions) (*BGNBD, error) {
	for _, c := range customers {
		if err := checkCustomer(c); err != nil {
			return nil, err
		}
	}
	res, err := maximize(bgnbdNames, bgnbdLogLik(customers), len(customers), opts)
	if err != nil {
		return nil, err
	}
	m := &BGNBD{R: res.params[0], Alpha: res.params[1], A: res.params[2], B: res.params[3], LogLikelihood: res.logLik, Customers: len(customers)}
	copy(m.StdErr[:], res.stdErr)
	return m, nil
}

// ExpectedPurchases returns E[X(t)], the expected number of repeat purchases
// of a new customer in a period of length t (eq. 7 of Fader, Hardie & Lee):
//
//	E[X(t)] = (a+b-1)/(a-1) × [1 - (α/(α+t))^r × 2F1(r, b; a+b-1; t/(α+t))]
//
// t in the model's time unit; t <= 0 gives 0.
func (m *BGNBD) ExpectedPurchases(t float64) float64 {
	if t <= 0 {
		return 0
	}
	z := t / (m.Alpha + t)
	h := mathext.Hypergeo(m.R, m.B, m.A+m.B-1, z)
	return (m.A + m.B - 1) / (m.A - 1) * (1 - math.Pow(m.Alpha/(m.Alpha+t), m.R)*h)
}

// dropoutOdds returns ln of (a/(b+x-1)) × ((α+T)/(α+t_x))^(r+x), the odds
// that a customer with x > 0 dropped out right after the last purchase.
func (m *BGNBD) logDropoutOdds(c Customer) float64 {
	x := c.Frequency
	return math.Log(m.A) - math.Log(m.B+x-1) + (m.R+x)*(math.Log(m.Alpha+c.T)-math.Log(m.Alpha+c.Recency))
}

// ProbabilityAlive returns P(alive | x, t_x, T), the probability that the
// customer has not dropped out by the end of the observation period (eq. 11):
//
//	P(alive) = 1 / (1 + δ(x>0) × a/(b+x-1) × ((α+T)/(α+t_x))^(r+x))
//
// computed in logarithms, so it is exactly 1 for x = 0 and tends to 0, not
// NaN, for heavy buyers long silent.
func (m *BGNBD) ProbabilityAlive(c Customer) float64 {
	if c.Frequency == 0 {
		return 1
	}
	return 1 / (1 + math.Exp(m.logDropoutOdds(c)))
}

// ConditionalExpectedPurchases returns E[Y(t) | x, t_x, T], the expected
// number of purchases of the customer in the next t units (eq. 10):
//
//	(a+b+x-1)/(a-1) × [1 - ((α+T)/(α+T+t))^(r+x) × 2F1(r+x, b+x; a+b+x-1; t/(α+T+t))]
//	× P(alive | x, t_x, T)
//
// t <= 0 gives 0.
func (m *BGNBD) ConditionalExpectedPurchases(c Customer, t float64) float64 {
	if t <= 0 {
		return 0
	}
	x := c.Frequency
	z := t / (m.Alpha + c.T + t)
	h := mathext.Hypergeo(m.R+x, m.B+x, m.A+m.B+x-1, z)
	num := (m.A + m.B + x - 1) / (m.A - 1) * (1 - math.Exp((m.R+x)*math.Log((m.Alpha+c.T)/(m.Alpha+c.T+t)))*h)
	return num * m.ProbabilityAlive(c)
}

// ProbabilityOfPurchases returns P(X(t) = n), the probability that a new
// customer makes exactly n repeat purchases in a period of length t (eq. 8):
//
//	P(X(t)=n) = Γ(r+n)/(Γ(r) n!) (α/(α+t))^r (t/(α+t))^n × B(a, b+n)/B(a, b)
//	          + δ(n>0) B(a+1, b+n-1)/B(a, b) × [1 - (α/(α+t))^r Σ_{j<n} Γ(r+j)/(Γ(r) j!) (t/(α+t))^j]
//
// n < 0 or t < 0 gives 0.
func (m *BGNBD) ProbabilityOfPurchases(n int, t float64) float64 {
	if n < 0 || t < 0 {
		return 0
	}
	r, alpha, a, b := m.R, m.Alpha, m.A, m.B
	lbAB := mathext.Lbeta(a, b)
	lnA := math.Log(alpha / (alpha + t))
	lnT := math.Log(t / (alpha + t))
	fn := float64(n)
	// ln of the NBD term Γ(r+j)/(Γ(r) j!) (α/(α+t))^r (t/(α+t))^j
	nbd := func(j float64) float64 {
		lg1, _ := math.Lgamma(r + j)
		lg2, _ := math.Lgamma(r)
		lg3, _ := math.Lgamma(j + 1)
		v := lg1 - lg2 - lg3 + r*lnA
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
		p += math.Exp(mathext.Lbeta(a+1, b+fn-1)-lbAB) * (1 - sum)
	}
	return p
}
