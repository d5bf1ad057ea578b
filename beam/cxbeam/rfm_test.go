package cxbeam

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func init() { register.Function1x1(rfmString) }

// rfmString writes a score for comparisons.
func rfmString(v cxmetrics.RFMScore) string {
	return v.CustomerID + " " + strconv.Itoa(v.RecencyScore) + strconv.Itoa(v.FrequencyScore) + strconv.Itoa(v.MonetaryScore) +
		" " + v.LastPurchase.Format(time.RFC3339Nano) + " " + strconv.FormatInt(v.Orders, 10) + " " + v.Revenue.String()
}

// The RFM scores over shards are cxmetrics.RFM's over all the orders at
// once, customer by customer, with many ties (frequencies are small
// counts, some customers share their last purchase), lifted and unlifted.
func TestRFMEqualsLibrary(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 33))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var orders []cxmetrics.Order
	var stats cxmetrics.OrderStats
	for i := 0; i < 3000; i++ {
		cents := 100 + r.Int64N(40000)
		if r.IntN(15) == 0 {
			cents = -cents / 5
		}
		o := cxmetrics.Order{CustomerID: fmt.Sprint("c", r.IntN(700)), Time: base.Add(time.Duration(r.IntN(300)) * 24 * time.Hour),
			Amount: decimal.New(cents, -2)}
		orders = append(orders, o)
		require.NoError(t, stats.Add(o))
	}
	asOf := base.AddDate(1, 0, 0)
	for _, bins := range []int{5, 3} {
		scores, err := cxmetrics.RFM(&stats, asOf, bins)
		require.NoError(t, err)
		var want []any
		for _, s := range scores {
			want = append(want, rfmString(s))
		}
		for _, unlifted := range []bool{false, true} {
			t.Run(fmt.Sprintf("bins=%d unlifted=%v", bins, unlifted), func(t *testing.T) {
				p, s := beam.NewPipelineWithRoot()
				got := RFM(s, beam.CreateList(s, orders), asOf, bins, Options{Shards: 6, Unlifted: unlifted})
				passert.Equals(s, beam.ParDo(s, rfmString, got), want...)
				require.NoError(t, ptest.Run(p))
			})
		}
	}
	p, s := beam.NewPipelineWithRoot()
	RFM(s, beam.CreateList(s, orders), base, 5, Options{})
	require.Error(t, ptest.Run(p), "purchases after the RFM date")
}
