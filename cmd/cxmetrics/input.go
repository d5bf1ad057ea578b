package main

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
)

// rowError is a bad input row: the file, the line and what was wrong.
type rowError struct {
	file string
	line int
	msg  string
}

func (e *rowError) Error() string { return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.msg) }

// openInput opens a file, or standard input for "-", and decompresses gzip
// input: a name ending in .gz, or standard input that starts with the gzip
// magic bytes. The returned name is how errors refer to the input.
func openInput(path string, stdin io.Reader) (io.Reader, string, func() error, error) {
	name := path
	var r io.Reader
	closeFn := func() error { return nil }
	if path == "-" {
		name = "stdin"
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, "", nil, err
		}
		r, closeFn = f, f.Close
	}
	br := bufio.NewReaderSize(r, 1<<16)
	magic, _ := br.Peek(2)
	if strings.HasSuffix(path, ".gz") || (path == "-" && len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			closeFn()
			return nil, "", nil, fmt.Errorf("%s: not gzip data: %w", name, err)
		}
		return gz, name, closeFn, nil
	}
	return br, name, closeFn, nil
}

// table reads a CSV file with a header row and gives each record's fields
// by column name.
type table struct {
	name    string
	r       *csv.Reader
	columns map[string]int
	record  []string
	line    int
	counter *countingReader
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// newTable reads the header and checks the required columns are there.
func newTable(r io.Reader, name string, required, optional []string) (*table, error) {
	cr := &countingReader{r: r}
	c := csv.NewReader(cr)
	c.ReuseRecord = true
	c.FieldsPerRecord = 0
	header, err := c.Read()
	if err == io.EOF {
		return nil, &rowError{name, 1, "empty file, expected a header row"}
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	t := &table{name: name, r: c, columns: map[string]int{}, counter: cr}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := t.columns[h]; dup {
			return nil, &rowError{name, 1, fmt.Sprintf("column %q appears twice", h)}
		}
		t.columns[h] = i
	}
	for _, col := range required {
		if _, ok := t.columns[col]; !ok {
			return nil, &rowError{name, 1, fmt.Sprintf("missing column %q", col)}
		}
	}
	for _, col := range optional {
		if _, ok := t.columns[col]; !ok {
			t.columns[col] = -1
		}
	}
	return t, nil
}

// next reads the next record; it returns io.EOF at the end and a *rowError
// for a malformed record.
func (t *table) next() error {
	rec, err := t.r.Read()
	if err != nil {
		if err == io.EOF {
			return err
		}
		return csvError(t.name, err)
	}
	t.record = rec
	t.line, _ = t.r.FieldPos(0)
	return nil
}

// field returns the value of a column, "" for an absent optional column.
func (t *table) field(col string) string {
	i := t.columns[col]
	if i < 0 {
		return ""
	}
	return t.record[i]
}

func (t *table) errorf(format string, args ...any) *rowError {
	return &rowError{t.name, t.line, fmt.Sprintf(format, args...)}
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return &rowError{name, pe.StartLine, "wrong number of fields for the header"}
		}
		return &rowError{name, pe.Line, fmt.Sprintf("column %d: %v", pe.Column, pe.Err)}
	}
	return fmt.Errorf("%s: reading: %w", name, err)
}

// decimalPattern is a plain decimal: optional minus, digits, optional
// fraction. Thousands separators, exponents and a leading + are rejected.
var decimalPattern = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

func parseAmount(s string) (decimal.Decimal, bool) {
	if !decimalPattern.MatchString(s) {
		return decimal.Decimal{}, false
	}
	d, err := decimal.NewFromString(s)
	return d, err == nil
}

// parseTime accepts RFC 3339, or YYYY-MM-DD and YYYY-MM-DD HH:MM:SS in loc.
func parseTime(s string, loc *time.Location) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	for _, layout := range []string{time.DateOnly, time.DateTime} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// orderReader turns rows of an orders CSV into cxmetrics.Orders.
type orderReader struct {
	*table
	loc *time.Location
}

func newOrderReader(r io.Reader, name string, loc *time.Location) (*orderReader, error) {
	t, err := newTable(r, name, []string{"customer_id", "order_id", "time", "amount"}, []string{"currency"})
	if err != nil {
		return nil, err
	}
	return &orderReader{table: t, loc: loc}, nil
}

// read returns the next order. A bad row is a *rowError; the reader can go
// on after it. io.EOF ends the input.
func (r *orderReader) read() (cxmetrics.Order, error) {
	if err := r.next(); err != nil {
		return cxmetrics.Order{}, err
	}
	var o cxmetrics.Order
	o.CustomerID = r.field("customer_id")
	if strings.TrimSpace(o.CustomerID) == "" {
		return o, r.errorf("customer_id %q: empty", o.CustomerID)
	}
	o.ID = r.field("order_id")
	ts := r.field("time")
	t, ok := parseTime(ts, r.loc)
	if !ok {
		return o, r.errorf("time %q: not RFC 3339, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS", ts)
	}
	if t.Year() < 1 || t.Year() > 9999 || t.IsZero() {
		return o, r.errorf("time %q: outside the years 1..9999", ts)
	}
	o.Time = t
	amount := r.field("amount")
	if o.Amount, ok = parseAmount(amount); !ok {
		return o, r.errorf("amount %q: not a decimal", amount)
	}
	o.Currency = r.field("currency")
	if o.Currency != "" {
		if _, err := cxmetrics.MinorUnits(o.Currency); err != nil {
			return o, r.errorf("currency %q: not an ISO 4217 code with a minor unit", o.Currency)
		}
	}
	return o, nil
}

// response is one survey answer.
type response struct {
	metric string // nps, csat or ces
	score  int
}

// scales are the answer ranges of each metric, from the library's scales.
var scales = map[string]struct{ min, max int }{
	"nps":  {0, 10},
	"csat": {cxmetrics.FivePoint.Min, cxmetrics.FivePoint.Max},
	"ces":  {cxmetrics.SevenPointCES.Min, cxmetrics.SevenPointCES.Max},
}

type responseReader struct {
	*table
	loc *time.Location
}

func newResponseReader(r io.Reader, name string, loc *time.Location) (*responseReader, error) {
	t, err := newTable(r, name, []string{"metric", "score"}, []string{"time"})
	if err != nil {
		return nil, err
	}
	return &responseReader{table: t, loc: loc}, nil
}

func (r *responseReader) read() (response, error) {
	if err := r.next(); err != nil {
		return response{}, err
	}
	metric := strings.ToLower(strings.TrimSpace(r.field("metric")))
	sc, ok := scales[metric]
	if !ok {
		return response{}, r.errorf("metric %q: not nps, csat or ces", r.field("metric"))
	}
	raw := r.field("score")
	score, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil {
		return response{}, r.errorf("score %q: not a whole number", raw)
	}
	if score < sc.min || score > sc.max {
		return response{}, r.errorf("score %q: out of range %d..%d for %s", raw, sc.min, sc.max, metric)
	}
	if ts := r.field("time"); ts != "" {
		if _, ok := parseTime(ts, r.loc); !ok {
			return response{}, r.errorf("time %q: not RFC 3339, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS", ts)
		}
	}
	return response{metric: metric, score: score}, nil
}
