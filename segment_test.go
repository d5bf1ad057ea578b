package cxmetrics

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func decs(ss ...string) []decimal.Decimal {
	out := make([]decimal.Decimal, len(ss))
	for i, s := range ss {
		out[i] = dec(s)
	}
	return out
}

func TestAOVTierString(t *testing.T) {
	assert.Equal(t, "low", LowAOV.String())
	assert.Equal(t, "medium", MediumAOV.String())
	assert.Equal(t, "high", HighAOV.String())
	assert.Equal(t, "AOVTier(5)", AOVTier(5).String())
}

func TestTierThresholds(t *testing.T) {
	th := TierThresholds{Medium: dec("10"), High: dec("20")}
	require.NoError(t, th.Validate())
	for aov, want := range map[string]AOVTier{
		"-5": LowAOV, "0": LowAOV, "9.99": LowAOV, "10": MediumAOV, "19.99": MediumAOV, "20": HighAOV, "1000": HighAOV,
	} {
		assert.Equal(t, want, th.Tier(dec(aov)), aov)
	}
	same := TierThresholds{Medium: dec("10"), High: dec("10")}
	require.NoError(t, same.Validate())
	assert.Equal(t, HighAOV, same.Tier(dec("10")), "an empty medium tier")
	assert.Equal(t, LowAOV, same.Tier(dec("9")))
	err := TierThresholds{Medium: dec("20"), High: dec("10")}.Validate()
	require.ErrorIs(t, err, ErrInconsistent)
	assert.EqualError(t, err, "cxmetrics: AOV tier thresholds: Medium 20 above High 10: inconsistent")
}

func TestTercileThresholds(t *testing.T) {
	tests := []struct {
		name         string
		aovs         []string
		medium, high string
	}{
		// sorted 1..6: a[6/3] = a[2] = 3, a[12/3] = a[4] = 5
		{"six", []string{"5", "1", "3", "2", "4", "6"}, "3", "5"},
		{"one", []string{"7"}, "7", "7"},                 // a[0], a[0]
		{"two", []string{"4", "2"}, "2", "4"},            // a[0], a[1]
		{"three", []string{"3", "1", "2"}, "2", "3"},     // a[1], a[2]
		{"four", []string{"1", "2", "3", "4"}, "2", "3"}, // a[1], a[2]
		// ties: sorted 1 1 1 1 2 2: a[2] = 1, a[4] = 2: no low tier
		{"ties", []string{"2", "1", "1", "2", "1", "1"}, "1", "2"},
		{"all equal", []string{"5", "5", "5"}, "5", "5"},
		{"exact decimals", []string{"0.1", "0.10", "0.3", "0.2"}, "0.1", "0.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := decs(tt.aovs...)
			orig := decs(tt.aovs...)
			th, err := TercileThresholds(in)
			require.NoError(t, err)
			assertDecimal(t, tt.medium, th.Medium)
			assertDecimal(t, tt.high, th.High)
			for i := range in {
				assert.Equal(t, orig[i].String(), in[i].String(), "input not modified")
			}
		})
	}
	_, err := TercileThresholds(nil)
	assert.ErrorIs(t, err, ErrNoData)
}

func shopStats(t *testing.T) *OrderStats {
	var s OrderStats
	for _, o := range shopOrders() {
		require.NoError(t, s.Add(o))
	}
	return &s
}

func TestSegmentByAOV(t *testing.T) {
	// From shopOrders: a 25/2 = 12.5, b 30.5/1, c 9.99/2 = 4.995; d has no order.
	stats := shopStats(t)
	got, err := SegmentByAOV(stats, TierThresholds{Medium: dec("10"), High: dec("20")})
	require.NoError(t, err)
	want := []struct {
		id     string
		orders int64
		rev    string
		aov    string
		tier   AOVTier
	}{
		{"a", 2, "25", "12.5", MediumAOV},
		{"b", 1, "30.5", "30.5", HighAOV},
		{"c", 2, "9.99", "4.995", LowAOV},
	}
	require.Len(t, got, len(want))
	for i, w := range want {
		assert.Equal(t, w.id, got[i].CustomerID)
		assert.Equal(t, w.orders, got[i].Orders)
		assertDecimal(t, w.rev, got[i].Revenue, w.id)
		assertDecimal(t, w.aov, got[i].AOV, w.id)
		assert.Equal(t, w.tier, got[i].Tier, w.id)
	}
	_, err = SegmentByAOV(stats, TierThresholds{Medium: dec("2"), High: dec("1")})
	assert.ErrorIs(t, err, ErrInconsistent)
	empty, err := SegmentByAOV(&OrderStats{}, TierThresholds{})
	require.NoError(t, err)
	assert.Empty(t, empty)

	// Terciles of 4.995, 12.5, 30.5: Medium 12.5, High 30.5: one customer each.
	terc, th, err := SegmentByAOVTerciles(stats)
	require.NoError(t, err)
	assertDecimal(t, "12.5", th.Medium)
	assertDecimal(t, "30.5", th.High)
	assert.Equal(t, []AOVTier{MediumAOV, HighAOV, LowAOV}, []AOVTier{terc[0].Tier, terc[1].Tier, terc[2].Tier})
	_, _, err = SegmentByAOVTerciles(&OrderStats{})
	assert.ErrorIs(t, err, ErrNoData)

	sum := SummarizeTiers(terc)
	wantSum := []struct {
		customers, orders int64
		rev, aov          string
	}{
		{1, 2, "9.99", "4.995"}, // low: c
		{1, 2, "25", "12.5"},    // medium: a
		{1, 1, "30.5", "30.5"},  // high: b
	}
	for i, w := range wantSum {
		assert.Equal(t, AOVTier(i), sum[i].Tier)
		assert.Equal(t, w.customers, sum[i].Customers)
		assert.Equal(t, w.orders, sum[i].Orders)
		assertDecimal(t, w.rev, sum[i].Revenue)
		assertDecimal(t, w.aov, sum[i].AOV)
	}
}

func TestSummarizeTiers(t *testing.T) {
	// Two high customers: (100 + 50) / (3 + 2) = 30, not the mean of AOVs.
	got := SummarizeTiers([]CustomerTier{
		{CustomerID: "x", Orders: 3, Revenue: dec("100"), Tier: HighAOV},
		{CustomerID: "y", Orders: 2, Revenue: dec("50"), Tier: HighAOV},
		{CustomerID: "z", Orders: 1, Revenue: dec("1"), Tier: AOVTier(7)}, // ignored
	})
	assert.Equal(t, int64(2), got[HighAOV].Customers)
	assertDecimal(t, "30", got[HighAOV].AOV)
	assertDecimal(t, "150", got[HighAOV].Revenue)
	for _, tier := range []AOVTier{LowAOV, MediumAOV} {
		assert.Equal(t, tier, got[tier].Tier)
		assert.Zero(t, got[tier].Customers)
		assert.True(t, got[tier].AOV.IsZero())
		assert.True(t, got[tier].Revenue.IsZero())
	}
	empty := SummarizeTiers(nil)
	assert.Equal(t, HighAOV, empty[2].Tier)
}

// rfmStats: customers with last purchase, orders and revenue
//
//	p: Jun 1, 3 orders, 300    q: Mar 1, 1 order, 50
//	r: Jun 1, 2 orders, 120    s: Jan 15, 1 order, 500
//	t: refund only (left out)
func rfmStats(t *testing.T) *OrderStats {
	var s OrderStats
	for _, o := range []Order{
		order("", "p", "2024-02-01", "100"), order("", "p", "2024-05-01", "100"), order("", "p", "2024-06-01", "100"),
		order("", "q", "2024-03-01", "50"),
		order("", "r", "2024-04-01", "60"), order("", "r", "2024-06-01", "60"),
		order("", "s", "2024-01-15", "500"),
		order("", "t", "2024-02-01", "-10"),
	} {
		require.NoError(t, s.Add(o))
	}
	return &s
}

func TestRFM(t *testing.T) {
	stats := rfmStats(t)
	asOf := day("2024-07-01")
	tests := []struct {
		bins int
		want [][3]int // per customer p, q, r, s: R, F, M
	}{
		// n = 4, bins = 4: score = 1 + rank.
		// recency asc: s(0) q(1) p,r tie (2) -> s1 q2 p3 r3
		// frequency asc: q,s tie (0) r(2) p(3) -> q1 s1 r3 p4
		// monetary asc: q(0) r(1) p(2) s(3) -> 1 2 3 4
		{4, [][3]int{{3, 4, 3}, {2, 1, 1}, {3, 3, 2}, {1, 1, 4}}},
		// bins = 2: 1 + rank*2/4: ranks 0,1 -> 1; 2,3 -> 2
		{2, [][3]int{{2, 2, 2}, {1, 1, 1}, {2, 2, 1}, {1, 1, 2}}},
		// bins = 10: 1 + rank*10/4: ranks 0..3 -> 1, 3, 6, 8
		{10, [][3]int{{6, 8, 6}, {3, 1, 1}, {6, 6, 3}, {1, 1, 8}}},
	}
	for _, tt := range tests {
		got, err := RFM(stats, asOf, tt.bins)
		require.NoError(t, err)
		require.Len(t, got, 4)
		for i, id := range []string{"p", "q", "r", "s"} {
			assert.Equal(t, id, got[i].CustomerID)
			assert.Equal(t, tt.want[i], [3]int{got[i].RecencyScore, got[i].FrequencyScore, got[i].MonetaryScore}, "bins %d customer %s", tt.bins, id)
		}
	}
	got, err := RFM(stats, asOf, 4)
	require.NoError(t, err)
	assert.Equal(t, day("2024-06-01"), got[0].LastPurchase)
	assert.Equal(t, int64(3), got[0].Orders)
	assertDecimal(t, "300", got[0].Revenue)

	// The purchase date itself is allowed as asOf.
	_, err = RFM(stats, day("2024-06-01"), 4)
	require.NoError(t, err)
	_, err = RFM(stats, day("2024-05-31"), 4)
	assert.ErrorIs(t, err, ErrInconsistent)
	for _, bins := range []int{-1, 0, 1, 11} {
		_, err = RFM(stats, asOf, bins)
		assert.ErrorIs(t, err, ErrOutOfRange, "bins %d", bins)
	}
	_, err = RFM(&OrderStats{}, asOf, 5)
	assert.ErrorIs(t, err, ErrNoData)
}

func TestRFMSmall(t *testing.T) {
	mk := func(n int) *OrderStats {
		var s OrderStats
		for i := 0; i < n; i++ {
			// customer i: i+1 orders of 10*(i+1), last on day i
			for k := 0; k <= i; k++ {
				require.NoError(t, s.Add(Order{CustomerID: string(rune('a' + i)), Time: time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC), Amount: decimal.NewFromInt(int64(10 * (i + 1)))}))
			}
		}
		return &s
	}
	scores := func(n, bins int) []int {
		got, err := RFM(mk(n), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), bins)
		require.NoError(t, err)
		var out []int
		for _, g := range got {
			require.Equal(t, g.RecencyScore, g.FrequencyScore)
			require.Equal(t, g.RecencyScore, g.MonetaryScore)
			out = append(out, g.RecencyScore)
		}
		return out
	}
	assert.Equal(t, []int{1}, scores(1, 5))       // rank 0
	assert.Equal(t, []int{1, 6}, scores(2, 10))   // 1 + 1*10/2
	assert.Equal(t, []int{1, 2, 3}, scores(3, 3)) // 1 + rank
	assert.Equal(t, []int{1, 1, 2}, scores(3, 2)) // 1 + rank*2/3: 0, 0, 1
}
