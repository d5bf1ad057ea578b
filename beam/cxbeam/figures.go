package cxbeam

import (
	"fmt"
	"slices"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
)

// Figures are the figures of a pipeline, finished or partial. Every stage
// of the transforms in this package emits one Figures with only its own
// part set, and parts add with [Figures.Add]: the order, MRR and survey
// parts are customer-disjoint partial results (see the cxmetrics package's
// AddDisjoint methods), the counts and reasons are sums and minima. The
// zero value is empty, and adds as nothing.
//
// What [OrderReport], [MRR] and [Survey] emit is finished: one Figures with
// the cohort table and series of all the orders, the AOV tiers, the MRR
// series and the survey tallies.
type Figures struct {
	Orders *OrderPart // order totals, cohort table and series
	Tiers  *Tiers     // AOV tiers at the terciles; while tiering, the sums per tier
	// Candidates are the AOVs of the buckets that hold a tercile's rank,
	// with how many customers have each (the second pass; see tiers.go).
	Candidates map[string]int64
	MRR        *MRRPart
	// Latest is the latest span event seen (a start or an end), the Until
	// of the MRR series unless one is given.
	Latest time.Time

	NPS       *cxmetrics.NPSTally
	CSAT, CES *cxmetrics.ScaleTally

	// Counts are the counts of the inputs, by name (see cmd/cxbeam).
	Counts map[string]int64
	// Bad are the first bad rows, by (Phase, Line), at most MaxReasons.
	Bad []BadRow
	// First is the earliest row that sets the report's currency, by
	// (Phase, Line); Phase -1 when none.
	First CurrencyMark
}

// OrderPart is the order figures of a set of customers.
type OrderPart struct {
	Totals  cxmetrics.OrderTotals
	Refunds int64
	Table   *cxmetrics.CohortTable // nil without a purchase
	Series  *cxmetrics.Series      // settled (see cxmetrics.CohortBuilder.SeriesThrough); nil without orders
	// Buckets counts the customers' AOVs by bucket (see tiers.go).
	Buckets map[string]int64
}

// MRRPart is the MRR figures of a set of customers, all until the same
// instant.
type MRRPart struct {
	Currency string
	Series   *cxmetrics.MRRSeries
	Cohorts  *cxmetrics.CohortTable // nil when nobody paid at a period's end
}

// Tiers are the AOV tercile thresholds and the summary of each tier.
type Tiers struct {
	Thresholds cxmetrics.TierThresholds
	Summaries  [3]cxmetrics.TierSummary
}

// BadRow is a row left out as bad: the dead-letter record. Phase orders
// the inputs as the cxmetrics command reads them (orders 0, orders
// assembled from lines 1, subscriptions 2, responses 3), Line is the line
// the record starts on, Lines the lines it spans and Rows the rows it
// stands for (the lines of an invoice of -rows lines).
type BadRow struct {
	Phase  int
	File   string
	Line   int
	Lines  int
	Rows   int
	Reason string // the whole message, "file:line: reason"
	// Counted is true when the row had already been counted as a
	// well-formed row of its file (it failed a later check: currency,
	// re-delivery, the lines of its order).
	Counted bool
}

// CurrencyMark is a row that may set the report's currency.
type CurrencyMark struct {
	Phase    int // -1: none
	Line     int
	Currency string
}

// MaxReasons is how many bad rows the report quotes, as the command's
// skip_reasons.
const MaxReasons = 5

// before orders bad rows and currency marks as the command meets them.
func before(p1, l1, p2, l2 int) bool { return p1 < p2 || p1 == p2 && l1 < l2 }

// Add adds the parts of o to f (see [Figures]). Order and MRR parts of
// other customers add exactly; two parts in different currencies are an
// error, as are parts the cxmetrics package refuses to add.
func (f *Figures) Add(o *Figures) error {
	if o == nil {
		return nil
	}
	if o.Orders != nil {
		if f.Orders == nil {
			f.Orders = &OrderPart{}
		}
		if err := f.Orders.add(o.Orders); err != nil {
			return err
		}
	}
	if o.Tiers != nil {
		if f.Tiers == nil {
			t := *o.Tiers
			f.Tiers = &t
		} else {
			f.Tiers.Summaries = cxmetrics.AddTierSummaries(f.Tiers.Summaries, o.Tiers.Summaries)
		}
	}
	addCounts(&f.Candidates, o.Candidates)
	if o.MRR != nil {
		if f.MRR == nil {
			f.MRR = &MRRPart{}
		}
		if err := f.MRR.add(o.MRR); err != nil {
			return err
		}
	}
	if o.Latest.After(f.Latest) {
		f.Latest = o.Latest
	}
	if err := f.addSurveys(o); err != nil {
		return err
	}
	addCounts(&f.Counts, o.Counts)
	f.addBad(o)
	return nil
}

// addSurveys merges o's survey tallies into f's.
func (f *Figures) addSurveys(o *Figures) error {
	for _, t := range []struct{ dst, src **cxmetrics.ScaleTally }{{&f.CSAT, &o.CSAT}, {&f.CES, &o.CES}} {
		if *t.src == nil {
			continue
		}
		if *t.dst == nil {
			*t.dst = (*t.src).Clone()
		} else if err := (*t.dst).Merge(*t.src); err != nil {
			return err
		}
	}
	if o.NPS != nil {
		if f.NPS == nil {
			f.NPS = &cxmetrics.NPSTally{}
		}
		return f.NPS.Merge(o.NPS)
	}
	return nil
}

// addBad keeps the first MaxReasons bad rows of f and o in reading order,
// and the first bad row of all.
func (f *Figures) addBad(o *Figures) {
	if len(o.Bad) > 0 {
		f.Bad = append(f.Bad, o.Bad...)
		slices.SortStableFunc(f.Bad, func(a, b BadRow) int {
			if before(a.Phase, a.Line, b.Phase, b.Line) {
				return -1
			}
			if before(b.Phase, b.Line, a.Phase, a.Line) {
				return 1
			}
			return 0
		})
		f.Bad = f.Bad[:min(len(f.Bad), MaxReasons)]
	}
	if o.First.Phase >= 0 && (f.First.Phase < 0 || before(o.First.Phase, o.First.Line, f.First.Phase, f.First.Line)) {
		f.First = o.First
	}
}

// addCounts adds src's counts into *dst, making the map when needed.
func addCounts(dst *map[string]int64, src map[string]int64) {
	if len(src) > 0 && *dst == nil {
		*dst = map[string]int64{}
	}
	for k, n := range src {
		(*dst)[k] += n
	}
}

// NewFigures returns empty figures: no part, no currency mark.
func NewFigures() *Figures { return &Figures{First: CurrencyMark{Phase: -1}} }

func (p *OrderPart) add(o *OrderPart) error {
	var err error
	if p.Totals, err = p.Totals.AddDisjoint(o.Totals); err != nil {
		return err
	}
	p.Refunds += o.Refunds
	if o.Table != nil {
		if p.Table == nil {
			p.Table = &cxmetrics.CohortTable{}
		}
		if err := p.Table.AddDisjoint(o.Table); err != nil {
			return err
		}
	}
	if o.Series != nil {
		if p.Series == nil {
			p.Series = &cxmetrics.Series{}
		}
		if err := p.Series.AddDisjoint(o.Series); err != nil {
			return err
		}
	}
	if len(o.Buckets) > 0 && p.Buckets == nil {
		p.Buckets = map[string]int64{}
	}
	for b, n := range o.Buckets {
		p.Buckets[b] += n
	}
	return nil
}

func (p *MRRPart) add(o *MRRPart) error {
	if o.Series == nil {
		return nil
	}
	if p.Series == nil {
		p.Currency = o.Currency
		p.Series = &cxmetrics.MRRSeries{}
	} else if p.Currency != o.Currency {
		return fmt.Errorf("cxbeam: adding MRR in %q to MRR in %q: %w", o.Currency, p.Currency, cxmetrics.ErrCurrencyMismatch)
	}
	if err := p.Series.AddDisjoint(o.Series); err != nil {
		return err
	}
	if o.Cohorts != nil {
		if p.Cohorts == nil {
			p.Cohorts = &cxmetrics.CohortTable{}
		}
		return p.Cohorts.AddDisjoint(o.Cohorts)
	}
	return nil
}

// decimalOf parses a decimal written by String.
func decimalOf(s string) (decimal.Decimal, error) { return decimal.NewFromString(s) }
