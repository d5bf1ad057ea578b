// Command cxbeam computes the cxmetrics report with Apache Beam: the same
// CSV inputs and the same JSON as cxmetrics report -format json, on Beam's
// Prism runner in this process by default, or on Flink, Spark or Google
// Dataflow with Beam's own flags (see beam/README.md).
//
//	cxbeam -orders FILE [-responses FILE] [-subscriptions FILE] [-rows orders|lines]
//	    [-period month|week|day|quarter|year] [-tz ZONE] [-window N] [-currency CODE]
//	    [-until DATE] [-shards N] [-dead-letter FILE] [-fail-on-bad] -o FILE
//	    [--runner prism|flink|spark|dataflow ...]
//
// Bad rows never stop the job: each goes to the dead-letter file as
// "file:line: reason" and is counted in the report as cxmetrics report
// -skip-bad counts it; -fail-on-bad fails the job instead of writing a
// report when there is any.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"
	_ "time/tzdata" // -tz works on workers without a time zone database

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"
	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/internal/csvin"
)

func main() {
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), usage)
		flag.PrintDefaults()
	}
	cfg, err := parseFlags(flag.CommandLine, os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "cxbeam: %v\n", err)
		os.Exit(2)
	}
	beam.Init()
	p, err := pipeline(cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cxbeam: %v\n", err)
		os.Exit(2)
	}
	if err := beamx.Run(context.Background(), p); err != nil {
		fmt.Fprintf(os.Stderr, "cxbeam: %v\n", err)
		os.Exit(1)
	}
}

const usage = `usage: cxbeam -orders FILE [-responses FILE] [-subscriptions FILE] [-rows orders|lines]
    [-period month|week|day|quarter|year] [-tz ZONE] [-window N] [-currency CODE] [-until DATE]
    [-shards N] [-dead-letter FILE] [-fail-on-bad] -o FILE [Beam flags: --runner, --endpoint, ...]

Writes the JSON report of cxmetrics report -format json. FILE may be any
path Beam's filesystems read (local, gs://); .gz files are decompressed.
`

// config is a parsed command line.
type config struct {
	orders, responses, subscriptions string
	out, deadLetter                  string
	rows                             string
	period, tz                       string
	window                           int
	currency                         string
	until                            string // RFC 3339, "" for the latest span event
	shards                           int
	maxRecord                        int
	failOnBad                        bool
	unlifted                         bool // tests: combine as runners that do not lift
}

func parseFlags(fs *flag.FlagSet, args []string) (config, error) {
	var cfg config
	fs.StringVar(&cfg.orders, "orders", "", "orders CSV (customer_id, order_id, time, amount[, currency])")
	fs.StringVar(&cfg.responses, "responses", "", "survey responses CSV (metric, score[, time])")
	fs.StringVar(&cfg.subscriptions, "subscriptions", "", "subscriptions CSV (customer_id, subscription_id, start, end, amount, interval[, interval_count][, currency])")
	fs.StringVar(&cfg.rows, "rows", "orders", "what a row of -orders is: orders (re-deliveries left out) or lines (invoice lines, summed by order_id)")
	fs.StringVar(&cfg.period, "period", "month", "cohort period: month, week, day, quarter or year")
	fs.StringVar(&cfg.tz, "tz", "UTC", "time zone that cuts periods and reads times without an offset")
	fs.IntVar(&cfg.window, "window", 1, "periods a purchase keeps a customer active, for the series")
	fs.StringVar(&cfg.currency, "currency", "", "keep only orders and spans in this currency")
	var until string
	fs.StringVar(&until, "until", "", "the last instant the MRR series covers: YYYY-MM-DD (its end), or a time")
	fs.IntVar(&cfg.shards, "shards", 16, "groups of customers the work is split into")
	fs.IntVar(&cfg.maxRecord, "max-record-bytes", csvin.DefaultMaxRecord, "longest CSV record read; a longer one is a bad row")
	fs.StringVar(&cfg.out, "o", "", "the JSON report (required)")
	fs.StringVar(&cfg.deadLetter, "dead-letter", "", "the bad rows, one \"file:line: reason\" a line (default: the -o file with .bad appended)")
	fs.BoolVar(&cfg.failOnBad, "fail-on-bad", false, "fail the job, and write no report, when any row is bad")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.out == "" {
		return cfg, errors.New("-o FILE is required")
	}
	if cfg.orders == "" && cfg.responses == "" && cfg.subscriptions == "" {
		return cfg, errors.New("give -orders, -responses or -subscriptions")
	}
	if cfg.deadLetter == "" {
		cfg.deadLetter = cfg.out + ".bad"
	}
	p, err := cxmetrics.ParsePeriod(cfg.period)
	if err != nil {
		return cfg, fmt.Errorf("-period %q: not month, week, day, quarter or year", cfg.period)
	}
	loc, err := time.LoadLocation(cfg.tz)
	if err != nil {
		return cfg, fmt.Errorf("-tz %q: unknown time zone", cfg.tz)
	}
	if _, err := cxmetrics.NewCohortBuilder(cxmetrics.CohortOptions{Period: p, Location: loc}); err != nil {
		return cfg, fmt.Errorf("-tz %q: %v", cfg.tz, err)
	}
	if until != "" {
		t, err := csvin.ParseUntil(until, loc)
		if err != nil {
			return cfg, err
		}
		cfg.until = t.Format(time.RFC3339Nano)
	}
	if cfg.rows != "orders" && cfg.rows != "lines" {
		return cfg, fmt.Errorf("-rows %q: not orders or lines", cfg.rows)
	}
	if cfg.window < 1 {
		return cfg, fmt.Errorf("-window %d: a purchase keeps a customer active for at least 1 period", cfg.window)
	}
	if cfg.shards < 1 {
		return cfg, fmt.Errorf("-shards %d: at least 1", cfg.shards)
	}
	if cfg.maxRecord < 1 {
		return cfg, fmt.Errorf("-max-record-bytes %d: not a positive number of bytes", cfg.maxRecord)
	}
	if cfg.currency != "" {
		if _, err := cxmetrics.MinorUnits(cfg.currency); err != nil {
			return cfg, fmt.Errorf("-currency %q: not an ISO 4217 code with a minor unit", cfg.currency)
		}
	}
	return cfg, nil
}

// writeLocal writes data to a local path through a temporary file and a
// rename, so the file is the old one or the whole report, never half.
func writeLocal(path string, data []byte) error {
	f, err := os.CreateTemp(dirOf(path), ".cxbeam.*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return path[:i+1]
		}
	}
	return "."
}
