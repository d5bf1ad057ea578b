package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"
)

// The embedded sample's subscribers on monthly plans all cancel with the
// same probability, 4.5% a month (internal/gensample), so the sBG fit is
// its limit of constant retention: α, β → ∞ with 1 − α/(α+β) the renewal
// rate. The limit's maximum likelihood estimate is the losses over the
// months at risk; the test counts both from the subscription cohorts
// itself (each row without its last, partial month, as its running
// minimum), independently of the fit.
func TestSBGOnTheSample(t *testing.T) {
	code, out, errOut := runCmd(t, "", "report", "-format", "json")
	rep := jsonReport(t, code, out, errOut)
	require.NotNil(t, rep.SBG)
	f := rep.SBG
	assert.Equal(t, "month", f.Period)
	assert.True(t, f.AtBoundary)
	assert.Nil(t, f.Alpha)
	assert.Nil(t, f.Beta)
	assert.Equal(t, "infinity", f.AlphaLimit)
	assert.Equal(t, "infinity", f.BetaLimit)
	assert.True(t, f.LastPeriodLeftOut, "the sample ends on 2024-12-25")

	var lost, atRisk, cohorts, customers int64
	var still, size []int64
	for _, r := range rep.SubscriptionCohorts.Rows {
		active := r.Active[:len(r.Active)-1] // December is cut short
		if len(active) < 2 {
			continue
		}
		cohorts++
		customers += r.Size
		low := r.Size
		for k, n := range active {
			if k > 0 {
				atRisk += low
			}
			next := min(low, n)
			lost += low - next
			low = next
			if k == len(still) {
				still, size = append(still, 0), append(size, 0)
			}
			still[k] += low
			size[k] += r.Size
		}
	}
	assert.Equal(t, int(cohorts), f.Cohorts)
	assert.Equal(t, int(customers), f.Customers)
	p := float64(lost) / float64(atRisk)
	require.Len(t, f.ProjectedSurvival, 12)
	require.Len(t, f.RetentionRate, 12)
	for k := 1; k <= 12; k++ {
		assert.Equal(t, round4(1-p), f.RetentionRate[k-1], "r_%d", k)
		assert.Equal(t, round4(math.Pow(1-p, float64(k))), f.ProjectedSurvival[k-1], "S(%d)", k)
	}
	require.Len(t, f.ObservedSurvival, len(still))
	for k := range still {
		assert.Equal(t, round4(float64(still[k])/float64(size[k])), f.ObservedSurvival[k], "observed at %d", k)
	}
	// The geometric log-likelihood: lost ln p + (at risk − lost) ln(1 − p).
	assert.InDelta(t, float64(lost)*math.Log(p)+float64(atRisk-lost)*math.Log(1-p), f.LogLikelihood, 1e-4)

	code, text, _ := runCmd(t, "", "report")
	require.Equal(t, 0, code)
	assert.Contains(t, text, "Subscription retention (sBG model, Fader & Hardie 2007")
	assert.Contains(t, text, fmt.Sprintf("each renewing with the same probability, %.1f%% a month (constant retention)", 100*(1-p)))
	assert.Contains(t, text, "the last month, cut short by the end of the data (at 2024-12-25T19:28:14Z), is left out")
}

// betaGeometricLedger writes subscriptions whose customers renew each month
// with a probability 1 − θ of their own, θ ~ Beta(alpha, beta): 24 monthly
// cohorts of n subscribers from January 2022, observed to the end of 2023.
func betaGeometricLedger(alpha, beta float64, n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 1))
	theta := distuv.Beta{Alpha: alpha, Beta: beta, Src: r}
	var b strings.Builder
	b.WriteString("customer_id,subscription_id,start,end,amount,interval\n")
	for c := 0; c < 24; c++ {
		for i := 0; i < n; i++ {
			start := time.Date(2022, time.Month(1+c), 1+r.IntN(28), 12, 0, 0, 0, time.UTC)
			th := theta.Rand()
			renewals := 0
			for r.Float64() >= th && renewals < 60 {
				renewals++
			}
			end := ""
			if e := start.AddDate(0, renewals+1, 0); e.Year() < 2024 {
				end = e.Format(time.RFC3339)
			}
			fmt.Fprintf(&b, "c%02d-%d,s,%s,%s,10,month\n", c, i, start.Format(time.RFC3339), end)
		}
	}
	return b.String()
}

// Subscribers who differ: the fit finds the Beta distribution they were
// drawn from, within three of its standard errors.
func TestSBGRecoversHeterogeneousSubscribers(t *testing.T) {
	const alpha, beta = 0.8, 3.0
	ledger := betaGeometricLedger(alpha, beta, 150, 7)
	code, out, errOut := runCmd(t, ledger, "report", "-subscriptions", "-", "-until", "2023-12-31", "-format", "json")
	rep := jsonReport(t, code, out, errOut)
	require.NotNil(t, rep.SBG, "no fit")
	f := rep.SBG
	assert.False(t, f.LastPeriodLeftOut, "-until is the last day of December")
	assert.False(t, f.AtBoundary)
	require.NotNil(t, f.Alpha)
	require.NotNil(t, f.AlphaStdErr)
	assert.InDelta(t, alpha, *f.Alpha, 3**f.AlphaStdErr)
	assert.InDelta(t, beta, *f.Beta, 3**f.BetaStdErr)
	assert.Equal(t, 23, f.Cohorts, "December's cohort has no full month yet")
	// S(1) = β/(α+β) = 0.789 for the truth; the fit's within a few points.
	assert.InDelta(t, beta/(alpha+beta), f.ProjectedSurvival[0], 0.02)
	// Retention rises with tenure: the sorting the model is about.
	for k := 1; k < 12; k++ {
		assert.Greater(t, f.RetentionRate[k], f.RetentionRate[k-1])
	}
}

// A fit that cannot be made leaves "sbg": null and one line in the text;
// the command still succeeds.
func TestSBGWithoutAFit(t *testing.T) {
	// By the end of February the January cohort has been observed for one
	// month: not enough to tell α from β.
	code, out, errOut := runCmd(t, ledgerCSV, "report", "-subscriptions", "-", "-until", "2024-02-29", "-format", "json")
	require.Equal(t, 0, code, errOut)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	assert.Equal(t, "null", string(raw["sbg"]))
	assert.NotEqual(t, "null", string(raw["subscription_cohorts"]))

	code, text, _ := runCmd(t, ledgerCSV, "report", "-subscriptions", "-", "-until", "2024-02-29")
	require.Equal(t, 0, code)
	assert.Contains(t, text, "\nSubscription retention (sBG): no fit: the cohorts are observed for one period only, which gives the churn probability at the first renewal but not alpha and beta apart; the model needs two\n")
	code, page, _ := runCmd(t, ledgerCSV, "report", "-subscriptions", "-", "-until", "2024-02-29", "-format", "html")
	require.Equal(t, 0, code)
	assert.Contains(t, page, "<p class=\"note\">No fit: the cohorts are observed for one period only")
	assert.NotContains(t, page, `id="sbg-chart"`)

	// Until in mid-March: March is cut short and left out, which leaves
	// one month again, and the line says so.
	code, text, _ = runCmd(t, ledgerCSV, "report", "-subscriptions", "-", "-until", "2024-03-15")
	require.Equal(t, 0, code)
	assert.Contains(t, text, "no fit: the cohorts are observed for one period only")
	assert.Contains(t, text, "(the last period, cut short at 2024-03-15T23:59:59Z, left out)")

	// Orders only: no subscriptions, no section.
	code, text, _ = runCmd(t, "customer_id,order_id,time,amount\na,1,2024-01-01,10\n", "report", "-orders", "-")
	require.Equal(t, 0, code)
	assert.NotContains(t, text, "sBG")
}
