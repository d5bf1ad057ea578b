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
// their AOV, sorted by CustomerID, and their revenues as int64 units at one
// scale when they all fit (see commonUnits), else nil units.
func customerAOVs(stats *OrderStats) (out []CustomerTier, units []int64) {
	for _, s := range stats.Summaries() {
		if s.Orders > 0 {
			out = append(out, CustomerTier{CustomerID: s.CustomerID, Orders: s.Orders, Revenue: s.Revenue})
		}
	}
	revenues := make([]decimal.Decimal, len(out))
	for i := range out {
		revenues[i] = out[i].Revenue
	}
	units, scale, ok := commonUnits(revenues)
	for i := range out {
		c := &out[i]
		if ok {
			if c.AOV, ok = quotientUnits(units[i], scale, c.Orders); ok {
				continue
			}
		}
		c.AOV = div(c.Revenue, decimal.NewFromInt(c.Orders))
	}
	if !ok {
		units = nil
	}
	return out, units
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
	out, _ := customerAOVs(stats)
	for i := range out {
		out[i].Tier = th.Tier(out[i].AOV)
	}
	return out, nil
}

// SegmentByAOVTerciles segments the customers of stats into AOV tiers at the
// terciles of their AOVs (see [TercileThresholds] and [SegmentByAOV]) and
// returns the thresholds it used. No customer with an order is ErrNoData.
func SegmentByAOVTerciles(stats *OrderStats) ([]CustomerTier, TierThresholds, error) {
	out, units := customerAOVs(stats)
	var th TierThresholds
	if units == nil {
		aovs := make([]decimal.Decimal, len(out))
		for i, c := range out {
			aovs[i] = c.AOV
		}
		var err error
		if th, err = TercileThresholds(aovs); err != nil {
			return nil, TierThresholds{}, err
		}
	} else {
		if len(out) == 0 {
			return nil, TierThresholds{}, errorf(ErrNoData, "terciles of no AOVs")
		}
		// Sorted by the exact quotients, the rounded AOVs are sorted too
		// (rounding never reverses an order), so the values at n/3 and
		// 2n/3 are those of TercileThresholds.
		type quotient struct {
			units, orders int64
			i             int
		}
		qs := make([]quotient, len(out))
		for i := range qs {
			qs[i] = quotient{units[i], out[i].Orders, i}
		}
		slices.SortFunc(qs, func(a, b quotient) int { return cmpQuotients(a.units, a.orders, b.units, b.orders) })
		n := len(out)
		th = TierThresholds{Medium: out[qs[n/3].i].AOV, High: out[qs[2*n/3].i].AOV}
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

// SummarizeAOVTerciles returns what SummarizeTiers gives for the customers
// of SegmentByAOVTerciles, and its thresholds, without listing the
// customers: for a report that shows the tiers, not who is in them. The
// thresholds are the AOVs (net revenue / orders, exact to 16 fractional
// digits, in the orders' currency) at ranks n/3 and 2n/3 of the n customers
// with at least one order, ties in the upper tier; each tier sums its
// customers, orders and net revenue, and its AOV is its revenue / its
// orders (zero for an empty tier). No customer with an order is ErrNoData.
//
// When every customer's revenue fits in int64 units at one scale, which is
// nearly always, it works in integers: each AOV rounded once, the two ranks
// found by selection in linear expected time, and the sums in int64. At a
// million customers that is about a tenth of the time and memory of the
// per-customer list; otherwise it takes the decimal way of
// SegmentByAOVTerciles and SummarizeTiers. The results are equal either way
// (TestSummarizeAOVTercilesMatchesList checks).
func SummarizeAOVTerciles(stats *OrderStats) ([3]TierSummary, TierThresholds, error) {
	if out, th, ok := summarizeTercileUnits(stats); ok {
		return out, th, nil
	}
	customers, th, err := SegmentByAOVTerciles(stats)
	if err != nil {
		return [3]TierSummary{}, TierThresholds{}, err
	}
	return SummarizeTiers(customers), th, nil
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
	recency := make([]instant, len(out))
	frequency := make([]int64, len(out))
	revenues := make([]decimal.Decimal, len(out))
	for i := range out {
		recency[i], frequency[i], revenues[i] = instantOf(out[i].LastPurchase), out[i].Orders, out[i].Revenue
	}
	rankScores(recency, bins, func(a, b instant) int {
		if c := cmp.Compare(a.sec, b.sec); c != 0 {
			return c
		}
		return cmp.Compare(a.nsec, b.nsec)
	}, func(i, v int) { out[i].RecencyScore = v })
	rankScores(frequency, bins, cmp.Compare[int64], func(i, v int) { out[i].FrequencyScore = v })
	setMonetary := func(i, v int) { out[i].MonetaryScore = v }
	if units, _, ok := commonUnits(revenues); ok {
		rankScores(units, bins, cmp.Compare[int64], setMonetary)
	} else {
		rankScores(revenues, bins, decimal.Decimal.Cmp, setMonetary)
	}
	return out, nil
}

// rankScores sets, through set(i, score), the score 1 + rank*bins/n of
// each key by the ascending order of compare, ties taking the rank of the
// first of them. It sorts a compact copy of the keys, so that a million
// of them sort in the cache's favour.
func rankScores[K any](keys []K, bins int, compare func(a, b K) int, set func(i, score int)) {
	type entry struct {
		key K
		i   int
	}
	n := len(keys)
	order := make([]entry, n)
	for i, k := range keys {
		order[i] = entry{k, i}
	}
	slices.SortFunc(order, func(a, b entry) int { return compare(a.key, b.key) })
	rank := 0
	for pos, e := range order {
		if pos > 0 && compare(order[pos-1].key, e.key) != 0 {
			rank = pos
		}
		set(e.i, 1+int(int64(rank)*int64(bins)/int64(n)))
	}
}
