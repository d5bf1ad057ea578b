package cxbeam

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// throughRegistry encodes v with the coder Beam's registry gives its type
// and decodes it again, as a runner does between stages.
func throughRegistry(t *testing.T, v any) any {
	t.Helper()
	typ := reflect.TypeOf(v)
	var buf bytes.Buffer
	require.NoError(t, beam.NewElementEncoder(typ).Encode(v, &buf))
	out, err := beam.NewElementDecoder(typ).Decode(&buf)
	require.NoError(t, err)
	return out
}

// sample returns one value of every type that crosses a stage, each with
// the unexported state a default struct coder would drop: decimals,
// accumulators with customers, tables and series with rows.
func sample(t *testing.T) []any {
	day := func(m time.Month, d int) time.Time { return time.Date(2024, m, d, 10, 0, 0, 0, time.UTC) }
	orders := []cxmetrics.Order{
		{CustomerID: "ann", ID: "o1", Time: day(1, 5), Amount: decimal.RequireFromString("10.25"), Currency: "EUR"},
		{CustomerID: "ann", ID: "o2", Time: day(3, 7), Amount: decimal.RequireFromString("20"), Currency: "EUR"},
		{CustomerID: "bob", ID: "o3", Time: day(2, 3), Amount: decimal.RequireFromString("-3.5"), Currency: "EUR"},
	}
	var stats cxmetrics.OrderStats
	var dedup cxmetrics.OrderDedup
	cohorts, err := cxmetrics.NewCohortBuilder(cxmetrics.CohortOptions{Location: time.FixedZone("+01:00", 3600)})
	require.NoError(t, err)
	for _, o := range orders {
		require.NoError(t, stats.Add(o))
		require.NoError(t, cohorts.Add(o))
		require.NoError(t, dedup.Add(o))
	}
	span := cxmetrics.SubscriptionSpan{CustomerID: "ann", SubscriptionID: "s1", Start: day(1, 1), End: day(4, 1),
		Amount: decimal.RequireFromString("49.90"), Interval: cxmetrics.BillingInterval{Unit: cxmetrics.Month, Count: 1}, Currency: "EUR"}
	mrr, err := cxmetrics.NewMRRBuilder(cxmetrics.MRROptions{})
	require.NoError(t, err)
	require.NoError(t, mrr.Add(span))
	nps := &cxmetrics.NPSTally{Promoters: 3, Passives: 1, Detractors: 2}
	var weighted cxmetrics.WeightedNPSTally
	wr := cxmetrics.WeightedResponse{Score: 9, Weight: decimal.RequireFromString("1.5")}
	require.NoError(t, weighted.Add(wr))
	csat, err := cxmetrics.NewScaleTally(cxmetrics.FivePoint)
	require.NoError(t, err)
	require.NoError(t, csat.Add(4))
	table, err := cohorts.Table()
	require.NoError(t, err)
	series, err := cohorts.SeriesThrough(1, day(5, 1))
	require.NoError(t, err)
	mrrSeries, err := mrr.Series()
	require.NoError(t, err)
	mrrCohorts, err := mrr.Cohorts()
	require.NoError(t, err)
	fig := NewFigures()
	fig.Orders = &OrderPart{Totals: stats.Totals(), Refunds: 1, Table: table, Series: series, Buckets: map[string]int64{"10.25": 1}}
	fig.Tiers = &Tiers{Thresholds: cxmetrics.TierThresholds{Medium: decimal.RequireFromString("10"), High: decimal.RequireFromString("20.5")},
		Summaries: [3]cxmetrics.TierSummary{{Tier: cxmetrics.LowAOV, Customers: 1, Orders: 2, Revenue: decimal.RequireFromString("30.25"), AOV: decimal.RequireFromString("15.125")}, {Tier: cxmetrics.MediumAOV}, {Tier: cxmetrics.HighAOV}}}
	fig.Candidates = map[string]int64{"15.125": 2}
	fig.MRR = &MRRPart{Currency: "EUR", Series: mrrSeries, Cohorts: mrrCohorts}
	fig.Latest = day(4, 1)
	fig.NPS, fig.CSAT, fig.CES = nps, csat, csat
	fig.Counts = map[string]int64{"order_rows": 3, "skipped_rows": -1}
	fig.Bad = []BadRow{{Phase: 0, File: "o.csv", Line: 3, Lines: 2, Rows: 1, Reason: "o.csv:3: amount", Counted: true}}
	fig.First = CurrencyMark{Phase: 0, Line: 2, Currency: "EUR"}
	return []any{
		orders[0], span, wr, &stats, cohorts, mrr, nps, &weighted, csat, &dedup, table, series, mrrSeries, stats.Totals(), fig,
		Located{Order: orders[2], File: "o.csv", Line: 4, Lines: 1, Rows: 3}, BadRow{Phase: 2, File: "s.csv", Line: 9, Lines: 1, Rows: 1, Reason: "s.csv:9: x"},
		Response{Metric: "ces", Score: 5, Line: 7},
		cxmetrics.RFMScore{CustomerID: "ann", RecencyScore: 5, FrequencyScore: 2, MonetaryScore: 3, LastPurchase: day(3, 7), Orders: 2, Revenue: decimal.RequireFromString("30.25")},
	}
}

// Every type that crosses a stage comes back equal through the coder
// Beam's registry gives it: no decimal arrives as 0, no accumulator as
// empty.
func TestCodersRoundTrip(t *testing.T) {
	for _, v := range sample(t) {
		t.Run(reflect.TypeOf(v).String(), func(t *testing.T) {
			got := throughRegistry(t, v)
			require.IsType(t, v, got)
			if m, ok := v.(interface{ MarshalBinary() ([]byte, error) }); ok {
				want, err := m.MarshalBinary()
				require.NoError(t, err)
				back, err := got.(interface{ MarshalBinary() ([]byte, error) }).MarshalBinary()
				require.NoError(t, err)
				assert.Equal(t, want, back, "same encoding after the trip")
				return
			}
			want, err := encodeAny(v)
			require.NoError(t, err)
			back, err := encodeAny(got)
			require.NoError(t, err)
			assert.Equal(t, want, back)
			assert.NotEmpty(t, want)
		})
	}
	// The figures, field by field: the decimals and accumulators inside.
	fig := throughRegistry(t, sample(t)[14]).(*Figures)
	assert.Equal(t, "30.25", fig.Tiers.Summaries[0].Revenue.String())
	assert.Equal(t, int64(2), fig.Orders.Totals.Orders)
	assert.Equal(t, "26.75", fig.Orders.Totals.Revenue.String())
	assert.Len(t, fig.Orders.Table.Rows, 1)
	assert.Equal(t, int64(6), fig.NPS.Responses())
	assert.Equal(t, "EUR", fig.First.Currency)
	order := throughRegistry(t, sample(t)[0]).(cxmetrics.Order)
	assert.Equal(t, "10.25", order.Amount.String())
}

// encodeAny encodes the types of this package and the inputs with their
// registered encoders, to compare values that hold decimals.
func encodeAny(v any) ([]byte, error) {
	switch x := v.(type) {
	case cxmetrics.Order:
		return encodeOrder(x)
	case cxmetrics.SubscriptionSpan:
		return encodeSpan(x)
	case cxmetrics.WeightedResponse:
		return encodeWeighted(x)
	case *Figures:
		return encodeFigures(x)
	case Located:
		return encodeLocated(x)
	case BadRow:
		return encodeBadRow(x)
	case Response:
		return encodeResponse(x)
	case cxmetrics.RFMScore:
		return encodeRFMScore(x)
	}
	return nil, nil
}

// A payload cut short is an error, never a panic or a zero value.
func TestDecodersRefuseTruncated(t *testing.T) {
	for _, v := range sample(t) {
		data, err := encodeAny(v)
		require.NoError(t, err)
		if data == nil {
			continue
		}
		for cut := 0; cut < len(data); cut++ {
			var err error
			switch v.(type) {
			case cxmetrics.Order:
				_, err = decodeOrder(data[:cut])
			case cxmetrics.SubscriptionSpan:
				_, err = decodeSpan(data[:cut])
			case cxmetrics.WeightedResponse:
				_, err = decodeWeighted(data[:cut])
			case *Figures:
				_, err = decodeFigures(data[:cut])
			case Located:
				_, err = decodeLocated(data[:cut])
			case BadRow:
				_, err = decodeBadRow(data[:cut])
			case Response:
				_, err = decodeResponse(data[:cut])
			case cxmetrics.RFMScore:
				_, err = decodeRFMScore(data[:cut])
			}
			assert.Error(t, err, "%T cut at %d", v, cut)
		}
	}
}

// The buckets keep the AOVs' order and hold four significant digits.
func TestBucketOf(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"0", "0"}, {"12.3456", "12.34"}, {"12.34", "12.34"}, {"9.99999", "9.999"}, {"123456", "123400"},
		{"-12.3456", "-12.34"}, {"0.000123456", "0.0001234"}, {"7", "7"},
	} {
		assert.Equal(t, tt.want, bucketOf(decimal.RequireFromString(tt.in)), tt.in)
	}
}
