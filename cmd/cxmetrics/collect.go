package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/internal/csvin"
)

// maxSkipReasons is how many reasons for skipped rows the report keeps.
const maxSkipReasons = 5

// config is a parsed report command line.
type config struct {
	orders, responses string    // paths; "" means the embedded sample
	subscriptions     string    // path; "" for none (the sample's with the sample)
	until             time.Time // -until; zero for the latest span event
	fx                string    // the rates file, "" for none
	opts              cxmetrics.CohortOptions
	format, out       string
	skipBad           bool
	currency          string
	maxRecord         int    // bytes
	rows              string // "orders" or "lines"
	window            int    // periods a purchase keeps a customer active
}

// collector reads every input row, checks it in full and feeds it to the
// library's accumulators.
type collector struct {
	cfg     config
	stats   cxmetrics.OrderStats
	cohorts *cxmetrics.CohortBuilder
	nps     cxmetrics.NPSTally
	csat    *cxmetrics.ScaleTally
	ces     *cxmetrics.ScaleTally
	refunds int64
	inputs  Inputs
	// currency is that of the orders added; set after the first one.
	currency     string
	haveCurrency bool
	progress     *progress
	sink         *orderSink // where accepted orders go, while reading orders

	mrr       *cxmetrics.MRRBuilder    // -subscriptions
	dedup     cxmetrics.OrderDedup     // -rows orders: re-deliveries
	pending   map[string]*pendingOrder // -rows lines: orders being assembled
	rates     *cxmetrics.RateTable     // -fx
	converted map[string]*conversion   // -fx: per source currency
}

// pendingOrder is an order of -rows lines whose lines are still coming.
type pendingOrder struct {
	order cxmetrics.Order
	file  string
	line  int // the first line
	rows  int // the lines of the file that make it
	lines int // physical lines, for a multi-line record
}

// conversion counts the orders of one source currency converted by -fx.
type conversion struct {
	orders int64
	dates  map[string]bool // effective dates of the rates used
}

// errLeftOut marks an order row that is well formed but does not go into
// the report: another currency than -currency's, or a re-delivery.
var errLeftOut = errors.New("left out")

func newCollector(cfg config, p *progress) (*collector, error) {
	cb, err := cxmetrics.NewCohortBuilder(cfg.opts)
	if err != nil {
		return nil, err
	}
	csat, _ := cxmetrics.NewScaleTally(cxmetrics.FivePoint)
	ces, _ := cxmetrics.NewScaleTally(cxmetrics.SevenPointCES)
	loc := cfg.opts.Location
	if loc == nil {
		loc = time.UTC
	}
	c := &collector{
		cfg: cfg, cohorts: cb, csat: csat, ces: ces, progress: p,
		inputs: Inputs{Period: cfg.opts.Period.String(), Location: loc.String(), Rows: cfg.rows, SkipReasons: []string{}},
	}
	if cfg.rows == "lines" {
		c.pending = map[string]*pendingOrder{}
	}
	if c.mrr, err = cxmetrics.NewMRRBuilder(cxmetrics.MRROptions{Period: cfg.opts.Period, Location: cfg.opts.Location, Until: cfg.until}); err != nil {
		return nil, err
	}
	return c, nil
}

// skip records a bad row when -skip-bad is on, and otherwise returns it. A
// skipped record counts once in SkippedRows and with every line it spans
// in SkippedLines.
func (c *collector) skip(err error) error {
	return c.skipRows(err, 1)
}

// skipRows skips a bad order made of rows rows (-rows lines).
func (c *collector) skipRows(err error, rows int) error {
	var re *csvin.RowError
	if !c.cfg.skipBad || !errors.As(err, &re) {
		return err
	}
	c.inputs.SkippedRows += int64(rows)
	_, _, lines := re.Pos()
	c.inputs.SkippedLines += int64(lines)
	if len(c.inputs.SkipReasons) < maxSkipReasons {
		c.inputs.SkipReasons = append(c.inputs.SkipReasons, err.Error())
	}
	return nil
}

// readOrders streams an orders CSV into the accumulators: one order a row
// with -rows orders, re-deliveries left out; invoice lines assembled into
// orders with -rows lines. Every row is checked in full before it touches
// any accumulator, so a skipped row leaves no trace.
func (c *collector) readOrders(r io.Reader, name string) error {
	or, err := csvin.NewOrderReader(r, name, c.cfg.opts.Location, c.cfg.maxRecord)
	if err != nil {
		return err
	}
	if c.cfg.currency != "" && !or.Has("currency") {
		return usagef("-currency %s: %s has no currency column, so no order is in %s", c.cfg.currency, name, c.cfg.currency)
	}
	if parallelReading {
		return c.readOrdersParallel(or)
	}
	c.sink = newOrderSink(c, 0)
	if err := c.takeRows(or); err != nil {
		return err
	}
	c.progress.done()
	if c.pending != nil {
		return c.flushLines()
	}
	return nil
}

// takeRows takes the rows of or, in order, to the end of its input.
func (c *collector) takeRows(or *csvin.OrderReader) error {
	for {
		o, err := or.Read()
		if err == io.EOF {
			return nil
		}
		c.progress.update(or.Name(), c.inputs.OrderRows, or.BytesRead())
		if err == nil {
			err = c.takeRow(or.At(), o)
		}
		if err := c.settle(err); err != nil {
			return err
		}
	}
}

// takeRow takes one well-formed order row, read at or.
func (c *collector) takeRow(or csvin.RowAt, o cxmetrics.Order) error {
	if c.rates == nil && c.cfg.currency != "" && o.Currency != c.cfg.currency {
		c.inputs.OrderRows++
		c.inputs.OtherCurrencyRows++
		return errLeftOut
	}
	if c.pending != nil {
		return c.takeLine(or, o)
	}
	conv, err := c.ready(o)
	if err != nil {
		return or.Errorf("%s", detail(err))
	}
	if o.ID != "" {
		dup, first, err := c.dedup.SeenAt(o, int64(or.Line))
		if err != nil {
			return or.Errorf("order_id %s was first delivered on line %d with other content (for a file of invoice lines, use -rows lines): %s", quote(o.ID), first, detail(err))
		}
		if dup {
			c.inputs.OrderRows++
			c.inputs.DuplicateOrders++
			return errLeftOut
		}
	}
	c.inputs.OrderRows++
	return c.addOrder(conv)
}

// takeLine adds an invoice line to its order (-rows lines).
func (c *collector) takeLine(or csvin.RowAt, o cxmetrics.Order) error {
	if o.ID == "" {
		return or.Errorf("order_id empty: with -rows lines, the order ID says which lines make one order")
	}
	p := c.pending[o.ID]
	if p == nil {
		// The strings of a parsed row share the memory of its whole chunk:
		// copy those kept to the end of the file.
		o.ID, o.CustomerID, o.Currency = strings.Clone(o.ID), strings.Clone(o.CustomerID), strings.Clone(o.Currency)
		c.pending[o.ID] = &pendingOrder{order: o, file: or.Name, line: or.Line, rows: 1, lines: or.Lines}
		c.inputs.OrderRows++
		return nil
	}
	combined, err := cxmetrics.CombineLines(p.order, o)
	if err != nil {
		return or.Errorf("line of order %s disagrees with its line %d (customer %s, currency %s): customer %s, currency %s",
			quote(o.ID), p.line, quote(p.order.CustomerID), quote(p.order.Currency), quote(o.CustomerID), quote(o.Currency))
	}
	p.order = combined
	p.rows++
	p.lines += or.Lines
	c.inputs.OrderRows++
	return nil
}

// flushLines adds the assembled orders of -rows lines, in the order of
// their first lines.
func (c *collector) flushLines() error {
	orders := make([]*pendingOrder, 0, len(c.pending))
	for _, p := range c.pending {
		orders = append(orders, p)
	}
	slices.SortFunc(orders, func(a, b *pendingOrder) int { return a.line - b.line })
	c.pending = map[string]*pendingOrder{}
	for _, p := range orders {
		conv, err := c.ready(p.order)
		if err == nil {
			err = c.addOrder(conv)
		}
		if err != nil {
			re := csvin.NewRowError(p.file, p.line, p.lines, "order %s of %d lines: %s", quote(p.order.ID), p.rows, detail(err))
			if err := c.skipRows(re, p.rows); err != nil {
				return err
			}
			c.inputs.OrderRows -= int64(p.rows)
		}
	}
	return nil
}

// converted is an order ready for the accumulators: in the report's one
// currency, with how it was converted.
type converted struct {
	order cxmetrics.Order
	from  string    // the source currency, "" when not converted
	date  time.Time // the effective date of the rate used
}

// ready checks that o can go into the report: converted into -currency with
// -fx, and in the same currency as the orders before it.
func (c *collector) ready(o cxmetrics.Order) (converted, error) {
	out := converted{order: o}
	if c.rates != nil {
		if o.Currency == "" {
			return out, fmt.Errorf("currency empty: -fx converts orders whose currency is known")
		}
		if o.Currency != c.rates.Base() {
			_, date, err := c.rates.Lookup(o.Currency, o.Time)
			if err != nil {
				return out, err
			}
			conv, err := cxmetrics.Convert(o, c.rates)
			if err != nil {
				return out, err
			}
			out = converted{order: conv, from: o.Currency, date: date}
		}
	}
	if c.haveCurrency && out.order.Currency != c.currency {
		return out, fmt.Errorf("currency %s after %s on earlier rows: mixed currencies; keep one with -currency CODE, or convert with -fx", quote(out.order.Currency), quote(c.currency))
	}
	return out, nil
}

// addOrder adds an order made ready (converted) to every accumulator.
// They do not refuse it, since the reader and ready checked everything
// they check; if one did, that would be a bug, reported as such.
func (c *collector) addOrder(conv converted) error {
	o := conv.order
	if err := c.sink.add(o); err != nil {
		return err
	}
	if !c.haveCurrency {
		c.currency, c.haveCurrency = strings.Clone(o.Currency), true
	}
	c.inputs.Orders++
	if o.IsRefund() {
		c.refunds++
	}
	if conv.from != "" {
		if c.converted == nil {
			c.converted = map[string]*conversion{}
		}
		cv := c.converted[conv.from]
		if cv == nil {
			cv = &conversion{dates: map[string]bool{}}
			c.converted[strings.Clone(conv.from)] = cv
		}
		cv.orders++
		cv.dates[conv.date.Format(time.DateOnly)] = true
	}
	return nil
}

// readRates reads a -fx file: date,currency,rate, one unit of currency is
// rate units of the base (-currency), from date on.
func (c *collector) readRates(r io.Reader, name string) error {
	rates, err := cxmetrics.NewRateTable(c.cfg.currency, c.cfg.opts.Location)
	if err != nil {
		return err
	}
	t, err := csvin.NewTable(r, name, c.cfg.maxRecord, []string{"date", "currency", "rate"}, nil)
	if err != nil {
		return err
	}
	for {
		err := t.Next()
		if err == io.EOF {
			break
		}
		if err == nil {
			err = c.takeRate(t, rates)
		}
		if err != nil {
			if err := c.skip(err); err != nil {
				return err
			}
		}
	}
	c.rates = rates
	return nil
}

func (c *collector) takeRate(t *csvin.Table, rates *cxmetrics.RateTable) error {
	ds, rerr := t.Token("date")
	if rerr != nil {
		return rerr
	}
	date, err := time.ParseInLocation(time.DateOnly, ds, c.cfg.opts.Location)
	if err != nil {
		return t.Errorf("date %s: not YYYY-MM-DD", quote(ds))
	}
	cur, rerr := t.Token("currency")
	if rerr != nil {
		return rerr
	}
	raw := t.Field("rate")
	rate, problem := csvin.ParseAmount(raw)
	if problem != "" {
		return t.Errorf("rate %s: %s", csvin.QuoteBytes(raw), problem)
	}
	if err := rates.Add(date, cur, rate); err != nil {
		return t.Errorf("%s", detail(err))
	}
	c.inputs.RateRows++
	return nil
}

// conversions lists what -fx converted, by source currency.
func (c *collector) conversions() []ConversionFigure {
	var out []ConversionFigure
	for cur, cv := range c.converted {
		f := ConversionFigure{Currency: cur, Orders: cv.orders}
		for d := range cv.dates {
			f.RateDates = append(f.RateDates, d)
		}
		slices.Sort(f.RateDates)
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b ConversionFigure) int {
		if a.Currency < b.Currency {
			return -1
		}
		if a.Currency > b.Currency {
			return 1
		}
		return 0
	})
	return out
}

// readResponses streams a responses CSV into the survey tallies.
func (c *collector) readResponses(r io.Reader, name string) error {
	rr, err := csvin.NewResponseReader(r, name, c.cfg.opts.Location, c.cfg.maxRecord)
	if err != nil {
		return err
	}
	for {
		resp, err := rr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if err := c.skip(err); err != nil {
				return err
			}
			continue
		}
		c.inputs.ResponseRows++
		switch resp.Metric {
		case "nps":
			err = c.nps.Add(resp.Score)
		case "csat":
			err = c.csat.Add(resp.Score)
		default:
			err = c.ces.Add(resp.Score)
		}
		if err != nil { // the reader checked the range already
			return rr.Errorf("%v", err)
		}
	}
}
