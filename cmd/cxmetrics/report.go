package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
)

// Report is everything the command prints, in every format. Its JSON form is
// the command's documented output schema (see README.md): decimals are
// strings with the library's exact values, figures that cannot be computed
// (no data) are null.
type Report struct {
	Schema   string         `json:"schema"`
	Inputs   Inputs         `json:"inputs"`
	Currency string         `json:"currency"`
	Orders   OrderFigures   `json:"orders"`
	AOVTiers *TierFigures   `json:"aov_tiers"`
	Cohorts  *CohortFigures `json:"cohorts"`
	NPS      *NPSFigures    `json:"nps"`
	CSAT     *ScaleFigures  `json:"csat"`
	CES      *ScaleFigures  `json:"ces"`
}

// schemaVersion names the JSON layout; it changes when a field changes
// meaning or goes away.
const schemaVersion = "cxmetrics-report/1"

// Inputs describes what the report was computed from.
type Inputs struct {
	Orders            string   `json:"orders"`
	Responses         string   `json:"responses"`
	Period            string   `json:"period"`
	Location          string   `json:"location"`
	OrderRows         int64    `json:"order_rows"`
	ResponseRows      int64    `json:"response_rows"`
	SkippedRows       int64    `json:"skipped_rows"`
	SkippedLines      int64    `json:"skipped_lines"`
	SkipReasons       []string `json:"skip_reasons"`
	OtherCurrencyRows int64    `json:"other_currency_rows"`
}

// OrderFigures are the order-based metrics; money in Currency.
type OrderFigures struct {
	Revenue            decimal.Decimal  `json:"revenue"`
	Orders             int64            `json:"orders"`
	Refunds            int64            `json:"refunds"`
	Customers          int64            `json:"customers"`
	AOV                *decimal.Decimal `json:"aov"`
	PurchaseFrequency  *decimal.Decimal `json:"purchase_frequency"`
	RepeatPurchaseRate *decimal.Decimal `json:"repeat_purchase_rate"`
	HistoricalLTV      *decimal.Decimal `json:"historical_ltv"`
}

// TierFigures are the AOV tiers at the terciles of customer AOV.
type TierFigures struct {
	MediumFrom decimal.Decimal `json:"medium_from"`
	HighFrom   decimal.Decimal `json:"high_from"`
	Tiers      []TierFigure    `json:"tiers"`
}

// TierFigure is one AOV tier.
type TierFigure struct {
	Tier      string           `json:"tier"`
	Customers int64            `json:"customers"`
	Orders    int64            `json:"orders"`
	Revenue   decimal.Decimal  `json:"revenue"`
	AOV       *decimal.Decimal `json:"aov"` // null for a tier without orders
}

// CohortFigures is the cohort retention table.
type CohortFigures struct {
	Period           string            `json:"period"`
	Rows             []CohortFigureRow `json:"rows"`
	AverageRetention []decimal.Decimal `json:"average_retention"`
	Unattributed     decimal.Decimal   `json:"unattributed_revenue"`
}

// CohortFigureRow is one cohort.
type CohortFigureRow struct {
	Start     string            `json:"start"`
	Size      int64             `json:"size"`
	Active    []int64           `json:"active"`
	Retention []decimal.Decimal `json:"retention"`
	Revenue   []decimal.Decimal `json:"revenue"`
}

// NPSFigures is the Net Promoter Score with its 95% interval, in points.
type NPSFigures struct {
	Responses  int64           `json:"responses"`
	Promoters  int64           `json:"promoters"`
	Passives   int64           `json:"passives"`
	Detractors int64           `json:"detractors"`
	Score      decimal.Decimal `json:"score"`
	CI95Low    float64         `json:"ci95_low"`
	CI95High   float64         `json:"ci95_high"`
}

// ScaleFigures is CSAT (Score = share satisfied) or CES (Score = mean,
// PositiveShare = share who agree).
type ScaleFigures struct {
	Responses     int64            `json:"responses"`
	Score         decimal.Decimal  `json:"score"`
	PositiveShare *decimal.Decimal `json:"positive_share,omitempty"`
	Distribution  []int64          `json:"distribution"`
}

// maxSkipReasons is how many reasons for skipped rows the report keeps.
const maxSkipReasons = 5

// config is a parsed report command line.
type config struct {
	orders, responses string // paths; "" means the embedded sample
	opts              cxmetrics.CohortOptions
	format, out       string
	skipBad           bool
	currency          string
	maxRecord         int // bytes
}

// collector accumulates every input row into the library's accumulators.
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
}

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
	return &collector{
		cfg: cfg, cohorts: cb, csat: csat, ces: ces, progress: p,
		inputs: Inputs{Period: cfg.opts.Period.String(), Location: loc.String(), SkipReasons: []string{}},
	}, nil
}

// skip records a bad row when -skip-bad is on, and otherwise returns it. A
// skipped record counts once in SkippedRows and with every line it spans
// in SkippedLines.
func (c *collector) skip(err error) error {
	var re *rowError
	if !c.cfg.skipBad || !errors.As(err, &re) {
		return err
	}
	c.inputs.SkippedRows++
	c.inputs.SkippedLines += int64(max(re.lines, 1))
	if len(c.inputs.SkipReasons) < maxSkipReasons {
		c.inputs.SkipReasons = append(c.inputs.SkipReasons, err.Error())
	}
	return nil
}

// readOrders streams an orders CSV into the accumulators. Every row is
// checked in full before it touches any accumulator, so a skipped row
// leaves no trace.
func (c *collector) readOrders(r io.Reader, name string) error {
	or, err := newOrderReader(r, name, c.cfg.opts.Location, c.cfg.maxRecord)
	if err != nil {
		return err
	}
	if c.cfg.currency != "" && !or.has("currency") {
		return usagef("-currency %s: %s has no currency column, so no order is in %s", c.cfg.currency, name, c.cfg.currency)
	}
	for {
		o, err := or.read()
		if err == io.EOF {
			break
		}
		c.progress.update(name, c.inputs.OrderRows, or.scan.read)
		if err == nil {
			err = c.admit(or, o)
		}
		if errors.Is(err, errLeftOut) {
			continue
		}
		if err != nil {
			if err := c.skip(err); err != nil {
				return err
			}
			continue
		}
		if err := c.addOrder(o); err != nil {
			return err
		}
	}
	c.progress.done()
	return nil
}

// errLeftOut marks an order in another currency than -currency's.
var errLeftOut = errors.New("left out")

// admit counts a well-formed order row and decides whether it goes into the
// report: errLeftOut for another currency than -currency's, a *rowError for
// a currency other than that of the orders before it.
func (c *collector) admit(or *orderReader, o cxmetrics.Order) error {
	if c.cfg.currency != "" && o.Currency != c.cfg.currency {
		c.inputs.OrderRows++
		c.inputs.OtherCurrencyRows++
		return errLeftOut
	}
	if c.haveCurrency && o.Currency != c.currency {
		return or.errorf("currency %s after %s on earlier rows: mixed currencies; keep one with -currency CODE", quote(o.Currency), quote(c.currency))
	}
	c.inputs.OrderRows++
	return nil
}

// addOrder adds a checked order to every accumulator. They do not refuse
// it, since the reader and admit checked everything they check; if one
// did, that would be a bug, reported as such.
func (c *collector) addOrder(o cxmetrics.Order) error {
	c.currency, c.haveCurrency = o.Currency, true
	for _, add := range []func(cxmetrics.Order) error{c.stats.Add, c.cohorts.Add} {
		if err := add(o); err != nil {
			return fmt.Errorf("internal error: an order the reader checked was refused: %w", err)
		}
	}
	if o.IsRefund() {
		c.refunds++
	}
	return nil
}

// readResponses streams a responses CSV into the survey tallies.
func (c *collector) readResponses(r io.Reader, name string) error {
	rr, err := newResponseReader(r, name, c.cfg.opts.Location, c.cfg.maxRecord)
	if err != nil {
		return err
	}
	for {
		resp, err := rr.read()
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
		switch resp.metric {
		case "nps":
			err = c.nps.Add(resp.score)
		case "csat":
			err = c.csat.Add(resp.score)
		default:
			err = c.ces.Add(resp.score)
		}
		if err != nil { // the reader checked the range already
			return rr.errorf("%v", err)
		}
	}
}

// optional turns a figure that may have no data into a pointer, nil for
// ErrNoData.
func optional(d decimal.Decimal, err error) (*decimal.Decimal, error) {
	if errors.Is(err, cxmetrics.ErrNoData) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// report computes every figure from the accumulators.
func (c *collector) report() (*Report, error) {
	rep := &Report{Schema: schemaVersion, Inputs: c.inputs, Currency: c.stats.Currency()}
	s := &c.stats
	rep.Orders = OrderFigures{Revenue: s.Revenue(), Orders: s.Orders(), Refunds: c.refunds, Customers: s.Customers()}
	var err error
	for _, f := range []struct {
		dst  **decimal.Decimal
		calc func() (decimal.Decimal, error)
	}{
		{&rep.Orders.AOV, s.AOV}, {&rep.Orders.PurchaseFrequency, s.PurchaseFrequency},
		{&rep.Orders.RepeatPurchaseRate, s.RepeatPurchaseRate}, {&rep.Orders.HistoricalLTV, s.HistoricalLTV},
	} {
		if *f.dst, err = optional(f.calc()); err != nil {
			return nil, err
		}
	}

	if customers, th, err := cxmetrics.SegmentByAOVTerciles(s); err == nil {
		tiers := &TierFigures{MediumFrom: th.Medium, HighFrom: th.High}
		for _, t := range cxmetrics.SummarizeTiers(customers) {
			f := TierFigure{Tier: t.Tier.String(), Customers: t.Customers, Orders: t.Orders, Revenue: t.Revenue}
			if t.Orders > 0 {
				aov := t.AOV
				f.AOV = &aov
			}
			tiers.Tiers = append(tiers.Tiers, f)
		}
		rep.AOVTiers = tiers
	} else if !errors.Is(err, cxmetrics.ErrNoData) {
		return nil, err
	}

	if table, err := c.cohorts.Table(); err == nil {
		rep.Cohorts = cohortFigures(table)
	} else if !errors.Is(err, cxmetrics.ErrNoData) {
		return nil, err
	}

	if c.nps.Responses() > 0 {
		score, _ := c.nps.Score()
		lo, hi, err := c.nps.ConfidenceInterval(0.95)
		if err != nil {
			return nil, err
		}
		rep.NPS = &NPSFigures{
			Responses: c.nps.Responses(), Promoters: c.nps.Promoters, Passives: c.nps.Passives, Detractors: c.nps.Detractors,
			Score: score, CI95Low: round4(lo), CI95High: round4(hi),
		}
	}
	if c.csat.Responses() > 0 {
		share, _ := c.csat.PositiveShare()
		rep.CSAT = &ScaleFigures{Responses: c.csat.Responses(), Score: share, Distribution: c.csat.Distribution()}
	}
	if c.ces.Responses() > 0 {
		mean, _ := c.ces.Mean()
		agree, _ := c.ces.PositiveShare()
		rep.CES = &ScaleFigures{Responses: c.ces.Responses(), Score: mean, PositiveShare: &agree, Distribution: c.ces.Distribution()}
	}
	return rep, nil
}

// round4 keeps four decimals of a statistic, so that the last bits of
// floating-point arithmetic never change the report between platforms.
func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func cohortFigures(t *cxmetrics.CohortTable) *CohortFigures {
	f := &CohortFigures{Period: t.Period.String(), Unattributed: t.Unattributed}
	width := 0
	for _, r := range t.Rows {
		row := CohortFigureRow{Start: r.Start.Format(time.DateOnly), Size: r.Size, Active: r.Active, Revenue: r.Revenue}
		for k := range r.Active {
			ret, _ := r.Retention(k) // k is in range and Size > 0
			row.Retention = append(row.Retention, ret)
		}
		width = max(width, len(r.Active))
		f.Rows = append(f.Rows, row)
	}
	for k := 0; k < width; k++ {
		avg, _ := t.AverageRetention(k) // the first row reaches every k
		f.AverageRetention = append(f.AverageRetention, avg)
	}
	return f
}

// progress shows a progress line on a terminal for inputs that take more
// than a couple of seconds; it is silent otherwise.
type progress struct {
	w       io.Writer
	enabled bool
	start   time.Time
	last    time.Time
	shown   bool
	calls   int
}

func newProgress(w io.Writer, terminal bool) *progress {
	return &progress{w: w, enabled: terminal, start: time.Now()}
}

func (p *progress) update(name string, rows, bytes int64) {
	if p == nil || !p.enabled {
		return
	}
	p.calls++
	if p.calls%4096 != 0 {
		return
	}
	now := time.Now()
	if now.Sub(p.start) < 2*time.Second || now.Sub(p.last) < 250*time.Millisecond {
		return
	}
	p.last, p.shown = now, true
	fmt.Fprintf(p.w, "\r%s: %d rows, %.1f MB read ", name, rows, float64(bytes)/1e6)
}

func (p *progress) done() {
	if p != nil && p.shown {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 60))
		p.shown = false
	}
}
