package cxmetrics

import "github.com/shopspring/decimal"

// named is a decimal input with its field name, for checkInputs.
type named struct {
	name string
	v    decimal.Decimal
}

// checkInputs checks the amounts of a formula: each within the package's
// bounds (ErrOutOfRange) and none negative (ErrNegative), naming the formula
// and the field.
func checkInputs(formula string, in ...named) error {
	if err := checkBounds(formula, in...); err != nil {
		return err
	}
	for _, f := range in {
		if f.v.IsNegative() {
			return errorf(ErrNegative, "%s: %s is %s", formula, f.name, f.v)
		}
	}
	return nil
}

// checkBounds checks that each input is within the package's bounds on
// digits and exponents (ErrOutOfRange), naming the formula and the field.
// Rates use it alone and check their own range.
func checkBounds(formula string, in ...named) error {
	for _, f := range in {
		if err := checkDecimal(f.v, formula+": "+f.name); err != nil {
			return err
		}
	}
	return nil
}

// checkMargin requires a gross margin in (0, 1].
func checkMargin(m decimal.Decimal) error {
	if !m.IsPositive() || m.GreaterThan(one) {
		return errorf(ErrOutOfRange, "gross margin %s not in (0, 1]", m)
	}
	return nil
}

// LTVInputs are the inputs of the simple lifetime-value formula. All three
// per-period figures use one period: a year, say, for orders per year and a
// lifespan in years.
type LTVInputs struct {
	AOV decimal.Decimal // average order value, money
	// OrdersPerPeriod is orders per customer per period of the lifespan
	// (3.2 orders a year). It is not [OrderStats.PurchaseFrequency], which
	// counts orders per customer over all the data: divide that by the
	// number of periods the data covers first.
	OrdersPerPeriod decimal.Decimal
	Lifespan        decimal.Decimal // periods a customer stays
	GrossMargin     decimal.Decimal // fraction in (0, 1]
}

// LTV returns the customer lifetime value, in the AOV's currency, by the
// simple formula used in e-commerce practice:
//
//	LTV = AOV × OrdersPerPeriod × Lifespan × GrossMargin
//
// OrdersPerPeriod and Lifespan use the same period (orders per year and
// years, say). The product is exact. Negative AOV, orders or lifespan is
// ErrNegative; a GrossMargin outside (0, 1] is ErrOutOfRange — a zero margin
// is an error, never a silent "margin 100%" (to value revenue, pass 1). An
// input with more than [MaxDigits] significant digits or an exponent beyond
// ±[MaxExponent] is ErrOutOfRange.
func LTV(in LTVInputs) (decimal.Decimal, error) {
	if err := checkBounds("LTV", named{"GrossMargin", in.GrossMargin}); err != nil {
		return decimal.Decimal{}, err
	}
	if err := checkInputs("LTV", named{"AOV", in.AOV}, named{"OrdersPerPeriod", in.OrdersPerPeriod}, named{"Lifespan", in.Lifespan}); err != nil {
		return decimal.Decimal{}, err
	}
	if err := checkMargin(in.GrossMargin); err != nil {
		return decimal.Decimal{}, err
	}
	return in.AOV.Mul(in.OrdersPerPeriod).Mul(in.Lifespan).Mul(in.GrossMargin), nil
}

// ChurnLTVInputs are the inputs of [LTVFromChurn].
type ChurnLTVInputs struct {
	ARPU        decimal.Decimal // average revenue per user per period, money
	GrossMargin decimal.Decimal // fraction in (0, 1]
	ChurnRate   decimal.Decimal // churn per period, fraction in (0, 1]
}

// LTVFromChurn returns the lifetime value of a subscription customer, in
// the ARPU's currency:
//
//	LTV = ARPU × GrossMargin / ChurnRate
//
// where ARPU is the average revenue per user per period and ChurnRate the
// per-period churn (1 / churn is the expected lifetime in periods, see
// [ExpectedLifetime]). $30 a month at 80% margin and 4% monthly churn is
// 30 × 0.8 / 0.04 = $600. Negative ARPU is ErrNegative; a margin or a churn
// rate outside (0, 1] is ErrOutOfRange: at zero churn LTV would be
// unbounded, and the function returns an error rather than zero or
// infinity. Exact to 16 fractional digits.
func LTVFromChurn(in ChurnLTVInputs) (decimal.Decimal, error) {
	if err := checkBounds("LTV from churn", named{"GrossMargin", in.GrossMargin}, named{"ChurnRate", in.ChurnRate}); err != nil {
		return decimal.Decimal{}, err
	}
	if err := checkInputs("LTV from churn", named{"ARPU", in.ARPU}); err != nil {
		return decimal.Decimal{}, err
	}
	if err := checkMargin(in.GrossMargin); err != nil {
		return decimal.Decimal{}, err
	}
	if !in.ChurnRate.IsPositive() || in.ChurnRate.GreaterThan(one) {
		return decimal.Decimal{}, errorf(ErrOutOfRange, "churn rate %s not in (0, 1]", in.ChurnRate)
	}
	return div(in.ARPU.Mul(in.GrossMargin), in.ChurnRate), nil
}

// DiscountedLTVInputs are the inputs of [DiscountedLTV].
type DiscountedLTVInputs struct {
	Margin        decimal.Decimal // margin per period while retained, money
	RetentionRate decimal.Decimal // per period, fraction in [0, 1)
	DiscountRate  decimal.Decimal // per period, fraction >= 0 (0.1 for 10%)
}

// DiscountedLTV returns the present value of a customer who brings Margin
// at the start of every period while retained, with per-period retention r
// and discount rate d (Gupta & Lehmann 2003, "Customers as Assets", Journal
// of Interactive Marketing 17(1)):
//
//	LTV = m × (1 + d) / (1 + d - r)
//
// the sum over t >= 0 of m × r^t / (1+d)^t. A RetentionRate outside [0, 1)
// or a negative DiscountRate is ErrOutOfRange; a negative Margin is
// ErrNegative. Exact to 16 fractional digits.
func DiscountedLTV(in DiscountedLTVInputs) (decimal.Decimal, error) {
	if err := checkBounds("discounted LTV", named{"RetentionRate", in.RetentionRate}, named{"DiscountRate", in.DiscountRate}); err != nil {
		return decimal.Decimal{}, err
	}
	if err := checkInputs("discounted LTV", named{"Margin", in.Margin}); err != nil {
		return decimal.Decimal{}, err
	}
	if in.RetentionRate.IsNegative() || in.RetentionRate.GreaterThanOrEqual(one) {
		return decimal.Decimal{}, errorf(ErrOutOfRange, "retention rate %s not in [0, 1)", in.RetentionRate)
	}
	if in.DiscountRate.IsNegative() {
		return decimal.Decimal{}, errorf(ErrOutOfRange, "discount rate %s below 0", in.DiscountRate)
	}
	d1 := one.Add(in.DiscountRate)
	return div(in.Margin.Mul(d1), d1.Sub(in.RetentionRate)), nil
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

// PaybackInputs are the inputs of [CACPayback].
type PaybackInputs struct {
	CAC         decimal.Decimal // acquisition cost per customer, money
	ARPU        decimal.Decimal // revenue per customer per period, money
	GrossMargin decimal.Decimal // fraction in (0, 1]
}

// CACPayback returns the number of periods a customer's gross margin takes
// to repay their acquisition cost:
//
//	CACPayback = CAC / (ARPU × GrossMargin)
//
// with ARPU per period, so the result is in the same periods (months for
// monthly ARPU): a CAC of 150 and ARPU 30 at 80% margin pay back in 6.25
// months. Negative amounts are ErrNegative; a margin outside (0, 1] is
// ErrOutOfRange; zero ARPU is ErrNoData (it would never pay back). Exact to
// 16 fractional digits.
func CACPayback(in PaybackInputs) (decimal.Decimal, error) {
	if err := checkBounds("CAC payback", named{"GrossMargin", in.GrossMargin}); err != nil {
		return decimal.Decimal{}, err
	}
	if err := checkInputs("CAC payback", named{"CAC", in.CAC}, named{"ARPU", in.ARPU}); err != nil {
		return decimal.Decimal{}, err
	}
	if err := checkMargin(in.GrossMargin); err != nil {
		return decimal.Decimal{}, err
	}
	if in.ARPU.IsZero() {
		return decimal.Decimal{}, errorf(ErrNoData, "CAC payback with zero ARPU")
	}
	return div(in.CAC, in.ARPU.Mul(in.GrossMargin)), nil
}
