package csvin

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// BenchmarkParseChunk parses a chunk of 10,000 order rows shaped like the
// command's benchmark file (five columns, RFC 3339 times, amounts with two
// decimals, one row in twenty a refund): the work one worker of the
// parallel reading does per chunk, without the pipeline around it.
func BenchmarkParseChunk(b *testing.B) {
	const header = "order_id,customer_id,time,amount,currency\n"
	or, err := NewOrderReader(strings.NewReader(header), "orders.csv", time.UTC, DefaultMaxRecord)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 10_000))
	base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	var sb strings.Builder
	const rows = 10_000
	for i := range rows {
		cents := 100 + r.IntN(19901)
		sign := ""
		if r.IntN(20) == 0 {
			sign, cents = "-", 1+r.IntN(5000)
		}
		t := base.Add(time.Duration(r.Int64N(int64(730 * 24 * time.Hour)))).Truncate(time.Second)
		fmt.Fprintf(&sb, "%d,cust-%07d,%s,%s%d.%02d,EUR\n", i, r.IntN(100_000), t.Format(time.RFC3339), sign, cents/100, cents%100)
	}
	chunk := []byte(sb.String())
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	var room []ParsedRow
	for b.Loop() {
		parsed := ParseChunk(or, chunk, 2, room)
		if len(parsed.Rows) != rows || parsed.Rows[0].Err != nil {
			b.Fatalf("%d rows, first error %v", len(parsed.Rows), parsed.Rows[0].Err)
		}
		room = parsed.Rows
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rows, "ns/row")
}
