package cxmetrics

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// AOVTier is a customer's average-order-value segment. Practitioners split
// customers into low, medium and high AOV to judge where marketing spend
// pays: high-AOV customers justify a higher acquisition cost.
type AOVTier int

// The tiers, from low to high; they index the array of [SummarizeTiers].
const (
	LowAOV AOVTier = iota
	MediumAOV
	HighAOV
)

// String returns "low", "medium" or "high".
func (t AOVTier) String() string {
	switch t {
	case LowAOV:
		return "low"
	case MediumAOV:
		return "medium"
	case HighAOV:
		return "high"
	}
	return "AOVTier(" + strconv.Itoa(int(t)) + ")"
}

// TierThresholds are the lower bounds of the medium and high AOV tiers, in
// the orders' currency: AOV < Medium is low, Medium <= AOV < High is medium,
// AOV >= High is high.
type TierThresholds struct {
	Medium, High decimal.Decimal
}

// Validate returns ErrInconsistent if Medium > High, and ErrOutOfRange for a
// threshold beyond the package's bounds on decimals.
func (t TierThresholds) Validate() error {
	if err := checkBounds("AOV tier thresholds", named{"Medium", t.Medium}, named{"High", t.High}); err != nil {
		return err
	}
	if t.Medium.GreaterThan(t.High) {
		return errorf(ErrInconsistent, "AOV tier thresholds: Medium %s above High %s", t.Medium, t.High)
	}
	return nil
}

// Tier returns the tier of a customer's AOV: AOV < Medium is LowAOV,
// Medium <= AOV < High is MediumAOV, AOV >= High is HighAOV. With
// Medium = High the medium tier is empty. The thresholds must be valid (see
// Validate); with Medium > High the answer is HighAOV for AOV >= High, else
// MediumAOV for AOV >= Medium, else LowAOV.
func (t TierThresholds) Tier(aov decimal.Decimal) AOVTier {
	switch {
	case compareDecimals(aov, t.High) >= 0:
		return HighAOV
	case compareDecimals(aov, t.Medium) >= 0:
		return MediumAOV
	}
	return LowAOV
}

// TercileThresholds returns thresholds that split the AOVs into thirds: with
// the values sorted ascending as a[0..n-1], Medium = a[n/3] and
// High = a[2n/3] (integer division), exact values from the data with no
// interpolation. The input is not modified.
//
// Ties: a customer whose AOV equals a threshold falls in the upper tier, so
// tied values are never split across tiers and tiers can be unequal; when
// a[n/3] = a[2n/3] the medium tier is empty. For n = 1 both thresholds are
// the one value (the customer is high); for n = 2 the tiers are empty, one,
// one; for n = 3 one each. No values is ErrNoData.
func TercileThresholds(aovs []decimal.Decimal) (TierThresholds, error) {
	n := len(aovs)
	if n == 0 {
		return TierThresholds{}, errorf(ErrNoData, "terciles of no AOVs")
	}
	for i, v := range aovs {
		if err := checkDecimal(v, "AOV at index "+strconv.Itoa(i)); err != nil {
			return TierThresholds{}, err
		}
	}
	a := slices.Clone(aovs)
	slices.SortFunc(a, decimal.Decimal.Cmp)
	return TierThresholds{Medium: a[n/3], High: a[2*n/3]}, nil
}

// CustomerTier is one customer's AOV and tier.
type CustomerTier struct {
	CustomerID string
	Orders     int64
	Revenue    decimal.Decimal // net revenue, refunds included
	AOV        decimal.Decimal // Revenue / Orders
	Tier       AOVTier
}

// customerAOVs returns the customers of stats with at least one order, with
// their AOV, sorted by CustomerID.
func customerAOVs(stats *OrderStats) []CustomerTier {
	var out []CustomerTier
	for _, s := range stats.Summaries() {
		if s.Orders == 0 {
			continue
		}
		out = append(out, CustomerTier{
			CustomerID: s.CustomerID, Orders: s.Orders, Revenue: s.Revenue,
			AOV: div(s.Revenue, decimal.NewFromInt(s.Orders)),
		})
	}
	return out
}

// SegmentByAOV puts every customer of stats with at least one order in an
// AOV tier by th. A customer's AOV is their net revenue / their orders
// (exact to 16 fractional digits). Sorted by CustomerID; customers without
// orders (only refunds) are left out. Invalid thresholds are
// ErrInconsistent; stats without customers give an empty slice.
func SegmentByAOV(stats *OrderStats, th TierThresholds) ([]CustomerTier, error) {
	if err := th.Validate(); err != nil {
		return nil, err
	}
	out := customerAOVs(stats)
	for i := range out {
		out[i].Tier = th.Tier(out[i].AOV)
	}
	return out, nil
}

// SegmentByAOVTerciles segments the customers of stats into AOV tiers at the
// terciles of their AOVs (see [TercileThresholds] and [SegmentByAOV]) and
// returns the thresholds it used. No customer with an order is ErrNoData.
func SegmentByAOVTerciles(stats *OrderStats) ([]CustomerTier, TierThresholds, error) {
	out := customerAOVs(stats)
	aovs := make([]decimal.Decimal, len(out))
	for i, c := range out {
		aovs[i] = c.AOV
	}
	th, err := TercileThresholds(aovs)
	if err != nil {
		return nil, TierThresholds{}, err
	}
	for i := range out {
		out[i].Tier = th.Tier(out[i].AOV)
	}
	return out, th, nil
}

// TierSummary sums one AOV tier.
type TierSummary struct {
	Tier      AOVTier
	Customers int64
	Orders    int64
	Revenue   decimal.Decimal // exact sum of the tier's net revenue
	AOV       decimal.Decimal // Revenue / Orders of the tier; zero when it has no orders
}

// SummarizeTiers sums customers, orders and revenue per tier; index i of the
// result is tier AOVTier(i). A tier's AOV is its revenue / its orders, so
// large customers weigh more than in the mean of customer AOVs; it is zero
// for a tier without orders. Entries with a Tier outside Low..High are
// ignored.
func SummarizeTiers(c []CustomerTier) [3]TierSummary {
	var out [3]TierSummary
	for i := range out {
		out[i].Tier = AOVTier(i)
	}
	for _, ct := range c {
		if ct.Tier < LowAOV || ct.Tier > HighAOV {
			continue
		}
		s := &out[ct.Tier]
		s.Customers++
		s.Orders += ct.Orders
		s.Revenue = s.Revenue.Add(ct.Revenue)
	}
	for i := range out {
		if out[i].Orders > 0 {
			out[i].AOV = div(out[i].Revenue, decimal.NewFromInt(out[i].Orders))
		}
	}
	return out
}

// RFMScore is a customer's recency, frequency and monetary scores, each in
// 1..bins where bins is best (most recent, most orders, most revenue), with
// the values they rank.
type RFMScore struct {
	CustomerID string
	// RecencyScore, FrequencyScore and MonetaryScore are ranks in 1..bins,
	// not durations, counts or money.
	RecencyScore, FrequencyScore, MonetaryScore int
	LastPurchase                                time.Time       // ranked for recency; in UTC, as in [CustomerSummary]
	Orders                                      int64           // ranked for frequency
	Revenue                                     decimal.Decimal // ranked for monetary value
}

// RFM scores every customer of stats with at least one order on recency
// (last purchase time), frequency (orders) and monetary value (net
// revenue), the segmentation of Hughes (1994, Strategic Database
// Marketing). For each dimension the customers are sorted ascending by
// value, so that higher is better, and
//
//	score = 1 + rank × bins / n   (integer division)
//
// where rank is the 0-based position of the first customer with the same
// value: equal values get equal scores, the worst gets 1 and no score
// exceeds bins. Sorted by CustomerID; customers without orders are left
// out. bins outside 2..10 is ErrOutOfRange, a purchase after asOf is
// ErrInconsistent, no customer with an order is ErrNoData.
func RFM(stats *OrderStats, asOf time.Time, bins int) ([]RFMScore, error) {
	if bins < 2 || bins > 10 {
		return nil, errorf(ErrOutOfRange, "RFM bins %d not in 2..10", bins)
	}
	var out []RFMScore
	for _, s := range stats.Summaries() {
		if s.Orders == 0 {
			continue
		}
		if s.Last.After(asOf) {
			return nil, errorf(ErrInconsistent, "customer %s purchased at %s, after the RFM date %s", quote(s.CustomerID), s.Last, asOf)
		}
		out = append(out, RFMScore{CustomerID: s.CustomerID, LastPurchase: s.Last, Orders: s.Orders, Revenue: s.Revenue})
	}
	if len(out) == 0 {
		return nil, errorf(ErrNoData, "RFM of no customers")
	}
	rankScores(out, bins, func(a, b *RFMScore) int { return a.LastPurchase.Compare(b.LastPurchase) }, func(s *RFMScore, v int) { s.RecencyScore = v })
	rankScores(out, bins, func(a, b *RFMScore) int { return cmp.Compare(a.Orders, b.Orders) }, func(s *RFMScore, v int) { s.FrequencyScore = v })
	rankScores(out, bins, func(a, b *RFMScore) int { return a.Revenue.Cmp(b.Revenue) }, func(s *RFMScore, v int) { s.MonetaryScore = v })
	return out, nil
}

// rankScores sets, through set, the score 1 + rank*bins/n of each entry by
// the ascending order of compare, ties taking the rank of the first of them.
// out keeps its order.
func rankScores(out []RFMScore, bins int, compare func(a, b *RFMScore) int, set func(*RFMScore, int)) {
	n := len(out)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return compare(&out[i], &out[j]) })
	rank := 0
	for pos, i := range order {
		if pos > 0 && compare(&out[order[pos-1]], &out[i]) != 0 {
			rank = pos
		}
		set(&out[i], 1+int(int64(rank)*int64(bins)/int64(n)))
	}
}
