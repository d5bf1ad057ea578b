//go:build !race

// The Online Retail tests read 541,909 invoice lines twice; the race
// detector would make them take minutes, so they run in the plain
// go test ./... step of .ci/run.

package main

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/cxmetrics/cxmetrics/internal/ci"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const onlineRetail = "../../../shared/data/online-retail/online-retail-541909.csv.gz"

// onlineRetailFiles returns the UCI Online Retail invoice lines with a
// customer as the command's orders CSV, one row per line (amount =
// quantity × unit price, exactly), and the same data one row per invoice,
// summed here independently of the command: the invoice's exact total at
// its earliest line's time. Cancellations (C…) are negative: refunds.
func onlineRetailFiles(t *testing.T) (lines, invoices []byte) {
	t.Helper()
	f, err := os.Open(onlineRetail)
	if err != nil {
		ci.Skip(t, "%s is absent: %v", onlineRetail, err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(t, err)
	r := csv.NewReader(gz)
	header, err := r.Read()
	require.NoError(t, err)
	require.Equal(t, []string{"InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"}, header)
	type invoice struct {
		customer, time string
		total          decimal.Decimal
	}
	byID := map[string]*invoice{}
	var lb bytes.Buffer
	lb.WriteString("order_id,customer_id,time,amount,currency\n")
	for {
		rec, err := r.Read()
		if err != nil {
			break
		}
		if rec[6] == "" {
			continue
		}
		customer := strings.TrimSuffix(rec[6], ".0")
		amount := decimal.RequireFromString(rec[3]).Mul(decimal.RequireFromString(rec[5]))
		fmt.Fprintf(&lb, "%s,%s,%s,%s,GBP\n", rec[0], customer, rec[4], amount)
		inv := byID[rec[0]]
		if inv == nil {
			inv = &invoice{customer: customer, time: rec[4]}
			byID[rec[0]] = inv
		}
		require.Equal(t, inv.customer, customer, "one customer per invoice")
		if rec[4] < inv.time { // YYYY-MM-DD HH:MM:SS sorts as it reads
			inv.time = rec[4]
		}
		inv.total = inv.total.Add(amount)
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var ib bytes.Buffer
	ib.WriteString("order_id,customer_id,time,amount,currency\n")
	for _, id := range ids {
		inv := byID[id]
		fmt.Fprintf(&ib, "%s,%s,%s,%s,GBP\n", id, inv.customer, inv.time, inv.total)
	}
	return lb.Bytes(), ib.Bytes()
}

// The line-level export with -rows lines gives exactly the figures of the
// same data one row per invoice; read as orders it would not.
func TestOnlineRetailLinesEqualInvoices(t *testing.T) {
	lines, invoices := onlineRetailFiles(t)
	dir := t.TempDir()
	lp, ip := dir+"/lines.csv", dir+"/invoices.csv"
	require.NoError(t, os.WriteFile(lp, lines, 0o644))
	require.NoError(t, os.WriteFile(ip, invoices, 0o644))
	args := []string{"report", "-tz", "Europe/London", "-format", "json"}

	code, out, errOut := runCmd(t, "", append(args, "-orders", lp, "-rows", "lines")...)
	fromLines := jsonReport(t, code, out, errOut)
	code, out, errOut = runCmd(t, "", append(args, "-orders", ip)...)
	fromInvoices := jsonReport(t, code, out, errOut)
	assertSameFigures(t, fromInvoices, fromLines)

	assert.Equal(t, int64(406_829), fromLines.Inputs.OrderRows, "invoice lines with a customer")
	assert.Equal(t, int64(22_190), fromLines.Inputs.Orders, "invoices")
	assert.Equal(t, int64(18_536), fromLines.Orders.Orders)
	assert.Equal(t, int64(3_654), fromLines.Orders.Refunds, "cancellations")
	assert.Equal(t, "447.78", fromLines.Orders.AOV.StringFixed(2))

	// Read as one order a row, the second line of invoice 536365 is an
	// order ID delivered again with other content: the command stops there
	// instead of counting 397,924 orders at an AOV of 20.86.
	code, _, errOut = runCmd(t, "", append(args, "-orders", lp)...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `lines.csv:3: order_id "536365" was first delivered on line 2 with other content`)
	assert.Contains(t, errOut, "-rows lines")
}
