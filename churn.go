package cxmetrics

import (
	"math"

	"github.com/shopspring/decimal"
)

// PeriodCounts are the customer counts of one period (a month, a quarter)
// from which churn and retention are computed.
type PeriodCounts struct {
	Start int64 // customers at the start of the period (S)
	New   int64 // customers acquired during the period (N)
	End   int64 // customers at the end of the period (E)
}

// Lost returns the customers lost during the period, S + N - E. It includes
// customers acquired and lost within the period.
func (c PeriodCounts) Lost() int64 { return c.Start + c.New - c.End }

// check validates c: negative counts are ErrNegative, S + N - E outside
// 0..S+N is ErrInconsistent, S = 0 is ErrNoData.
func (c PeriodCounts) check() error {
	if c.Start < 0 || c.New < 0 || c.End < 0 {
		return errorf(ErrNegative, "period counts %+v", c)
	}
	if c.Start > math.MaxInt64-c.New {
		return errorf(ErrOutOfRange, "period counts %+v overflow int64", c)
	}
	if c.End > c.Start+c.New {
		return errorf(ErrInconsistent, "period counts %+v: End exceeds Start + New, so Lost is negative", c)
	}
	if c.Start == 0 {
		return errorf(ErrNoData, "period counts %+v: no customers at the start", c)
	}
	return nil
}

// ChurnRate returns the customer churn rate of the period, as a fraction (0.05
// means 5%):
//
//	ChurnRate = Lost / S = (S + N - E) / S
//
// It measures every customer lost in the period over those present at its
// start. Lost = S + N - E includes customers both acquired and lost within
// the period, whom S does not count, so when customers come and go in one
// period the rate mixes two populations and can exceed 1 (S = 2, N = 100,
// E = 91 gives 5.5). Hand-filled counts cannot say who left; for churn from
// the orders themselves, where a customer is counted at the start or not at
// all, use [CohortBuilder.Series] and [SeriesRow.ChurnRate], which never
// exceeds 1. Negative counts are
// ErrNegative, E > S + N is ErrInconsistent, S = 0 is ErrNoData. Exact to 16
// fractional digits.
func ChurnRate(c PeriodCounts) (decimal.Decimal, error) {
	if err := c.check(); err != nil {
		return decimal.Decimal{}, err
	}
	return ratio(c.Lost(), c.Start), nil
}

// RetentionRate returns the customer retention rate (CRR) of the period, as a
// fraction (0.9 means 90%):
//
//	CRR = (E - N) / S
//
// read as "customers kept at the end, excluding the new ones, over the
// customers at the start": of the E customers at the end, N arrived during
// the period, so E - N are those kept from the S at the start. The formula
// assumes every new customer is still there at the end; when E < N that
// cannot hold (some new customers left too, and E - N would count kept
// customers below zero), so it is ErrInconsistent rather than a negative
// rate. For 400 at the start, 60 new and 420 at the end, CRR = 360 / 400 =
// 0.9. Other errors as for [ChurnRate].
func RetentionRate(c PeriodCounts) (decimal.Decimal, error) {
	if err := c.check(); err != nil {
		return decimal.Decimal{}, err
	}
	if c.End < c.New {
		return decimal.Decimal{}, errorf(ErrInconsistent, "period counts %+v: End below New gives a negative retention rate", c)
	}
	return ratio(c.End-c.New, c.Start), nil
}

// powPrecision is the number of fractional digits kept by the intermediate
// products of CompoundRate, far beyond the 16 digits of the result.
const powPrecision = 40

// CompoundRate converts a per-period rate into the rate over several periods,
// assuming the same rate applies independently each period:
//
//	CompoundRate = 1 - (1 - rate)^periods
//
// For example 2% monthly churn is 1 - 0.98^12 = 21.53% annual churn, not 24%.
// rate is a fraction in [0, 1] and periods at least 1, else ErrOutOfRange.
// The result is a fraction rounded half away from zero to 16 fractional
// digits (intermediate powers carry 40).
func CompoundRate(rate decimal.Decimal, periods int) (decimal.Decimal, error) {
	if err := checkDecimal(rate, "rate"); err != nil {
		return decimal.Decimal{}, err
	}
	if rate.IsNegative() || rate.GreaterThan(one) {
		return decimal.Decimal{}, errorf(ErrOutOfRange, "rate %s not in [0, 1]", rate)
	}
	if periods < 1 {
		return decimal.Decimal{}, errorf(ErrOutOfRange, "periods %d below 1", periods)
	}
	// (1-rate)^periods by squaring; every factor is in [0, 1], so rounding
	// each product to 40 digits keeps the error far below 1e-16.
	base, result := one.Sub(rate), one
	for p := periods; p > 0; p >>= 1 {
		if p&1 == 1 {
			result = result.Mul(base).Round(powPrecision)
		}
		base = base.Mul(base).Round(powPrecision)
	}
	return one.Sub(result).Round(divPrecision), nil
}

// ExpectedLifetime returns the expected customer lifetime, in periods, for a
// constant per-period churn rate (the mean of a geometric distribution):
//
//	ExpectedLifetime = 1 / churn
//
// 5% monthly churn means 20 months. churnRate is a fraction in (0, 1], else
// ErrOutOfRange: at 0 the lifetime would be unbounded. Exact to 16 fractional
// digits.
func ExpectedLifetime(churnRate decimal.Decimal) (decimal.Decimal, error) {
	if err := checkDecimal(churnRate, "churn rate"); err != nil {
		return decimal.Decimal{}, err
	}
	if !churnRate.IsPositive() || churnRate.GreaterThan(one) {
		return decimal.Decimal{}, errorf(ErrOutOfRange, "churn rate %s not in (0, 1]", churnRate)
	}
	return div(one, churnRate), nil
}

// RevenueMovements are the recurring-revenue movements of one period, in
// one currency. Revenue retention measures the existing base, so its
// formulas use Start, Expansion, Contraction and Churned and leave the
// revenue of new and returning customers (New, Reactivation) out on
// purpose; [MRRRow.Movements] fills every field from data.
type RevenueMovements struct {
	Start        decimal.Decimal // recurring revenue at the start of the period
	Expansion    decimal.Decimal // upgrades of customers present at the start
	Contraction  decimal.Decimal // downgrades (a positive amount)
	Churned      decimal.Decimal // revenue of customers who left (a positive amount)
	New          decimal.Decimal // revenue of customers new in the period; not in retention
	Reactivation decimal.Decimal // revenue of customers who came back; not in retention
}

func (m RevenueMovements) check() error {
	if err := checkInputs("revenue movements", named{"Start", m.Start}, named{"Expansion", m.Expansion},
		named{"Contraction", m.Contraction}, named{"Churned", m.Churned}, named{"New", m.New},
		named{"Reactivation", m.Reactivation}); err != nil {
		return err
	}
	if m.Contraction.Add(m.Churned).GreaterThan(m.Start) {
		return errorf(ErrInconsistent, "revenue movements: Contraction %s + Churned %s exceed Start %s", m.Contraction, m.Churned, m.Start)
	}
	if m.Start.IsZero() {
		return errorf(ErrNoData, "revenue movements: Start is 0")
	}
	return nil
}

// GrossRevenueRetention returns the gross revenue retention (GRR) of the
// period, as a fraction in [0, 1]:
//
//	GRR = (Start - Contraction - Churned) / Start
//
// Expansion is ignored, so GRR never exceeds 1: it shows how much of the
// base holds up on its own. Negative fields are ErrNegative, Contraction +
// Churned > Start is ErrInconsistent, Start = 0 is ErrNoData.
func GrossRevenueRetention(m RevenueMovements) (decimal.Decimal, error) {
	if err := m.check(); err != nil {
		return decimal.Decimal{}, err
	}
	return div(m.Start.Sub(m.Contraction).Sub(m.Churned), m.Start), nil
}

// NetRevenueRetention returns the net revenue retention (NRR, also net dollar
// retention) of the period, as a fraction that may exceed 1:
//
//	NRR = (Start + Expansion - Contraction - Churned) / Start
//
// Above 1 (100%), the existing base grows even with no new customer. Errors
// as for [GrossRevenueRetention].
func NetRevenueRetention(m RevenueMovements) (decimal.Decimal, error) {
	if err := m.check(); err != nil {
		return decimal.Decimal{}, err
	}
	return div(m.Start.Add(m.Expansion).Sub(m.Contraction).Sub(m.Churned), m.Start), nil
}

// RevenueChurnRate returns the gross revenue churn rate of the period, as a
// fraction in [0, 1]:
//
//	RevenueChurnRate = (Contraction + Churned) / Start = 1 - GRR
//
// Errors as for [GrossRevenueRetention].
func RevenueChurnRate(m RevenueMovements) (decimal.Decimal, error) {
	if err := m.check(); err != nil {
		return decimal.Decimal{}, err
	}
	return div(m.Contraction.Add(m.Churned), m.Start), nil
}
