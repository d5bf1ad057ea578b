package clv

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fhPareto is the Pareto/NBD fit to CDNOW as Fader & Hardie print it.
var fhPareto = &ParetoNBD{R: 0.5534, Alpha: 10.5802, S: 0.6061, Beta: 11.6562}

func TestFitParetoNBDOnCDNOW(t *testing.T) {
	customers := cdnowCustomers(t)
	m, err := FitParetoNBD(customers, FitOptions{})
	require.NoError(t, err)
	assert.Equal(t, 2357, m.Customers)
	// Fader & Hardie's note prints LL = -9594.98, and so do we. mpmath,
	// integrating the likelihood from its definition at 40 digits
	// (testdata/reference.py), gives -9594.97620435139 at the printed
	// parameters and -9594.9761789 at ours: the Go likelihood agrees with
	// it to 1e-9 at the printed point, and our maximum is 2.5e-5 higher.
	assert.InDelta(t, -9594.98, m.LogLikelihood, 0.005)
	atPrinted := paretoLogLik(groupCustomers(customers))([]float64{0.5534, 10.5802, 0.6061, 11.6562}, make([]float64, 4))
	assert.InDelta(t, -9594.97620435139, atPrinted, 1e-8)
	assert.Greater(t, m.LogLikelihood, atPrinted)
	// The likelihood is flat along β (standard error 6.2), where the
	// published fit (Excel's Solver) stopped a little early: ours is within
	// 1% of a standard error of every printed figure, and equals, to the
	// three decimals lifetimes tests, the values its test quotes from
	// Hardie's paper (0.553, 10.578, 0.606, 11.669).
	got := [4]float64{m.R, m.Alpha, m.S, m.Beta}
	printed := [4]float64{0.5534, 10.5802, 0.6061, 11.6562}
	lifetimes := [4]float64{0.553, 10.578, 0.606, 11.669}
	for i := range got {
		require.Greater(t, m.StdErr[i], 0.0, paretoNames[i])
		assert.False(t, m.AtBoundary[i], paretoNames[i])
		assert.InDelta(t, printed[i], got[i], 0.01*m.StdErr[i], "%s: %v vs printed %v (SE %v)", paretoNames[i], got[i], printed[i], m.StdErr[i])
		assert.InDelta(t, lifetimes[i], got[i], 5e-4, paretoNames[i])
	}
	// AIC and BIC from their definitions: 2k - 2LL, k ln n - 2LL.
	assert.InDelta(t, 8-2*m.LogLikelihood, m.AIC, 1e-9)
	assert.InDelta(t, 4*math.Log(2357)-2*m.LogLikelihood, m.BIC, 1e-9)

	bg, err := FitBGNBD(customers, FitOptions{})
	require.NoError(t, err)
	// On CDNOW BG/NBD is the more likely of the two (Fader, Hardie & Lee
	// 2005 report -9582.4 against -9595.0), with the same k and n.
	assert.Less(t, bg.AIC, m.AIC)
	assert.Less(t, bg.BIC, m.BIC)
}

func TestParetoNBDPredictionsAgainstMpmath(t *testing.T) {
	v := must(t)
	// Reference values from testdata/reference.py at 40 digits: P(alive)
	// as the share of the likelihood of a customer alive at T, the
	// expectation by integrating (1 - e^{-μt})/μ over the posterior of μ.
	for _, tt := range []struct {
		name           string
		x, tx, T, t    float64
		alive, expects float64
	}{
		{"the paper's customer", 2, 30.43, 38.86, 39, 0.86911064396813705, 1.4550928438442547},
		{"one-time buyer", 0, 0, 38.86, 39, 0.29496148643704224, 0.10702894636167582},
		{"lifetimes' Hardie sheet check (25.46)", 26, 30.86, 31, 52, 0.99791776655190678, 25.454913511499727},
		{"heavy buyer, a little silent", 500, 100, 104, 364, 1.5406697970364444e-5, 0.014845327361365833},
		{"heavy buyer, long silent", 500, 20, 104, 364, 2.7494668002082375e-285, 2.6492850574997544e-282},
		{"light buyer, long horizon", 1, 0.5, 70, 1000, 0.051924232462397409, 0.3666426245744608},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := Customer{Frequency: tt.x, Recency: tt.tx, T: tt.T}
			assert.InEpsilon(t, tt.alive, v(fhPareto.ProbabilityAlive(c)), 1e-9)
			assert.InEpsilon(t, tt.expects, v(fhPareto.ConditionalExpectedPurchases(c, tt.t)), 1e-9)
		})
	}
	// s = 1: the limit (r+x)(β+T)/(α+T) ln((β+T+t)/(β+T)) P(alive).
	one := &ParetoNBD{R: 0.5534, Alpha: 10.5802, S: 1, Beta: 11.6562}
	assert.InEpsilon(t, 1.8986830127236672, v(one.ConditionalExpectedPurchases(Customer{Frequency: 3, Recency: 20, T: 30}, 52)), 1e-9)
	// A purchase at T: alive for sure.
	assert.Equal(t, 1.0, v(fhPareto.ProbabilityAlive(Customer{Frequency: 3, Recency: 30, T: 30})))
	// A new customer expects E[X(t)] = rβ/(α(s-1)) [1 - (β/(β+t))^(s-1)].
	r, a, s, b := fhPareto.R, fhPareto.Alpha, fhPareto.S, fhPareto.Beta
	want := r * b / (a * (s - 1)) * (1 - math.Pow(b/(b+39), s-1))
	assert.InEpsilon(t, want, v(fhPareto.ExpectedPurchases(39)), 1e-12)
	assert.Equal(t, 0.0, v(fhPareto.ExpectedPurchases(0)))
}

func TestPredictionErrors(t *testing.T) {
	good := Customer{Frequency: 2, Recency: 3, T: 5}
	for _, m := range []PurchaseModel{&BGNBD{}, &ParetoNBD{}, &BGNBD{R: 1, Alpha: math.Inf(1), A: 1, B: 1}, &ParetoNBD{R: 1, Alpha: 1, S: math.NaN(), Beta: 1}, (*BGNBD)(nil), (*ParetoNBD)(nil)} {
		_, err := m.ProbabilityAlive(good)
		assert.Error(t, err, "%#v", m)
		_, err = m.ConditionalExpectedPurchases(good, 1)
		assert.Error(t, err, "%#v", m)
		_, err = m.ExpectedPurchases(1)
		assert.Error(t, err, "%#v", m)
	}
	for _, m := range []PurchaseModel{published, fhPareto} {
		for _, tt := range []struct {
			c   Customer
			t   float64
			err error
		}{
			{good, -1, cxmetrics.ErrOutOfRange},
			{good, math.NaN(), cxmetrics.ErrOutOfRange},
			{good, math.Inf(1), cxmetrics.ErrOutOfRange},
			{Customer{Frequency: -1, T: 1}, 1, cxmetrics.ErrOutOfRange},
			{Customer{Frequency: 1, Recency: 2, T: 1}, 1, cxmetrics.ErrInconsistent},
			{Customer{Frequency: 1, Recency: 1, T: math.Inf(1)}, 1, cxmetrics.ErrInconsistent},
		} {
			_, err := m.ConditionalExpectedPurchases(tt.c, tt.t)
			assert.ErrorIs(t, err, tt.err, "%T %+v t=%v", m, tt.c, tt.t)
		}
	}
}

// The defects of issue 13, each with the numbers that showed it.
func TestBGNBDHeavyBuyersAndEdges(t *testing.T) {
	v := must(t)
	// 500 repeat purchases in 104 weeks, 364 weeks ahead: gonum's 2F1 of
	// the untransformed form overflowed while its prefactor underflowed
	// (NaN or +Inf). mpmath's hyp2f1 on that form, at 40 digits, gives
	// these (testdata/reference.py).
	for _, tt := range []struct {
		x, tx, T, t, want float64
	}{
		{2, 30.43, 38.86, 39, 1.2260281747671445},
		{500, 104, 104, 364, 860.76286793009259},
		{500, 100, 104, 364, 0.0037086584676492004},
		{0, 0, 0, 1000, 6.5803916137382321},
		{40, 50, 52, 5200, 288.69681010075298},
	} {
		got := v(published.ConditionalExpectedPurchases(Customer{Frequency: tt.x, Recency: tt.tx, T: tt.T}, tt.t))
		assert.InEpsilon(t, tt.want, got, 1e-9, "%+v", tt)
	}
	// a = 1 divided by zero; it is the limit of a -> 1 (mpmath at
	// a = 1 ± 1e-7 brackets it).
	c := Customer{Frequency: 2, Recency: 30.43, T: 38.86}
	at1 := v((&BGNBD{R: 0.243, Alpha: 4.414, A: 1, B: 2.426}).ConditionalExpectedPurchases(c, 39))
	assert.InDelta(t, (1.1021368406630094+1.1021367314169069)/2, at1, 1e-12)
	below := v((&BGNBD{R: 0.243, Alpha: 4.414, A: 0.9999999, B: 2.426}).ConditionalExpectedPurchases(c, 39))
	assert.InEpsilon(t, 1.1021368406630094, below, 1e-10)
	// a + b = 1 with x = 0 makes the 2F1's c zero; the limit is finite.
	ab1 := &BGNBD{R: 0.5, Alpha: 3, A: 0.4, B: 0.6}
	e := v(ab1.ExpectedPurchases(10))
	near := v((&BGNBD{R: 0.5, Alpha: 3, A: 0.4, B: 0.6 + 1e-9}).ExpectedPurchases(10))
	assert.InEpsilon(t, near, e, 1e-6)
}

// The fuzz targets' property over a fixed random sample, so every go test
// run covers the parameter space, not only fuzzing sessions.
func TestPredictionsFiniteOverRandomParameters(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	u16 := func() uint16 { return uint16(rng.Uint32()) }
	for i := 0; i < 5000; i++ {
		c := fuzzCustomer(u16(), rng.Uint32(), rng.Uint32())
		h := 1e4 * rng.Float64()
		checkPredictions(t, &BGNBD{R: fuzzParam(u16()), Alpha: fuzzParam(u16()), A: fuzzParam(u16()), B: fuzzParam(u16())}, c, h)
		checkPredictions(t, &ParetoNBD{R: fuzzParam(u16()), Alpha: fuzzParam(u16()), S: fuzzParam(u16()), Beta: fuzzParam(u16())}, c, h)
	}
}

// BG/NBD's series (after Euler's transformation) and the integral over
// the posterior of p are two independent routes to E[Y(t) | alive]: they
// agree over random parameters.
func TestBGNBDSeriesMatchesQuadrature(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 300; i++ {
		r, alpha, a, b := fuzzParam(uint16(rng.Uint32())), fuzzParam(uint16(rng.Uint32())), fuzzParam(uint16(rng.Uint32())), fuzzParam(uint16(rng.Uint32()))
		x, T, h := float64(rng.IntN(300)), 200*rng.Float64(), 300*rng.Float64()
		lnE, err := bgnbdLogGrowth(r, alpha, a, b, x, T, h)
		require.NoError(t, err)
		q := bgnbdAliveQuad(r, alpha, a, b, x, T, h)
		assert.InEpsilon(t, q, math.Exp(lnE), 1e-8, "r=%v alpha=%v a=%v b=%v x=%v T=%v t=%v", r, alpha, a, b, x, T, h)
	}
}

// Issue 13: 10^6 identical customers took three minutes to fail. The fit
// evaluates each distinct summary once, so they cost what one customer
// does; the result is a model or ErrNotConverged, never NaN.
func TestFitDegenerateSampleIsCheap(t *testing.T) {
	same := make([]Customer, 1_000_000)
	for i := range same {
		same[i] = Customer{Frequency: 1, Recency: 1, T: 2}
	}
	for name, fit := range map[string]func([]Customer, FitOptions) (PurchaseModel, error){
		"BG/NBD":     func(c []Customer, o FitOptions) (PurchaseModel, error) { return FitBGNBD(c, o) },
		"Pareto/NBD": func(c []Customer, o FitOptions) (PurchaseModel, error) { return FitParetoNBD(c, o) },
	} {
		m, err := fit(same, FitOptions{})
		if err != nil {
			assert.ErrorIs(t, err, ErrNotConverged, name)
			continue
		}
		require.NoError(t, m.Validate(), name)
		p, err := m.ProbabilityAlive(same[0])
		require.NoError(t, err, name)
		assert.True(t, p >= 0 && p <= 1, name)
	}
}

func TestCheckHoldoutErrors(t *testing.T) {
	c := Customer{ID: "a", T: 3, HoldoutLength: 5, HoldoutPurchases: 1}
	_, err := CheckHoldout(published, nil)
	assert.ErrorIs(t, err, cxmetrics.ErrNoData)
	_, err = CheckHoldout(nil, []Customer{c})
	assert.ErrorIs(t, err, cxmetrics.ErrNoData)
	_, err = CheckHoldout(&BGNBD{}, []Customer{c})
	assert.ErrorIs(t, err, cxmetrics.ErrOutOfRange)
	_, err = CheckHoldout(published, []Customer{{ID: "a", T: 3}})
	assert.ErrorIs(t, err, cxmetrics.ErrNoData, "no holdout period")
	other := c
	other.HoldoutLength = 6
	_, err = CheckHoldout(published, []Customer{c, other})
	assert.ErrorIs(t, err, cxmetrics.ErrInconsistent)
	frac := c
	frac.HoldoutPurchases = 1.5
	_, err = CheckHoldout(fhPareto, []Customer{frac})
	assert.ErrorIs(t, err, cxmetrics.ErrInconsistent)
}

// Issue 13: Summarize took its calendar from end's zone, so the same
// orders gave x = 1 or x = 0 by zone. The zone is now explicit.
func TestSummarizeZoneIsExplicit(t *testing.T) {
	orders := []cxmetrics.Order{
		{CustomerID: "a", Time: time.Date(2024, 1, 1, 22, 0, 0, 0, time.UTC), Amount: decimal.NewFromInt(1)},
		{CustomerID: "a", Time: time.Date(2024, 1, 1, 23, 30, 0, 0, time.UTC), Amount: decimal.NewFromInt(1)},
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	for _, tt := range []struct {
		end  time.Time
		loc  *time.Location
		want float64
	}{
		// The end's zone no longer matters: UTC (nil) puts both on Jan 1.
		{time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), nil, 0},
		{time.Date(2024, 2, 1, 0, 0, 0, 0, tokyo), nil, 0},
		// Berlin: 23:00 and 00:30, two days.
		{time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), berlin, 1},
		{time.Date(2024, 2, 1, 0, 0, 0, 0, tokyo), berlin, 1},
	} {
		cs, err := Summarize(orders, SummaryOptions{CalibrationEnd: tt.end, Unit: 24 * time.Hour, Location: tt.loc})
		require.NoError(t, err)
		require.Len(t, cs, 1)
		assert.Equal(t, tt.want, cs[0].Frequency, "end %v, location %v", tt.end, tt.loc)
	}
	_, err = Summarize(orders, SummaryOptions{CalibrationEnd: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), ObservationEnd: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Unit: week})
	assert.ErrorIs(t, err, cxmetrics.ErrInconsistent)
}

// Issue 13: a spend model with q <= 1 made ConditionalExpectedSpend and
// LifetimeValue 0 with a nil error; LifetimeValue panicked for a = 1 and
// for a horizon × period length that overflows; BGNBD{} was accepted.
func TestLifetimeValueDefects(t *testing.T) {
	one := decimal.NewFromInt(1)
	opts := LifetimeOptions{Horizon: 12, PeriodLength: 4.345, DiscountRate: decimal.Zero, Margin: one}
	newcomer := Customer{T: 10}
	heavy := Customer{Frequency: 3, Recency: 8, T: 10, MonetaryValue: decimal.NewFromInt(20)}
	lowQ := &GammaGamma{P: 2, Q: 0.8, Gamma: 10}
	_, err := lowQ.ConditionalExpectedSpend(newcomer)
	assert.ErrorIs(t, err, cxmetrics.ErrOutOfRange, "q <= 1, x = 0: the population mean is infinite")
	_, err = LifetimeValue(published, lowQ, newcomer, opts)
	assert.ErrorIs(t, err, cxmetrics.ErrOutOfRange)
	// With repeat purchases p x + q - 1 > 0: a value exists: (2 × (10 + 60)) / (6 - 0.2) = 24.1379…
	s, err := lowQ.ConditionalExpectedSpend(heavy)
	require.NoError(t, err)
	assert.InDelta(t, 140/5.8, s.InexactFloat64(), 1e-12)

	spend := &GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}
	a1 := &BGNBD{R: 0.243, Alpha: 4.414, A: 1, B: 2.426}
	v, err := LifetimeValue(a1, spend, heavy, opts)
	require.NoError(t, err)
	assert.True(t, v.IsPositive())
	_, err = LifetimeValue(published, spend, heavy, LifetimeOptions{Horizon: 10, PeriodLength: math.MaxFloat64, DiscountRate: decimal.Zero, Margin: one})
	assert.ErrorIs(t, err, cxmetrics.ErrOutOfRange)
	_, err = LifetimeValue(published, spend, heavy, LifetimeOptions{Horizon: MaxHorizon + 1, PeriodLength: 1, DiscountRate: decimal.Zero, Margin: one})
	assert.ErrorIs(t, err, cxmetrics.ErrOutOfRange)
	_, err = LifetimeValue(&BGNBD{}, spend, heavy, opts)
	assert.ErrorIs(t, err, cxmetrics.ErrOutOfRange)
	_, err = LifetimeValue(&ParetoNBD{}, spend, heavy, opts)
	assert.ErrorIs(t, err, cxmetrics.ErrOutOfRange)
	_, err = LifetimeValue(published, &GammaGamma{}, heavy, opts)
	assert.ErrorIs(t, err, cxmetrics.ErrOutOfRange)
	// Either purchase model.
	pv, err := LifetimeValue(fhPareto, spend, heavy, opts)
	require.NoError(t, err)
	assert.True(t, pv.IsPositive())
}

// Pareto/NBD's integral I by quadrature agrees with its Euler-transformed
// series, the fallback with the main route.
func TestParetoQuadratureMatchesSeries(t *testing.T) {
	p := fhPareto
	for _, c := range [][3]float64{{2, 30.43, 38.86}, {0, 0, 38.86}, {26, 30.86, 31}, {500, 100, 104}, {1, 0.5, 70}} {
		var d [4]float64
		j1, ok1 := paretoJ(p.R, p.Alpha, p.S, p.Beta, c[0], c[1], &d)
		j2, ok2 := paretoJ(p.R, p.Alpha, p.S, p.Beta, c[0], c[2], &d)
		require.True(t, ok1 && ok2)
		n := p.R + p.S + c[0]
		series := j1 + math.Log(-math.Expm1(j2-j1)) - math.Log(n)
		assert.InDelta(t, series, paretoLogIQuad(p.R, p.Alpha, p.S, p.Beta, c[0], c[1], c[2]), 1e-10, "%v", c)
	}
}
