package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The ledger of the library's hand-worked MRR example (mrr_test.go):
// January 130 (ann 30, bob 1200 a year), February +20 (cat), March ann
// upgrades to 50 and cat churns, April ann churns, May cat comes back.
const ledgerCSV = `customer_id,subscription_id,start,end,amount,interval,interval_count,currency
ann,a1,2024-01-10,2024-03-05,30,month,1,EUR
ann,a1,2024-03-05,2024-04-20,50,month,,EUR
bob,b1,2024-01-31,,1200,year,1,EUR
cat,c1,2024-02-01,2024-03-01,20,month,1,EUR
cat,c2,2024-05-03,,20,Month,1,EUR
dan,d1,2024-02-14,2024-02-20,12,week,1,EUR
`

func TestSubscriptionsInTheReport(t *testing.T) {
	code, out, errOut := runCmd(t, ledgerCSV, "report", "-subscriptions", "-", "-until", "2024-05-31", "-format", "json")
	require.Equal(t, 0, code, errOut)
	var raw struct {
		Inputs map[string]any `json:"inputs"`
		MRR    struct {
			Period, Until string
			Rows          []map[string]any `json:"rows"`
		} `json:"mrr"`
		Cohorts struct {
			Rows []map[string]any `json:"rows"`
		} `json:"subscription_cohorts"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	assert.Equal(t, float64(6), raw.Inputs["subscription_rows"])
	assert.Equal(t, "2024-05-31T23:59:59Z", raw.MRR.Until, "a date means the end of that day")
	require.Len(t, raw.MRR.Rows, 5)
	for _, k := range []string{"start", "mrr_at_start", "new", "expansion", "contraction", "churn", "reactivation", "mrr_at_end",
		"customers_at_start", "new_customers", "reactivated_customers", "churned_customers", "customers_at_end", "arpa", "quick_ratio"} {
		assert.Contains(t, raw.MRR.Rows[0], k)
	}
	mar := raw.MRR.Rows[2]
	assert.Equal(t, "150", mar["mrr_at_start"])
	assert.Equal(t, "20", mar["expansion"])
	assert.Equal(t, "20", mar["churn"])
	assert.Equal(t, "150", mar["mrr_at_end"])
	assert.Equal(t, "75", mar["arpa"])
	assert.Equal(t, "1", mar["quick_ratio"])
	assert.Nil(t, raw.MRR.Rows[0]["quick_ratio"], "January lost nothing")
	assert.Equal(t, "20", raw.MRR.Rows[4]["reactivation"])
	require.Len(t, raw.Cohorts.Rows, 2)
	assert.Equal(t, []any{float64(2), float64(2), float64(2), float64(1), float64(1)}, raw.Cohorts.Rows[0]["active"])

	code, out, _ = runCmd(t, ledgerCSV, "report", "-subscriptions", "-", "-until", "2024-05-31")
	require.Equal(t, 0, code)
	assert.Contains(t, squash(out), "MRR by month (at each month's end; the last at 2024-05-31T23:59:59Z)")
	assert.Contains(t, squash(out), "2024-03 150.00 0.00 20.00 0.00 0.00 20.00 150.00 2 75.00 1.00 100.0%")
	assert.Contains(t, out, "Subscription cohorts")
}

func TestBadSubscriptionRows(t *testing.T) {
	const header = "customer_id,subscription_id,start,end,amount,interval,interval_count\n"
	for _, c := range []struct{ row, want string }{
		{"a,s,2024-01-01,,10,fortnight,1", `interval "fortnight": not day, week, month, quarter or year`},
		{"a,s,2024-01-01,,10,month,0", `interval_count "0": not a whole number from 1`},
		{"a,s,2024-01-01,,-10,month,1", "has amount -10"},
		{"a,s,2024-02-01,2024-01-01,10,month,1", "before it starts"},
		{",s,2024-01-01,,10,month,1", "empty customer or subscription ID"},
		{"a,s,someday,,10,month,1", `start "someday": not RFC 3339`},
	} {
		code, _, errOut := runCmd(t, header+c.row+"\n", "report", "-subscriptions", "-")
		assert.Equal(t, 1, code, c.row)
		assert.Contains(t, errOut, "stdin:2: ", c.row)
		assert.Contains(t, errOut, c.want, c.row)
	}
	bad := header + "a,s,2024-01-01,,10,month,1\nb,t,2024-01-01,,x,month,1\n"
	code, out, errOut := runCmd(t, bad, "report", "-subscriptions", "-", "-skip-bad", "-format", "json")
	rep := jsonReport(t, code, out, errOut)
	assert.Equal(t, int64(1), rep.Inputs.SkippedRows)
	require.NotNil(t, rep.MRR)
	assert.Equal(t, "10", rep.MRR.Rows[0].MRRAtEnd.String())

	// Currencies: -currency leaves others out, -fx converts them at the
	// rate of the span's start.
	mixed := "customer_id,subscription_id,start,end,amount,interval,currency\n" +
		"a,s,2024-01-01,,10,month,EUR\nb,t,2024-01-05,,100,year,USD\n"
	code, out, errOut = runCmd(t, mixed, "report", "-subscriptions", "-", "-currency", "EUR", "-format", "json")
	rep = jsonReport(t, code, out, errOut)
	assert.Equal(t, int64(1), rep.Inputs.OtherCurrencySpans)
	assert.Equal(t, "10", rep.MRR.Rows[0].MRRAtEnd.String())
	fx := writeFile(t, "fx.csv", "date,currency,rate\n2024-01-01,USD,0.9\n")
	code, out, errOut = runCmd(t, mixed, "report", "-subscriptions", "-", "-currency", "EUR", "-fx", fx, "-format", "json")
	rep = jsonReport(t, code, out, errOut)
	// 10 + 100 × 0.9 / 12 = 17.5
	assert.Equal(t, "17.5", rep.MRR.Rows[0].MRRAtEnd.String())
	code, _, errOut = runCmd(t, mixed, "report", "-subscriptions", "-")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "stdin:3: currency \"USD\" after \"EUR\"")
	code, _, errOut = runCmd(t, ledgerCSV, "report", "-subscriptions", "-", "-until", "someday")
	assert.Equal(t, 2, code)
	assert.True(t, strings.HasPrefix(errOut, `cxmetrics: -until "someday"`), errOut)
}
