package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The order-series issue's command tests: rows and lines, re-deliveries,
// currencies, the month-by-month series.

func TestRowsOrdersLeavesOutReDeliveries(t *testing.T) {
	const in = "order_id,customer_id,time,amount,currency\n" +
		"1,a,2024-01-05T10:00:00Z,10.00,EUR\n" +
		"2,b,2024-01-06T10:00:00Z,100.00,EUR\n" +
		"1,a,2024-01-05T11:00:00+01:00,10.0,EUR\n" + // the same order, re-delivered (same instant, same amount)
		"3,a,2024-02-01T10:00:00Z,4.00,EUR\n"
	code, out, errOut := runCmd(t, in, "report", "-orders", "-", "-format", "json")
	rep := jsonReport(t, code, out, errOut)
	assert.Equal(t, int64(4), rep.Inputs.OrderRows)
	assert.Equal(t, int64(3), rep.Inputs.Orders)
	assert.Equal(t, int64(1), rep.Inputs.DuplicateOrders)
	assert.Equal(t, "114", rep.Orders.Revenue.String(), "revenue counted once")
	assert.Equal(t, "0.5", rep.Orders.RepeatPurchaseRate.String(), "a re-delivery is not a repeat purchase")

	// The same ID with other content is a bad row naming both lines.
	bad := in + "2,b,2024-01-06T10:00:00Z,99.00,EUR\n"
	code, _, errOut = runCmd(t, bad, "report", "-orders", "-")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `stdin:6: order_id "2" was first delivered on line 3 with other content`)
	code, out, errOut = runCmd(t, bad, "report", "-orders", "-", "-skip-bad", "-format", "json")
	rep = jsonReport(t, code, out, errOut)
	assert.Equal(t, int64(1), rep.Inputs.SkippedRows)
	assert.Equal(t, "114", rep.Orders.Revenue.String())
}

func TestRowsLinesAssemblesOrders(t *testing.T) {
	// Invoice 10 is split by invoice 11's lines, as Online Retail's 542806
	// is; its time is its earliest line's.
	const lines = "order_id,customer_id,time,amount,currency\n" +
		"10,a,2024-01-05 10:05:00,2.50,GBP\n" +
		"11,b,2024-01-05 10:06:00,7,GBP\n" +
		"10,a,2024-01-05 10:04:00,1.25,GBP\n" +
		"11,b,2024-01-05 10:06:00,-3,GBP\n" +
		"10,a,2024-01-05 10:05:00,0.25,GBP\n" +
		"C12,a,2024-02-01 09:00:00,-1.00,GBP\n"
	code, out, errOut := runCmd(t, lines, "report", "-orders", "-", "-rows", "lines", "-format", "json")
	rep := jsonReport(t, code, out, errOut)
	assert.Equal(t, "lines", rep.Inputs.Rows)
	assert.Equal(t, int64(6), rep.Inputs.OrderRows)
	assert.Equal(t, int64(3), rep.Inputs.Orders, "6 lines became 2 orders and a refund")
	assert.Equal(t, int64(2), rep.Orders.Orders)
	assert.Equal(t, int64(1), rep.Orders.Refunds)
	// 10: 2.50 + 1.25 + 0.25 = 4; 11: 7 - 3 = 4; AOV (4 + 4 - 1) / 2
	assert.Equal(t, "3.5", rep.Orders.AOV.String())

	// The same figures as the file with one row per order.
	const orders = "order_id,customer_id,time,amount,currency\n" +
		"10,a,2024-01-05 10:04:00,4.00,GBP\n11,b,2024-01-05 10:06:00,4,GBP\nC12,a,2024-02-01 09:00:00,-1,GBP\n"
	code, out2, errOut := runCmd(t, orders, "report", "-orders", "-", "-format", "json")
	want := jsonReport(t, code, out2, errOut)
	assertSameFigures(t, want, rep)

	// Lines that disagree on the customer or the currency are bad rows
	// naming both lines.
	for _, row := range []string{"10,z,2024-01-05 10:05:00,1,GBP", "10,a,2024-01-05 10:05:00,1,EUR"} {
		code, _, errOut := runCmd(t, lines+row+"\n", "report", "-orders", "-", "-rows", "lines")
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "stdin:8: line of order \"10\" disagrees with its line 2", row)
	}
	code, _, errOut = runCmd(t, "order_id,customer_id,time,amount\n,a,2024-01-05,1\n", "report", "-orders", "-", "-rows", "lines")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "stdin:2: order_id empty")
}

// assertSameFigures compares two reports' figures, leaving out how the
// inputs were read.
func assertSameFigures(t *testing.T, want, got Report) {
	t.Helper()
	want.Inputs, got.Inputs = Inputs{}, Inputs{}
	w, _ := json.MarshalIndent(want, "", " ")
	g, _ := json.MarshalIndent(got, "", " ")
	assert.Equal(t, string(w), string(g))
}

func TestFXConvertsEveryOrder(t *testing.T) {
	const rates = "date,currency,rate\n2024-01-01,USD,0.91\n2024-02-01,USD,0.925\n2024-01-01,GBP,1.16\n"
	const orders = "order_id,customer_id,time,amount,currency\n" +
		"1,a,2024-01-10,100.00,USD\n" + // 91
		"2,b,2024-02-10,19.99,USD\n" + // 18.49075
		"3,c,2024-02-11,10.00,EUR\n" + // 10
		"4,a,2024-03-01,-50,GBP\n" // -58
	dir := t.TempDir()
	fx := writeFileIn(t, dir, "fx.csv", rates)
	ord := writeFileIn(t, dir, "o.csv", orders)
	code, out, errOut := runCmd(t, "", "report", "-orders", ord, "-fx", fx, "-currency", "EUR", "-format", "json")
	rep := jsonReport(t, code, out, errOut)
	assert.Equal(t, "EUR", rep.Currency)
	// 91 + 18.49075 + 10 - 58, exact
	assert.Equal(t, "61.49075", rep.Orders.Revenue.String())
	assert.Equal(t, int64(0), rep.Inputs.OtherCurrencyRows, "nothing left out")
	require.Len(t, rep.Inputs.Conversions, 2)
	assert.Equal(t, ConversionFigure{Currency: "GBP", Orders: 1, RateDates: []string{"2024-01-01"}}, rep.Inputs.Conversions[0])
	assert.Equal(t, ConversionFigure{Currency: "USD", Orders: 2, RateDates: []string{"2024-01-01", "2024-02-01"}}, rep.Inputs.Conversions[1])
	code, out, _ = runCmd(t, "", "report", "-orders", ord, "-fx", fx, "-currency", "EUR")
	require.Equal(t, 0, code)
	assert.Contains(t, squash(out), "converted 2 orders from USD at the rates of 2 dates (2024-01-01 to 2024-02-01)")

	// A missing rate is a bad row naming the currency and the day.
	early := writeFileIn(t, dir, "early.csv", orders+"5,d,2023-12-31,1,USD\n")
	code, _, errOut = runCmd(t, "", "report", "-orders", early, "-fx", fx, "-currency", "EUR")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `early.csv:6: no rate of "USD" into EUR on 2023-12-31`)
	code, _, errOut = runCmd(t, "", "report", "-orders", ord, "-fx", fx)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "-fx needs -currency")
	badFX := writeFileIn(t, dir, "bad.csv", rates+"2024-01-01,USD,0.5\n")
	code, _, errOut = runCmd(t, "", "report", "-orders", ord, "-fx", badFX, "-currency", "EUR")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "bad.csv:5: two rates of USD on 2024-01-01")
}

func writeFileIn(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := dir + "/" + name
	require.NoError(t, writeString(path, content))
	return path
}

func TestSeriesInTheReport(t *testing.T) {
	var b strings.Builder
	b.WriteString("order_id,customer_id,time,amount\n")
	// a buys in Jan and Mar, b in Jan and Feb, c in Feb and May.
	for i, r := range []string{"a,2024-01-05,10", "b,2024-01-09,30", "b,2024-02-03,15", "c,2024-02-20,40", "a,2024-03-07,20", "c,2024-05-30,25"} {
		fmt.Fprintf(&b, "%d,%s\n", i, r)
	}
	code, out, errOut := runCmd(t, b.String(), "report", "-orders", "-", "-window", "2", "-format", "json")
	require.Equal(t, 0, code, errOut)
	var raw struct {
		Series struct {
			Window int              `json:"window"`
			Rows   []map[string]any `json:"rows"`
		} `json:"series"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	assert.Equal(t, 2, raw.Series.Window)
	require.Len(t, raw.Series.Rows, 5)
	jan, mar, apr := raw.Series.Rows[0], raw.Series.Rows[2], raw.Series.Rows[3]
	for _, k := range []string{"start", "revenue", "orders", "refunds", "customers", "new", "returning", "active_at_start",
		"active_at_end", "churned", "reactivated", "churn_rate", "aov"} {
		assert.Contains(t, jan, k)
	}
	assert.Nil(t, jan["churn_rate"], "nobody active before January")
	assert.Equal(t, "2024-03-01", mar["start"])
	assert.Equal(t, float64(3), mar["active_at_end"], "b and c still active from February")
	assert.Equal(t, float64(2), apr["churned"])
	assert.Equal(t, "0.6666666666666667", apr["churn_rate"])
	assert.Nil(t, apr["aov"], "no order in April")

	code, out, _ = runCmd(t, b.String(), "report", "-orders", "-", "-window", "2")
	require.Equal(t, 0, code)
	assert.Contains(t, squash(out), "Month by month (active: a purchase in the last 2 months)")
	assert.Contains(t, squash(out), "2024-04 0.00 0 n/a 0 0 0 2 0 1 66.7%")
	code, _, errOut = runCmd(t, b.String(), "report", "-orders", "-", "-window", "0")
	assert.Equal(t, 2, code, errOut)
}
