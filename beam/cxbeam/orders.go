package cxbeam

import (
	"errors"
	"fmt"
	"hash/fnv"
	"time"
	_ "time/tzdata" // time zones travel as names; workers may have no zone database

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/cxmetrics/cxmetrics"
)

// Options say how the transforms cut time and spread the work. Settings
// travel to the workers as JSON of exported fields, so the location is a
// name ("Europe/Berlin"), not a *time.Location.
type Options struct {
	Period   string // month (default), week, day, quarter or year
	Location string // IANA name or "UTC" (default)
	Window   int    // periods a purchase keeps a customer active in the series; default 1
	// Until is the last instant of the MRR series, RFC 3339; default the
	// latest span start or end.
	Until string
	// Shards is how many groups of customers the work is split into
	// (default 16): each shard holds the state of its customers, and only
	// shards' finished figures are combined.
	Shards int
	// Unlifted combines the shards' figures with a GroupByKey and one pass
	// of the combine function, as Beam's Flink and Spark runners do,
	// instead of Beam's Combine, which a runner may lift. The figures are
	// the same either way; tests run both.
	Unlifted bool
}

func (o Options) shards() int {
	if o.Shards < 1 {
		return 16
	}
	return o.Shards
}

// cohortOptions parses the period and location.
func cohortOptions(period, location string) (cxmetrics.CohortOptions, error) {
	if period == "" {
		period = "month"
	}
	p, err := cxmetrics.ParsePeriod(period)
	if err != nil {
		return cxmetrics.CohortOptions{}, err
	}
	if location == "" {
		location = "UTC"
	}
	loc, err := time.LoadLocation(location)
	if err != nil {
		return cxmetrics.CohortOptions{}, fmt.Errorf("cxbeam: time zone %q: %w", location, err)
	}
	return cxmetrics.CohortOptions{Period: p, Location: loc}, nil
}

// Check returns an error for options the transforms cannot run with.
func (o Options) Check() error {
	if _, err := cohortOptions(o.Period, o.Location); err != nil {
		return err
	}
	if o.Window < 0 {
		return fmt.Errorf("cxbeam: window %d: a purchase keeps a customer active for at least 1 period", o.Window)
	}
	if o.Until != "" {
		if _, err := time.Parse(time.RFC3339Nano, o.Until); err != nil {
			return fmt.Errorf("cxbeam: until %q: not RFC 3339", o.Until)
		}
	}
	return nil
}

func (o Options) window() int { return max(o.Window, 1) }

func init() {
	register.DoFn2x1[cxmetrics.Order, func(int, cxmetrics.Order), error](&shardOrderFn{})
	register.Emitter2[int, cxmetrics.Order]()
	register.DoFn4x1[int, func(*cxmetrics.Order) bool, func(*Figures), func(*cxmetrics.OrderStats), error](&buildShardFn{})
	register.Iter1[cxmetrics.Order]()
	register.Emitter1[*Figures]()
	register.Emitter1[*cxmetrics.OrderStats]()
	register.DoFn3x1[*cxmetrics.OrderStats, *Figures, func(*Figures), error](&candidatesFn{})
	register.DoFn4x1[*cxmetrics.OrderStats, *Figures, *Figures, func(*Figures), error](&tiersFn{})
	register.Function2x2(finishOrders)
}

// shardOf is the shard of a customer: a hash of the ID, so that every
// order of a customer meets the others in one shard.
func shardOf(customer string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(customer))
	return int(h.Sum64() % uint64(n))
}

// shardOrderFn keys an order by its customer's shard.
type shardOrderFn struct{ Shards int }

func (f *shardOrderFn) ProcessElement(o cxmetrics.Order, emit func(int, cxmetrics.Order)) error {
	if f.Shards < 1 {
		return errors.New("cxbeam: no shards")
	}
	emit(shardOf(o.CustomerID, f.Shards), o)
	return nil
}

// OrderReport computes the order figures of a PCollection of
// cxmetrics.Order, all in one currency: totals, refunds, the cohort table,
// the series and the AOV tiers. It returns a PCollection of exactly one
// *Figures, also for no orders at all.
//
// The orders are shuffled by customer into opts.Shards shards. Each shard
// builds a cxmetrics.OrderStats and a cxmetrics.CohortBuilder of its
// customers and emits finished, customer-disjoint figures: order totals, a
// cohort table, a settled series (extended until none of its customers is
// active) and its customers' AOVs counted by bucket. Those add exactly (see
// the cxmetrics package's AddDisjoint methods) in a global combine of one
// element per shard, which no runner needs to lift.
//
// The AOV terciles need the AOVs of all customers at once. They are exact:
// the bucket counts give how many customers lie below each bucket, hence
// the bucket holding each tercile's rank; a second pass over the shards'
// customers gathers only the AOVs of those two buckets, which fixes the
// thresholds; a third sums each shard's customers per tier.
func OrderReport(s beam.Scope, orders beam.PCollection, opts Options) beam.PCollection {
	s = s.Scope("cxbeam.OrderReport")
	keyed := beam.ParDo(s, &shardOrderFn{Shards: opts.shards()}, orders)
	grouped := beam.GroupByKey(s, keyed)
	parts, customers := beam.ParDo2(s, &buildShardFn{Period: opts.Period, Location: opts.Location, Window: opts.window()}, grouped)
	whole := combineAll(s, parts, opts.Unlifted)
	candidates := combineAll(s, beam.ParDo(s, &candidatesFn{}, customers, beam.SideInput{Input: whole}), opts.Unlifted)
	tiers := combineAll(s, beam.ParDo(s, &tiersFn{}, customers, beam.SideInput{Input: whole}, beam.SideInput{Input: candidates}), opts.Unlifted)
	return beam.ParDo(s, finishOrders, whole, beam.SideInput{Input: tiers})
}

// buildShardFn builds one shard's figures and its customers' stats.
type buildShardFn struct {
	Period, Location string
	Window           int
}

func (f *buildShardFn) ProcessElement(_ int, orders func(*cxmetrics.Order) bool, emit func(*Figures), emitStats func(*cxmetrics.OrderStats)) error {
	fig, stats, err := shardFigures(f.Period, f.Location, f.Window, orders)
	if err != nil {
		return err
	}
	emit(fig)
	emitStats(stats)
	return nil
}

// shardFigures builds the figures of one shard's orders, and its
// customers' stats for the passes of the tiers.
func shardFigures(period, location string, window int, orders func(*cxmetrics.Order) bool) (*Figures, *cxmetrics.OrderStats, error) {
	opts, err := cohortOptions(period, location)
	if err != nil {
		return nil, nil, err
	}
	cohorts, err := cxmetrics.NewCohortBuilder(opts)
	if err != nil {
		return nil, nil, err
	}
	stats := new(cxmetrics.OrderStats)
	var o cxmetrics.Order
	var refunds int64
	for orders(&o) {
		if err := stats.Add(o); err != nil {
			return nil, nil, err
		}
		if err := cohorts.Add(o); err != nil {
			return nil, nil, err
		}
		if o.IsRefund() {
			refunds++
		}
	}
	part := &OrderPart{Totals: stats.Totals(), Refunds: refunds}
	if part.Table, err = cohorts.Table(); errors.Is(err, cxmetrics.ErrNoData) {
		// No purchase: everything is unattributed revenue.
		part.Table = &cxmetrics.CohortTable{Period: opts.Period, Location: opts.Location, Unattributed: stats.Revenue()}
	} else if err != nil {
		return nil, nil, err
	}
	plain, err := cohorts.Series(window)
	if err == nil {
		last := plain.Rows[len(plain.Rows)-1].Start
		part.Series, err = cohorts.SeriesThrough(window, addPeriods(last, opts.Period, window))
	}
	if err != nil && !errors.Is(err, cxmetrics.ErrNoData) {
		return nil, nil, err
	}
	aovs, err := customerAOVs(stats)
	if err != nil {
		return nil, nil, err
	}
	part.Buckets = map[string]int64{}
	for _, a := range aovs {
		part.Buckets[bucketOf(a.AOV)]++
	}
	fig := NewFigures()
	fig.Orders = part
	return fig, stats, nil
}

// addPeriods returns an instant n periods after t, a period's start.
func addPeriods(t time.Time, p cxmetrics.Period, n int) time.Time {
	switch p {
	case cxmetrics.Week:
		return t.AddDate(0, 0, 7*n)
	case cxmetrics.Day:
		return t.AddDate(0, 0, n)
	case cxmetrics.Quarter:
		return t.AddDate(0, 3*n, 0)
	case cxmetrics.Year:
		return t.AddDate(n, 0, 0)
	}
	return t.AddDate(0, n, 0)
}

// finishOrders turns the sum of the shards into finished figures: the
// series cut back to the periods with orders, the table dropped when no
// customer made a purchase, the tiers added.
func finishOrders(whole *Figures, tiers *Figures) (*Figures, error) {
	out := NewFigures()
	out.Orders = &OrderPart{}
	if whole.Orders != nil {
		o := *whole.Orders
		o.Buckets = nil
		if o.Series != nil {
			o.Series.Trim()
			if len(o.Series.Rows) == 0 {
				o.Series = nil
			}
		}
		if o.Table != nil && len(o.Table.Rows) == 0 {
			o.Table = nil
		}
		out.Orders = &o
		if o.Totals.Customers > 0 {
			if tiers.Tiers == nil {
				return nil, errors.New("cxbeam: customers without tiers")
			}
			out.Tiers = tiers.Tiers
		}
	}
	return out, nil
}
