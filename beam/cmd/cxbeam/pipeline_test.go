package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/vet"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/cxmetrics/cxmetrics/internal/ci"
	"github.com/cxmetrics/cxmetrics/internal/onlineretail"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { ptest.Main(m) }

// cxmetricsBin builds the cxmetrics command once: the pipeline's JSON is
// checked against what the command itself prints.
var cxmetricsBin = func() func(t *testing.T) string {
	var bin string
	return func(t *testing.T) string {
		t.Helper()
		if bin != "" {
			return bin
		}
		dir, err := os.MkdirTemp("", "cxmetrics-bin")
		require.NoError(t, err)
		path := filepath.Join(dir, "cxmetrics")
		build := exec.Command("go", "build", "-o", path, "./cmd/cxmetrics")
		build.Dir = "../../.."
		out, err := build.CombinedOutput()
		require.NoError(t, err, "building cxmetrics: %s", out)
		bin = path
		return bin
	}
}()

// command runs cxmetrics report -format json -skip-bad with args.
func command(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(cxmetricsBin(t), append([]string{"report", "-format", "json", "-skip-bad"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "cxmetrics: %s", stderr.String())
	return out
}

// runPipeline runs cxbeam with args on Prism in this process and returns
// the report.
func runPipeline(t *testing.T, unlifted bool, args ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report.json")
	cfg, err := parseFlags(flag.NewFlagSet("cxbeam", flag.ContinueOnError), append(args, "-o", out))
	require.NoError(t, err)
	cfg.unlifted = unlifted
	p, err := pipeline(cfg)
	require.NoError(t, err)
	require.NoError(t, ptest.Run(p))
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	return data
}

// generated writes a shop of the given size: orders over two years in
// EUR with refunds and re-deliveries, subscriptions with plan changes,
// and answers to the three surveys.
func generated(t *testing.T, dir string, rows int) (orders, subscriptions, responses string) {
	r := rand.New(rand.NewPCG(2024, 15))
	var b strings.Builder
	b.WriteString("customer_id,order_id,time,amount,currency\n")
	base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	customers := rows / 8
	var earlier []string
	for i := 0; i < rows; i++ {
		if len(earlier) > 0 && r.IntN(50) == 0 {
			b.WriteString(earlier[r.IntN(len(earlier))]) // a re-delivery
			continue
		}
		c := r.IntN(customers)
		at := base.Add(time.Duration(r.Int64N(int64(730 * 24 * time.Hour)))).Truncate(time.Second)
		cents := 100 + r.Int64N(30000)
		if r.IntN(12) == 0 {
			cents = -cents / 3
		}
		line := fmt.Sprintf("c%05d,o%07d,%s,%s,EUR\n", c, i, at.Format(time.RFC3339), decimal.New(cents, -2))
		earlier = append(earlier, line)
		b.WriteString(line)
	}
	orders = filepath.Join(dir, "orders.csv")
	require.NoError(t, os.WriteFile(orders, []byte(b.String()), 0o644))

	b.Reset()
	b.WriteString("customer_id,subscription_id,start,end,amount,interval,interval_count,currency\n")
	plans := []string{"19.00,month,1", "49.00,month,1", "490.00,year,1", "99.00,month,3"}
	for c := 0; c < 300; c++ {
		start := base.Add(time.Duration(r.Int64N(int64(600 * 24 * time.Hour))))
		for k := 0; k < 1+r.IntN(3); k++ {
			end := start.Add(time.Duration(r.Int64N(int64(200 * 24 * time.Hour))))
			endText := end.Format(time.DateOnly)
			if r.IntN(4) == 0 {
				endText = ""
			}
			fmt.Fprintf(&b, "s%04d,sub%d,%s,%s,%s,EUR\n", c, c, start.Format(time.DateOnly), endText, plans[r.IntN(len(plans))])
			if endText == "" {
				break
			}
			start = end
		}
	}
	subscriptions = filepath.Join(dir, "subscriptions.csv")
	require.NoError(t, os.WriteFile(subscriptions, []byte(b.String()), 0o644))

	b.Reset()
	b.WriteString("metric,score\n")
	for i := 0; i < 900; i++ {
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "nps,%d\n", r.IntN(11))
		case 1:
			fmt.Fprintf(&b, "csat,%d\n", 1+r.IntN(5))
		default:
			fmt.Fprintf(&b, "ces,%d\n", 1+r.IntN(7))
		}
	}
	responses = filepath.Join(dir, "responses.csv")
	require.NoError(t, os.WriteFile(responses, []byte(b.String()), 0o644))
	return orders, subscriptions, responses
}

// The pipeline's JSON is byte for byte the command's, on 20,000 generated
// rows with re-deliveries, subscriptions and answers, with combiners lifted
// (Prism's Combine) and unlifted (GroupByKey and one pass, as Flink and
// Spark run them), monthly in UTC and weekly in Berlin with a window of 3.
func TestPipelineEqualsCommandOnGeneratedData(t *testing.T) {
	orders, subscriptions, responses := generated(t, t.TempDir(), 20000)
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"monthly", []string{"-orders", orders, "-subscriptions", subscriptions, "-responses", responses}},
		{"weekly Berlin window 3", []string{"-orders", orders, "-subscriptions", subscriptions, "-responses", responses,
			"-period", "week", "-tz", "Europe/Berlin", "-window", "3"}},
	} {
		want := command(t, tt.args...)
		for _, unlifted := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s unlifted=%v", tt.name, unlifted), func(t *testing.T) {
				got := runPipeline(t, unlifted, append(tt.args, "-shards", "7")...)
				assert.JSONEq(t, string(want), string(got))
				assert.Equal(t, string(want), string(got), "byte for byte")
				for _, part := range []string{`"aov_tiers": {`, `"cohorts": {`, `"series": {`, `"mrr": {`, `"subscription_cohorts": {`, `"nps": {`} {
					assert.Contains(t, string(got), part, "the report has every part")
				}
			})
		}
	}
}

const onlineRetail = "../../../../shared/data/online-retail/online-retail-541909.csv.gz"

// onlineRetailLines writes the UCI Online Retail invoice lines with a
// customer as an orders CSV of invoice lines (amount = quantity × unit
// price, exactly), as cmd/cxmetrics/onlineretail_test.go does.
func onlineRetailLines(t *testing.T, dir string) string {
	t.Helper()
	if _, err := os.Stat(onlineRetail); err != nil {
		ci.Skip(t, "%s is absent: %v", onlineRetail, err)
	}
	var b bytes.Buffer
	b.WriteString("order_id,customer_id,time,amount,currency\n")
	require.NoError(t, onlineretail.ReadLines(onlineRetail, func(l onlineretail.Line) error {
		_, err := fmt.Fprintf(&b, "%s,%s,%s,%s,GBP\n", l.Invoice, l.Customer, l.Time, l.Amount)
		return err
	}))
	path := filepath.Join(dir, "online-retail-lines.csv")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	return path
}

// On the Online Retail invoice lines (406,829 lines with a customer, summed
// into invoices), lifted and unlifted, the pipeline's JSON is the
// command's.
func TestPipelineEqualsCommandOnOnlineRetail(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 541,909 lines three times")
	}
	lines := onlineRetailLines(t, t.TempDir())
	args := []string{"-orders", lines, "-rows", "lines"}
	want := command(t, args...)
	for _, unlifted := range []bool{false, true} {
		t.Run(fmt.Sprintf("unlifted=%v", unlifted), func(t *testing.T) {
			got := runPipeline(t, unlifted, args...)
			assert.Equal(t, string(want), string(got))
		})
	}
}

// An orders file with only its header, and no other input, still gives
// the command's report: zeros and nulls, not nothing.
func TestPipelineOnEmptyInput(t *testing.T) {
	dir := t.TempDir()
	orders := filepath.Join(dir, "orders.csv")
	require.NoError(t, os.WriteFile(orders, []byte("customer_id,order_id,time,amount\n"), 0o644))
	want := command(t, "-orders", orders)
	got := runPipeline(t, false, "-orders", orders)
	assert.Equal(t, string(want), string(got))
	assert.Contains(t, string(got), `"orders": 0`)
	assert.Contains(t, string(got), `"cohorts": null`)
}

// badFiles writes inputs with every kind of bad row: a bad amount, a
// record with an unclosed quote spanning lines, mixed currencies, an order
// ID re-used with other content, lines of one invoice that disagree, a
// span and an answer out of range.
func badFiles(t *testing.T, dir string) (orders, lines, subscriptions, responses string) {
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	orders = write("orders.csv", "customer_id,order_id,time,amount,currency\n"+
		"ann,o1,2024-01-05,10.00,EUR\n"+
		"bob,o2,2024-01-06,12;50,EUR\n"+
		"cat,o3,2024-02-01,30.00,USD\n"+
		"ann,o1,2024-01-05,10.00,EUR\n"+
		"dan,o1,2024-03-01,11.00,EUR\n"+
		"eve,o4,2024-03-02,5.00,EUR\n"+
		"fay,o5,2024-04-01,-3.00,EUR\n"+
		"gus,o6,\"2024-04-02\n,7.00,EUR\n")
	lines = write("lines.csv", "customer_id,order_id,time,amount,currency\n"+
		"ann,i1,2024-01-05 10:00:00,10.00,EUR\n"+
		"ann,i1,2024-01-05 09:00:00,5.00,EUR\n"+
		"bob,i1,2024-01-05 11:00:00,5.00,EUR\n"+
		"cat,i2,2024-02-01 10:00:00,7.00,USD\n"+
		"cat,i2,2024-02-01 10:05:00,1.00,USD\n"+
		"dan,,2024-02-02 10:00:00,1.00,EUR\n"+
		"eve,i3,2024-03-01 10:00:00,abc,EUR\n")
	subscriptions = write("subscriptions.csv", "customer_id,subscription_id,start,end,amount,interval,currency\n"+
		"ann,s1,2024-01-01,,19.00,month,EUR\n"+
		"bob,s2,2024-01-01,,19.00,fortnight,EUR\n"+
		"cat,s3,2024-02-01,,49.00,month,USD\n")
	responses = write("responses.csv", "metric,score\nnps,9\nnps,11\ncsat,4\nces,0\nsmile,3\n")
	return orders, lines, subscriptions, responses
}

// Bad rows go to the dead-letter file and are counted as -skip-bad counts
// them; the report is the command's, skip reasons and all. With
// -fail-on-bad the job fails and writes no report.
func TestPipelineDeadLetters(t *testing.T) {
	dir := t.TempDir()
	orders, lines, subscriptions, responses := badFiles(t, dir)
	for _, tt := range []struct {
		name    string
		args    []string
		badRows int
	}{
		{"orders", []string{"-orders", orders, "-subscriptions", subscriptions, "-responses", responses}, 9},
		{"lines", []string{"-orders", lines, "-rows", "lines", "-subscriptions", subscriptions}, 6},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := command(t, tt.args...)
			out := filepath.Join(t.TempDir(), "report.json")
			cfg, err := parseFlags(flag.NewFlagSet("cxbeam", flag.ContinueOnError), append(tt.args, "-o", out))
			require.NoError(t, err)
			p, err := pipeline(cfg)
			require.NoError(t, err)
			require.NoError(t, ptest.Run(p))
			got, err := os.ReadFile(out)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
			assert.Contains(t, string(got), `"skip_reasons": [`)
			dead := readDeadLetters(t, cfg.deadLetter)
			assert.Len(t, dead, tt.badRows, "%q", dead)
			for _, d := range dead {
				assert.Regexp(t, `^/.*\.csv:\d+: .+`, d)
			}

			cfg.failOnBad, cfg.out = true, filepath.Join(t.TempDir(), "never.json")
			p, err = pipeline(cfg)
			require.NoError(t, err)
			err = ptest.Run(p)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "-fail-on-bad")
			assert.NoFileExists(t, cfg.out)
		})
	}
}

// readDeadLetters reads the dead-letter lines, sorted.
func readDeadLetters(t *testing.T, path string) []string {
	t.Helper()
	matches, err := filepath.Glob(path + "*")
	require.NoError(t, err)
	var out []string
	for _, m := range matches {
		data, err := os.ReadFile(m)
		require.NoError(t, err)
		for _, l := range strings.Split(string(data), "\n") {
			if l != "" {
				out = append(out, l)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Beam's vet runner accepts the pipeline: every DoFn, function, combiner
// and type is registered, so nothing falls back to reflection.
func TestVetRunner(t *testing.T) {
	dir := t.TempDir()
	orders, _, subscriptions, responses := badFiles(t, dir)
	for _, rows := range []string{"orders", "lines"} {
		cfg, err := parseFlags(flag.NewFlagSet("cxbeam", flag.ContinueOnError),
			[]string{"-orders", orders, "-rows", rows, "-subscriptions", subscriptions, "-responses", responses, "-o", filepath.Join(dir, "r.json")})
		require.NoError(t, err)
		p, err := pipeline(cfg)
		require.NoError(t, err)
		_, err = beam.Run(context.Background(), "vet", p)
		assert.NoError(t, err, "-rows %s", rows)
	}
}

func TestFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-orders", "x"}, "-o FILE is required"},
		{[]string{"-o", "r"}, "give -orders"},
		{[]string{"-orders", "x", "-o", "r", "-period", "fortnight"}, "-period"},
		{[]string{"-orders", "x", "-o", "r", "-tz", "Mars/Olympus"}, "-tz"},
		{[]string{"-orders", "x", "-o", "r", "-rows", "cells"}, "-rows"},
		{[]string{"-orders", "x", "-o", "r", "-window", "0"}, "-window"},
		{[]string{"-orders", "x", "-o", "r", "-shards", "0"}, "-shards"},
		{[]string{"-orders", "x", "-o", "r", "-currency", "EURO"}, "-currency"},
		{[]string{"-orders", "x", "-o", "r", "-until", "soon"}, "-until"},
	} {
		fs := flag.NewFlagSet("cxbeam", flag.ContinueOnError)
		fs.SetOutput(new(bytes.Buffer))
		_, err := parseFlags(fs, tt.args)
		require.Error(t, err, "%v", tt.args)
		assert.Contains(t, err.Error(), tt.want)
	}
	cfg, err := parseFlags(flag.NewFlagSet("cxbeam", flag.ContinueOnError), []string{"-orders", "x", "-o", "r.json", "-until", "2024-06-30", "-tz", "Europe/Berlin"})
	require.NoError(t, err)
	assert.Equal(t, "r.json.bad", cfg.deadLetter)
	assert.Equal(t, "2024-06-30T23:59:59.999999999+02:00", cfg.until)
}
