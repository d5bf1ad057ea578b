package main

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

//go:embed pandas_figures.py
var pandasScript string

// duckdbChildCmd is the hidden subcommand that runs the DuckDB peer.
const duckdbChildCmd = "duckdb-child"

// contender is one program that computes the figures of the orders file.
type contender struct {
	name  string
	cmd   func(file string) *exec.Cmd
	parse func(stdout []byte) (*figures, error)
}

// sample is one timed run of a contender.
type sample struct {
	wall, cpu time.Duration // cpu: user + system
	rssKiB    int64         // peak resident set size
}

// measure runs cmd to completion and times it. Wall time is taken around
// start and wait; CPU time and peak RSS come from the kernel's accounting
// of the child (wait4), the same way for every contender.
func measure(cmd *exec.Cmd) (sample, []byte, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 4000 {
			msg = msg[:4000] + " …"
		}
		return sample{}, nil, fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args, " "), err, msg)
	}
	ps := cmd.ProcessState
	return sample{wall: wall, cpu: ps.UserTime() + ps.SystemTime(), rssKiB: peakRSS(ps)}, stdout.Bytes(), nil
}

// config is the command line.
type config struct {
	rows    int
	seed    uint64
	rounds  int
	cache   string
	repo    string
	python  string // "" skips pandas
	genOnly bool
	self    []string
}

// result is what a run measured, per contender in the order they ran.
type result struct {
	file      string
	fileBytes int64
	reused    bool
	names     []string
	engines   map[string]string
	samples   map[string][]sample
	figures   *figures // cxmetrics', which every other run agreed with
	compared  int      // runs whose figures were compared with cxmetrics' first
	pandas    string   // why pandas did not run, "" if it did
}

// errDisagree marks a run whose contenders disagree on a figure.
var errDisagree = errors.New("the contenders disagree")

// run generates (or reuses) the file, builds the command, and runs the
// contenders cfg.rounds times in turn, checking that every run's figures
// agree with the command's. Progress goes to log.
func run(cfg config, log io.Writer) (*result, error) {
	if cfg.rounds < 1 {
		return nil, fmt.Errorf("-rounds must be at least 1, not %d", cfg.rounds)
	}
	if !haveDuckDB {
		return nil, fmt.Errorf("DuckDB is not in this binary: %w", duckdbChild(nil, nil))
	}
	res := &result{engines: map[string]string{}, samples: map[string][]sample{}}

	t0 := time.Now()
	file, reused, err := ordersFile(cfg.cache, cfg.rows, cfg.seed)
	if err != nil {
		return nil, fmt.Errorf("generating the orders file: %w", err)
	}
	res.file, res.reused = file, reused
	fi, err := os.Stat(file)
	if err != nil {
		return nil, err
	}
	res.fileBytes = fi.Size()
	how := "generated"
	if reused {
		how = "reused"
	}
	fmt.Fprintf(log, "orders file: %s (%s, %d rows, %.1f MB) in %.1fs\n", file, how, cfg.rows, float64(fi.Size())/1e6, time.Since(t0).Seconds())

	tmp, err := os.MkdirTemp("", "cxmetrics-peers-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	bin, err := buildCommand(cfg.repo, tmp)
	if err != nil {
		return nil, err
	}

	contenders := cfg.contenders(bin, res)
	if res.pandas != "" {
		fmt.Fprintf(log, "pandas: %s\n", res.pandas)
	}
	for _, c := range contenders {
		res.names = append(res.names, c.name)
	}

	// Read the file once so that every run finds it in the page cache.
	if err := warm(file); err != nil {
		return nil, err
	}
	for round := 1; round <= cfg.rounds; round++ {
		for _, c := range contenders {
			if err := res.runOnce(c, file, round, log); err != nil {
				return nil, err
			}
		}
	}
	return res, nil
}

// contenders returns the programs to measure: the command built at bin,
// DuckDB (this program as a child) and, when cfg.python has it, pandas;
// res.pandas says why pandas is not among them.
func (cfg config) contenders(bin string, res *result) []contender {
	contenders := []contender{
		{
			name: "cxmetrics",
			cmd: func(file string) *exec.Cmd {
				return exec.Command(bin, "report", "-orders", file, "-format", "json")
			},
			parse: parseCxmetrics,
		},
		{
			name: "duckdb",
			cmd: func(file string) *exec.Cmd {
				return exec.Command(cfg.self[0], append(cfg.self[1:], duckdbChildCmd, file)...)
			},
			parse: func(out []byte) (*figures, error) { return parseFigures("duckdb", out) },
		},
	}
	if cfg.python == "" {
		res.pandas = "skipped (-pandas=false)"
	} else if why := pandasMissing(cfg.python); why != "" {
		res.pandas = why
	} else {
		contenders = append(contenders, contender{
			name: "pandas",
			cmd: func(file string) *exec.Cmd {
				return exec.Command(cfg.python, "-c", pandasScript, file)
			},
			parse: func(out []byte) (*figures, error) { return parseFigures("pandas", out) },
		})
	}
	return contenders
}

// runOnce measures one run of c on file, checks that its figures agree
// with the first run's (the command's), and records the sample.
func (res *result) runOnce(c contender, file string, round int, log io.Writer) error {
	s, out, err := measure(c.cmd(file))
	if err != nil {
		return fmt.Errorf("round %d, %s: %w", round, c.name, err)
	}
	f, err := c.parse(out)
	if err != nil {
		return fmt.Errorf("round %d: %w", round, err)
	}
	if f.Engine != "" {
		res.engines[c.name] = f.Engine
	}
	if res.figures == nil {
		if len(f.Cohorts) == 0 {
			return fmt.Errorf("round %d, %s: no cohort table", round, c.name)
		}
		res.figures = f // the first run is the command's
	} else {
		if d := disagreements("cxmetrics", res.figures, c.name, f); len(d) > 0 {
			if len(d) > 20 {
				d = append(d[:20], fmt.Sprintf("… and %d more", len(d)-20))
			}
			return fmt.Errorf("%w: round %d, %s:\n  %s", errDisagree, round, c.name, strings.Join(d, "\n  "))
		}
		res.compared++
	}
	res.samples[c.name] = append(res.samples[c.name], s)
	fmt.Fprintf(log, "round %d %-9s wall %6.2fs  cpu %6.2fs  rss %7.1f MiB\n",
		round, c.name, s.wall.Seconds(), s.cpu.Seconds(), float64(s.rssKiB)/1024)
	return nil
}

// buildCommand builds cmd/cxmetrics of the repository at repo into dir.
func buildCommand(repo, dir string) (string, error) {
	mod, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	if err != nil || !strings.HasPrefix(string(mod), "module github.com/cxmetrics/cxmetrics\n") {
		return "", fmt.Errorf("-repo %s is not the cxmetrics repository (no go.mod of github.com/cxmetrics/cxmetrics)", repo)
	}
	bin := filepath.Join(dir, "cxmetrics")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/cxmetrics")
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building cxmetrics in %s: %w\n%s", repo, err, out)
	}
	return bin, nil
}

// pandasMissing says why pandas cannot run, "" if it can.
func pandasMissing(python string) string {
	if _, err := exec.LookPath(python); err != nil {
		return "not installed (no " + python + ")"
	}
	if err := exec.Command(python, "-c", "import pandas, numpy").Run(); err != nil {
		return "not installed"
	}
	return ""
}

// warm reads file once.
func warm(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(io.Discard, f)
	return err
}

// spread is the median, minimum and maximum of some measurements.
type spread struct{ med, min, max float64 }

func spreadOf(xs []float64) spread {
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return spread{med, s[0], s[n-1]}
}

// stats returns the spreads of wall seconds, CPU seconds and peak RSS MiB.
func stats(ss []sample) (wall, cpu, rss spread) {
	var w, c, r []float64
	for _, s := range ss {
		w = append(w, s.wall.Seconds())
		c = append(c, s.cpu.Seconds())
		r = append(r, float64(s.rssKiB)/1024)
	}
	return spreadOf(w), spreadOf(c), spreadOf(r)
}
