package cxmetrics

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Order is one purchase, or one refund, by a customer.
//
// A negative Amount is a refund or credit note: it counts in revenue, which
// is therefore net revenue, but it is not an order and not purchase
// activity. It does not count toward order counts, repeat purchases, a
// customer's first or last purchase, or cohort activity. A zero Amount is an
// order (a free sample, a fully discounted basket).
type Order struct {
	ID         string          // the order's identifier, used in error messages
	CustomerID string          // must not be empty
	Time       time.Time       // when the order was placed; must not be zero
	Amount     decimal.Decimal // order total in Currency; negative for a refund
	Currency   string          // ISO 4217 code; "" for single-currency data
}

// IsRefund reports whether o is a refund or credit note (Amount < 0).
func (o Order) IsRefund() bool { return o.Amount.IsNegative() }

// Validate checks the fields every metric needs: an empty CustomerID or a
// zero Time is ErrInconsistent. (Currency rules depend on the other orders
// of a figure, so accumulators check them.)
func (o Order) Validate() error { return validateOrder(o, -1) }

// validateOrder checks the fields every accumulator needs. at is the index
// of the order in a slice, or -1.
func validateOrder(o Order, at int) error {
	if o.CustomerID == "" {
		return errorf(ErrInconsistent, "%s has an empty customer ID", orderRef(o, at))
	}
	if o.Time.IsZero() {
		return errorf(ErrInconsistent, "%s has a zero time", orderRef(o, at))
	}
	return nil
}

// orderRef names an order in an error message.
func orderRef(o Order, at int) string {
	var b strings.Builder
	b.WriteString("order")
	if o.ID != "" {
		b.WriteString(" " + strconv.Quote(o.ID))
	}
	if at >= 0 {
		b.WriteString(" at index " + strconv.Itoa(at))
	}
	return b.String()
}

// currencyGuard holds the one currency an accumulator accepts: the currency
// of the first record it saw.
type currencyGuard struct {
	code string
	set  bool
}

func (g *currencyGuard) check(o Order, at int) error {
	if g.set && o.Currency != g.code {
		return errorf(ErrCurrencyMismatch, "%s in %s among amounts in %s", orderRef(o, at), currencyName(o.Currency), currencyName(g.code))
	}
	return nil
}

// accept records the currency of an order that passed check.
func (g *currencyGuard) accept(code string) {
	g.code, g.set = code, true
}

func (g *currencyGuard) merge(o currencyGuard) error {
	if g.set && o.set && g.code != o.code {
		return errorf(ErrCurrencyMismatch, "merging amounts in %s into amounts in %s", currencyName(o.code), currencyName(g.code))
	}
	if o.set {
		g.accept(o.code)
	}
	return nil
}

func currencyName(code string) string {
	if code == "" {
		return `no currency ("")`
	}
	return strconv.Quote(code)
}

// customerStats is what OrderStats keeps per customer.
type customerStats struct {
	id          string
	orders      int64
	revenue     exactSum
	first, last time.Time // zero while the customer has no order
}

func (c *customerStats) addOrder(t time.Time) {
	if c.orders == 0 || t.Before(c.first) {
		c.first = t
	}
	if c.orders == 0 || t.After(c.last) {
		c.last = t
	}
	c.orders++
}

// OrderStats accumulates orders into revenue, order and customer counts and
// per-customer summaries. The zero value is ready to use. Feed it one order
// at a time with Add, and combine the stats of other shards with Merge; the
// same customer may appear in several shards.
//
// Memory grows with the number of customers, not of orders: about 160 bytes
// per customer (see BENCHMARKS.md), and no allocation per order once a customer is known. Sums
// of money are exact. An OrderStats must not be copied after first use; it
// is not safe for concurrent use.
type OrderStats struct {
	currency  currencyGuard
	revenue   exactSum
	orders    int64
	buyers    int64 // customers with at least one order
	repeaters int64 // customers with two or more orders
	index     map[string]int
	customers []customerStats
}

// Add adds one order or refund (see [Order] for the rules). An empty
// CustomerID or a zero Time is ErrInconsistent, and a Currency other than
// that of the orders already added is ErrCurrencyMismatch; either leaves the
// stats unchanged.
func (s *OrderStats) Add(o Order) error {
	return s.add(o, -1)
}

func (s *OrderStats) add(o Order, at int) error {
	if err := validateOrder(o, at); err != nil {
		return err
	}
	if err := s.currency.check(o, at); err != nil {
		return err
	}
	s.currency.accept(o.Currency)
	c := s.customer(o.CustomerID)
	s.revenue.add(o.Amount)
	c.revenue.add(o.Amount)
	if !o.IsRefund() {
		s.orders++
		s.countOrders(c.orders, c.orders+1)
		c.addOrder(o.Time)
	}
	return nil
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
// them if needed. The ID is cloned so the stats do not keep a caller's
// larger buffer alive.
func (s *OrderStats) customer(id string) *customerStats {
	if i, ok := s.index[id]; ok {
		return &s.customers[i]
	}
	if s.index == nil {
		s.index = make(map[string]int)
	}
	id = strings.Clone(id)
	s.index[id] = len(s.customers)
	s.customers = append(s.customers, customerStats{id: id})
	return &s.customers[len(s.customers)-1]
}

// Merge adds the orders accumulated in o to s, as if they had been added to
// s one by one; o is not modified. A customer present in both is one
// customer. Stats in different currencies are ErrCurrencyMismatch and leave s
// unchanged. Merging in any order gives the same result.
func (s *OrderStats) Merge(o *OrderStats) error {
	if o == nil {
		return nil
	}
	if err := s.currency.merge(o.currency); err != nil {
		return err
	}
	if o == s {
		o = o.clone()
	}
	s.revenue.addSum(o.revenue)
	s.orders += o.orders
	for i := range o.customers {
		oc := &o.customers[i]
		c := s.customer(oc.id)
		c.revenue.addSum(oc.revenue)
		if oc.orders == 0 {
			continue
		}
		s.countOrders(c.orders, c.orders+oc.orders)
		if c.orders == 0 || oc.first.Before(c.first) {
			c.first = oc.first
		}
		if c.orders == 0 || oc.last.After(c.last) {
			c.last = oc.last
		}
		c.orders += oc.orders
	}
	return nil
}

func (s *OrderStats) clone() *OrderStats {
	c := *s
	c.customers = slices.Clone(s.customers)
	c.index = make(map[string]int, len(s.index))
	for k, v := range s.index {
		c.index[k] = v
	}
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
func (s *OrderStats) Customers() int64 { return s.buyers }

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

// PurchaseFrequency returns the average number of orders per customer:
//
//	PurchaseFrequency = orders / customers with an order
//
// A plain number, not a rate, exact to 16 fractional digits; no customers
// is ErrNoData.
func (s *OrderStats) PurchaseFrequency() (decimal.Decimal, error) {
	if s.buyers == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "purchase frequency of no customers")
	}
	return ratio(s.orders, s.buyers), nil
}

// RepeatPurchaseRate returns the share of customers who ordered more than
// once, as a fraction in [0, 1] (0.25 means 25%):
//
//	RepeatPurchaseRate = customers with 2 or more orders / customers with an order
//
// Refunds are not orders, so a purchase and its refund are one order. No
// customers is ErrNoData.
func (s *OrderStats) RepeatPurchaseRate() (decimal.Decimal, error) {
	if s.buyers == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "repeat purchase rate of no customers")
	}
	return ratio(s.repeaters, s.buyers), nil
}

// HistoricalLTV returns the average realised value per customer, in the
// orders' currency:
//
//	HistoricalLTV = net revenue / customers with an order
//
// It looks backwards: what customers have spent so far, refunds included,
// not what they will spend. No customers is ErrNoData.
func (s *OrderStats) HistoricalLTV() (decimal.Decimal, error) {
	if s.buyers == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "historical LTV of no customers")
	}
	return div(s.Revenue(), decimal.NewFromInt(s.buyers)), nil
}

// CustomerSummary is one customer's activity in an [OrderStats].
type CustomerSummary struct {
	CustomerID  string
	Orders      int64           // orders (amounts >= 0)
	Revenue     decimal.Decimal // exact net revenue, refunds included
	First, Last time.Time       // first and last order; zero when Orders is 0
}

// Summaries returns one summary per customer seen, sorted by CustomerID. A
// customer seen only in refunds is included with Orders 0 and zero First and
// Last. The slice is the caller's.
func (s *OrderStats) Summaries() []CustomerSummary {
	out := make([]CustomerSummary, len(s.customers))
	for i := range s.customers {
		c := &s.customers[i]
		out[i] = CustomerSummary{CustomerID: c.id, Orders: c.orders, Revenue: c.revenue.value(), First: c.first, Last: c.last}
	}
	slices.SortFunc(out, func(a, b CustomerSummary) int { return strings.Compare(a.CustomerID, b.CustomerID) })
	return out
}

// statsOf feeds orders to a new OrderStats, naming the index of a bad order.
func statsOf(orders []Order) (*OrderStats, error) {
	var s OrderStats
	for i, o := range orders {
		if err := s.add(o, i); err != nil {
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
