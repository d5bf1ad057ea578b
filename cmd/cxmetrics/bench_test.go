package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/internal/csvin"
)

var (
	csvOnce sync.Once
	csvData []byte
)

// millionOrdersCSV is a seeded orders CSV of 1,000,000 rows from 100,000
// customers over 24 months, one in twenty a refund.
func millionOrdersCSV() []byte {
	csvOnce.Do(func() {
		r := rand.New(rand.NewPCG(5, 1_000_000))
		var b bytes.Buffer
		b.WriteString("order_id,customer_id,time,amount,currency\n")
		base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 1_000_000; i++ {
			cents := 100 + r.IntN(19901)
			sign := ""
			if r.IntN(20) == 0 {
				sign, cents = "-", 1+r.IntN(5000)
			}
			t := base.Add(time.Duration(r.Int64N(int64(730 * 24 * time.Hour)))).Truncate(time.Second)
			fmt.Fprintf(&b, "%d,cust-%07d,%s,%s%d.%02d,EUR\n", i, r.IntN(100_000), t.Format(time.RFC3339), sign, cents/100, cents%100)
		}
		csvData = b.Bytes()
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
