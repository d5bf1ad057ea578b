// Package csvin reads the CSV inputs of the cxmetrics report (orders,
// survey responses, subscriptions, exchange rates) and checks every row in
// full, with the error messages the command prints: a bad row is a
// *RowError naming the file, the line the record starts on, the lines it
// spans and the reason.
//
// The cxmetrics command and the Beam pipeline (beam/cmd/cxbeam) both read
// through it, so that the command's -skip-bad reasons and the pipeline's
// dead letters read alike. Orders can be read in order (OrderReader.Read)
// or, for parallel reading, cut into chunks of whole records
// (RecordSplitter) that are parsed independently (ParseChunk) into the
// very rows Read gives.
package csvin

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/internal/civil"
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

// QuoteBytes quotes a field for a message, cut to about 80 bytes.
func QuoteBytes(b []byte) string { return cxerr.Quote(string(b)) }

// MaxFieldBytes bounds the known columns (IDs, times, amounts, codes): a
// longer value is a bad row, and an error message quotes 80 bytes of it.
const MaxFieldBytes = 1024

// table reads a CSV file with a header row and gives each record's known
// fields by column.
type Table struct {
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

// NewTable reads the header and checks the required columns are there.
// Header names are trimmed; empty names (Excel's trailing empty columns)
// are ignored.
func NewTable(r io.Reader, name string, maxRecord int, required, optional []string) (*Table, error) {
	s := newCSVScanner(r, maxRecord)
	header, err := s.next()
	if err == io.EOF {
		return nil, &RowError{name, 1, 1, "empty file, expected a header row"}
	}
	if err != nil {
		return nil, scanRowError(name, err)
	}
	t := &Table{name: name, scan: s, columns: map[string]int{}, width: len(header.fields)}
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
func (t *Table) Has(col string) bool { return t.columns[col] >= 0 }

// next reads the next record; it returns io.EOF at the end and a *RowError
// for a malformed record. A record may have fewer fields than the header
// when the missing ones are Excel's unnamed trailing columns.
func (t *Table) Next() error {
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
func (t *Table) checkWidth() *RowError {
	if n := len(t.rec.fields); n < t.named || n > t.width {
		return t.Errorf("%d fields where the header has %d", n, t.width)
	}
	return nil
}

// field returns the value of a column, nil for an absent optional column.
func (t *Table) Field(col string) []byte { return t.field(t.columns[col]) }

// field returns the current record's field i, nil for -1 (an absent
// optional column). Readers of many rows look their columns' indexes up
// once and read fields by index: a map lookup per field was 4% of the
// command's time.
func (t *Table) field(i int) []byte {
	if i < 0 {
		return nil
	}
	return t.rec.fields[i]
}

// token returns a known column's value as a string: an identifier, code or
// time that must not hold a line break or a comma, nor be longer than
// MaxFieldBytes.
func (t *Table) Token(col string) (string, *RowError) { return t.token(col, t.columns[col]) }

// token is Token for the column col at index i.
func (t *Table) token(col string, i int) (string, *RowError) {
	b := t.field(i)
	if len(b) > MaxFieldBytes {
		return "", t.Errorf("%s %s: longer than %d bytes", col, QuoteBytes(b), MaxFieldBytes)
	}
	// A field split in place (inSrc) has no comma or line feed.
	if t.rec.inSrc && bytes.IndexByte(b, '\r') >= 0 || !t.rec.inSrc && bytes.ContainsAny(b, "\n\r,") {
		return "", t.Errorf("%s %s: a line break or comma inside a value", col, QuoteBytes(b))
	}
	return t.str(b), nil
}

// str returns a field's bytes as a string: a substring of the chunk the
// record lies in when it has one (no copy), else a copy.
func (t *Table) str(b []byte) string {
	if t.rec.inSrc {
		i := cap(t.srcBytes) - cap(b) // b is t.srcBytes[i:i+len(b)]
		return t.src[i : i+len(b)]
	}
	return string(b)
}

func (t *Table) Errorf(format string, args ...any) *RowError {
	return t.At().Errorf(format, args...)
}

// RowAt is where a record was read: the file, the line it starts on and
// the lines it spans.
type RowAt struct {
	Name        string
	Line, Lines int
}

// at returns where the current record was read.
func (t *Table) At() RowAt { return RowAt{t.name, t.rec.line, t.rec.lines} }

func (r RowAt) Errorf(format string, args ...any) *RowError {
	return &RowError{r.Name, r.Line, r.Lines, fmt.Sprintf(format, args...)}
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

// ParseAmount parses a plain decimal: an optional minus, digits, and an
// optional fraction. Thousands separators, exponents, a leading + and
// anything else are rejected, and so are more than 40 significant digits.
// It returns the problem, or "" with the value.
func ParseAmount(b []byte) (decimal.Decimal, string) {
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

// ParseTime accepts RFC 3339 (with an offset of less than 24 hours), or
// YYYY-MM-DD and YYYY-MM-DD HH:MM:SS in loc.
func ParseTime(s string, loc *time.Location) (time.Time, bool) {
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
func (t *Table) ReadTime(col string, loc *time.Location) (time.Time, *RowError) {
	return t.readTime(col, t.columns[col], loc)
}

// readTime is ReadTime for the column col at index i.
func (t *Table) readTime(col string, i int, loc *time.Location) (time.Time, *RowError) {
	ts, rerr := t.token(col, i)
	if rerr != nil {
		return time.Time{}, rerr
	}
	tm, ok := ParseTime(ts, loc)
	if !ok {
		return time.Time{}, t.Errorf("%s %s: %s", col, Quote(ts), timeFormats)
	}
	// The years 1..9999 in UTC are the Unix seconds of civil's bounds,
	// which are cheaper to check than the calendar.
	if sec := tm.Unix(); sec < civil.MinSec || sec >= civil.EndSec {
		return time.Time{}, t.Errorf("%s %s: outside the years 1..9999", col, Quote(ts))
	}
	if loc != time.UTC {
		if y := tm.In(loc).Year(); y < 1 || y > 9999 {
			return time.Time{}, t.Errorf("%s %s: outside the years 1..9999 in %s", col, Quote(ts), loc)
		}
	}
	return tm, nil
}

// OrderReader turns rows of an orders CSV into cxmetrics.Orders.
type OrderReader struct {
	*Table
	loc   *time.Location
	cols  orderColumns
	known string // the last currency found to be an ISO 4217 code
}

// orderColumns are the field indexes of an orders file's columns;
// currency is -1 when the file has none.
type orderColumns struct{ customer, id, time, amount, currency int }

// over returns a reader of the same columns, zone and checks over t.
func (r *OrderReader) over(t *Table) *OrderReader {
	return &OrderReader{Table: t, loc: r.loc, cols: r.cols}
}

func NewOrderReader(r io.Reader, name string, loc *time.Location, maxRecord int) (*OrderReader, error) {
	t, err := NewTable(r, name, maxRecord, []string{"customer_id", "order_id", "time", "amount"}, []string{"currency"})
	if err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	c := t.columns
	return &OrderReader{Table: t, loc: loc, cols: orderColumns{c["customer_id"], c["order_id"], c["time"], c["amount"], c["currency"]}}, nil
}

// read returns the next order, checked as every accumulator of the report
// would check it. A bad row is a *RowError; the reader can go on after it.
// io.EOF ends the input.
func (r *OrderReader) Read() (cxmetrics.Order, error) {
	if err := r.Next(); err != nil {
		return cxmetrics.Order{}, err
	}
	return r.parse()
}

// parse parses the current record into an order.
func (r *OrderReader) parse() (cxmetrics.Order, error) {
	var o cxmetrics.Order
	var rerr *RowError
	if o.CustomerID, rerr = r.token("customer_id", r.cols.customer); rerr != nil {
		return o, rerr
	}
	if strings.TrimSpace(o.CustomerID) == "" {
		return o, r.Errorf("customer_id %s: empty", Quote(o.CustomerID))
	}
	if o.ID, rerr = r.token("order_id", r.cols.id); rerr != nil {
		return o, rerr
	}
	if o.Time, rerr = r.readTime("time", r.cols.time, r.loc); rerr != nil {
		return o, rerr
	}
	amount := r.field(r.cols.amount)
	if len(amount) > MaxFieldBytes {
		return o, r.Errorf("amount %s: longer than %d bytes", QuoteBytes(amount), MaxFieldBytes)
	}
	var problem string
	if o.Amount, problem = ParseAmount(amount); problem != "" {
		return o, r.Errorf("amount %s: %s", QuoteBytes(amount), problem)
	}
	if o.Currency, rerr = r.token("currency", r.cols.currency); rerr != nil {
		return o, rerr
	}
	switch {
	case o.Currency == "":
	case o.Currency == r.known:
		// The known code is a copy: an order's currency is kept by the
		// dedup and the accumulators for the whole run, and as a
		// substring it would keep its chunk alive that long.
		o.Currency = r.known
	default:
		if _, err := cxmetrics.MinorUnits(o.Currency); err != nil {
			return o, r.Errorf("currency %s: not an ISO 4217 code with a minor unit", Quote(o.Currency))
		}
		r.known = strings.Clone(o.Currency)
		o.Currency = r.known
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
	*Table
	loc *time.Location
}

func NewResponseReader(r io.Reader, name string, loc *time.Location, maxRecord int) (*ResponseReader, error) {
	t, err := NewTable(r, name, maxRecord, []string{"metric", "score"}, []string{"time"})
	if err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	return &ResponseReader{Table: t, loc: loc}, nil
}

func (r *ResponseReader) Read() (Response, error) {
	if err := r.Next(); err != nil {
		return Response{}, err
	}
	raw, rerr := r.Token("metric")
	if rerr != nil {
		return Response{}, rerr
	}
	metric := strings.ToLower(strings.TrimSpace(raw))
	sc, ok := scales[metric]
	if !ok {
		return Response{}, r.Errorf("metric %s: not nps, csat or ces", Quote(raw))
	}
	if raw, rerr = r.Token("score"); rerr != nil {
		return Response{}, rerr
	}
	score, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil {
		return Response{}, r.Errorf("score %s: not a whole number", Quote(raw))
	}
	if score < sc.min || score > sc.max {
		return Response{}, r.Errorf("score %s: out of range %d..%d for %s", Quote(raw), sc.min, sc.max, metric)
	}
	if r.Has("time") && len(r.Field("time")) > 0 {
		if _, rerr := r.ReadTime("time", r.loc); rerr != nil {
			return Response{}, rerr
		}
	}
	return Response{Metric: metric, Score: score}, nil
}

// SpanReader turns rows of a subscriptions CSV into spans.
type SpanReader struct {
	*Table
	loc *time.Location
}

func NewSpanReader(r io.Reader, name string, loc *time.Location, maxRecord int) (*SpanReader, error) {
	t, err := NewTable(r, name, maxRecord, []string{"customer_id", "subscription_id", "start", "end", "amount", "interval"},
		[]string{"interval_count", "currency"})
	if err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	return &SpanReader{Table: t, loc: loc}, nil
}

// intervalUnits are the interval column's words.
var intervalUnits = map[string]cxmetrics.IntervalUnit{
	"day": cxmetrics.Day, "week": cxmetrics.Week, "month": cxmetrics.Month, "quarter": cxmetrics.Quarter, "year": cxmetrics.Year,
}

// read returns the next span, checked as the library checks it; a bad row
// is a *RowError, io.EOF ends the input.
func (r *SpanReader) Read() (cxmetrics.SubscriptionSpan, error) {
	if err := r.Next(); err != nil {
		return cxmetrics.SubscriptionSpan{}, err
	}
	var s cxmetrics.SubscriptionSpan
	var rerr *RowError
	if s.CustomerID, rerr = r.Token("customer_id"); rerr != nil {
		return s, rerr
	}
	if s.SubscriptionID, rerr = r.Token("subscription_id"); rerr != nil {
		return s, rerr
	}
	if s.Start, rerr = r.ReadTime("start", r.loc); rerr != nil {
		return s, rerr
	}
	if len(r.Field("end")) > 0 {
		if s.End, rerr = r.ReadTime("end", r.loc); rerr != nil {
			return s, rerr
		}
	}
	amount := r.Field("amount")
	var problem string
	if len(amount) > MaxFieldBytes {
		problem = fmt.Sprintf("longer than %d bytes", MaxFieldBytes)
	} else {
		s.Amount, problem = ParseAmount(amount)
	}
	if problem != "" {
		return s, r.Errorf("amount %s: %s", QuoteBytes(amount), problem)
	}
	unit, rerr := r.Token("interval")
	if rerr != nil {
		return s, rerr
	}
	var ok bool
	if s.Interval.Unit, ok = intervalUnits[strings.ToLower(strings.TrimSpace(unit))]; !ok {
		return s, r.Errorf("interval %s: not day, week, month, quarter or year", Quote(unit))
	}
	s.Interval.Count = 1
	if count, _ := r.Token("interval_count"); count != "" {
		n, err := strconv.Atoi(strings.TrimSpace(count))
		if err != nil || n < 1 {
			return s, r.Errorf("interval_count %s: not a whole number from 1", Quote(count))
		}
		s.Interval.Count = n
	}
	if s.Currency, rerr = r.Token("currency"); rerr != nil {
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
	if t, ok := ParseTime(s, loc); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("-until %q: %s", s, timeFormats)
}

// ParsedRow is one record of a chunk: an order or why the row is bad.
type ParsedRow struct {
	Order cxmetrics.Order
	Err   error // a *RowError for a bad row
	At    RowAt
}

// ParsedChunk is a chunk's rows, in order, and its bytes.
type ParsedChunk struct {
	Rows  []ParsedRow
	Bytes int64 // the chunk's bytes
}

// ParseChunk scans and parses one chunk of whole records with or's header.
//
// A record without a quote and under the record cap (nearly every record
// of most files) is split on commas in place: its fields are slices of the
// chunk, and the strings of its order are substrings of the chunk itself,
// so a row costs no allocation or copy of its own. The caller must
// therefore never modify chunk once it is parsed (RecordSplitter's chunks
// are never written again), and a string of a row keeps the whole chunk
// alive, as a substring does its string. Any other record goes
// through csvScanner, which reads it exactly as when reading in order;
// the fast path reads what it takes the same way (TestParallelReading…
// and FuzzParallelReading compare the two). The rows are appended to
// room[:0]: room is a slice of rows a caller has done with, to reuse, or
// nil.
func ParseChunk(or *OrderReader, chunk []byte, line int, room []ParsedRow) ParsedChunk {
	t := *or.Table
	// str finds a field's offset by its capacity, so the chunk's
	// capacity must end where the chunk does (a caller's slice may have
	// room past its end).
	chunk = chunk[:len(chunk):len(chunk)]
	// The strings alias the chunk instead of a copy of it: the copy was
	// a memmove and a page fault for every byte of the input (at 10M rows,
	// 7.75 -> 6.71 s without it in noisy runs; BENCHMARKS.md). The chunk is
	// immutable from here on, as the doc comment requires, which is what
	// makes the strings sound.
	t.src, t.srcBytes = unsafe.String(unsafe.SliceData(chunk), len(chunk)), chunk
	t.scan = nil
	r := or.over(&t)
	rows := room[:0]
	if want := len(chunk) / 48; cap(rows) < want {
		// A quarter more, so that the rows still fit a longer chunk when
		// they are reused: each new slice of rows is fresh memory.
		rows = make([]ParsedRow, 0, want+want/4)
	}
	fields := make([][]byte, 0, t.width)
	var slow *csvScanner // for records with quotes, made when needed
	for pos := 0; pos < len(chunk); {
		end := bytes.IndexByte(chunk[pos:], '\n')
		next := pos + end + 1
		if end < 0 {
			end, next = len(chunk)-pos, len(chunk)
		}
		rec := chunk[pos : pos+end]
		if len(rec) >= or.scan.max || bytes.IndexByte(rec, '"') >= 0 {
			if slow == nil {
				slow = newCSVScanner(bytes.NewReader(nil), or.scan.max)
				slow.begun = true
			}
			slow.r.Reset(bytes.NewReader(chunk[pos:]))
			slow.read, slow.line = 0, line
			rec, err := slow.next()
			pos += int(slow.read)
			if err == io.EOF {
				break
			}
			if err != nil {
				rows = append(rows, ParsedRow{Err: scanRowError(t.name, err)})
			} else {
				t.rec = rec
				rows = append(rows, r.parsed())
			}
			line = slow.line
			continue
		}
		pos = next
		line++
		if len(rec) == 0 || len(rec) == 1 && rec[0] == '\r' {
			continue // a blank line
		}
		fields = fields[:0]
		for {
			i := bytes.IndexByte(rec, ',')
			if i < 0 {
				fields = append(fields, trimCR(rec))
				break
			}
			fields = append(fields, trimCR(rec[:i]))
			rec = rec[i+1:]
		}
		t.rec = record{fields: fields, line: line - 1, lines: 1, inSrc: true}
		rows = append(rows, r.parsed())
	}
	return ParsedChunk{Rows: rows, Bytes: int64(len(chunk))}
}

// trimCR drops a final carriage return, as csvScanner drops it from an
// unquoted field.
func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}

// parsed parses the current record, checked for its number of fields, into
// a row.
func (r *OrderReader) parsed() ParsedRow {
	if err := r.checkWidth(); err != nil {
		return ParsedRow{Err: err, At: r.At()}
	}
	o, err := r.parse()
	return ParsedRow{Order: o, Err: err, At: r.At()}
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
func (t *Table) Record() (line, lines int) { return t.rec.line, t.rec.lines }

// Name returns the file name the reader reports.
func (t *Table) Name() string { return t.name }

// BytesRead returns the bytes of the input read so far, for progress.
func (t *Table) BytesRead() int64 { return t.scan.read }

// Rest returns the input after the records read so far (the header, when
// only the header has been read), to cut into chunks with a RecordSplitter;
// NextLine is the line it starts on.
func (t *Table) Rest() io.Reader { return t.scan.r }

// NextLine returns the line of the input's next record.
func (t *Table) NextLine() int { return t.scan.line }

// Tail returns a reader of the same columns over r, the rest of the input
// from line on after read bytes, for a RecordSplitter's tail.
func (r *OrderReader) Tail(tail io.Reader, line int, read int64) *OrderReader {
	t := *r.Table
	t.scan = newCSVScanner(tail, r.scan.max)
	t.scan.line, t.scan.begun, t.scan.read = line, true, read
	return r.over(&t)
}
