package clv

import "math"

// Gauss–Kronrod 7-15 nodes and weights on [-1, 1] (Piessens et al. 1983,
// QUADPACK's qk15).
var (
	gkNodes = [8]float64{
		0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
		0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
		0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
		0.207784955007898467600689403773245, 0,
	}
	gkWeights = [8]float64{
		0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
		0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
		0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
		0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
	}
	gWeights = [4]float64{ // Gauss 7-point weights at gkNodes[1], [3], [5], [7]
		0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
		0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
	}
)

// integrate returns ∫_lo^hi f by adaptive Gauss–Kronrod 7-15, splitting an
// interval until its Kronrod and Gauss estimates agree to within tol of the
// whole integral's magnitude (abs), at most depth halvings deep.
func integrate(f func(float64) float64, lo, hi, tol float64, depth int) float64 {
	k, g := gk15(f, lo, hi)
	var rec func(lo, hi, k, g float64, d int) float64
	whole := math.Abs(k)
	rec = func(lo, hi, k, g float64, d int) float64 {
		if d == 0 || math.Abs(k-g) <= tol*whole {
			return k
		}
		mid := (lo + hi) / 2
		k1, g1 := gk15(f, lo, mid)
		k2, g2 := gk15(f, mid, hi)
		whole = math.Max(whole, math.Abs(k1+k2))
		return rec(lo, mid, k1, g1, d-1) + rec(mid, hi, k2, g2, d-1)
	}
	return rec(lo, hi, k, g, depth)
}

func gk15(f func(float64) float64, lo, hi float64) (kronrod, gauss float64) {
	c, h := (lo+hi)/2, (hi-lo)/2
	fc := f(c)
	kronrod = gkWeights[7] * fc
	gauss = gWeights[3] * fc
	for i := 0; i < 7; i++ {
		v := f(c-h*gkNodes[i]) + f(c+h*gkNodes[i])
		kronrod += gkWeights[i] * v
		if i%2 == 1 {
			gauss += gWeights[i/2] * v
		}
	}
	return kronrod * h, gauss * h
}

// bgnbdAliveQuad returns E[Y(t) | alive, x, T] for BG/NBD by integrating
// over the posterior of the dropout probability instead of summing a
// series: given alive, λ ~ Gamma(r+x, α+T) and p ~ Beta(a, b+x)
// independently, and a customer with rates (λ, p) buys (1 - e^{-λpt})/p
// times in expectation, so
//
//	E[Y(t) | alive] = ∫ (1 - ((α+T)/(α+T+pt))^(r+x)) / p × Beta(p; a, b+x) dp.
//
// The integral is taken in y = logit p, where the beta density is smooth
// with exponential tails, from the mode outward until the density is e^-90
// of its peak. It serves z = t/(α+T+t) so near 1 that the series is too
// slow, and tests use it as an independent check of the series.
func bgnbdAliveQuad(r, alpha, a, b, x, T, t float64) float64 {
	A, k, bp := alpha+T, r+x, b+x
	lb := lbeta(a, bp)
	logDens := func(y float64) float64 {
		return -a*softplus(-y) - bp*softplus(y) - lb
	}
	f := func(y float64) float64 {
		p := math.Exp(-softplus(-y))
		var g float64
		if p*t/A < 1e-300 {
			g = k * t / A
		} else {
			g = -math.Expm1(-k*math.Log1p(p*t/A)) / p
		}
		return g * math.Exp(logDens(y))
	}
	mode := math.Log(a / bp)
	w := 3 * math.Sqrt(1/a+1/bp)
	peak := logDens(mode)
	lo, hi := mode-w, mode+w
	for step := w; peak-logDens(lo) < 90 && step < 1e7; step *= 2 {
		lo -= step
	}
	for step := w; peak-logDens(hi) < 90 && step < 1e7; step *= 2 {
		hi += step
	}
	const tol, depth = 1e-13, 30
	return integrate(f, lo, mode-w, tol, depth) + integrate(f, mode-w, mode+w, tol, depth) + integrate(f, mode+w, hi, tol, depth)
}

func lbeta(a, b float64) float64 {
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	return la + lb - lab
}

// softplus returns ln(1 + e^z) without overflow.
func softplus(z float64) float64 {
	return math.Max(z, 0) + math.Log1p(math.Exp(-math.Abs(z)))
}
