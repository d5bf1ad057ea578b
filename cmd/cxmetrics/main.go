// Command cxmetrics prints a customer-metrics report from CSV files of orders
// and survey responses: revenue and order metrics, AOV tiers, the cohort
// retention triangle, NPS with its 95% interval, CSAT and CES.
//
// With no arguments it reports on a sample data set embedded in the binary:
//
//	go run ./cmd/cxmetrics
//
// On your own files:
//
//	cxmetrics report -orders FILE [-responses FILE] [-period month|week|day|quarter|year]
//	    [-tz Europe/Berlin] [-format text|json|html] [-o FILE] [-skip-bad] [-currency CODE]
//
// FILE may be - for standard input, and gzip files (.gz) are read directly.
// See README.md for the file formats and the JSON schema.
package main

import (
	"bytes"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
	_ "time/tzdata" // -tz works on machines without a time zone database

	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/internal/csvin"
)

//go:embed sample/orders.csv
var sampleOrders []byte

//go:embed sample/responses.csv
var sampleResponses []byte

//go:embed sample/subscriptions.csv
var sampleSubscriptions []byte

const sampleName = "sample (embedded)"

func main() {
	fi, err := os.Stderr.Stat()
	terminal := err == nil && fi.Mode()&os.ModeCharDevice != 0
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, terminal))
}

const usage = `usage: cxmetrics [report [flags] | clv [flags]]

With no arguments, prints the report for the embedded sample data set.

  cxmetrics report -orders FILE [-responses FILE] [-period month|week|day|quarter|year]
      [-tz ZONE] [-format text|json|html] [-o FILE] [-skip-bad] [-currency CODE]
      [-rows orders|lines] [-fx FILE] [-window N] [-subscriptions FILE] [-until DATE]
      [-max-record-bytes N]

  cxmetrics clv -orders FILE [-calibration-end DATE] [-unit day|week] [-horizon N]
      [-discount R] [-margin M] [-model bgnbd|pnbd] [-tz ZONE] [-format csv|html] [-o FILE]

FILE may be - for standard input; .gz files are decompressed. Without
-orders, the report uses the embedded sample.
`

// run is the whole command; it returns the exit code: 0 on success, 1 for
// bad input data, 2 for a bad command line.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, terminal bool) int {
	if len(args) == 0 {
		args = []string{"report"}
	}
	switch args[0] {
	case "report":
	case "clv":
		return runCLV(args[1:], stdin, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "cxmetrics: unknown command %q\n%s", args[0], usage)
		return 2
	}
	cfg, err := parseFlags(args[1:], stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "cxmetrics: %v\n", err)
		return 2
	}
	return exitCode(report(cfg, stdin, stdout, newProgress(stderr, terminal)), stderr, "cxmetrics")
}

// exitCode prints err, if any, after prefix and returns the exit status:
// 0 for none, 2 for a usageError (a bad command line), 1 for the rest.
func exitCode(err error, stderr io.Writer, prefix string) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// parseFlags reads the report's command line into a config, checked.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	var period, tz string
	fs.StringVar(&cfg.orders, "orders", "", "orders CSV (customer_id, order_id, time, amount[, currency]); - for stdin; default: the embedded sample")
	fs.StringVar(&cfg.responses, "responses", "", "survey responses CSV (metric, score[, time]); - for stdin")
	fs.StringVar(&period, "period", "month", "cohort period: month, week, day, quarter or year")
	fs.StringVar(&tz, "tz", "UTC", "time zone that cuts periods and reads times without an offset, e.g. Europe/Berlin")
	fs.StringVar(&cfg.format, "format", "text", "output format: text, json or html")
	fs.StringVar(&cfg.out, "o", "", "write the report to this file instead of standard output")
	fs.BoolVar(&cfg.skipBad, "skip-bad", false, "skip bad rows, and report how many and why, instead of failing")
	fs.StringVar(&cfg.currency, "currency", "", "keep only orders in this currency (needed when the orders mix currencies)")
	fs.IntVar(&cfg.maxRecord, "max-record-bytes", csvin.DefaultMaxRecord, "longest CSV record read; a longer one is a bad row")
	fs.StringVar(&cfg.rows, "rows", "orders", "what a row of -orders is: orders (one order a row; re-deliveries left out) or lines (invoice lines, summed by order_id)")
	fs.StringVar(&cfg.fx, "fx", "", "exchange rates CSV (date, currency, rate: 1 currency = rate -currency); converts every order into -currency")
	fs.IntVar(&cfg.window, "window", 1, "periods a purchase keeps a customer active, for the month-by-month series")
	fs.StringVar(&cfg.subscriptions, "subscriptions", "", "subscriptions CSV (customer_id, subscription_id, start, end, amount, interval[, interval_count][, currency]); - for stdin")
	var until string
	fs.StringVar(&until, "until", "", "the last instant the MRR series covers: YYYY-MM-DD (its end), or a time; default: the latest span start or end")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := cfg.setCalendar(period, tz, until); err != nil {
		return cfg, err
	}
	return cfg, cfg.check()
}

// setCalendar sets the cohort options and -until from the flags' text.
func (cfg *config) setCalendar(period, tz, until string) error {
	p, err := cxmetrics.ParsePeriod(period)
	if err != nil {
		return fmt.Errorf("-period %q: not month, week, day, quarter or year", period)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return fmt.Errorf("-tz %q: unknown time zone", tz)
	}
	cfg.opts = cxmetrics.CohortOptions{Period: p, Location: loc}
	if until != "" {
		if cfg.until, err = csvin.ParseUntil(until, loc); err != nil {
			return err
		}
	}
	if _, err := cxmetrics.NewCohortBuilder(cfg.opts); err != nil {
		return fmt.Errorf("-tz %q: %v", tz, err)
	}
	return nil
}

// check checks the flags that stand on their own and how they combine.
func (cfg *config) check() error {
	switch cfg.format {
	case "text", "json", "html":
	default:
		return fmt.Errorf("-format %q: not text, json or html", cfg.format)
	}
	if cfg.currency != "" {
		if _, err := cxmetrics.MinorUnits(cfg.currency); err != nil {
			return fmt.Errorf("-currency %q: not an ISO 4217 code with a minor unit", cfg.currency)
		}
	}
	if cfg.orders == "-" && cfg.responses == "-" {
		return errors.New("-orders and -responses cannot both read standard input")
	}
	if cfg.maxRecord < 1 {
		return fmt.Errorf("-max-record-bytes %d: not a positive number of bytes", cfg.maxRecord)
	}
	if cfg.rows != "orders" && cfg.rows != "lines" {
		return fmt.Errorf("-rows %q: not orders or lines", cfg.rows)
	}
	if cfg.window < 1 {
		return fmt.Errorf("-window %d: a purchase keeps a customer active for at least 1 period", cfg.window)
	}
	if cfg.fx != "" && cfg.currency == "" {
		return errors.New("-fx needs -currency CODE, the currency the rates convert into")
	}
	stdins := 0
	for _, in := range []string{cfg.orders, cfg.responses, cfg.fx, cfg.subscriptions} {
		if in == "-" {
			stdins++
		}
	}
	if stdins > 1 {
		return errors.New("only one input can read standard input")
	}
	return nil
}

// report reads the inputs, computes the report and writes it. Nothing is
// written when an input is bad.
func report(cfg config, stdin io.Reader, stdout io.Writer, p *progress) error {
	if err := checkOutput(cfg.out, cfg.orders, cfg.responses, cfg.fx, cfg.subscriptions); err != nil {
		return err
	}
	c, err := newCollector(cfg, p)
	if err != nil {
		return err
	}
	if err := c.readInputs(stdin); err != nil {
		return err
	}
	rep, err := c.report()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch cfg.format {
	case "json":
		err = writeJSON(&buf, rep)
	case "html":
		err = writeHTML(&buf, rep)
	default:
		err = writeText(&buf, rep)
	}
	if err != nil {
		return err
	}
	return emit(cfg.out, stdout, buf.Bytes())
}

// readInputs reads the orders and responses given, or the embedded sample
// when neither is given. With only -responses, the report has no orders.
func (c *collector) readInputs(stdin io.Reader) error {
	if c.cfg.fx != "" {
		if err := readFile(c.cfg.fx, stdin, c.readRates); err != nil {
			return err
		}
		c.inputs.FXFile = c.cfg.fx
	}
	if c.cfg.orders == "" && c.cfg.responses == "" && c.cfg.subscriptions == "" {
		c.inputs.OrdersFile, c.inputs.ResponsesFile, c.inputs.SubscriptionsFile = sampleName, sampleName, sampleName
		if err := c.readOrders(bytes.NewReader(sampleOrders), "sample/orders.csv"); err != nil {
			return err
		}
		if err := c.readSubscriptions(bytes.NewReader(sampleSubscriptions), "sample/subscriptions.csv"); err != nil {
			return err
		}
		return c.readResponses(bytes.NewReader(sampleResponses), "sample/responses.csv")
	}
	if c.cfg.orders != "" {
		if err := readFile(c.cfg.orders, stdin, c.readOrders); err != nil {
			return err
		}
		c.inputs.OrdersFile = c.cfg.orders
	}
	if c.cfg.subscriptions != "" {
		if err := readFile(c.cfg.subscriptions, stdin, c.readSubscriptions); err != nil {
			return err
		}
		c.inputs.SubscriptionsFile = c.cfg.subscriptions
	}
	if c.cfg.responses != "" {
		if err := readFile(c.cfg.responses, stdin, c.readResponses); err != nil {
			return err
		}
		c.inputs.ResponsesFile = c.cfg.responses
	}
	return nil
}

// emit writes a finished output: to the file out, atomically, or to
// stdout when out is "".
func emit(out string, stdout io.Writer, data []byte) error {
	if out != "" {
		return writeAtomic(out, data)
	}
	_, err := stdout.Write(data)
	return err
}

// checkOutput refuses an output file that is one of the inputs (the same
// file by os.SameFile, so links and other names of it count too): writing
// the report would destroy the data it came from.
func checkOutput(out string, inputs ...string) error {
	if out == "" {
		return nil
	}
	outInfo, err := os.Stat(out)
	if err != nil {
		return nil // a new file cannot be an input
	}
	for _, in := range inputs {
		if in == "" || in == "-" {
			continue
		}
		if inInfo, err := os.Stat(in); err == nil && os.SameFile(outInfo, inInfo) {
			return usagef("-o %s is the input file %s; the report would overwrite it", quote(out), quote(in))
		}
	}
	return nil
}

// writeAtomic writes data to path through a temporary file in the same
// directory and a rename, so the file at path is always either what it was
// or the whole report, never half of it.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

func readFile(path string, stdin io.Reader, read func(io.Reader, string) error) error {
	r, name, closeFn, err := openInput(path, stdin)
	if err != nil {
		return err
	}
	err = read(r, name)
	if cerr := closeFn(); err == nil {
		err = cerr
	}
	return err
}
