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
// unknown currency is ErrUnknownCurrency.
func RoundMoney(amount decimal.Decimal, currency string) (decimal.Decimal, error) {
	places, err := MinorUnits(currency)
	if err != nil {
		return decimal.Decimal{}, err
	}
	return amount.RoundBank(places), nil
}

// exactSum is an exact sum of decimals. While every amount and the running
// total fit, it keeps the total as an int64 number of 10^-scale units, which
// costs no allocation per addition; the rest, if any, goes to a decimal.
// The zero value is 0.
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

// add adds d to the sum exactly.
func (s *exactSum) add(d decimal.Decimal) {
	if !s.addFast(d) {
		r := d
		if s.rest != nil {
			r = s.rest.Add(d)
		}
		s.rest = &r
	}
}

// addFast adds d to units if d and the result fit, reporting whether it did.
func (s *exactSum) addFast(d decimal.Decimal) bool {
	sc, ok := scaleOf(d)
	if !ok {
		return false
	}
	if sc > s.scale {
		u, ok := mulPow10(s.units, sc-s.scale)
		if !ok {
			return false
		}
		s.units, s.scale = u, sc // the same value at a finer scale
	}
	c, ok := unitsAt(d, s.scale)
	if !ok {
		return false
	}
	sum, ok := addInt64(s.units, c)
	if ok {
		s.units = sum
	}
	return ok
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

// unitsAt returns d as an int64 number of 10^-scale units, or false if that
// does not fit. d must have passed scaleOf with a result <= scale.
func unitsAt(d decimal.Decimal, scale int32) (int64, bool) {
	return mulPow10(d.CoefficientInt64(), scale+d.Exponent())
}

// addInt64 returns a + b, or false on overflow.
func addInt64(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

// addUnits adds u × 10^-scale to the sum exactly, without building a decimal
// while the result fits.
func (s *exactSum) addUnits(u int64, scale int32) {
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
	s.add(decimal.New(u, -scale))
}

// addSum adds another sum to s exactly.
func (s *exactSum) addSum(o exactSum) {
	s.addUnits(o.units, o.scale)
	if o.rest != nil {
		s.add(*o.rest)
	}
}

// value returns the sum as a decimal.
func (s exactSum) value() decimal.Decimal {
	v := decimal.New(s.units, -s.scale)
	if s.rest != nil {
		v = v.Add(*s.rest)
	}
	return v
}
