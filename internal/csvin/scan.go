package csvin

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

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

	read        int64  // bytes read
	quotedField bool   // a field of the current record was quoted
	lastByte    byte   // the last byte read
	bad         string // the current record's first malformation
	long        bool   // the current record passed the cap

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
	inSrc  bool // the fields are slices of the table's src, to their end
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
	s.rec, s.ends, s.quotedField, s.bad, s.long = s.rec[:0], s.ends[:0], false, "", false
	start := s.line
	var st progress
	var data bool // any byte of the record was read
	s.skipBOM()
	for {
		chunk, err := s.r.ReadSlice('\n')
		if len(chunk) > 0 {
			data, s.lastByte = true, chunk[len(chunk)-1]
			s.read += int64(len(chunk))
		}
		if s.feed(chunk, &st) {
			return s.finish(start)
		}
		switch {
		case err == nil || errors.Is(err, bufio.ErrBufferFull):
			continue
		case err != io.EOF:
			return record{}, err
		case !data && len(s.ends) == 0:
			return record{}, io.EOF
		}
		return s.endOfInput(start, &st)
	}
}

// progress is where the scan of a record stands between chunks.
type progress struct {
	state  scanState
	trimCR bool // the last byte appended is a CR that may end a CRLF
}

// skipBOM drops a UTF-8 byte order mark before the first record.
func (s *csvScanner) skipBOM() {
	if s.begun {
		return
	}
	s.begun = true
	if bom, _ := s.r.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = s.r.Discard(3)
	}
}

// feed runs the bytes of chunk (at most one line: a line break can only
// be its last byte) through the record's state machine, and reports
// whether they end the record.
func (s *csvScanner) feed(chunk []byte, st *progress) (done bool) {
	for _, c := range chunk {
		if c == '\n' {
			s.line++
		}
		switch st.state {
		case fieldStart:
			if c == '"' {
				st.state, s.quotedField = quoted, true
				continue
			}
			st.state = unquoted
			fallthrough
		case unquoted:
			switch c {
			case ',', '\n':
				s.endField(st.trimCR)
				if c == '\n' {
					return true
				}
				st.state = fieldStart
			case '"':
				s.malformed("a quote inside an unquoted field")
				s.add(c)
			default:
				s.add(c)
			}
		case quoted:
			if c == '"' {
				st.state = quoteInQuoted
			} else {
				s.add(c)
			}
		case quoteInQuoted:
			switch c {
			case '"':
				s.add(c)
				st.state = quoted
			case ',', '\n':
				s.endField(false)
				if c == '\n' {
					return true
				}
				st.state = fieldStart
			case '\r':
				st.state = crAfterQuote
			default:
				s.malformed("text after the closing quote")
				s.add(c)
				st.state = unquoted
			}
		case crAfterQuote:
			if c == '\n' {
				s.endField(false)
				return true
			}
			s.malformed("text after the closing quote")
			s.add(c)
			st.state = unquoted
		}
		st.trimCR = c == '\r' && st.state == unquoted
	}
	return false
}

// endOfInput ends the record when the input ends: after a final line
// break inside a quoted field, or in the middle of the last line.
func (s *csvScanner) endOfInput(start int, st *progress) (record, error) {
	if s.lastByte != '\n' {
		s.line++
	}
	if st.state == quoted {
		return record{}, &scanError{line: start, lines: s.line - start,
			msg: fmt.Sprintf("column %d: a quote opened on line %d is never closed; the record runs to the end of the input", len(s.ends)+1, start)}
	}
	s.endField(st.trimCR)
	return s.finish(start)
}

// malformed records the record's first malformation, in the current column.
func (s *csvScanner) malformed(what string) {
	if s.bad == "" {
		s.bad = fmt.Sprintf("column %d: %s", len(s.ends)+1, what)
	}
}

// add appends c to the current field, or marks the record as over the cap
// (and drops c).
func (s *csvScanner) add(c byte) {
	if len(s.rec) >= s.max {
		s.long = true
		return
	}
	s.rec = append(s.rec, c)
}

// endField ends the current field, dropping a final CR (of a CRLF).
func (s *csvScanner) endField(trimCR bool) {
	if trimCR && len(s.rec) > 0 && s.rec[len(s.rec)-1] == '\r' {
		s.rec = s.rec[:len(s.rec)-1]
	}
	s.ends = append(s.ends, len(s.rec))
}

// finish returns the record that ended just before line s.line.
func (s *csvScanner) finish(start int) (record, error) {
	lines := s.line - start
	switch {
	case s.long:
		return record{}, &scanError{line: start, lines: lines, msg: fmt.Sprintf("record longer than %d bytes (raise -max-record-bytes)", s.max)}
	case s.bad != "":
		return record{}, &scanError{line: start, lines: lines, msg: s.bad}
	}
	s.fields = s.fields[:0]
	from := 0
	for _, end := range s.ends {
		s.fields = append(s.fields, s.rec[from:end:end])
		from = end
	}
	return record{fields: s.fields, line: start, lines: lines}, nil
}
