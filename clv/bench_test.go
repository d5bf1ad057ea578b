package clv

import (
	"math/rand/v2"
	"testing"
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
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := FitBGNBD(customers, FitOptions{}); err != nil {
			b.Fatal(err)
		}
	}
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
