// Command clvpeer measures clv.FitBGNBD against scipy's BFGS with an
// analytic gradient in numpy, on the same 100,000 customers simulated from
// known parameters with the seed of clv's BenchmarkFitBGNBD100k, and checks
// that both find the same maximum.
//
//	cd bench/clvpeer && go run . -rounds 5 -python /usr/bin/python3
//
// Rounds alternate: the Go fit in this process, then scipy's in a child
// process (fit_bgnbd.py), each timing the fit alone (not reading the data,
// not starting Python). scipy runs twice a round: at its default gradient
// tolerance (gtol 1e-5) and at clv's (1e-8, on the same objective: -LL/n
// over the logarithms of the parameters, from every parameter at 1). It
// prints the median (min-max) fit times, the evaluations, and the ratio
// of Go to scipy. A disagreement in the fitted parameters (relative 1e-3)
// or log-likelihood (absolute 1e-3) is an error, exit 1.
//
// This is its own module so that the library's module never depends on
// what a benchmark needs.
package main

import (
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/cxmetrics/cxmetrics/clv"
	"gonum.org/v1/gonum/stat/distuv"
)

//go:embed fit_bgnbd.py
var fitScript string

// truth and seed are those of clv's BenchmarkFitBGNBD100k.
var truth = [4]float64{0.5, 6, 0.8, 3}

func main() {
	os.Exit(mainExit(os.Args[1:], os.Stdout, os.Stderr))
}

func mainExit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("clvpeer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rounds := fs.Int("rounds", 5, "rounds, each fitting once in Go and once per scipy tolerance")
	python := fs.String("python", "python3", "a Python with numpy and scipy")
	customers := fs.Int("customers", 100_000, "customers to simulate")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || *rounds < 1 || *customers < 100 {
		if err == nil {
			fmt.Fprintln(stderr, "clvpeer: -rounds at least 1, -customers at least 100, no arguments")
		}
		return 2
	}
	if err := run(*rounds, *python, *customers, stdout); err != nil {
		fmt.Fprintf(stderr, "clvpeer: %v\n", err)
		return 1
	}
	return 0
}

// simulate draws n BG/NBD customers from params as clv's tests do: λ from
// Gamma(r, α), p from Beta(a, b), T uniform on [20, 60), purchases a
// Poisson process of rate λ, and dropping out after each with probability p.
func simulate(r *rand.Rand, n int, params [4]float64) []clv.Customer {
	lambda := distuv.Gamma{Alpha: params[0], Beta: params[1], Src: r}
	drop := distuv.Beta{Alpha: params[2], Beta: params[3], Src: r}
	out := make([]clv.Customer, n)
	for i := range out {
		l, p := lambda.Rand(), drop.Rand()
		T := 20 + 40*r.Float64()
		var x, tx, t float64
		for {
			t += r.ExpFloat64() / l
			if t > T {
				break
			}
			x, tx = x+1, t
			if r.Float64() < p {
				break
			}
		}
		out[i] = clv.Customer{ID: strconv.Itoa(i), Frequency: x, Recency: tx, T: T}
	}
	return out
}

// scipyFit is what fit_bgnbd.py prints.
type scipyFit struct {
	Params      []float64 `json:"params"`
	LL          float64   `json:"ll"`
	Gradient    float64   `json:"gradient"`
	Evaluations int       `json:"evaluations"`
	Iterations  int       `json:"iterations"`
	Seconds     float64   `json:"seconds"`
	Message     string    `json:"message"`
	Engine      string    `json:"engine"`
}

func run(rounds int, python string, n int, out io.Writer) error {
	cs := simulate(rand.New(rand.NewPCG(7, 8)), n, truth)
	dir, err := os.MkdirTemp("", "clvpeer-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	data, script := filepath.Join(dir, "customers.csv"), filepath.Join(dir, "fit_bgnbd.py")
	if err := writeCustomers(data, cs); err != nil {
		return err
	}
	if err := os.WriteFile(script, []byte(fitScript), 0o644); err != nil {
		return err
	}
	gtols := []string{"1e-5", "1e-8"}
	var goTimes []float64
	scipyTimes := map[string][]float64{}
	var model *clv.BGNBD
	last := map[string]scipyFit{}
	for range rounds {
		start := time.Now()
		m, err := clv.FitBGNBD(cs, clv.FitOptions{})
		if err != nil {
			return fmt.Errorf("clv.FitBGNBD: %w", err)
		}
		goTimes = append(goTimes, time.Since(start).Seconds())
		model = m
		for _, g := range gtols {
			f, err := fitScipy(python, script, data, g)
			if err != nil {
				return err
			}
			scipyTimes[g] = append(scipyTimes[g], f.Seconds)
			last[g] = f
		}
	}
	fmt.Fprintf(out, "customers: %d simulated from r=%g α=%g a=%g b=%g (seed of BenchmarkFitBGNBD100k)\n", n, truth[0], truth[1], truth[2], truth[3])
	fmt.Fprintf(out, "engines: clv (this module's Go), %s\n", last[gtols[0]].Engine)
	fmt.Fprintf(out, "rounds: %d, each fitting in Go, then scipy at gtol %v\n\n", rounds, gtols)
	fmt.Fprintf(out, "%-16s %-28s %-12s %s\n", "fit", "seconds: median (min-max)", "evaluations", "r, α, a, b; LL")
	fmt.Fprintf(out, "%-16s %-28s %-12s %.6g, %.6g, %.6g, %.6g; %.4f\n", "clv (tol 1e-8)", spread(goTimes), "-", model.R, model.Alpha, model.A, model.B, model.LogLikelihood)
	goParams := []float64{model.R, model.Alpha, model.A, model.B}
	for _, g := range gtols {
		f := last[g]
		fmt.Fprintf(out, "%-16s %-28s %-12d %.6g, %.6g, %.6g, %.6g; %.4f  (%s; largest gradient component %.2g)\n", "scipy gtol "+g, spread(scipyTimes[g]), f.Evaluations,
			f.Params[0], f.Params[1], f.Params[2], f.Params[3], f.LL, f.Message, f.Gradient)
		for i := range goParams {
			if math.Abs(f.Params[i]-goParams[i]) > 1e-3*goParams[i] {
				return fmt.Errorf("scipy (gtol %s) and clv disagree on parameter %d: %v vs %v", g, i, f.Params[i], goParams[i])
			}
		}
		if math.Abs(f.LL-model.LogLikelihood) > 1e-3 {
			return fmt.Errorf("scipy (gtol %s) and clv disagree on the log-likelihood: %v vs %v", g, f.LL, model.LogLikelihood)
		}
	}
	fmt.Fprintln(out)
	for _, g := range gtols {
		fmt.Fprintf(out, "clv / scipy at gtol %s (medians): %.2fx\n", g, median(goTimes)/median(scipyTimes[g]))
	}
	return nil
}

func writeCustomers(file string, cs []clv.Customer) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	fmt.Fprintln(f, "x,t_x,T")
	for _, c := range cs {
		fmt.Fprintf(f, "%s,%s,%s\n", strconv.FormatFloat(c.Frequency, 'g', -1, 64), strconv.FormatFloat(c.Recency, 'g', -1, 64), strconv.FormatFloat(c.T, 'g', -1, 64))
	}
	return f.Close()
}

func fitScipy(python, script, data, gtol string) (scipyFit, error) {
	cmd := exec.Command(python, script, data, gtol)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return scipyFit{}, fmt.Errorf("%s %s: %w (needs numpy and scipy)", python, filepath.Base(script), err)
	}
	var f scipyFit
	if err := json.Unmarshal(b, &f); err != nil || len(f.Params) != 4 {
		return scipyFit{}, fmt.Errorf("reading scipy's fit %q: %v", b, err)
	}
	return f, nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func spread(v []float64) string {
	return fmt.Sprintf("%.3f (%.3f-%.3f)", median(v), slices.Min(v), slices.Max(v))
}
