// Package csvin reads the CSV inputs of the cxmetrics report (orders,
// survey responses, subscriptions) and checks every row in full, with the
// error messages the command prints: a bad row is a *RowError naming the
// file, the line the record starts on, the lines it spans and the reason.
//
// It is the reading half of cmd/cxmetrics/input.go, csvscan.go and
// subscriptions.go, made importable for the Beam pipeline (beam/cmd/cxbeam),
// whose dead-letter output and skip reasons must read exactly as the
// command's -skip-bad ones.
package csvin

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/internal/cxerr"
	"github.com/shopspring/decimal"
)

// RowError is a bad input record: the file, the line it starts on, the
// lines it spans and what was wrong.
type RowError struct {
	file  string
	line  int
	lines int
	msg   string
}

func (e *RowError) Error() string { return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.msg) }

// quote quotes a value for a message, cut to about 80 bytes.
func Quote(s string) string { return cxerr.Quote(s) }

// detail is the message of a library error without its package prefix
// and sentinel, for a row error that gives the file and line instead.
func Detail(err error) string {
	var e *cxerr.Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return err.Error()
}

// quoteBytes quotes a field for a message, cut to about 80 bytes.
func QuoteBytes(b []byte) string { return cxerr.Quote(string(b)) }

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
}

// newTable reads the header and checks the required columns are there.
// Header names are trimmed; empty names (Excel's trailing empty columns)
// are ignored.
func newTable(r io.Reader, name string, maxRecord int, required, optional []string) (*table, error) {
	s := newCSVScanner(r, maxRecord)
	header, err := s.next()
	if err == io.EOF {
		return nil, &RowError{name, 1, 1, "empty file, expected a header row"}
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
			return nil, &RowError{name, header.line, header.lines, fmt.Sprintf("column %s appears twice", Quote(col))}
		}
		t.columns[col] = i
		t.named = i + 1
	}
	for _, col := range required {
		if _, ok := t.columns[col]; !ok {
			return nil, &RowError{name, header.line, header.lines, fmt.Sprintf("missing column %s", Quote(col))}
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
func (t *table) Has(col string) bool { return t.columns[col] >= 0 }

// next reads the next record; it returns io.EOF at the end and a *RowError
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
	if n := len(rec.fields); n < t.named || n > t.width {
		return t.Errorf("%d fields where the header has %d", n, t.width)
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
func (t *table) token(col string) (string, *RowError) {
	b := t.field(col)
	if len(b) > maxFieldBytes {
		return "", t.Errorf("%s %s: longer than %d bytes", col, QuoteBytes(b), maxFieldBytes)
	}
	if bytes.ContainsAny(b, "\n\r,") {
		return "", t.Errorf("%s %s: a line break or comma inside a value", col, QuoteBytes(b))
	}
	return string(b), nil
}

func (t *table) Errorf(format string, args ...any) *RowError {
	return &RowError{t.name, t.rec.line, t.rec.lines, fmt.Sprintf(format, args...)}
}

// scanRowError turns a scanner error into a *RowError, or an I/O error
// naming the file.
func scanRowError(name string, err error) error {
	var se *scanError
	if errors.As(err, &se) {
		return &RowError{name, se.line, se.lines, se.msg}
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
func (t *table) readTime(col string, loc *time.Location) (time.Time, *RowError) {
	ts, rerr := t.token(col)
	if rerr != nil {
		return time.Time{}, rerr
	}
	tm, ok := parseTime(ts, loc)
	if !ok {
		return time.Time{}, t.Errorf("%s %s: %s", col, Quote(ts), timeFormats)
	}
	if y := tm.UTC().Year(); y < 1 || y > 9999 {
		return time.Time{}, t.Errorf("%s %s: outside the years 1..9999", col, Quote(ts))
	}
	if y := tm.In(loc).Year(); y < 1 || y > 9999 {
		return time.Time{}, t.Errorf("%s %s: outside the years 1..9999 in %s", col, Quote(ts), loc)
	}
	return tm, nil
}

// OrderReader turns rows of an orders CSV into cxmetrics.Orders.
type OrderReader struct {
	*table
	loc *time.Location
}

func NewOrderReader(r io.Reader, name string, loc *time.Location, maxRecord int) (*OrderReader, error) {
	t, err := newTable(r, name, maxRecord, []string{"customer_id", "order_id", "time", "amount"}, []string{"currency"})
	if err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	return &OrderReader{table: t, loc: loc}, nil
}

// read returns the next order, checked as every accumulator of the report
// would check it. A bad row is a *RowError; the reader can go on after it.
// io.EOF ends the input.
func (r *OrderReader) Read() (cxmetrics.Order, error) {
	if err := r.next(); err != nil {
		return cxmetrics.Order{}, err
	}
	var o cxmetrics.Order
	var rerr *RowError
	if o.CustomerID, rerr = r.token("customer_id"); rerr != nil {
		return o, rerr
	}
	if strings.TrimSpace(o.CustomerID) == "" {
		return o, r.Errorf("customer_id %s: empty", Quote(o.CustomerID))
	}
	if o.ID, rerr = r.token("order_id"); rerr != nil {
		return o, rerr
	}
	if o.Time, rerr = r.readTime("time", r.loc); rerr != nil {
		return o, rerr
	}
	amount := r.field("amount")
	if len(amount) > maxFieldBytes {
		return o, r.Errorf("amount %s: longer than %d bytes", QuoteBytes(amount), maxFieldBytes)
	}
	var problem string
	if o.Amount, problem = parseAmount(amount); problem != "" {
		return o, r.Errorf("amount %s: %s", QuoteBytes(amount), problem)
	}
	if o.Currency, rerr = r.token("currency"); rerr != nil {
		return o, rerr
	}
	if o.Currency != "" {
		if _, err := cxmetrics.MinorUnits(o.Currency); err != nil {
			return o, r.Errorf("currency %s: not an ISO 4217 code with a minor unit", Quote(o.Currency))
		}
	}
	if err := o.Validate(); err != nil {
		return o, r.Errorf("%s", Detail(err))
	}
	return o, nil
}

// Response is one survey answer.
type Response struct {
	Metric string // nps, csat or ces
	Score  int
}

// scales are the answer ranges of each metric, from the library's scales.
var scales = map[string]struct{ min, max int }{
	"nps":  {0, 10},
	"csat": {cxmetrics.FivePoint.Min, cxmetrics.FivePoint.Max},
	"ces":  {cxmetrics.SevenPointCES.Min, cxmetrics.SevenPointCES.Max},
}

type ResponseReader struct {
	*table
	loc *time.Location
}

func NewResponseReader(r io.Reader, name string, loc *time.Location, maxRecord int) (*ResponseReader, error) {
	t, err := newTable(r, name, maxRecord, []string{"metric", "score"}, []string{"time"})
	if err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	return &ResponseReader{table: t, loc: loc}, nil
}

func (r *ResponseReader) Read() (Response, error) {
	if err := r.next(); err != nil {
		return Response{}, err
	}
	raw, rerr := r.token("metric")
	if rerr != nil {
		return Response{}, rerr
	}
	metric := strings.ToLower(strings.TrimSpace(raw))
	sc, ok := scales[metric]
	if !ok {
		return Response{}, r.Errorf("metric %s: not nps, csat or ces", Quote(raw))
	}
	if raw, rerr = r.token("score"); rerr != nil {
		return Response{}, rerr
	}
	score, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil {
		return Response{}, r.Errorf("score %s: not a whole number", Quote(raw))
	}
	if score < sc.min || score > sc.max {
		return Response{}, r.Errorf("score %s: out of range %d..%d for %s", Quote(raw), sc.min, sc.max, metric)
	}
	if r.Has("time") && len(r.field("time")) > 0 {
		if _, rerr := r.readTime("time", r.loc); rerr != nil {
			return Response{}, rerr
		}
	}
	return Response{Metric: metric, Score: score}, nil
}

// SpanReader turns rows of a subscriptions CSV into spans.
type SpanReader struct {
	*table
	loc *time.Location
}

func NewSpanReader(r io.Reader, name string, loc *time.Location, maxRecord int) (*SpanReader, error) {
	t, err := newTable(r, name, maxRecord, []string{"customer_id", "subscription_id", "start", "end", "amount", "interval"},
		[]string{"interval_count", "currency"})
	if err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	return &SpanReader{table: t, loc: loc}, nil
}

// intervalUnits are the interval column's words.
var intervalUnits = map[string]cxmetrics.IntervalUnit{
	"day": cxmetrics.Day, "week": cxmetrics.Week, "month": cxmetrics.Month, "quarter": cxmetrics.Quarter, "year": cxmetrics.Year,
}

// read returns the next span, checked as the library checks it; a bad row
// is a *RowError, io.EOF ends the input.
func (r *SpanReader) Read() (cxmetrics.SubscriptionSpan, error) {
	if err := r.next(); err != nil {
		return cxmetrics.SubscriptionSpan{}, err
	}
	var s cxmetrics.SubscriptionSpan
	var rerr *RowError
	if s.CustomerID, rerr = r.token("customer_id"); rerr != nil {
		return s, rerr
	}
	if s.SubscriptionID, rerr = r.token("subscription_id"); rerr != nil {
		return s, rerr
	}
	if s.Start, rerr = r.readTime("start", r.loc); rerr != nil {
		return s, rerr
	}
	if len(r.field("end")) > 0 {
		if s.End, rerr = r.readTime("end", r.loc); rerr != nil {
			return s, rerr
		}
	}
	amount := r.field("amount")
	var problem string
	if len(amount) > maxFieldBytes {
		problem = fmt.Sprintf("longer than %d bytes", maxFieldBytes)
	} else {
		s.Amount, problem = parseAmount(amount)
	}
	if problem != "" {
		return s, r.Errorf("amount %s: %s", QuoteBytes(amount), problem)
	}
	unit, rerr := r.token("interval")
	if rerr != nil {
		return s, rerr
	}
	var ok bool
	if s.Interval.Unit, ok = intervalUnits[strings.ToLower(strings.TrimSpace(unit))]; !ok {
		return s, r.Errorf("interval %s: not day, week, month, quarter or year", Quote(unit))
	}
	s.Interval.Count = 1
	if count, _ := r.token("interval_count"); count != "" {
		n, err := strconv.Atoi(strings.TrimSpace(count))
		if err != nil || n < 1 {
			return s, r.Errorf("interval_count %s: not a whole number from 1", Quote(count))
		}
		s.Interval.Count = n
	}
	if s.Currency, rerr = r.token("currency"); rerr != nil {
		return s, rerr
	}
	if err := s.Validate(); err != nil {
		return s, r.Errorf("%s", Detail(err))
	}
	return s, nil
}

// ParseUntil reads -until: RFC 3339, YYYY-MM-DD HH:MM:SS in loc, or
// YYYY-MM-DD, which means the end of that day in loc.
func ParseUntil(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t.AddDate(0, 0, 1).Add(-time.Nanosecond), nil
	}
	if t, ok := parseTime(s, loc); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("-until %q: %s", s, timeFormats)
}

// DefaultMaxRecord is the longest record, in bytes, the command reads by
// default (-max-record-bytes raises it). A longer record is a bad row: it
// is skipped to its end without being held, so one hostile line or a
// decompression bomb costs time, never memory.
const DefaultMaxRecord = 1 << 20

// csvScanner reads RFC 4180 records: fields separated by commas, records by
// LF or CRLF, fields optionally in double quotes, where "" is a quote and a
// comma or a line break is data. It reads byte by byte from a buffer and
// keeps one record at a time, capped at max bytes; a UTF-8 byte order mark
// before the first record is dropped.
//
// A malformed record (a bare quote in an unquoted field, text after a
// closing quote, a quote left open at the end of the input, a record over
// the cap) is consumed whole and reported as a *scanError naming the line
// it starts on and the lines it spans, so the caller can skip it and go on.
type csvScanner struct {
	r     *bufio.Reader
	max   int
	line  int // the line of the next byte, from 1
	begun bool

	read        int64 // bytes read
	quotedField bool  // a field of the current record was quoted
	lastByte    byte  // the last byte read

	rec    []byte // the current record's field bytes, one field after another
	ends   []int  // ends[i]: the end of field i in rec
	fields [][]byte
}

// record is one record: its fields (valid until the next call to next), the
// line it starts on and the number of lines it spans.
type record struct {
	fields [][]byte
	line   int
	lines  int
}

// scanError is a malformed record; the scanner has consumed all of it.
type scanError struct {
	line, lines int
	msg         string
}

func (e *scanError) Error() string { return e.msg }

func newCSVScanner(r io.Reader, max int) *csvScanner {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 1<<16 {
		br = bufio.NewReaderSize(r, 1<<16)
	}
	return &csvScanner{r: br, max: max, line: 1}
}

type scanState int

const (
	fieldStart scanState = iota
	unquoted
	quoted
	quoteInQuoted // a quote inside a quoted field: the end, or the first of ""
	crAfterQuote  // a CR after a closing quote: a CRLF, or an error
)

// next returns the next record, io.EOF after the last, a *scanError for a
// malformed record, or the reader's error. Blank lines are skipped.
func (s *csvScanner) next() (record, error) {
	for {
		rec, err := s.scan()
		if err == nil && len(rec.fields) == 1 && len(rec.fields[0]) == 0 && !s.quotedField {
			continue // a blank line
		}
		return rec, err
	}
}

// scan reads one record, blank or not.
func (s *csvScanner) scan() (record, error) {
	s.rec, s.ends, s.quotedField = s.rec[:0], s.ends[:0], false
	start := s.line
	state := fieldStart
	var bad string  // the first malformation of the record
	var long bool   // the record passed the cap
	var data bool   // any byte of the record was read
	var trimCR bool // the last byte appended is a CR that may end a CRLF
	if !s.begun {
		s.begun = true
		if bom, _ := s.r.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
			_, _ = s.r.Discard(3)
		}
	}
	for {
		chunk, err := s.r.ReadSlice('\n')
		if len(chunk) > 0 {
			data, s.lastByte = true, chunk[len(chunk)-1]
			s.read += int64(len(chunk))
		}
		for _, c := range chunk {
			if c == '\n' {
				s.line++
			}
			switch state {
			case fieldStart:
				if c == '"' {
					state, s.quotedField = quoted, true
					continue
				}
				state = unquoted
				fallthrough
			case unquoted:
				switch c {
				case ',', '\n':
					s.endField(trimCR)
					if c == '\n' {
						return s.finish(start, bad, long)
					}
					state = fieldStart
				case '"':
					if bad == "" {
						bad = fmt.Sprintf("column %d: a quote inside an unquoted field", len(s.ends)+1)
					}
					long = s.add(c) || long
				default:
					long = s.add(c) || long
				}
			case quoted:
				if c == '"' {
					state = quoteInQuoted
				} else {
					long = s.add(c) || long
				}
			case quoteInQuoted:
				switch c {
				case '"':
					long = s.add(c) || long
					state = quoted
				case ',', '\n':
					s.endField(false)
					if c == '\n' {
						return s.finish(start, bad, long)
					}
					state = fieldStart
				case '\r':
					state = crAfterQuote
				default:
					if bad == "" {
						bad = fmt.Sprintf("column %d: text after the closing quote", len(s.ends)+1)
					}
					long = s.add(c) || long
					state = unquoted
				}
			case crAfterQuote:
				if c == '\n' {
					s.endField(false)
					return s.finish(start, bad, long)
				}
				if bad == "" {
					bad = fmt.Sprintf("column %d: text after the closing quote", len(s.ends)+1)
				}
				long = s.add(c) || long
				state = unquoted
			}
			trimCR = c == '\r' && state == unquoted
		}
		switch {
		case err == nil || errors.Is(err, bufio.ErrBufferFull):
			continue
		case err != io.EOF:
			return record{}, err
		case !data && len(s.ends) == 0:
			return record{}, io.EOF
		}
		// The input ends: after a final line break inside a quoted field, or
		// in the middle of the last line.
		if s.lastByte != '\n' {
			s.line++
		}
		if state == quoted {
			return record{}, &scanError{line: start, lines: s.line - start,
				msg: fmt.Sprintf("column %d: a quote opened on line %d is never closed; the record runs to the end of the input", len(s.ends)+1, start)}
		}
		s.endField(trimCR)
		return s.finish(start, bad, long)
	}
}

// add appends c to the current field, or reports that the record is over
// the cap (and drops c).
func (s *csvScanner) add(c byte) bool {
	if len(s.rec) >= s.max {
		return true
	}
	s.rec = append(s.rec, c)
	return false
}

// endField ends the current field, dropping a final CR (of a CRLF).
func (s *csvScanner) endField(trimCR bool) {
	if trimCR && len(s.rec) > 0 && s.rec[len(s.rec)-1] == '\r' {
		s.rec = s.rec[:len(s.rec)-1]
	}
	s.ends = append(s.ends, len(s.rec))
}

// finish returns the record that ended just before line s.line.
func (s *csvScanner) finish(start int, bad string, long bool) (record, error) {
	lines := s.line - start
	switch {
	case long:
		return record{}, &scanError{line: start, lines: lines, msg: fmt.Sprintf("record longer than %d bytes (raise -max-record-bytes)", s.max)}
	case bad != "":
		return record{}, &scanError{line: start, lines: lines, msg: bad}
	}
	s.fields = s.fields[:0]
	from := 0
	for _, end := range s.ends {
		s.fields = append(s.fields, s.rec[from:end:end])
		from = end
	}
	return record{fields: s.fields, line: start, lines: lines}, nil
}

// Pos returns where the bad record is: its file, the line it starts on and
// the lines it spans (at least 1).
func (e *RowError) Pos() (file string, line, lines int) { return e.file, e.line, max(e.lines, 1) }

// Reason returns what was wrong, without the file and line.
func (e *RowError) Reason() string { return e.msg }

// NewRowError returns a bad record at file:line spanning lines lines.
func NewRowError(file string, line, lines int, format string, args ...any) *RowError {
	return &RowError{file, line, lines, fmt.Sprintf(format, args...)}
}

// Record returns the line the current record starts on and the lines it
// spans.
func (t *table) Record() (line, lines int) { return t.rec.line, t.rec.lines }

// Name returns the file name the reader reports.
func (t *table) Name() string { return t.name }
