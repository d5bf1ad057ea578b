package cxmetrics

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConversionAndLeadCloseRate(t *testing.T) {
	tests := []struct {
		name     string
		den, num int64
		want     string
		err      error
	}{
		{"typical", 2000, 50, "0.025", nil},
		{"all", 7, 7, "1", nil},
		{"none", 7, 0, "0", nil},
		{"third", 3, 1, "0.3333333333333333", nil},
		{"more than possible", 10, 11, "", ErrInconsistent},
		{"negative numerator", 10, -1, "", ErrNegative},
		{"negative denominator", -10, 1, "", ErrNegative},
		{"empty", 0, 0, "", ErrNoData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for fname, f := range map[string]func(int64, int64) (string, error){
				"ConversionRate": func(d, n int64) (string, error) { v, err := ConversionRate(n, d); return v.String(), err },
				"LeadCloseRate":  func(d, n int64) (string, error) { v, err := LeadCloseRate(n, d); return v.String(), err },
			} {
				got, err := f(tt.den, tt.num)
				if tt.err != nil {
					assert.ErrorIs(t, err, tt.err, fname)
					continue
				}
				require.NoError(t, err, fname)
				assertDecimal(t, tt.want, dec(got), fname)
			}
		})
	}
	_, err := ConversionRate(11, 10) // conversions, visitors
	assert.EqualError(t, err, "cxmetrics: conversions 11 exceed visitors 10: inconsistent")
	_, err = LeadCloseRate(0, 0)
	assert.EqualError(t, err, "cxmetrics: no leads: no data")
}

func TestCAC(t *testing.T) {
	costs := AcquisitionCosts{
		Advertising: dec("5000"), TaxesAndFees: dec("250.50"), Campaigns: dec("1200"),
		Discounts: dec("800"), FreeTrials: dec("349.50"), Sales: dec("2400"),
	}
	// 5000 + 250.50 + 1200 + 800 + 349.50 + 2400 = 10000
	total, err := costs.Total()
	require.NoError(t, err)
	assertDecimal(t, "10000", total)
	cac, err := CAC(costs, 80) // 10000 / 80
	require.NoError(t, err)
	assertDecimal(t, "125", cac)
	cac, err = CAC(costs, 3) // 10000 / 3
	require.NoError(t, err)
	assertDecimal(t, "3333.3333333333333333", cac)
	cac, err = CAC(AcquisitionCosts{}, 5)
	require.NoError(t, err)
	assertDecimal(t, "0", cac)

	_, err = CAC(costs, 0)
	assert.ErrorIs(t, err, ErrNoData)
	_, err = CAC(costs, -1)
	assert.ErrorIs(t, err, ErrNegative)
	bad := costs
	bad.FreeTrials = dec("-1")
	_, err = CAC(bad, 10)
	require.ErrorIs(t, err, ErrNegative)
	assert.EqualError(t, err, "cxmetrics: acquisition costs: FreeTrials is -1: negative")
}

func TestROASAndROI(t *testing.T) {
	tests := []struct {
		name      string
		a, b      string
		roas, roi string
		err       error
	}{
		// revenue/gain 400 on spend/cost 100: ROAS 4, ROI (400-100)/100 = 3
		{"fourfold", "400", "100", "4", "3", nil},
		{"loss", "50", "200", "0.25", "-0.75", nil},
		{"nothing back", "0", "10", "0", "-1", nil},
		{"thirds", "1", "3", "0.3333333333333333", "-0.6666666666666667", nil},
		{"zero spend", "10", "0", "", "", ErrNoData},
		{"negative spend", "10", "-1", "", "", ErrNegative},
		{"negative revenue", "-10", "1", "", "", ErrNegative},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			roas, err1 := ROAS(dec(tt.a), dec(tt.b))
			roi, err2 := ROI(dec(tt.a), dec(tt.b))
			if tt.err != nil {
				assert.ErrorIs(t, err1, tt.err)
				assert.ErrorIs(t, err2, tt.err)
				return
			}
			require.NoError(t, err1)
			require.NoError(t, err2)
			assertDecimal(t, tt.roas, roas)
			assertDecimal(t, tt.roi, roi)
		})
	}
}

func TestROASMessages(t *testing.T) {
	_, err := ROAS(dec("-10"), dec("1"))
	assert.EqualError(t, err, "cxmetrics: ROAS: revenue is -10: negative")
	_, err = ROAS(dec("10"), dec("0"))
	assert.EqualError(t, err, "cxmetrics: ROAS with zero spend: no data")
	_, err = LTVToCAC(dec("10"), dec("0"))
	assert.EqualError(t, err, "cxmetrics: LTV to CAC with zero CAC: no data")
}

func TestROASByChannel(t *testing.T) {
	rows := []ChannelSpend{
		{"search", dec("100.10"), dec("450.45")},
		{"social", dec("200"), dec("300")},
		{"email", dec("10"), dec("95")},
		{"search", dec("99.90"), dec("149.55")},
	}
	orig := append([]ChannelSpend(nil), rows...)
	got, err := ROASByChannel(rows)
	require.NoError(t, err)
	assert.Equal(t, orig, rows, "rows are not modified")
	// email 95/10; search (450.45+149.55)/(100.10+99.90) = 600/200; social 300/200
	want := []struct{ ch, spend, rev, roas string }{
		{"email", "10", "95", "9.5"},
		{"search", "200", "600", "3"},
		{"social", "200", "300", "1.5"},
	}
	require.Len(t, got, len(want))
	for i, w := range want {
		assert.Equal(t, w.ch, got[i].Channel)
		assertDecimal(t, w.spend, got[i].Spend, w.ch)
		assertDecimal(t, w.rev, got[i].Revenue, w.ch)
		assertDecimal(t, w.roas, got[i].ROAS, w.ch)
	}

	tests := []struct {
		name string
		rows []ChannelSpend
		err  error
		msg  string
	}{
		{"no rows", nil, ErrNoData, "cxmetrics: ROAS by channel of no rows: no data"},
		{"zero spend", []ChannelSpend{{"tv", dec("0"), dec("10")}, {"radio", dec("1"), dec("1")}}, ErrNoData,
			`cxmetrics: channel "tv" has zero spend: no data`},
		{"no channel", []ChannelSpend{{"tv", dec("1"), dec("1")}, {"", dec("1"), dec("1")}}, ErrInconsistent,
			"cxmetrics: channel spend at index 1 has no channel: inconsistent"},
		{"negative", []ChannelSpend{{"tv", dec("-1"), dec("1")}}, ErrNegative,
			`cxmetrics: ROAS of channel "tv" at index 0: spend is -1: negative`},
	}
	for _, tt := range tests {
		_, err := ROASByChannel(tt.rows)
		require.ErrorIs(t, err, tt.err, tt.name)
		assert.EqualError(t, err, tt.msg, tt.name)
	}
}
