package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// genVersion changes whenever the generator would write different bytes for
// the same seed and size, so that a cached file of an older generator is
// never reused.
const genVersion = 1

// stamp describes a generated file; it is written beside the file after the
// file is complete, so a file without a matching stamp is never reused.
type stamp struct {
	Generator int    `json:"generator"`
	Seed      uint64 `json:"seed"`
	Rows      int    `json:"rows"`
	Customers int    `json:"customers"`
	Bytes     int64  `json:"bytes"`
}

// customersFor is the number of customers of a file of rows orders: 100
// per 1,000 orders, at least one.
func customersFor(rows int) int { return max(1, rows/10) }

// ordersFile returns the path of the seeded orders CSV of rows rows in dir,
// writing it first unless a complete file of the same seed and size is
// there already. reused says whether it was.
func ordersFile(dir string, rows int, seed uint64) (path string, reused bool, err error) {
	if rows < 1 {
		return "", false, fmt.Errorf("-rows must be at least 1, not %d", rows)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", false, err
	}
	base := filepath.Join(dir, fmt.Sprintf("orders-%d-seed%d", rows, seed))
	path, stampPath := base+".csv", base+".stamp.json"
	want := stamp{Generator: genVersion, Seed: seed, Rows: rows, Customers: customersFor(rows)}
	if b, err := os.ReadFile(stampPath); err == nil {
		var got stamp
		if json.Unmarshal(b, &got) == nil {
			if fi, err := os.Stat(path); err == nil && fi.Size() == got.Bytes {
				want.Bytes = got.Bytes
				if got == want {
					return path, true, nil
				}
			}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", false, err
	}
	os.Remove(stampPath)
	tmp := path + ".tmp"
	n, err := writeOrders(tmp, rows, seed)
	if err != nil {
		os.Remove(tmp)
		return "", false, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", false, err
	}
	want.Bytes = n
	b, _ := json.MarshalIndent(want, "", "  ")
	if err := os.WriteFile(stampPath, append(b, '\n'), 0o644); err != nil {
		return "", false, err
	}
	return path, false, nil
}

// writeOrders writes the orders CSV to path and returns its size.
func writeOrders(path string, rows int, seed uint64) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	n, err := generate(w, rows, seed)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// generate writes the seeded orders CSV: the header
// order_id,customer_id,time,amount,currency and rows orders from
// customersFor(rows) customers (cust-%07d), times uniform over the 730 days
// from 2023-01-01 UTC in RFC 3339 with seconds, amounts 1.00..200.00 and
// one row in twenty a refund of -0.01..-50.00, all in EUR, order IDs
// 0..rows-1. It draws exactly as millionOrdersCSV in
// cmd/cxmetrics/bench_test.go does, so seed 5 and 1,000,000 rows give that
// benchmark's bytes.
func generate(w *bufio.Writer, rows int, seed uint64) (int64, error) {
	r := rand.New(rand.NewPCG(seed, uint64(rows)))
	customers := customersFor(rows)
	base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	span := int64(730 * 24 * time.Hour)
	var total int64
	header := "order_id,customer_id,time,amount,currency\n"
	if _, err := w.WriteString(header); err != nil {
		return 0, err
	}
	total += int64(len(header))
	line := make([]byte, 0, 128)
	for i := 0; i < rows; i++ {
		cents := 100 + r.IntN(19901)
		neg := false
		if r.IntN(20) == 0 {
			neg, cents = true, 1+r.IntN(5000)
		}
		t := base.Add(time.Duration(r.Int64N(span))).Truncate(time.Second)
		cust := r.IntN(customers)

		line = strconv.AppendInt(line[:0], int64(i), 10)
		line = append(line, ",cust-"...)
		line = appendPadded(line, cust, 7)
		line = append(line, ',')
		line = t.AppendFormat(line, time.RFC3339)
		line = append(line, ',')
		if neg {
			line = append(line, '-')
		}
		line = strconv.AppendInt(line, int64(cents/100), 10)
		line = append(line, '.')
		line = appendPadded(line, cents%100, 2)
		line = append(line, ",EUR\n"...)
		if _, err := w.Write(line); err != nil {
			return 0, err
		}
		total += int64(len(line))
	}
	return total, nil
}

// appendPadded appends v in decimal, zero-padded to width digits (%0*d).
func appendPadded(b []byte, v, width int) []byte {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
