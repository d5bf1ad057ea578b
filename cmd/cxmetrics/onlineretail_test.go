//go:build !race

// The Online Retail tests read 541,909 invoice lines twice; the race
// detector would make them take minutes, so they run in the plain
// go test ./... step of .ci/run.

package main

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/cxmetrics/cxmetrics/internal/ci"
	"github.com/cxmetrics/cxmetrics/internal/onlineretail"
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
	if _, err := os.Stat(onlineRetail); err != nil {
		ci.Skip(t, "%s is absent: %v", onlineRetail, err)
	}
	type invoice struct {
		customer, time string
		total          decimal.Decimal
	}
	byID := map[string]*invoice{}
	var lb bytes.Buffer
	lb.WriteString("order_id,customer_id,time,amount,currency\n")
	err := onlineretail.ReadLines(onlineRetail, func(l onlineretail.Line) error {
		fmt.Fprintf(&lb, "%s,%s,%s,%s,GBP\n", l.Invoice, l.Customer, l.Time, l.Amount)
		inv := byID[l.Invoice]
		if inv == nil {
			inv = &invoice{customer: l.Customer, time: l.Time}
			byID[l.Invoice] = inv
		}
		if inv.customer != l.Customer {
			return fmt.Errorf("invoice %s has customers %s and %s", l.Invoice, inv.customer, l.Customer)
		}
		if l.Time < inv.time { // YYYY-MM-DD HH:MM:SS sorts as it reads
			inv.time = l.Time
		}
		inv.total = inv.total.Add(l.Amount)
		return nil
	})
	require.NoError(t, err)
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
