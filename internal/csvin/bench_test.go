package csvin

import (
	"strings"
	"testing"
	"time"

	"github.com/cxmetrics/cxmetrics/internal/benchorders"
)

// BenchmarkParseChunk parses a chunk of 10,000 order rows of the command's
// benchmark file (see benchorders): the work one worker of the
// parallel reading does per chunk, without the pipeline around it.
func BenchmarkParseChunk(b *testing.B) {
	or, err := NewOrderReader(strings.NewReader(benchorders.Header), "orders.csv", time.UTC, DefaultMaxRecord)
	if err != nil {
		b.Fatal(err)
	}
	const rows = 10_000
	chunk := benchorders.Append(nil, rows, 100_000, 5)
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
