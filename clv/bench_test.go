package clv

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

func BenchmarkFitBGNBDCDNOW(b *testing.B) {
	customers := cdnowCustomers(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := FitBGNBD(customers, FitOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFitBGNBD100k(b *testing.B) {
	customers := simulateBGNBD(rand.New(rand.NewPCG(7, 8)), 100_000, [4]float64{0.5, 6, 0.8, 3})
	cs := groupCustomers(customers)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := FitBGNBD(customers, FitOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	res, err := maximize(bgnbdNames, bgnbdLogLik(cs), len(customers), FitOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(res.evaluations), "evaluations")
}

func BenchmarkFitGammaGammaCDNOW(b *testing.B) {
	customers := cdnowCustomers(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := FitGammaGamma(customers, FitOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPredict1M computes P(alive) and the expected purchases in the
// next 39 weeks for one million customers.
func BenchmarkPredict1M(b *testing.B) {
	customers := simulateBGNBD(rand.New(rand.NewPCG(9, 10)), 1_000_000, [4]float64{0.243, 4.414, 0.793, 2.426})
	m := &BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	b.ResetTimer()
	var sink float64
	for i := 0; i < b.N; i++ {
		for _, c := range customers {
			p, err := m.ProbabilityAlive(c)
			if err != nil {
				b.Fatal(err)
			}
			e, err := m.ConditionalExpectedPurchases(c, 39)
			if err != nil {
				b.Fatal(err)
			}
			sink += p + e
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(customers)), "ns/customer")
	_ = sink
}

// simulateParetoNBD draws n customers of the Pareto/NBD process with the
// given parameters (r, alpha, s, beta), each observed for T in [20, 60).
func simulateParetoNBD(r *rand.Rand, n int, params [4]float64) []Customer {
	lambda := distuv.Gamma{Alpha: params[0], Beta: params[1], Src: r}
	mu := distuv.Gamma{Alpha: params[2], Beta: params[3], Src: r}
	out := make([]Customer, n)
	for i := range out {
		l, m := lambda.Rand(), mu.Rand()
		T := 20 + 40*r.Float64()
		death := r.ExpFloat64() / m
		end := math.Min(T, death)
		var x, tx, t float64
		for {
			t += r.ExpFloat64() / l
			if t > end {
				break
			}
			x, tx = x+1, t
		}
		out[i] = Customer{ID: strconv.Itoa(i), Frequency: x, Recency: tx, T: T}
	}
	return out
}

func BenchmarkFitParetoNBD100k(b *testing.B) {
	customers := simulateParetoNBD(rand.New(rand.NewPCG(11, 12)), 100_000, [4]float64{0.55, 10.6, 0.61, 11.7})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := FitParetoNBD(customers, FitOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFitParetoNBDCDNOW(b *testing.B) {
	customers := cdnowCustomers(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := FitParetoNBD(customers, FitOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
