package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// TestMain lets the test binary stand in for the peers binary: run
// re-executes itself as `duckdb-child FILE` for the DuckDB contender.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == duckdbChildCmd {
		if err := duckdbChild(os.Args[2:], os.Stdout); err != nil {
			os.Stderr.WriteString("duckdb-child: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// needDuckDB skips the test when this binary has no DuckDB (no cgo
// toolchain); under CI=true, as in the repository's CI, it fails instead.
func needDuckDB(t *testing.T) {
	t.Helper()
	if haveDuckDB {
		return
	}
	msg := "DuckDB needs cgo: built with CGO_ENABLED=0 or without a C compiler"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// TestPeersAgree runs the whole benchmark at 20,000 rows, one round:
// cxmetrics, DuckDB and (if installed) pandas must compute the same
// figures, cell by cell.
func TestPeersAgree(t *testing.T) {
	needDuckDB(t)
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build cxmetrics with")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := config{rows: 20_000, seed: 5, rounds: 1, cache: t.TempDir(), repo: "../..", python: "python3", self: []string{self}}
	var log bytes.Buffer
	res, err := run(cfg, &log)
	t.Logf("progress:\n%s", log.String())
	if err != nil {
		t.Fatal(err)
	}
	if want := len(res.names) - 1; res.compared != want {
		t.Fatalf("compared %d runs with cxmetrics' figures, want %d", res.compared, want)
	}
	f := res.figures
	if f.Orders+f.Refunds != 20_000 || f.Customers == 0 || len(f.Cohorts) < 20 || f.Revenue.Sign() <= 0 {
		t.Errorf("implausible figures: %d orders, %d refunds, %d customers, %d cohorts, revenue %s",
			f.Orders, f.Refunds, f.Customers, len(f.Cohorts), f.Revenue)
	}
	var out bytes.Buffer
	printResult(&out, cfg, res)
	t.Logf("result:\n%s", out.String())
	if !strings.Contains(out.String(), "cxmetrics / duckdb (medians): wall ") {
		t.Errorf("the result has no ratio to DuckDB:\n%s", out.String())
	}
}

// TestDisagreementNamesTheCell checks that the agreement check catches a
// change of one cent in one cohort cell, and names the cell.
func TestDisagreementNamesTheCell(t *testing.T) {
	a := &figures{
		Revenue: decimal.RequireFromString("10.50"), Orders: 2, Customers: 1, AOV: decimal.RequireFromString("5.25"),
		Cohorts: []cohortRow{{Start: "2023-01-01", Size: 1, Active: []int64{1, 0}, Revenue: []decimal.Decimal{
			decimal.RequireFromString("10.50"), decimal.Zero}}},
	}
	b := *a
	b.Revenue = decimal.RequireFromString("10.5") // the same value, written differently
	b.Cohorts = []cohortRow{a.Cohorts[0]}
	b.Cohorts[0].Revenue = []decimal.Decimal{decimal.RequireFromString("10.5"), decimal.RequireFromString("0.00")}
	if d := disagreements("cxmetrics", a, "duckdb", &b); len(d) != 0 {
		t.Fatalf("equal figures disagree: %v", d)
	}
	b.Cohorts[0].Revenue = []decimal.Decimal{decimal.RequireFromString("10.50"), decimal.RequireFromString("0.01")}
	d := disagreements("cxmetrics", a, "duckdb", &b)
	if len(d) != 1 || d[0] != "cohort 2023-01-01 month 1 revenue: cxmetrics 0, duckdb 0.01" {
		t.Fatalf("disagreements = %q", d)
	}
	b.Cohorts[0].Active = []int64{1}
	if d := disagreements("cxmetrics", a, "duckdb", &b); len(d) != 2 || !strings.Contains(d[0], "cohort 2023-01-01 active cells") {
		t.Fatalf("disagreements = %q", d)
	}
}

// TestGeneratorShape checks the generated file against the shape of the
// command's benchmark file, and that a second call reuses it.
func TestGeneratorShape(t *testing.T) {
	dir := t.TempDir()
	path, reused, err := ordersFile(dir, 5000, 7)
	if err != nil || reused {
		t.Fatalf("ordersFile = %v, reused %v", err, reused)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Scan()
	if sc.Text() != "order_id,customer_id,time,amount,currency" {
		t.Fatalf("header %q", sc.Text())
	}
	rows, refunds := 0, 0
	ids := map[string]bool{}
	for sc.Scan() {
		f := strings.Split(sc.Text(), ",")
		if len(f) != 5 || f[4] != "EUR" || len(f[1]) != len("cust-0000000") || !strings.HasPrefix(f[1], "cust-") {
			t.Fatalf("row %q", sc.Text())
		}
		if ids[f[0]] {
			t.Fatalf("order ID %s twice", f[0])
		}
		ids[f[0]] = true
		if len(f[2]) != len("2023-04-05T06:07:08Z") || f[2] < "2023-01-01" || f[2] >= "2025-01-01" {
			t.Fatalf("time %q", f[2])
		}
		amt := decimal.RequireFromString(f[3])
		if i := strings.IndexByte(f[3], '.'); i < 0 || len(f[3])-i != 3 {
			t.Fatalf("amount %q has not two decimals", f[3])
		}
		if amt.IsNegative() {
			refunds++
			if amt.LessThan(decimal.New(-50, 0)) || amt.GreaterThan(decimal.New(-1, -2)) {
				t.Fatalf("refund %s", amt)
			}
		} else if amt.LessThan(decimal.New(1, 0)) || amt.GreaterThan(decimal.New(200, 0)) {
			t.Fatalf("amount %s", amt)
		}
		rows++
	}
	if rows != 5000 || refunds < 150 || refunds > 350 {
		t.Fatalf("%d rows, %d refunds", rows, refunds)
	}
	if _, reused, err := ordersFile(dir, 5000, 7); err != nil || !reused {
		t.Fatalf("second ordersFile = %v, reused %v", err, reused)
	}
	if _, reused, err := ordersFile(dir, 5000, 8); err != nil || reused {
		t.Fatalf("another seed = %v, reused %v", err, reused)
	}
	// A stamp that does not match the file is not trusted.
	if err := os.WriteFile(path, data[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, reused, err := ordersFile(dir, 5000, 7); err != nil || reused {
		t.Fatalf("after truncation = %v, reused %v", err, reused)
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, data) {
		t.Fatal("the regenerated file differs: the generator is not deterministic")
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(m) != 0 {
		t.Fatalf("left behind %v", m)
	}
}

// TestBadFlags checks the exit code of a bad command line.
func TestBadFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := mainExit([]string{"-rows", "x"}, &out, &errOut); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if code := mainExit([]string{"extra"}, &out, &errOut); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	_, err := run(config{rounds: 0}, &out)
	if err == nil || errors.Is(err, errDisagree) {
		t.Fatalf("run with 0 rounds: %v", err)
	}
}
