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
// NaN or ±Inf, and E[Y(t)] grows with t.
func FuzzBGNBDPredictions(f *testing.F) {
	f.Add(uint16(30000), uint16(40000), uint16(32000), uint16(35000), uint16(2), uint32(3e9), uint32(4e9), uint16(20000))
	f.Add(uint16(0), uint16(65535), uint16(32767), uint16(0), uint16(500), uint32(4e9), uint32(2e8), uint16(65535))
	f.Fuzz(func(t *testing.T, r, alpha, a, b, x uint16, tx, T uint32, h uint16) {
		m := &BGNBD{R: fuzzParam(r), Alpha: fuzzParam(alpha), A: fuzzParam(a), B: fuzzParam(b)}
		checkPredictions(t, m, fuzzCustomer(x, tx, T), 1e4*float64(h)/65535)
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
