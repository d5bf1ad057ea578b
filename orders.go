package cxmetrics

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cxmetrics/cxmetrics/internal/civil"
	"github.com/shopspring/decimal"
)

// Order is one purchase, or one refund, by a customer.
//
// A negative Amount is a refund or credit note: it counts in revenue, which
// is therefore net revenue, but it is not an order and not purchase
// activity. It does not count toward order counts, repeat purchases, a
// customer's first or last purchase, or cohort activity. A zero Amount is an
// order (a free sample, a fully discounted basket).
//
// The accumulators do not de-duplicate: an order added twice counts twice,
// whatever its ID. Streams that may deliver an order more than once go
// through an order de-duplicator first.
type Order struct {
	ID         string          // the order's identifier, used in error messages
	CustomerID string          // must not be empty
	Time       time.Time       // when the order was placed; must not be zero
	Amount     decimal.Decimal // order total in Currency; negative for a refund
	Currency   string          // ISO 4217 code; "" for single-currency data
}

// IsRefund reports whether o is a refund or credit note (Amount < 0).
func (o Order) IsRefund() bool { return o.Amount.IsNegative() }

// Validate checks the fields every metric needs: an empty CustomerID, IDs
// that are not valid UTF-8 (they could not travel as JSON) or a zero Time is
// ErrInconsistent; a Time outside the years 1..9999 in UTC, or
// an Amount with more than [MaxDigits] significant digits or an exponent
// beyond ±[MaxExponent], is ErrOutOfRange.
// (Currency rules depend on the other orders of a figure, so accumulators
// check them.)
func (o Order) Validate() error { return validateOrder(&o, -1) }

// validateOrder checks the fields every accumulator needs. at is the index
// of the order in a slice, or -1.
func validateOrder(o *Order, at int) error {
	if o.CustomerID == "" {
		return errorf(ErrInconsistent, "%s has an empty customer ID", orderRef(o, at))
	}
	if !utf8.ValidString(o.CustomerID) || !utf8.ValidString(o.ID) {
		return errorf(ErrInconsistent, "%s of customer %s: IDs must be valid UTF-8", orderRef(o, at), quote(o.CustomerID))
	}
	if o.Time.IsZero() {
		return errorf(ErrInconsistent, "%s has a zero time", orderRef(o, at))
	}
	if sec := o.Time.Unix(); sec < civil.MinSec || sec >= civil.EndSec {
		return errorf(ErrOutOfRange, "%s at %s is outside the years 1..9999 in UTC", orderRef(o, at), o.Time)
	}
	if !inBounds(o.Amount) {
		return checkDecimal(o.Amount, orderRef(o, at)+": amount")
	}
	return nil
}

// admit validates o and checks its currency against g: what every
// accumulator of orders checks before it changes anything.
func (g *currencyGuard) admit(o *Order, at int) error {
	if err := validateOrder(o, at); err != nil {
		return err
	}
	return g.check(o.Currency, func() string { return orderRef(o, at) })
}

// orderRef names an order in an error message.
func orderRef(o *Order, at int) string {
	var b strings.Builder
	b.WriteString("order")
	if o.ID != "" {
		b.WriteString(" " + quote(o.ID))
	}
	if at >= 0 {
		b.WriteString(" at index " + strconv.Itoa(at))
	}
	return b.String()
}

// customerStats is what OrderStats keeps per customer.
type customerStats struct {
	orders      int64
	revenue     exactSum
	first, last instant // of the first and last order, once orders > 0
}

func (c *customerStats) addOrder(t instant) {
	if c.orders == 0 || t.before(c.first) {
		c.first = t
	}
	if c.orders == 0 || c.last.before(t) {
		c.last = t
	}
	c.orders++
}

// instant is a point in time without a location: 12 bytes and no pointer,
// where a time.Time is 24 bytes with a pointer the garbage collector follows.
type instant struct {
	sec  int64 // Unix seconds
	nsec int32 // nanoseconds within the second
}

func instantOf(t time.Time) instant { return instant{t.Unix(), int32(t.Nanosecond())} }

func (a instant) before(b instant) bool {
	return a.sec < b.sec || (a.sec == b.sec && a.nsec < b.nsec)
}

// time returns the instant in UTC.
func (a instant) time() time.Time { return time.Unix(a.sec, int64(a.nsec)).UTC() }

// OrderStats accumulates orders into revenue, order and customer counts and
// per-customer summaries. The zero value is ready to use. Feed it one order
// at a time with Add, and combine the stats of other shards with Merge; the
// same customer may appear in several shards. It follows the package's
// accumulator contract (see the package doc); its one setting, the
// currency, is that of the first order added.
//
// Memory grows with the number of customers, not of orders: each has an
// index slot, its ID and its state, and orders wait in a batch before they
// are folded into the customers, 65,536 of them (about 6 MB) or a quarter
// as many as the customers, up to 262,144 (about 24 MB). At 100,000
// customers that is about 220 bytes per customer, batch included (see
// BENCHMARKS.md), and there is no allocation per order once a customer is
// known.
// Sums of money are exact. An OrderStats is not safe for concurrent use,
// not even for reading: reading folds the pending batch.
type OrderStats struct {
	currency  currencyGuard
	revenue   exactSum
	orders    int64
	buyers    int64 // customers with at least one order, once folded
	repeaters int64 // customers with two or more orders, once folded
	customers customerTable[customerStats]
	batch     orderBatch // orders taken, not yet folded into customers
}

// Add adds one order or refund (see [Order] for the rules). An invalid
// order is ErrInconsistent or ErrOutOfRange (see [Order.Validate]), a
// currency that is not an ISO 4217 code ErrUnknownCurrency, a Currency other
// than that of the orders already added ErrCurrencyMismatch, and stats that
// already hold 2^63-1 orders ErrOutOfRange; each leaves the stats
// unchanged.
func (s *OrderStats) Add(o Order) error {
	return s.add(&o, -1)
}

func (s *OrderStats) add(o *Order, at int) error {
	if err := s.currency.admit(o, at); err != nil {
		return err
	}
	if s.orders == math.MaxInt64 {
		return errorf(ErrOutOfRange, "%s: stats already hold %d orders", orderRef(o, at), s.orders)
	}
	s.currency.accept(o.Currency)
	ev := s.batch.newEvent(o.Amount, o.Time)
	// The event holds the amount as units, converted once; only an amount
	// beyond int64 units is added as a decimal.
	if ev.flags&eventBig != 0 {
		s.revenue.add(o.Amount)
	} else {
		s.revenue.addScaled(ev.units, int32(ev.scale))
	}
	if ev.flags&eventActive != 0 {
		s.orders++
	}
	if s.batch.add(o.CustomerID, s.customers.hash(o.CustomerID), ev) {
		s.flush()
	}
	return nil
}

// flush folds the pending orders into their customers (see orderBatch).
func (s *OrderStats) flush() {
	if !s.batch.pending() {
		return
	}
	events := resolve(&s.batch, &s.customers, customerStats{})
	for i := range events {
		ev := &events[i]
		c := s.customers.row(ev.customer)
		if ev.flags&eventBig != 0 {
			c.revenue.add(s.batch.bigs[ev.units])
		} else {
			c.revenue.addScaled(ev.units, int32(ev.scale))
		}
		if ev.flags&eventActive != 0 {
			s.countOrders(c.orders, c.orders+1)
			c.addOrder(instant{ev.sec, ev.nsec})
		}
	}
	s.batch.reset()
}

// folded returns s with every order folded: s itself after a flush.
func (s *OrderStats) folded() *OrderStats {
	s.flush()
	return s
}

// foldedStats returns stats with s's orders all folded, without changing
// s: s when nothing is pending, else a folded clone. The value-receiver
// encoders use it, since a value shares s's slices and must not fold them.
func foldedStats(s *OrderStats) *OrderStats {
	if !s.batch.pending() {
		return s
	}
	return s.clone()
}

// countOrders updates the buyer and repeater counts for a customer whose
// order count goes from before to after.
func (s *OrderStats) countOrders(before, after int64) {
	if before == 0 && after > 0 {
		s.buyers++
	}
	if before < 2 && after >= 2 {
		s.repeaters++
	}
}

// customer returns the stats of the customer with the given ID, creating
// them if needed.
func (s *OrderStats) customer(id string) *customerStats {
	c, _ := s.customers.get(id, customerStats{})
	return c
}

// Merge adds the orders accumulated in o to s, as if they had been added to
// s one by one; o is not modified, nil o is a no-op and s.Merge(s) counts
// everything twice. A customer present in both is one customer. Empty stats
// merge as a no-op whatever their currency, and empty s takes o's currency;
// two non-empty stats in different currencies are ErrCurrencyMismatch, and
// more than 2^63-1 orders in all ErrOutOfRange; either leaves s unchanged.
// Merging in any order gives the same result.
func (s *OrderStats) Merge(o *OrderStats) error {
	if o == nil {
		return nil
	}
	s.flush()
	o.flush()
	if o.customers.empty() {
		return nil
	}
	if s.customers.empty() {
		s.currency = o.currency
	}
	if err := s.currency.compatible(o.currency); err != nil {
		return err
	}
	if s.orders > math.MaxInt64-o.orders {
		return errorf(ErrOutOfRange, "merging %d orders into %d overflows int64", o.orders, s.orders)
	}
	if o == s {
		o = o.clone()
	}
	s.revenue.addSum(o.revenue)
	s.orders += o.orders
	for i := range int32(o.customers.len()) {
		oc := o.customers.row(i)
		c := s.customer(o.customers.id(i))
		c.revenue.addSum(oc.revenue)
		if oc.orders == 0 {
			continue
		}
		s.countOrders(c.orders, c.orders+oc.orders)
		if c.orders == 0 || oc.first.before(c.first) {
			c.first = oc.first
		}
		if c.orders == 0 || c.last.before(oc.last) {
			c.last = oc.last
		}
		c.orders += oc.orders
	}
	return nil
}

// clone returns an independent copy, with its orders folded.
func (s *OrderStats) clone() *OrderStats {
	c := *s
	c.customers = s.customers.clone(func(r customerStats) customerStats { return r })
	c.batch = s.batch.clone()
	c.flush()
	return &c
}

// Currency returns the currency of the orders added, "" if none was given
// or no order was added yet.
func (s *OrderStats) Currency() string { return s.currency.code }

// Revenue returns the exact net revenue: the sum of all amounts added,
// refunds included. It is 0 for empty stats.
func (s *OrderStats) Revenue() decimal.Decimal { return s.revenue.value() }

// Orders returns the number of orders (amounts >= 0) added; refunds are not
// orders.
func (s *OrderStats) Orders() int64 { return s.orders }

// Customers returns the number of customers with at least one order. A
// customer seen only in refunds is not counted.
func (s *OrderStats) Customers() int64 { return s.folded().buyers }

// AOV returns the average order value, in the orders' currency:
//
//	AOV = net revenue / orders
//
// Refunds lower the revenue but are not orders. Exact to 16 fractional
// digits; no orders is ErrNoData.
func (s *OrderStats) AOV() (decimal.Decimal, error) {
	if s.orders == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "AOV of no orders")
	}
	return div(s.Revenue(), decimal.NewFromInt(s.orders)), nil
}

// PurchaseFrequency returns the average number of orders per customer over
// everything added (all time, not per period):
//
//	PurchaseFrequency = orders / customers with an order
//
// A plain number, not a rate, exact to 16 fractional digits; no customers
// is ErrNoData. Not to be confused with [LTVInputs].OrdersPerPeriod, which
// is orders per customer per period of the lifespan.
func (s *OrderStats) PurchaseFrequency() (decimal.Decimal, error) {
	return share(s.orders, s.folded().buyers, "purchase frequency of no customers")
}

// RepeatPurchaseRate returns the share of customers who ordered more than
// once, as a fraction in [0, 1] (0.25 means 25%):
//
//	RepeatPurchaseRate = customers with 2 or more orders / customers with an order
//
// Refunds are not orders, so a purchase and its refund are one order. No
// customers is ErrNoData.
func (s *OrderStats) RepeatPurchaseRate() (decimal.Decimal, error) {
	s.flush()
	return share(s.repeaters, s.buyers, "repeat purchase rate of no customers")
}

// HistoricalLTV returns the average realised value per customer, in the
// orders' currency:
//
//	HistoricalLTV = net revenue / customers with an order
//
// It looks backwards: what customers have spent so far, refunds included,
// not what they will spend. No customers is ErrNoData.
func (s *OrderStats) HistoricalLTV() (decimal.Decimal, error) {
	if s.folded().buyers == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "historical LTV of no customers")
	}
	return div(s.Revenue(), decimal.NewFromInt(s.buyers)), nil
}

// CustomerSummary is one customer's activity in an [OrderStats].
type CustomerSummary struct {
	CustomerID  string
	Orders      int64           // orders (amounts >= 0)
	Revenue     decimal.Decimal // exact net revenue, refunds included
	First, Last time.Time       // first and last order, in UTC; zero when Orders is 0
}

// Summaries returns one summary per customer seen, sorted by CustomerID. A
// customer seen only in refunds is included with Orders 0 and zero First and
// Last. The slice is the caller's.
func (s *OrderStats) Summaries() []CustomerSummary {
	s.flush()
	out := make([]CustomerSummary, 0, s.customers.len())
	for _, n := range s.customers.sorted() {
		c := s.customers.row(n)
		cs := CustomerSummary{CustomerID: s.customers.id(n), Orders: c.orders, Revenue: c.revenue.value()}
		if c.orders > 0 {
			cs.First, cs.Last = c.first.time(), c.last.time()
		}
		out = append(out, cs)
	}
	return out
}

// addSummary adds a decoded customer summary to s, checking it as Add would
// have produced it.
func (s *OrderStats) addSummary(c CustomerSummary) error {
	if c.CustomerID == "" || !utf8.ValidString(c.CustomerID) {
		return errorf(ErrInconsistent, "order stats: customer ID %s is empty or not valid UTF-8", quote(c.CustomerID))
	}
	if _, dup := s.customers.lookup(c.CustomerID); dup {
		return errorf(ErrInconsistent, "order stats: customer %s appears twice", quote(c.CustomerID))
	}
	if c.Orders < 0 {
		return errorf(ErrNegative, "order stats: customer %s has %d orders", quote(c.CustomerID), c.Orders)
	}
	hasTimes := !c.First.IsZero() && !c.Last.IsZero()
	if (c.Orders > 0) != hasTimes || (hasTimes && c.First.After(c.Last)) {
		return errorf(ErrInconsistent, "order stats: customer %s has %d orders with first %v and last %v", quote(c.CustomerID), c.Orders, c.First, c.Last)
	}
	if s.orders > math.MaxInt64-c.Orders {
		return errorf(ErrOutOfRange, "order stats: orders add up beyond int64")
	}
	cs := s.customer(c.CustomerID)
	cs.revenue.add(c.Revenue)
	s.revenue.add(c.Revenue)
	if c.Orders > 0 {
		s.countOrders(0, c.Orders)
		cs.orders, cs.first, cs.last = c.Orders, instantOf(c.First), instantOf(c.Last)
		s.orders += c.Orders
	}
	return nil
}

type customerJSON struct {
	ID      string     `json:"id"`
	Orders  int64      `json:"orders"`
	Revenue string     `json:"revenue"`
	First   *time.Time `json:"first,omitempty"`
	Last    *time.Time `json:"last,omitempty"`
}

type orderStatsJSON struct {
	Currency  *string        `json:"currency"` // null before the first order
	Customers []customerJSON `json:"customers"`
}

// MarshalJSON encodes the stats as their currency and per-customer
// summaries, sorted by ID; every total derives from those. First and last
// times are written as UTC instants, so equal stats encode alike whatever
// the zones of the orders. Value receiver, so that json.Marshal of a value
// never gives {}.
func (s OrderStats) MarshalJSON() ([]byte, error) {
	j := orderStatsJSON{Customers: make([]customerJSON, 0, s.customers.len())}
	if s.currency.set {
		j.Currency = &s.currency.code
	}
	for _, c := range foldedStats(&s).Summaries() {
		cj := customerJSON{ID: c.CustomerID, Orders: c.Orders, Revenue: c.Revenue.String()}
		if c.Orders > 0 {
			first, last := c.First.UTC(), c.Last.UTC()
			cj.First, cj.Last = &first, &last
		}
		j.Customers = append(j.Customers, cj)
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes stats written by MarshalJSON, replacing s. A
// customer listed twice, with an empty ID, with orders but no first and last
// time (or first after last), or with times but no orders is
// ErrInconsistent; negative orders are ErrNegative; a revenue beyond what
// bounded amounts add up to, or orders beyond int64 in all, ErrOutOfRange;
// an unknown currency ErrUnknownCurrency. On error s is unchanged.
func (s *OrderStats) UnmarshalJSON(data []byte) error {
	var j orderStatsJSON
	if err := decodeJSON(data, &j, "order stats"); err != nil {
		return err
	}
	var out OrderStats
	var err error
	if out.currency, err = decodedCurrency(j.Currency, "order stats"); err != nil {
		return err
	}
	for _, cj := range j.Customers {
		c := CustomerSummary{CustomerID: cj.ID, Orders: cj.Orders}
		if cj.First != nil && cj.Last != nil {
			c.First, c.Last = cj.First.UTC(), cj.Last.UTC()
		}
		if c.Revenue, err = parseJSONDecimal(cj.Revenue, "order stats: revenue of customer "+quote(cj.ID), 1); err != nil {
			return err
		}
		if err := out.addSummary(c); err != nil {
			return err
		}
	}
	*s = out
	return nil
}

// MarshalBinary encodes the stats in the package's compact binary form:
// the currency, then per customer sorted by ID the ID, orders, revenue and,
// with orders, the first and last instants. Value receiver, as MarshalJSON.
func (s OrderStats) MarshalBinary() ([]byte, error) {
	e := newEncoder(tagOrderStats)
	e.bool(s.currency.set)
	e.str(s.currency.code)
	sums := foldedStats(&s).Summaries()
	e.uvarint(uint64(len(sums)))
	for _, c := range sums {
		e.str(c.CustomerID)
		e.uvarint(uint64(c.Orders))
		e.decimal(c.Revenue)
		if c.Orders > 0 {
			e.time(c.First)
			e.time(c.Last)
		}
	}
	return e.b, nil
}

// UnmarshalBinary decodes stats written by MarshalBinary, replacing s, with
// the checks of UnmarshalJSON; on error s is unchanged.
func (s *OrderStats) UnmarshalBinary(data []byte) error {
	d := newDecoder(data, tagOrderStats, "order stats")
	var out OrderStats
	set, code := d.bool(), d.str()
	if d.err != nil {
		return d.err
	}
	var err error
	if set {
		if out.currency, err = decodedCurrency(&code, "order stats"); err != nil {
			return err
		}
	} else if code != "" {
		return errorf(ErrInconsistent, "decoding order stats: a currency %s that is not set", quote(code))
	}
	n := d.count(4) // ID length, ID, orders, revenue
	for i := 0; i < n && d.err == nil; i++ {
		c := CustomerSummary{CustomerID: d.str(), Orders: d.int64()}
		c.Revenue = d.decimal(1, "revenue")
		if c.Orders > 0 {
			c.First, c.Last = d.time(), d.time()
		}
		if d.err == nil {
			if i > 0 && c.CustomerID <= out.customers.id(int32(out.customers.len()-1)) {
				d.fail("customers are not sorted by ID")
				break
			}
			d.setErrIf(out.addSummary(c))
		}
	}
	if err := d.end(); err != nil {
		return err
	}
	*s = out
	return nil
}

// statsOf feeds orders to a new OrderStats, naming the index of a bad order.
func statsOf(orders []Order) (*OrderStats, error) {
	var s OrderStats
	for i := range orders {
		if err := s.add(&orders[i], i); err != nil {
			return nil, err
		}
	}
	return &s, nil
}

// Revenue returns the exact net revenue of orders, refunds included; 0 for
// no orders. Errors are those of [OrderStats.Add], naming the index of the
// bad order.
func Revenue(orders []Order) (decimal.Decimal, error) {
	s, err := statsOf(orders)
	if err != nil {
		return decimal.Decimal{}, err
	}
	return s.Revenue(), nil
}

// AOV returns the average order value of orders: net revenue / orders (see
// [OrderStats.AOV]). No orders is ErrNoData.
func AOV(orders []Order) (decimal.Decimal, error) {
	s, err := statsOf(orders)
	if err != nil {
		return decimal.Decimal{}, err
	}
	return s.AOV()
}

// PurchaseFrequency returns the average number of orders per customer of
// orders, over all of them (see [OrderStats.PurchaseFrequency]). No
// customers is ErrNoData.
func PurchaseFrequency(orders []Order) (decimal.Decimal, error) {
	s, err := statsOf(orders)
	if err != nil {
		return decimal.Decimal{}, err
	}
	return s.PurchaseFrequency()
}

// RepeatPurchaseRate returns the share of customers with two or more orders,
// as a fraction (see [OrderStats.RepeatPurchaseRate]). No customers is
// ErrNoData.
func RepeatPurchaseRate(orders []Order) (decimal.Decimal, error) {
	s, err := statsOf(orders)
	if err != nil {
		return decimal.Decimal{}, err
	}
	return s.RepeatPurchaseRate()
}
