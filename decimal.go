package cxmetrics

import (
	"cmp"
	"strconv"

	"github.com/shopspring/decimal"
)

// divPrecision is the number of fractional digits every quotient carries. It
// equals shopspring's default DivisionPrecision, but the package passes it to
// DivRound explicitly, so a program that changes that global setting does not
// change the figures this package returns.
const divPrecision = 16

var (
	one     = decimal.NewFromInt(1)
	hundred = decimal.NewFromInt(100)
)

// div returns a / b rounded half away from zero to 16 fractional digits,
// exactly like shopspring's Div with its default precision. b must not be
// zero; callers check first and return ErrNoData.
func div(a, b decimal.Decimal) decimal.Decimal {
	return a.DivRound(b, divPrecision)
}

// share returns num / den like ratio, or ErrNoData described by what when
// den is zero.
func share(num, den int64, what string) (decimal.Decimal, error) {
	if den == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "%s", what)
	}
	return ratio(num, den), nil
}

// ratio returns num / den as a decimal fraction; den must not be zero.
func ratio(num, den int64) decimal.Decimal {
	return div(decimal.NewFromInt(num), decimal.NewFromInt(den))
}

// Bounds on decimals. Exact arithmetic costs time and memory in proportion
// to a value's digits and to the spread of the exponents it meets: a weight
// of 1e1073741824 would take minutes to add and a 4-million-digit amount
// seconds to parse. So every decimal a caller passes in (an amount, a weight,
// a rate) must have at most MaxDigits significant digits and an exponent
// within ±MaxExponent, else ErrOutOfRange; every value the package derives
// from such inputs (sums, products) stays within bounds that its decoders
// check in turn, so nothing an encoder writes is refused by a decoder.
//
// The bounds are on the value, not on how it is written: a non-zero value
// is c × 10^e with an integer c that does not end in zero, and c must have
// at most MaxDigits digits and e lie within ±MaxExponent. So 1e1000,
// 10e999 and 1000e997 are the same, accepted value, and 10000000e999
// (1e1006) is refused however it is written. Zero is accepted when its
// written exponent is within ±MaxExponent. A value written with more than
// 2×MaxExponent+MaxDigits digits is refused without looking further.
const (
	// MaxDigits is the most significant digits of one decimal passed in.
	MaxDigits = 40
	// MaxExponent bounds the exponent of one decimal passed in: 1e1000 and
	// 1e-1000 are the extremes.
	MaxExponent = 1000
)

// sumHeadroom is how many digits a sum of up to 2^63 values can gain over
// its largest term.
const sumHeadroom = 19

// maxWrittenDigits is the longest coefficient checkDecimal strips of
// trailing zeros: longer ones cannot be an accepted value written with no
// more zeros than the span of exponents.
const maxWrittenDigits = 2*MaxExponent + MaxDigits

// checkDecimal returns ErrOutOfRange unless d is within the bounds above:
// written without trailing zeros, at most MaxDigits significant digits and
// an exponent within ±MaxExponent. what names the value in the message.
func checkDecimal(d decimal.Decimal, what string) error {
	if inBounds(d) {
		return nil
	}
	if d.IsZero() {
		if e := d.Exponent(); e > MaxExponent || e < -MaxExponent {
			return errorf(ErrOutOfRange, "%s 0 is written with an exponent beyond ±%d", what, MaxExponent)
		}
		return nil
	}
	if n := approxDigits(d); n > maxWrittenDigits && (n > maxWrittenDigits+1 || d.NumDigits() > maxWrittenDigits) {
		return errorf(ErrOutOfRange, "%s %s is written with more than %d digits", what, shortDecimal(d), maxWrittenDigits)
	}
	c, e := canonical(d)
	if e > MaxExponent || e < -MaxExponent {
		return errorf(ErrOutOfRange, "%s %s has an exponent beyond ±%d", what, shortDecimal(d), MaxExponent)
	}
	if n := decimal.NewFromBigInt(c, 0).NumDigits(); n > MaxDigits {
		return errorf(ErrOutOfRange, "%s %s has more than %d significant digits", what, shortDecimal(d), MaxDigits)
	}
	return nil
}

// inBounds is the allocation-free fast path of checkDecimal: it reports
// whether d certainly passes. Written with n digits and exponent e, d's
// value has an exponent between e and e+n-1.
func inBounds(d decimal.Decimal) bool {
	e, n := int64(d.Exponent()), int64(d.NumDigits())
	return e >= -MaxExponent && e+n-1 <= MaxExponent && n <= MaxDigits
}

// checkDerived returns ErrOutOfRange unless d could be a sum of decimals that
// passed checkDecimal (power 1) or a sum of their squares (power 2): its
// exponent, written without trailing zeros, at least -power×MaxExponent and
// its magnitude below 10^(power×(MaxExponent+MaxDigits)+sumHeadroom).
// Decoders use it on stored sums, CombineLines on the sum of two amounts.
// A value written with more than power×(2×maxWrittenDigits+sumHeadroom)
// digits, more than such a sum can have, is refused without looking
// further.
func checkDerived(d decimal.Decimal, power int64, what string) error {
	if d.IsZero() {
		return nil
	}
	e, n := int64(d.Exponent()), int64(approxDigits(d))
	beyond := e+n > power*(MaxExponent+MaxDigits)+sumHeadroom
	if !beyond && e < -power*MaxExponent {
		// Written finer than the bound: the value may still be within it
		// (a sum of amounts written with trailing zeros).
		beyond = n > power*(2*maxWrittenDigits+sumHeadroom)
		if !beyond {
			_, ce := canonical(d)
			beyond = int64(ce) < -power*MaxExponent
		}
	}
	if beyond {
		return errorf(ErrOutOfRange, "%s %s is beyond what the package's inputs can add up to", what, shortDecimal(d))
	}
	return nil
}

// approxDigits returns the number of digits of d's coefficient, or one
// more, without the cost of NumDigits on a huge value.
func approxDigits(d decimal.Decimal) int {
	c := d.Coefficient()
	if c.IsInt64() {
		return d.NumDigits()
	}
	return c.BitLen()*1233>>12 + 1
}

// shortDecimal renders d for a message without printing thousands of
// digits: plainly when that is short, as coefficient and exponent when the
// coefficient is short, and by its size otherwise.
func shortDecimal(d decimal.Decimal) string {
	n, e := approxDigits(d), int(d.Exponent())
	switch {
	case n <= MaxDigits && e >= -30 && e <= 30:
		return d.String()
	case n <= MaxDigits:
		return d.Coefficient().String() + "e" + strconv.Itoa(e)
	}
	return "(a decimal of " + strconv.Itoa(n) + " digits, exponent " + strconv.Itoa(e) + ")"
}

// compareDecimals compares a and b like Cmp, in time bounded by their
// digits whatever their exponents: Cmp aligns exponents first, which for
// 1e1073741824 against 1 builds a billion-digit number. Values of
// different orders of magnitude are ordered without aligning.
func compareDecimals(a, b decimal.Decimal) int {
	sa, sb := a.Sign(), b.Sign()
	if sa != sb || sa == 0 {
		return cmp.Compare(sa, sb)
	}
	// Same sign, both non-zero: the order of magnitude is exponent + digits.
	ma := int64(a.Exponent()) + int64(approxDigits(a))
	mb := int64(b.Exponent()) + int64(approxDigits(b))
	if ma > mb+1 || mb > ma+1 { // approxDigits may be one over
		return cmp.Compare(ma, mb) * sa
	}
	return a.Cmp(b)
}
