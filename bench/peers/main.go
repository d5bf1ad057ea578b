// Command peers measures `cxmetrics report` against DuckDB (through
// duckdb-go, 2 threads) and, where it is installed, pandas on the same
// seeded orders CSV, and checks that all of them compute the same figures:
// net revenue, orders, refunds, customers, AOV and every cell of the
// monthly cohort table.
//
//	cd bench/peers && go run . -rows 1000000 -rounds 5
//
// Each contender runs as its own process, in turn within each round (A B C,
// A B C, …); wall time, CPU time (user + system) and peak RSS are taken
// from the kernel's accounting of that process. It prints the median,
// minimum and maximum of each per contender, and the ratios of cxmetrics
// to DuckDB (and pandas). Any disagreement in a figure is an error naming
// the figure or cohort cell, and exits 1. See README.md.
//
// This is its own module so that the library never depends on DuckDB.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == duckdbChildCmd {
		if err := duckdbChild(os.Args[2:], os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "peers %s: %v\n", duckdbChildCmd, err)
			os.Exit(1)
		}
		return
	}
	os.Exit(mainExit(os.Args[1:], os.Stdout, os.Stderr))
}

// mainExit is the command without the hidden child; it returns the exit
// code: 0 when every run agreed, 1 on a disagreement or failure, 2 for a
// bad command line.
func mainExit(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if cfg.genOnly {
		file, _, err := ordersFile(cfg.cache, cfg.rows, cfg.seed)
		if err != nil {
			fmt.Fprintf(stderr, "peers: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, file)
		return 0
	}
	res, err := run(cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "peers: %v\n", err)
		return 1
	}
	printResult(stdout, cfg, res)
	return 0
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("peers", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cache := filepath.Join(os.TempDir(), "cxmetrics-peers")
	if dir, err := os.UserCacheDir(); err == nil {
		cache = filepath.Join(dir, "cxmetrics-peers")
	}
	var cfg config
	var pandas bool
	fs.IntVar(&cfg.rows, "rows", 1_000_000, "orders in the generated file (100 customers per 1,000 orders)")
	fs.Uint64Var(&cfg.seed, "seed", 5, "seed of the generated file (5 at 1,000,000 rows is the file of cmd/cxmetrics's BenchmarkReadOrders)")
	fs.IntVar(&cfg.rounds, "rounds", 5, "rounds; each runs every contender once, in turn")
	fs.StringVar(&cfg.cache, "cache", cache, "folder of the generated files, kept and reused for the same seed and size")
	fs.StringVar(&cfg.repo, "repo", "../..", "root of the cxmetrics repository, where cmd/cxmetrics is built")
	fs.StringVar(&cfg.python, "python", "python3", "Python interpreter for the pandas contender")
	fs.BoolVar(&pandas, "pandas", true, "run pandas too when the interpreter can import it")
	fs.BoolVar(&cfg.genOnly, "generate", false, "only generate (or find) the orders file and print its path")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: peers [flags]\n\nRuns cxmetrics, DuckDB and (if installed) pandas on one seeded orders file; see README.md.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "peers: unexpected argument %q\n", fs.Arg(0))
		return cfg, errors.New("usage")
	}
	if !pandas {
		cfg.python = ""
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "peers: %v\n", err)
		return cfg, err
	}
	cfg.self = []string{self}
	return cfg, nil
}

// printResult prints the machine, the agreement and the measurements.
func printResult(w io.Writer, cfg config, res *result) {
	fmt.Fprintf(w, "machine: %s\n", machine())
	fmt.Fprintf(w, "engines: cxmetrics (%s)", runtime.Version())
	for _, n := range res.names[1:] {
		fmt.Fprintf(w, ", %s", res.engines[n])
	}
	if res.pandas != "" {
		fmt.Fprintf(w, "; pandas: %s", res.pandas)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "file: %d orders, %d customers, seed %d, %.1f MB\n", cfg.rows, customersFor(cfg.rows), cfg.seed, float64(res.fileBytes)/1e6)
	f := res.figures
	fmt.Fprintf(w, "agreement: every run of %s computed revenue %s, %d orders, %d refunds, %d customers, AOV %s, %d cohorts, %d cells, unattributed %s\n",
		strings.Join(res.names, ", "), f.Revenue, f.Orders, f.Refunds, f.Customers, f.AOV, len(f.Cohorts), f.cells(), f.Unattributed)
	fmt.Fprintf(w, "rounds: %d, each running %s in turn\n\n", cfg.rounds, strings.Join(res.names, ", "))

	fmt.Fprintf(w, "%-10s %-26s %-26s %-28s\n", "", "wall s: median (min-max)", "CPU s: median (min-max)", "peak RSS MiB: median (min-max)")
	type meds struct{ wall, cpu, rss float64 }
	med := map[string]meds{}
	for _, n := range res.names {
		wall, cpu, rss := stats(res.samples[n])
		med[n] = meds{wall.med, cpu.med, rss.med}
		fmt.Fprintf(w, "%-10s %-26s %-26s %-28s\n", n,
			fmt.Sprintf("%.2f (%.2f-%.2f)", wall.med, wall.min, wall.max),
			fmt.Sprintf("%.2f (%.2f-%.2f)", cpu.med, cpu.min, cpu.max),
			fmt.Sprintf("%.0f (%.0f-%.0f)", rss.med, rss.min, rss.max))
	}
	fmt.Fprintln(w)
	cx := med["cxmetrics"]
	for _, n := range res.names[1:] {
		p := med[n]
		fmt.Fprintf(w, "cxmetrics / %s (medians): wall %.2fx, CPU %.2fx, peak RSS %.2fx\n", n, cx.wall/p.wall, cx.cpu/p.cpu, cx.rss/p.rss)
	}
}

// machine describes this machine: OS, architecture, CPUs and memory.
func machine() string {
	cpu, mem := "", ""
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			var kib int64
			if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kib); err == nil {
				mem = fmt.Sprintf(", %.0f GiB", float64(kib)/(1<<20))
			}
		}
	}
	if cpu != "" {
		cpu = " (" + cpu + ")"
	}
	return fmt.Sprintf("%s/%s, %d CPUs%s%s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpu, mem)
}
