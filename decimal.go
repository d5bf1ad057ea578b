package cxmetrics

import "github.com/shopspring/decimal"

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

// ratio returns num / den as a decimal fraction; den must not be zero.
func ratio(num, den int64) decimal.Decimal {
	return div(decimal.NewFromInt(num), decimal.NewFromInt(den))
}
