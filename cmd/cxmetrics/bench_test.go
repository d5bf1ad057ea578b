package main

import (
	"bytes"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/internal/benchorders"
	"github.com/cxmetrics/cxmetrics/internal/csvin"
)

var (
	csvOnce sync.Once
	csvData []byte
)

// millionOrdersCSV is the seeded orders CSV of 1,000,000 rows from 100,000
// customers over 24 months, one in twenty a refund (see benchorders).
func millionOrdersCSV() []byte {
	csvOnce.Do(func() {
		csvData = benchorders.Append([]byte(benchorders.Header), 1_000_000, 100_000, 5)
	})
	return csvData
}

// BenchmarkReadOrders streams one million CSV orders through the reader and
// the accumulators behind the report (OrderStats, a monthly CohortBuilder
// and, with -rows orders, the de-duplication of order IDs), then computes
// the report. With -rows lines every row is taken as an invoice line, so
// the orders are held until the end of the file: peak-B/order measures
// that memory, which grows with orders in this mode only.
func BenchmarkReadOrders(b *testing.B) {
	data := millionOrdersCSV()
	for _, rows := range []string{"orders", "lines"} {
		b.Run("rows="+rows, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var peak uint64
			for i := 0; i < b.N; i++ {
				c, err := newCollector(config{opts: cxmetrics.CohortOptions{}, rows: rows, window: 1, maxRecord: csvin.DefaultMaxRecord}, nil)
				if err != nil {
					b.Fatal(err)
				}
				p := heapPeak(func() {
					if err := c.readOrders(bytes.NewReader(data), "orders.csv"); err != nil {
						b.Fatal(err)
					}
				})
				peak = max(peak, p)
				if _, err := c.report(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ns/order")
			b.ReportMetric(float64(peak)/1e6, "peak-B/order")
		})
	}
}

// heapPeak runs f and returns the largest heap in use while it ran, above
// what was in use before, sampled every 10 ms.
func heapPeak(f func()) uint64 {
	runtime.GC()
	var before, m runtime.MemStats
	runtime.ReadMemStats(&before)
	done, peak := make(chan struct{}), make(chan uint64)
	go func() {
		var top uint64
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			top = max(top, m.HeapInuse)
			select {
			case <-done:
				peak <- top
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(done)
	top := <-peak
	if top < before.HeapInuse {
		return 0
	}
	return top - before.HeapInuse
}
