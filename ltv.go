package cxmetrics

import "github.com/shopspring/decimal"

// checkMargin requires a gross margin in (0, 1].
func checkMargin(m decimal.Decimal) error {
	if !m.IsPositive() || m.GreaterThan(one) {
		return errorf(ErrOutOfRange, "gross margin %s not in (0, 1]", m)
	}
	return nil
}

// LTVInputs are the inputs of the simple lifetime-value formula.
type LTVInputs struct {
	AOV               decimal.Decimal // average order value
	PurchaseFrequency decimal.Decimal // orders per customer per period
	Lifespan          decimal.Decimal // periods a customer stays
	GrossMargin       decimal.Decimal // fraction in (0, 1]
}

// LTV returns the customer lifetime value, in the AOV's currency, by the
// simple formula used in e-commerce practice:
//
//	LTV = AOV × PurchaseFrequency × Lifespan × GrossMargin
//
// PurchaseFrequency and Lifespan use the same period (orders per year and
// years, say). The product is exact. Negative AOV, frequency or lifespan is
// ErrNegative; a GrossMargin outside (0, 1] is ErrOutOfRange — a zero margin
// is an error, never a silent "margin 100%" (to value revenue, pass 1).
func LTV(in LTVInputs) (decimal.Decimal, error) {
	if in.AOV.IsNegative() || in.PurchaseFrequency.IsNegative() || in.Lifespan.IsNegative() {
		return decimal.Decimal{}, errorf(ErrNegative, "LTV inputs: AOV %s, purchase frequency %s, lifespan %s", in.AOV, in.PurchaseFrequency, in.Lifespan)
	}
	if err := checkMargin(in.GrossMargin); err != nil {
		return decimal.Decimal{}, err
	}
	return in.AOV.Mul(in.PurchaseFrequency).Mul(in.Lifespan).Mul(in.GrossMargin), nil
}

// LTVFromChurn returns the lifetime value of a subscription customer, in
// the ARPU's currency:
//
//	LTV = ARPU × grossMargin / churnRate
//
// where ARPU is the average revenue per user per period and churnRate the
// per-period churn (1 / churn is the expected lifetime in periods). Negative
// ARPU is ErrNegative; a margin outside (0, 1] or a churn rate outside
// (0, 1] is ErrOutOfRange: at zero churn LTV would be unbounded, and the
// function returns an error rather than zero or infinity. Exact to 16
// fractional digits.
func LTVFromChurn(arpu, grossMargin, churnRate decimal.Decimal) (decimal.Decimal, error) {
	if arpu.IsNegative() {
		return decimal.Decimal{}, errorf(ErrNegative, "ARPU %s", arpu)
	}
	if err := checkMargin(grossMargin); err != nil {
		return decimal.Decimal{}, err
	}
	if !churnRate.IsPositive() || churnRate.GreaterThan(one) {
		return decimal.Decimal{}, errorf(ErrOutOfRange, "churn rate %s not in (0, 1]", churnRate)
	}
	return div(arpu.Mul(grossMargin), churnRate), nil
}

// DiscountedLTV returns the present value of a customer who brings margin m
// at the start of every period while retained, with per-period retention r
// and discount rate d (Gupta & Lehmann 2003, "Customers as Assets", Journal
// of Interactive Marketing 17(1)):
//
//	LTV = m × (1 + d) / (1 + d - r)
//
// the sum over t >= 0 of m × r^t / (1+d)^t. m is money per period; r is a
// fraction in [0, 1) and d a fraction >= 0 (0.1 for 10% a period), else
// ErrOutOfRange; negative m is ErrNegative. Exact to 16 fractional digits.
func DiscountedLTV(margin, retention, discountRate decimal.Decimal) (decimal.Decimal, error) {
	if margin.IsNegative() {
		return decimal.Decimal{}, errorf(ErrNegative, "margin %s", margin)
	}
	if retention.IsNegative() || retention.GreaterThanOrEqual(one) {
		return decimal.Decimal{}, errorf(ErrOutOfRange, "retention %s not in [0, 1)", retention)
	}
	if discountRate.IsNegative() {
		return decimal.Decimal{}, errorf(ErrOutOfRange, "discount rate %s below 0", discountRate)
	}
	d1 := one.Add(discountRate)
	return div(margin.Mul(d1), d1.Sub(retention)), nil
}

// HistoricalLTV returns the average realised value per customer of orders,
// net revenue / customers with an order (see [OrderStats.HistoricalLTV]).
// Order errors name the index; no customers is ErrNoData.
func HistoricalLTV(orders []Order) (decimal.Decimal, error) {
	s, err := statsOf(orders)
	if err != nil {
		return decimal.Decimal{}, err
	}
	return s.HistoricalLTV()
}

// LTVToCAC returns the ratio of lifetime value to acquisition cost, a plain
// ratio (3 means a customer is worth three times what winning them cost; 3
// or more is the usual target):
//
//	LTVToCAC = ltv / cac
//
// Negative amounts are ErrNegative; zero CAC is ErrNoData. Exact to 16
// fractional digits.
func LTVToCAC(ltv, cac decimal.Decimal) (decimal.Decimal, error) {
	return amountRatio(ltv, cac, "LTV to CAC", "LTV", "CAC")
}

// CACPayback returns the number of periods a customer's gross margin takes to
// repay their acquisition cost:
//
//	CACPayback = cac / (arpu × grossMargin)
//
// with ARPU per period, so the result is in the same periods (months for
// monthly ARPU). Negative amounts are ErrNegative; a margin outside (0, 1] is
// ErrOutOfRange; zero ARPU is ErrNoData (it would never pay back). Exact to
// 16 fractional digits.
func CACPayback(cac, arpu, grossMargin decimal.Decimal) (decimal.Decimal, error) {
	if cac.IsNegative() || arpu.IsNegative() {
		return decimal.Decimal{}, errorf(ErrNegative, "CAC %s, ARPU %s", cac, arpu)
	}
	if err := checkMargin(grossMargin); err != nil {
		return decimal.Decimal{}, err
	}
	if arpu.IsZero() {
		return decimal.Decimal{}, errorf(ErrNoData, "CAC payback with zero ARPU")
	}
	return div(cac, arpu.Mul(grossMargin)), nil
}
