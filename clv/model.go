package clv

import (
	"math"

	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/internal/cxerr"
)

// PurchaseModel is a model of repeat purchasing that predicts per customer:
// [BGNBD] and [ParetoNBD]. [LifetimeValue] and [CheckHoldout] take either.
// Every method validates the model and its arguments and returns an error
// instead of NaN, ±Inf or a panic.
type PurchaseModel interface {
	// Validate reports whether the parameters define a model.
	Validate() error
	// ProbabilityAlive is P(alive | x, t_x, T), a probability in [0, 1].
	ProbabilityAlive(c Customer) (float64, error)
	// ConditionalExpectedPurchases is E[Y(t) | x, t_x, T], the expected
	// number of purchases of the customer in the next t units.
	ConditionalExpectedPurchases(c Customer, t float64) (float64, error)
	// ExpectedPurchases is E[X(t)], the expected number of repeat
	// purchases of a new customer in a period of length t.
	ExpectedPurchases(t float64) (float64, error)
}

var (
	_ PurchaseModel = (*BGNBD)(nil)
	_ PurchaseModel = (*ParetoNBD)(nil)
)

// validParams checks that every parameter of a model is a finite positive
// number: the zero value of a model is not a model.
func validParams(model string, names []string, values ...float64) error {
	for i, v := range values {
		if !(v > 0) || math.IsInf(v, 0) {
			return errorf(cxmetrics.ErrOutOfRange, "%s parameter %s = %v: must be a finite number > 0", model, names[i], v)
		}
	}
	return nil
}

// checkCustomer checks a summary: a whole Frequency x >= 0 and
// 0 <= Recency <= T, all finite, and no Recency without a repeat purchase.
func checkCustomer(c Customer) error {
	switch {
	case !(c.Frequency >= 0) || c.Frequency != math.Trunc(c.Frequency) || math.IsInf(c.Frequency, 0):
		return errorf(cxmetrics.ErrOutOfRange, "customer %s: frequency %v is not a whole number >= 0", cxerr.Quote(c.ID), c.Frequency)
	case !(c.Recency >= 0) || !(c.T >= c.Recency) || math.IsInf(c.T, 0):
		return errorf(cxmetrics.ErrInconsistent, "customer %s: recency %v and T %v need 0 <= recency <= T, finite", cxerr.Quote(c.ID), c.Recency, c.T)
	case c.Frequency == 0 && c.Recency != 0:
		return errorf(cxmetrics.ErrInconsistent, "customer %s: recency %v without a repeat purchase", cxerr.Quote(c.ID), c.Recency)
	}
	return nil
}

// checkHorizon checks a prediction horizon t: finite and >= 0.
func checkHorizon(t float64) error {
	if !(t >= 0) || math.IsInf(t, 0) {
		return errorf(cxmetrics.ErrOutOfRange, "horizon t = %v: must be a finite number >= 0", t)
	}
	return nil
}

// checkPrediction checks what every prediction over a horizon takes: a
// valid model, a valid customer and a horizon t finite and >= 0.
func checkPrediction(m interface{ Validate() error }, c Customer, t float64) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := checkCustomer(c); err != nil {
		return err
	}
	return checkHorizon(t)
}

// finite turns a figure computed in logarithms back into a float64, or
// reports that it does not fit one.
func finite(what string, logValue float64) (float64, error) {
	v := math.Exp(logValue)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errorf(cxmetrics.ErrOutOfRange, "%s = exp(%v) does not fit a float64", what, logValue)
	}
	return v, nil
}

// logInvOnePlusExp returns ln(1 / (1 + e^u)) without overflow: the log of
// a probability whose log-odds against are u.
func logInvOnePlusExp(u float64) float64 {
	if u > 0 {
		return -u - math.Log1p(math.Exp(-u))
	}
	return -math.Log1p(math.Exp(u))
}

// growth returns (1 - e^{k L})/k, the integral of e^{k l} over l in
// [L, 0] for L <= 0, with its limit -L at k = 0 and no cancellation near it.
func growth(k, L float64) float64 {
	if k == 0 {
		return -L
	}
	return -math.Expm1(k*L) / k
}

// infoCriteria returns AIC = 2k - 2 LL and BIC = k ln n - 2 LL (Akaike 1974;
// Schwarz 1978) for a model with k parameters fitted to n customers.
func infoCriteria(k, n int, ll float64) (aic, bic float64) {
	return 2*float64(k) - 2*ll, float64(k)*math.Log(float64(n)) - 2*ll
}

// quoteID quotes a customer ID for a message, cut to about 80 bytes.
func quoteID(id string) string { return cxerr.Quote(id) }

// logGrowth returns ln growth(k, L) for L < 0 without overflow where
// e^{k L} is huge (k < 0, long horizons).
func logGrowth(k, L float64) float64 {
	if k*L > 0 {
		return k*L + math.Log(-math.Expm1(-k*L)) - math.Log(-k)
	}
	return math.Log(growth(k, L))
}
