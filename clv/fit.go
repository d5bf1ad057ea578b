package clv

import (
	"fmt"
	"math"
	"slices"

	"github.com/cxmetrics/cxmetrics"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// FitOptions tune a maximum-likelihood fit. The zero value fits from the
// default starting point, without penalty, to the default tolerance.
type FitOptions struct {
	// Initial is the starting point in the model's parameter order (r, alpha,
	// a, b for BG/NBD; r, alpha, s, beta for Pareto/NBD; p, q, gamma for
	// Gamma-Gamma; alpha, beta for sBG), all positive; nil starts from 1
	// for every parameter.
	Initial []float64
	// Penalty is an L2 penalty on the parameters, as lifetimes'
	// penalizer_coef: the fit minimises -LL/n + Penalty × Σ θ². It shrinks
	// the parameters on small or degenerate data; 0 is plain maximum
	// likelihood. Must be >= 0.
	Penalty float64
	// Tolerance is the largest component of the gradient of the objective
	// (-LL/n, the mean negative log-likelihood per customer, plus the
	// penalty) with respect to the logarithms of the parameters at which the
	// fit stops, and the largest it accepts: the fit stops as soon as the
	// gradient is within it, and a fit that cannot get there is
	// ErrNotConverged. Because the objective is a mean over customers, one
	// tolerance means the same precision for 100 customers or 10^6 (the
	// gradient of the total log-likelihood is then within n × Tolerance).
	// 0 means 1e-8; a negative or NaN value is cxmetrics.ErrOutOfRange.
	Tolerance float64
	// MaxIterations bounds the optimizer's iterations; 0 means 2000.
	MaxIterations int
}

// defaultTolerance is FitOptions.Tolerance's default: at 1e-8 the CDNOW
// fits agree with CLVTools and the published tables to every digit they
// print, and it is well above the rounding of a mean over 10^6 customers.
const defaultTolerance = 1e-8

// logLikelihood evaluates a model's summed log-likelihood and its gradient
// with respect to the natural (positive) parameters. It returns NaN or ±Inf
// where it cannot be evaluated.
type logLikelihood func(params, grad []float64) float64

// fitResult is a maximum-likelihood fit.
type fitResult struct {
	params, stdErr []float64
	atBoundary     []bool
	logLik         float64
	evaluations    int
}

// maximize fits params by maximising ll over n customers with BFGS on the
// logarithms of the parameters (so they stay positive), polished by Newton
// steps when BFGS's line search stalls in the rounding noise of the sum.
// Then it marks the parameters at a boundary of the parameter space (see
// atBoundary) and takes standard errors of the others from the inverse of
// the observed information (the negative Hessian of ll, by central
// differences of the analytic gradient).
func maximize(names []string, ll logLikelihood, n int, opts FitOptions) (*fitResult, error) {
	if n == 0 {
		return nil, errorf(cxmetrics.ErrNoData, "no customers to fit")
	}
	theta0, err := startingPoint(names, opts)
	if err != nil {
		return nil, err
	}
	tol := opts.Tolerance
	if tol == 0 {
		tol = defaultTolerance
	}
	if !(tol > 0) || math.IsInf(tol, 0) {
		return nil, errorf(cxmetrics.ErrOutOfRange, "tolerance %v is not a number > 0", opts.Tolerance)
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
	out := &fitResult{params: make([]float64, len(names)), evaluations: obj.evaluations}
	for i, t := range theta {
		out.params[i] = math.Exp(t)
		if !(out.params[i] > 0) || math.IsInf(out.params[i], 0) {
			return nil, errorf(ErrNotConverged, "%s went to %v", names[i], out.params[i])
		}
	}
	out.logLik = ll(out.params, make([]float64, len(names)))
	if math.IsNaN(out.logLik) || math.IsInf(out.logLik, 0) {
		return nil, errorf(ErrNotConverged, "the log-likelihood at the optimum is %v", out.logLik)
	}
	info := information(ll, out.params)
	out.atBoundary = atBoundary(ll, out.params, out.logLik, info)
	out.stdErr = standardErrors(info, out.atBoundary)
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

// objective is -LL/n + penalty × Σ p² and its gradient in log space; it
// counts its evaluations.
type objective struct {
	ll          logLikelihood
	n           float64
	penalty     float64
	p, g        []float64
	evaluations int
}

func newObjective(ll logLikelihood, k, n int, penalty float64) *objective {
	return &objective{ll: ll, n: float64(n), penalty: penalty, p: make([]float64, k), g: make([]float64, k)}
}

// eval returns the objective at theta and, if grad is not nil, its
// gradient. Where the likelihood cannot be evaluated it returns +Inf, which
// the line search treats as too far.
func (o *objective) eval(theta, grad []float64) float64 {
	o.evaluations++
	for i, t := range theta {
		o.p[i] = math.Exp(t)
	}
	v := o.ll(o.p, o.g)
	bad := math.IsNaN(v) || math.IsInf(v, 0)
	for _, g := range o.g {
		bad = bad || math.IsNaN(g) || math.IsInf(g, 0)
	}
	if bad {
		for i := range grad {
			grad[i] = 0
		}
		return math.Inf(1)
	}
	f := -v / o.n
	for i := range theta {
		f += o.penalty * o.p[i] * o.p[i]
		if grad != nil {
			grad[i] = -o.g[i]*o.p[i]/o.n + 2*o.penalty*o.p[i]*o.p[i]
		}
	}
	return f
}

// runBFGS minimises obj from theta0 and returns where the gradient is
// within tol, or ErrNotConverged. BFGS stops as soon as the gradient is
// within tol (no extra iterations to confirm a flat function). Its line
// search can give up near the optimum, where rounding in a sum over many
// customers makes the function look flat; Newton steps on the analytic
// gradient, accepted when they shrink it, finish from there.
func runBFGS(names []string, obj *objective, theta0 []float64, tol float64, iters int) ([]float64, error) {
	problem := optimize.Problem{
		Func: func(theta []float64) float64 { return obj.eval(theta, nil) },
		Grad: func(grad, theta []float64) { obj.eval(theta, grad) },
	}
	settings := &optimize.Settings{
		GradientThreshold: tol,
		MajorIterations:   iters,
		Converger:         optimize.NeverTerminate{},
	}
	grad := make([]float64, len(theta0))
	if math.IsInf(obj.eval(theta0, grad), 0) {
		return nil, errorf(ErrNotConverged, "the log-likelihood cannot be evaluated at the starting point %v", expAll(theta0))
	}
	var why string
	theta := slices.Clone(theta0)
	for attempt := 0; attempt < 3 && !converged(grad, tol); attempt++ {
		res, err := optimize.Minimize(problem, theta, settings, &optimize.BFGS{})
		if res == nil {
			return nil, errorf(ErrNotConverged, "%v", err)
		}
		if f := obj.eval(res.X, grad); !math.IsInf(f, 0) {
			theta = res.X
		}
		why = fmt.Sprintf("status %v after %d iterations", res.Status, res.MajorIterations)
		if err != nil {
			why = fmt.Sprintf("%v (%s)", err, why)
		}
		if res.Status == optimize.IterationLimit {
			break
		}
		if !converged(grad, tol) {
			theta = newtonPolish(obj, theta, grad, tol)
		}
	}
	obj.eval(theta, grad)
	if !converged(grad, tol) {
		worst := 0
		for i := range grad {
			if math.Abs(grad[i]) > math.Abs(grad[worst]) {
				worst = i
			}
		}
		return nil, errorf(ErrNotConverged, "%s; the gradient in log %s is still %.3g, above the tolerance %.3g", why, names[worst], grad[worst], tol)
	}
	return theta, nil
}

func expAll(theta []float64) []float64 {
	p := make([]float64, len(theta))
	for i, t := range theta {
		p[i] = math.Exp(t)
	}
	return p
}

// newtonPolish takes up to 20 damped Newton steps on the gradient,
// accepting a step only when it shrinks the largest gradient component
// (function values are in the rounding noise here, gradients are not). The
// Hessian comes from central differences of the gradient; the damping
// (Levenberg's) keeps the steps finite where a parameter drifts to a
// boundary and the Hessian is singular. grad holds the gradient at theta on
// entry and at the returned point on exit.
func newtonPolish(obj *objective, theta, grad []float64, tol float64) []float64 {
	k := len(theta)
	theta = slices.Clone(theta)
	h := mat.NewSymDense(k, nil)
	x, gp, gm, step, trial := make([]float64, k), make([]float64, k), make([]float64, k), make([]float64, k), make([]float64, k)
	lambda := 1e-8
	for it := 0; it < 20 && !converged(grad, tol); it++ {
		const d = 1e-5
		rows := make([][]float64, k)
		for i := range theta {
			copy(x, theta)
			x[i] = theta[i] + d
			obj.eval(x, gp)
			x[i] = theta[i] - d
			obj.eval(x, gm)
			rows[i] = make([]float64, k)
			for j := range theta {
				rows[i][j] = (gp[j] - gm[j]) / (2 * d)
			}
		}
		for i := range theta {
			for j := i; j < k; j++ {
				h.SetSym(i, j, (rows[i][j]+rows[j][i])/2)
			}
		}
		improved := false
		for try := 0; try < 8 && !improved; try++ {
			damped := mat.NewSymDense(k, nil)
			damped.CopySym(h)
			for i := 0; i < k; i++ {
				damped.SetSym(i, i, h.At(i, i)+lambda*(1+math.Abs(h.At(i, i))))
			}
			var chol mat.Cholesky
			if !chol.Factorize(damped) {
				lambda *= 100
				continue
			}
			s := mat.NewVecDense(k, step)
			if err := chol.SolveVecTo(s, mat.NewVecDense(k, slices.Clone(grad))); err != nil {
				lambda *= 100
				continue
			}
			for i := range theta {
				trial[i] = theta[i] - step[i]
			}
			if math.IsInf(obj.eval(trial, gp), 0) || maxAbs(gp) >= maxAbs(grad) {
				lambda *= 100
				continue
			}
			copy(theta, trial)
			copy(grad, gp)
			lambda = math.Max(lambda/100, 1e-12)
			improved = true
		}
		if !improved {
			break
		}
	}
	return theta
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		if !(math.Abs(x) <= m) {
			m = math.Abs(x)
		}
	}
	return m
}

// converged reports whether every gradient component is within tol.
func converged(grad []float64, tol float64) bool {
	return maxAbs(grad) <= tol
}

// boundaryShift and boundaryLoss define a parameter at a boundary: one
// that can be divided or multiplied by 1000 (toward 0 or ∞), the others
// held, while the log-likelihood falls by less than 0.001. The data then
// say only that the parameter is very small or very large (as a → 0 for
// BG/NBD on Online Retail, where nobody seems to drop out): the value the
// fit stops at is one point of a flat stretch, and it has no standard
// error. Predictions there are those of the limiting model to within the
// fit's tolerance.
const (
	boundaryShift = 1000
	boundaryLoss  = 1e-3
)

// atBoundary marks the parameters at a boundary (see boundaryShift). The
// exact test evaluates the likelihood far out, which is costly for
// Pareto/NBD, so it runs only for parameters whose curvature (the
// information in log space) predicts a fall below 1 over that distance; a
// well-estimated parameter predicts hundreds.
func atBoundary(ll logLikelihood, p []float64, best float64, info *mat.SymDense) []bool {
	out := make([]bool, len(p))
	x := make([]float64, len(p))
	g := make([]float64, len(p))
	shift := math.Log(boundaryShift)
	for i := range p {
		if predicted := p[i] * p[i] * info.At(i, i) * shift * shift / 2; predicted > 1 {
			continue
		}
		for _, f := range []float64{1.0 / boundaryShift, boundaryShift} {
			copy(x, p)
			x[i] = p[i] * f
			if v := ll(x, g); v >= best-boundaryLoss {
				out[i] = true
			}
		}
	}
	return out
}

// information returns the observed information matrix at p: minus the
// Hessian of ll, by central differences of its analytic gradient,
// symmetrised.
func information(ll logLikelihood, p []float64) *mat.SymDense {
	k := len(p)
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
	h := mat.NewSymDense(k, nil)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			v := -(rows[i][j] + rows[j][i]) / 2
			if math.IsNaN(v) || math.IsInf(v, 0) {
				v = 0
			}
			h.SetSym(i, j, v)
		}
	}
	return h
}

// standardErrors returns sqrt(diag(I^-1)) for the parameters not at a
// boundary, with I the observed information restricted to them, and 0 for
// the others. When that matrix is not positive definite (the data do not
// identify the parameters separately) every standard error is 0.
func standardErrors(info *mat.SymDense, boundary []bool) []float64 {
	k := len(boundary)
	se := make([]float64, k)
	var free []int
	for i := range boundary {
		if !boundary[i] {
			free = append(free, i)
		}
	}
	if len(free) == 0 {
		return se
	}
	h := mat.NewSymDense(len(free), nil)
	for a, i := range free {
		for b := a; b < len(free); b++ {
			h.SetSym(a, b, info.At(i, free[b]))
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(h) {
		return se
	}
	var cov mat.SymDense
	if err := chol.InverseTo(&cov); err != nil {
		return se
	}
	for a, i := range free {
		v := cov.At(a, a)
		if !(v > 0) || math.IsInf(v, 0) {
			return make([]float64, k)
		}
		se[i] = math.Sqrt(v)
	}
	return se
}
