package csvin

import (
	"bytes"
	"io"
)

// RecordSplitter cuts a CSV stream, after its header, into chunks of whole
// records, so that workers can scan and parse chunks in parallel. It finds
// record boundaries exactly as csvScanner reads them: a line feed ends a
// record unless it lies in a quoted field, and a quote opens a quoted field
// only at the start of a field (after a comma or a line feed); inside one,
// "" is a quote and any other quote closes it. Malformed records (a bare
// quote mid-field, text after a closing quote) move no boundary, because
// the scanner reads them the same way. Only quotes and line feeds are
// looked at, with bytes.IndexByte, so splitting costs a fraction of
// scanning.
//
// A record that grows past the record cap without ending is not held: the
// splitter stops and hands the rest of the stream, from the start of its
// unfinished chunk, to the caller as a tail to scan in order (see next), so
// one hostile record costs time, never memory.
type RecordSplitter struct {
	r        io.Reader
	target   int  // the size of a chunk, about
	maxRec   int  // the record cap
	line     int  // the line the next chunk starts on
	inQuoted bool // the scan is inside a quoted field
	pending  bool // the last byte scanned is a quote inside a quoted field
	buf      []byte
	scanned  int // bytes of buf scanned
	boundary int // the end of the last whole record in buf; 0 for none
	eof      bool
	err      error
}

// chunkSize is the target size of a chunk: large enough that handing a
// chunk to a worker costs nothing next to parsing it, small enough that a
// few in flight per worker stay in the cache.
const chunkSize = 1 << 19

// ChunkTarget is the chunk size the splitter aims at; tests make it tiny.
var ChunkTarget = chunkSize

func NewRecordSplitter(r io.Reader, line, maxRecord int) *RecordSplitter {
	return &RecordSplitter{r: r, target: ChunkTarget, maxRec: maxRecord, line: line}
}

// next returns the next chunk of whole records and the line it starts on.
// At the end of the input it returns io.EOF; for a record past the cap it
// returns a nil chunk and the tail, a reader of everything from the line
// onwards, and the splitter is done. The last chunk may end without a line
// feed, or inside a quoted field; the scanner reports that. The splitter
// never writes into a chunk once it has returned it (it reads on into a
// new buffer), so the chunk's bytes may back strings: ParseChunk's do.
func (s *RecordSplitter) Next() (chunk []byte, line int, tail io.Reader, err error) {
	for {
		if s.boundary >= s.target || (s.eof && len(s.buf) > 0) {
			return s.cut()
		}
		if s.eof {
			if s.err != nil {
				return nil, 0, nil, s.err
			}
			return nil, 0, nil, io.EOF
		}
		if len(s.buf)-s.boundary > s.maxRec+s.target {
			rest := s.buf
			s.buf, s.boundary, s.scanned, s.eof = nil, 0, 0, true
			return nil, s.line, io.MultiReader(bytes.NewReader(rest), s.r), nil
		}
		s.fill()
	}
}

// cut returns the whole records read so far (everything, at the end of the
// input) and keeps the rest for the next chunk.
func (s *RecordSplitter) cut() ([]byte, int, io.Reader, error) {
	end := s.boundary
	if s.eof {
		end = len(s.buf)
	}
	chunk, rest := s.buf[:end:end], s.buf[end:]
	// The next chunk starts in a buffer of its own, never in this one.
	s.buf = make([]byte, len(rest), max(2*s.target, len(rest)+s.target))
	copy(s.buf, rest)
	s.scanned -= end
	s.boundary = 0
	line := s.line
	s.line += bytes.Count(chunk, []byte{'\n'})
	return chunk, line, nil, nil
}

// fill reads more of the input and scans it.
func (s *RecordSplitter) fill() {
	if room := max(s.target/2, 512); cap(s.buf)-len(s.buf) < room {
		grown := make([]byte, len(s.buf), 2*cap(s.buf)+s.target+room)
		copy(grown, s.buf)
		s.buf = grown
	}
	n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
	s.buf = s.buf[:len(s.buf)+n]
	s.scan()
	if err != nil {
		s.eof = true
		if err != io.EOF {
			s.err = err
		}
	}
}

// scan moves the quote state over the bytes read since the last scan and
// notes the last record boundary. Each byte is looked at a bounded number
// of times: q, the next quote, is found once and reused until passed.
func (s *RecordSplitter) scan() {
	b := s.buf
	i := s.scanned
	q := -1 // the index of the next quote at or after i; len(b) for none; -1 unknown
	nextQuote := func() int {
		if q < i {
			if j := bytes.IndexByte(b[i:], '"'); j >= 0 {
				q = i + j
			} else {
				q = len(b)
			}
		}
		return q
	}
	for i < len(b) {
		if s.pending { // a quote inside a quoted field: "" or the closing quote
			s.pending = false
			if b[i] == '"' {
				i++
				continue
			}
			s.inQuoted = false
		}
		k := nextQuote()
		if s.inQuoted {
			if k == len(b) {
				i = len(b)
				break
			}
			i = k + 1
			s.pending = true
			continue
		}
		if n := bytes.LastIndexByte(b[i:k], '\n'); n >= 0 {
			s.boundary = i + n + 1
		}
		if k == len(b) {
			i = len(b)
			break
		}
		// A quote opens a quoted field at the start of a field only: at
		// the start of the buffer (a record start: the header or a chunk
		// ended just before), or after a comma or a line feed.
		if k == 0 || b[k-1] == ',' || b[k-1] == '\n' {
			s.inQuoted = true
		}
		i = k + 1
	}
	s.scanned = i
}
