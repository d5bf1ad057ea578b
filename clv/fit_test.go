package clv

import (
	"math"
	"testing"

	"github.com/cxmetrics/cxmetrics"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FitOptions.Tolerance means what it says: the fit stops once the gradient
// of -LL/n in the logarithms of the parameters is within it (checked here
// by central differences of the log-likelihood, not by the gradient the fit
// uses), a looser tolerance stops sooner, and a tolerance that is not a
// number > 0 is refused. (Issue 13: it used to be 1e-6 whatever Tolerance
// said.)
func TestFitStopsWithinTolerance(t *testing.T) {
	cs := cdnowCustomers(t)
	ll := bgnbdLogLik(groupCustomers(cs))
	n := float64(len(cs))
	value := func(p []float64) float64 { return ll(p, make([]float64, len(p))) }
	evaluations := map[float64]int{}
	for _, tol := range []float64{1e-1, 1e-3, 1e-5} {
		res, err := maximize(bgnbdNames, ll, len(cs), FitOptions{Tolerance: tol})
		require.NoError(t, err, "tolerance %g", tol)
		evaluations[tol] = res.evaluations
		worst := 0.0
		const h = 1e-4
		for i := range res.params {
			up := append([]float64(nil), res.params...)
			down := append([]float64(nil), res.params...)
			up[i] *= math.Exp(h)
			down[i] *= math.Exp(-h)
			g := -(value(up) - value(down)) / (2 * h * n)
			worst = math.Max(worst, math.Abs(g))
		}
		assert.LessOrEqual(t, worst, tol*(1+1e-3)+1e-8, "tolerance %g: largest gradient component %g", tol, worst)

		// The public fit takes the option too.
		m, err := FitBGNBD(cs, FitOptions{Tolerance: tol})
		require.NoError(t, err)
		assert.Equal(t, res.params, []float64{m.R, m.Alpha, m.A, m.B})
	}
	assert.Less(t, evaluations[1e-1], evaluations[1e-5], "a looser tolerance stops sooner: %v", evaluations)

	for _, tol := range []float64{-1e-8, math.NaN(), math.Inf(1)} {
		_, err := FitBGNBD(cs, FitOptions{Tolerance: tol})
		assert.ErrorIs(t, err, cxmetrics.ErrOutOfRange, "tolerance %g", tol)
		_, err = FitParetoNBD(cs, FitOptions{Tolerance: tol})
		assert.ErrorIs(t, err, cxmetrics.ErrOutOfRange, "tolerance %g", tol)
	}
}
