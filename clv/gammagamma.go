package clv

import (
	"fmt"
	"math"

	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
	"gonum.org/v1/gonum/mathext"
)

// GammaGamma is a fitted (or given) Gamma-Gamma model of spend per purchase
// (Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value", note
// 025; Colombo & Jiang 1999). Each purchase of a customer is
// gamma-distributed with shape P and a customer-specific rate ν, and ν is
// gamma-distributed over customers with shape Q and rate Gamma. The model
// assumes spend per purchase is independent of how often a customer buys;
// check that the correlation between Frequency and MonetaryValue is weak
// before using it.
type GammaGamma struct {
	P, Q, Gamma float64
	// LogLikelihood is the log-likelihood of the fitted customers' mean
	// spends, up to the constant terms lifetimes also leaves out.
	LogLikelihood float64
	// StdErr holds the standard errors of P, Q and Gamma.
	StdErr [3]float64
	// Customers is the number of repeat customers fitted.
	Customers int
}

var gammaGammaNames = []string{"p", "q", "gamma"}

type spend struct {
	x, m float64 // repeat purchases and their mean value
}

// gammaGammaLogLik is, per repeat customer with x purchases of mean value m,
//
//	lnΓ(px+q) - lnΓ(px) - lnΓ(q) + q ln γ + (px-1) ln m + px ln x - (px+q) ln(xm+γ)
//
// and its gradient in (p, q, gamma).
func gammaGammaLogLik(cs []spend) logLikelihood {
	return func(par, grad []float64) float64 {
		p, q, g := par[0], par[1], par[2]
		lgQ, _ := math.Lgamma(q)
		psiQ := mathext.Digamma(q)
		lnG := math.Log(g)
		var ll, gp, gq, gg float64
		for _, c := range cs {
			px := p * c.x
			lg1, _ := math.Lgamma(px + q)
			lg2, _ := math.Lgamma(px)
			lnM, lnX, lnXMG := math.Log(c.m), math.Log(c.x), math.Log(c.x*c.m+g)
			ll += lg1 - lg2 - lgQ + q*lnG + (px-1)*lnM + px*lnX - (px+q)*lnXMG
			psi1 := mathext.Digamma(px + q)
			gp += c.x * (psi1 - mathext.Digamma(px) + lnM + lnX - lnXMG)
			gq += psi1 - psiQ + lnG - lnXMG
			gg += q/g - (px+q)/(c.x*c.m+g)
		}
		grad[0], grad[1], grad[2] = gp, gq, gg
		return ll
	}
}

// FitGammaGamma fits the Gamma-Gamma spend model by maximum likelihood on
// the customers with a repeat purchase (Frequency > 0), whose
// MonetaryValue must be positive (cxmetrics.ErrOutOfRange otherwise); the
// others are left out, as the model is defined on repeat spend. No repeat
// customer is cxmetrics.ErrNoData; a fit that does not converge is
// ErrNotConverged.
func FitGammaGamma(customers []Customer, opts FitOptions) (*GammaGamma, error) {
	var cs []spend
	for _, c := range customers {
		if err := checkCustomer(c); err != nil {
			return nil, err
		}
		if c.Frequency == 0 {
			continue
		}
		if !c.MonetaryValue.IsPositive() {
			return nil, fmt.Errorf("clv: customer %q: mean spend %s is not positive, which the Gamma-Gamma model cannot take: %w", c.ID, c.MonetaryValue, cxmetrics.ErrOutOfRange)
		}
		cs = append(cs, spend{x: c.Frequency, m: c.MonetaryValue.InexactFloat64()})
	}
	res, err := maximize(gammaGammaNames, gammaGammaLogLik(cs), len(cs), opts)
	if err != nil {
		return nil, err
	}
	m := &GammaGamma{P: res.params[0], Q: res.params[1], Gamma: res.params[2], LogLikelihood: res.logLik, Customers: len(cs)}
	copy(m.StdErr[:], res.stdErr)
	return m, nil
}

// ConditionalExpectedSpend returns the expected value of the customer's
// future purchases, given x repeat purchases of mean value m (Fader & Hardie
// 2013, eq. 5):
//
//	E[Z | x, m] = p (γ + x m) / (p x + q - 1)
//
// a weighted mean of the population mean pγ/(q-1) and the customer's own
// mean m, leaning to m as x grows. For x = 0 it is the population mean. In
// the customers' currency; computed in float64 and returned as a decimal
// (16 significant digits at most). With q <= 1 the population mean is
// infinite: the result is zero and the model should not be used.
func (g *GammaGamma) ConditionalExpectedSpend(c Customer) decimal.Decimal {
	x := c.Frequency
	den := g.P*x + g.Q - 1
	if den <= 0 {
		return decimal.Zero
	}
	v := g.P * (g.Gamma + x*c.MonetaryValue.InexactFloat64()) / den
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return decimal.Zero
	}
	return decimal.NewFromFloat(v)
}

// LifetimeValue returns the customer's expected discounted margin over the
// next horizon periods, combining a purchase model and a spend model:
//
//	Σ_{i=1..horizon} margin × E[spend] × (E[X(i L)] - E[X((i-1) L)]) / (1 + d)^i
//
// where E[X(t)] is tx.ConditionalExpectedPurchases(c, t), E[spend] is
// spend.ConditionalExpectedSpend(c), L is periodLength in the unit the
// models were fitted in (4.345 for months of weeks, say: there is no
// built-in "30 days a month") and d is the discount rate per period (0.01
// for 1% a month). Money in the customers' currency; the model terms are
// float64, the sum is a decimal exact to 16 fractional digits of those
// terms. horizon < 1, periodLength <= 0, d < 0 or a margin outside (0, 1] is
// cxmetrics.ErrOutOfRange; nil models are cxmetrics.ErrNoData.
func LifetimeValue(tx *BGNBD, spend *GammaGamma, c Customer, horizon int, periodLength float64, discountRate decimal.Decimal, margin decimal.Decimal) (decimal.Decimal, error) {
	switch {
	case tx == nil || spend == nil:
		return decimal.Decimal{}, fmt.Errorf("clv: lifetime value needs both a purchase and a spend model: %w", cxmetrics.ErrNoData)
	case horizon < 1:
		return decimal.Decimal{}, fmt.Errorf("clv: horizon %d below 1: %w", horizon, cxmetrics.ErrOutOfRange)
	case !(periodLength > 0) || math.IsInf(periodLength, 0):
		return decimal.Decimal{}, fmt.Errorf("clv: period length %v must be positive: %w", periodLength, cxmetrics.ErrOutOfRange)
	case discountRate.IsNegative():
		return decimal.Decimal{}, fmt.Errorf("clv: discount rate %s below 0: %w", discountRate, cxmetrics.ErrOutOfRange)
	case !margin.IsPositive() || margin.GreaterThan(decimal.NewFromInt(1)):
		return decimal.Decimal{}, fmt.Errorf("clv: margin %s not in (0, 1]: %w", margin, cxmetrics.ErrOutOfRange)
	}
	if err := checkCustomer(c); err != nil {
		return decimal.Decimal{}, err
	}
	perPurchase := margin.Mul(spend.ConditionalExpectedSpend(c))
	factor := decimal.NewFromInt(1).Add(discountRate)
	discount := decimal.NewFromInt(1)
	total := decimal.Zero
	prev := 0.0
	for i := 1; i <= horizon; i++ {
		cur := tx.ConditionalExpectedPurchases(c, float64(i)*periodLength)
		discount = discount.Mul(factor).Round(40)
		total = total.Add(decimal.NewFromFloat(cur-prev).DivRound(discount, 40))
		prev = cur
	}
	return total.Mul(perPurchase).Round(16), nil
}
