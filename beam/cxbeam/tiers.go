package cxbeam

import (
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
)

// The exact AOV terciles, over shards. cxmetrics.TercileThresholds takes
// the sorted AOVs a[0..n-1] of the customers with an order and returns
// Medium = a[n/3] and High = a[2n/3]: two order statistics. Sorting every
// customer's AOV in one place does not scale; a sketch would not be exact.
// Instead:
//
//  1. Each shard counts its customers' AOVs by bucket: the AOV cut to four
//     significant digits (toward zero, so buckets keep the AOVs' order).
//  2. The bucket counts of all shards add up; walking the buckets in order
//     gives the bucket holding rank n/3 and the one holding 2n/3, and how
//     many customers lie below each.
//  3. A second pass over the shards' customers gathers the AOVs of only
//     those two buckets (with how many customers have each value); sorted,
//     they give a[n/3] and a[2n/3] exactly.
//  4. A third pass sums each shard's customers, orders and revenue per
//     tier at those thresholds (cxmetrics.AddTierSummaries).
//
// What travels is one count per bucket and shard, and the AOVs of two
// buckets: about n × (two buckets' share) values in the worst case, when
// most customers share their AOV's first four digits. The same passes give
// any order statistic, the RFM score boundaries among them.

// bucketDigits is how many significant digits name a bucket.
const bucketDigits = 4

var ten = big.NewInt(10)

// bucketOf returns the bucket of an AOV: the decimal cut toward zero to
// bucketDigits significant digits, written by String.
func bucketOf(d decimal.Decimal) string {
	c, e := d.Coefficient(), d.Exponent()
	if c.Sign() == 0 {
		return "0"
	}
	digits := len(new(big.Int).Abs(c).String())
	if cut := digits - bucketDigits; cut > 0 {
		c = new(big.Int).Quo(c, new(big.Int).Exp(ten, big.NewInt(int64(cut)), nil))
		e += int32(cut)
	}
	return decimal.NewFromBigInt(c, e).String()
}

// customerAOVs returns the AOV of every customer with an order, as
// cxmetrics computes it for the tiers.
func customerAOVs(stats *cxmetrics.OrderStats) ([]cxmetrics.CustomerTier, error) {
	return cxmetrics.SegmentByAOV(stats, cxmetrics.TierThresholds{})
}

// rankBuckets returns, for each rank, its bucket and its rank within the
// bucket.
func rankBuckets(buckets map[string]int64, ranks []int64) (names []string, within []int64, err error) {
	type bucket struct {
		name  string
		value decimal.Decimal
		n     int64
	}
	all := make([]bucket, 0, len(buckets))
	for name, n := range buckets {
		v, err := decimalOf(name)
		if err != nil {
			return nil, nil, fmt.Errorf("cxbeam: bucket %q: %w", name, err)
		}
		all = append(all, bucket{name, v, n})
	}
	slices.SortFunc(all, func(a, b bucket) int { return a.value.Cmp(b.value) })
	for _, r := range ranks {
		var below int64
		found := false
		for _, b := range all {
			if r < below+b.n {
				names, within, found = append(names, b.name), append(within, r-below), true
				break
			}
			below += b.n
		}
		if !found {
			return nil, nil, fmt.Errorf("cxbeam: rank %d beyond %d AOVs", r, below)
		}
	}
	return names, within, nil
}

// tercileRanks are the ranks of the thresholds among n AOVs.
func tercileRanks(n int64) []int64 { return []int64{n / 3, 2 * n / 3} }

// candidatesFn gathers a shard's AOVs in the buckets of the terciles.
type candidatesFn struct{}

func (f *candidatesFn) ProcessElement(stats *cxmetrics.OrderStats, whole *Figures, emit func(*Figures)) error {
	out, err := shardCandidates(stats, whole)
	if out != nil {
		emit(out)
	}
	return err
}

// shardCandidates returns a shard's AOVs in the buckets of the terciles,
// nil when there are no customers.
func shardCandidates(stats *cxmetrics.OrderStats, whole *Figures) (*Figures, error) {
	if whole.Orders == nil || whole.Orders.Totals.Customers == 0 {
		return nil, nil
	}
	names, _, err := rankBuckets(whole.Orders.Buckets, tercileRanks(whole.Orders.Totals.Customers))
	if err != nil {
		return nil, err
	}
	aovs, err := customerAOVs(stats)
	if err != nil {
		return nil, err
	}
	out := NewFigures()
	out.Candidates = map[string]int64{}
	for _, a := range aovs {
		if b := bucketOf(a.AOV); slices.Contains(names, b) {
			out.Candidates[a.AOV.String()]++
		}
	}
	return out, nil
}

// thresholds returns the tercile thresholds from the bucket counts and the
// candidates of the two buckets.
func thresholds(whole, candidates *Figures) (cxmetrics.TierThresholds, error) {
	var th [2]decimal.Decimal
	for i, r := range tercileRanks(whole.Orders.Totals.Customers) {
		var err error
		if th[i], err = orderStatistic(whole.Orders.Buckets, candidates.Candidates, r); err != nil {
			return cxmetrics.TierThresholds{}, err
		}
	}
	return cxmetrics.TierThresholds{Medium: th[0], High: th[1]}, nil
}

// orderStatistic returns the value of rank r (from 0, ascending) from the
// counts of all values by bucket and the counts of the values in r's
// bucket (candidates may hold other buckets' values too).
func orderStatistic(buckets, candidates map[string]int64, r int64) (decimal.Decimal, error) {
	names, within, err := rankBuckets(buckets, []int64{r})
	if err != nil {
		return decimal.Decimal{}, err
	}
	type value struct {
		v decimal.Decimal
		n int64
	}
	var vals []value
	for s, n := range candidates {
		v, err := decimalOf(s)
		if err != nil {
			return decimal.Decimal{}, err
		}
		if bucketOf(v) == names[0] {
			vals = append(vals, value{v, n})
		}
	}
	slices.SortFunc(vals, func(a, b value) int { return a.v.Cmp(b.v) })
	left := within[0]
	for _, v := range vals {
		if left < v.n {
			return v.v, nil
		}
		left -= v.n
	}
	return decimal.Decimal{}, errors.New("cxbeam: the values of an order statistic's bucket are missing")
}

// tiersFn sums a shard's customers per tier at the thresholds.
type tiersFn struct{}

func (f *tiersFn) ProcessElement(stats *cxmetrics.OrderStats, whole, candidates *Figures, emit func(*Figures)) error {
	out, err := shardTiers(stats, whole, candidates)
	if out != nil {
		emit(out)
	}
	return err
}

// shardTiers sums a shard's customers per tier at the thresholds, nil when
// there are no customers.
func shardTiers(stats *cxmetrics.OrderStats, whole, candidates *Figures) (*Figures, error) {
	if whole.Orders == nil || whole.Orders.Totals.Customers == 0 {
		return nil, nil
	}
	th, err := thresholds(whole, candidates)
	if err != nil {
		return nil, err
	}
	customers, err := cxmetrics.SegmentByAOV(stats, th)
	if err != nil {
		return nil, err
	}
	out := NewFigures()
	out.Tiers = &Tiers{Thresholds: th, Summaries: cxmetrics.SummarizeTiers(customers)}
	return out, nil
}
