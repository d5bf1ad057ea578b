package cxbeam

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
)

// BenchmarkShuffleBytes measures what one order costs in the shuffles of
// the pipeline: an Order (the shuffle by customer) and a Located (the
// shuffle by order ID) in the registered binary coders, against JSON,
// which is what a coder of the exported fields would write. Orders are
// shaped as bench/peers generates them: IDs of 7 digits, times to the
// second, amounts with cents, EUR.
//
//	go test -run '^$' -bench ShuffleBytes ./cxbeam
func BenchmarkShuffleBytes(b *testing.B) {
	const n = 100_000
	orders := make([]cxmetrics.Order, n)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range orders {
		orders[i] = cxmetrics.Order{CustomerID: fmt.Sprintf("cust-%07d", i*7919%100000), ID: fmt.Sprint(i),
			Time: base.Add(time.Duration(i*3163%31536000) * time.Second), Amount: decimal.New(int64(500+i*37%30000), -2), Currency: "EUR"}
	}
	var binOrder, jsonOrder, binLocated, jsonLocated int
	for i := 0; i < b.N; i++ {
		binOrder, jsonOrder, binLocated, jsonLocated = 0, 0, 0, 0
		for k, o := range orders {
			bo, _ := encodeOrder(o)
			jo, _ := json.Marshal(o)
			l := Located{Order: o, File: "gs://bucket/orders-2024.csv.gz", Line: k + 2, Lines: 1, Rows: 1}
			bl, _ := encodeLocated(l)
			jl, _ := json.Marshal(l)
			binOrder, jsonOrder, binLocated, jsonLocated = binOrder+len(bo), jsonOrder+len(jo), binLocated+len(bl), jsonLocated+len(jl)
		}
	}
	b.ReportMetric(float64(binOrder)/n, "B/order-binary")
	b.ReportMetric(float64(jsonOrder)/n, "B/order-json")
	b.ReportMetric(float64(binLocated)/n, "B/located-binary")
	b.ReportMetric(float64(jsonLocated)/n, "B/located-json")
}
