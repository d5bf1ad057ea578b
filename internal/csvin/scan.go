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
