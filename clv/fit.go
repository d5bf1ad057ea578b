package clv

import (
	"fmt"
	"math"

	"github.com/cxmetrics/cxmetrics"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// FitOptions tune a maximum-likelihood fit. The zero value fits from the
// default starting point, without penalty, to a tight tolerance.
type FitOptions struct {
	// Initial is the starting point in the model's parameter order (r, alpha,
	// a, b for BG/NBD; p, q, gamma for Gamma-Gamma), all positive; nil
	// starts from 1 for every parameter.
	Initial []float64
	// Penalty is an L2 penalty on the parameters, as lifetimes'
	// penalizer_coef: the fit minimises -LL/n + Penalty × Σ θ². It shrinks
	// the parameters on small or degenerate data; 0 is plain maximum
	// likelihood. Must be >= 0.
	Penalty float64
	// Tolerance is the largest gradient component (of -LL/n with respect to
	// the log parameters) at which the fit stops; 0 means 1e-9.
	Tolerance float64
	// MaxIterations bounds the optimizer's iterations; 0 means 2000.
	MaxIterations int
}

// logLikelihood evaluates a model's summed log-likelihood and its gradient
// with respect to the natural (positive) parameters.
type logLikelihood func(params, grad []float64) float64

// fitResult is a maximum-likelihood fit.
type fitResult struct {
	params, stdErr []float64
	logLik         float64
}

// maximize fits params by maximising ll over n customers with BFGS on the
// logarithms of the parameters (so they stay positive), then takes standard
// errors from the inverse of the observed information (the negative Hessian
// of ll, by central differences of the analytic gradient).
func maximize(names []string, ll logLikelihood, n int, opts FitOptions) (*fitResult, error) {
	if n == 0 {
		return nil, errorf(cxmetrics.ErrNoData, "no customers to fit")
	}
	theta0, err := startingPoint(names, opts)
	if err != nil {
		return nil, err
	}
	tol := opts.Tolerance
	if tol <= 0 {
		tol = 1e-9
	}
	iters := opts.MaxIterations
	if iters <= 0 {
		iters = 2000
	}
	obj := newObjective(ll, len(names), n, opts.Penalty)
	theta, err := runBFGS(names, obj, theta0, tol, iters)
	if err != nil {
		return nil, err
	}
	out := &fitResult{params: make([]float64, len(names))}
	for i, t := range theta {
		out.params[i] = math.Exp(t)
		if math.IsNaN(out.params[i]) || math.IsInf(out.params[i], 0) || out.params[i] == 0 {
			return nil, errorf(ErrNotConverged, "%s went to %v", names[i], out.params[i])
		}
	}
	out.logLik = ll(out.params, make([]float64, len(names)))
	if out.stdErr, err = standardErrors(names, ll, out.params); err != nil {
		return nil, err
	}
	return out, nil
}

// startingPoint checks opts and returns the log of the starting parameters.
func startingPoint(names []string, opts FitOptions) ([]float64, error) {
	k := len(names)
	if opts.Penalty < 0 || math.IsNaN(opts.Penalty) || math.IsInf(opts.Penalty, 0) {
		return nil, errorf(cxmetrics.ErrOutOfRange, "penalty %v is not a number >= 0", opts.Penalty)
	}
	theta := make([]float64, k) // log 1 = 0: every parameter starts at 1
	if opts.Initial == nil {
		return theta, nil
	}
	if len(opts.Initial) != k {
		return nil, errorf(cxmetrics.ErrOutOfRange, "%d initial values for the %d parameters %v", len(opts.Initial), k, names)
	}
	for i, v := range opts.Initial {
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, errorf(cxmetrics.ErrOutOfRange, "initial %s = %v must be positive", names[i], v)
		}
		theta[i] = math.Log(v)
	}
	return theta, nil
}

// objective is -LL/n + penalty × Σ θ² and its gradient, in log space.
type objective func(theta, grad []float64) float64

func newObjective(ll logLikelihood, k, n int, penalty float64) objective {
	p := make([]float64, k)
	g := make([]float64, k)
	return func(theta, grad []float64) float64 {
		for i, t := range theta {
			p[i] = math.Exp(t)
		}
		v := ll(p, g)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			for i := range grad {
				grad[i] = 0
			}
			return math.Inf(1)
		}
		f := -v / float64(n)
		for i := range theta {
			f += penalty * p[i] * p[i]
			if grad != nil {
				grad[i] = -g[i]*p[i]/float64(n) + 2*penalty*p[i]*p[i]
			}
		}
		return f
	}
}

// runBFGS minimises obj from theta0 and returns where it stopped, or
// ErrNotConverged if the gradient there is not small. BFGS's line search
// can give up near the optimum, where rounding in a sum over many customers
// makes the function look flat; a restart from where it stopped, with a
// fresh Hessian estimate, usually finishes. What counts is the gradient
// where it ends.
func runBFGS(names []string, obj objective, theta0 []float64, tol float64, iters int) ([]float64, error) {
	problem := optimize.Problem{
		Func: func(theta []float64) float64 { return obj(theta, nil) },
		Grad: func(grad, theta []float64) { obj(theta, grad) },
	}
	settings := &optimize.Settings{
		GradientThreshold: tol,
		MajorIterations:   iters,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-15, Relative: 1e-15, Iterations: 50},
	}
	grad := make([]float64, len(theta0))
	var why string
	theta := theta0
	for attempt := 0; attempt < 4; attempt++ {
		res, err := optimize.Minimize(problem, theta, settings, &optimize.BFGS{})
		if res == nil {
			return nil, errorf(ErrNotConverged, "%v", err)
		}
		theta = res.X
		obj(theta, grad)
		why = fmt.Sprintf("status %v after %d iterations", res.Status, res.MajorIterations)
		if err != nil {
			why = fmt.Sprintf("%v (%s)", err, why)
		}
		if converged(grad, tol) || res.Status == optimize.IterationLimit {
			break
		}
	}
	if !converged(grad, tol) {
		worst := 0
		for i := range grad {
			if math.Abs(grad[i]) > math.Abs(grad[worst]) {
				worst = i
			}
		}
		return nil, errorf(ErrNotConverged, "%s; the gradient in %s is still %.3g", why, names[worst], grad[worst])
	}
	return theta, nil
}

// converged reports whether a gradient of -LL/n in log space is small
// enough to call the point a maximum: within 1000 times the tolerance, and
// at most 1e-6 however loose the tolerance.
func converged(grad []float64, tol float64) bool {
	limit := math.Min(1000*tol, 1e-6)
	for _, g := range grad {
		if !(math.Abs(g) <= limit) {
			return false
		}
	}
	return true
}

// standardErrors returns sqrt(diag((-H)^-1)) with H the Hessian of ll at p.
func standardErrors(names []string, ll logLikelihood, p []float64) ([]float64, error) {
	k := len(p)
	h := mat.NewSymDense(k, nil)
	x := make([]float64, k)
	gp, gm := make([]float64, k), make([]float64, k)
	rows := make([][]float64, k)
	for i := range p {
		step := 1e-5 * math.Max(math.Abs(p[i]), 1e-3)
		copy(x, p)
		x[i] = p[i] + step
		ll(x, gp)
		x[i] = p[i] - step
		ll(x, gm)
		rows[i] = make([]float64, k)
		for j := range p {
			rows[i][j] = (gp[j] - gm[j]) / (2 * step)
		}
	}
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			h.SetSym(i, j, -(rows[i][j]+rows[j][i])/2) // observed information
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(h) {
		return nil, errorf(ErrNotConverged, "the information matrix at the optimum of %v is not positive definite, so there is no maximum or it is not identified", names)
	}
	var cov mat.SymDense
	if err := chol.InverseTo(&cov); err != nil {
		return nil, errorf(ErrNotConverged, "%v", err)
	}
	se := make([]float64, k)
	for i := range se {
		se[i] = math.Sqrt(cov.At(i, i))
	}
	return se, nil
}
