// Package onlineretail reads the UCI Online Retail data set
// (../shared/data/online-retail, 541,909 invoice lines of a UK online
// shop, 2010-12-01 to 2011-12-09) for the tests of the library, the
// command and the Beam pipeline, so that all of them see the same lines.
package onlineretail

import (
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// Line is one invoice line with a customer.
type Line struct {
	Invoice  string          // InvoiceNo; "C…" is a cancellation
	Customer string          // CustomerID without the ".0" the file writes
	Time     string          // InvoiceDate as written, YYYY-MM-DD HH:MM:SS, UK local time
	Amount   decimal.Decimal // Quantity × UnitPrice, exactly; negative for a cancellation
}

// header is the file's first record.
var header = []string{"InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"}

// ReadLines reads the gzipped CSV at path and calls f for each line with a
// customer, in file order; lines without a customer are left out, as every
// walk-through of this data does. A read error, an unexpected header, a
// quantity or price that is not a decimal, or an error from f ends it with
// that error, naming the line.
func ReadLines(path string, f func(Line) error) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	gz, err := gzip.NewReader(file)
	if err != nil {
		return err
	}
	r := csv.NewReader(gz)
	first, err := r.Read()
	if err != nil {
		return err
	}
	if !slices.Equal(first, header) {
		return fmt.Errorf("%s: header %q, want %q", path, first, header)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if rec[6] == "" {
			continue
		}
		line, _ := r.FieldPos(0)
		q, err := decimal.NewFromString(rec[3])
		if err != nil {
			return fmt.Errorf("%s:%d: quantity: %w", path, line, err)
		}
		p, err := decimal.NewFromString(rec[5])
		if err != nil {
			return fmt.Errorf("%s:%d: unit price: %w", path, line, err)
		}
		l := Line{Invoice: rec[0], Customer: strings.TrimSuffix(rec[6], ".0"), Time: rec[4], Amount: q.Mul(p)}
		if err := f(l); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
}
