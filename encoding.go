package cxmetrics

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// The accumulators encode to JSON so that partial results computed on other
// machines can be shipped and merged: encode on the shard, decode, Merge.
// Decimals are strings with their exact value, whatever the caller's
// decimal.MarshalJSONWithoutQuotes says. Decoding checks everything it
// reads and returns the package's sentinel errors; it never trusts a
// payload to be well formed.

// maxJSONExponent bounds the decimal exponents a payload may carry: exact
// arithmetic on a value like 1e999999999 would take unbounded time and
// memory.
const maxJSONExponent = 1000

// parseJSONDecimal parses an exact decimal from a payload.
func parseJSONDecimal(s, what string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, errorf(ErrInconsistent, "%s %q is not a decimal", what, s)
	}
	if e := d.Exponent(); e > maxJSONExponent || e < -maxJSONExponent {
		return decimal.Decimal{}, errorf(ErrOutOfRange, "%s %q has an exponent beyond ±%d", what, s, maxJSONExponent)
	}
	return d, nil
}

// decode unmarshals data into v, reporting malformed JSON as ErrInconsistent.
func decode(data []byte, v any, what string) error {
	if err := json.Unmarshal(data, v); err != nil {
		return errorf(ErrInconsistent, "decoding %s: %v", what, err)
	}
	return nil
}

type weightedNPSJSON struct {
	Promoters  string `json:"promoters"`
	Passives   string `json:"passives"`
	Detractors string `json:"detractors"`
	SumSquares string `json:"sum_squares"`
	Responses  int64  `json:"responses"`
}

// MarshalJSON encodes the tally's exact sums of weights.
func (t WeightedNPSTally) MarshalJSON() ([]byte, error) {
	return json.Marshal(weightedNPSJSON{
		Promoters: t.promoters.String(), Passives: t.passives.String(), Detractors: t.detractors.String(),
		SumSquares: t.sumSquares.String(), Responses: t.responses,
	})
}

// UnmarshalJSON decodes a tally written by MarshalJSON. Negative sums or
// counts are ErrNegative; malformed data is ErrInconsistent. On error t is
// unchanged.
func (t *WeightedNPSTally) UnmarshalJSON(data []byte) error {
	var j weightedNPSJSON
	if err := decode(data, &j, "a weighted NPS tally"); err != nil {
		return err
	}
	var out WeightedNPSTally
	for _, f := range []struct {
		dst  *decimal.Decimal
		src  string
		name string
	}{{&out.promoters, j.Promoters, "promoters"}, {&out.passives, j.Passives, "passives"},
		{&out.detractors, j.Detractors, "detractors"}, {&out.sumSquares, j.SumSquares, "sum_squares"}} {
		d, err := parseJSONDecimal(f.src, f.name)
		if err != nil {
			return err
		}
		if d.IsNegative() {
			return errorf(ErrNegative, "weighted NPS tally: %s is %s", f.name, d)
		}
		*f.dst = d
	}
	if j.Responses < 0 {
		return errorf(ErrNegative, "weighted NPS tally: responses is %d", j.Responses)
	}
	out.responses = j.Responses
	*t = out
	return nil
}

type scaleJSON struct {
	Min      int `json:"min"`
	Max      int `json:"max"`
	Positive int `json:"positive"`
}

type scaleTallyJSON struct {
	Scale  scaleJSON `json:"scale"`
	Counts []int64   `json:"counts"`
}

// MarshalJSON encodes the tally's scale and its count per answer value.
func (t ScaleTally) MarshalJSON() ([]byte, error) {
	s := t.Scale()
	return json.Marshal(scaleTallyJSON{Scale: scaleJSON(s), Counts: t.Distribution()})
}

// UnmarshalJSON decodes a tally written by MarshalJSON. An invalid scale is
// ErrOutOfRange, counts that do not fit the scale ErrInconsistent, negative
// counts ErrNegative. On error t is unchanged.
func (t *ScaleTally) UnmarshalJSON(data []byte) error {
	var j scaleTallyJSON
	if err := decode(data, &j, "a scale tally"); err != nil {
		return err
	}
	s := Scale(j.Scale)
	if err := s.Validate(); err != nil {
		return err
	}
	if len(j.Counts) != s.points() {
		return errorf(ErrInconsistent, "scale tally: %d counts for the %d values of %d..%d", len(j.Counts), s.points(), s.Min, s.Max)
	}
	for i, c := range j.Counts {
		if c < 0 {
			return errorf(ErrNegative, "scale tally: count %d for answer %d", c, s.Min+i)
		}
	}
	*t = ScaleTally{scale: s, counts: j.Counts}
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
// summaries, sorted by ID; every total derives from those. Times keep
// their instant and offset, not their Location's name.
func (s OrderStats) MarshalJSON() ([]byte, error) {
	j := orderStatsJSON{Customers: make([]customerJSON, 0, len(s.customers))}
	if s.currency.set {
		j.Currency = &s.currency.code
	}
	for _, c := range s.Summaries() {
		cj := customerJSON{ID: c.CustomerID, Orders: c.Orders, Revenue: c.Revenue.String()}
		if c.Orders > 0 {
			cj.First, cj.Last = &c.First, &c.Last
		}
		j.Customers = append(j.Customers, cj)
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes stats written by MarshalJSON, replacing s. A
// customer listed twice, with an empty ID, with orders but no first and last
// time (or first after last), or with times but no orders is
// ErrInconsistent; negative orders are ErrNegative. On error s is unchanged.
func (s *OrderStats) UnmarshalJSON(data []byte) error {
	var j orderStatsJSON
	if err := decode(data, &j, "order stats"); err != nil {
		return err
	}
	var out OrderStats
	if j.Currency != nil {
		out.currency.accept(*j.Currency)
	}
	for i, cj := range j.Customers {
		if cj.ID == "" {
			return errorf(ErrInconsistent, "order stats: customer %d has an empty ID", i)
		}
		if _, dup := out.index[cj.ID]; dup {
			return errorf(ErrInconsistent, "order stats: customer %q appears twice", cj.ID)
		}
		if cj.Orders < 0 {
			return errorf(ErrNegative, "order stats: customer %q has %d orders", cj.ID, cj.Orders)
		}
		hasTimes := cj.First != nil && cj.Last != nil && !cj.First.IsZero() && !cj.Last.IsZero()
		if (cj.Orders > 0) != hasTimes || (hasTimes && cj.First.After(*cj.Last)) {
			return errorf(ErrInconsistent, "order stats: customer %q has %d orders with first %v and last %v", cj.ID, cj.Orders, cj.First, cj.Last)
		}
		rev, err := parseJSONDecimal(cj.Revenue, "revenue of customer "+cj.ID)
		if err != nil {
			return err
		}
		c := out.customer(cj.ID)
		c.revenue.add(rev)
		out.revenue.add(rev)
		if cj.Orders > 0 {
			out.countOrders(0, cj.Orders)
			c.orders, c.first, c.last = cj.Orders, *cj.First, *cj.Last
			out.orders += cj.Orders
		}
	}
	*s = out
	return nil
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

type cohortBuilderJSON struct {
	Period    string               `json:"period"`
	Location  string               `json:"location"`
	Currency  *string              `json:"currency"`
	Customers []cohortCustomerJSON `json:"customers"`
}

// MarshalJSON encodes the builder's options and, per customer sorted by ID,
// the net revenue and activity of each period in which the customer had an
// order or refund. Period numbers count calendar periods from a fixed origin
// (months since year 0, days since 1970-01-01, …): they are meant for
// UnmarshalJSON, not for reading.
func (b CohortBuilder) MarshalJSON() ([]byte, error) {
	j := cohortBuilderJSON{
		Period: b.opts.Period.String(), Location: b.opts.location().String(),
		Customers: make([]cohortCustomerJSON, 0, len(b.customers)),
	}
	if b.currency.set {
		j.Currency = &b.currency.code
	}
	for id, i := range b.index {
		c := &b.customers[i]
		cj := cohortCustomerJSON{ID: id, Cells: make([]cellJSON, len(c.cells))}
		for k, cell := range c.cells {
			rev := decimal.New(cell.units, -c.scale)
			if v, ok := c.rest[cell.period]; ok {
				rev = rev.Add(v)
			}
			cj.Cells[k] = cellJSON{Period: cell.period, Active: cell.active, Revenue: rev.String()}
		}
		j.Customers = append(j.Customers, cj)
	}
	slices.SortFunc(j.Customers, func(a, b cohortCustomerJSON) int { return strings.Compare(a.ID, b.ID) })
	return json.Marshal(j)
}

// UnmarshalJSON decodes a builder written by MarshalJSON, replacing b. An
// unknown period or time zone is ErrOutOfRange; a duplicate or empty
// customer ID, or cells out of order, is ErrInconsistent. On error b is
// unchanged.
func (b *CohortBuilder) UnmarshalJSON(data []byte) error {
	var j cohortBuilderJSON
	if err := decode(data, &j, "a cohort builder"); err != nil {
		return err
	}
	p, err := ParsePeriod(j.Period)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(j.Location)
	if err != nil {
		return errorf(ErrOutOfRange, "cohort builder: time zone %q: %v", j.Location, err)
	}
	out := CohortBuilder{opts: CohortOptions{Period: p, Location: loc}}
	if j.Currency != nil {
		out.currency.accept(*j.Currency)
	}
	for _, cj := range j.Customers {
		if cj.ID == "" {
			return errorf(ErrInconsistent, "cohort builder: a customer has an empty ID")
		}
		if _, dup := out.index[cj.ID]; dup {
			return errorf(ErrInconsistent, "cohort builder: customer %q appears twice", cj.ID)
		}
		c := out.customer(cj.ID)
		for k, cell := range cj.Cells {
			if k > 0 && cell.Period <= cj.Cells[k-1].Period {
				return errorf(ErrInconsistent, "cohort builder: periods of customer %q are not increasing", cj.ID)
			}
			if cell.Period == noPeriod {
				return errorf(ErrOutOfRange, "cohort builder: period %d of customer %q", cell.Period, cj.ID)
			}
			rev, err := parseJSONDecimal(cell.Revenue, "revenue of customer "+cj.ID)
			if err != nil {
				return err
			}
			dst := c.cell(cell.Period)
			dst.active = cell.Active
			if cell.Active {
				c.first = min(c.first, cell.Period)
			}
			c.addMoney(dst, rev)
		}
	}
	*b = out
	return nil
}
