package csvin

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
)

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"12.50", "-3.00", "0", "12,50", "1e3", "+1", "1.", ".5", "１２",
		"0.0000000000000000000000000000000000000001", "1234567890123456789012345678901234567890", "-00000.10000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, problem := ParseAmount([]byte(s))
		if problem != "" {
			return
		}
		// Accepted amounts are plain decimals that read back exactly.
		if strings.ContainsAny(s, "eE,+ _") {
			t.Fatalf("accepted %q", s)
		}
		want, err := decimal.NewFromString(s)
		if err != nil || !want.Equal(d) {
			t.Fatalf("%q parsed as %s", s, d)
		}
		if err := (cxmetrics.Order{CustomerID: "a", Time: time.Unix(0, 0), Amount: d}).Validate(); err != nil && len(s) < 900 {
			t.Fatalf("%q: accepted by the reader, refused by the library: %v", s, err)
		}
	})
}

// seedOrders is a small orders file for the fuzz targets' seeds: times in
// three forms, a refund, an extra column.
const seedOrders = `customer_id,order_id,amount,time,currency,note
k1,o9,12.34,2023-12-31,EUR,"a, b"
k2,o8,0.5,2023-11-02 08:00:00,EUR,
k1,o7,-1.00,2023-10-01T23:00:00-05:00,EUR,x
`

// FuzzCSVScanner checks the scanner against encoding/csv, an independent
// RFC 4180 reader: on every input encoding/csv reads without error, both
// give the same records and line numbers; on every input, the scanner never
// panics, accounts for every line, and names a line within the input.
func FuzzCSVScanner(f *testing.F) {
	for _, seed := range []string{seedOrders, "a,b\r\n\"x\"\"y\",\"1\n2\"\r\n\n\nlast", "a,\"b", "\"a\"b,c\n", "x\ny\n\"", "\xef\xbb\xbf\"h\",i\n1,2"} {
		f.Add([]byte(seed), 64)
	}
	f.Fuzz(func(t *testing.T, data []byte, max int) {
		if max < 1 || max > 1<<12 {
			max = 1 << 12
		}
		s := newCSVScanner(bytes.NewReader(data), max)
		text := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a byte order mark is not content
		lines := bytes.Count(text, []byte("\n"))
		if len(text) > 0 && text[len(text)-1] != '\n' {
			lines++
		}
		var got [][]string
		var starts []int
		clean := true
		for i := 0; ; i++ {
			rec, err := s.next()
			if err == io.EOF {
				break
			}
			var se *scanError
			if err != nil && !errors.As(err, &se) {
				t.Fatalf("error without a line: %v", err)
			}
			line := rec.line
			if se != nil {
				clean, line = false, se.line
				if se.lines < 1 {
					t.Fatalf("a bad record of %d lines", se.lines)
				}
			}
			if line < 1 || line > lines {
				t.Fatalf("record at line %d of %d", line, lines)
			}
			if err == nil {
				var fields []string
				for _, f := range rec.fields {
					fields = append(fields, strings.ReplaceAll(string(f), "\r\n", "\n"))
				}
				got, starts = append(got, fields), append(starts, rec.line)
			}
			if i > len(data)+1 {
				t.Fatal("more records than bytes")
			}
		}
		if s.line-1 != lines {
			t.Fatalf("scanner counted %d lines, input has %d", s.line-1, lines)
		}
		if !clean || bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) || bytes.ContainsRune(data, '\r') || len(data) > max/2 {
			return
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		want, err := r.ReadAll()
		if err != nil {
			return
		}
		if len(want) != len(got) {
			t.Fatalf("%d records, encoding/csv %d:\n%q\n%q", len(got), len(want), got, want)
		}
		for i := range want {
			if strings.Join(want[i], "\x00") != strings.Join(got[i], "\x00") {
				t.Fatalf("record %d: %q, encoding/csv %q", i, got[i], want[i])
			}
		}
		_ = starts
	})
}

func FuzzOrderReader(f *testing.F) {
	f.Add([]byte(seedOrders))
	f.Add([]byte("customer_id,order_id,time,amount\na,1,2024-01-01,\"1\n"))
	f.Add([]byte("amount,time,order_id,customer_id\n-1.5,2024-02-29 23:59:59,x,\"q\"\"\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		or, err := NewOrderReader(bytes.NewReader(data), "f.csv", time.UTC, 1<<12)
		if err != nil {
			var re *RowError
			if !errors.As(err, &re) || re.line < 1 {
				t.Fatalf("header error without a line: %v", err)
			}
			return
		}
		for i := 0; i < 1000; i++ {
			o, err := or.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				var re *RowError
				if !errors.As(err, &re) || re.line < 2 || !strings.HasPrefix(err.Error(), "f.csv:") {
					t.Fatalf("row error without file and line: %v", err)
				}
				continue
			}
			if err := o.Validate(); err != nil || strings.ContainsAny(o.CustomerID+o.ID+o.Currency, "\n\r,") {
				t.Fatalf("accepted an order the library refuses: %+v: %v", o, err)
			}
			var b cxmetrics.CohortBuilder
			if err := b.Add(o); err != nil {
				t.Fatalf("accepted an order a cohort builder refuses: %+v: %v", o, err)
			}
		}
	})
}

func FuzzResponseReader(f *testing.F) {
	f.Add([]byte("metric,score\nnps,10\ncsat,3\nces,7\n"))
	f.Add([]byte("score,metric,time\n-1,NPS,2024-01-01\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rr, err := NewResponseReader(bytes.NewReader(data), "r.csv", time.UTC, 1<<12)
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			resp, err := rr.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				continue
			}
			sc, ok := scales[resp.Metric]
			if !ok || resp.Score < sc.min || resp.Score > sc.max {
				t.Fatalf("accepted %+v", resp)
			}
		}
	})
}

// FuzzParseTimeFast checks the fast time parser against the time package:
// whatever it accepts, time.Parse (RFC 3339) or time.ParseInLocation (a
// date in UTC) accepts as the same time, location included.
func FuzzParseTimeFast(f *testing.F) {
	for _, s := range []string{"2024-03-05T06:07:08Z", "2024-02-29", "2023-02-29", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
		"2024-03-05T06:07:08.5Z", "2024-03-05T24:00:00Z", "2024-03-05T06:07:08+01:00", "2024-03-05t06:07:08z", "2024-13-01", "1900-02-29"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseTimeFast(s, time.UTC)
		if !ok {
			return
		}
		var want time.Time
		var err error
		if len(s) == len(time.DateOnly) {
			want, err = time.ParseInLocation(time.DateOnly, s, time.UTC)
		} else {
			want, err = time.Parse(time.RFC3339, s)
		}
		if err != nil {
			t.Fatalf("%q: fast parse gives %v, the time package refuses it: %v", s, got, err)
		}
		if got != want { // the same instant, location and representation
			t.Fatalf("%q: fast parse gives %#v, the time package %#v", s, got, want)
		}
	})
}
