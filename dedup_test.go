package cxmetrics

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCombineLines(t *testing.T) {
	at := time.Date(2011, 5, 6, 10, 0, 0, 0, time.UTC)
	a := Order{ID: "542806", CustomerID: "17850", Time: at, Amount: dec("15.30"), Currency: "GBP"}
	b := Order{ID: "542806", CustomerID: "17850", Time: at.Add(-time.Minute), Amount: dec("-2.55"), Currency: "GBP"}
	c := Order{ID: "542806", CustomerID: "17850", Time: at.Add(time.Hour), Amount: dec("0.005"), Currency: "GBP"}
	ab, err := CombineLines(a, b)
	require.NoError(t, err)
	// 15.30 - 2.55 = 12.75, at the earlier line's time
	assertDecimal(t, "12.75", ab.Amount)
	assert.True(t, ab.Time.Equal(b.Time))
	// Any order and grouping gives the same order.
	x, _ := CombineLines(ab, c)
	bc, _ := CombineLines(b, c)
	y, _ := CombineLines(a, bc)
	z, _ := CombineLines(c, ab)
	for _, o := range []Order{x, y, z} {
		assertDecimal(t, "12.755", o.Amount)
		assert.True(t, o.Time.Equal(b.Time))
		assert.Equal(t, "17850", o.CustomerID)
	}
	for _, bad := range []Order{
		{ID: "542807", CustomerID: "17850", Time: at, Amount: one, Currency: "GBP"},
		{ID: "542806", CustomerID: "13047", Time: at, Amount: one, Currency: "GBP"},
		{ID: "542806", CustomerID: "17850", Time: at, Amount: one, Currency: "EUR"},
	} {
		_, err := CombineLines(a, bad)
		assert.ErrorIs(t, err, ErrInconsistent)
		assert.Contains(t, err.Error(), `order "542806" (customer "17850"`, "names both lines")
	}
	_, err = CombineLines(a, Order{ID: "542806", CustomerID: "17850", Amount: one, Currency: "GBP"})
	assert.ErrorIs(t, err, ErrInconsistent, "a zero time")
}

func TestOrderDedup(t *testing.T) {
	at := time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)
	o := Order{ID: "A-1", CustomerID: "ann", Time: at, Amount: dec("19.90"), Currency: "EUR"}
	var d OrderDedup
	dup, first, err := d.SeenAt(o, 7)
	require.NoError(t, err)
	assert.False(t, dup)
	assert.Equal(t, int64(7), first)

	// The same order again, written differently: same instant in another
	// zone, same amount with another scale.
	again := o
	again.Time = at.In(time.FixedZone("", 3600))
	again.Amount = dec("19.9000")
	dup, first, err = d.SeenAt(again, 12)
	require.NoError(t, err)
	assert.True(t, dup)
	assert.Equal(t, int64(7), first, "the first delivery's position")
	// Written with more digits than int64 units hold, the amount is still
	// 19.90: a re-delivery, not other content.
	again.Amount = dec("19.900000000000000000000000")
	dup, first, err = d.SeenAt(again, 13)
	require.NoError(t, err)
	assert.True(t, dup)
	assert.Equal(t, int64(7), first)

	for _, c := range []struct {
		name string
		edit func(*Order)
	}{
		{"customer", func(o *Order) { o.CustomerID = "bob" }},
		{"time", func(o *Order) { o.Time = o.Time.Add(time.Nanosecond) }},
		{"amount", func(o *Order) { o.Amount = dec("19.91") }},
		{"currency", func(o *Order) { o.Currency = "USD" }},
	} {
		other := o
		c.edit(&other)
		before, _ := d.MarshalBinary()
		_, first, err := d.SeenAt(other, 99)
		assert.ErrorIs(t, err, ErrInconsistent, c.name)
		assert.Equal(t, int64(7), first, c.name)
		assert.Contains(t, err.Error(), `order "A-1" delivered again with other content: first customer "ann"`)
		after, _ := d.MarshalBinary()
		assert.Equal(t, before, after, "unchanged on error")
	}
	_, err = d.Seen(Order{CustomerID: "ann", Time: at, Amount: one})
	assert.ErrorIs(t, err, ErrInconsistent, "no ID")
	_, _, err = d.SeenAt(Order{ID: "B", CustomerID: "ann", Time: at, Amount: one}, -1)
	assert.ErrorIs(t, err, ErrNegative)
	assert.Equal(t, int64(1), d.Orders())
	assert.Equal(t, int64(2), d.Duplicates())

	// Extremes: an ID too long for a chunk of the arena (the record is
	// kept on its own), a time outside the nanosecond range of int64, an
	// amount of 40 digits (beyond int64 units), a position past 2^32.
	long := Order{ID: strings.Repeat("x", 70000), CustomerID: "c", Time: time.Date(1066, 10, 14, 0, 0, 0, 0, time.UTC),
		Amount: dec("1234567890123456789012345678901234567.891"), Currency: "JPY"}
	dup, _, err = d.SeenAt(long, 1<<40)
	require.NoError(t, err)
	assert.False(t, dup)
	dup, first, err = d.SeenAt(long, 1<<41)
	require.NoError(t, err)
	assert.True(t, dup)
	assert.Equal(t, int64(1<<40), first)
	for _, enc := range []func() ([]byte, error){d.MarshalJSON, d.MarshalBinary} {
		data, err := enc()
		require.NoError(t, err)
		var back OrderDedup
		decodeEither(t, data, &back)
		dup, first, err := back.SeenAt(long, 5)
		require.NoError(t, err)
		assert.True(t, dup)
		assert.Equal(t, int64(5), first, "an earlier delivery lowers the first position")
	}
}

// Property: against a plain map of every order seen, the dedup answers
// the same for every delivery, over hash-table growth, and merging shards in
// any order gives the same dedup.
func TestOrderDedupMatchesMap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 33))
	for trial := 0; trial < 20; trial++ {
		var d OrderDedup
		seen := map[string]Order{}
		shards := make([]OrderDedup, 1+r.IntN(4))
		var orders []Order
		for i := 0; i < 3000; i++ {
			id := fmt.Sprint(r.IntN(1500))
			o := Order{ID: id, CustomerID: "c" + id[:1], Time: time.Unix(int64(len(id))*1000, 0), Amount: decimal.New(int64(len(id)), -1)}
			if r.IntN(50) == 0 {
				o.Amount = o.Amount.Add(one) // a conflicting re-delivery
			}
			want, ok := seen[id]
			dup, err := d.Seen(o)
			switch {
			case !ok:
				require.NoError(t, err)
				assert.False(t, dup)
				seen[id] = o
				orders = append(orders, o)
			case want.Amount.Equal(o.Amount):
				require.NoError(t, err)
				assert.True(t, dup)
				orders = append(orders, o)
			default:
				assert.ErrorIs(t, err, ErrInconsistent)
			}
		}
		assert.Equal(t, int64(len(seen)), d.Orders())
		for _, o := range orders {
			require.NoError(t, shards[r.IntN(len(shards))].Add(o))
		}
		var merged OrderDedup
		for _, k := range r.Perm(len(shards)) {
			require.NoError(t, merged.Merge(&shards[k]))
		}
		a, _ := merged.MarshalBinary()
		b, _ := d.MarshalBinary()
		assert.Equal(t, b, a)
	}
}

func TestRateTableAndConvert(t *testing.T) {
	rates, err := NewRateTable("EUR", nil)
	require.NoError(t, err)
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	require.NoError(t, rates.Add(day("2024-01-01"), "USD", dec("0.91")))
	require.NoError(t, rates.Add(day("2024-02-01"), "USD", dec("0.925")))
	require.NoError(t, rates.Add(day("2024-01-15"), "GBP", dec("1.1632")))
	require.NoError(t, rates.Add(day("2024-01-01"), "USD", dec("0.910")), "the same rate again")
	assert.ErrorIs(t, rates.Add(day("2024-01-01"), "USD", dec("0.92")), ErrInconsistent)
	assert.ErrorIs(t, rates.Add(day("2024-01-01"), "JPX", dec("1")), ErrUnknownCurrency)
	assert.ErrorIs(t, rates.Add(day("2024-01-01"), "USD", dec("0")), ErrOutOfRange)
	assert.ErrorIs(t, rates.Add(day("2024-01-01"), "USD", dec("-1")), ErrNegative)
	assert.ErrorIs(t, rates.Add(day("2024-01-01"), "EUR", dec("1.1")), ErrInconsistent)
	require.NoError(t, rates.Add(day("2024-01-01"), "EUR", one))

	for _, c := range []struct {
		time, currency, amount, want string
		err                          error
	}{
		// 100 × 0.91, January's rate, exact
		{"2024-01-31T23:59:59Z", "USD", "100.00", "91", nil},
		// from February 1 on, 0.925: 19.99 × 0.925 = 18.49075, not rounded
		{"2024-02-01T00:00:00Z", "USD", "19.99", "18.49075", nil},
		{"2024-06-30T12:00:00Z", "USD", "-10", "-9.25", nil},
		{"2024-03-01T00:00:00Z", "EUR", "12.34", "12.34", nil},
		{"2023-12-31T23:00:00Z", "USD", "1", "", ErrNoData},
		{"2024-01-14T00:00:00Z", "GBP", "1", "", ErrNoData},
		{"2024-01-14T00:00:00Z", "CHF", "1", "", ErrNoData},
		{"2024-01-14T00:00:00Z", "", "1", "", ErrUnknownCurrency},
	} {
		tm, _ := time.Parse(time.RFC3339, c.time)
		o := Order{ID: "x", CustomerID: "a", Time: tm, Amount: dec(c.amount), Currency: c.currency}
		got, err := Convert(o, rates)
		if c.err != nil {
			assert.ErrorIs(t, err, c.err, "%+v", c)
			continue
		}
		require.NoError(t, err, "%+v", c)
		assertDecimal(t, c.want, got.Amount)
		assert.Equal(t, "EUR", got.Currency)
		assert.Equal(t, c.currency, o.Currency, "the caller's order is not modified")
	}
	_, err = Convert(Order{ID: "y", CustomerID: "a", Time: day("2024-01-14"), Amount: one, Currency: "GBP"}, rates)
	assert.EqualError(t, err, `cxmetrics: order "y": no rate of "GBP" into EUR on 2024-01-14: the first is dated 2024-01-15: no data`)
	_, err = Convert(Order{CustomerID: "a", Time: day("2024-05-01"), Amount: dec("1234567890123456789012345678901234567.89"), Currency: "USD"}, rates)
	assert.ErrorIs(t, err, ErrOutOfRange, "a product beyond 40 digits")
	_, err = Convert(Order{CustomerID: "a", Time: day("2024-05-01"), Amount: one, Currency: "USD"}, nil)
	assert.ErrorIs(t, err, ErrNoData)

	// Dates are days in the table's zone: 23:30 UTC on January 31 is
	// February 1 in Berlin.
	berlin, _ := time.LoadLocation("Europe/Berlin")
	inBerlin, err := NewRateTable("EUR", berlin)
	require.NoError(t, err)
	require.NoError(t, inBerlin.Add(time.Date(2024, 1, 1, 0, 0, 0, 0, berlin), "USD", dec("0.91")))
	require.NoError(t, inBerlin.Add(time.Date(2024, 2, 1, 0, 0, 0, 0, berlin), "USD", dec("0.925")))
	rate, eff, err := inBerlin.Lookup("USD", time.Date(2024, 1, 31, 23, 30, 0, 0, time.UTC))
	require.NoError(t, err)
	assertDecimal(t, "0.925", rate)
	assert.Equal(t, "2024-02-01T00:00:00+01:00", eff.Format(time.RFC3339))
	_, err = NewRateTable("XXX", nil)
	assert.ErrorIs(t, err, ErrUnknownCurrency)
}

// FuzzOrderDedup feeds deliveries drawn from the fuzzer's bytes (IDs and
// customers from empty-ish to long, times outside the nanosecond range,
// amounts beyond int64 units, positions) to an OrderDedup and checks every
// answer against a map of the first delivery of each ID, then its binary
// round trip and its merge from two shards.
func FuzzOrderDedup(f *testing.F) {
	f.Add([]byte("abcabcxyz\x00\x01\x02\xff"), uint8(3))
	f.Add([]byte(strings.Repeat("q", 300)), uint8(200))
	f.Fuzz(func(t *testing.T, data []byte, spread uint8) {
		var d, shardA, shardB OrderDedup
		seen := map[string]Order{}
		first := map[string]int64{}
		times := []time.Time{time.Unix(5, 7), time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2300, 1, 1, 0, 0, 0, 1, time.UTC)}
		amounts := []decimal.Decimal{decimal.New(5, -2), decimal.RequireFromString("123456789012345678901234"), decimal.New(-3, 0), decimal.New(50, -3),
			decimal.RequireFromString("0.0500000000000000000000")} // 0.05 in more digits than int64 units hold
		for i := 0; i+3 <= len(data); i += 3 {
			a, b, c := data[i], data[i+1], data[i+2]
			id := fmt.Sprintf("o%d", int(a)%(1+int(spread)))
			if a%7 == 0 {
				id += strings.Repeat("L", int(b)*300)
			}
			o := Order{ID: id, CustomerID: fmt.Sprintf("c%d", b%3), Time: times[int(c)%len(times)], Amount: amounts[int(c>>2)%len(amounts)]}
			at := int64(c) * int64(1+int(b)) << (b % 40)
			dup, pos, err := d.SeenAt(o, at)
			want, ok := seen[id]
			switch {
			case !ok:
				require.NoError(t, err)
				require.False(t, dup)
				seen[id], first[id] = o, at
			case want.CustomerID == o.CustomerID && want.Time.Equal(o.Time) && want.Amount.Equal(o.Amount):
				require.NoError(t, err)
				require.True(t, dup)
				first[id] = min(first[id], at)
				require.Equal(t, first[id], pos)
			default:
				require.ErrorIs(t, err, ErrInconsistent)
				require.Equal(t, first[id], pos)
				continue
			}
			shard := &shardA
			if c%2 == 1 {
				shard = &shardB
			}
			_, _, err = shard.SeenAt(o, at)
			require.NoError(t, err)
		}
		require.Equal(t, int64(len(seen)), d.Orders())
		data1, err := d.MarshalBinary()
		require.NoError(t, err)
		var back OrderDedup
		require.NoError(t, back.UnmarshalBinary(data1))
		data2, _ := back.MarshalBinary()
		require.Equal(t, data1, data2)
		require.NoError(t, shardA.Merge(&shardB))
		merged, _ := shardA.MarshalBinary()
		require.Equal(t, data1, merged, "two shards merged are the dedup of all deliveries")
	})
}

// Two IDs whose 32-bit hash tags are equal probe the same slots: the dedup
// must tell them apart by comparing the IDs in full, never report one as a
// duplicate (or a conflict) of the other.
func TestOrderDedupTagCollision(t *testing.T) {
	var d OrderDedup
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := d.Seen(Order{ID: "seed", CustomerID: "c", Time: at, Amount: one}) // sets the seed
	require.NoError(t, err)
	// Birthday search: among 2^20 IDs, two 32-bit tags agree with
	// probability 1 - e^-128.
	byTag := make(map[uint32]string, 1<<20)
	var a, b string
	for i := 0; i < 1<<20 && a == ""; i++ {
		id := fmt.Sprintf("order-%d", i)
		tag := uint32(maphash.String(d.seed, id) >> 32)
		if prev, ok := byTag[tag]; ok {
			a, b = prev, id
		}
		byTag[tag] = id
	}
	require.NotEmpty(t, a, "no two IDs share a tag")
	orderA := Order{ID: a, CustomerID: "ann", Time: at, Amount: dec("10")}
	orderB := Order{ID: b, CustomerID: "bob", Time: at.Add(time.Hour), Amount: dec("20")}
	for _, c := range []struct {
		o    Order
		at   int64
		dup  bool
		from int64
	}{
		{orderA, 1, false, 0},
		{orderB, 2, false, 0}, // same tag, another ID: a new order, not a conflict
		{orderB, 3, true, 2},
		{orderA, 4, true, 1},
	} {
		dup, first, err := d.SeenAt(c.o, c.at)
		require.NoError(t, err, "%s at %d", c.o.ID, c.at)
		assert.Equal(t, c.dup, dup, "%s at %d", c.o.ID, c.at)
		if c.dup {
			assert.Equal(t, c.from, first, "%s at %d", c.o.ID, c.at)
		}
	}
	assert.Equal(t, int64(3), d.Orders())
}

// A dedup holds at most 2^31-1 distinct orders (their records are numbered
// by int32): one more is ErrOutOfRange, from Seen and from Merge, and a
// re-delivery is still found. (The count is set by hand: 2^31 orders would
// take 130 GB.)
func TestOrderDedupFull(t *testing.T) {
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	o := Order{ID: "a", CustomerID: "c", Time: at, Amount: one}
	var d OrderDedup
	_, err := d.Seen(o)
	require.NoError(t, err)
	d.n = maxDedupOrders
	dup, err := d.Seen(o)
	require.NoError(t, err)
	assert.True(t, dup)
	_, err = d.Seen(Order{ID: "b", CustomerID: "c", Time: at, Amount: one})
	require.ErrorIs(t, err, ErrOutOfRange)
	var other OrderDedup
	_, err = other.Seen(Order{ID: "z", CustomerID: "c", Time: at, Amount: one})
	require.NoError(t, err)
	require.ErrorIs(t, d.Merge(&other), ErrOutOfRange)
	d.n = 1
	require.NoError(t, d.Merge(&other))
	assert.Equal(t, int64(2), d.Orders())
}

// Records past 4 GiB of arena (65,536 chunks of 64 KiB) are found as
// well as the first ones: each group of entries counts its records' offsets
// from where the group starts. (The chunks in between are faked: 4 GiB of
// orders would not fit the test.)
func TestOrderDedupBeyond4GiB(t *testing.T) {
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	order := func(id string) Order {
		return Order{ID: id, CustomerID: "c-" + id, Time: at, Amount: dec("12.30"), Currency: "EUR"}
	}
	var d OrderDedup
	for i := range entryChunk { // a whole group of entries in the first chunks
		_, err := d.Seen(order(fmt.Sprintf("early-%d", i)))
		require.NoError(t, err)
	}
	for len(d.arena) < 70_000 {
		d.arena = append(d.arena, nil)
	}
	d.arena[len(d.arena)-1] = make([]byte, arenaChunk) // the last chunk is full
	dup, _, err := d.SeenAt(order("late"), 1<<33)
	require.NoError(t, err)
	assert.False(t, dup)
	require.Len(t, d.arena, 70_001, "the record went into a new chunk past 4 GiB")
	require.Greater(t, d.bases[1], uint64(1)<<32)
	for id, wantFirst := range map[string]int64{"early-0": 0, "early-4095": 0, "late": 7} {
		dup, first, err := d.SeenAt(order(id), 7)
		require.NoError(t, err)
		assert.True(t, dup, id)
		assert.Equal(t, wantFirst, first, id)
	}
	other := order("late")
	other.Amount = dec("12.31")
	_, err = d.Seen(other)
	require.ErrorIs(t, err, ErrInconsistent)
	assert.Contains(t, err.Error(), `first customer "c-late", 2024-01-01T00:00:00Z, 12.3 "EUR"`, "the first delivery, read back from its record")
	assert.Equal(t, int64(7), d.at(entryChunk), "the lower position written over the higher one")
}
