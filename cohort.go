package cxmetrics

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Period is the calendar unit that cuts time into cohorts and table columns.
type Period int

// The periods. Month, the zero value, is the usual choice for retention
// tables.
const (
	Month   Period = iota // calendar months
	Week                  // ISO 8601 weeks, Monday to Sunday
	Day                   // calendar days
	Quarter               // calendar quarters, starting January, April, July, October
	Year                  // calendar years
)

var periodNames = [...]string{Month: "month", Week: "week", Day: "day", Quarter: "quarter", Year: "year"}

// String returns "month", "week", "day", "quarter" or "year".
func (p Period) String() string {
	if p >= 0 && int(p) < len(periodNames) {
		return periodNames[p]
	}
	return "Period(" + strconv.Itoa(int(p)) + ")"
}

// ParsePeriod returns the Period named s, as written by String. Another name
// is ErrOutOfRange.
func ParsePeriod(s string) (Period, error) {
	for p, name := range periodNames {
		if s == name {
			return Period(p), nil
		}
	}
	return 0, errorf(ErrOutOfRange, "period %q is not one of month, week, day, quarter, year", s)
}

// CohortOptions say how a cohort table cuts time.
type CohortOptions struct {
	Period   Period
	Location *time.Location // the calendar that cuts periods; nil means UTC
}

func (o CohortOptions) location() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

func (o CohortOptions) validate() error {
	if o.Period < Month || o.Period > Year {
		return errorf(ErrOutOfRange, "cohort period %d is not one of Month, Week, Day, Quarter, Year", int(o.Period))
	}
	return nil
}

// sameAs reports whether o and p cut time the same way. Locations compare
// by name, since two loads of one zone are different pointers.
func (o CohortOptions) sameAs(p CohortOptions) bool {
	return o.Period == p.Period && o.location().String() == p.location().String()
}

// index returns the number of the period that contains t, counted from a
// fixed origin, in the calendar of o's location. The calendar fields of t in
// that location decide, so a daylight-saving change never moves a boundary.
func (o CohortOptions) index(t time.Time) (int32, bool) {
	y, m, d := t.In(o.location()).Date()
	if y < 1 || y > 9999 {
		return 0, false
	}
	switch o.Period {
	case Week:
		// 1970-01-01 was a Thursday: day -3 is the Monday of week 0.
		return int32(floorDiv(daysFromCivil(y, int(m), d)+3, 7)), true
	case Day:
		return int32(daysFromCivil(y, int(m), d)), true
	case Quarter:
		return int32(y*4 + (int(m)-1)/3), true
	case Year:
		return int32(y), true
	}
	return int32(y*12 + int(m) - 1), true
}

// start returns the first instant of period i in o's location.
func (o CohortOptions) start(i int32) time.Time {
	loc, n := o.location(), int(i)
	switch o.Period {
	case Week:
		return time.Date(1970, time.January, 1+7*n-3, 0, 0, 0, 0, loc)
	case Day:
		return time.Date(1970, time.January, 1+n, 0, 0, 0, 0, loc)
	case Quarter:
		return time.Date(n/4, time.Month(n%4*3+1), 1, 0, 0, 0, 0, loc)
	case Year:
		return time.Date(n, time.January, 1, 0, 0, 0, 0, loc)
	}
	return time.Date(n/12, time.Month(n%12+1), 1, 0, 0, 0, 0, loc)
}

// daysFromCivil returns the days from 1970-01-01 to the proleptic Gregorian
// date y-m-d (Howard Hinnant's algorithm), for y >= 1.
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	doy := (153*((m+9)%12)+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// noPeriod marks a customer without a purchase yet.
const noPeriod = math.MaxInt32

// cohortCell is one customer's activity in one period: 16 bytes.
type cohortCell struct {
	period int32
	active bool  // a purchase (amount >= 0) fell in the period
	units  int64 // net revenue in 10^-scale units of the customer's scale
}

// cohortCustomer is what a CohortBuilder keeps per customer.
type cohortCustomer struct {
	first int32        // first period with a purchase; noPeriod if none
	scale int32        // the scale of every cell's units
	cells []cohortCell // sorted by period
	rest  map[int32]decimal.Decimal
	// rest holds, per period, revenue that did not fit in units (amounts
	// beyond 18 digits); nil while there is none.
}

// cell returns the customer's cell for period p, inserting it if needed.
// A customer has few cells and orders mostly arrive in time order, so a
// backward linear scan finds the place fastest.
func (c *cohortCustomer) cell(p int32) *cohortCell {
	i := len(c.cells)
	for i > 0 && c.cells[i-1].period > p {
		i--
	}
	if i > 0 && c.cells[i-1].period == p {
		return &c.cells[i-1]
	}
	c.cells = slices.Insert(c.cells, i, cohortCell{period: p})
	return &c.cells[i]
}

// addMoney adds amount to cell's revenue exactly.
func (c *cohortCustomer) addMoney(cell *cohortCell, amount decimal.Decimal) {
	if amount.IsZero() {
		return
	}
	if sc, ok := scaleOf(amount); ok {
		if sc > c.scale {
			c.rescale(sc)
		}
		if u, ok := unitsAt(amount, c.scale); ok {
			if s, ok := addInt64(cell.units, u); ok {
				cell.units = s
				return
			}
		}
	}
	c.addRest(cell.period, amount)
}

func (c *cohortCustomer) addRest(p int32, amount decimal.Decimal) {
	if c.rest == nil {
		c.rest = make(map[int32]decimal.Decimal)
	}
	c.rest[p] = c.rest[p].Add(amount)
}

// rescale moves every cell to the finer scale sc if all of them fit; it
// leaves them as they are otherwise.
func (c *cohortCustomer) rescale(sc int32) {
	k := sc - c.scale
	for _, cell := range c.cells {
		if _, ok := mulPow10(cell.units, k); !ok {
			return
		}
	}
	for i := range c.cells {
		c.cells[i].units *= pow10[k]
	}
	c.scale = sc
}

// CohortBuilder accumulates orders into a cohort retention table. Create one
// with [NewCohortBuilder]; the zero value is also ready, for monthly cohorts
// in UTC. Orders may arrive in any time order; builders fed on different
// shards combine with Merge.
//
// Memory grows with customers and their active periods, not with orders:
// about 150 bytes per customer plus 16 per period in which the customer was
// active (see BENCHMARKS.md), and no allocation per order once a customer and period are known.
// Sums of money are exact. A CohortBuilder is not safe for concurrent use.
type CohortBuilder struct {
	opts      CohortOptions
	currency  currencyGuard
	index     map[string]int32
	customers []cohortCustomer
}

// NewCohortBuilder returns an empty builder for opts. A Period other than
// the five constants is ErrOutOfRange.
func NewCohortBuilder(opts CohortOptions) (*CohortBuilder, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return &CohortBuilder{opts: opts}, nil
}

// Options returns the options the builder cuts time with.
func (b *CohortBuilder) Options() CohortOptions { return b.opts }

// Add adds one order or refund. A purchase (Amount >= 0) makes its customer
// active in its period and may start the customer's cohort; a refund only
// adds its (negative) revenue to the period it falls in. Errors as for
// [OrderStats.Add], and a time outside the years 1..9999 of the calendar is
// ErrOutOfRange; a rejected order leaves the builder unchanged.
func (b *CohortBuilder) Add(o Order) error {
	return b.add(o, -1)
}

func (b *CohortBuilder) add(o Order, at int) error {
	if err := validateOrder(o, at); err != nil {
		return err
	}
	if err := b.currency.check(o, at); err != nil {
		return err
	}
	p, ok := b.opts.index(o.Time)
	if !ok {
		return errorf(ErrOutOfRange, "%s at %s is outside the years 1..9999", orderRef(o, at), o.Time)
	}
	b.currency.accept(o.Currency)
	c := b.customer(o.CustomerID)
	cell := c.cell(p)
	if !o.IsRefund() {
		cell.active = true
		c.first = min(c.first, p)
	}
	c.addMoney(cell, o.Amount)
	return nil
}

func (b *CohortBuilder) customer(id string) *cohortCustomer {
	if i, ok := b.index[id]; ok {
		return &b.customers[i]
	}
	if b.index == nil {
		b.index = make(map[string]int32)
	}
	// Clone the ID so the builder does not keep a caller's larger buffer alive.
	b.index[strings.Clone(id)] = int32(len(b.customers))
	b.customers = append(b.customers, cohortCustomer{first: noPeriod})
	return &b.customers[len(b.customers)-1]
}

// Merge adds the orders accumulated in o to b, as if they had been added to
// b; o is not modified. The same customer may be in both. Builders with
// different options are ErrInconsistent, and in different currencies
// ErrCurrencyMismatch; either leaves b unchanged.
func (b *CohortBuilder) Merge(o *CohortBuilder) error {
	if o == nil {
		return nil
	}
	if !b.opts.sameAs(o.opts) {
		return errorf(ErrInconsistent, "merging %s cohorts in %s into %s cohorts in %s",
			o.opts.Period, o.opts.location(), b.opts.Period, b.opts.location())
	}
	if err := b.currency.merge(o.currency); err != nil {
		return err
	}
	if o == b {
		o = b.clone()
	}
	for id, i := range o.index {
		oc := &o.customers[i]
		c := b.customer(id)
		c.first = min(c.first, oc.first)
		for _, src := range oc.cells {
			dst := c.cell(src.period)
			dst.active = dst.active || src.active
			if src.units == 0 {
				continue
			}
			if oc.scale == c.scale {
				if s, ok := addInt64(dst.units, src.units); ok {
					dst.units = s
					continue
				}
			}
			c.addMoney(dst, decimal.New(src.units, -oc.scale))
		}
		for p, v := range oc.rest {
			c.addRest(p, v)
		}
	}
	return nil
}

func (b *CohortBuilder) clone() *CohortBuilder {
	c := *b
	c.index = make(map[string]int32, len(b.index))
	for k, v := range b.index {
		c.index[k] = v
	}
	c.customers = make([]cohortCustomer, len(b.customers))
	for i, cc := range b.customers {
		cc.cells = slices.Clone(cc.cells)
		if cc.rest != nil {
			rest := make(map[int32]decimal.Decimal, len(cc.rest))
			for p, v := range cc.rest {
				rest[p] = v
			}
			cc.rest = rest
		}
		c.customers[i] = cc
	}
	return &c
}

// maxCohortCells bounds the cells of a table (about 40 bytes each), so that
// a few orders decades apart cut by Day cannot exhaust memory.
const maxCohortCells = 1 << 22

// CohortRow is one cohort: the customers whose first purchase fell in the
// same period.
type CohortRow struct {
	Start   time.Time         // first instant of the cohort's period, in Location
	Size    int64             // customers whose first purchase is in this period
	Active  []int64           // Active[k]: of those, customers with a purchase k periods later; Active[0] == Size
	Revenue []decimal.Decimal // Revenue[k]: net revenue of those customers in period k (refunds included)
}

// CohortTable is a cohort retention table: one row per cohort, and per row
// one cell per period from the cohort's first period to the last period in
// the data, so the table is a triangle. Money is in the orders' currency.
type CohortTable struct {
	Period       Period
	Location     *time.Location
	Rows         []CohortRow     // sorted by Start; a period with no new customers has no row
	Unattributed decimal.Decimal // refunds before a customer's first purchase, or of customers with no purchase
}

// Table returns the cohort retention table of the orders added so far. The
// table is the caller's; the builder can go on taking orders. A builder
// without a purchase is ErrNoData. A table over ~4 million cells (orders
// decades apart cut by Day, say) is ErrOutOfRange: choose a longer Period.
func (b *CohortBuilder) Table() (*CohortTable, error) {
	last := int32(math.MinInt32)
	var firsts []int32
	for i := range b.customers {
		c := &b.customers[i]
		if c.first == noPeriod {
			continue
		}
		firsts = append(firsts, c.first)
		last = max(last, c.cells[len(c.cells)-1].period)
	}
	if len(firsts) == 0 {
		return nil, errorf(ErrNoData, "cohort table without a purchase")
	}
	slices.Sort(firsts)
	firsts = slices.Compact(firsts)
	var cells int64
	for _, f := range firsts {
		cells += int64(last) - int64(f) + 1
	}
	if cells > maxCohortCells {
		return nil, errorf(ErrOutOfRange, "cohort table of %d rows would have %d cells, over %d; use a longer period than %s",
			len(firsts), cells, maxCohortCells, b.opts.Period)
	}

	t := &CohortTable{Period: b.opts.Period, Location: b.opts.location(), Rows: make([]CohortRow, len(firsts))}
	sums := make([][]exactSum, len(firsts))
	for i, f := range firsts {
		n := last - f + 1
		t.Rows[i] = CohortRow{Start: b.opts.start(f), Active: make([]int64, n), Revenue: make([]decimal.Decimal, n)}
		sums[i] = make([]exactSum, n)
	}
	var unattributed exactSum
	for i := range b.customers {
		c := &b.customers[i]
		if c.first == noPeriod {
			for _, cell := range c.cells {
				unattributed.addUnits(cell.units, c.scale)
			}
			for _, v := range c.rest {
				unattributed.add(v)
			}
			continue
		}
		r, _ := slices.BinarySearch(firsts, c.first)
		row, sum := &t.Rows[r], sums[r]
		row.Size++
		for _, cell := range c.cells {
			k := cell.period - c.first
			if k < 0 {
				unattributed.addUnits(cell.units, c.scale)
				continue
			}
			if cell.active {
				row.Active[k]++
			}
			sum[k].addUnits(cell.units, c.scale)
		}
		for p, v := range c.rest {
			if k := p - c.first; k < 0 {
				unattributed.add(v)
			} else {
				sum[k].add(v)
			}
		}
	}
	for i := range t.Rows {
		for k := range sums[i] {
			t.Rows[i].Revenue[k] = sums[i][k].value()
		}
	}
	t.Unattributed = unattributed.value()
	return t, nil
}

// Cohorts returns the cohort retention table of orders (see
// [CohortBuilder]). Order errors name the index of the bad order.
func Cohorts(orders []Order, opts CohortOptions) (*CohortTable, error) {
	b, err := NewCohortBuilder(opts)
	if err != nil {
		return nil, err
	}
	for i, o := range orders {
		if err := b.add(o, i); err != nil {
			return nil, err
		}
	}
	return b.Table()
}

// Retention returns the share of the cohort active k periods after its
// first, as a fraction in [0, 1]:
//
//	Retention(k) = Active[k] / Size
//
// Retention(0) is 1. k outside the row is ErrOutOfRange; Size 0 is
// ErrNoData.
func (r CohortRow) Retention(k int) (decimal.Decimal, error) {
	if k < 0 || k >= len(r.Active) {
		return decimal.Decimal{}, errorf(ErrOutOfRange, "period %d not in 0..%d of the cohort", k, len(r.Active)-1)
	}
	if r.Size <= 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "retention of an empty cohort")
	}
	return ratio(r.Active[k], r.Size), nil
}

// CumulativeRevenuePerCustomer returns the cohort's net revenue from its
// first period through period k, per customer of the cohort, in the orders'
// currency:
//
//	sum of Revenue[0..k] / Size
//
// Read over k, it is the cohort's realised LTV curve. k outside the row is
// ErrOutOfRange; Size 0 is ErrNoData. Exact to 16 fractional digits.
func (r CohortRow) CumulativeRevenuePerCustomer(k int) (decimal.Decimal, error) {
	if k < 0 || k >= len(r.Revenue) {
		return decimal.Decimal{}, errorf(ErrOutOfRange, "period %d not in 0..%d of the cohort", k, len(r.Revenue)-1)
	}
	if r.Size <= 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "revenue per customer of an empty cohort")
	}
	return div(decimal.Sum(decimal.Zero, r.Revenue[:k+1]...), decimal.NewFromInt(r.Size)), nil
}

// AverageRetention returns the customer-weighted retention k periods after
// the first purchase over all cohorts old enough to have a k-th period, as a
// fraction in [0, 1]:
//
//	AverageRetention(k) = sum of Active[k] / sum of Size, over rows with a k-th cell
//
// Weighting by customers keeps a small cohort from moving the average as
// much as a large one. k < 0 is ErrOutOfRange; no row with a k-th cell is
// ErrNoData.
func (t *CohortTable) AverageRetention(k int) (decimal.Decimal, error) {
	if k < 0 {
		return decimal.Decimal{}, errorf(ErrOutOfRange, "period %d below 0", k)
	}
	var active, size int64
	for _, r := range t.Rows {
		if k < len(r.Active) {
			active += r.Active[k]
			size += r.Size
		}
	}
	if size == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "no cohort reaches period %d", k)
	}
	return ratio(active, size), nil
}
