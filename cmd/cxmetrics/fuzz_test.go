package main

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"12.50", "-3.00", "0", "12,50", "1e3", "+1", "1.", ".5", "１２"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseAmount(s)
		if !ok {
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
	})
}

func FuzzOrderReader(f *testing.F) {
	f.Add([]byte(goodOrders))
	f.Add([]byte("customer_id,order_id,time,amount\na,1,2024-01-01,\"1\n"))
	f.Add([]byte("amount,time,order_id,customer_id\n-1.5,2024-02-29 23:59:59,x,\"q\"\"\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		or, err := newOrderReader(bytes.NewReader(data), "f.csv", time.UTC)
		if err != nil {
			var re *rowError
			if !errors.As(err, &re) || re.line < 1 {
				t.Fatalf("header error without a line: %v", err)
			}
			return
		}
		for i := 0; i < 1000; i++ {
			o, err := or.read()
			if err == io.EOF {
				return
			}
			if err != nil {
				var re *rowError
				if !errors.As(err, &re) || re.line < 2 || !strings.HasPrefix(err.Error(), "f.csv:") {
					t.Fatalf("row error without file and line: %v", err)
				}
				continue
			}
			if o.CustomerID == "" || o.Time.IsZero() {
				t.Fatalf("accepted an incomplete order %+v", o)
			}
		}
	})
}

func FuzzResponseReader(f *testing.F) {
	f.Add([]byte("metric,score\nnps,10\ncsat,3\nces,7\n"))
	f.Add([]byte("score,metric,time\n-1,NPS,2024-01-01\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rr, err := newResponseReader(bytes.NewReader(data), "r.csv", time.UTC)
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			resp, err := rr.read()
			if err == io.EOF {
				return
			}
			if err != nil {
				continue
			}
			sc, ok := scales[resp.metric]
			if !ok || resp.score < sc.min || resp.score > sc.max {
				t.Fatalf("accepted %+v", resp)
			}
		}
	})
}
