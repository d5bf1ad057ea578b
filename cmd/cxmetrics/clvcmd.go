package main

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/clv"
	"github.com/cxmetrics/cxmetrics/internal/csvin"
	"github.com/shopspring/decimal"
)

const clvUsage = `usage: cxmetrics clv -orders FILE [-calibration-end DATE] [-unit day|week] [-horizon N]
    [-discount R] [-margin M] [-model bgnbd|pnbd] [-tz ZONE] [-format csv|html] [-o FILE]
`

// clvConfig is the clv subcommand's command line.
type clvConfig struct {
	orders, out, format, model string
	calEnd                     time.Time // zero: the day of the last order
	unit                       time.Duration
	unitName                   string
	horizon                    float64
	discount, margin           decimal.Decimal
	loc                        *time.Location
}

// runCLV is "cxmetrics clv": it fits BG/NBD, Pareto/NBD and Gamma-Gamma to
// the orders and writes one row per customer as CSV, or with -format html
// a page with both models' parameters, their AIC and the
// calibration-vs-holdout chart. Exit status 0 on success, 1 for bad data
// (or a model that cannot be fitted), 2 for a bad command line.
func runCLV(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := parseCLVFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "cxmetrics clv: %v\n%s", err, clvUsage)
		return 2
	}
	return exitCode(clvCommand(cfg, stdin, stdout, stderr), stderr, "cxmetrics clv")
}

func parseCLVFlags(args []string, stderr io.Writer) (clvConfig, error) {
	fs := flag.NewFlagSet("clv", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg clvConfig
	var calEnd, tz, discount, margin string
	fs.StringVar(&cfg.orders, "orders", "", "orders CSV (customer_id, order_id, time, amount[, currency]); - for stdin; required")
	fs.StringVar(&calEnd, "calibration-end", "", "last day (YYYY-MM-DD) of the calibration period; later orders are the holdout that checks the models (default: the last order's day, no holdout)")
	fs.StringVar(&cfg.unitName, "unit", "week", "time unit of recency, T and the horizon: day or week")
	fs.Float64Var(&cfg.horizon, "horizon", 52, "prediction horizon, in units")
	fs.StringVar(&discount, "discount", "0", "discount rate per unit, a fraction >= 0 (0.002 for 0.2% a week)")
	fs.StringVar(&margin, "margin", "1", "gross margin on spend, a fraction in (0, 1]")
	fs.StringVar(&cfg.model, "model", "bgnbd", "purchase model of the CSV rows: bgnbd or pnbd")
	fs.StringVar(&tz, "tz", "UTC", "time zone whose calendar days cut the orders, and that reads times without an offset")
	fs.StringVar(&cfg.format, "format", "csv", "output format: csv or html")
	fs.StringVar(&cfg.out, "o", "", "write to this file instead of standard output")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.orders == "" {
		return cfg, errors.New("-orders is required")
	}
	var err error
	if cfg.loc, err = time.LoadLocation(tz); err != nil {
		return cfg, fmt.Errorf("-tz %q: unknown time zone", tz)
	}
	if calEnd != "" {
		if cfg.calEnd, err = time.ParseInLocation(time.DateOnly, calEnd, cfg.loc); err != nil {
			return cfg, fmt.Errorf("-calibration-end %q: not a date YYYY-MM-DD", calEnd)
		}
	}
	switch cfg.unitName {
	case "day":
		cfg.unit = 24 * time.Hour
	case "week":
		cfg.unit = 7 * 24 * time.Hour
	default:
		return cfg, fmt.Errorf("-unit %q: not day or week", cfg.unitName)
	}
	if !(cfg.horizon > 0) || cfg.horizon > clv.MaxHorizon || cfg.horizon != math.Trunc(cfg.horizon) {
		return cfg, fmt.Errorf("-horizon %v: not a whole number of units in 1..%d", cfg.horizon, clv.MaxHorizon)
	}
	if cfg.discount, err = decimal.NewFromString(discount); err != nil || cfg.discount.IsNegative() {
		return cfg, fmt.Errorf("-discount %q: not a fraction >= 0", discount)
	}
	if cfg.margin, err = decimal.NewFromString(margin); err != nil || !cfg.margin.IsPositive() || cfg.margin.GreaterThan(decimal.NewFromInt(1)) {
		return cfg, fmt.Errorf("-margin %q: not a fraction in (0, 1]", margin)
	}
	switch cfg.model {
	case "bgnbd", "pnbd":
	default:
		return cfg, fmt.Errorf("-model %q: not bgnbd or pnbd", cfg.model)
	}
	switch cfg.format {
	case "csv", "html":
	default:
		return cfg, fmt.Errorf("-format %q: not csv or html", cfg.format)
	}
	return cfg, nil
}

// clvResult is everything the CSV and the page show.
type clvResult struct {
	Input             string
	Unit              string
	CalibrationEnd    string
	ObservationEnd    string // "" without a holdout
	Horizon           float64
	Customers         []clv.Customer
	BG                *clv.BGNBD
	Pareto            *clv.ParetoNBD
	Spend             *clv.GammaGamma
	BGCheck, PCheck   *clv.HoldoutCheck
	Model             string
	rows              []clvRow
	NoSpend, Currency string
	ParetoErr         string   // why Pareto/NBD has no model, or ""
	Loose             []string // models fitted to the looser tolerance
}

// looseTolerance is the tolerance of a second try at a fit that cannot
// bring its gradient within the library's default, 1e-8: with parameters
// in the thousands the rounding of the gradient in log space can sit
// between the two.
const looseTolerance = 1e-6

// refit fits with the default tolerance and, if that does not converge,
// once more with looseTolerance, noting the model's name in loose.
func refit[M any](fit func([]clv.Customer, clv.FitOptions) (M, error), cs []clv.Customer, loose *[]string, name string) (M, error) {
	m, err := fit(cs, clv.FitOptions{})
	if errors.Is(err, clv.ErrNotConverged) {
		if m, err = fit(cs, clv.FitOptions{Tolerance: looseTolerance}); err == nil {
			*loose = append(*loose, name)
		}
	}
	return m, err
}

type clvRow struct {
	c               clv.Customer
	alive, expected float64
	spend, value    decimal.Decimal
	spendOK         bool
}

func clvCommand(cfg clvConfig, stdin io.Reader, stdout, stderr io.Writer) error {
	if err := checkOutput(cfg.out, cfg.orders); err != nil {
		return err
	}
	var orders []cxmetrics.Order
	if err := readFile(cfg.orders, stdin, func(r io.Reader, name string) error {
		or, err := csvin.NewOrderReader(r, name, cfg.loc, csvin.DefaultMaxRecord)
		if err != nil {
			return err
		}
		for {
			o, err := or.Read()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			orders = append(orders, o)
		}
	}); err != nil {
		return err
	}
	if len(orders) == 0 {
		return fmt.Errorf("%s: no orders", cfg.orders)
	}
	res, err := fitCLV(cfg, orders)
	if err != nil {
		return err
	}
	if res.NoSpend != "" {
		fmt.Fprintln(stderr, "cxmetrics clv:", res.NoSpend)
	}
	for _, name := range res.Loose {
		fmt.Fprintf(stderr, "cxmetrics clv: %s fitted to a gradient within %g (not 1e-8: rounding)\n", name, looseTolerance)
	}
	if res.ParetoErr != "" {
		fmt.Fprintln(stderr, "cxmetrics clv: Pareto/NBD left out:", res.ParetoErr)
	}
	var buf bytes.Buffer
	if cfg.format == "html" {
		err = clvPage.Execute(&buf, res)
	} else {
		err = writeCLVCSV(&buf, res)
	}
	if err != nil {
		return err
	}
	return emit(cfg.out, stdout, buf.Bytes())
}

func fitCLV(cfg clvConfig, orders []cxmetrics.Order) (*clvResult, error) {
	last := orders[0].Time
	for _, o := range orders {
		if o.Time.After(last) {
			last = o.Time
		}
	}
	opts := clv.SummaryOptions{CalibrationEnd: cfg.calEnd, Unit: cfg.unit, Location: cfg.loc}
	if cfg.calEnd.IsZero() {
		opts.CalibrationEnd = last
	} else if last.In(cfg.loc).Format(time.DateOnly) > cfg.calEnd.Format(time.DateOnly) {
		opts.ObservationEnd = last
	}
	customers, err := clv.Summarize(orders, opts)
	if err != nil {
		return nil, err
	}
	res := &clvResult{Input: cfg.orders, Unit: cfg.unitName, Horizon: cfg.horizon, Customers: customers, Model: cfg.model,
		CalibrationEnd: opts.CalibrationEnd.In(cfg.loc).Format(time.DateOnly), Currency: orders[0].Currency}
	if !opts.ObservationEnd.IsZero() {
		res.ObservationEnd = opts.ObservationEnd.In(cfg.loc).Format(time.DateOnly)
	}
	if res.BG, err = refit(clv.FitBGNBD, customers, &res.Loose, "BG/NBD"); err != nil {
		return nil, fmt.Errorf("BG/NBD: %w", err)
	}
	// A Pareto/NBD fit that does not converge leaves the BG/NBD rows and
	// page usable: it is reported, not fatal, unless its rows are asked for.
	if res.Pareto, err = refit(clv.FitParetoNBD, customers, &res.Loose, "Pareto/NBD"); err != nil {
		if cfg.model == "pnbd" {
			return nil, fmt.Errorf("Pareto/NBD: %w", err)
		}
		res.Pareto, res.ParetoErr = nil, err.Error()
	}
	if res.Spend, err = refit(clv.FitGammaGamma, customers, &res.Loose, "Gamma-Gamma"); err != nil {
		return nil, fmt.Errorf("Gamma-Gamma: %w", err)
	}
	if res.ObservationEnd != "" {
		if res.BGCheck, err = clv.CheckHoldout(res.BG, customers); err != nil {
			return nil, err
		}
		if res.Pareto != nil {
			if res.PCheck, err = clv.CheckHoldout(res.Pareto, customers); err != nil {
				return nil, err
			}
		}
	}
	if err := res.predict(cfg); err != nil {
		return nil, err
	}
	return res, nil
}

// predict fills a row per customer with the chosen model's predictions.
func (res *clvResult) predict(cfg clvConfig) error {
	var model clv.PurchaseModel = res.BG
	if cfg.model == "pnbd" {
		model = res.Pareto
	}
	lifetime := clv.LifetimeOptions{Horizon: int(cfg.horizon), PeriodLength: 1, DiscountRate: cfg.discount, Margin: cfg.margin}
	noSpend := 0
	var err error
	for _, c := range res.Customers {
		row := clvRow{c: c}
		if row.alive, err = model.ProbabilityAlive(c); err != nil {
			return err
		}
		if row.expected, err = model.ConditionalExpectedPurchases(c, cfg.horizon); err != nil {
			return err
		}
		if row.spend, err = res.Spend.ConditionalExpectedSpend(c); err == nil {
			row.spendOK = true
			if row.value, err = clv.LifetimeValue(model, res.Spend, c, lifetime); err != nil {
				return err
			}
		} else {
			noSpend++
		}
		res.rows = append(res.rows, row)
	}
	if noSpend > 0 {
		res.NoSpend = fmt.Sprintf("%d customers have no expected spend (their refunds outweigh their repeat purchases, or q <= 1): their spend and clv cells are empty", noSpend)
	}
	return nil
}

// writeCLVCSV writes one row per customer. Figures that do not exist (the
// expected spend of a customer whose refunds outweigh their repeat
// purchases) are empty cells, never 0.
func writeCLVCSV(w io.Writer, res *clvResult) error {
	cw := csv.NewWriter(w)
	h := strconv.FormatFloat(res.Horizon, 'f', -1, 64)
	cw.Write([]string{"customer_id", "frequency", "recency", "T", "p_alive", "expected_purchases_" + h + "_" + res.Unit + "s", "expected_spend", "clv"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }
	for _, r := range res.rows {
		spend, value := "", ""
		if r.spendOK {
			spend, value = r.spend.StringFixed(2), r.value.StringFixed(2)
		}
		cw.Write([]string{r.c.ID, f(r.c.Frequency), f(r.c.Recency), f(r.c.T), f(r.alive), f(r.expected), spend, value})
	}
	cw.Flush()
	return cw.Error()
}

//go:embed clv.html.tmpl
var clvPageText string

var clvPage = template.Must(template.New("clv").Funcs(template.FuncMap{
	"f":     func(prec int, v float64) string { return strconv.FormatFloat(v, 'f', prec, 64) },
	"chart": holdoutChart,
	"se": func(v float64) string {
		if v == 0 {
			return "—"
		}
		return strconv.FormatFloat(v, 'f', 4, 64)
	},
}).Parse(clvPageText))

// chartPoint is one point of a line in the holdout chart, in SVG units.
type chartPoint struct {
	X, Y  float64
	Label string
	Value float64
}

// chartData is the calibration-vs-holdout chart: mean holdout purchases
// per calibration-frequency group, actual and as each model predicts.
type chartData struct {
	Width, Height, Left, Bottom, Top float64
	Actual, BG, Pareto               []chartPoint
	Ticks                            []chartPoint // y axis
	Groups                           []chartPoint // x axis labels
}

func holdoutChart(bg, p *clv.HoldoutCheck) chartData {
	d := chartData{Width: 640, Height: 320, Left: 50, Bottom: 280, Top: 20}
	maxV := 0.0
	pareto := func(i int) float64 {
		if p == nil {
			return 0
		}
		return p.Groups[i].Predicted
	}
	for i, g := range bg.Groups {
		maxV = math.Max(maxV, math.Max(g.Actual, math.Max(g.Predicted, pareto(i))))
	}
	if maxV == 0 {
		maxV = 1
	}
	maxV = math.Ceil(maxV)
	n := float64(len(bg.Groups))
	x := func(i int) float64 { return d.Left + (float64(i)+0.5)*(d.Width-d.Left-10)/n }
	y := func(v float64) float64 { return d.Bottom - v/maxV*(d.Bottom-d.Top) }
	for i, g := range bg.Groups {
		label := strconv.Itoa(g.Frequency)
		if g.AndMore {
			label += "+"
		}
		d.Groups = append(d.Groups, chartPoint{X: x(i), Y: d.Bottom + 18, Label: label})
		d.Actual = append(d.Actual, chartPoint{X: x(i), Y: y(g.Actual), Value: g.Actual})
		d.BG = append(d.BG, chartPoint{X: x(i), Y: y(g.Predicted), Value: g.Predicted})
		if p != nil {
			d.Pareto = append(d.Pareto, chartPoint{X: x(i), Y: y(pareto(i)), Value: pareto(i)})
		}
	}
	for k := 0; k <= 4; k++ {
		v := maxV * float64(k) / 4
		d.Ticks = append(d.Ticks, chartPoint{X: d.Left - 6, Y: y(v), Label: strconv.FormatFloat(v, 'g', 3, 64)})
	}
	return d
}

// points formats a line's points for an SVG polyline.
func (c chartPoint) String() string { return fmt.Sprintf("%.1f,%.1f", c.X, c.Y) }
