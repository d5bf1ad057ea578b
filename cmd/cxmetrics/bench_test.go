package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/cxmetrics/cxmetrics"
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
// the accumulators behind the report (OrderStats and a monthly
// CohortBuilder), then computes the report.
func BenchmarkReadOrders(b *testing.B) {
	data := millionOrdersCSV()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := newCollector(config{opts: cxmetrics.CohortOptions{}}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.readOrders(bytes.NewReader(data), "orders.csv"); err != nil {
			b.Fatal(err)
		}
		if _, err := c.report(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ns/order")
}
