package cxmetrics

import (
	"math"

	"github.com/shopspring/decimal"
)

//go:generate sh -c "go run ./internal/iso4217gen ../shared/data/iso4217/list-one.2024-06-25.xml > iso4217.go"

// MinorUnits returns the number of decimal places of a currency's minor unit
// in ISO 4217 list one (edition of 2024-06-25, shipped in the package): 0
// for JPY, 2 for USD and EUR, 3 for BHD, 4 for CLF. Codes are upper case, as
// ISO 4217 writes them. An unknown code, and a code whose minor unit the list
// gives as N.A. (XAU, XDR and other funds and metals), is ErrUnknownCurrency.
func MinorUnits(currency string) (int32, error) {
	n, ok := iso4217MinorUnits[currency]
	if !ok {
		return 0, errorf(ErrUnknownCurrency, "currency %q is not in ISO 4217 list one of %s", currency, iso4217Published)
	}
	if n < 0 {
		return 0, errorf(ErrUnknownCurrency, "currency %q has no minor unit in ISO 4217", currency)
	}
	return int32(n), nil
}

// RoundMoney rounds amount to the minor unit of currency, half to even
// (banker's rounding, which does not bias sums of many rounded amounts):
// 2.345 USD is 2.34, 2.355 USD is 2.36, 1234.5 JPY is 1234. It is for display
// and for settling amounts; the package's own figures are never rounded. An
// unknown currency is ErrUnknownCurrency; an amount beyond the package's
// bounds on decimals ErrOutOfRange.
func RoundMoney(amount decimal.Decimal, currency string) (decimal.Decimal, error) {
	if err := checkDecimal(amount, "amount"); err != nil {
		return decimal.Decimal{}, err
	}
	places, err := MinorUnits(currency)
	if err != nil {
		return decimal.Decimal{}, err
	}
	return amount.RoundBank(places), nil
}

// Exact sums of money. Every accumulator keeps money the same way: as an
// int64 count of 10^-scale units while the amounts and the running total fit
// (no allocation per addition), and what does not fit (amounts with more than
// 18 digits, totals beyond int64) in an exact decimal beside it. The
// conversion lives in addUnits, the one place that decides what fits; a
// total is an exactSum, and the cohort builder's per-period cells keep bare
// int64 units at their customer's scale with a per-customer decimal side
// table (see cohortCell for why a cell is 12 bytes).

// exactSum is an exact sum of decimals. The zero value is 0.
type exactSum struct {
	units int64
	scale int32            // 0..18
	rest  *decimal.Decimal // amounts that did not fit in units; nil while none
}

var pow10 = func() (p [19]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// mulPow10 returns v * 10^k, or false if it overflows int64, k > 18 or
// k < 0.
func mulPow10(v int64, k int32) (int64, bool) {
	if k < 0 {
		return 0, false
	}
	if k == 0 {
		return v, true
	}
	if k > 18 {
		return 0, v == 0
	}
	p := pow10[k]
	if v > math.MaxInt64/p || v < math.MinInt64/p {
		return 0, false
	}
	return v * p, true
}

// scaleOf returns the number of fractional digits of d (0 for a positive
// exponent), or false if d cannot be held as int64 units at a scale <= 18.
func scaleOf(d decimal.Decimal) (int32, bool) {
	if d.NumDigits() > 18 {
		return 0, false
	}
	sc := -d.Exponent()
	if sc < 0 {
		sc = 0
	}
	return sc, sc <= 18
}

// addInt64 returns a + b, or false on overflow.
func addInt64(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

// addUnits adds d to *units, a count of 10^-scale units, if d has at most
// scale fractional digits and the sum fits; it reports whether it did, and
// leaves *units unchanged when not.
func addUnits(units *int64, scale int32, d decimal.Decimal) bool {
	sc, ok := scaleOf(d)
	if !ok || sc > scale {
		return false
	}
	u, ok := mulPow10(d.CoefficientInt64(), scale+d.Exponent())
	if !ok {
		return false
	}
	sum, ok := addInt64(*units, u)
	if ok {
		*units = sum
	}
	return ok
}

// add adds d to the sum exactly.
func (s *exactSum) add(d decimal.Decimal) {
	if sc, ok := scaleOf(d); ok && sc > s.scale {
		if u, ok := mulPow10(s.units, sc-s.scale); ok {
			s.units, s.scale = u, sc // the same value at a finer scale
		}
	}
	if !addUnits(&s.units, s.scale, d) {
		s.addRest(d)
	}
}

func (s *exactSum) addRest(d decimal.Decimal) {
	r := d
	if s.rest != nil {
		r = s.rest.Add(d)
	}
	s.rest = &r
}

// addScaled adds u × 10^-scale to the sum exactly, without building a
// decimal while the result fits.
func (s *exactSum) addScaled(u int64, scale int32) {
	if scale > s.scale {
		if v, ok := mulPow10(s.units, scale-s.scale); ok {
			s.units, s.scale = v, scale
		}
	}
	if v, ok := mulPow10(u, s.scale-scale); ok {
		if sum, ok := addInt64(s.units, v); ok {
			s.units = sum
			return
		}
	}
	s.addRest(decimal.New(u, -scale))
}

// addSum adds another sum to s exactly.
func (s *exactSum) addSum(o exactSum) {
	s.addScaled(o.units, o.scale)
	if o.rest != nil {
		s.add(*o.rest)
	}
}

// value returns the sum as a decimal.
func (s *exactSum) value() decimal.Decimal {
	v := decimal.New(s.units, -s.scale)
	if s.rest != nil {
		v = v.Add(*s.rest)
	}
	return v
}

// currencyGuard holds the one currency an accumulator accepts: the currency
// of the first record it saw. Accumulators that merge decide emptiness
// themselves: an empty one adopts the other's currency, a merge of an empty
// one changes nothing, and only two non-empty ones are compared.
type currencyGuard struct {
	code string
	set  bool
}

// check returns ErrUnknownCurrency for a first currency that is neither ""
// nor an ISO 4217 code with a minor unit, and ErrCurrencyMismatch for a
// currency other than the one accepted. what names the record; it is only
// called to build an error, so the common path does not allocate.
func (g *currencyGuard) check(code string, what func() string) error {
	if g.set {
		if code != g.code {
			return errorf(ErrCurrencyMismatch, "%s in %s among amounts in %s", what(), currencyName(code), currencyName(g.code))
		}
		return nil
	}
	if code != "" {
		if _, err := MinorUnits(code); err != nil {
			return errorf(ErrUnknownCurrency, "%s in %s: not an ISO 4217 code with a minor unit", what(), quote(code))
		}
	}
	return nil
}

// accept records the currency of a record that passed check.
func (g *currencyGuard) accept(code string) {
	g.code, g.set = code, true
}

// compatible returns ErrCurrencyMismatch if o holds another currency than g;
// both belong to non-empty accumulators.
func (g *currencyGuard) compatible(o currencyGuard) error {
	if g.set && o.set && g.code != o.code {
		return errorf(ErrCurrencyMismatch, "merging amounts in %s into amounts in %s", currencyName(o.code), currencyName(g.code))
	}
	return nil
}

// decoded returns the guard of a decoded accumulator, checking the code.
func decodedCurrency(code *string, what string) (currencyGuard, error) {
	if code == nil {
		return currencyGuard{}, nil
	}
	var g currencyGuard
	if err := g.check(*code, func() string { return what }); err != nil {
		return currencyGuard{}, err
	}
	g.accept(*code)
	return g, nil
}

func currencyName(code string) string {
	if code == "" {
		return `no currency ("")`
	}
	return quote(code)
}
