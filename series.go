package cxmetrics

import (
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// SeriesRow is one period of a [Series]: what happened in it and who was
// active, from orders alone. With a window of W periods, a customer is
// active at the end of period p when they made a purchase (amount >= 0) in
// one of the periods p-W+1 … p; refunds never make anyone active. Then:
//
//	ActiveAtStart(p) = ActiveAtEnd(p-1)
//	New(p)           = customers whose first purchase ever is in p
//	Churned(p)       = active at the end of p-1, not at the end of p
//	Reactivated(p)   = active at the end of p, not at the end of p-1, not new
//	ActiveAtEnd(p)   = ActiveAtStart(p) - Churned(p) + New(p) + Reactivated(p)
//
// The last line holds on every row. Revenue is net (refunds included), in
// the orders' currency; Orders and Refunds count records; Customers counts
// customers with a purchase in p and Returning those of them who are not
// new.
type SeriesRow struct {
	Start         time.Time // first instant of the period, in the series' location
	Revenue       decimal.Decimal
	Orders        int64
	Refunds       int64
	Customers     int64
	New           int64
	Returning     int64
	ActiveAtStart int64
	ActiveAtEnd   int64
	Churned       int64
	Reactivated   int64
}

// Series is a period-by-period account of orders and of active, new,
// churned and reactivated customers (see [SeriesRow] for the definitions).
// Rows run from the first period with an order or refund to the last one,
// with no gaps.
type Series struct {
	Period   Period
	Location *time.Location
	Window   int // periods a purchase keeps a customer active, >= 1
	Rows     []SeriesRow
}

// AOV returns the row's average order value, Revenue / Orders, in the
// orders' currency, exact to 16 fractional digits. No orders is ErrNoData.
func (r *SeriesRow) AOV() (decimal.Decimal, error) {
	if r.Orders == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "AOV of a period without orders")
	}
	return div(r.Revenue, decimal.NewFromInt(r.Orders)), nil
}

// ChurnRate returns the share of the customers active at the start who
// churned in the period, as a fraction in [0, 1] (0.05 means 5%):
//
//	ChurnRate = Churned / ActiveAtStart
//
// Unlike [ChurnRate] of [PeriodCounts], customers who arrive and leave within
// the period never count, so the rate never exceeds 1. No customer active at
// the start is ErrNoData.
func (r *SeriesRow) ChurnRate() (decimal.Decimal, error) {
	return share(r.Churned, r.ActiveAtStart, "churn rate of a period with no active customer at its start")
}

// RetentionRate returns the share of the customers active at the start who
// are still active at the end, as a fraction in [0, 1]:
//
//	RetentionRate = (ActiveAtStart - Churned) / ActiveAtStart = 1 - ChurnRate
//
// No customer active at the start is ErrNoData.
func (r *SeriesRow) RetentionRate() (decimal.Decimal, error) {
	return share(r.ActiveAtStart-r.Churned, r.ActiveAtStart, "retention rate of a period with no active customer at its start")
}

// Counts returns the row as [PeriodCounts] so that the formulas of that
// type apply: Start = ActiveAtStart, New = New + Reactivated (every customer
// who became active in the period) and End = ActiveAtEnd. Then
// PeriodCounts' Lost is Churned, its ChurnRate is the row's ChurnRate and its
// RetentionRate, (End - New) / Start, the row's RetentionRate.
func (r *SeriesRow) Counts() PeriodCounts {
	return PeriodCounts{Start: r.ActiveAtStart, New: r.New + r.Reactivated, End: r.ActiveAtEnd}
}

// maxSeriesRows bounds the rows of a series, as maxCohortCells bounds a
// table: orders centuries apart cut by Day would otherwise exhaust memory.
const maxSeriesRows = 1 << 20

// Series returns the period-by-period series of the orders added so far,
// with a window of window periods (see [SeriesRow]); it comes from the same
// state as [CohortBuilder.Table]. A window below 1 is ErrOutOfRange, a
// builder without orders or refunds ErrNoData, and more than 2^20 periods
// from the first to the last ErrOutOfRange (choose a longer Period).
//
// The series costs time in proportion to the customers' active periods and
// the rows, whatever the window.
func (b *CohortBuilder) Series(window int) (*Series, error) {
	if window < 1 {
		return nil, errorf(ErrOutOfRange, "series window %d below 1", window)
	}
	b.flush()
	if b.periods.empty() {
		return nil, errorf(ErrNoData, "series without an order")
	}
	periods := b.sortedPeriods()
	lo, hi := periods[0].period, periods[len(periods)-1].period
	n := int64(hi) - int64(lo) + 1
	if n > maxSeriesRows {
		return nil, errorf(ErrOutOfRange, "series of %d %s periods, over %d; use a longer period", n, b.opts.Period, maxSeriesRows)
	}
	s := &Series{Period: b.opts.Period, Location: b.opts.location(), Window: window, Rows: make([]SeriesRow, n)}
	for i := range s.Rows {
		s.Rows[i].Start = b.opts.start(lo + int32(i))
	}
	for _, pc := range periods {
		r := &s.Rows[pc.period-lo]
		r.Orders, r.Refunds = pc.orders, pc.refunds
	}
	revenue := make([]exactSum, n)
	becomesActive := make([]int64, n+1) // +1 at a run's start, -1 after its end
	var scratch []int32
	b.customers.each(func(_ int32, c *cohortCustomer) {
		scratch = c.addToSeries(s.Rows, revenue, becomesActive, lo, int64(window), scratch[:0])
	})
	var active int64
	for i := range s.Rows {
		r := &s.Rows[i]
		r.Revenue = revenue[i].value()
		r.ActiveAtStart = active
		active += becomesActive[i]
		r.ActiveAtEnd = active
	}
	return s, nil
}

// addToSeries adds the customer to the rows, which start at period lo:
// revenue, purchases, and the runs of periods in which the customer is
// active with a window of w. actives is scratch space, returned for reuse.
func (c *cohortCustomer) addToSeries(rows []SeriesRow, revenue []exactSum, becomesActive []int64, lo int32, w int64, actives []int32) []int32 {
	for _, cell := range c.cells {
		k := cell.period() - lo
		revenue[k].addScaled(cell.units(), c.scale)
		if cell.active() {
			rows[k].Customers++
			if cell.period() != c.first {
				rows[k].Returning++
			}
			actives = append(actives, cell.period())
		}
	}
	for p, v := range c.rest {
		revenue[p-lo].add(v)
	}
	if c.byPeriod != nil {
		slices.Sort(actives)
	}
	last := int64(len(rows)) - 1
	// A purchase in a keeps the customer active through a+w-1; overlapping
	// or adjacent stretches make one run.
	for i := 0; i < len(actives); {
		start := int64(actives[i] - lo)
		end := start + w - 1
		for i++; i < len(actives) && int64(actives[i]-lo) <= end+1; i++ {
			end = max(end, int64(actives[i]-lo)+w-1)
		}
		if start == int64(c.first-lo) {
			rows[start].New++
		} else {
			rows[start].Reactivated++
		}
		becomesActive[start]++
		if end < last {
			rows[end+1].Churned++
			becomesActive[end+1]--
		}
	}
	return actives
}

// OrderSeries returns the series of orders with periods cut as opts says
// and a window of window periods (see [CohortBuilder.Series]). Order errors
// name the index of the bad order.
func OrderSeries(orders []Order, opts CohortOptions, window int) (*Series, error) {
	b, err := builderOf(orders, opts)
	if err != nil {
		return nil, err
	}
	return b.Series(window)
}
