package cxmetrics

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLTV(t *testing.T) {
	tests := []struct {
		name string
		in   LTVInputs
		want string
		err  error
	}{
		// 50 × 4 orders/year × 3 years × 0.4 = 240
		{"typical", LTVInputs{dec("50"), dec("4"), dec("3"), dec("0.4")}, "240", nil},
		// 12.34 × 2.5 × 1.5 × 1 = 46.275 (exact)
		{"exact product", LTVInputs{dec("12.34"), dec("2.5"), dec("1.5"), dec("1")}, "46.275", nil},
		{"zero lifespan", LTVInputs{dec("50"), dec("4"), dec("0"), dec("0.4")}, "0", nil},
		{"zero margin", LTVInputs{dec("50"), dec("4"), dec("3"), dec("0")}, "", ErrOutOfRange},
		{"margin above 1", LTVInputs{dec("50"), dec("4"), dec("3"), dec("1.2")}, "", ErrOutOfRange},
		{"negative AOV", LTVInputs{dec("-50"), dec("4"), dec("3"), dec("0.4")}, "", ErrNegative},
		{"negative frequency", LTVInputs{dec("50"), dec("-4"), dec("3"), dec("0.4")}, "", ErrNegative},
	}
	for _, tt := range tests {
		got, err := LTV(tt.in)
		if tt.err != nil {
			assert.ErrorIs(t, err, tt.err, tt.name)
			continue
		}
		require.NoError(t, err, tt.name)
		assertDecimal(t, tt.want, got, tt.name)
	}
	_, err := LTV(LTVInputs{AOV: dec("1"), OrdersPerPeriod: dec("1"), Lifespan: dec("1")})
	assert.EqualError(t, err, "cxmetrics: gross margin 0 not in (0, 1]: out of range")
}

// Swapped arguments cannot compile any more; the struct's field names say
// which figure is which. ARPU 30, margin 0.8, churn 0.04 is 600, and
// swapping churn and margin as positional arguments once gave 1.5.
func TestLTVFromChurnNamedFields(t *testing.T) {
	got, err := LTVFromChurn(ChurnLTVInputs{ARPU: dec("30"), GrossMargin: dec("0.8"), ChurnRate: dec("0.04")})
	require.NoError(t, err)
	assertDecimal(t, "600", got)
	got, err = LTVFromChurn(ChurnLTVInputs{ChurnRate: dec("0.04"), ARPU: dec("30"), GrossMargin: dec("0.8")})
	require.NoError(t, err)
	assertDecimal(t, "600", got, "field order does not matter")
}

func TestLTVFromChurn(t *testing.T) {
	tests := []struct {
		arpu, margin, churn, want string
		err                       error
	}{
		{"100", "0.8", "0.05", "1600", nil},              // 100 × 0.8 / 0.05
		{"10", "1", "0.03", "333.3333333333333333", nil}, // 10 / 0.03
		{"0", "0.5", "0.5", "0", nil},
		{"100", "0.8", "0", "", ErrOutOfRange},
		{"100", "0.8", "1.5", "", ErrOutOfRange},
		{"100", "0", "0.1", "", ErrOutOfRange},
		{"-100", "0.8", "0.1", "", ErrNegative},
	}
	for _, tt := range tests {
		got, err := LTVFromChurn(ChurnLTVInputs{ARPU: dec(tt.arpu), GrossMargin: dec(tt.margin), ChurnRate: dec(tt.churn)})
		if tt.err != nil {
			assert.ErrorIs(t, err, tt.err)
			continue
		}
		require.NoError(t, err)
		assertDecimal(t, tt.want, got)
	}
}

func TestDiscountedLTV(t *testing.T) {
	tests := []struct {
		m, r, d, want string
		err           error
	}{
		// 100 × 1.1 / (1.1 - 0.8) = 110 / 0.3 = 366.666…
		{"100", "0.8", "0.1", "366.6666666666666667", nil},
		// no discounting: m / (1 - r) = 100 / 0.5
		{"100", "0.5", "0", "200", nil},
		// no retention: only the first margin, 100 × 1.1 / 1.1
		{"100", "0", "0.1", "100", nil},
		{"100", "1", "0.1", "", ErrOutOfRange},
		{"100", "-0.1", "0.1", "", ErrOutOfRange},
		{"100", "0.5", "-0.1", "", ErrOutOfRange},
		{"-100", "0.5", "0.1", "", ErrNegative},
	}
	for _, tt := range tests {
		got, err := DiscountedLTV(DiscountedLTVInputs{Margin: dec(tt.m), RetentionRate: dec(tt.r), DiscountRate: dec(tt.d)})
		if tt.err != nil {
			assert.ErrorIs(t, err, tt.err)
			continue
		}
		require.NoError(t, err)
		assertDecimal(t, tt.want, got)
	}
	// Independent check: the closed form equals the sum of the series
	// m × (r/(1+d))^t over t = 0..2000 to well within 1e-12.
	m, r, d := 100.0, 0.8, 0.1
	sum, f := 0.0, 1.0
	for i := 0; i <= 2000; i++ {
		sum += m * f
		f *= r / (1 + d)
	}
	got, err := DiscountedLTV(DiscountedLTVInputs{Margin: dec("100"), RetentionRate: dec("0.8"), DiscountRate: dec("0.1")})
	require.NoError(t, err)
	assert.InDelta(t, sum, got.InexactFloat64(), 1e-9)
}

func TestLTVToCACAndPayback(t *testing.T) {
	ratio, err := LTVToCAC(dec("900"), dec("300"))
	require.NoError(t, err)
	assertDecimal(t, "3", ratio)
	ratio, err = LTVToCAC(dec("100"), dec("300"))
	require.NoError(t, err)
	assertDecimal(t, "0.3333333333333333", ratio)
	_, err = LTVToCAC(dec("100"), dec("0"))
	assert.ErrorIs(t, err, ErrNoData)
	_, err = LTVToCAC(dec("-1"), dec("3"))
	assert.ErrorIs(t, err, ErrNegative)

	// 600 / (50 × 0.8) = 15 periods
	pb, err := CACPayback(PaybackInputs{CAC: dec("600"), ARPU: dec("50"), GrossMargin: dec("0.8")})
	require.NoError(t, err)
	assertDecimal(t, "15", pb)
	// 100 / (30 × 1) = 3.333…
	pb, err = CACPayback(PaybackInputs{CAC: dec("100"), ARPU: dec("30"), GrossMargin: dec("1")})
	require.NoError(t, err)
	assertDecimal(t, "3.3333333333333333", pb)
	_, err = CACPayback(PaybackInputs{CAC: dec("100"), ARPU: dec("0"), GrossMargin: dec("1")})
	assert.ErrorIs(t, err, ErrNoData)
	_, err = CACPayback(PaybackInputs{CAC: dec("100"), ARPU: dec("10"), GrossMargin: dec("0")})
	assert.ErrorIs(t, err, ErrOutOfRange)
	_, err = CACPayback(PaybackInputs{CAC: dec("-100"), ARPU: dec("10"), GrossMargin: dec("0.5")})
	assert.ErrorIs(t, err, ErrNegative)
}
