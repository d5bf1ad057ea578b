package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/beam/cxbeam"
	"github.com/cxmetrics/cxmetrics/internal/csvin"
	"github.com/cxmetrics/cxmetrics/internal/report"
)

// The pipeline reads each input file in one DoFn, from its start: a CSV
// record may span lines, and a bad row is named by its line, so a file is
// not split (many files would be read in parallel). The rows then go the
// way the cxmetrics command takes them:
//
//  1. The report's currency is that of the first row added: a first pass
//     reads each file only up to its first row that can be added, and the
//     earliest of those (orders before subscriptions) is a side input.
//  2. Orders (-rows orders) are grouped by a hash of their order ID and
//     each group, in the order of its lines, goes through a
//     cxmetrics.OrderDedup: a re-delivery is counted and left out, an ID
//     reused with other content is a bad row. Invoice lines (-rows lines)
//     are grouped likewise and summed by order ID with
//     cxmetrics.CombineLines.
//  3. The orders, spans and answers go to cxbeam.OrderReport, cxbeam.MRR
//     and cxbeam.Survey, which shard them by customer.
//  4. Bad rows go to the dead-letter file and are counted; the first five
//     by input and line are the report's skip_reasons, as with -skip-bad.
//  5. Everything adds into one cxbeam.Figures, which internal/report turns
//     into the command's JSON.

// Phases order the inputs as the command reads them.
const (
	phaseOrders = iota
	phaseAssembled
	phaseSubscriptions
	phaseResponses
)

// Count names.
const (
	cOrderRows          = "order_rows"
	cOtherCurrencyRows  = "other_currency_rows"
	cDuplicates         = "duplicate_orders"
	cResponseRows       = "response_rows"
	cSubscriptionRows   = "subscription_rows"
	cOtherCurrencySpans = "other_currency_spans"
	cSkippedRows        = "skipped_rows"
	cSkippedLines       = "skipped_lines"
)

func init() {
	register.DoFn3x1[context.Context, string, func(*cxbeam.Figures), error](&markFn{})
	register.DoFn6x1[context.Context, string, *cxbeam.Figures, func(cxbeam.Located), func(cxbeam.BadRow), func(*cxbeam.Figures), error](&readOrdersFn{})
	register.DoFn6x1[context.Context, string, *cxbeam.Figures, func(cxmetrics.SubscriptionSpan), func(cxbeam.BadRow), func(*cxbeam.Figures), error](&readSpansFn{})
	register.DoFn5x1[context.Context, string, func(cxbeam.Response), func(cxbeam.BadRow), func(*cxbeam.Figures), error](&readResponsesFn{})
	register.Emitter1[cxbeam.Located]()
	register.Emitter1[cxbeam.BadRow]()
	register.Emitter1[cxmetrics.SubscriptionSpan]()
	register.Emitter1[cxbeam.Response]()
	register.Emitter1[cxmetrics.Order]()
	register.Emitter1[string]()
	register.Emitter2[int, cxbeam.Located]()
	register.Iter1[cxbeam.Located]()
	register.DoFn3x0[cxbeam.Located, func(int, cxbeam.Located), func(cxmetrics.Order)](&keyByIDFn{})
	register.DoFn5x1[int, func(*cxbeam.Located) bool, func(cxmetrics.Order), func(cxbeam.BadRow), func(*cxbeam.Figures), error](&dedupFn{})
	register.DoFn5x1[int, func(*cxbeam.Located) bool, *cxbeam.Figures, func(cxmetrics.Order), func(cxbeam.BadRow), error](&assembleFn{})
	register.Function1x1(badFigures)
	register.Function2x0(badLine)
	register.DoFn3x1[context.Context, []byte, *cxbeam.Figures, error](&writeReportFn{})
}

// pipeline builds the job for cfg.
func pipeline(cfg config) (*beam.Pipeline, error) {
	p, s := beam.NewPipelineWithRoot()
	opts := cxbeam.Options{Period: cfg.period, Location: cfg.tz, Window: cfg.window, Until: cfg.until, Shards: cfg.shards, Unlifted: cfg.unlifted}
	if err := opts.Check(); err != nil {
		return nil, err
	}
	var marks, figures, bads []beam.PCollection
	files := map[string]beam.PCollection{}
	for kind, path := range map[string]string{"orders": cfg.orders, "subscriptions": cfg.subscriptions, "responses": cfg.responses} {
		if path != "" {
			files[kind] = beam.Create(s, path)
		}
	}
	if f, ok := files["orders"]; ok {
		marks = append(marks, beam.ParDo(s, &markFn{Kind: "orders", Location: cfg.tz, MaxRecord: cfg.maxRecord, Currency: cfg.currency, Rows: cfg.rows}, f))
	}
	if f, ok := files["subscriptions"]; ok {
		marks = append(marks, beam.ParDo(s, &markFn{Kind: "subscriptions", Location: cfg.tz, MaxRecord: cfg.maxRecord, Currency: cfg.currency}, f))
	}
	currency := cxbeam.CombineFigures(s.Scope("currency"), beam.Flatten(s, append(marks, beam.Create(s, cxbeam.NewFigures()))...), opts)

	if f, ok := files["orders"]; ok {
		var orders beam.PCollection
		located, bad, counts := beam.ParDo3(s, &readOrdersFn{Location: cfg.tz, MaxRecord: cfg.maxRecord, Currency: cfg.currency, Rows: cfg.rows}, f, beam.SideInput{Input: currency})
		bads, figures = append(bads, bad), append(figures, counts)
		keyed, direct := beam.ParDo2(s, &keyByIDFn{Buckets: 64 * cfg.shards}, located)
		grouped := beam.GroupByKey(s, keyed)
		if cfg.rows == "lines" {
			assembled, bad := beam.ParDo2(s, &assembleFn{}, grouped, beam.SideInput{Input: currency})
			orders, bads = assembled, append(bads, bad)
		} else {
			kept, bad, dups := beam.ParDo3(s, &dedupFn{}, grouped)
			orders, bads, figures = beam.Flatten(s, kept, direct), append(bads, bad), append(figures, dups)
		}
		figures = append(figures, cxbeam.OrderReport(s, orders, opts))
	}
	if f, ok := files["subscriptions"]; ok {
		spans, bad, counts := beam.ParDo3(s, &readSpansFn{Location: cfg.tz, MaxRecord: cfg.maxRecord, Currency: cfg.currency}, f, beam.SideInput{Input: currency})
		bads, figures = append(bads, bad), append(figures, counts, cxbeam.MRR(s, spans, opts))
	}
	if f, ok := files["responses"]; ok {
		responses, bad, counts := beam.ParDo3(s, &readResponsesFn{Location: cfg.tz, MaxRecord: cfg.maxRecord}, f)
		bads, figures = append(bads, bad), append(figures, counts, cxbeam.Survey(s, responses, opts))
	}
	allBad := beam.Flatten(s, append(bads, beam.Create(s, cxbeam.BadRow{Phase: -1}))...)
	textio.Write(s, cfg.deadLetter, beam.ParDo(s, badLine, allBad))
	figures = append(figures, beam.ParDo(s, badFigures, allBad), currency)
	final := cxbeam.CombineFigures(s.Scope("report"), beam.Flatten(s, figures...), opts)
	beam.ParDo0(s, &writeReportFn{
		Out: cfg.out, OrdersFile: cfg.orders, ResponsesFile: cfg.responses, SubscriptionsFile: cfg.subscriptions,
		Period: cfg.period, Location: cfg.tz, Rows: cfg.rows, FailOnBad: cfg.failOnBad,
	}, beam.Impulse(s), beam.SideInput{Input: final})
	return p, nil
}

// open opens a file through Beam's filesystems, decompressing .gz.
func open(ctx context.Context, path string) (io.Reader, func() error, error) {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	f, err := fs.OpenRead(ctx, path)
	if err != nil {
		fs.Close()
		return nil, nil, err
	}
	closeFn := func() error { f.Close(); return fs.Close() }
	br := bufio.NewReaderSize(f, 1<<16)
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(br)
		if err != nil {
			closeFn()
			return nil, nil, fmt.Errorf("%s: not gzip data: %w", path, err)
		}
		return bufio.NewReaderSize(gz, 1<<16), closeFn, nil
	}
	return br, closeFn, nil
}

// openIn opens a file to read in the time zone named location.
func openIn(ctx context.Context, path, location string) (io.Reader, *time.Location, func() error, error) {
	loc, err := time.LoadLocation(location)
	if err != nil {
		return nil, nil, nil, err
	}
	r, closeFn, err := open(ctx, path)
	return r, loc, closeFn, err
}

// badRow turns a reader's error into a bad row, or returns it when it is
// not a bad row (an I/O error fails the job).
func badRow(err error, phase, rows int, counted bool) (cxbeam.BadRow, error) {
	var re *csvin.RowError
	if !errors.As(err, &re) {
		return cxbeam.BadRow{}, err
	}
	file, line, lines := re.Pos()
	return cxbeam.BadRow{Phase: phase, File: file, Line: line, Lines: lines, Rows: rows, Reason: re.Error(), Counted: counted}, nil
}

func mixedCurrency(got, first string) error {
	return fmt.Errorf("currency %s after %s on earlier rows: mixed currencies; keep one with -currency CODE, or convert with -fx", csvin.Quote(got), csvin.Quote(first))
}

// markFn finds a file's first row that can be added: well formed, in
// -currency, with an order ID for -rows lines.
type markFn struct {
	Kind, Location, Currency, Rows string
	MaxRecord                      int
}

func (f *markFn) ProcessElement(ctx context.Context, path string, emit func(*cxbeam.Figures)) error {
	r, loc, closeFn, err := openIn(ctx, path, f.Location)
	if err != nil {
		return err
	}
	defer closeFn()
	out := cxbeam.NewFigures()
	if f.Kind == "orders" {
		or, err := csvin.NewOrderReader(r, path, loc, f.MaxRecord)
		if err != nil {
			return err
		}
		for {
			o, err := or.Read()
			if err == io.EOF {
				break
			}
			if err != nil || f.Currency != "" && o.Currency != f.Currency || f.Rows == "lines" && o.ID == "" {
				continue
			}
			line, _ := or.Record()
			out.First = cxbeam.CurrencyMark{Phase: phaseOrders, Line: line, Currency: o.Currency}
			break
		}
	} else {
		sr, err := csvin.NewSpanReader(r, path, loc, f.MaxRecord)
		if err != nil {
			return err
		}
		for {
			sp, err := sr.Read()
			if err == io.EOF {
				break
			}
			if err != nil || f.Currency != "" && sp.Currency != f.Currency {
				continue
			}
			line, _ := sr.Record()
			out.First = cxbeam.CurrencyMark{Phase: phaseSubscriptions, Line: line, Currency: sp.Currency}
			break
		}
	}
	emit(out)
	return nil
}

// readOrdersFn reads an orders file: checked rows, bad rows, counts.
type readOrdersFn struct {
	Location, Currency, Rows string
	MaxRecord                int
}

func (f *readOrdersFn) ProcessElement(ctx context.Context, path string, currency *cxbeam.Figures,
	emit func(cxbeam.Located), bad func(cxbeam.BadRow), counts func(*cxbeam.Figures)) error {
	r, loc, closeFn, err := openIn(ctx, path, f.Location)
	if err != nil {
		return err
	}
	defer closeFn()
	or, err := csvin.NewOrderReader(r, path, loc, f.MaxRecord)
	if err != nil {
		return err
	}
	if f.Currency != "" && !or.Has("currency") {
		return fmt.Errorf("-currency %s: %s has no currency column, so no order is in %s", f.Currency, path, f.Currency)
	}
	out := cxbeam.NewFigures()
	out.Counts = map[string]int64{cOrderRows: 0}
	for {
		o, err := or.Read()
		if err == io.EOF {
			break
		}
		if err == nil && f.Currency != "" && o.Currency != f.Currency {
			out.Counts[cOrderRows]++
			out.Counts[cOtherCurrencyRows]++
			continue
		}
		if err == nil && f.Rows == "orders" && currency.First.Phase >= 0 && o.Currency != currency.First.Currency {
			err = or.Errorf("%s", mixedCurrency(o.Currency, currency.First.Currency))
		}
		if err == nil && f.Rows == "lines" && o.ID == "" {
			err = or.Errorf("order_id empty: with -rows lines, the order ID says which lines make one order")
		}
		if err != nil {
			b, err := badRow(err, phaseOrders, 1, false)
			if err != nil {
				return err
			}
			bad(b)
			continue
		}
		line, lines := or.Record()
		out.Counts[cOrderRows]++
		emit(cxbeam.Located{Order: o, File: path, Line: line, Lines: lines, Rows: 1})
	}
	counts(out)
	return nil
}

// keyByIDFn keys an order by a hash of its ID into Buckets buckets, so
// that every delivery or line of one ID meets the others in one group;
// orders without an ID need no grouping. Buckets, not IDs, are the keys:
// a runner keeps far fewer groups.
type keyByIDFn struct{ Buckets int }

func (f *keyByIDFn) ProcessElement(l cxbeam.Located, keyed func(int, cxbeam.Located), direct func(cxmetrics.Order)) {
	if l.Order.ID == "" {
		direct(l.Order)
		return
	}
	h := fnv.New64a()
	h.Write([]byte(l.Order.ID))
	keyed(int(h.Sum64()%uint64(max(f.Buckets, 1))), l)
}

// sortedByLine collects a group's rows in the order of their lines.
func sortedByLine(rows func(*cxbeam.Located) bool) []cxbeam.Located {
	var all []cxbeam.Located
	var l cxbeam.Located
	for rows(&l) {
		all = append(all, l)
	}
	slices.SortFunc(all, func(a, b cxbeam.Located) int { return a.Line - b.Line })
	return all
}

// dedupFn keeps the first delivery of an order ID.
type dedupFn struct{}

func (dedupFn) ProcessElement(_ int, rows func(*cxbeam.Located) bool, emit func(cxmetrics.Order), bad func(cxbeam.BadRow), counts func(*cxbeam.Figures)) error {
	var d cxmetrics.OrderDedup
	var dups int64
	for _, l := range sortedByLine(rows) {
		dup, first, err := d.SeenAt(l.Order, int64(l.Line))
		switch {
		case err != nil:
			re := csvin.NewRowError(l.File, l.Line, l.Lines, "order_id %s was first delivered on line %d with other content (for a file of invoice lines, use -rows lines): %s",
				csvin.Quote(l.Order.ID), first, csvin.Detail(err))
			b, _ := badRow(re, phaseOrders, 1, true)
			bad(b)
		case dup:
			dups++
		default:
			emit(l.Order)
		}
	}
	if dups > 0 {
		out := cxbeam.NewFigures()
		out.Counts = map[string]int64{cDuplicates: dups}
		counts(out)
	}
	return nil
}

// assembleFn sums the invoice lines of the orders of one bucket (-rows
// lines), each order's lines in the order of the file.
type assembleFn struct{}

func (assembleFn) ProcessElement(_ int, rows func(*cxbeam.Located) bool, currency *cxbeam.Figures, emit func(cxmetrics.Order), bad func(cxbeam.BadRow)) error {
	pending := map[string]*cxbeam.Located{}
	var order []*cxbeam.Located
	for _, l := range sortedByLine(rows) {
		id := l.Order.ID
		p := pending[id]
		if p == nil {
			p = &l
			pending[id] = p
			order = append(order, p)
			continue
		}
		combined, err := cxmetrics.CombineLines(p.Order, l.Order)
		if err != nil {
			re := csvin.NewRowError(l.File, l.Line, l.Lines, "line of order %s disagrees with its line %d (customer %s, currency %s): customer %s, currency %s",
				csvin.Quote(id), p.Line, csvin.Quote(p.Order.CustomerID), csvin.Quote(p.Order.Currency), csvin.Quote(l.Order.CustomerID), csvin.Quote(l.Order.Currency))
			b, _ := badRow(re, phaseOrders, 1, true)
			bad(b)
			continue
		}
		p.Order, p.Rows, p.Lines = combined, p.Rows+1, p.Lines+l.Lines
	}
	for _, p := range order {
		if currency.First.Phase >= 0 && p.Order.Currency != currency.First.Currency {
			re := csvin.NewRowError(p.File, p.Line, p.Lines, "order %s of %d lines: %s", csvin.Quote(p.Order.ID), p.Rows, mixedCurrency(p.Order.Currency, currency.First.Currency))
			b, _ := badRow(re, phaseAssembled, p.Rows, true)
			bad(b)
			continue
		}
		emit(p.Order)
	}
	return nil
}

// readSpansFn reads a subscriptions file.
type readSpansFn struct {
	Location, Currency string
	MaxRecord          int
}

func (f *readSpansFn) ProcessElement(ctx context.Context, path string, currency *cxbeam.Figures,
	emit func(cxmetrics.SubscriptionSpan), bad func(cxbeam.BadRow), counts func(*cxbeam.Figures)) error {
	r, loc, closeFn, err := openIn(ctx, path, f.Location)
	if err != nil {
		return err
	}
	defer closeFn()
	sr, err := csvin.NewSpanReader(r, path, loc, f.MaxRecord)
	if err != nil {
		return err
	}
	if f.Currency != "" && !sr.Has("currency") {
		return fmt.Errorf("-currency %s: %s has no currency column, so no span is in %s", f.Currency, path, f.Currency)
	}
	out := cxbeam.NewFigures()
	out.Counts = map[string]int64{cSubscriptionRows: 0}
	for {
		sp, err := sr.Read()
		if err == io.EOF {
			break
		}
		if err == nil && f.Currency != "" && sp.Currency != f.Currency {
			out.Counts[cSubscriptionRows]++
			out.Counts[cOtherCurrencySpans]++
			continue
		}
		if err == nil && currency.First.Phase >= 0 && sp.Currency != currency.First.Currency {
			err = sr.Errorf("%s", mixedCurrency(sp.Currency, currency.First.Currency))
		}
		if err != nil {
			b, err := badRow(err, phaseSubscriptions, 1, false)
			if err != nil {
				return err
			}
			bad(b)
			continue
		}
		out.Counts[cSubscriptionRows]++
		emit(sp)
	}
	counts(out)
	return nil
}

// readResponsesFn reads a responses file.
type readResponsesFn struct {
	Location  string
	MaxRecord int
}

func (f *readResponsesFn) ProcessElement(ctx context.Context, path string, emit func(cxbeam.Response), bad func(cxbeam.BadRow), counts func(*cxbeam.Figures)) error {
	r, loc, closeFn, err := openIn(ctx, path, f.Location)
	if err != nil {
		return err
	}
	defer closeFn()
	rr, err := csvin.NewResponseReader(r, path, loc, f.MaxRecord)
	if err != nil {
		return err
	}
	out := cxbeam.NewFigures()
	out.Counts = map[string]int64{cResponseRows: 0}
	for {
		resp, err := rr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b, err := badRow(err, phaseResponses, 1, false)
			if err != nil {
				return err
			}
			bad(b)
			continue
		}
		line, _ := rr.Record()
		out.Counts[cResponseRows]++
		emit(cxbeam.Response{Metric: resp.Metric, Score: resp.Score, Line: line})
	}
	counts(out)
	return nil
}

// badFigures counts a bad row as -skip-bad does.
func badFigures(b cxbeam.BadRow) *cxbeam.Figures {
	out := cxbeam.NewFigures()
	if b.Phase < 0 {
		return out // the seed that keeps the dead-letter branch non-empty
	}
	out.Counts = map[string]int64{cSkippedRows: int64(b.Rows), cSkippedLines: int64(max(b.Lines, 1))}
	if b.Counted {
		if b.Phase == phaseSubscriptions {
			out.Counts[cSubscriptionRows] = -int64(b.Rows)
		} else {
			out.Counts[cOrderRows] = -int64(b.Rows)
		}
	}
	out.Bad = []cxbeam.BadRow{b}
	return out
}

// badLine is a bad row's dead-letter line; the seed has none.
func badLine(b cxbeam.BadRow, emit func(string)) {
	if b.Phase >= 0 {
		emit(b.Reason)
	}
}

// writeReportFn writes the report from the figures of the whole job.
type writeReportFn struct {
	Out, OrdersFile, ResponsesFile, SubscriptionsFile string
	Period, Location, Rows                            string
	FailOnBad                                         bool
}

func (f *writeReportFn) ProcessElement(ctx context.Context, _ []byte, fig *cxbeam.Figures) error {
	rep, err := buildReport(f, fig)
	if err != nil {
		return err
	}
	if f.FailOnBad && rep.Inputs.SkippedRows > 0 {
		return fmt.Errorf("%d bad rows (-fail-on-bad); the first: %s", rep.Inputs.SkippedRows, rep.Inputs.SkipReasons[0])
	}
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, rep); err != nil {
		return err
	}
	if !strings.Contains(f.Out, "://") {
		return writeLocal(f.Out, buf.Bytes())
	}
	fs, err := filesystem.New(ctx, f.Out)
	if err != nil {
		return err
	}
	defer fs.Close()
	w, err := fs.OpenWrite(ctx, f.Out)
	if err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

// buildReport turns the job's figures into the command's report.
func buildReport(f *writeReportFn, fig *cxbeam.Figures) (*report.Report, error) {
	p, err := cxmetrics.ParsePeriod(f.Period)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(f.Location)
	if err != nil {
		return nil, err
	}
	c := fig.Counts
	in := report.Inputs{
		OrdersFile: f.OrdersFile, ResponsesFile: f.ResponsesFile, SubscriptionsFile: f.SubscriptionsFile,
		Period: p.String(), Location: loc.String(), Rows: f.Rows,
		OrderRows: c[cOrderRows], DuplicateOrders: c[cDuplicates], ResponseRows: c[cResponseRows],
		SubscriptionRows: c[cSubscriptionRows], OtherCurrencySpans: c[cOtherCurrencySpans], OtherCurrencyRows: c[cOtherCurrencyRows],
		SkippedRows: c[cSkippedRows], SkippedLines: c[cSkippedLines], SkipReasons: []string{},
	}
	for _, b := range fig.Bad {
		in.SkipReasons = append(in.SkipReasons, b.Reason)
	}
	r := report.Results{Inputs: in, NPS: fig.NPS, CSAT: fig.CSAT, CES: fig.CES}
	if fig.First.Phase >= 0 {
		r.Currency = fig.First.Currency
	}
	if o := fig.Orders; o != nil {
		r.Orders, r.Refunds, r.Cohorts, r.Series = o.Totals, o.Refunds, o.Table, o.Series
		r.Inputs.Orders = o.Totals.Orders + o.Refunds
	}
	if fig.Tiers != nil {
		r.Tiers = &report.Tiers{Thresholds: fig.Tiers.Thresholds, Summaries: fig.Tiers.Summaries}
	}
	if m := fig.MRR; m != nil && m.Series != nil {
		r.MRR, r.SubscriptionCohorts = m.Series, m.Cohorts
	}
	return report.Build(r)
}
