package clv

import (
	"errors"
	"testing"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
)

// FuzzSummarize checks the summary's invariants on arbitrary order streams:
// 0 <= Recency <= T, whole Frequency, zero MonetaryValue without a repeat
// purchase, and never an error for valid orders.
func FuzzSummarize(f *testing.F) {
	f.Add([]byte{1, 2, 3, 1, 200, 7}, int64(1700000000))
	f.Add([]byte{0, 0, 0}, int64(0))
	f.Fuzz(func(t *testing.T, data []byte, base int64) {
		base %= 1 << 34
		end := time.Unix(base+400*86400, 0).UTC()
		var orders []cxmetrics.Order
		for i, b := range data {
			orders = append(orders, cxmetrics.Order{
				CustomerID: string(rune('a' + b%5)),
				Time:       time.Unix(base+int64(b)*86400*2+int64(i)*3600, 0),
				Amount:     decimal.New(int64(b)-40, -1),
			})
		}
		cs, err := Summarize(orders, SummaryOptions{CalibrationEnd: end, Unit: 7 * 24 * time.Hour})
		if err != nil {
			if errors.Is(err, cxmetrics.ErrInconsistent) { // the zero time
				return
			}
			t.Fatal(err)
		}
		for _, c := range cs {
			if checkCustomer(c) != nil || (c.Frequency == 0 && !c.MonetaryValue.IsZero()) {
				t.Fatalf("bad summary %+v", c)
			}
		}
	})
}
