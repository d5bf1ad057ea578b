package cxmetrics

import (
	"encoding"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zone tests never skip for want of a zone database

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// accumulator is the contract every accumulator meets (see the package
// doc). The assertions below fail to compile when one stops meeting it.
type accumulator[In, A any] interface {
	*A
	Add(In) error
	Merge(*A) error
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
	json.Marshaler
	json.Unmarshaler
}

var (
	_ = contract[int, NPSTally, *NPSTally]
	_ = contract[WeightedResponse, WeightedNPSTally, *WeightedNPSTally]
	_ = contract[int, ScaleTally, *ScaleTally]
	_ = contract[Order, OrderStats, *OrderStats]
	_ = contract[Order, CohortBuilder, *CohortBuilder]
	_ = contract[Order, OrderDedup, *OrderDedup]
	_ = contract[SubscriptionSpan, MRRBuilder, *MRRBuilder]
)

// contractCase describes one accumulator type to the generic contract test.
type contractCase[In, A any] struct {
	// record returns a valid record for an accumulator with the default
	// configuration.
	record func(r *rand.Rand) In
	// bad are records Add must reject on a non-empty default accumulator.
	bad []In
	// figures renders every figure the accumulator reports, to compare
	// accumulators by what a caller can see.
	figures func(*A) string
	// defaulted returns an empty accumulator built with the documented
	// default configuration, which the zero value must equal.
	defaulted func() *A
	// other returns a non-empty accumulator with a configuration other than
	// the default, with the sentinel a merge with a non-empty default one
	// gives; nil for types without configuration.
	other func() (*A, error)
	// otherEmpty returns an empty accumulator configured like other's.
	otherEmpty func() *A
}

func contract[In, A any, P accumulator[In, A]](t *testing.T, c contractCase[In, A]) {
	r := rand.New(rand.NewPCG(7, 8))
	build := func(t *testing.T, n int) *A {
		a := new(A)
		for i := 0; i < n; i++ {
			require.NoError(t, P(a).Add(c.record(r)))
		}
		return a
	}
	encodings := func(t *testing.T, a *A) (string, string) {
		b, err := P(a).MarshalBinary()
		require.NoError(t, err)
		j, err := P(a).MarshalJSON()
		require.NoError(t, err)
		return string(b), string(j)
	}
	same := func(t *testing.T, want, got *A, msg string) {
		t.Helper()
		assert.Equal(t, c.figures(want), c.figures(got), msg)
		wb, wj := encodings(t, want)
		gb, gj := encodings(t, got)
		assert.Equal(t, wb, gb, msg+" (binary)")
		assert.Equal(t, wj, gj, msg+" (JSON)")
	}
	decoded := func(t *testing.T, a *A) (*A, *A) {
		b, j := encodings(t, a)
		fromBinary, fromJSON := new(A), new(A)
		require.NoError(t, P(fromBinary).UnmarshalBinary([]byte(b)))
		require.NoError(t, P(fromJSON).UnmarshalJSON([]byte(j)))
		return fromBinary, fromJSON
	}

	t.Run("zero value is the documented default", func(t *testing.T) {
		var zero A
		same(t, c.defaulted(), &zero, "empty")
		records := make([]In, 20)
		for i := range records {
			records[i] = c.record(r)
		}
		a, b := c.defaulted(), new(A)
		for _, rec := range records {
			require.NoError(t, P(a).Add(rec))
			require.NoError(t, P(b).Add(rec))
		}
		same(t, a, b, "after the same records")
	})

	t.Run("a rejected record leaves the accumulator unchanged", func(t *testing.T) {
		a := build(t, 10)
		before, _ := decoded(t, a)
		for _, rec := range c.bad {
			assert.Error(t, P(a).Add(rec), "%+v", rec)
			same(t, before, a, fmt.Sprintf("after rejecting %+v", rec))
		}
	})

	t.Run("merge of nil, empty and self", func(t *testing.T) {
		a := build(t, 15)
		before, _ := decoded(t, a)
		require.NoError(t, P(a).Merge(nil))
		same(t, before, a, "nil")
		require.NoError(t, P(a).Merge(new(A)))
		same(t, before, a, "empty")
		if c.otherEmpty != nil {
			require.NoError(t, P(a).Merge(c.otherEmpty()), "an empty one with another configuration")
			same(t, before, a, "empty with another configuration")
		}
		twice, _ := decoded(t, a)
		require.NoError(t, P(twice).Merge(before))
		require.NoError(t, P(a).Merge(a))
		same(t, twice, a, "a.Merge(a) counts everything twice")
	})

	if c.other != nil {
		t.Run("configuration on merge", func(t *testing.T) {
			configured, sentinel := c.other()
			empty := new(A)
			require.NoError(t, P(empty).Merge(configured))
			same(t, configured, empty, "an empty accumulator adopts the configuration")
			configuredEmpty := c.otherEmpty()
			require.NoError(t, P(configuredEmpty).Merge(configured))
			same(t, configured, configuredEmpty, "so does an empty configured one")

			a := build(t, 10)
			before, _ := decoded(t, a)
			assert.ErrorIs(t, P(a).Merge(configured), sentinel)
			same(t, before, a, "a failed merge leaves a unchanged")
			other, _ := c.other()
			assert.ErrorIs(t, P(other).Merge(a), sentinel)
		})
	}

	t.Run("encodings round-trip", func(t *testing.T) {
		for _, n := range []int{0, 1, 40} {
			a := build(t, n)
			fromBinary, fromJSON := decoded(t, a)
			same(t, a, fromBinary, "binary")
			same(t, a, fromJSON, "JSON")
			if c.other != nil {
				o, _ := c.other()
				fromBinary, fromJSON := decoded(t, o)
				same(t, o, fromBinary, "binary, other configuration")
				same(t, o, fromJSON, "JSON, other configuration")
			}
		}
	})

	t.Run("merge order on random shards", func(t *testing.T) {
		for trial := 0; trial < 30; trial++ {
			records := make([]In, r.IntN(60))
			for i := range records {
				records[i] = c.record(r)
			}
			whole := new(A)
			shards := make([]A, 1+r.IntN(5))
			for _, rec := range records {
				require.NoError(t, P(whole).Add(rec))
				require.NoError(t, P(&shards[r.IntN(len(shards))]).Add(rec))
			}
			for _, viaBinary := range []bool{false, true} {
				merged := new(A)
				for _, k := range r.Perm(len(shards)) {
					part := &shards[k]
					if viaBinary {
						part, _ = decoded(t, part)
					}
					require.NoError(t, P(merged).Merge(part))
				}
				same(t, whole, merged, "merged shards")
			}
		}
	})
}

func TestAccumulatorContract(t *testing.T) {
	ces := func() *ScaleTally { s, _ := NewScaleTally(SevenPointCES); return s }
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	order := func(r *rand.Rand) Order {
		cents := int64(r.IntN(20000))
		if r.IntN(8) == 0 {
			cents = -cents
		}
		return Order{
			ID: fmt.Sprint(r.IntN(1000)), CustomerID: fmt.Sprintf("c%d", r.IntN(12)),
			Time:   base.Add(time.Duration(r.IntN(400*24)) * time.Hour),
			Amount: decimal.New(cents, -int32(r.IntN(4))),
		}
	}
	badOrders := []Order{
		{CustomerID: "", Time: base, Amount: dec("1")},
		{CustomerID: "a", Amount: dec("1")},
		{CustomerID: "a", Time: base, Amount: dec("1"), Currency: "EUR"},
		{CustomerID: "a", Time: base, Amount: dec("1e2000")},
		{CustomerID: "a", Time: base, Amount: dec("1.00000000000000000000000000000000000000000001")},
	}
	inEUR := func(n int) func() (*OrderStats, error) {
		return func() (*OrderStats, error) {
			var s OrderStats
			for i := 0; i < n; i++ {
				_ = s.Add(Order{CustomerID: "eu", Time: base, Amount: dec("3"), Currency: "EUR"})
			}
			return &s, ErrCurrencyMismatch
		}
	}

	t.Run("NPSTally", func(t *testing.T) {
		contract[int, NPSTally](t, contractCase[int, NPSTally]{
			record:    func(r *rand.Rand) int { return r.IntN(11) },
			bad:       []int{-1, 11, 1 << 40},
			figures:   func(a *NPSTally) string { return npsFigures(a) },
			defaulted: func() *NPSTally { return &NPSTally{} },
		})
	})
	t.Run("WeightedNPSTally", func(t *testing.T) {
		contract[WeightedResponse, WeightedNPSTally](t, contractCase[WeightedResponse, WeightedNPSTally]{
			record: func(r *rand.Rand) WeightedResponse {
				return WeightedResponse{Score: r.IntN(11), Weight: decimal.New(int64(r.IntN(500)), -int32(r.IntN(3)))}
			},
			bad: []WeightedResponse{{Score: 11, Weight: dec("1")}, {Score: 5, Weight: dec("-1")},
				{Score: 5, Weight: dec("1e1001")}, {Score: 5, Weight: dec("1e-1001")}},
			figures:   func(a *WeightedNPSTally) string { return weightedFigures(a) },
			defaulted: func() *WeightedNPSTally { return &WeightedNPSTally{} },
		})
	})
	t.Run("ScaleTally", func(t *testing.T) {
		contract[int, ScaleTally](t, contractCase[int, ScaleTally]{
			record:  func(r *rand.Rand) int { return 1 + r.IntN(5) },
			bad:     []int{0, 6, -7},
			figures: func(a *ScaleTally) string { return scaleFigures(a) },
			defaulted: func() *ScaleTally {
				s, _ := NewScaleTally(FivePoint)
				return s
			},
			other: func() (*ScaleTally, error) {
				s := ces()
				_ = s.Add(7)
				_ = s.Add(2)
				return s, ErrInconsistent
			},
			otherEmpty: ces,
		})
	})
	t.Run("OrderStats", func(t *testing.T) {
		contract[Order, OrderStats](t, contractCase[Order, OrderStats]{
			record:     order,
			bad:        badOrders,
			figures:    statsFigures,
			defaulted:  func() *OrderStats { return &OrderStats{} },
			other:      inEUR(3),
			otherEmpty: func() *OrderStats { s, _ := inEUR(0)(); return s },
		})
	})
	t.Run("OrderDedup", func(t *testing.T) {
		contract[Order, OrderDedup](t, contractCase[Order, OrderDedup]{
			record: func(r *rand.Rand) Order {
				// Few IDs, and each ID's content follows from it, so records
				// repeat without conflicting.
				id := r.IntN(40)
				return Order{ID: fmt.Sprint("o", id), CustomerID: fmt.Sprint("c", id%7), Time: base.Add(time.Duration(id) * time.Hour),
					Amount: decimal.New(int64(id*137-900), -2)}
			},
			bad:       append(badOrders, Order{CustomerID: "c0", Time: base, Amount: dec("1")}), // and no ID
			figures:   func(a *OrderDedup) string { return fmt.Sprint(a.Orders(), a.Duplicates()) },
			defaulted: func() *OrderDedup { return &OrderDedup{} },
		})
	})
	t.Run("MRRBuilder", func(t *testing.T) {
		span := func(r *rand.Rand) SubscriptionSpan {
			s := SubscriptionSpan{CustomerID: fmt.Sprint("c", r.IntN(9)), SubscriptionID: fmt.Sprint("s", r.IntN(3)),
				Start: base.Add(time.Duration(r.IntN(300*24)) * time.Hour), Amount: decimal.New(int64(r.IntN(99999)), -2),
				Interval: BillingInterval{Period(r.IntN(5)), 1 + r.IntN(2)}}
			if r.IntN(3) > 0 {
				s.End = s.Start.Add(time.Duration(r.IntN(200*24)) * time.Hour)
			}
			return s
		}
		weekly := func(n int) *MRRBuilder {
			b, _ := NewMRRBuilder(MRROptions{Period: Week, Location: berlin, Until: base.AddDate(1, 0, 0)})
			for i := 0; i < n; i++ {
				_ = b.Add(SubscriptionSpan{CustomerID: "w", SubscriptionID: "x", Start: base.AddDate(0, 0, 9*i), Amount: dec("9"), Interval: BillingInterval{Month, 1}})
			}
			return b
		}
		contract[SubscriptionSpan, MRRBuilder](t, contractCase[SubscriptionSpan, MRRBuilder]{
			record: span,
			bad: []SubscriptionSpan{{CustomerID: "c", Start: base, Amount: one, Interval: BillingInterval{Month, 1}},
				{CustomerID: "c", SubscriptionID: "s", Start: base, Amount: dec("-1"), Interval: BillingInterval{Month, 1}},
				{CustomerID: "c", SubscriptionID: "s", Start: base, Amount: one, Interval: BillingInterval{Month, 0}},
				{CustomerID: "c", SubscriptionID: "s", Start: base, Amount: one, Interval: BillingInterval{Month, 1}, Currency: "EUR"}},
			figures:    mrrFigures,
			defaulted:  func() *MRRBuilder { b, _ := NewMRRBuilder(MRROptions{}); return b },
			other:      func() (*MRRBuilder, error) { return weekly(4), ErrInconsistent },
			otherEmpty: func() *MRRBuilder { return weekly(0) },
		})
	})
	t.Run("CohortBuilder", func(t *testing.T) {
		weekly := func(n int) *CohortBuilder {
			b, _ := NewCohortBuilder(CohortOptions{Period: Week, Location: berlin})
			for i := 0; i < n; i++ {
				_ = b.Add(Order{CustomerID: "w", Time: base.AddDate(0, 0, 9*i), Amount: dec("2")})
			}
			return b
		}
		contract[Order, CohortBuilder](t, contractCase[Order, CohortBuilder]{
			record:  order,
			bad:     append(badOrders, Order{CustomerID: "a", Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Amount: dec("1")}),
			figures: cohortFigures,
			defaulted: func() *CohortBuilder {
				b, _ := NewCohortBuilder(CohortOptions{Period: Month, Location: time.UTC})
				return b
			},
			other:      func() (*CohortBuilder, error) { return weekly(4), ErrInconsistent },
			otherEmpty: func() *CohortBuilder { return weekly(0) },
		})
	})
}

// The figures functions render what a caller can read from each
// accumulator, errors included.
func npsFigures(a *NPSTally) string {
	s, err := a.Score()
	se, err2 := a.StandardError()
	lo, hi, err3 := a.ConfidenceInterval(0.9)
	return fmt.Sprint(a.Responses(), *a, s, err, se, err2, lo, hi, err3)
}

func weightedFigures(a *WeightedNPSTally) string {
	s, err := a.Score()
	se, err2 := a.StandardError()
	return fmt.Sprint(a.Responses(), a.TotalWeight(), s, err, se, err2, a.EffectiveN())
}

func scaleFigures(a *ScaleTally) string {
	m, err := a.Mean()
	p, err2 := a.PositiveShare()
	return fmt.Sprint(a.Scale(), a.Responses(), a.Distribution(), m, err, p, err2)
}

func statsFigures(a *OrderStats) string {
	var b strings.Builder
	aov, err := a.AOV()
	rpr, err2 := a.RepeatPurchaseRate()
	fmt.Fprint(&b, a.Currency(), a.Revenue(), a.Orders(), a.Customers(), aov, err, rpr, err2)
	for _, s := range a.Summaries() {
		fmt.Fprint(&b, s.CustomerID, s.Orders, s.Revenue, s.First.UTC(), s.Last.UTC())
	}
	return b.String()
}

func cohortFigures(a *CohortBuilder) string {
	t, err := a.Table()
	if err != nil {
		return fmt.Sprint(a.Options().Period, a.Options().location(), a.Currency(), err)
	}
	var b strings.Builder
	fmt.Fprint(&b, t.Period, t.Location, a.Currency(), t.Unattributed)
	for _, r := range t.Rows {
		fmt.Fprint(&b, r.Start, r.Size, r.Active, r.Revenue)
	}
	return b.String()
}

func mrrFigures(a *MRRBuilder) string {
	s, err := a.Series()
	if err != nil {
		return fmt.Sprint(a.Options().Period, a.zoneID(), a.Currency(), err)
	}
	var b strings.Builder
	fmt.Fprint(&b, s.Period, s.Location, s.Until, a.Currency())
	for _, r := range s.Rows {
		fmt.Fprint(&b, r)
	}
	c, err := a.Cohorts()
	fmt.Fprint(&b, err)
	if err == nil {
		for _, r := range c.Rows {
			fmt.Fprint(&b, r.Start, r.Size, r.Active, r.Revenue)
		}
	}
	return b.String()
}
