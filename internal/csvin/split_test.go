package csvin

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scanAll reads every record of a scanner: fields, line and lines of each,
// or the error of a bad one.
func scanAll(s *csvScanner) []string {
	var out []string
	for {
		rec, err := s.next()
		if err == io.EOF {
			return out
		}
		var se *scanError
		switch {
		case errors.As(err, &se):
			out = append(out, fmt.Sprintf("bad %d+%d: %s", se.line, se.lines, se.msg))
		case err != nil:
			out = append(out, "error: "+err.Error())
		default:
			out = append(out, fmt.Sprintf("%d+%d %q", rec.line, rec.lines, rec.fields))
		}
	}
}

// checkSplit cuts data with the splitter at the given chunk size and
// checks that scanning the chunks one by one (and the tail, if the
// splitter gives up) reads the very records, errors and lines that one
// scan of the whole input reads, and that the chunks and tail are the
// input, and that no chunk is written to once returned (ParseChunk's
// strings alias the chunks).
func checkSplit(t *testing.T, data []byte, target, maxRecord int) {
	t.Helper()
	want := scanAll(newCSVScanner(bytes.NewReader(data), maxRecord))
	saved := ChunkTarget
	ChunkTarget = target
	defer func() { ChunkTarget = saved }()
	sp := NewRecordSplitter(bytes.NewReader(data), 1, maxRecord)
	var got []string
	var joined []byte
	var chunks, copies [][]byte
	first := true
	for {
		chunk, line, tail, err := sp.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if tail != nil {
			rest, err := io.ReadAll(tail)
			require.NoError(t, err)
			joined = append(joined, rest...)
			s := newCSVScanner(bytes.NewReader(rest), maxRecord)
			s.line, s.begun = line, !first
			got = append(got, scanAll(s)...)
			break
		}
		joined = append(joined, chunk...)
		s := newCSVScanner(bytes.NewReader(chunk), maxRecord)
		s.line, s.begun = line, !first // the first chunk may start with a byte order mark
		got = append(got, scanAll(s)...)
		first = false
		chunks, copies = append(chunks, chunk), append(copies, bytes.Clone(chunk))
	}
	require.Equal(t, string(data), string(joined), "the chunks are the input")
	for i := range chunks {
		require.Equal(t, string(copies[i]), string(chunks[i]), "chunk %d was written to after it was returned", i)
	}
	require.Equal(t, want, got, "chunks of %d bytes", target)
}

func TestRecordSplitter(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name string
		data string
	}{
		{"plain", "a,b\n1,2\n3,4\n"},
		{"no final line feed", "a,b\n1,2\n3,4"},
		{"CRLF", "a,b\r\n1,2\r\n3,4\r\n"},
		{"quoted line feeds", "a,\"b\nc\",d\n\"1\n\n2\",3\n"},
		{"escaped quotes", "\"a\"\"\n\"\"b\",c\n\"\"\"\",\"\"\n"},
		{"bare quote mid-field", "a\"b,\"x\ny\"\nz,1\n"},
		{"text after closing quote", "\"a\"b\n\"c\nd\"\n"},
		{"quote after CR after closing quote", "\"a\"\r\"b\n\"c\n\"\n"},
		{"quote never closed", "a,b\n\"open\nrest\nof,file\n"},
		{"quote at field start after CR", "a,\r\"b\nc\"\n"},
		{"blank lines", "\n\na\n\n\"\"\n\n"},
		{"byte order mark", "\xef\xbb\xbfa,\"b\nc\"\n1,2\n"},
		{"record past the cap", "a,b\n" + long + "\n1,2\n\"" + long + "\n" + long + "\"\n3,4\n"},
		{"empty", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, target := range []int{1, 2, 3, 5, 8, 13, 64, 1 << 20} {
				checkSplit(t, []byte(tc.data), target, 100)
			}
		})
	}
}

func FuzzRecordSplitter(f *testing.F) {
	for _, seed := range []string{seedOrders, "a,\"b\nc\",d\n\"1\n\n2\",3\n", "a\"b,\"x\ny\"\nz,1\n", "\"a\"\r\"b\n\"c\n\"\n"} {
		f.Add([]byte(seed), uint8(7), uint16(40))
	}
	f.Fuzz(func(t *testing.T, data []byte, target uint8, maxRecord uint16) {
		checkSplit(t, data, 1+int(target), 1+int(maxRecord))
	})
}

// The IDs of a parsed chunk's rows alias the chunk, but their currency
// codes must not: the dedup and the accumulators keep an order's currency
// for the whole run, and a substring would keep its chunk alive as long.
// (Writing into a parsed chunk breaks ParseChunk's contract; the test does
// it only to see which strings share the chunk's bytes.)
func TestParseChunkCurrencyDoesNotAliasTheChunk(t *testing.T) {
	or, err := NewOrderReader(strings.NewReader("customer_id,order_id,time,amount,currency\n"), "f.csv", time.UTC, 1<<12)
	require.NoError(t, err)
	chunk := []byte("a,1,2024-01-01T00:00:00Z,1.50,EUR\nb,2,2024-01-02T00:00:00Z,2,EUR\nc,3,2024-01-03T00:00:00Z,3,USD\n")
	parsed := ParseChunk(or, chunk, 2, nil)
	require.Len(t, parsed.Rows, 3)
	for i := range chunk {
		if chunk[i] != ',' && chunk[i] != '\n' {
			chunk[i] = 'x'
		}
	}
	for i, want := range []string{"EUR", "EUR", "USD"} {
		require.NoError(t, parsed.Rows[i].Err)
		assert.Equal(t, want, parsed.Rows[i].Order.Currency, "row %d", i)
	}
	assert.Equal(t, "x", parsed.Rows[0].Order.CustomerID, "the IDs do alias the chunk, as documented")
}

// ParseChunk reuses the rows it is given as room, and may be given a chunk
// with room past its end: what it returns must depend on neither.
func TestParseChunkReusesRoom(t *testing.T) {
	or, err := NewOrderReader(strings.NewReader("customer_id,order_id,time,amount\n"), "f.csv", time.UTC, 1<<12)
	require.NoError(t, err)
	long := []byte("a,1,2024-01-01T00:00:00Z,1.50\nb,2,2024-01-02T00:00:00Z,oops\n\"c\",3,2024-01-03T00:00:00Z,-2\n")
	short := []byte("d,4,2024-02-01T00:00:00Z,7\n")
	tests := []struct {
		name  string
		chunk []byte
	}{
		{"a shorter chunk after a longer one", short},
		{"the same chunk again", long},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := ParseChunk(or, tt.chunk, 2, nil)
			used := ParseChunk(or, long, 2, nil)
			got := ParseChunk(or, tt.chunk, 2, used.Rows)
			require.Equal(t, want, got)
			// A chunk with other bytes past its end: the rows are the
			// same.
			roomy := append(make([]byte, 0, len(tt.chunk)+600), tt.chunk...)
			roomy = append(roomy, "junk,9,2024-03-01T00:00:00Z,1\n"...)[:len(tt.chunk)]
			require.Equal(t, want, ParseChunk(or, roomy, 2, nil), "a chunk with room past its end")
		})
	}
}

// Times whose year leaves 1..9999 in UTC or in the zone that cuts periods
// are refused, however near the ends; times just inside are read.
func TestOrderTimeYears(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	newYork, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	tests := []struct {
		time    string
		loc     *time.Location
		wantErr string // "" for a time read
	}{
		{"0001-01-01T00:00:01Z", time.UTC, ""}, // one second after the zero time
		{"0001-01-01T00:00:01Z", newYork, "outside the years 1..9999 in America/New_York"},
		{"0001-01-01T04:56:01Z", newYork, "outside the years 1..9999 in America/New_York"}, // LMT is -4:56:02
		{"0001-01-01T04:56:02Z", newYork, ""},
		{"0001-01-01T05:00:00Z", tokyo, ""},
		{"0001-01-02T23:59:59Z", newYork, ""},
		{"0000-12-31T23:00:00-02:00", time.UTC, ""},
		{"0001-01-01T01:00:00+02:00", time.UTC, "outside the years 1..9999"},
		{"9999-12-31T23:59:59.999999999Z", time.UTC, ""},
		{"9999-12-31T15:00:00Z", tokyo, "outside the years 1..9999 in Asia/Tokyo"},
		{"9999-12-31T14:59:59Z", tokyo, ""},
		{"9999-12-31T23:00:00-02:00", time.UTC, "outside the years 1..9999"},
		{"9999-12-29T23:59:59Z", tokyo, ""},
		{"2024-06-01T12:00:00Z", tokyo, ""},
	}
	for _, tc := range tests {
		t.Run(tc.time+" "+tc.loc.String(), func(t *testing.T) {
			or, err := NewOrderReader(strings.NewReader("order_id,customer_id,time,amount\no1,c1,"+tc.time+",1\n"), "f.csv", tc.loc, 1<<12)
			require.NoError(t, err)
			o, err := or.Read()
			if tc.wantErr == "" {
				require.NoError(t, err)
				want, perr := time.Parse(time.RFC3339Nano, tc.time)
				require.NoError(t, perr)
				require.True(t, want.Equal(o.Time))
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}
