package cxmetrics

import (
	"cmp"
	"math"
	"math/big"
	"math/bits"

	"github.com/shopspring/decimal"
)

// The figures that rank every customer (AOV terciles, RFM) sort a million
// values at a time. Decimals compare through math/big, and an AOV is a
// division rounded by math/big: a second or more at that size. When every
// revenue fits in int64 units at one scale, which is nearly always, these
// helpers do the same work in integer arithmetic: exact comparisons of
// quotients by 128-bit cross-multiplication, and quotients rounded as
// DivRound rounds them (TestFastSegmentMatchesDecimal checks both against
// the decimal way). Anything that does not fit takes the decimal way.

// commonUnits returns the values as int64 counts of 10^-scale, one scale
// for all, or false when one of them does not fit.
func commonUnits(vals []decimal.Decimal) ([]int64, int32, bool) {
	var scale int32
	for _, v := range vals {
		sc, ok := scaleOf(v)
		if !ok {
			return nil, 0, false
		}
		scale = max(scale, sc)
	}
	out := make([]int64, len(vals))
	for i, v := range vals {
		u, ok := mulPow10(v.CoefficientInt64(), scale+v.Exponent())
		if !ok {
			return nil, 0, false
		}
		out[i] = u
	}
	return out, scale, true
}

// cmpQuotients compares a/b with c/d exactly, for b, d > 0.
func cmpQuotients(a, b, c, d int64) int {
	return cmpInt128(mul128(a, d), mul128(c, b))
}

// int128 is a signed 128-bit integer: a sign and a magnitude.
type int128 struct {
	neg    bool
	hi, lo uint64
}

func mul128(x, y int64) int128 {
	hi, lo := bits.Mul64(absU64(x), absU64(y))
	return int128{neg: (x < 0) != (y < 0) && (hi|lo) != 0, hi: hi, lo: lo}
}

func absU64(x int64) uint64 {
	if x < 0 {
		return uint64(-(x + 1)) + 1 // no overflow at math.MinInt64
	}
	return uint64(x)
}

func cmpInt128(a, b int128) int {
	switch {
	case a.neg && !b.neg:
		return -1
	case !a.neg && b.neg:
		return 1
	}
	m := cmp.Compare(a.hi, b.hi)
	if m == 0 {
		m = cmp.Compare(a.lo, b.lo)
	}
	if a.neg {
		return -m
	}
	return m
}

// quotientUnits returns u×10^-scale / n rounded half away from zero to
// divPrecision digits, as div does, or false when the numerator or the
// denominator does not fit the 128-bit and 64-bit arithmetic. n > 0.
func quotientUnits(u int64, scale int32, n int64) (decimal.Decimal, bool) {
	num, den := absU64(u), uint64(n)
	var hi uint64
	if k := divPrecision - scale; k >= 0 {
		if k > 18 {
			return decimal.Decimal{}, false
		}
		hi, num = bits.Mul64(num, uint64(pow10[k]))
	} else {
		if -k > 18 {
			return decimal.Decimal{}, false
		}
		h, l := bits.Mul64(den, uint64(pow10[-k]))
		if h != 0 {
			return decimal.Decimal{}, false
		}
		den = l
	}
	q1, r1 := hi/den, hi%den
	q0, r := bits.Div64(r1, num, den)
	if r >= den-r { // 2r >= den: half or more rounds away from zero
		var carry uint64
		q0, carry = bits.Add64(q0, 1, 0)
		q1 += carry
	}
	if q1 == 0 && q0 <= math.MaxInt64 {
		v := int64(q0)
		if u < 0 {
			v = -v
		}
		return decimal.New(v, -divPrecision), true
	}
	b := new(big.Int).SetUint64(q1)
	b.Lsh(b, 64).Or(b, new(big.Int).SetUint64(q0))
	if u < 0 {
		b.Neg(b)
	}
	return decimal.NewFromBigInt(b, -divPrecision), true
}
