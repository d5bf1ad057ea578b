package cxmetrics

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The integer helpers against math/big: quotients rounded as DivRound
// rounds them, comparisons as exact rationals compare.
func TestFastSegmentMatchesDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	units := []int64{0, 1, -1, 5, -5, 15, 25, math.MaxInt64, math.MinInt64 + 1, math.MinInt64, 999999999999999999, -123456789}
	for range 2000 {
		units = append(units, r.Int64()>>r.IntN(63)*int64(1-2*r.IntN(2)))
	}
	counts := []int64{1, 2, 3, 6, 7, 9, 1 << 40, math.MaxInt64}
	for range 50 {
		counts = append(counts, 1+r.Int64N(1<<uint(1+r.IntN(62))))
	}
	for _, u := range units {
		for _, n := range counts[:10+r.IntN(len(counts)-10)] {
			for _, scale := range []int32{0, 2, 7, 16, 18} {
				got, ok := quotientUnits(u, scale, n)
				want := div(decimal.New(u, -scale), decimal.NewFromInt(n))
				if !ok {
					continue
				}
				require.True(t, want.Equal(got), "%d×10^-%d / %d: %s, want %s", u, scale, n, got, want)
			}
		}
	}
	for range 20000 {
		a, b := units[r.IntN(len(units))], counts[r.IntN(len(counts))]
		c, d := units[r.IntN(len(units))], counts[r.IntN(len(counts))]
		if r.IntN(4) == 0 { // equal quotients in other terms
			k := int64(1 + r.IntN(3))
			if a > math.MinInt64/4 && a < math.MaxInt64/4 && b < math.MaxInt64/4 {
				c, d = a*k, b*k
			}
		}
		want := new(big.Rat).SetFrac64(a, b).Cmp(new(big.Rat).SetFrac64(c, d))
		require.Equal(t, want, cmpQuotients(a, b, c, d), "%d/%d vs %d/%d", a, b, c, d)
	}
}

// Property: on random customers, with revenues that fit int64 units and
// revenues that do not, SegmentByAOVTerciles and RFM give what their
// definitions give, worked out with decimals and by counting.
func TestCustomerFiguresMatchDefinitions(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for trial := range 40 {
		var s OrderStats
		customers := 1 + r.IntN(60)
		for range 1 + r.IntN(300) {
			amount := decimal.New(int64(r.IntN(5000))-200, -int32(r.IntN(4)))
			if trial%5 == 0 && r.IntN(10) == 0 {
				amount = decimal.RequireFromString("123456789012345678901.5")
			}
			if r.IntN(8) == 0 {
				amount = decimal.New(int64(r.IntN(3)), 0) // ties
			}
			o := Order{CustomerID: fmt.Sprintf("c%d", r.IntN(customers)), Time: base.Add(time.Duration(r.IntN(100)) * time.Hour), Amount: amount}
			require.NoError(t, s.Add(o))
		}
		var want []CustomerTier
		for _, c := range s.Summaries() {
			if c.Orders > 0 {
				want = append(want, CustomerTier{CustomerID: c.CustomerID, Orders: c.Orders, Revenue: c.Revenue, AOV: c.Revenue.DivRound(decimal.NewFromInt(c.Orders), 16)})
			}
		}
		got, th, err := SegmentByAOVTerciles(&s)
		if len(want) == 0 {
			require.ErrorIs(t, err, ErrNoData)
			continue
		}
		require.NoError(t, err)
		// The thresholds are the AOVs at n/3 and 2n/3 in ascending order:
		// count, for each, the customers below and at it.
		n := len(want)
		at := func(v decimal.Decimal, k int) bool {
			below, equal := 0, 0
			for _, c := range want {
				switch c.AOV.Cmp(v) {
				case -1:
					below++
				case 0:
					equal++
				}
			}
			return below <= k && k < below+equal
		}
		assert.True(t, at(th.Medium, n/3), "medium threshold %s", th.Medium)
		assert.True(t, at(th.High, 2*n/3), "high threshold %s", th.High)
		require.Len(t, got, n)
		for i, c := range want {
			assert.Equal(t, c.CustomerID, got[i].CustomerID)
			assert.True(t, c.AOV.Equal(got[i].AOV), "%s: AOV %s, want %s", c.CustomerID, got[i].AOV, c.AOV)
			tier := LowAOV
			if c.AOV.Cmp(th.High) >= 0 {
				tier = HighAOV
			} else if c.AOV.Cmp(th.Medium) >= 0 {
				tier = MediumAOV
			}
			assert.Equal(t, tier, got[i].Tier, c.CustomerID)
		}

		const bins = 4
		scores, err := RFM(&s, base.Add(1000*time.Hour), bins)
		require.NoError(t, err)
		sums := s.Summaries()
		var buyers []CustomerSummary
		for _, c := range sums {
			if c.Orders > 0 {
				buyers = append(buyers, c)
			}
		}
		require.Len(t, scores, len(buyers))
		score := func(below int) int { return 1 + below*bins/len(buyers) }
		for i, c := range buyers {
			var rb, fb, mb int
			for _, o := range buyers {
				if o.Last.Before(c.Last) {
					rb++
				}
				if o.Orders < c.Orders {
					fb++
				}
				if o.Revenue.LessThan(c.Revenue) {
					mb++
				}
			}
			assert.Equal(t, [3]int{score(rb), score(fb), score(mb)}, [3]int{scores[i].RecencyScore, scores[i].FrequencyScore, scores[i].MonetaryScore}, c.CustomerID)
		}
	}
}

// Property: SummarizeAOVTerciles gives, for random customers, what its
// definition gives worked out with decimals (every AOV divided and rounded,
// sorted, tiers summed with exact decimal additions), and what
// SegmentByAOVTerciles and SummarizeTiers give, value and representation:
// with ties, refunds larger than the orders, amounts of up to 18
// fractional digits whose AOVs differ beyond the 16th digit only, and
// amounts that do not fit int64 units (the decimal way).
func TestSummarizeAOVTercilesMatchesList(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	amount := func(trial int) decimal.Decimal {
		switch k := r.IntN(20); {
		case k < 3:
			return decimal.New(int64(r.IntN(3)), 0) // ties
		case k == 3:
			return decimal.New(-int64(r.IntN(900)), -1) // refunds
		case k == 4 && trial%3 == 0:
			// AOVs equal to 16 digits: 1/3 and 0.33333333333333333.
			return decimal.RequireFromString([]string{"1", "0.33333333333333333", "0.33333333333333331", "2"}[r.IntN(4)])
		case k == 5 && trial%7 == 0:
			return decimal.RequireFromString("123456789012345678901.5") // beyond int64 units
		case trial%5 == 1:
			// AOVs in the thousands and millions: past 922.34, counts of
			// 10^-16 no longer fit int64.
			return decimal.New(int64(r.IntN(5_000_000_000))-50_000_000, -int32(r.IntN(3)))
		}
		return decimal.New(int64(r.IntN(50000))-500, -int32(r.IntN(5)))
	}
	for trial := range 60 {
		var s OrderStats
		customers := 1 + r.IntN([]int{5, 60, 3000}[trial%3])
		for range 1 + r.IntN(4*customers) {
			o := Order{CustomerID: fmt.Sprintf("c%d", r.IntN(customers)), Time: base.Add(time.Duration(r.IntN(100)) * time.Hour), Amount: amount(trial)}
			require.NoError(t, s.Add(o))
		}

		// The definition, with decimals.
		var aovs []decimal.Decimal
		var buyers []CustomerSummary
		for _, c := range s.Summaries() {
			if c.Orders > 0 {
				buyers = append(buyers, c)
				aovs = append(aovs, c.Revenue.DivRound(decimal.NewFromInt(c.Orders), 16))
			}
		}
		got, th, err := SummarizeAOVTerciles(&s)
		if trial%3 != 0 && trial%7 != 0 && len(buyers) > 0 {
			// Amounts of at most 4 decimals, none beyond int64 units: the
			// integer way is taken, whatever the size of the AOVs.
			_, _, fast := summarizeTercileUnits(&s)
			assert.True(t, fast, "trial %d: the integer way", trial)
		}
		if len(buyers) == 0 {
			require.ErrorIs(t, err, ErrNoData)
			continue
		}
		require.NoError(t, err)
		sorted := slices.Clone(aovs)
		slices.SortFunc(sorted, decimal.Decimal.Cmp)
		n := len(sorted)
		assert.True(t, sorted[n/3].Equal(th.Medium), "trial %d: medium %s, want %s", trial, th.Medium, sorted[n/3])
		assert.True(t, sorted[2*n/3].Equal(th.High), "trial %d: high %s, want %s", trial, th.High, sorted[2*n/3])
		var want [3]TierSummary
		for i, c := range buyers {
			tier := LowAOV
			if aovs[i].Cmp(sorted[2*n/3]) >= 0 {
				tier = HighAOV
			} else if aovs[i].Cmp(sorted[n/3]) >= 0 {
				tier = MediumAOV
			}
			want[tier].Customers++
			want[tier].Orders += c.Orders
			want[tier].Revenue = want[tier].Revenue.Add(c.Revenue)
		}
		for i := range want {
			want[i].Tier = AOVTier(i)
			if want[i].Orders > 0 {
				want[i].AOV = want[i].Revenue.DivRound(decimal.NewFromInt(want[i].Orders), 16)
			}
		}
		list, listTh, err := SegmentByAOVTerciles(&s)
		require.NoError(t, err)
		assertSameTiers(t, listTh, SummarizeTiers(list), th, got, fmt.Sprintf("trial %d", trial))
		for i := range want {
			assert.Equal(t, want[i].Customers, got[i].Customers, "trial %d tier %d", trial, i)
			assert.Equal(t, want[i].Orders, got[i].Orders, "trial %d tier %d", trial, i)
			assert.Equal(t, want[i].Revenue.String(), got[i].Revenue.String(), "trial %d tier %d", trial, i)
			assert.True(t, want[i].AOV.Equal(got[i].AOV), "trial %d tier %d: AOV %s, want %s", trial, i, got[i].AOV, want[i].AOV)
		}
	}
}

// The selection puts the key a sort puts at k there, everything before it
// no greater and everything after no less, on inputs that defeat simple
// pivots: sorted, reversed, all equal, organ pipes, few distinct keys.
func TestNthTercileCustomer(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	key := func(v int64) orderedKey { return keyOf(int128{neg: v < 0, lo: uint64(max(v, -v))}) }
	shapes := map[string]func(i, n int) int64{
		"sorted":    func(i, n int) int64 { return int64(i) },
		"reversed":  func(i, n int) int64 { return int64(n - i) },
		"equal":     func(i, n int) int64 { return 7 },
		"organ":     func(i, n int) int64 { return int64(min(i, n-i)) },
		"few":       func(i, n int) int64 { return int64(r.IntN(3)) - 1 },
		"random":    func(i, n int) int64 { return r.Int64N(1<<40) - 1<<39 },
		"alternate": func(i, n int) int64 { return int64(i%2) * int64(i) },
	}
	for name, shape := range shapes {
		for _, n := range []int{1, 2, 17, 100, 5000} {
			cs := make([]tercileCustomer, n)
			for i := range cs {
				cs[i].key = key(shape(i, n))
			}
			want := slices.Clone(cs)
			slices.SortFunc(want, func(a, b tercileCustomer) int { return a.key.cmp(b.key) })
			for _, k := range []int{0, n / 3, 2 * n / 3, n - 1} {
				got := slices.Clone(cs)
				nthTercileCustomer(got, k)
				require.Equal(t, want[k].key, got[k].key, "%s n=%d k=%d", name, n, k)
				for i := range got {
					c := got[i].key.cmp(got[k].key)
					require.True(t, i < k && c <= 0 || i > k && c >= 0 || i == k, "%s n=%d k=%d: position %d out of place", name, n, k, i)
				}
			}
		}
	}
	// The keys order signed 128-bit values, and give them back.
	vals := []int128{
		{neg: true, hi: 1 << 62, lo: 7}, {neg: true, hi: 1}, {neg: true, lo: math.MaxUint64},
		{neg: true, lo: 5}, {neg: true, lo: 1}, {}, {lo: 1}, {lo: 5}, {lo: math.MaxUint64}, {hi: 1}, {hi: 1 << 62, lo: 7},
	}
	for i, v := range vals {
		assert.Equal(t, v, keyOf(v).value(), "value %d back from its key", i)
		if i > 0 {
			assert.Equal(t, -1, keyOf(vals[i-1]).cmp(keyOf(v)), "value %d < value %d", i-1, i)
		}
	}
}

// assertSameTiers checks that two tier summaries and their thresholds are
// the same figures, written the same way: equal counts, and decimals equal
// in value and in their text (their exponents), whatever the math/big
// values behind them (a quotient of DivRound and one of decimal.New hold a
// zero differently).
func assertSameTiers(t *testing.T, wantTh TierThresholds, want [3]TierSummary, gotTh TierThresholds, got [3]TierSummary, msg string) {
	t.Helper()
	same := func(what string, a, b decimal.Decimal) {
		t.Helper()
		assert.True(t, a.Equal(b) && a.String() == b.String() && a.Exponent() == b.Exponent(), "%s: %s %s (exponent %d), want %s (exponent %d)", msg, what, b, b.Exponent(), a, a.Exponent())
	}
	same("medium threshold", wantTh.Medium, gotTh.Medium)
	same("high threshold", wantTh.High, gotTh.High)
	for i := range want {
		assert.Equal(t, want[i].Tier, got[i].Tier, msg)
		assert.Equal(t, want[i].Customers, got[i].Customers, "%s: tier %d customers", msg, i)
		assert.Equal(t, want[i].Orders, got[i].Orders, "%s: tier %d orders", msg, i)
		same(fmt.Sprintf("tier %d revenue", i), want[i].Revenue, got[i].Revenue)
		same(fmt.Sprintf("tier %d AOV", i), want[i].AOV, got[i].AOV)
	}
}
