// Package benchorders writes the seeded orders file that the benchmarks of
// the command and of the CSV reader read: orders from a fixed number of
// customers over the 730 days from 2023-01-01 UTC, in random time order,
// amounts 1.00 to 200.00 with two decimals and one row in twenty a refund
// of 0.01 to 50.00, all in EUR. bench/peers (its own module) writes the
// same bytes for the same seed and size, so that its 1M-row file is the
// command benchmark's file.
package benchorders

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Header is the file's header row.
const Header = "order_id,customer_id,time,amount,currency\n"

// Append appends rows orders (order IDs 0 … rows-1, customer IDs
// cust-0000000 … of customers customers) drawn from a PCG generator seeded
// with seed and rows, and returns the extended slice.
func Append(b []byte, rows, customers int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, uint64(rows)))
	base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		cents := 100 + r.IntN(19901)
		sign := ""
		if r.IntN(20) == 0 {
			sign, cents = "-", 1+r.IntN(5000)
		}
		t := base.Add(time.Duration(r.Int64N(int64(730 * 24 * time.Hour)))).Truncate(time.Second)
		b = fmt.Appendf(b, "%d,cust-%07d,%s,%s%d.%02d,EUR\n", i, r.IntN(customers), t.Format(time.RFC3339), sign, cents/100, cents%100)
	}
	return b
}
