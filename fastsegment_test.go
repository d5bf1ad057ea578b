package cxmetrics

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
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
