package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The regression tests of the hostile-input issue, one per defect.

func jsonReport(t *testing.T, code int, out, errOut string) Report {
	t.Helper()
	require.Equal(t, 0, code, errOut)
	var rep Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	return rep
}

// 1. -o onto an input is refused, whatever name reaches the file.
func TestOutputOntoAnInputIsRefused(t *testing.T) {
	dir := t.TempDir()
	orders := filepath.Join(dir, "v.csv")
	require.NoError(t, os.WriteFile(orders, []byte(goodOrders), 0o644))
	link := filepath.Join(dir, "link.csv")
	require.NoError(t, os.Link(orders, link))
	sym := filepath.Join(dir, "sym.csv")
	require.NoError(t, os.Symlink(orders, sym))
	responses := filepath.Join(dir, "r.csv")
	require.NoError(t, os.WriteFile(responses, []byte("metric,score\nnps,9\n"), 0o644))
	for _, out := range []string{orders, link, sym, filepath.Join(dir, ".", "v.csv")} {
		code, stdout, errOut := runCmd(t, "", "report", "-orders", orders, "-o", out)
		assert.Equal(t, 2, code, out)
		assert.Empty(t, stdout)
		assert.Contains(t, errOut, "is the input file", out)
	}
	code, _, errOut := runCmd(t, "", "report", "-orders", orders, "-responses", responses, "-o", responses)
	assert.Equal(t, 2, code, errOut)
	data, err := os.ReadFile(orders)
	require.NoError(t, err)
	assert.Equal(t, goodOrders, string(data), "the input is untouched")

	// A good report replaces the old file whole, and leaves no temporary
	// file behind.
	out := filepath.Join(dir, "report.txt")
	require.NoError(t, os.WriteFile(out, []byte("old"), 0o644))
	code, _, errOut = runCmd(t, "", "report", "-orders", orders, "-o", out)
	require.Equal(t, 0, code, errOut)
	text, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(text), "cxmetrics report"))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.HasSuffix(e.Name(), ".tmp"), e.Name())
	}
	// A bad input leaves the old report in place.
	bad := writeFile(t, "bad.csv", "customer_id,order_id,time,amount\na,1,2024-01-01,x\n")
	code, _, _ = runCmd(t, "", "report", "-orders", bad, "-o", out)
	require.Equal(t, 1, code)
	again, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, text, again)
}

// 2. Fields and amounts are capped too, and an error quotes at most ~80
// bytes of a value.
func TestFieldAndAmountCaps(t *testing.T) {
	const header = "customer_id,order_id,time,amount\n"
	for _, tt := range []struct {
		name, row, want string
	}{
		{"a 2,000-byte ID", strings.Repeat("x", 2000) + ",1,2024-01-01,1", `customer_id "` + strings.Repeat("x", 80) + `"… (2000 bytes): longer than 1024 bytes`},
		{"41 significant digits", "a,1,2024-01-01," + strings.Repeat("7", 41), "more than 40 significant digits"},
		{"40 digits and zeros", "a,1,2024-01-01,000" + strings.Repeat("7", 40) + ".000", ""},
		{"a fraction too fine for the library", "a,1,2024-01-01,0." + strings.Repeat("0", 1000) + "1", "exponent beyond ±1000"},
		{"an amount of 1,000 digits", "a,1,2024-01-01," + strings.Repeat("1", 1000), "more than 40 significant digits"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, header+tt.row+"\n", "report", "-orders", "-")
			if tt.want == "" {
				assert.Equal(t, 0, code, errOut)
				return
			}
			assert.Equal(t, 1, code)
			assert.Contains(t, errOut, "stdin:2: ")
			assert.Contains(t, errOut, tt.want)
			assert.Less(t, len(errOut), 400)
		})
	}
}

// 3. Quotes never swallow rows silently.
func TestQuotesDoNotSwallowRows(t *testing.T) {
	const header = "customer_id,order_id,time,amount\n"
	var b strings.Builder
	b.WriteString(header + "a,1,2024-01-01,1\n")
	b.WriteString("b,\"2,2024-01-01,1\n") // an unterminated quote on line 3
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "c%d,%d,2024-01-02,1\n", i, i+3)
	}
	code, _, errOut := runCmd(t, b.String(), "report", "-orders", "-")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "stdin:3: column 2: a quote opened on line 3 is never closed")

	code, out, errOut := runCmd(t, b.String(), "report", "-orders", "-", "-skip-bad", "-format", "json")
	rep := jsonReport(t, code, out, errOut)
	assert.Equal(t, int64(1), rep.Inputs.SkippedRows)
	assert.Equal(t, int64(1001), rep.Inputs.SkippedLines, "every line the open quote ate is counted")
	assert.Equal(t, int64(1), rep.Inputs.OrderRows)
	code, out, _ = runCmd(t, b.String(), "report", "-orders", "-", "-skip-bad")
	require.Equal(t, 0, code)
	assert.Contains(t, squash(out), "skipped 1 bad rows (1001 lines) (-skip-bad)")

	// A quoted ID spanning two lines would merge two orders into one.
	merged := header + "a,1,2024-01-01,1\n\"b\n13\",2,2024-01-01,13\nc,3,2024-01-01,100\n"
	code, _, errOut = runCmd(t, merged, "report", "-orders", "-")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `stdin:3: customer_id "b\n13": a line break or comma inside a value`)
	code, out, errOut = runCmd(t, merged, "report", "-orders", "-", "-skip-bad", "-format", "json")
	rep = jsonReport(t, code, out, errOut)
	assert.Equal(t, "101", rep.Orders.Revenue.String())
	assert.Equal(t, int64(2), rep.Inputs.SkippedLines)

	for _, row := range []string{
		"a,\"1,2\",2024-01-01,1",     // a comma in the order ID
		"a,1,\"2024-01-01\n\",1",     // a line break in the time
		"a,1,2024-01-01,1,\"EU\nR\"", // and in the currency
	} {
		in := "customer_id,order_id,time,amount,currency\n" + row + "\n"
		code, _, errOut := runCmd(t, in, "report", "-orders", "-")
		assert.Equal(t, 1, code, row)
		assert.Contains(t, errOut, "stdin:2: ", row)
	}
	// A line break inside a quoted column the report does not read is data.
	notes := "customer_id,order_id,time,amount,note\na,1,2024-01-01,5,\"two\nlines\"\nb,2,2024-01-01,7,\n"
	code, out, errOut = runCmd(t, notes, "report", "-orders", "-", "-format", "json")
	rep = jsonReport(t, code, out, errOut)
	assert.Equal(t, "12", rep.Orders.Revenue.String())
}

// 4. -skip-bad skips what the library would reject, before any accumulator
// sees it: a row leaves all of them or none.
func TestSkipBadSkipsWhatTheLibraryRejects(t *testing.T) {
	// 0001-01-01 00:30 in Berlin is year 0 in UTC... and the other way round:
	// 0001-01-01T00:30:00+02:00 is year 0 in UTC; 9999-12-31T23:30:00-01:00
	// is year 10000 in UTC.
	in := "customer_id,order_id,time,amount\na,1,2024-01-01,10\nb,2,0001-01-01T00:30:00+02:00,5\nc,3,9999-12-31T23:30:00-01:00,7\n"
	code, out, errOut := runCmd(t, in, "report", "-orders", "-", "-skip-bad", "-format", "json")
	rep := jsonReport(t, code, out, errOut)
	assert.Equal(t, int64(2), rep.Inputs.SkippedRows)
	assert.Equal(t, "10", rep.Orders.Revenue.String(), "no trace of the skipped rows in any figure")
	require.NotNil(t, rep.Cohorts)
	assert.Len(t, rep.Cohorts.Rows, 1)

	// In -tz, 9999-12-31 23:30 UTC is year 10000 in Asia/Tokyo.
	in = "customer_id,order_id,time,amount\na,1,2024-01-01,10\nb,2,9999-12-31T23:30:00Z,5\n"
	code, out, errOut = runCmd(t, in, "report", "-orders", "-", "-tz", "Asia/Tokyo", "-skip-bad", "-format", "json")
	rep = jsonReport(t, code, out, errOut)
	assert.Equal(t, int64(1), rep.Inputs.SkippedRows)
	assert.Equal(t, "10", rep.Orders.Revenue.String())
	assert.Contains(t, rep.Inputs.SkipReasons[0], "outside the years 1..9999 in Asia/Tokyo")

	// A row in another currency than the rows before it is a bad row too.
	in = "customer_id,order_id,time,amount,currency\na,1,2024-01-01,10,EUR\nb,2,2024-01-01,5,USD\n"
	code, out, errOut = runCmd(t, in, "report", "-orders", "-", "-skip-bad", "-format", "json")
	rep = jsonReport(t, code, out, errOut)
	assert.Equal(t, int64(1), rep.Inputs.SkippedRows)
	assert.Equal(t, "10", rep.Orders.Revenue.String())
}

// 5. Rough edges.
func TestRoughEdges(t *testing.T) {
	// -responses alone reports only the responses.
	responses := writeFile(t, "r.csv", "metric,score\nnps,10\nnps,3\n")
	code, out, errOut := runCmd(t, "", "report", "-responses", responses, "-format", "json")
	rep := jsonReport(t, code, out, errOut)
	assert.Equal(t, "", rep.Inputs.OrdersFile)
	assert.Equal(t, int64(0), rep.Orders.Orders)
	assert.Nil(t, rep.Cohorts)
	assert.Equal(t, int64(2), rep.NPS.Responses)

	// -currency on a file without a currency column says so.
	code, _, errOut = runCmd(t, "customer_id,order_id,time,amount\na,1,2024-01-01,1\n", "report", "-orders", "-", "-currency", "EUR")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "-currency EUR: stdin has no currency column")

	// A byte order mark before a quoted header.
	code, out, errOut = runCmd(t, "\ufeff\"customer_id\",\"order_id\",\"time\",\"amount\"\r\na,1,2024-01-01,2.5\r\n", "report", "-orders", "-", "-format", "json")
	rep = jsonReport(t, code, out, errOut)
	assert.Equal(t, "2.5", rep.Orders.Revenue.String())

	// Excel's trailing empty header columns.
	code, out, errOut = runCmd(t, "customer_id,order_id,time,amount,,,\na,1,2024-01-01,2,,,\nb,2,2024-01-01,3\n", "report", "-orders", "-", "-format", "json")
	rep = jsonReport(t, code, out, errOut)
	assert.Equal(t, "5", rep.Orders.Revenue.String())

	// +24:00 is not an offset.
	code, _, errOut = runCmd(t, "customer_id,order_id,time,amount\na,1,2024-01-01T00:00:00+24:00,1\n", "report", "-orders", "-")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `stdin:2: time "2024-01-01T00:00:00+24:00": not RFC 3339`)

	// An empty tier's AOV is null. Two customers: terciles put the one with
	// the lower AOV in the medium tier and leave the low tier empty.
	code, out, errOut = runCmd(t, "customer_id,order_id,time,amount\na,1,2024-01-01,1\nb,2,2024-01-01,9\n", "report", "-orders", "-", "-format", "json")
	require.Equal(t, 0, code, errOut)
	var raw struct {
		AOVTiers struct {
			Tiers []map[string]any `json:"tiers"`
		} `json:"aov_tiers"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	require.Len(t, raw.AOVTiers.Tiers, 3)
	assert.Equal(t, float64(0), raw.AOVTiers.Tiers[0]["customers"])
	v, ok := raw.AOVTiers.Tiers[0]["aov"]
	assert.True(t, ok && v == nil, "the empty low tier's aov is null, got %v", v)
	code, out, _ = runCmd(t, "customer_id,order_id,time,amount\na,1,2024-01-01,1\nb,2,2024-01-01,9\n", "report", "-orders", "-")
	require.Equal(t, 0, code)
	assert.Contains(t, squash(out), "low 0 0 0.00 n/a")
}
