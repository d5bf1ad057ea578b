package clv

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
)

// FuzzSummarize checks the summary's invariants on arbitrary order streams:
// 0 <= Recency <= T, whole Frequency, zero MonetaryValue without a repeat
// purchase, and never an error for valid orders.
func FuzzSummarize(f *testing.F) {
	f.Add([]byte{1, 2, 3, 1, 200, 7}, int64(1700000000))
	f.Add([]byte{0, 0, 0}, int64(0))
	f.Fuzz(func(t *testing.T, data []byte, base int64) {
		base %= 1 << 34
		end := time.Unix(base+400*86400, 0).UTC()
		var orders []cxmetrics.Order
		for i, b := range data {
			orders = append(orders, cxmetrics.Order{
				CustomerID: string(rune('a' + b%5)),
				Time:       time.Unix(base+int64(b)*86400*2+int64(i)*3600, 0),
				Amount:     decimal.New(int64(b)-40, -1),
			})
		}
		cs, err := Summarize(orders, SummaryOptions{CalibrationEnd: end, Unit: 7 * 24 * time.Hour})
		if err != nil {
			if errors.Is(err, cxmetrics.ErrInconsistent) { // the zero time
				return
			}
			t.Fatal(err)
		}
		for _, c := range cs {
			if checkCustomer(c) != nil || (c.Frequency == 0 && !c.MonetaryValue.IsZero()) {
				t.Fatalf("bad summary %+v", c)
			}
		}
	})
}

// fuzzParam maps a fuzzed uint16 to a parameter, log-uniform in
// [1e-3, 1e3].
func fuzzParam(u uint16) float64 { return math.Pow(10, -3+6*float64(u)/65535) }

// fuzzCustomer maps fuzzed numbers to a valid summary: x in 0..2000, T in
// [0, 2000], t_x in [0, T] (0 without a repeat purchase).
func fuzzCustomer(x uint16, tx, T uint32) Customer {
	c := Customer{Frequency: float64(x % 2001), T: 2000 * float64(T) / math.MaxUint32}
	if c.Frequency > 0 {
		c.Recency = c.T * float64(tx) / math.MaxUint32
	}
	return c
}

// checkPredictions checks a purchase model's predictions for one customer:
// no error, P(alive) in [0, 1], expectations finite, >= 0, and not
// decreasing in the horizon.
func checkPredictions(t *testing.T, m PurchaseModel, c Customer, horizon float64) {
	p, err := m.ProbabilityAlive(c)
	if err != nil || !(p >= 0 && p <= 1) {
		t.Fatalf("%+v %+v: P(alive) = %v, %v", m, c, p, err)
	}
	prev := 0.0
	for _, h := range []float64{horizon / 100, horizon / 10, horizon} {
		e, err := m.ConditionalExpectedPurchases(c, h)
		if err != nil || !(e >= 0) || math.IsInf(e, 0) {
			t.Fatalf("%+v %+v: E[Y(%v)] = %v, %v", m, c, h, e, err)
		}
		if e < prev*(1-1e-9) {
			t.Fatalf("%+v %+v: E[Y(%v)] = %v below E at a shorter horizon %v", m, c, h, e, prev)
		}
		prev = e
	}
	if e, err := m.ExpectedPurchases(horizon); err != nil || !(e >= 0) || math.IsInf(e, 0) {
		t.Fatalf("%+v: E[X(%v)] = %v, %v", m, horizon, e, err)
	}
}

// FuzzBGNBDPredictions evaluates BG/NBD predictions over random valid
// parameters (each in [1e-3, 1e3]), customers (up to 2000 repeat purchases
// over up to 2000 units) and horizons (up to 10^4 units): never an error,
// NaN or ±Inf, and E[Y(t)] grows with t; P(X(t) = n) is a probability and
// those of n = 0..x mod 64 add up to at most 1.
func FuzzBGNBDPredictions(f *testing.F) {
	f.Add(uint16(30000), uint16(40000), uint16(32000), uint16(35000), uint16(2), uint32(3e9), uint32(4e9), uint16(20000))
	f.Add(uint16(0), uint16(65535), uint16(32767), uint16(0), uint16(500), uint32(4e9), uint32(2e8), uint16(65535))
	f.Fuzz(func(t *testing.T, r, alpha, a, b, x uint16, tx, T uint32, h uint16) {
		m := &BGNBD{R: fuzzParam(r), Alpha: fuzzParam(alpha), A: fuzzParam(a), B: fuzzParam(b)}
		horizon := 1e4 * float64(h) / 65535
		checkPredictions(t, m, fuzzCustomer(x, tx, T), horizon)
		total := 0.0
		for n := 0; n <= int(x%64); n++ {
			p, err := m.ProbabilityOfPurchases(n, horizon)
			if err != nil || !(p >= 0 && p <= 1) {
				t.Fatalf("%+v: P(X(%v) = %d) = %v, %v", m, horizon, n, p, err)
			}
			total += p
		}
		if total > 1+1e-9 {
			t.Fatalf("%+v: P(X(%v) <= %d) = %v > 1", m, horizon, x%64, total)
		}
	})
}

// FuzzParetoNBDPredictions does the same for Pareto/NBD.
func FuzzParetoNBDPredictions(f *testing.F) {
	f.Add(uint16(30000), uint16(40000), uint16(32000), uint16(35000), uint16(2), uint32(3e9), uint32(4e9), uint16(20000))
	f.Add(uint16(0), uint16(65535), uint16(65535), uint16(0), uint16(500), uint32(4e9), uint32(2e8), uint16(65535))
	f.Fuzz(func(t *testing.T, r, alpha, s, beta, x uint16, tx, T uint32, h uint16) {
		m := &ParetoNBD{R: fuzzParam(r), Alpha: fuzzParam(alpha), S: fuzzParam(s), Beta: fuzzParam(beta)}
		checkPredictions(t, m, fuzzCustomer(x, tx, T), 1e4*float64(h)/65535)
	})
}

// FuzzLifetimeValue combines random models and customers: a value or an
// error, never a panic; an error only where the expected spend does not
// exist (p x + q - 1 <= 0 or a non-positive repeat spend); and a value
// never below 0.
func FuzzLifetimeValue(f *testing.F) {
	f.Add(uint16(30000), uint16(40000), uint16(32000), uint16(35000), uint16(40000), uint16(30000), uint16(40000), uint16(2), uint32(3e9), uint32(4e9), int64(2235), uint16(12), true)
	f.Fuzz(func(t *testing.T, r, alpha, a, b, p, q, g, x uint16, tx, T uint32, cents int64, horizon uint16, pareto bool) {
		var tx2 PurchaseModel = &BGNBD{R: fuzzParam(r), Alpha: fuzzParam(alpha), A: fuzzParam(a), B: fuzzParam(b)}
		if pareto {
			tx2 = &ParetoNBD{R: fuzzParam(r), Alpha: fuzzParam(alpha), S: fuzzParam(a), Beta: fuzzParam(b)}
		}
		spend := &GammaGamma{P: fuzzParam(p), Q: fuzzParam(q), Gamma: fuzzParam(g)}
		c := fuzzCustomer(x, tx, T)
		if c.Frequency > 0 {
			c.MonetaryValue = decimal.New(cents, -2)
		}
		v, err := LifetimeValue(tx2, spend, c, LifetimeOptions{Horizon: 1 + int(horizon%120), PeriodLength: 4.345, DiscountRate: decimal.RequireFromString("0.01"), Margin: decimal.RequireFromString("0.3")})
		spendExists := spend.P*c.Frequency+spend.Q-1 > 0 && (c.Frequency == 0 || cents > 0)
		switch {
		case err != nil && spendExists:
			t.Fatalf("%+v %+v %+v: %v", tx2, spend, c, err)
		case err == nil && !spendExists:
			t.Fatalf("%+v %+v %+v: value %v where the expected spend does not exist", tx2, spend, c, v)
		case err == nil && v.IsNegative():
			t.Fatalf("negative value %v", v)
		}
	})
}

// FuzzSBGPredictions evaluates sBG predictions over random valid
// parameters (each in [1e-3, 1e3]), periods (up to 100,000), renewals and
// discount rates (0, or in [1e-6, 10]): never an error but the documented
// one (d = 0 with α <= 1), S within [0, 1] and not increasing, P(T = t) =
// S(t−1) − S(t), and DERL between the next renewal's probability and the
// annuity (1+d)/d, falling as d grows, equal to its direct sum.
func FuzzSBGPredictions(f *testing.F) {
	f.Add(uint16(30000), uint16(40000), uint32(12), uint16(3), uint16(30000))
	f.Add(uint16(0), uint16(65535), uint32(100000), uint16(0), uint16(0))
	f.Add(uint16(65535), uint16(0), uint32(1), uint16(65535), uint16(65535))
	f.Fuzz(func(t *testing.T, a, b uint16, period uint32, renewals, disc uint16) {
		m := &SBG{Alpha: fuzzParam(a), Beta: fuzzParam(b)}
		tt := 1 + int(period%MaxHorizon)
		prev, err := m.Survival(tt - 1)
		if err != nil {
			t.Fatal(err)
		}
		s, err1 := m.Survival(tt)
		p, err2 := m.ChurnProbability(tt)
		r, err3 := m.RetentionRate(tt)
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("%+v t=%d: %v %v %v", m, tt, err1, err2, err3)
		}
		if !(s >= 0 && s <= prev && prev <= 1) || !(p >= 0 && p <= 1) || !(r >= 0 && r <= 1) {
			t.Fatalf("%+v t=%d: S %v after %v, P %v, r %v", m, tt, s, prev, p, r)
		}
		if math.Abs(prev-s-p) > 1e-12 {
			t.Fatalf("%+v t=%d: S(t-1) - S(t) = %v, P(T = t) = %v", m, tt, prev-s, p)
		}
		d := 0.0
		if disc > 0 {
			d = math.Pow(10, -6+7*float64(disc)/65535)
		}
		n := int(renewals)
		derl, err := m.DiscountedExpectedResidualLifetime(n, d)
		if d == 0 {
			if (err != nil) != (m.Alpha <= 1) {
				t.Fatalf("%+v n=%d d=0: %v, %v", m, n, derl, err)
			}
			return
		}
		next, _ := m.RetentionRate(n + 1)
		if err != nil || !(derl >= next*(1-1e-12)) || !(derl <= (1+d)/d*(1+1e-12)) {
			t.Fatalf("%+v n=%d d=%v: DERL %v, %v; r_{n+1} = %v", m, n, d, derl, err, next)
		}
		if higher, err := m.DiscountedExpectedResidualLifetime(n, 2*d); err != nil || higher > derl*(1+1e-12) {
			t.Fatalf("%+v n=%d: DERL(%v) = %v above DERL(%v) = %v, %v", m, n, 2*d, higher, d, derl, err)
		}
		if d >= 0.01 {
			if want := directDERL(m.Alpha, m.Beta, n, d); math.Abs(derl/want-1) > 1e-11 {
				t.Fatalf("%+v n=%d d=%v: DERL %v, direct sum %v", m, n, d, derl, want)
			}
		}
	})
}

// FuzzFitSBGCohorts fits arbitrary cohort tables, win-backs included: a
// model with finite positive parameters and predictions, or an error with
// one of the package's sentinels; never a panic or NaN.
func FuzzFitSBGCohorts(f *testing.F) {
	f.Add([]byte{200, 180, 150, 140, 0, 90, 80, 85, 70, 0, 50, 40})
	f.Add([]byte{10, 10, 10})
	f.Add([]byte{255, 1, 0, 255, 255})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 400 {
			return
		}
		table := &cxmetrics.CohortTable{Period: cxmetrics.Month}
		var row []int64
		flush := func() {
			if len(row) > 0 {
				table.Rows = append(table.Rows, cxmetrics.CohortRow{Size: row[0], Active: row})
				row = nil
			}
		}
		for _, b := range data {
			switch {
			case b == 0:
				flush()
			case len(row) == 0:
				row = append(row, int64(b)*1000)
			default: // counts go up and down, never above the size
				row = append(row, min(row[0], int64(b)*int64(b)*4))
			}
		}
		flush()
		m, err := FitSBGCohorts(table, FitOptions{})
		if err != nil {
			if !errors.Is(err, cxmetrics.ErrNoData) && !errors.Is(err, ErrNotConverged) {
				t.Fatalf("%+v: %v", table.Rows, err)
			}
			return
		}
		if err := m.Validate(); err != nil || math.IsNaN(m.LogLikelihood) || m.LogLikelihood > 0 || math.IsInf(m.BIC, 0) {
			t.Fatalf("%+v: %+v, %v", table.Rows, m, err)
		}
		for k := 1; k <= 12; k++ {
			if s, err := m.Survival(k); err != nil || !(s >= 0 && s <= 1) {
				t.Fatalf("%+v: S(%d) = %v, %v", m, k, s, err)
			}
		}
	})
}
