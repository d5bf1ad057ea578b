package main

import (
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cxmetrics/cxmetrics/internal/ci"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clvOrders writes a seeded orders CSV of 500 customers of a shop over
// 2023–2024, drawn from the BG/NBD process (purchase rates gamma(0.8, 20
// days), dropout after each purchase with probability beta(1, 4)), spends
// around 40 EUR, and one customer whose refund outweighs their repeat
// purchase. It returns the file's path.
func clvOrders(t *testing.T) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(2024, 13))
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	var b strings.Builder
	b.WriteString("order_id,customer_id,time,amount,currency\n")
	id := 0
	gamma := func(shape float64) float64 { // Marsaglia–Tsang, shape < 1 boosted
		boost := 1.0
		if shape < 1 {
			boost = math.Pow(rng.Float64(), 1/shape)
			shape++
		}
		d := shape - 1.0/3
		for {
			x := rng.NormFloat64()
			v := math.Pow(1+x/math.Sqrt(9*d), 3)
			if v > 0 && math.Log(rng.Float64()) < x*x/2+d-d*v+d*math.Log(v) {
				return d * v * boost
			}
		}
	}
	for c := 0; c < 500; c++ {
		rate := gamma(0.8) / 20 // purchases a day
		g1, g2 := gamma(1), gamma(4)
		drop := g1 / (g1 + g2)
		when := start.Add(time.Duration(rng.Float64()*365*24) * time.Hour)
		for when.Before(end) {
			id++
			fmt.Fprintf(&b, "%d,C%03d,%s,%.2f,EUR\n", id, c, when.Format(time.RFC3339), 10+60*rng.Float64())
			if rng.Float64() < drop && when.After(start.Add(24*time.Hour)) {
				break
			}
			when = when.Add(time.Duration(rng.ExpFloat64()/rate*24*float64(time.Hour)) + 24*time.Hour)
		}
	}
	// A repeat buyer whose refund outweighs the repeat purchase.
	b.WriteString("900001,REFUNDER,2023-03-01T10:00:00Z,50.00,EUR\n900002,REFUNDER,2023-04-01T10:00:00Z,20.00,EUR\n900003,REFUNDER,2023-04-02T10:00:00Z,-45.00,EUR\n")
	path := filepath.Join(t.TempDir(), "orders.csv")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

func TestCLVCommandCSV(t *testing.T) {
	orders := clvOrders(t)
	code, out, errOut := runCmd(t, "", "clv", "-orders", orders, "-calibration-end", "2024-06-30", "-margin", "0.3", "-discount", "0.002")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "1 customers have no expected spend")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"customer_id", "frequency", "recency", "T", "p_alive", "expected_purchases_52_weeks", "expected_spend", "clv"}, rows[0])
	rows = rows[1:]
	assert.Greater(t, len(rows), 300)
	refunder := false
	for _, r := range rows {
		for i, col := range []int{1, 2, 3, 4, 5} {
			v, err := strconv.ParseFloat(r[col], 64)
			require.NoError(t, err, "%v column %d", r, i)
			require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "%v", r)
		}
		p, _ := strconv.ParseFloat(r[4], 64)
		assert.True(t, p >= 0 && p <= 1, "%v", r)
		if r[0] == "REFUNDER" {
			refunder = true
			assert.Equal(t, "1", r[1])
			assert.Equal(t, "", r[6], "no expected spend: an empty cell, not 0")
			assert.Equal(t, "", r[7])
			continue
		}
		spend, err := strconv.ParseFloat(r[6], 64)
		require.NoError(t, err, "%v", r)
		value, err := strconv.ParseFloat(r[7], 64)
		require.NoError(t, err, "%v", r)
		assert.True(t, spend > 0 && value >= 0, "%v", r)
	}
	assert.True(t, refunder)

	// In days, with the Pareto/NBD rows, to a file.
	dir := t.TempDir()
	path := filepath.Join(dir, "clv.csv")
	code, out, errOut = runCmd(t, "", "clv", "-orders", orders, "-unit", "day", "-horizon", "365", "-model", "pnbd", "-o", path)
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, out)
	written, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(written), "customer_id,frequency,recency,T,p_alive,expected_purchases_365_days,"))
}

func TestCLVCommandErrors(t *testing.T) {
	orders := clvOrders(t)
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"clv"}, 2, "-orders is required"},
		{[]string{"clv", "-orders", orders, "-unit", "month"}, 2, "-unit"},
		{[]string{"clv", "-orders", orders, "-calibration-end", "30/06/2024"}, 2, "-calibration-end"},
		{[]string{"clv", "-orders", orders, "-horizon", "0"}, 2, "-horizon"},
		{[]string{"clv", "-orders", orders, "-margin", "2"}, 2, "-margin"},
		{[]string{"clv", "-orders", orders, "-discount", "-0.1"}, 2, "-discount"},
		{[]string{"clv", "-orders", orders, "-format", "pdf"}, 2, "-format"},
		{[]string{"clv", "-orders", orders, "-o", orders}, 2, "would overwrite it"},
		{[]string{"clv", "-orders", filepath.Join(t.TempDir(), "missing.csv")}, 2, "no such file"},
	} {
		code, out, errOut := runCmd(t, "", tt.args...)
		assert.Equal(t, tt.code, code, "%v: %s", tt.args, errOut)
		assert.Contains(t, errOut, tt.msg, "%v", tt.args)
		assert.Empty(t, out)
	}
	// Bad data: exit 1, nothing written.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("order_id,customer_id,time,amount\n1,a,2024-01-01T00:00:00Z,ten\n"), 0o644))
	code, out, errOut := runCmd(t, "", "clv", "-orders", bad)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, errOut, "bad.csv:2")
	assert.Empty(t, out)
}

// The clv page renders in a real browser: Chromium's DOM has the chart's
// three lines and both models, and its screenshot has the red of the
// BG/NBD line and the blue of the Pareto/NBD one.
func TestCLVPageInChromium(t *testing.T) {
	chromium := findChromium()
	if chromium == "" {
		ci.Skip(t, "Chromium is not installed (apt-get install chromium); .ci/run installs it")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "clv.html")
	code, _, errOut := runCmd(t, "", "clv", "-orders", clvOrders(t), "-calibration-end", "2024-06-30", "-format", "html", "-o", page)
	require.Equal(t, 0, code, errOut)

	dom, img := renderInChromium(t, chromium, page)
	text := string(dom)
	assert.Contains(t, text, `id="holdout-chart"`)
	for _, line := range []string{"actual", "bgnbd", "pnbd"} {
		assert.Regexp(t, `<polyline class="`+line+`"[^>]*points="(\d+\.\d,\d+\.\d ){8}"`, text, "%s line with 8 points", line)
	}
	assert.Contains(t, text, "BG/NBD")
	assert.Contains(t, text, "Pareto/NBD")
	assert.Regexp(t, `AIC`, text)

	red := pixelsNear(img, 214, 39, 40)
	blue := pixelsNear(img, 31, 119, 180)
	assert.Greater(t, red, 300, "pixels of the BG/NBD line")
	assert.Greater(t, blue, 100, "pixels of the Pareto/NBD line")
}
