package cxmetrics

import (
	"cmp"
	"math"
	"math/big"
	"math/bits"
	"slices"

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
	q, ok := roundedQuotient(u, scale, n)
	if !ok {
		return decimal.Decimal{}, false
	}
	return q.quotient(), true
}

// quotient returns x × 10^-divPrecision as a decimal.
func (x int128) quotient() decimal.Decimal {
	if v, ok := x.int64(); ok {
		return decimal.New(v, -divPrecision)
	}
	b := new(big.Int).SetUint64(x.hi)
	b.Lsh(b, 64).Or(b, new(big.Int).SetUint64(x.lo))
	if x.neg {
		b.Neg(b)
	}
	return decimal.NewFromBigInt(b, -divPrecision)
}

// roundedQuotient is quotientUnits' quotient as a count of 10^-divPrecision.
func roundedQuotient(u int64, scale int32, n int64) (int128, bool) {
	num, den := absU64(u), uint64(n)
	var hi uint64
	if k := divPrecision - scale; k >= 0 {
		if k > 18 {
			return int128{}, false
		}
		hi, num = bits.Mul64(num, uint64(pow10[k]))
	} else {
		if -k > 18 {
			return int128{}, false
		}
		h, l := bits.Mul64(den, uint64(pow10[-k]))
		if h != 0 {
			return int128{}, false
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
	return int128{neg: u < 0 && (q1|q0) != 0, hi: q1, lo: q0}, true
}

// int64 returns x as an int64, or false when it does not fit.
func (x int128) int64() (int64, bool) {
	if x.hi != 0 || x.lo > math.MaxInt64 {
		return 0, false
	}
	if x.neg {
		return -int64(x.lo), true
	}
	return int64(x.lo), true
}

// tercileCustomer is a customer of summarizeTercileUnits: its AOV rounded
// to divPrecision digits as an ordered key, its revenue in units of the
// common scale, its orders and the scale of its own revenue.
type tercileCustomer struct {
	key    orderedKey
	units  int64
	orders int64
	scale  int32
}

// orderedKey is a signed 128-bit integer offset by 2^127, so that unsigned
// comparison of (hi, lo) orders the values.
type orderedKey struct{ hi, lo uint64 }

func keyOf(x int128) orderedKey {
	if !x.neg {
		return orderedKey{hi: x.hi | 1<<63, lo: x.lo}
	}
	hi, lo := below127(x.hi, x.lo)
	return orderedKey{hi: hi, lo: lo}
}

// value is the inverse of keyOf.
func (k orderedKey) value() int128 {
	if k.hi >= 1<<63 {
		return int128{hi: k.hi &^ (1 << 63), lo: k.lo}
	}
	hi, lo := below127(k.hi, k.lo)
	return int128{neg: true, hi: hi, lo: lo}
}

// below127 returns 2^127 - (hi×2^64 + lo): a negative value's key from its
// magnitude, and back, since it is its own inverse.
func below127(hi, lo uint64) (uint64, uint64) {
	lo, borrow := bits.Sub64(0, lo, 0)
	hi, _ = bits.Sub64(1<<63, hi, borrow)
	return hi, lo
}

func (a orderedKey) cmp(b orderedKey) int {
	if c := cmp.Compare(a.hi, b.hi); c != 0 {
		return c
	}
	return cmp.Compare(a.lo, b.lo)
}

// summarizeTercileUnits is SummarizeAOVTerciles in integers, or false when
// a revenue, an AOV or a tier's sum does not fit them, or no customer has
// an order.
func summarizeTercileUnits(stats *OrderStats) ([3]TierSummary, TierThresholds, bool) {
	stats.flush()
	var scale int32
	n := 0
	ok := true
	stats.customers.each(func(_ int32, c *customerStats) {
		if c.orders > 0 {
			n++
			scale = max(scale, c.revenue.scale)
			ok = ok && c.revenue.rest == nil
		}
	})
	if !ok || n == 0 {
		return [3]TierSummary{}, TierThresholds{}, false
	}
	cs := make([]tercileCustomer, 0, n)
	stats.customers.each(func(_ int32, c *customerStats) {
		if c.orders == 0 || !ok {
			return
		}
		u, fits := mulPow10(c.revenue.units, scale-c.revenue.scale)
		q, rounded := roundedQuotient(u, scale, c.orders)
		if ok = fits && rounded; ok {
			cs = append(cs, tercileCustomer{key: keyOf(q), units: u, orders: c.orders, scale: c.revenue.scale})
		}
	})
	if !ok {
		return [3]TierSummary{}, TierThresholds{}, false
	}
	// The AOVs are rounded before they are ranked, as the decimal way ranks
	// rounded AOVs: rounding never reverses an order, so the rank is the
	// same either way.
	nthTercileCustomer(cs, n/3)
	medium := cs[n/3].key
	nthTercileCustomer(cs[n/3:], 2*n/3-n/3)
	high := cs[2*n/3].key
	// Counts of 10^-16 pass int64 at an AOV of about 922.34: the
	// thresholds are written as quotientUnits writes AOVs, through
	// math/big past that.
	th := TierThresholds{Medium: medium.value().quotient(), High: high.value().quotient()}
	var sums [3]struct {
		customers, orders, units int64
		scale                    int32
	}
	for i := range cs {
		c := &cs[i]
		tier := LowAOV
		if c.key.cmp(high) >= 0 {
			tier = HighAOV
		} else if c.key.cmp(medium) >= 0 {
			tier = MediumAOV
		}
		s := &sums[tier]
		var fits bool
		if s.units, fits = addInt64(s.units, c.units); !fits {
			return [3]TierSummary{}, TierThresholds{}, false
		}
		s.customers++
		s.orders += c.orders // at most stats' orders: no overflow
		s.scale = max(s.scale, c.scale)
	}
	var out [3]TierSummary
	for i, s := range sums {
		out[i].Tier = AOVTier(i)
		if s.customers == 0 {
			continue
		}
		out[i].Customers, out[i].Orders = s.customers, s.orders
		// The sum is in units of the common scale; written at the tier's
		// largest scale, as a decimal sum of the customers' revenues is.
		out[i].Revenue = decimal.New(s.units/pow10[scale-s.scale], -s.scale)
		if s.orders > 0 {
			out[i].AOV = div(out[i].Revenue, decimal.NewFromInt(s.orders))
		}
	}
	return out, th, true
}

// nthTercileCustomer reorders cs so that cs[k] holds the customer a sort by
// key would put there, with no greater key before it and no smaller key
// after it: a selection with three-way partitions (AOVs tie often) in
// expected linear time, that sorts what is left once its depth passes
// twice the bits of len(cs), so that no input makes it quadratic.
func nthTercileCustomer(cs []tercileCustomer, k int) {
	byKey := func(a, b tercileCustomer) int { return a.key.cmp(b.key) }
	lo, hi := 0, len(cs)
	for depth := 2 * bits.Len(uint(len(cs))); hi-lo > 16 && depth > 0; depth-- {
		a := cs[lo:hi]
		m := len(a) / 2
		// The median of the first, middle and last keys.
		x, y, z := a[0].key, a[m].key, a[len(a)-1].key
		p := z
		switch {
		case (x.cmp(y) <= 0) == (y.cmp(z) <= 0):
			p = y
		case (y.cmp(x) <= 0) == (x.cmp(z) <= 0):
			p = x
		}
		// a[:lt] < p, a[lt:i] == p, a[gt:] > p.
		lt, i, gt := 0, 0, len(a)
		for i < gt {
			switch a[i].key.cmp(p) {
			case -1:
				a[lt], a[i] = a[i], a[lt]
				lt++
				i++
			case 1:
				gt--
				a[i], a[gt] = a[gt], a[i]
			default:
				i++
			}
		}
		switch {
		case k-lo < lt:
			hi = lo + lt
		case k-lo >= gt:
			lo += gt
		default:
			return
		}
	}
	slices.SortFunc(cs[lo:hi], byKey)
}
