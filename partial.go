package cxmetrics

import (
	"math"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// Customer-disjoint partial results.
//
// Accumulators merge shards that may share customers, so they keep
// per-customer state. When the orders are split by customer instead (every
// order of a customer in one shard, as a shuffle by a hash of the customer
// ID does), each shard's finished figures add up without it: the cohort
// cells, series rows, MRR rows and order totals of the whole are the sums
// of the shards' own. The methods below add such partial results exactly,
// after checking what the results themselves can show (same period,
// location, window, currency, well-formed rows). What they cannot check is
// the premise: a customer in two parts is counted twice.
//
// Where one part's figures stop earlier than another's, the sum needs to
// know what they would have been later:
//
//   - A cohort table's rows all end at the last period with a purchase of
//     its customers; after that its customers have no cells, so a row is
//     padded with zeros, exactly.
//   - An order series ends at the last period with an order or refund, but
//     its customers can still churn after it. [CohortBuilder.SeriesThrough]
//     extends it, exactly, through a later period; a part extended until
//     nobody is active (its last row's ActiveAtEnd is 0) is settled, and
//     [Series.AddDisjoint] pads only settled parts. [Series.Trim] then cuts
//     the sum back to the periods with orders, the rows [CohortBuilder.Series]
//     gives for all the orders at once.
//   - MRR series add when their Until is the same instant (set
//     [MRROptions].Until on every part); a part that starts later is padded
//     with rows of zero MRR.
//
// Figures that need every customer at once, the AOV terciles and RFM
// scores, are order statistics of per-customer values: they are exact from
// a second pass over those values (count them per shard into buckets, find
// the bucket that holds each rank, then gather only that bucket's values)
// and [AddTierSummaries] adds the shards' tier summaries at the thresholds
// found.

// Binary tags of the partial results, apart from the accumulators' tags.
const (
	tagOrderTotals = 20
	tagCohortTable = 21
	tagSeries      = 22
	tagMRRSeries   = 23
)

// OrderTotals are the order figures of an [OrderStats] that add across
// customer-disjoint shards: with them, AOV, purchase frequency, repeat
// purchase rate and historical LTV of the whole are exact without any
// per-customer state. Money is in Currency.
type OrderTotals struct {
	Currency        string          // the orders' currency, "" when none was given
	Revenue         decimal.Decimal // net revenue, refunds included
	Orders          int64           // orders (amounts >= 0); refunds are not orders
	Customers       int64           // customers with an order
	RepeatCustomers int64           // customers with two or more orders
}

// Totals returns the stats' totals (see [OrderTotals]).
func (s *OrderStats) Totals() OrderTotals {
	f := s.folded()
	return OrderTotals{Currency: f.currency.code, Revenue: f.revenue.value(), Orders: f.orders, Customers: f.buyers, RepeatCustomers: f.repeaters}
}

// empty reports whether the totals hold nothing: no order and no refund
// (a refund is never zero, so refunds alone leave a non-zero revenue).
func (t OrderTotals) empty() bool { return t.Orders == 0 && t.Revenue.IsZero() }

// AddDisjoint returns the totals of two customer-disjoint parts: every
// count and the revenue summed, exactly. Empty totals (no order, no refund)
// add as zero whatever their currency. Two non-empty totals in different
// currencies are ErrCurrencyMismatch, counts beyond int64 ErrOutOfRange.
func (t OrderTotals) AddDisjoint(o OrderTotals) (OrderTotals, error) {
	if o.empty() {
		return t, nil
	}
	if t.empty() {
		return o, nil
	}
	if t.Currency != o.Currency {
		return t, errorf(ErrCurrencyMismatch, "adding order totals in %s to totals in %s", currencyName(o.Currency), currencyName(t.Currency))
	}
	sum := OrderTotals{Currency: t.Currency, Revenue: t.Revenue.Add(o.Revenue)}
	for _, c := range []struct {
		dst  *int64
		a, b int64
	}{{&sum.Orders, t.Orders, o.Orders}, {&sum.Customers, t.Customers, o.Customers}, {&sum.RepeatCustomers, t.RepeatCustomers, o.RepeatCustomers}} {
		if c.a > math.MaxInt64-c.b {
			return t, errorf(ErrOutOfRange, "adding order totals: %d + %d overflows int64", c.a, c.b)
		}
		*c.dst = c.a + c.b
	}
	return sum, nil
}

// AOV returns Revenue / Orders, exact to 16 fractional digits, as
// [OrderStats.AOV]; no orders is ErrNoData.
func (t OrderTotals) AOV() (decimal.Decimal, error) {
	if t.Orders == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "AOV of no orders")
	}
	return div(t.Revenue, decimal.NewFromInt(t.Orders)), nil
}

// PurchaseFrequency returns Orders / Customers, as
// [OrderStats.PurchaseFrequency]; no customers is ErrNoData.
func (t OrderTotals) PurchaseFrequency() (decimal.Decimal, error) {
	return share(t.Orders, t.Customers, "purchase frequency of no customers")
}

// RepeatPurchaseRate returns RepeatCustomers / Customers, a fraction, as
// [OrderStats.RepeatPurchaseRate]; no customers is ErrNoData.
func (t OrderTotals) RepeatPurchaseRate() (decimal.Decimal, error) {
	return share(t.RepeatCustomers, t.Customers, "repeat purchase rate of no customers")
}

// HistoricalLTV returns Revenue / Customers, as [OrderStats.HistoricalLTV];
// no customers is ErrNoData.
func (t OrderTotals) HistoricalLTV() (decimal.Decimal, error) {
	if t.Customers == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "historical LTV of no customers")
	}
	return div(t.Revenue, decimal.NewFromInt(t.Customers)), nil
}

// check returns ErrInconsistent for counts no OrderStats can have.
func (t OrderTotals) check() error {
	if t.Orders < 0 || t.Customers < 0 || t.RepeatCustomers < 0 || t.RepeatCustomers > t.Customers || t.Customers > t.Orders {
		return errorf(ErrInconsistent, "order totals of %d orders, %d customers, %d repeat customers", t.Orders, t.Customers, t.RepeatCustomers)
	}
	if t.Currency != "" {
		if _, err := MinorUnits(t.Currency); err != nil {
			return errorf(ErrUnknownCurrency, "order totals in %s: not an ISO 4217 code with a minor unit", quote(t.Currency))
		}
	}
	return nil
}

// MarshalBinary encodes the totals (see the package doc's binary form).
func (t OrderTotals) MarshalBinary() ([]byte, error) {
	e := newEncoder(tagOrderTotals)
	e.str(t.Currency)
	e.decimal(t.Revenue)
	for _, v := range []int64{t.Orders, t.Customers, t.RepeatCustomers} {
		if v < 0 {
			return nil, errorf(ErrNegative, "encoding order totals: count %d", v)
		}
		e.uvarint(uint64(v))
	}
	return e.b, nil
}

// UnmarshalBinary decodes what MarshalBinary wrote, checking it: a
// malformed payload, or counts no stats can have, is ErrInconsistent and
// leaves t unchanged.
func (t *OrderTotals) UnmarshalBinary(data []byte) error {
	d := newDecoder(data, tagOrderTotals, "order totals")
	v := OrderTotals{Currency: d.str(), Revenue: d.decimal(1, "revenue")}
	v.Orders, v.Customers, v.RepeatCustomers = d.int64(), d.int64(), d.int64()
	if err := d.end(); err != nil {
		return err
	}
	if err := v.check(); err != nil {
		return err
	}
	*t = v
	return nil
}

// calendarOf returns the options that cut periods for a result's period
// and location, and the location's identity.
func calendarOf(p Period, loc *time.Location) (CohortOptions, string, error) {
	if err := p.validate(); err != nil {
		return CohortOptions{}, "", err
	}
	zone, err := zoneIdentity(loc)
	if err != nil {
		return CohortOptions{}, "", err
	}
	return CohortOptions{Period: p, Location: loc}, zone, nil
}

// periodOf returns the number of the period that starts at t, or
// ErrInconsistent when t is not the first instant of a period.
func periodOf(opts CohortOptions, t time.Time, what string) (int32, error) {
	p, ok := opts.index(t)
	if !ok || !opts.start(p).Equal(t) {
		return 0, errorf(ErrInconsistent, "%s starts at %s, not at the start of a %s in %s", what, t, opts.Period, opts.location())
	}
	return p, nil
}

// calendars returns the calendars of two results to add, or
// ErrInconsistent unless they cut time the same way.
func calendars(what string, p Period, loc *time.Location, op Period, oloc *time.Location) (CohortOptions, CohortOptions, error) {
	opts, zone, err := calendarOf(p, loc)
	if err != nil {
		return opts, opts, err
	}
	oopts, ozone, err := calendarOf(op, oloc)
	if err != nil {
		return opts, oopts, err
	}
	if p != op || zone != ozone {
		return opts, oopts, errorf(ErrInconsistent, "adding %s by %s in %s to %s by %s in %s", what, op, ozone, what, p, zone)
	}
	return opts, oopts, nil
}

// cohortRows checks a table's rows and returns their first periods and the
// last period they all end at.
func (t *CohortTable) cohortRows(opts CohortOptions) (firsts []int32, last int32, err error) {
	for i := range t.Rows {
		r := &t.Rows[i]
		p, err := periodOf(opts, r.Start, "cohort row "+r.Start.Format(time.DateOnly))
		if err != nil {
			return nil, 0, err
		}
		n := len(r.Active)
		end := int64(p) + int64(n) - 1
		switch {
		case n == 0 || n != len(r.Revenue) || r.Size < 1 || r.Active[0] != r.Size:
			return nil, 0, errorf(ErrInconsistent, "cohort row %s: %d customers, %d active cells, %d revenue cells", r.Start.Format(time.DateOnly), r.Size, n, len(r.Revenue))
		case i > 0 && p <= firsts[i-1]:
			return nil, 0, errorf(ErrInconsistent, "cohort rows out of order at %s", r.Start.Format(time.DateOnly))
		case i > 0 && end != int64(last):
			return nil, 0, errorf(ErrInconsistent, "cohort row %s ends at another period than the rows before it", r.Start.Format(time.DateOnly))
		case end > math.MaxInt32:
			return nil, 0, errorf(ErrOutOfRange, "cohort row %s runs past the calendar", r.Start.Format(time.DateOnly))
		}
		for _, a := range r.Active {
			if a < 0 || a > r.Size {
				return nil, 0, errorf(ErrInconsistent, "cohort row %s: %d active of %d customers", r.Start.Format(time.DateOnly), a, r.Size)
			}
		}
		firsts, last = append(firsts, p), int32(end)
	}
	return firsts, last, nil
}

// AddDisjoint adds to t the cohort table of other customers, exactly: the
// rows of equal cohorts add cell by cell (sizes, active customers,
// revenue), the unattributed revenue adds, and a table whose rows end
// earlier is padded with zero cells, since its customers have none later.
// Both tables must come from the same kind of builder (two
// [CohortBuilder.Table]s, or two [MRRBuilder.Cohorts] with the same
// Until). An empty t (no rows, no unattributed revenue) takes other's
// period and location. Tables by other periods or locations, or rows that
// no builder makes (a Size other than Active[0], rows ending at different
// periods, a Start that is not a period's start), are ErrInconsistent and
// leave t unchanged. t then holds its own copy of every row; other is not
// modified.
func (t *CohortTable) AddDisjoint(other *CohortTable) error {
	if other == nil || len(other.Rows) == 0 && other.Unattributed.IsZero() {
		return nil
	}
	if len(t.Rows) == 0 && t.Unattributed.IsZero() {
		t.Period, t.Location = other.Period, other.Location
	}
	opts, oopts, err := calendars("a cohort table", t.Period, t.Location, other.Period, other.Location)
	if err != nil {
		return err
	}
	firsts, last, err := t.cohortRows(opts)
	if err != nil {
		return err
	}
	ofirsts, olast, err := other.cohortRows(oopts)
	if err != nil {
		return err
	}
	if len(firsts) == 0 || len(ofirsts) > 0 && olast > last {
		last = olast
	}
	byFirst := map[int32]*CohortRow{}
	var order []int32
	take := func(firsts []int32, rows []CohortRow) {
		for i, f := range firsts {
			r := &rows[i]
			sum := byFirst[f]
			if sum == nil {
				n := int(last - f + 1)
				sum = &CohortRow{Start: r.Start, Active: make([]int64, n), Revenue: make([]decimal.Decimal, n)}
				byFirst[f] = sum
				order = append(order, f)
			}
			sum.Size += r.Size
			for k := range r.Active {
				sum.Active[k] += r.Active[k]
				sum.Revenue[k] = sum.Revenue[k].Add(r.Revenue[k])
			}
		}
	}
	take(firsts, t.Rows)
	take(ofirsts, other.Rows)
	slices.Sort(order)
	rows := make([]CohortRow, len(order))
	for i, f := range order {
		rows[i] = *byFirst[f]
	}
	t.Rows, t.Unattributed = rows, t.Unattributed.Add(other.Unattributed)
	return nil
}

// seriesRows checks a series' rows (consecutive periods, each row's
// balance of active customers) and returns the period of its first row.
func (s *Series) seriesRows(opts CohortOptions) (int32, error) {
	return consecutiveRows(opts, "series", s.Rows, func(i int) error {
		r := &s.Rows[i]
		if i > 0 && r.ActiveAtStart != s.Rows[i-1].ActiveAtEnd || r.ActiveAtEnd != r.ActiveAtStart-r.Churned+r.New+r.Reactivated {
			return errorf(ErrInconsistent, "series row %s: active customers do not balance", r.Start.Format(time.DateOnly))
		}
		return nil
	})
}

// consecutiveRows checks that rows start at consecutive periods of opts
// and that each passes check (given its index), and returns the period of
// the first row; what names the series.
func consecutiveRows[R any, P seriesRow[R]](opts CohortOptions, what string, rows []R, check func(int) error) (int32, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	first, err := periodOf(opts, startOf[R, P](&rows[0]), what+" row")
	if err != nil {
		return 0, err
	}
	if int64(first)+int64(len(rows)) > math.MaxInt32 {
		return 0, errorf(ErrOutOfRange, "%s of %d rows runs past the calendar", what, len(rows))
	}
	for i := range rows {
		if start := startOf[R, P](&rows[i]); !start.Equal(opts.start(first + int32(i))) {
			return 0, errorf(ErrInconsistent, "%s: the row at index %d starts at %s, not at the %s after the row before", what, i, start, opts.Period)
		}
		if err := check(i); err != nil {
			return 0, err
		}
	}
	return first, nil
}

// sumRows returns rows for the periods lo..hi of opts with the rows of a
// (from period af on) and of b (from bf on) added into them, money and
// counts field by field.
func sumRows[R any, P seriesRow[R]](opts CohortOptions, lo, hi int32, a []R, af int32, b []R, bf int32) []R {
	rows := make([]R, hi-lo+1)
	for i := range rows {
		start, _, _ := P(&rows[i]).fields()
		*start = opts.start(lo + int32(i))
	}
	for _, part := range []struct {
		rows  []R
		first int32
	}{{a, af}, {b, bf}} {
		for i := range part.rows {
			_, dm, dc := P(&rows[part.first-lo+int32(i)]).fields()
			_, rm, rc := P(&part.rows[i]).fields()
			for k := range dm {
				*dm[k] = dm[k].Add(*rm[k])
			}
			for k := range dc {
				*dc[k] += *rc[k]
			}
		}
	}
	return rows
}

// startOf returns the start of a row.
func startOf[R any, P seriesRow[R]](r *R) time.Time {
	start, _, _ := P(r).fields()
	return *start
}

// seriesRow is a row of a series of periods ([SeriesRow], [MRRRow]): its
// start, and its money and counts in the order of the binary form.
type seriesRow[R any] interface {
	*R
	fields() (start *time.Time, money []*decimal.Decimal, counts []*int64)
}

func (r *SeriesRow) fields() (*time.Time, []*decimal.Decimal, []*int64) {
	return &r.Start, []*decimal.Decimal{&r.Revenue},
		[]*int64{&r.Orders, &r.Refunds, &r.Customers, &r.New, &r.Returning, &r.ActiveAtStart, &r.ActiveAtEnd, &r.Churned, &r.Reactivated}
}

func (r *MRRRow) fields() (*time.Time, []*decimal.Decimal, []*int64) {
	return &r.Start, []*decimal.Decimal{&r.MRRAtStart, &r.New, &r.Expansion, &r.Contraction, &r.Churn, &r.Reactivation, &r.MRRAtEnd},
		[]*int64{&r.CustomersAtStart, &r.NewCustomers, &r.ReactivatedCustomers, &r.ChurnedCustomers, &r.CustomersAtEnd}
}

// AddDisjoint adds to s the series of other customers, row by row, exactly.
// Rows of the same period add; a part that starts later is padded at the
// front with empty rows (nobody of it was active yet), and a part that ends
// earlier is padded at the back only when it is settled, its last row's
// ActiveAtEnd 0: otherwise its customers could still churn in the periods
// it lacks, and the sum would be wrong, so that is ErrInconsistent (extend
// it first with [CohortBuilder.SeriesThrough]). An empty s (no rows) takes
// other's period, location and window. Series by other periods,
// locations or windows, or rows that no builder makes, are ErrInconsistent
// and leave s unchanged; other is not modified.
func (s *Series) AddDisjoint(other *Series) error {
	if other == nil || len(other.Rows) == 0 {
		return nil
	}
	if len(s.Rows) == 0 {
		s.Period, s.Location, s.Window = other.Period, other.Location, other.Window
	}
	opts, oopts, err := calendars("a series", s.Period, s.Location, other.Period, other.Location)
	if err != nil {
		return err
	}
	if s.Window != other.Window {
		return errorf(ErrInconsistent, "adding a series with a window of %d to one with a window of %d", other.Window, s.Window)
	}
	first, err := s.seriesRows(opts)
	if err != nil {
		return err
	}
	ofirst, err := other.seriesRows(oopts)
	if err != nil {
		return err
	}
	lo, hi := ofirst, ofirst+int32(len(other.Rows))-1
	if len(s.Rows) > 0 {
		lo, hi = min(lo, first), max(hi, first+int32(len(s.Rows))-1)
	}
	for _, part := range []struct {
		rows  []SeriesRow
		first int32
	}{{s.Rows, first}, {other.Rows, ofirst}} {
		if len(part.rows) == 0 {
			continue
		}
		if part.first > lo && part.rows[0].ActiveAtStart != 0 {
			return errorf(ErrInconsistent, "series from %s has customers active at its start", part.rows[0].Start.Format(time.DateOnly))
		}
		if end := part.rows[len(part.rows)-1]; part.first+int32(len(part.rows))-1 < hi && end.ActiveAtEnd != 0 {
			return errorf(ErrInconsistent, "series ending at %s is not settled (%d customers still active) and the other runs later: extend it with SeriesThrough",
				end.Start.Format(time.DateOnly), end.ActiveAtEnd)
		}
	}
	if int64(hi)-int64(lo)+1 > maxSeriesRows {
		return errorf(ErrOutOfRange, "sum of series of %d periods, over %d", int64(hi)-int64(lo)+1, maxSeriesRows)
	}
	s.Rows = sumRows(opts, lo, hi, s.Rows, first, other.Rows, ofirst)
	return nil
}

// Trim drops the rows before the first and after the last period with an
// order or refund. A sum of settled parts (see [Series.AddDisjoint]) runs
// on to where the last customers churned; trimmed, it has exactly the rows
// [CohortBuilder.Series] gives for all the orders at once. A series
// without any order or refund is left with no rows.
func (s *Series) Trim() {
	lo, hi := len(s.Rows), -1
	for i := range s.Rows {
		if s.Rows[i].Orders > 0 || s.Rows[i].Refunds > 0 {
			lo, hi = min(lo, i), i
		}
	}
	if hi < 0 {
		s.Rows = nil
		return
	}
	s.Rows = s.Rows[lo : hi+1 : hi+1]
}

// SeriesThrough returns the series of the orders added (see
// [CohortBuilder.Series]) with rows on through the period that contains
// last: periods without orders, in which the customers active at the end
// of the last period with an order churn as their window runs out. Through
// the period Window periods after the last purchase, nobody is active any
// more and the series is settled, so that customer-disjoint parts add
// exactly with [Series.AddDisjoint].
//
// Who is still active k periods after the last period L with an order is
// who bought in the last Window - k periods up to L: the customers active
// at L's end with a window of Window - k. So the extension costs one
// [CohortBuilder.Series] per window from 1 to Window - 1, at most. A last
// before the period of the last order, or outside the years 1..9999, is
// ErrOutOfRange; errors are otherwise those of Series.
func (b *CohortBuilder) SeriesThrough(window int, last time.Time) (*Series, error) {
	s, err := b.Series(window)
	if err != nil {
		return nil, err
	}
	opts := b.opts
	hi, _ := opts.index(s.Rows[len(s.Rows)-1].Start)
	to, ok := opts.index(last)
	if !ok {
		return nil, errorf(ErrOutOfRange, "series through %s: outside the years 1..9999 in %s", last, opts.location())
	}
	if to < hi {
		return nil, errorf(ErrOutOfRange, "series through %s, before the last period with an order, %s", last, s.Rows[len(s.Rows)-1].Start.Format(time.DateOnly))
	}
	extra := int64(to) - int64(hi)
	if int64(len(s.Rows))+extra > maxSeriesRows {
		return nil, errorf(ErrOutOfRange, "series of %d %s periods, over %d; use a longer period", int64(len(s.Rows))+extra, opts.Period, maxSeriesRows)
	}
	// still[m]: customers active at the end of period hi+m.
	still := make([]int64, min(extra, int64(window)))
	for m := int64(1); m < int64(len(still)); m++ {
		sw, err := b.Series(window - int(m))
		if err != nil {
			return nil, err
		}
		still[m] = sw.Rows[len(sw.Rows)-1].ActiveAtEnd
	}
	for m := int64(1); m <= extra; m++ {
		active := s.Rows[len(s.Rows)-1].ActiveAtEnd
		var end int64
		if m < int64(len(still)) {
			end = still[m]
		}
		s.Rows = append(s.Rows, SeriesRow{Start: opts.start(hi + int32(m)), ActiveAtStart: active, ActiveAtEnd: end, Churned: active - end})
	}
	return s, nil
}

// mrrRows checks an MRR series' rows (consecutive periods, MRR and
// customers that balance) and returns the period of its first row.
func (s *MRRSeries) mrrRows(opts CohortOptions) (int32, error) {
	return consecutiveRows(opts, "MRR series", s.Rows, func(i int) error {
		r := &s.Rows[i]
		balance := r.MRRAtStart.Add(r.New).Add(r.Expansion).Add(r.Reactivation).Sub(r.Contraction).Sub(r.Churn)
		if !balance.Equal(r.MRRAtEnd) || r.CustomersAtEnd != r.CustomersAtStart+r.NewCustomers+r.ReactivatedCustomers-r.ChurnedCustomers ||
			i > 0 && (!r.MRRAtStart.Equal(s.Rows[i-1].MRRAtEnd) || r.CustomersAtStart != s.Rows[i-1].CustomersAtEnd) {
			return errorf(ErrInconsistent, "MRR row %s does not balance", r.Start.Format(time.DateOnly))
		}
		return nil
	})
}

// AddDisjoint adds to s the MRR series of other customers, row by row,
// exactly. Both must cover the same Until (set [MRROptions].Until to the
// same instant for every part, so that every part's last row is the same
// period, measured at the same instant); a part that starts later is padded
// at the front with rows of zero MRR and no customers. An empty s (no rows)
// takes other's period, location and Until. Series by other periods,
// locations or Untils, or rows that do not balance, are ErrInconsistent
// and leave s unchanged; other is not modified.
func (s *MRRSeries) AddDisjoint(other *MRRSeries) error {
	if other == nil || len(other.Rows) == 0 {
		return nil
	}
	if len(s.Rows) == 0 {
		s.Period, s.Location, s.Until = other.Period, other.Location, other.Until
	}
	opts, oopts, err := calendars("an MRR series", s.Period, s.Location, other.Period, other.Location)
	if err != nil {
		return err
	}
	if !s.Until.Equal(other.Until) {
		return errorf(ErrInconsistent, "adding an MRR series until %s to one until %s: give every part the same MRROptions.Until",
			other.Until.Format(time.RFC3339Nano), s.Until.Format(time.RFC3339Nano))
	}
	first, err := s.mrrRows(opts)
	if err != nil {
		return err
	}
	ofirst, err := other.mrrRows(oopts)
	if err != nil {
		return err
	}
	hi := ofirst + int32(len(other.Rows)) - 1
	lo := ofirst
	if len(s.Rows) > 0 {
		if first+int32(len(s.Rows))-1 != hi {
			return errorf(ErrInconsistent, "MRR series with the same Until end at different periods")
		}
		lo = min(lo, first)
	}
	for _, part := range []struct {
		rows  []MRRRow
		first int32
	}{{s.Rows, first}, {other.Rows, ofirst}} {
		if len(part.rows) > 0 && part.first > lo && (!part.rows[0].MRRAtStart.IsZero() || part.rows[0].CustomersAtStart != 0) {
			return errorf(ErrInconsistent, "MRR series from %s has MRR at its start", part.rows[0].Start.Format(time.DateOnly))
		}
	}
	s.Rows = sumRows(opts, lo, hi, s.Rows, first, other.Rows, ofirst)
	return nil
}

// AddTierSummaries returns the tier summaries of two customer-disjoint
// parts segmented at the same thresholds (see [SegmentByAOV] and
// [SummarizeTiers]): customers, orders and revenue added per tier, and each
// tier's AOV, revenue / orders, computed again as SummarizeTiers computes
// it (zero for a tier without orders).
func AddTierSummaries(a, b [3]TierSummary) [3]TierSummary {
	var out [3]TierSummary
	for i := range out {
		out[i] = TierSummary{Tier: AOVTier(i), Customers: a[i].Customers + b[i].Customers, Orders: a[i].Orders + b[i].Orders,
			Revenue: a[i].Revenue.Add(b[i].Revenue)}
		if out[i].Orders > 0 {
			out[i].AOV = div(out[i].Revenue, decimal.NewFromInt(out[i].Orders))
		}
	}
	return out
}
