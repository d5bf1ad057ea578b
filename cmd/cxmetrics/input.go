package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/internal/cxerr"
	"github.com/shopspring/decimal"
)

// rowError is a bad input record: the file, the line it starts on, the
// lines it spans and what was wrong.
type rowError struct {
	file  string
	line  int
	lines int
	msg   string
}

func (e *rowError) Error() string { return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.msg) }

// usageError is a bad command line, or a command line that does not fit
// its files (a missing file, an output that is an input): exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// quote quotes a value for a message, cut to about 80 bytes.
func quote(s string) string { return cxerr.Quote(s) }

// detail is the message of a library error without its package prefix
// and sentinel, for a row error that gives the file and line instead.
func detail(err error) string {
	var e *cxerr.Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return err.Error()
}

// quoteBytes quotes a field for a message, cut to about 80 bytes.
func quoteBytes(b []byte) string { return cxerr.Quote(string(b)) }

// openInput opens a file, or standard input for "-", and decompresses gzip
// input: a name ending in .gz, or standard input that starts with the gzip
// magic bytes. The returned name is how errors refer to the input. A file
// that cannot be opened is a usageError.
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
			return nil, "", nil, usagef("%v", err)
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
		return bufio.NewReaderSize(gz, 1<<16), name, closeFn, nil
	}
	return br, name, closeFn, nil
}

// maxFieldBytes bounds the known columns (IDs, times, amounts, codes): a
// longer value is a bad row, and an error message quotes 80 bytes of it.
const maxFieldBytes = 1024

// table reads a CSV file with a header row and gives each record's known
// fields by column.
type table struct {
	name    string
	scan    *csvScanner
	columns map[string]int // column name -> field index; -1 for an absent optional column
	width   int            // fields in the header, Excel's empty trailing columns included
	named   int            // fields up to the last named column
	rec     record
	// src is the chunk being parsed, as bytes and as one string whose
	// substrings the record's fields become (see str); empty when reading
	// a stream.
	src      string
	srcBytes []byte
}

// newTable reads the header and checks the required columns are there.
// Header names are trimmed; empty names (Excel's trailing empty columns)
// are ignored.
func newTable(r io.Reader, name string, maxRecord int, required, optional []string) (*table, error) {
	s := newCSVScanner(r, maxRecord)
	header, err := s.next()
	if err == io.EOF {
		return nil, &rowError{name, 1, 1, "empty file, expected a header row"}
	}
	if err != nil {
		return nil, scanRowError(name, err)
	}
	t := &table{name: name, scan: s, columns: map[string]int{}, width: len(header.fields)}
	for i, h := range header.fields {
		col := strings.TrimSpace(string(h))
		if col == "" {
			continue
		}
		if _, dup := t.columns[col]; dup {
			return nil, &rowError{name, header.line, header.lines, fmt.Sprintf("column %s appears twice", quote(col))}
		}
		t.columns[col] = i
		t.named = i + 1
	}
	for _, col := range required {
		if _, ok := t.columns[col]; !ok {
			return nil, &rowError{name, header.line, header.lines, fmt.Sprintf("missing column %s", quote(col))}
		}
	}
	for _, col := range optional {
		if _, ok := t.columns[col]; !ok {
			t.columns[col] = -1
		}
	}
	return t, nil
}

// has reports whether the file has the column.
func (t *table) has(col string) bool { return t.columns[col] >= 0 }

// next reads the next record; it returns io.EOF at the end and a *rowError
// for a malformed record. A record may have fewer fields than the header
// when the missing ones are Excel's unnamed trailing columns.
func (t *table) next() error {
	rec, err := t.scan.next()
	if err != nil {
		if err == io.EOF {
			return err
		}
		return scanRowError(t.name, err)
	}
	t.rec = rec
	if err := t.checkWidth(); err != nil {
		return err
	}
	return nil
}

// checkWidth checks the current record's number of fields: fewer than the
// header's only when the missing ones are unnamed trailing columns.
func (t *table) checkWidth() *rowError {
	if n := len(t.rec.fields); n < t.named || n > t.width {
		return t.errorf("%d fields where the header has %d", n, t.width)
	}
	return nil
}

// field returns the value of a column, nil for an absent optional column.
func (t *table) field(col string) []byte {
	i := t.columns[col]
	if i < 0 {
		return nil
	}
	return t.rec.fields[i]
}

// token returns a known column's value as a string: an identifier, code or
// time that must not hold a line break or a comma, nor be longer than
// maxFieldBytes.
func (t *table) token(col string) (string, *rowError) {
	b := t.field(col)
	if len(b) > maxFieldBytes {
		return "", t.errorf("%s %s: longer than %d bytes", col, quoteBytes(b), maxFieldBytes)
	}
	// A field split in place (inSrc) has no comma or line feed.
	if t.rec.inSrc && bytes.IndexByte(b, '\r') >= 0 || !t.rec.inSrc && bytes.ContainsAny(b, "\n\r,") {
		return "", t.errorf("%s %s: a line break or comma inside a value", col, quoteBytes(b))
	}
	return t.str(b), nil
}

// str returns a field's bytes as a string: a substring of the chunk the
// record lies in when it has one (no copy), else a copy.
func (t *table) str(b []byte) string {
	if t.rec.inSrc {
		i := cap(t.srcBytes) - cap(b) // b is t.srcBytes[i:i+len(b)]
		return t.src[i : i+len(b)]
	}
	return string(b)
}

func (t *table) errorf(format string, args ...any) *rowError {
	return t.at().errorf(format, args...)
}

// rowAt is where a record was read: the file, the line it starts on and
// the lines it spans.
type rowAt struct {
	name        string
	line, lines int
}

// at returns where the current record was read.
func (t *table) at() rowAt { return rowAt{t.name, t.rec.line, t.rec.lines} }

func (r rowAt) errorf(format string, args ...any) *rowError {
	return &rowError{r.name, r.line, r.lines, fmt.Sprintf(format, args...)}
}

// scanRowError turns a scanner error into a *rowError, or an I/O error
// naming the file.
func scanRowError(name string, err error) error {
	var se *scanError
	if errors.As(err, &se) {
		return &rowError{name, se.line, se.lines, se.msg}
	}
	return fmt.Errorf("%s: reading: %w", name, err)
}

// maxAmountDigits bounds the significant digits of an amount, as the
// library bounds every decimal it takes.
const maxAmountDigits = cxmetrics.MaxDigits

// parseAmount parses a plain decimal: an optional minus, digits, and an
// optional fraction. Thousands separators, exponents, a leading + and
// anything else are rejected, and so are more than 40 significant digits.
// It returns the problem, or "" with the value.
func parseAmount(b []byte) (decimal.Decimal, string) {
	i := 0
	if len(b) > 0 && b[0] == '-' {
		i++
	}
	intStart := i
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	intEnd := i
	fracStart, fracEnd := i, i
	if i < len(b) && b[i] == '.' {
		i++
		fracStart = i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		fracEnd = i
		if fracEnd == fracStart {
			return decimal.Decimal{}, "not a decimal"
		}
	}
	if intEnd == intStart || i != len(b) {
		return decimal.Decimal{}, "not a decimal"
	}
	// Significant digits: without leading zeros, nor trailing zeros of
	// the fraction.
	end := fracEnd
	for end > fracStart && b[end-1] == '0' {
		end--
	}
	sig, leading := 0, true
	for k := intStart; k < end; k++ {
		if b[k] == '.' || leading && b[k] == '0' {
			continue
		}
		leading = false
		sig++
	}
	if sig > maxAmountDigits {
		return decimal.Decimal{}, fmt.Sprintf("more than %d significant digits", maxAmountDigits)
	}
	if digits := (intEnd - intStart) + (fracEnd - fracStart); digits <= 18 {
		var v int64
		for k := intStart; k < fracEnd; k++ {
			if b[k] != '.' {
				v = v*10 + int64(b[k]-'0')
			}
		}
		if intStart == 1 {
			v = -v
		}
		return decimal.New(v, -int32(fracEnd-fracStart)), ""
	}
	d, err := decimal.NewFromString(string(b))
	if err != nil {
		return decimal.Decimal{}, "not a decimal"
	}
	return d, ""
}

// parseTime accepts RFC 3339 (with an offset of less than 24 hours), or
// YYYY-MM-DD and YYYY-MM-DD HH:MM:SS in loc.
func parseTime(s string, loc *time.Location) (time.Time, bool) {
	if t, ok := parseTimeFast(s, loc); ok {
		return t, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if _, off := t.Zone(); off <= -24*3600 || off >= 24*3600 {
			return time.Time{}, false
		}
		return t, true
	}
	for _, layout := range []string{time.DateOnly, time.DateTime} {
		if len(s) == len(layout) {
			if t, err := time.ParseInLocation(layout, s, loc); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

const timeFormats = "not RFC 3339, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS"

// readTime reads the time column: a valid time whose year is in 1..9999
// both in UTC and in loc, the calendar that cuts periods.
func (t *table) readTime(col string, loc *time.Location) (time.Time, *rowError) {
	ts, rerr := t.token(col)
	if rerr != nil {
		return time.Time{}, rerr
	}
	tm, ok := parseTime(ts, loc)
	if !ok {
		return time.Time{}, t.errorf("%s %s: %s", col, quote(ts), timeFormats)
	}
	if y := tm.UTC().Year(); y < 1 || y > 9999 {
		return time.Time{}, t.errorf("%s %s: outside the years 1..9999", col, quote(ts))
	}
	if y := tm.In(loc).Year(); loc != time.UTC && (y < 1 || y > 9999) {
		return time.Time{}, t.errorf("%s %s: outside the years 1..9999 in %s", col, quote(ts), loc)
	}
	return tm, nil
}

// orderReader turns rows of an orders CSV into cxmetrics.Orders.
type orderReader struct {
	*table
	loc   *time.Location
	known string // the last currency found to be an ISO 4217 code
}

func newOrderReader(r io.Reader, name string, loc *time.Location, maxRecord int) (*orderReader, error) {
	t, err := newTable(r, name, maxRecord, []string{"customer_id", "order_id", "time", "amount"}, []string{"currency"})
	if err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	return &orderReader{table: t, loc: loc}, nil
}

// read returns the next order, checked as every accumulator of the report
// would check it. A bad row is a *rowError; the reader can go on after it.
// io.EOF ends the input.
func (r *orderReader) read() (cxmetrics.Order, error) {
	if err := r.next(); err != nil {
		return cxmetrics.Order{}, err
	}
	return r.parse()
}

// parse parses the current record into an order.
func (r *orderReader) parse() (cxmetrics.Order, error) {
	var o cxmetrics.Order
	var rerr *rowError
	if o.CustomerID, rerr = r.token("customer_id"); rerr != nil {
		return o, rerr
	}
	if strings.TrimSpace(o.CustomerID) == "" {
		return o, r.errorf("customer_id %s: empty", quote(o.CustomerID))
	}
	if o.ID, rerr = r.token("order_id"); rerr != nil {
		return o, rerr
	}
	if o.Time, rerr = r.readTime("time", r.loc); rerr != nil {
		return o, rerr
	}
	amount := r.field("amount")
	if len(amount) > maxFieldBytes {
		return o, r.errorf("amount %s: longer than %d bytes", quoteBytes(amount), maxFieldBytes)
	}
	var problem string
	if o.Amount, problem = parseAmount(amount); problem != "" {
		return o, r.errorf("amount %s: %s", quoteBytes(amount), problem)
	}
	if o.Currency, rerr = r.token("currency"); rerr != nil {
		return o, rerr
	}
	if o.Currency != "" && o.Currency != r.known {
		if _, err := cxmetrics.MinorUnits(o.Currency); err != nil {
			return o, r.errorf("currency %s: not an ISO 4217 code with a minor unit", quote(o.Currency))
		}
		r.known = o.Currency
	}
	if err := o.Validate(); err != nil {
		return o, r.errorf("%s", detail(err))
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

func newResponseReader(r io.Reader, name string, loc *time.Location, maxRecord int) (*responseReader, error) {
	t, err := newTable(r, name, maxRecord, []string{"metric", "score"}, []string{"time"})
	if err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	return &responseReader{table: t, loc: loc}, nil
}

func (r *responseReader) read() (response, error) {
	if err := r.next(); err != nil {
		return response{}, err
	}
	raw, rerr := r.token("metric")
	if rerr != nil {
		return response{}, rerr
	}
	metric := strings.ToLower(strings.TrimSpace(raw))
	sc, ok := scales[metric]
	if !ok {
		return response{}, r.errorf("metric %s: not nps, csat or ces", quote(raw))
	}
	if raw, rerr = r.token("score"); rerr != nil {
		return response{}, rerr
	}
	score, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil {
		return response{}, r.errorf("score %s: not a whole number", quote(raw))
	}
	if score < sc.min || score > sc.max {
		return response{}, r.errorf("score %s: out of range %d..%d for %s", quote(raw), sc.min, sc.max, metric)
	}
	if r.has("time") && len(r.field("time")) > 0 {
		if _, rerr := r.readTime("time", r.loc); rerr != nil {
			return response{}, rerr
		}
	}
	return response{metric: metric, score: score}, nil
}
