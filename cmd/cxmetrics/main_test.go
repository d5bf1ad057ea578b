package main

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// runCmd runs the command and returns its exit code, stdout and stderr.
func runCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut, false)
	return code, out.String(), errOut.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./cmd/cxmetrics -update to create it")
	assert.Equal(t, string(want), got, "golden file %s; run with -update after checking the change", path)
}

func TestGoldenSampleReports(t *testing.T) {
	for _, tt := range []struct {
		file string
		args []string
	}{
		{"sample.txt", nil},
		{"sample.json", []string{"report", "-format", "json"}},
		{"sample.html", []string{"report", "-format", "html"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			code, out, errOut := runCmd(t, "", tt.args...)
			require.Equal(t, 0, code, errOut)
			assert.Empty(t, errOut)
			golden(t, tt.file, out)
		})
	}
}

// The JSON report carries the library's exact figures and parses back.
func TestJSONSchema(t *testing.T) {
	code, out, _ := runCmd(t, "", "report", "-format", "json")
	require.Equal(t, 0, code)
	var rep Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, schemaVersion, rep.Schema)
	assert.Equal(t, "EUR", rep.Currency)
	require.NotNil(t, rep.Cohorts)
	require.NotNil(t, rep.NPS)
	for _, r := range rep.Cohorts.Rows {
		assert.Equal(t, r.Size, r.Active[0])
		assert.True(t, r.Retention[0].Equal(one()))
	}
	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	assert.IsType(t, "", raw["orders"].(map[string]any)["revenue"], "decimals are strings")
}

// The sample is what the README promises: thousands of orders, hundreds of
// customers, 18 months, refunds and decaying retention.
func TestSampleHasRealisticShape(t *testing.T) {
	code, out, _ := runCmd(t, "", "report", "-format", "json")
	require.Equal(t, 0, code)
	var rep Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Greater(t, rep.Orders.Orders, int64(2000), "a few thousand orders")
	assert.True(t, rep.Orders.Customers >= 300 && rep.Orders.Customers <= 900, "a few hundred customers")
	assert.Greater(t, rep.Orders.Refunds, int64(0), "some refunds")
	assert.Len(t, rep.Cohorts.Rows, 18, "18 months")
	// Retention decays: month 1 is above month 12 on average.
	avg := rep.Cohorts.AverageRetention
	assert.True(t, avg[1].GreaterThan(avg[12]))
}

// squash folds runs of spaces, so checks on the text report do not depend
// on column widths.
func squash(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

const goodOrders = `order_id,customer_id,time,amount,currency,channel
1,a,2024-01-05,10.00,USD,web
2,b,2024-01-20 10:30:00,30.50,USD,app
3,a,2024-02-01T09:00:00+01:00,20.00,USD,web
4,a,2024-02-03,-5.00,USD,web
`

func TestReportOnFiles(t *testing.T) {
	orders := writeFile(t, "orders.csv", goodOrders)
	responses := writeFile(t, "responses.csv", "score,metric\n10,nps\n9,NPS\n3,nps\n5,csat\n2,csat\n6,ces\n")
	code, out, errOut := runCmd(t, "", "report", "-orders", orders, "-responses", responses, "-format", "json")
	require.Equal(t, 0, code, errOut)
	var rep Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	// revenue 10 + 30.5 + 20 - 5 = 55.5; 3 orders; 2 customers; 1 refund
	assert.Equal(t, "55.5", rep.Orders.Revenue.String())
	assert.Equal(t, int64(3), rep.Orders.Orders)
	assert.Equal(t, int64(1), rep.Orders.Refunds)
	assert.Equal(t, "18.5", rep.Orders.AOV.String())
	assert.Equal(t, "USD", rep.Currency)
	// NPS: 2 promoters, 1 detractor of 3: 33.33…
	assert.Equal(t, "33.3333333333333333", rep.NPS.Score.String())
	assert.Equal(t, "0.5", rep.CSAT.Score.String())
	assert.Equal(t, "6", rep.CES.Score.String())
	require.Len(t, rep.Cohorts.Rows, 1)
	assert.Equal(t, []int64{2, 1}, rep.Cohorts.Rows[0].Active)

	// Text, to a file, read from gzip.
	gzPath := filepath.Join(t.TempDir(), "orders.csv.gz")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write([]byte(goodOrders))
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(gzPath, buf.Bytes(), 0o644))
	outPath := filepath.Join(t.TempDir(), "report.txt")
	code, out, errOut = runCmd(t, "", "report", "-orders", gzPath, "-o", outPath)
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, out)
	text, err := os.ReadFile(outPath)
	require.NoError(t, err)
	assert.Contains(t, squash(string(text)), "Net revenue 55.50 USD")
	assert.Contains(t, squash(string(text)), "NPS no answers")

	// Standard input, plain and gzip.
	code, out, errOut = runCmd(t, goodOrders, "report", "-orders", "-")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, squash(out), "orders - 4 rows")
	code, out, errOut = runCmd(t, buf.String(), "report", "-orders", "-")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, squash(out), "Net revenue 55.50 USD")
}

func TestPeriodAndTimeZone(t *testing.T) {
	// 2024-03-31 23:30 in Berlin is 21:30 UTC, still March in both; 2024-04-01
	// 00:30 in Berlin is 22:30 UTC on March 31: April in Berlin, March in UTC.
	orders := writeFile(t, "o.csv", "customer_id,order_id,time,amount\na,1,2024-03-31 23:30:00,1\nb,2,2024-04-01 00:30:00,1\n")
	code, out, errOut := runCmd(t, "", "report", "-orders", orders, "-tz", "Europe/Berlin", "-format", "json")
	require.Equal(t, 0, code, errOut)
	var rep Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Len(t, rep.Cohorts.Rows, 2)
	assert.Equal(t, "Europe/Berlin", rep.Inputs.Location)

	code, out, errOut = runCmd(t, "", "report", "-orders", orders, "-period", "week", "-format", "json")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, "week", rep.Cohorts.Period)
	require.Len(t, rep.Cohorts.Rows, 2, "Sunday Mar 31 and Monday Apr 1 are different ISO weeks")
	assert.Equal(t, "2024-03-25", rep.Cohorts.Rows[0].Start)
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name, orders, responses, want string
	}{
		{"amount with a comma", "customer_id,order_id,time,amount\na,1,2024-01-01,\"12,50\"\n", "",
			`orders.csv:2: amount "12,50": not a decimal`},
		{"amount with an exponent", "customer_id,order_id,time,amount\na,1,2024-01-01,1.0\na,2,2024-01-01,1e3\n", "",
			`orders.csv:3: amount "1e3": not a decimal`},
		{"thousands separator", "customer_id,order_id,time,amount\na,1,2024-01-01,\"1,000.00\"\n", "",
			`orders.csv:2: amount "1,000.00": not a decimal`},
		{"bad time", "customer_id,order_id,time,amount\na,1,2024-13-01,1\n", "",
			`orders.csv:2: time "2024-13-01": not RFC 3339, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS`},
		{"empty customer", "customer_id,order_id,time,amount\n,1,2024-01-01,1\n", "",
			`orders.csv:2: customer_id "": empty`},
		{"missing column", "customer_id,order_id,time\na,1,2024-01-01\n", "",
			`orders.csv:1: missing column "amount"`},
		{"empty file", "", "", `orders.csv:1: empty file, expected a header row`},
		{"field count", "customer_id,order_id,time,amount\na,1,2024-01-01,1\nb,2,2024-01-01\n", "",
			`orders.csv:3: 3 fields where the header has 4`},
		{"bad quote", "customer_id,order_id,time,amount\na,1,2024-01-01,1\"\"\n", "",
			`orders.csv:2: column 4: a quote inside an unquoted field`},
		{"unknown currency", "customer_id,order_id,time,amount,currency\na,1,2024-01-01,1,EURO\n", "",
			`orders.csv:2: currency "EURO": not an ISO 4217 code with a minor unit`},
		{"mixed currencies", "customer_id,order_id,time,amount,currency\na,1,2024-01-01,1,EUR\nb,2,2024-01-01,1,EUR\nc,3,2024-01-02,1,USD\n", "",
			`orders.csv:4: currency "USD" after "EUR" on earlier rows: mixed currencies; keep one with -currency CODE, or convert with -fx`},
		{"bad metric", goodOrders, "metric,score\nnps,9\nnsp,9\n", `responses.csv:3: metric "nsp": not nps, csat or ces`},
		{"score out of range", goodOrders, "metric,score\nnps,11\n", `responses.csv:2: score "11": out of range 0..10 for nps`},
		{"csat out of range", goodOrders, "metric,score\ncsat,0\n", `responses.csv:2: score "0": out of range 1..5 for csat`},
		{"score not a number", goodOrders, "metric,score\nces,4.5\n", `responses.csv:2: score "4.5": not a whole number`},
		{"responses missing column", goodOrders, "metric\nnps\n", `responses.csv:1: missing column "score"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			orders := filepath.Join(dir, "orders.csv")
			require.NoError(t, os.WriteFile(orders, []byte(tt.orders), 0o644))
			args := []string{"report", "-orders", orders}
			if tt.responses != "" {
				responses := filepath.Join(dir, "responses.csv")
				require.NoError(t, os.WriteFile(responses, []byte(tt.responses), 0o644))
				args = append(args, "-responses", responses)
			}
			code, out, errOut := runCmd(t, "", args...)
			assert.Equal(t, 1, code)
			assert.Empty(t, out, "no report on bad input")
			assert.Equal(t, "cxmetrics: "+tt.want+"\n", strings.ReplaceAll(errOut, dir+string(filepath.Separator), ""))
		})
	}
}

func TestSkipBad(t *testing.T) {
	var b strings.Builder
	b.WriteString("customer_id,order_id,time,amount\n")
	for i := 0; i < 8; i++ {
		fmt.Fprintf(&b, "c%d,%d,2024-01-0%d,%d.00\n", i, i, 1+i%9, 10+i)
		fmt.Fprintf(&b, "c%d,x%d,2024-01-01,bad%d\n", i, i, i)
	}
	orders := writeFile(t, "orders.csv", b.String())
	code, out, errOut := runCmd(t, "", "report", "-orders", orders, "-skip-bad", "-format", "json")
	require.Equal(t, 0, code, errOut)
	var rep Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, int64(8), rep.Inputs.SkippedRows)
	assert.Equal(t, int64(8), rep.Inputs.OrderRows)
	require.Len(t, rep.Inputs.SkipReasons, maxSkipReasons)
	assert.Equal(t, orders+`:3: amount "bad0": not a decimal`, rep.Inputs.SkipReasons[0])

	code, out, _ = runCmd(t, "", "report", "-orders", orders, "-skip-bad")
	require.Equal(t, 0, code)
	assert.Contains(t, squash(out), "skipped 8 bad rows (-skip-bad); first reasons:")
	assert.Contains(t, out, `:5: amount "bad1": not a decimal`)
}

func TestCurrencyFilter(t *testing.T) {
	orders := writeFile(t, "o.csv", "customer_id,order_id,time,amount,currency\na,1,2024-01-01,10,EUR\nb,2,2024-01-01,1000,JPY\nc,3,2024-01-02,5.5,EUR\n")
	code, out, errOut := runCmd(t, "", "report", "-orders", orders, "-currency", "JPY")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, squash(out), "Net revenue 1000 JPY")
	assert.Contains(t, squash(out), "left out 2 rows in other currencies (-currency JPY)")
	code, out, errOut = runCmd(t, "", "report", "-orders", orders, "-currency", "EUR", "-format", "json")
	require.Equal(t, 0, code, errOut)
	var rep Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, "15.5", rep.Orders.Revenue.String())
	assert.Equal(t, int64(1), rep.Inputs.OtherCurrencyRows)
}

func TestCommandLineErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `cxmetrics: unknown command "frobnicate"`},
		{[]string{"report", "-period", "fortnight"}, `cxmetrics: -period "fortnight": not month, week, day, quarter or year`},
		{[]string{"report", "-tz", "Mars/Olympus"}, `cxmetrics: -tz "Mars/Olympus": unknown time zone`},
		{[]string{"report", "-format", "pdf"}, `cxmetrics: -format "pdf": not text, json or html`},
		{[]string{"report", "-currency", "XYZ"}, `cxmetrics: -currency "XYZ": not an ISO 4217 code with a minor unit`},
		{[]string{"report", "-orders", "-", "-responses", "-"}, `cxmetrics: -orders and -responses cannot both read standard input`},
		{[]string{"report", "extra"}, `cxmetrics: unexpected argument "extra"`},
		{[]string{"report", "-nope"}, `flag provided but not defined: -nope`},
	}
	for _, tt := range tests {
		code, out, errOut := runCmd(t, "", tt.args...)
		assert.Equal(t, 2, code, tt.args)
		assert.Empty(t, out)
		assert.Equal(t, tt.want, strings.SplitN(errOut, "\n", 2)[0], tt.args)
	}
	code, _, errOut := runCmd(t, "", "report", "-orders", filepath.Join(t.TempDir(), "missing.csv"))
	assert.Equal(t, 2, code, "a missing input file is a bad command line")
	assert.Contains(t, errOut, "no such file or directory")

	code, out, _ := runCmd(t, "", "help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "usage: cxmetrics")
}

func TestProgressOnlyOnTerminal(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, false)
	for i := 0; i < 100000; i++ {
		p.update("x", int64(i), int64(i))
	}
	p.done()
	assert.Empty(t, buf.String(), "never when stderr is not a terminal")
}

// The report's figures equal the library's, computed here from the embedded
// sample with a separate, minimal CSV decoding.
func TestReportMatchesLibrary(t *testing.T) {
	code, out, _ := runCmd(t, "", "report", "-format", "json")
	require.Equal(t, 0, code)
	var rep Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))

	rows, err := csv.NewReader(bytes.NewReader(sampleOrders)).ReadAll()
	require.NoError(t, err)
	var stats cxmetrics.OrderStats
	var orders []cxmetrics.Order
	for _, r := range rows[1:] { // order_id, customer_id, time, amount, currency
		tm, err := time.Parse(time.RFC3339, r[2])
		require.NoError(t, err)
		o := cxmetrics.Order{ID: r[0], CustomerID: r[1], Time: tm, Amount: decimal.RequireFromString(r[3]), Currency: r[4]}
		require.NoError(t, stats.Add(o))
		orders = append(orders, o)
	}
	assert.True(t, stats.Revenue().Equal(rep.Orders.Revenue))
	assert.Equal(t, stats.Orders(), rep.Orders.Orders)
	assert.Equal(t, stats.Customers(), rep.Orders.Customers)
	aov, _ := stats.AOV()
	assert.True(t, aov.Equal(*rep.Orders.AOV))
	rpr, _ := stats.RepeatPurchaseRate()
	assert.True(t, rpr.Equal(*rep.Orders.RepeatPurchaseRate))
	table, err := cxmetrics.Cohorts(orders, cxmetrics.CohortOptions{})
	require.NoError(t, err)
	require.Len(t, rep.Cohorts.Rows, len(table.Rows))
	for i, r := range table.Rows {
		assert.Equal(t, r.Active, rep.Cohorts.Rows[i].Active)
		for k := range r.Revenue {
			assert.True(t, r.Revenue[k].Equal(rep.Cohorts.Rows[i].Revenue[k]))
		}
	}

	var nps cxmetrics.NPSTally
	resp, err := csv.NewReader(bytes.NewReader(sampleResponses)).ReadAll()
	require.NoError(t, err)
	for _, r := range resp[1:] {
		if r[0] == "nps" {
			n, err := strconv.Atoi(r[1])
			require.NoError(t, err)
			require.NoError(t, nps.Add(n))
		}
	}
	score, _ := nps.Score()
	assert.True(t, score.Equal(rep.NPS.Score))
	lo, hi, _ := nps.ConfidenceInterval(0.95)
	assert.InDelta(t, lo, rep.NPS.CI95Low, 1e-4)
	assert.InDelta(t, hi, rep.NPS.CI95High, 1e-4)
}

func TestProgressOnTerminalAfterTwoSeconds(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, true)
	for i := 0; i < 10000; i++ {
		p.update("orders.csv", int64(i), int64(i)*50)
	}
	assert.Empty(t, buf.String(), "nothing during the first two seconds")
	p.start = time.Now().Add(-3 * time.Second)
	for i := 0; i < 10000; i++ {
		p.update("orders.csv", int64(i), int64(i)*50)
	}
	assert.Contains(t, buf.String(), "\rorders.csv: ")
	assert.Contains(t, buf.String(), " rows, ")
	p.done()
	assert.True(t, strings.HasSuffix(buf.String(), "\r"), "the line is cleared at the end")
}
