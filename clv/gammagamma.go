package clv

import (
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
	// AIC and BIC with k = 3 parameters and n = Customers (see BGNBD).
	AIC, BIC float64
	// StdErr and AtBoundary are as for BGNBD, in the order P, Q, Gamma.
	StdErr     [3]float64
	AtBoundary [3]bool
	// Customers is the number of repeat customers fitted.
	Customers int
	// Excluded is the number of repeat customers left out of the fit
	// because their mean repeat spend is not positive (refunds as large
	// as their purchases), which the model cannot take.
	Excluded int
}

// Validate reports whether the parameters define a Gamma-Gamma model: P,
// Q and Gamma finite and > 0 (cxmetrics.ErrOutOfRange otherwise; a nil or
// zero-value model fails). Q <= 1 is a model, but one whose population mean
// spend is infinite: see [GammaGamma.ConditionalExpectedSpend].
func (g *GammaGamma) Validate() error {
	if g == nil {
		return errorf(cxmetrics.ErrNoData, "nil Gamma-Gamma model")
	}
	return validParams("Gamma-Gamma", gammaGammaNames, g.P, g.Q, g.Gamma)
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
// the customers with a repeat purchase (Frequency > 0) and a positive
// MonetaryValue. Repeat customers whose mean repeat spend is not positive
// (their refunds outweigh their repeat purchases) are left out and counted
// in Excluded: the model is defined on positive spends only. Customers
// without a repeat purchase are left out too, as the model is defined on
// repeat spend. An invalid customer is an error (see [Customer]); no repeat
// customer with a positive spend is cxmetrics.ErrNoData; a fit that does
// not converge is ErrNotConverged. A maximum at a boundary is returned
// with AtBoundary set, as for [FitBGNBD].
func FitGammaGamma(customers []Customer, opts FitOptions) (*GammaGamma, error) {
	var cs []spend
	excluded := 0
	for i, c := range customers {
		if err := checkCustomer(c); err != nil {
			return nil, wrap(err, "at index %d", i)
		}
		if c.Frequency == 0 {
			continue
		}
		m := c.MonetaryValue.InexactFloat64()
		if !c.MonetaryValue.IsPositive() || !(m > 0) || math.IsInf(m, 0) {
			excluded++
			continue
		}
		cs = append(cs, spend{x: c.Frequency, m: m})
	}
	if len(cs) == 0 {
		return nil, errorf(cxmetrics.ErrNoData, "no repeat customer with a positive mean spend among %d customers (%d repeat customers with spend <= 0)", len(customers), excluded)
	}
	res, err := maximize(gammaGammaNames, gammaGammaLogLik(cs), len(cs), opts)
	if err != nil {
		return nil, err
	}
	m := &GammaGamma{P: res.params[0], Q: res.params[1], Gamma: res.params[2], LogLikelihood: res.logLik, Customers: len(cs), Excluded: excluded}
	m.AIC, m.BIC = infoCriteria(3, len(cs), res.logLik)
	copy(m.StdErr[:], res.stdErr)
	copy(m.AtBoundary[:], res.atBoundary)
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
// (16 significant digits at most).
//
// It is an error, never 0, when the figure does not exist: p x + q - 1 <= 0
// (q <= 1 for a customer without a repeat purchase: the population mean
// spend is infinite) is cxmetrics.ErrOutOfRange, and so is a repeat
// customer whose mean spend is not positive (the model's spends are
// positive; FitGammaGamma leaves such customers out). An invalid model or
// customer is an error.
func (g *GammaGamma) ConditionalExpectedSpend(c Customer) (decimal.Decimal, error) {
	if err := g.Validate(); err != nil {
		return decimal.Decimal{}, err
	}
	if err := checkCustomer(c); err != nil {
		return decimal.Decimal{}, err
	}
	x := c.Frequency
	m := c.MonetaryValue.InexactFloat64()
	if x > 0 && !(m > 0 && c.MonetaryValue.IsPositive()) {
		return decimal.Decimal{}, errorf(cxmetrics.ErrOutOfRange, "customer %s: mean repeat spend %s is not positive, which the Gamma-Gamma model cannot take", quoteID(c.ID), c.MonetaryValue)
	}
	den := g.P*x + g.Q - 1
	if !(den > 0) {
		return decimal.Decimal{}, errorf(cxmetrics.ErrOutOfRange, "customer %s with %v repeat purchases: p x + q - 1 = %v <= 0 (q = %v), so the expected spend is infinite", quoteID(c.ID), x, den, g.Q)
	}
	v := g.P * (g.Gamma + x*m) / den
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return decimal.Decimal{}, errorf(cxmetrics.ErrOutOfRange, "customer %s: expected spend %v does not fit a float64", quoteID(c.ID), v)
	}
	return decimal.NewFromFloat(v), nil
}

// LifetimeOptions say over what and how [LifetimeValue] sums a customer's
// value.
type LifetimeOptions struct {
	// Horizon is the number of periods summed, at least 1.
	Horizon int
	// PeriodLength is one period in the unit the models were fitted in:
	// 52.0/12 for months when the summary is in weeks. There is no built-in
	// "30 days a month".
	PeriodLength float64
	// DiscountRate is per period, a fraction >= 0 (0.01 for 1% a month).
	DiscountRate decimal.Decimal
	// Margin is the gross margin on spend, a fraction in (0, 1].
	Margin decimal.Decimal
}

// MaxHorizon is the most periods [LifetimeValue] sums, and the latest
// period [SBG.Survival] and [SBG.ChurnProbability] take.
const MaxHorizon = 100_000

// LifetimeValue returns the customer's expected discounted margin over the
// next opts.Horizon periods, combining a purchase model (a *BGNBD or a
// *ParetoNBD) and a spend model:
//
//	Σ_{i=1..Horizon} Margin × E[spend] × (E[Y(i L)] - E[Y((i-1) L)]) / (1 + d)^i
//
// where E[Y(t)] is tx.ConditionalExpectedPurchases(c, t), E[spend] is
// spend.ConditionalExpectedSpend(c), L is opts.PeriodLength and d is
// opts.DiscountRate. Money in the customers' currency; the model terms are
// float64, the sum is a decimal exact to 16 fractional digits of those
// terms. A Horizon below 1 or above MaxHorizon, a PeriodLength that is not
// positive or whose product with Horizon is not finite, a negative
// DiscountRate or a Margin outside (0, 1] is cxmetrics.ErrOutOfRange; nil
// models are cxmetrics.ErrNoData. Every error of the models' methods is
// returned as is: an expected spend that does not exist is an error, never
// a value of 0.
func LifetimeValue(tx PurchaseModel, spend *GammaGamma, c Customer, opts LifetimeOptions) (decimal.Decimal, error) {
	switch {
	case tx == nil || spend == nil:
		return decimal.Decimal{}, errorf(cxmetrics.ErrNoData, "lifetime value needs both a purchase and a spend model")
	case opts.Horizon < 1 || opts.Horizon > MaxHorizon:
		return decimal.Decimal{}, errorf(cxmetrics.ErrOutOfRange, "horizon %d not in 1..%d", opts.Horizon, MaxHorizon)
	case !(opts.PeriodLength > 0) || math.IsInf(opts.PeriodLength*float64(opts.Horizon), 0):
		return decimal.Decimal{}, errorf(cxmetrics.ErrOutOfRange, "period length %v must be positive, and %d periods of it finite", opts.PeriodLength, opts.Horizon)
	case opts.DiscountRate.IsNegative():
		return decimal.Decimal{}, errorf(cxmetrics.ErrOutOfRange, "discount rate %s below 0", opts.DiscountRate)
	case !opts.Margin.IsPositive() || opts.Margin.GreaterThan(decimal.NewFromInt(1)):
		return decimal.Decimal{}, errorf(cxmetrics.ErrOutOfRange, "margin %s not in (0, 1]", opts.Margin)
	}
	if err := tx.Validate(); err != nil {
		return decimal.Decimal{}, err
	}
	if err := checkCustomer(c); err != nil {
		return decimal.Decimal{}, err
	}
	perSpend, err := spend.ConditionalExpectedSpend(c)
	if err != nil {
		return decimal.Decimal{}, err
	}
	perPurchase := opts.Margin.Mul(perSpend)
	factor := decimal.NewFromInt(1).Add(opts.DiscountRate)
	discount := decimal.NewFromInt(1)
	total := decimal.Zero
	prev := 0.0
	for i := 1; i <= opts.Horizon; i++ {
		cur, err := tx.ConditionalExpectedPurchases(c, float64(i)*opts.PeriodLength)
		if err != nil {
			return decimal.Decimal{}, err
		}
		discount = discount.Mul(factor).Round(40)
		total = total.Add(decimal.NewFromFloat(math.Max(cur-prev, 0)).DivRound(discount, 40))
		prev = math.Max(prev, cur)
	}
	return total.Mul(perPurchase).Round(16), nil
}
