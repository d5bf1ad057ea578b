package cxmetrics

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChurnAndRetention(t *testing.T) {
	tests := []struct {
		name             string
		c                PeriodCounts
		lost             int64
		churn, retention string
		err, retErr      error
	}{
		// S 100, N 20, E 110: lost 10; churn 10/100; CRR (110-20)/100
		{"typical", PeriodCounts{100, 20, 110}, 10, "0.1", "0.9", nil, nil},
		{"no change", PeriodCounts{50, 0, 50}, 0, "0", "1", nil, nil},
		{"everyone left", PeriodCounts{50, 0, 0}, 50, "1", "0", nil, nil},
		// S 3, N 0, E 2: 1/3 lost, 2/3 kept
		{"thirds", PeriodCounts{3, 0, 2}, 1, "0.3333333333333333", "0.6666666666666667", nil, nil},
		// S 10, N 10, E 5: lost 15 of whom some were new: churn 1.5, CRR (5-10)/10 < 0
		{"new customers lost", PeriodCounts{10, 10, 5}, 15, "1.5", "", nil, ErrInconsistent},
		{"negative start", PeriodCounts{-1, 0, 0}, 0, "", "", ErrNegative, ErrNegative},
		{"negative new", PeriodCounts{1, -1, 0}, 0, "", "", ErrNegative, ErrNegative},
		{"negative end", PeriodCounts{1, 0, -1}, 0, "", "", ErrNegative, ErrNegative},
		{"end too large", PeriodCounts{10, 5, 16}, -1, "", "", ErrInconsistent, ErrInconsistent},
		{"no start", PeriodCounts{0, 5, 5}, 0, "", "", ErrNoData, ErrNoData},
		{"overflow", PeriodCounts{1 << 62, 1 << 62, 0}, 0, "", "", ErrOutOfRange, ErrOutOfRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil || tt.lost != 0 {
				assert.Equal(t, tt.lost, tt.c.Lost())
			}
			churn, err := ChurnRate(tt.c)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
			} else {
				require.NoError(t, err)
				assertDecimal(t, tt.churn, churn)
			}
			crr, err := RetentionRate(tt.c)
			if tt.retErr != nil {
				assert.ErrorIs(t, err, tt.retErr)
			} else {
				require.NoError(t, err)
				assertDecimal(t, tt.retention, crr)
			}
		})
	}
}

func TestCompoundRate(t *testing.T) {
	tests := []struct {
		rate    string
		periods int
		want    string
		err     error
	}{
		{"0.1", 1, "0.1", nil},
		{"0.1", 2, "0.19", nil},  // 1 - 0.9^2 = 1 - 0.81
		{"0.5", 3, "0.875", nil}, // 1 - 0.125
		// 0.98^12 = 0.784716723734800033386496 (24 digits, exact), so
		// 1 - it = 0.215283276265199966613504 -> 0.2152832762652000
		{"0.02", 12, "0.2152832762652", nil},
		{"0", 12, "0", nil},
		{"1", 5, "1", nil},
		{"-0.1", 2, "", ErrOutOfRange},
		{"1.1", 2, "", ErrOutOfRange},
		{"0.1", 0, "", ErrOutOfRange},
	}
	for _, tt := range tests {
		got, err := CompoundRate(dec(tt.rate), tt.periods)
		if tt.err != nil {
			assert.ErrorIs(t, err, tt.err)
			continue
		}
		require.NoError(t, err)
		assertDecimal(t, tt.want, got, tt.rate, tt.periods)
	}
	// Many periods: 1 - 0.999^1000 computed with Python's decimal module at
	// 4000 digits is 0.6323045752290359553…, to 16 digits 0.6323045752290360.
	got, err := CompoundRate(dec("0.001"), 1000)
	require.NoError(t, err)
	assertDecimal(t, "0.632304575229036", got)
}

func TestExpectedLifetime(t *testing.T) {
	tests := []struct {
		churn, want string
		err         error
	}{
		{"0.05", "20", nil},
		{"1", "1", nil},
		{"0.03", "33.3333333333333333", nil},
		{"0", "", ErrOutOfRange},
		{"-0.1", "", ErrOutOfRange},
		{"1.01", "", ErrOutOfRange},
	}
	for _, tt := range tests {
		got, err := ExpectedLifetime(dec(tt.churn))
		if tt.err != nil {
			assert.ErrorIs(t, err, tt.err)
			continue
		}
		require.NoError(t, err)
		assertDecimal(t, tt.want, got)
	}
}

func TestRevenueRetention(t *testing.T) {
	tests := []struct {
		name           string
		m              RevenueMovements
		grr, nrr, rchr string
		err            error
	}{
		// Start 1000, +150 expansion, -50 contraction, -100 churned:
		// GRR 850/1000, NRR 1000/1000, revenue churn 150/1000
		{"typical", RevenueMovements{Start: dec("1000"), Expansion: dec("150"), Contraction: dec("50"), Churned: dec("100")}, "0.85", "1", "0.15", nil},
		{"growth", RevenueMovements{Start: dec("200"), Expansion: dec("60"), Contraction: dec("0"), Churned: dec("20")}, "0.9", "1.2", "0.1", nil},
		{"all churned", RevenueMovements{Start: dec("30"), Expansion: dec("0"), Contraction: dec("10"), Churned: dec("20")}, "0", "0", "1", nil},
		{"thirds", RevenueMovements{Start: dec("3"), Expansion: dec("0"), Contraction: dec("1"), Churned: dec("0")}, "0.6666666666666667", "0.6666666666666667", "0.3333333333333333", nil},
		{"zero fields", RevenueMovements{Start: dec("10")}, "1", "1", "0", nil},
		{"negative expansion", RevenueMovements{Start: dec("10"), Expansion: dec("-1"), Contraction: dec("0"), Churned: dec("0")}, "", "", "", ErrNegative},
		{"negative churn", RevenueMovements{Start: dec("10"), Expansion: dec("0"), Contraction: dec("0"), Churned: dec("-1")}, "", "", "", ErrNegative},
		{"too much lost", RevenueMovements{Start: dec("10"), Expansion: dec("5"), Contraction: dec("6"), Churned: dec("5")}, "", "", "", ErrInconsistent},
		{"no start", RevenueMovements{Expansion: dec("5")}, "", "", "", ErrNoData},
		// New and reactivated revenue is not part of retention.
		{"new revenue left out", RevenueMovements{Start: dec("1000"), Expansion: dec("150"), Contraction: dec("50"), Churned: dec("100"), New: dec("700"), Reactivation: dec("80")}, "0.85", "1", "0.15", nil},
		{"negative new", RevenueMovements{Start: dec("10"), New: dec("-1")}, "", "", "", ErrNegative},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			grr, err1 := GrossRevenueRetention(tt.m)
			nrr, err2 := NetRevenueRetention(tt.m)
			rch, err3 := RevenueChurnRate(tt.m)
			if tt.err != nil {
				assert.ErrorIs(t, err1, tt.err)
				assert.ErrorIs(t, err2, tt.err)
				assert.ErrorIs(t, err3, tt.err)
				return
			}
			require.NoError(t, err1)
			require.NoError(t, err2)
			require.NoError(t, err3)
			assertDecimal(t, tt.grr, grr)
			assertDecimal(t, tt.nrr, nrr)
			assertDecimal(t, tt.rchr, rch)
		})
	}
}
