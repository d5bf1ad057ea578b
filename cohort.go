package cxmetrics

import (
	"cmp"
	"encoding/json"
	"math"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// noPeriod marks a customer without a purchase yet.
const noPeriod = math.MaxInt32

// cohortCell is one customer's activity in one period. It is 12 bytes on
// purpose. The period number (days or weeks since 1970, months, quarters
// or years since year 0; for the years 1..9999 any of them lies between
// -719,162 and 2,932,896, so it fits 23 bits) is shifted left by one, and
// the freed bit says whether a purchase fell in the period. The period's
// net revenue is int64 units at the customer's scale, held as two 32-bit
// halves so that the cell needs no 8-byte alignment. A customer active in
// 8 periods costs 96 bytes of cells, a quarter less than the 128 of the
// plain layout (13 bytes of fields padded to 16). Revenue that does not
// fit in int64 units lives in the customer's rest table, exactly.
type cohortCell struct {
	key int32  // period << 1 | 1 if a purchase (amount >= 0) fell in it
	lo  uint32 // net revenue in 10^-scale units of the customer's scale: low half
	hi  int32  // and high half
}

// newCell returns the empty cell of period p.
func newCell(p int32) cohortCell { return cohortCell{key: p << 1} }

func (c *cohortCell) period() int32 { return c.key >> 1 }
func (c *cohortCell) active() bool  { return c.key&1 != 0 }

// markActive records a purchase in the cell's period.
func (c *cohortCell) markActive() { c.key |= 1 }

// units returns the cell's revenue in units of the customer's scale.
func (c *cohortCell) units() int64 { return int64(c.hi)<<32 | int64(c.lo) }

func (c *cohortCell) setUnits(u int64) { c.lo, c.hi = uint32(u), int32(u>>32) }

// cohortCustomer is what a CohortBuilder keeps per customer.
type cohortCustomer struct {
	first int32        // first period with a purchase; noPeriod if none
	scale int32        // the scale of every cell's units
	cells []cohortCell // sorted by period, unless byPeriod is set
	// byPeriod indexes the cells of a customer active in more than
	// cellIndexFrom periods, which are then kept in arrival order: a
	// sorted insert would cost time proportional to the cells for each new
	// period, quadratic for years of daily periods arriving out of order.
	byPeriod map[int32]int32
	rest     map[int32]decimal.Decimal
	// rest holds, per period, revenue that did not fit in units (amounts
	// beyond 18 digits); nil while there is none.
}

// cellIndexFrom is the number of cells from which a customer's cells are
// indexed by period rather than kept sorted.
const cellIndexFrom = 64

// cell returns the customer's cell for period p, inserting it if needed,
// with room taken from pool. A customer has few cells and orders mostly
// arrive in time order, so a backward linear scan finds the place fastest;
// past cellIndexFrom cells a map finds it in constant time whatever the
// order.
func (c *cohortCustomer) cell(p int32, pool *cellPool) *cohortCell {
	if c.byPeriod != nil {
		if i, ok := c.byPeriod[p]; ok {
			return &c.cells[i]
		}
		c.byPeriod[p] = int32(len(c.cells))
		c.cells = append(c.cells, newCell(p))
		return &c.cells[len(c.cells)-1]
	}
	i := len(c.cells)
	for i > 0 && c.cells[i-1].period() > p {
		i--
	}
	if i > 0 && c.cells[i-1].period() == p {
		return &c.cells[i-1]
	}
	if len(c.cells) >= cellIndexFrom {
		c.byPeriod = make(map[int32]int32, 2*len(c.cells))
		for k, cell := range c.cells {
			c.byPeriod[cell.period()] = int32(k)
		}
		return c.cell(p, pool)
	}
	if len(c.cells) == cap(c.cells) {
		grown := pool.alloc(max(2, 2*len(c.cells)))
		c.cells = append(grown, c.cells...)
	}
	c.cells = slices.Insert(c.cells, i, newCell(p))
	return &c.cells[i]
}

// cellPool hands out room for customers' cells from large pointer-free
// chunks, instead of one allocation per customer and growth: fewer
// allocations, nothing for the garbage collector to scan, and cells that
// lie in customer order after a compaction. A customer whose cells outgrow
// their room moves to new room and leaves the old room unused until the
// next compaction.
type cellPool struct {
	chunk   []cohortCell // the current chunk's free room
	size    int          // the current chunk's size
	handed  int          // cells handed out since the last compaction
	compact int          // cells live at the last compaction
}

// poolChunk is the most cells of one chunk: 1 MiB.
const poolChunk = 1 << 16

// alloc returns an empty slice with room for n cells.
func (p *cellPool) alloc(n int) []cohortCell {
	p.handed += n
	if n > poolChunk/4 {
		return make([]cohortCell, 0, n)
	}
	if len(p.chunk) < n {
		// Chunks start small, for small builders, and double up to
		// poolChunk.
		p.size = min(max(2*p.size, 256, n), poolChunk)
		p.chunk = make([]cohortCell, p.size)
	}
	room := p.chunk[:0:n]
	p.chunk = p.chunk[n:]
	return room
}

// compactCells moves every customer's cells into fresh room, in customer
// order, once the room handed out since the last compaction exceeds twice
// the cells live then: the copy costs O(1) per cell handed out. Each
// customer gets room for half as many cells again as it has, so that its
// next new periods do not move it at once (with exact room, every customer
// given a period after a compaction moved to twice its room, and the
// abandoned room made BenchmarkCohortBuilder's builder 16% larger: 406
// against 351 B a customer, for the same allocation and time). The room
// never exceeds about 3.5 times the live cells: 1.5 after a compaction and
// 2 handed out since.
func (b *CohortBuilder) compactCells() {
	p := &b.pool
	if p.handed <= 2*p.compact+poolChunk {
		return
	}
	*p = cellPool{}
	live := 0
	b.customers.each(func(_ int32, c *cohortCustomer) {
		if n := len(c.cells); c.byPeriod == nil && n > 0 {
			c.cells = append(p.alloc(n+n/2), c.cells...)
			live += n
		}
	})
	p.compact, p.handed = live, 0
}

// ordered returns the customer's cells sorted by period: its own slice, or
// a sorted copy for an indexed customer. The caller must not modify it.
func (c *cohortCustomer) ordered() []cohortCell {
	if c.byPeriod == nil {
		return c.cells
	}
	out := slices.Clone(c.cells)
	slices.SortFunc(out, func(a, b cohortCell) int { return cmp.Compare(a.key, b.key) })
	return out
}

// lastPeriod returns the latest period with a cell; the customer has one.
func (c *cohortCustomer) lastPeriod() int32 {
	if c.byPeriod == nil {
		return c.cells[len(c.cells)-1].period()
	}
	last := c.cells[0].period()
	for _, cell := range c.cells {
		last = max(last, cell.period())
	}
	return last
}

// addMoney adds amount to cell's revenue exactly: in units when they can
// hold it (moving every cell to a finer scale first if the amount needs
// one and they all fit), else in the rest table.
func (c *cohortCustomer) addMoney(cell *cohortCell, amount decimal.Decimal) {
	if amount.IsZero() {
		return
	}
	if sc, ok := scaleOf(amount); ok && sc > c.scale {
		c.rescale(sc)
	}
	u := cell.units()
	if addUnits(&u, c.scale, amount) {
		cell.setUnits(u)
		return
	}
	if c.rest == nil {
		c.rest = make(map[int32]decimal.Decimal)
	}
	c.rest[cell.period()] = c.rest[cell.period()].Add(amount)
}

// rescale moves every cell to the finer scale sc if all of them fit; it
// leaves them as they are otherwise.
func (c *cohortCustomer) rescale(sc int32) {
	k := sc - c.scale
	for _, cell := range c.cells {
		if _, ok := mulPow10(cell.units(), k); !ok {
			return
		}
	}
	for i := range c.cells {
		c.cells[i].setUnits(c.cells[i].units() * pow10[k])
	}
	c.scale = sc
}

// revenue returns the exact net revenue of cell.
func (c *cohortCustomer) revenue(cell cohortCell) decimal.Decimal {
	v := decimal.New(cell.units(), -c.scale)
	if r, ok := c.rest[cell.period()]; ok {
		v = v.Add(r)
	}
	return v
}

// CohortBuilder accumulates orders into a cohort retention table. Create one
// with [NewCohortBuilder]; the zero value is also ready, for monthly cohorts
// in UTC. Orders may arrive in any time order; builders fed on different
// shards combine with Merge. It follows the package's accumulator contract
// (see the package doc); its settings are its [CohortOptions] and the
// currency of its first order.
//
// Memory grows with customers and their active periods, not with orders:
// each customer has an index slot, its ID and its state, and 12 to 24
// bytes per period in which it was active (cells come from pooled chunks,
// where growth leaves room behind until a compaction); orders wait in a
// batch as in OrderStats (6 to 24 MB). At 100,000 customers active in 8
// periods each, that is about 350 bytes per customer, batch included (see
// BENCHMARKS.md). There is no allocation per order once a customer and
// period are known. Sums of money are exact. A CohortBuilder
// is not safe for concurrent use, not even for reading: reading folds the
// pending batch.
type CohortBuilder struct {
	opts      CohortOptions
	zone      string // the identity of opts' location; "" for the zero value's UTC
	currency  currencyGuard
	customers customerTable[cohortCustomer]
	periods   periodTally // orders and refunds per period, for the series
	cal       calendar    // opts' calendar, once calReady
	calReady  bool

	// Add records an order as an event and folds events into the
	// customers' cells in batches (see orderBatch and flush): the cells of
	// 100,000 customers do not fit in the cache, and visiting them in
	// customer order rather than in order order turns a cache miss per
	// order into a walk.
	batch orderBatch
	pool  cellPool // room for the customers' cells
}

// periodCount counts the orders and refunds of one period.
type periodCount struct{ orders, refunds int64 }

// NewCohortBuilder returns an empty builder for opts. A Period other than
// the five constants is ErrOutOfRange, and so is a Location without a
// portable identity: time.Local (unless it is a fixed offset), a zone whose
// name the IANA database gives other rules, or a fixed offset of 24 hours or
// more. Two builders cut time alike when their periods are equal and their
// locations have the same identity (see [CohortBuilder.MarshalJSON]).
func NewCohortBuilder(opts CohortOptions) (*CohortBuilder, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	zone, err := zoneIdentity(opts.location())
	if err != nil {
		return nil, err
	}
	return &CohortBuilder{opts: opts, zone: zone}, nil
}

// zoneID returns the identity of the builder's location.
func (b *CohortBuilder) zoneID() string {
	if b.zone == "" {
		return "UTC"
	}
	return b.zone
}

// Options returns the options the builder cuts time with.
func (b *CohortBuilder) Options() CohortOptions { return b.opts }

// Currency returns the currency of the orders added, "" if none was given
// or no order was added yet.
func (b *CohortBuilder) Currency() string { return b.currency.code }

// Add adds one order or refund. A purchase (Amount >= 0) makes its customer
// active in its period and may start the customer's cohort; a refund only
// adds its (negative) revenue to the period it falls in. Errors as for
// [OrderStats.Add], and a time outside the years 1..9999 of the calendar is
// ErrOutOfRange; a rejected order leaves the builder unchanged.
func (b *CohortBuilder) Add(o Order) error {
	return b.add(&o, -1)
}

func (b *CohortBuilder) add(o *Order, at int) error {
	if err := b.currency.admit(o, at); err != nil {
		return err
	}
	if !b.calReady {
		b.cal, b.calReady = newCalendar(b.opts), true
	}
	p, ok := b.cal.index(o.Time)
	if !ok {
		return errorf(ErrOutOfRange, "%s at %s is outside the years 1..9999", orderRef(o, at), o.Time)
	}
	pc := b.periods.at(p)
	if pc.orders == math.MaxInt64 || pc.refunds == math.MaxInt64 {
		return errorf(ErrOutOfRange, "%s: the builder already holds %d orders and %d refunds in its period", orderRef(o, at), pc.orders, pc.refunds)
	}
	if o.IsRefund() {
		pc.refunds++
	} else {
		pc.orders++
	}
	b.periods.set(p, pc)
	b.currency.accept(o.Currency)
	ev := b.batch.newEvent(o.Amount, o.Time)
	ev.period = p
	if b.batch.add(o.CustomerID, b.customers.hash(o.CustomerID), ev) {
		b.flush()
	}
	return nil
}

// flush folds the pending events into the customers' cells, in customer
// order: a radix sort on the customer number, then one visit per customer.
func (b *CohortBuilder) flush() {
	if !b.batch.pending() {
		return
	}
	events := resolve(&b.batch, &b.customers, cohortCustomer{first: noPeriod})
	for i := 0; i < len(events); {
		c := b.customers.row(events[i].customer)
		j := i
		for ; j < len(events) && events[j].customer == events[i].customer; j++ {
			ev := &events[j]
			cell := c.cell(ev.period, &b.pool)
			if ev.flags&eventActive != 0 {
				cell.markActive()
				c.first = min(c.first, ev.period)
			}
			if ev.flags&eventBig != 0 {
				c.addMoney(cell, b.batch.bigs[ev.units])
			} else {
				c.addScaledUnits(cell, ev.units, int32(ev.scale))
			}
		}
		i = j
	}
	b.batch.reset()
	b.compactCells()
}

// addScaledUnits adds u × 10^-sc to cell's revenue exactly, as addMoney
// does for a decimal.
func (c *cohortCustomer) addScaledUnits(cell *cohortCell, u int64, sc int32) {
	if u == 0 {
		return
	}
	if sc > c.scale {
		c.rescale(sc)
	}
	if sc <= c.scale {
		if v, ok := mulPow10(u, c.scale-sc); ok {
			if sum, ok := addInt64(cell.units(), v); ok {
				cell.setUnits(sum)
				return
			}
		}
	}
	if c.rest == nil {
		c.rest = make(map[int32]decimal.Decimal)
	}
	c.rest[cell.period()] = c.rest[cell.period()].Add(decimal.New(u, -sc))
}

func (b *CohortBuilder) customer(id string) *cohortCustomer {
	c, _ := b.customers.get(id, cohortCustomer{first: noPeriod})
	return c
}

// Merge adds the orders accumulated in o to b, as if they had been added to
// b; o is not modified, nil o is a no-op and b.Merge(b) counts everything
// twice. The same customer may be in both. An empty o is a no-op whatever
// its options, and an empty b takes o's options and currency; two non-empty
// builders with different options are ErrInconsistent, and in different
// currencies ErrCurrencyMismatch; either leaves b unchanged.
func (b *CohortBuilder) Merge(o *CohortBuilder) error {
	if o == nil {
		return nil
	}
	b.flush()
	o.flush()
	if o.customers.empty() {
		return nil
	}
	if b.customers.empty() {
		b.opts, b.zone, b.currency, b.calReady = o.opts, o.zone, o.currency, false
	}
	if b.opts.Period != o.opts.Period || b.zoneID() != o.zoneID() {
		return errorf(ErrInconsistent, "merging %s cohorts in %s into %s cohorts in %s",
			o.opts.Period, o.zoneID(), b.opts.Period, b.zoneID())
	}
	if err := b.currency.compatible(o.currency); err != nil {
		return err
	}
	overflow := false
	o.periods.each(func(p int32, opc periodCount) {
		pc := b.periods.at(p)
		overflow = overflow || pc.orders > math.MaxInt64-opc.orders || pc.refunds > math.MaxInt64-opc.refunds
	})
	if overflow {
		return errorf(ErrOutOfRange, "merging the counts of a period overflows int64")
	}
	if o == b {
		o = b.clone()
	}
	o.periods.each(func(p int32, opc periodCount) {
		pc := b.periods.at(p)
		b.periods.set(p, periodCount{pc.orders + opc.orders, pc.refunds + opc.refunds})
	})
	for i := range int32(o.customers.len()) {
		oc := o.customers.row(i)
		c := b.customer(o.customers.id(i))
		c.first = min(c.first, oc.first)
		for _, src := range oc.cells {
			dst := c.cell(src.period(), &b.pool)
			if src.active() {
				dst.markActive()
			}
			if src.units() == 0 {
				continue
			}
			if oc.scale == c.scale {
				if sum, ok := addInt64(dst.units(), src.units()); ok {
					dst.setUnits(sum)
					continue
				}
			}
			c.addMoney(dst, decimal.New(src.units(), -oc.scale))
		}
		for p, v := range oc.rest {
			c.addMoney(c.cell(p, &b.pool), v)
		}
	}
	return nil
}

// clone returns an independent copy, with its events folded.
func (b *CohortBuilder) clone() *CohortBuilder {
	c := *b
	c.batch = b.batch.clone()
	c.pool = cellPool{} // b's free room is b's
	c.customers = b.customers.clone(func(cc cohortCustomer) cohortCustomer {
		cc.cells = slices.Clone(cc.cells)
		if cc.byPeriod != nil {
			byPeriod := make(map[int32]int32, len(cc.byPeriod))
			for p, i := range cc.byPeriod {
				byPeriod[p] = i
			}
			cc.byPeriod = byPeriod
		}
		if cc.rest != nil {
			rest := make(map[int32]decimal.Decimal, len(cc.rest))
			for p, v := range cc.rest {
				rest[p] = v
			}
			cc.rest = rest
		}
		return cc
	})
	c.periods = b.periods.clone()
	c.flush()
	return &c
}

// foldedCopy returns a builder with b's orders and no pending event,
// without changing b: b when nothing is pending, else a folded clone. The
// value-receiver encoders use it, since a value shares b's slices and must
// not fold them.
func foldedCopy(b *CohortBuilder) *CohortBuilder {
	if !b.batch.pending() {
		return b
	}
	return b.clone()
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
	b.flush()
	firsts, last := b.cohortPeriods()
	if len(firsts) == 0 {
		return nil, errorf(ErrNoData, "cohort table without a purchase")
	}
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
	b.customers.each(func(_ int32, c *cohortCustomer) { c.addTo(t.Rows, sums, firsts, &unattributed) })
	for i := range t.Rows {
		for k := range sums[i] {
			t.Rows[i].Revenue[k] = sums[i][k].value()
		}
	}
	t.Unattributed = unattributed.value()
	return t, nil
}

// cohortPeriods returns the sorted distinct first periods of the customers
// with a purchase, and the last period with a cell of any of them.
func (b *CohortBuilder) cohortPeriods() (firsts []int32, last int32) {
	last = math.MinInt32
	b.customers.each(func(_ int32, c *cohortCustomer) {
		if c.first != noPeriod {
			firsts = append(firsts, c.first)
			last = max(last, c.lastPeriod())
		}
	})
	slices.Sort(firsts)
	return slices.Compact(firsts), last
}

// addTo adds the customer to the row of their cohort (revenue into sums),
// or their revenue to unattributed when it falls before their first
// purchase or they have none.
func (c *cohortCustomer) addTo(rows []CohortRow, sums [][]exactSum, firsts []int32, unattributed *exactSum) {
	var row *CohortRow
	var sum []exactSum
	if c.first != noPeriod {
		r, _ := slices.BinarySearch(firsts, c.first)
		row, sum = &rows[r], sums[r]
		row.Size++
	}
	for _, cell := range c.cells {
		k := int64(cell.period()) - int64(c.first)
		if row == nil || k < 0 {
			unattributed.addScaled(cell.units(), c.scale)
			continue
		}
		if cell.active() {
			row.Active[k]++
		}
		sum[k].addScaled(cell.units(), c.scale)
	}
	for p, v := range c.rest {
		if k := int64(p) - int64(c.first); row == nil || k < 0 {
			unattributed.add(v)
		} else {
			sum[k].add(v)
		}
	}
}

// Cohorts returns the cohort retention table of orders (see
// [CohortBuilder]). Order errors name the index of the bad order.
func Cohorts(orders []Order, opts CohortOptions) (*CohortTable, error) {
	b, err := builderOf(orders, opts)
	if err != nil {
		return nil, err
	}
	return b.Table()
}

// builderOf feeds orders to a new builder, naming the index of a bad one.
func builderOf(orders []Order, opts CohortOptions) (*CohortBuilder, error) {
	b, err := NewCohortBuilder(opts)
	if err != nil {
		return nil, err
	}
	for i := range orders {
		if err := b.add(&orders[i], i); err != nil {
			return nil, err
		}
	}
	return b, nil
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

// cohortCellData is one decoded or encoded cell.
type cohortCellData struct {
	period  int32
	active  bool
	revenue decimal.Decimal
}

// addDecoded adds a decoded customer to b, checking the cells as Add would
// have produced them: an empty or repeated ID, or periods not increasing,
// is ErrInconsistent; a period Add cannot produce, or a revenue beyond what
// bounded amounts add up to, ErrOutOfRange.
func (b *CohortBuilder) addDecoded(id string, cells []cohortCellData) error {
	if id == "" || !utf8.ValidString(id) {
		return errorf(ErrInconsistent, "cohort builder: customer ID %s is empty or not valid UTF-8", quote(id))
	}
	if _, dup := b.customers.lookup(id); dup {
		return errorf(ErrInconsistent, "cohort builder: customer %s appears twice", quote(id))
	}
	lo, hi := b.opts.Period.indexRange()
	c := b.customer(id)
	for k, cell := range cells {
		if k > 0 && cell.period <= cells[k-1].period {
			return errorf(ErrInconsistent, "cohort builder: periods of customer %s are not increasing", quote(id))
		}
		if cell.period < lo || cell.period > hi {
			return errorf(ErrOutOfRange, "cohort builder: period %d of customer %s is outside the years 1..9999 (%d..%d)", cell.period, quote(id), lo, hi)
		}
		if !cell.active && !cell.revenue.IsNegative() {
			return errorf(ErrInconsistent, "cohort builder: customer %s has a period of refunds only with revenue %s", quote(id), shortDecimal(cell.revenue))
		}
		dst := c.cell(cell.period, &b.pool)
		if cell.active {
			dst.markActive()
			c.first = min(c.first, cell.period)
		}
		c.addMoney(dst, cell.revenue)
	}
	return nil
}

// periodCountData is one decoded period's counts.
type periodCountData struct {
	period          int32
	orders, refunds int64
}

// setDecodedPeriods sets the decoded counts of orders and refunds per
// period, after the customers, checking them against the cells: every
// period with a cell has counts and no other; a period has at least as many
// orders as customers active in it and as many refunds as customers with
// only refunds in it.
func (b *CohortBuilder) setDecodedPeriods(counts []periodCountData) error {
	active, refundsOnly := map[int32]int64{}, map[int32]int64{}
	b.customers.each(func(_ int32, c *cohortCustomer) {
		for _, cell := range c.cells {
			if cell.active() {
				active[cell.period()]++
			} else {
				refundsOnly[cell.period()]++
			}
		}
	})
	b.periods = periodTally{}
	for i, pc := range counts {
		if i > 0 && pc.period <= counts[i-1].period {
			return errorf(ErrInconsistent, "cohort builder: period counts are not in increasing order")
		}
		if pc.orders < 0 || pc.refunds < 0 {
			return errorf(ErrNegative, "cohort builder: period %d has %d orders and %d refunds", pc.period, pc.orders, pc.refunds)
		}
		if pc.orders < active[pc.period] || pc.refunds < refundsOnly[pc.period] || active[pc.period]+refundsOnly[pc.period] == 0 {
			return errorf(ErrInconsistent, "cohort builder: period %d counts %d orders and %d refunds for %d active customers and %d with refunds only",
				pc.period, pc.orders, pc.refunds, active[pc.period], refundsOnly[pc.period])
		}
		b.periods.set(pc.period, periodCount{pc.orders, pc.refunds})
	}
	for _, m := range []map[int32]int64{active, refundsOnly} {
		for p := range m {
			if pc := b.periods.at(p); pc.orders == 0 && pc.refunds == 0 {
				return errorf(ErrInconsistent, "cohort builder: period %d has customers but no counts", p)
			}
		}
	}
	return nil
}

// sortedPeriods returns the counts per period in period order.
func (b *CohortBuilder) sortedPeriods() []periodCountData {
	var out []periodCountData
	b.periods.each(func(p int32, pc periodCount) { out = append(out, periodCountData{p, pc.orders, pc.refunds}) })
	return out
}

type cellJSON struct {
	Period  int32  `json:"period"`
	Active  bool   `json:"active"`
	Revenue string `json:"revenue"`
}

type cohortCustomerJSON struct {
	ID    string     `json:"id"`
	Cells []cellJSON `json:"cells"`
}

type periodJSON struct {
	Period  int32 `json:"period"`
	Orders  int64 `json:"orders"`
	Refunds int64 `json:"refunds"`
}

type cohortBuilderJSON struct {
	Period    string               `json:"period"`
	Location  string               `json:"location"`
	Currency  *string              `json:"currency"`
	Customers []cohortCustomerJSON `json:"customers"`
	Periods   []periodJSON         `json:"periods"`
}

// MarshalJSON encodes the builder's options and, per customer sorted by ID,
// the net revenue and activity of each period in which the customer had an
// order or refund. The location is written as its identity: "UTC" for a
// zone that is always UTC, a fixed offset as "+05:30" (with seconds when it
// has them, as local mean time does), otherwise the IANA name; decoding
// gives back a location with the same rules on any machine. Period numbers count calendar periods from a fixed origin
// (months since year 0, days since 1970-01-01, …): they are meant for
// UnmarshalJSON, not for reading. Value receiver, so that json.Marshal of a
// value never gives {}.
func (b CohortBuilder) MarshalJSON() ([]byte, error) {
	return foldedCopy(&b).marshalJSON()
}

func (b *CohortBuilder) marshalJSON() ([]byte, error) {
	j := cohortBuilderJSON{
		Period: b.opts.Period.String(), Location: b.zoneID(),
		Customers: make([]cohortCustomerJSON, 0, b.customers.len()),
	}
	if b.currency.set {
		j.Currency = &b.currency.code
	}
	for _, n := range b.customers.sorted() {
		c := b.customers.row(n)
		cj := cohortCustomerJSON{ID: b.customers.id(n), Cells: make([]cellJSON, len(c.cells))}
		for k, cell := range c.ordered() {
			cj.Cells[k] = cellJSON{Period: cell.period(), Active: cell.active(), Revenue: c.revenue(cell).String()}
		}
		j.Customers = append(j.Customers, cj)
	}
	j.Periods = []periodJSON{}
	for _, pc := range b.sortedPeriods() {
		j.Periods = append(j.Periods, periodJSON{pc.period, pc.orders, pc.refunds})
	}
	return json.Marshal(j)
}

// newDecodedCohortBuilder returns an empty builder for a decoded header.
func newDecodedCohortBuilder(p Period, location string, currency *string) (*CohortBuilder, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	loc, err := zoneFromIdentity(location)
	if err != nil {
		return nil, err
	}
	out := &CohortBuilder{opts: CohortOptions{Period: p, Location: loc}, zone: location}
	if out.currency, err = decodedCurrency(currency, "cohort builder"); err != nil {
		return nil, err
	}
	return out, nil
}

// UnmarshalJSON decodes a builder written by MarshalJSON, replacing b. An
// unknown period or time zone is ErrOutOfRange; a duplicate or empty
// customer ID, or cells out of order, is ErrInconsistent; see addDecoded for
// the other checks. On error b is unchanged.
func (b *CohortBuilder) UnmarshalJSON(data []byte) error {
	var j cohortBuilderJSON
	if err := decodeJSON(data, &j, "a cohort builder"); err != nil {
		return err
	}
	p, err := ParsePeriod(j.Period)
	if err != nil {
		return err
	}
	out, err := newDecodedCohortBuilder(p, j.Location, j.Currency)
	if err != nil {
		return err
	}
	for _, cj := range j.Customers {
		cells := make([]cohortCellData, len(cj.Cells))
		for k, cell := range cj.Cells {
			rev, err := parseJSONDecimal(cell.Revenue, "cohort builder: revenue of customer "+quote(cj.ID), 1)
			if err != nil {
				return err
			}
			cells[k] = cohortCellData{period: cell.Period, active: cell.Active, revenue: rev}
		}
		if err := out.addDecoded(cj.ID, cells); err != nil {
			return err
		}
	}
	counts := make([]periodCountData, len(j.Periods))
	for i, pj := range j.Periods {
		counts[i] = periodCountData{pj.Period, pj.Orders, pj.Refunds}
	}
	if err := out.setDecodedPeriods(counts); err != nil {
		return err
	}
	*b = *out
	return nil
}

// MarshalBinary encodes the builder in the package's compact binary form:
// period, time zone and currency, then per customer sorted by ID the ID and
// its cells (the first period, then increments; activity; revenue). Value
// receiver, as MarshalJSON.
func (b CohortBuilder) MarshalBinary() ([]byte, error) {
	return foldedCopy(&b).marshalBinary()
}

func (b *CohortBuilder) marshalBinary() ([]byte, error) {
	e := newEncoder(tagCohortBuilder)
	e.uvarint(uint64(b.opts.Period))
	e.str(b.zoneID())
	e.bool(b.currency.set)
	e.str(b.currency.code)
	e.uvarint(uint64(b.customers.len()))
	for _, n := range b.customers.sorted() {
		c := b.customers.row(n)
		e.str(b.customers.id(n))
		cells := c.ordered()
		e.uvarint(uint64(len(cells)))
		for k, cell := range cells {
			e.period(k, cell.period(), func() int32 { return cells[k-1].period() })
			e.bool(cell.active())
			e.decimal(c.revenue(cell))
		}
	}
	periods := b.sortedPeriods()
	e.uvarint(uint64(len(periods)))
	for k, pc := range periods {
		e.period(k, pc.period, func() int32 { return periods[k-1].period })
		e.uvarint(uint64(pc.orders))
		e.uvarint(uint64(pc.refunds))
	}
	return e.b, nil
}

// UnmarshalBinary decodes a builder written by MarshalBinary, replacing b,
// with the checks of UnmarshalJSON; on error b is unchanged.
func (b *CohortBuilder) UnmarshalBinary(data []byte) error {
	d := newDecoder(data, tagCohortBuilder, "a cohort builder")
	p := d.uvarint()
	location := d.str()
	set, code := d.bool(), d.str()
	if d.err != nil {
		return d.err
	}
	if p > uint64(Year) {
		return errorf(ErrOutOfRange, "decoding a cohort builder: period %d", p)
	}
	var currency *string
	if set {
		currency = &code
	} else if code != "" {
		return errorf(ErrInconsistent, "decoding a cohort builder: a currency %s that is not set", quote(code))
	}
	out, err := newDecodedCohortBuilder(Period(p), location, currency)
	if err != nil {
		return err
	}
	n := d.count(3) // ID length, ID, cell count
	var prevID string
	for i := 0; i < n && d.err == nil; i++ {
		id := d.str()
		cells := make([]cohortCellData, d.count(5)) // period, active, revenue
		var period int64
		for k := range cells {
			cells[k] = cohortCellData{period: d.period(k, &period), active: d.bool(), revenue: d.decimal(1, "revenue")}
		}
		if d.err == nil {
			if i > 0 && id <= prevID {
				d.fail("customers are not sorted by ID")
				break
			}
			prevID = id
			d.setErrIf(out.addDecoded(id, cells))
		}
	}
	counts := make([]periodCountData, d.count(3))
	var period int64
	for k := range counts {
		counts[k] = periodCountData{period: d.period(k, &period), orders: d.int64(), refunds: d.int64()}
	}
	if err := d.end(); err != nil {
		return err
	}
	if err := out.setDecodedPeriods(counts); err != nil {
		return err
	}
	*b = *out
	return nil
}

// periodTally counts the orders and refunds of each period: in a slice
// from the first period seen while the periods span fewer than denseSpan
// (an array index per order instead of a map lookup), in a map beyond.
type periodTally struct {
	base   int32
	dense  []periodCount
	sparse map[int32]periodCount // nil while dense serves
}

const denseSpan = 1 << 16

// at returns the counts of period p, zero if it has none.
func (t *periodTally) at(p int32) periodCount {
	if t.sparse != nil {
		return t.sparse[p]
	}
	if i := int64(p) - int64(t.base); i >= 0 && i < int64(len(t.dense)) {
		return t.dense[i]
	}
	return periodCount{}
}

// ref returns the counts of period p to update, making room for it.
func (t *periodTally) ref(p int32) *periodCount {
	if t.sparse == nil {
		if t.dense == nil {
			t.base, t.dense = p, make([]periodCount, 1, 64)
			return &t.dense[0]
		}
		lo, hi := min(int64(t.base), int64(p)), max(int64(t.base)+int64(len(t.dense))-1, int64(p))
		switch {
		case hi-lo+1 > denseSpan:
			sparse := make(map[int32]periodCount, len(t.dense))
			t.each(func(q int32, pc periodCount) { sparse[q] = pc })
			t.sparse, t.dense = sparse, nil
		case p < t.base:
			// Grow to the left with room to spare, so periods arriving
			// backwards cost amortized constant time.
			room := max(int64(len(t.dense)), int64(t.base)-int64(p))
			newBase := int64(t.base) - room
			if span := hi - newBase + 1; span > denseSpan {
				newBase = lo
			}
			grown := make([]periodCount, int(hi-newBase+1))
			copy(grown[int64(t.base)-newBase:], t.dense)
			t.base, t.dense = int32(newBase), grown
		case int64(p) >= int64(t.base)+int64(len(t.dense)):
			t.dense = append(t.dense, make([]periodCount, int64(p)-int64(t.base)-int64(len(t.dense))+1)...)
		}
	}
	if t.sparse != nil {
		return nil // a map's value cannot be pointed at: set writes it
	}
	return &t.dense[p-t.base]
}

// set sets the counts of period p.
func (t *periodTally) set(p int32, pc periodCount) {
	if r := t.ref(p); r != nil {
		*r = pc
		return
	}
	t.sparse[p] = pc
}

// each calls f for every period with counts, in period order.
func (t *periodTally) each(f func(p int32, pc periodCount)) {
	if t.sparse != nil {
		keys := make([]int32, 0, len(t.sparse))
		for p := range t.sparse {
			keys = append(keys, p)
		}
		slices.Sort(keys)
		for _, p := range keys {
			f(p, t.sparse[p])
		}
		return
	}
	for i, pc := range t.dense {
		if pc.orders != 0 || pc.refunds != 0 {
			f(t.base+int32(i), pc)
		}
	}
}

// empty reports whether no period has counts.
func (t *periodTally) empty() bool {
	empty := true
	t.each(func(int32, periodCount) { empty = false })
	return empty
}

// clone returns an independent copy.
func (t *periodTally) clone() periodTally {
	c := periodTally{base: t.base, dense: slices.Clone(t.dense)}
	if t.sparse != nil {
		c.sparse = make(map[int32]periodCount, len(t.sparse))
		for p, pc := range t.sparse {
			c.sparse[p] = pc
		}
	}
	return c
}
