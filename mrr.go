package cxmetrics

import (
	"cmp"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// MRROptions say how an [MRRBuilder] cuts time.
type MRROptions struct {
	Period   Period         // the rows of the series; Month, the zero value, as a rule
	Location *time.Location // the calendar that cuts periods; nil means UTC
	// Until is the last instant the series covers: open spans run to it
	// and the last row measures MRR at it. The zero time means the latest
	// Start or End of the spans added.
	Until time.Time
}

// MRRBuilder accumulates subscription spans into monthly recurring revenue
// (MRR) per period, its movements and subscription cohorts, as ChartMogul,
// Baremetrics and Stripe's billing analytics compute them, exactly. The
// zero value is ready, for monthly periods in UTC up to the latest span
// event; use [NewMRRBuilder] for other options. It follows the package's
// accumulator contract (see the package doc); its settings are its options
// and the currency of its first span.
//
// Memory grows with spans, not with spans × periods: a customer's MRR
// changes only at span boundaries, so the series is computed from those
// (about 170 bytes a span, see BENCHMARKS.md). Spans are not
// de-duplicated: a span added twice counts twice. An MRRBuilder is not safe
// for concurrent use.
type MRRBuilder struct {
	opts      MRROptions
	zone      string // identity of the location; "" for the zero value's UTC
	currency  currencyGuard
	customers customerTable[mrrCustomer]
	spans     int64
}

// mrrCustomer is one customer's spans.
type mrrCustomer struct{ spans []mrrSpan }

// mrrSpan is what a builder keeps of a span: when it runs and its MRR.
type mrrSpan struct {
	subscription string
	start, end   time.Time // UTC; end zero while running
	mrr          exactSum
}

// NewMRRBuilder returns an empty builder for opts. A Period other than the
// five constants, or a Location without a portable identity (see
// [NewCohortBuilder]), is ErrOutOfRange; so is an Until outside the years
// 1..9999.
func NewMRRBuilder(opts MRROptions) (*MRRBuilder, error) {
	if err := opts.Period.validate(); err != nil {
		return nil, err
	}
	zone, err := zoneIdentity(opts.Location)
	if err != nil {
		return nil, err
	}
	if _, ok := (CohortOptions{Period: opts.Period, Location: opts.Location}).index(opts.Until); !opts.Until.IsZero() && (!ok || opts.Until.UTC().Year() < 1 || opts.Until.UTC().Year() > 9999) {
		return nil, errorf(ErrOutOfRange, "until %s is outside the years 1..9999", opts.Until)
	}
	opts.Until = opts.Until.UTC()
	return &MRRBuilder{opts: opts, zone: zone}, nil
}

// Options returns the options the builder was made with.
func (b *MRRBuilder) Options() MRROptions { return b.opts }

// Currency returns the currency of the spans added, "" if none was given or
// no span was added yet.
func (b *MRRBuilder) Currency() string { return b.currency.code }

func (b *MRRBuilder) zoneID() string {
	if b.zone == "" {
		return "UTC"
	}
	return b.zone
}

func (b *MRRBuilder) cohortOptions() CohortOptions {
	return CohortOptions{Period: b.opts.Period, Location: b.opts.Location}
}

// Add adds one span. Errors are those of [SubscriptionSpan.Validate], and a
// Currency other than that of the spans already added is
// ErrCurrencyMismatch; either leaves the builder unchanged. Convert spans in
// other currencies first (with a [RateTable], as orders are converted).
func (b *MRRBuilder) Add(s SubscriptionSpan) error {
	return b.add(&s, -1)
}

func (b *MRRBuilder) add(s *SubscriptionSpan, at int) error {
	if err := s.validate(at); err != nil {
		return err
	}
	if err := b.currency.check(s.Currency, func() string { return s.ref(at) }); err != nil {
		return err
	}
	for _, t := range []time.Time{s.Start, s.End} {
		if _, ok := b.cohortOptions().index(t); !t.IsZero() && !ok {
			return errorf(ErrOutOfRange, "%s: time %s is outside the years 1..9999 in %s", s.ref(at), t, b.zoneID())
		}
	}
	if b.spans == math.MaxInt64 {
		return errorf(ErrOutOfRange, "the builder already holds %d spans", b.spans)
	}
	b.currency.accept(s.Currency)
	var m exactSum
	m.add(s.mrr())
	c, _ := b.customers.get(s.CustomerID, mrrCustomer{})
	sub := s.SubscriptionID
	if n := len(c.spans); n > 0 && c.spans[n-1].subscription == sub {
		sub = c.spans[n-1].subscription // a customer's spans share their subscription's ID
	} else {
		sub = strings.Clone(sub)
	}
	c.spans = append(c.spans, mrrSpan{subscription: sub, start: s.Start.UTC(), end: s.End.UTC(), mrr: m})
	b.spans++
	return nil
}

// Merge adds the spans of o to b, as if they had been added to b; o is not
// modified, nil o is a no-op and b.Merge(b) counts every span twice. An
// empty o is a no-op whatever its options, and an empty b takes o's options
// and currency; two non-empty builders with different options (period,
// location, until) are ErrInconsistent and in different currencies
// ErrCurrencyMismatch; either leaves b unchanged.
func (b *MRRBuilder) Merge(o *MRRBuilder) error {
	if o == nil || o.customers.empty() {
		return nil
	}
	if b.customers.empty() {
		b.opts, b.zone, b.currency = o.opts, o.zone, o.currency
	}
	if b.opts.Period != o.opts.Period || b.zoneID() != o.zoneID() || !b.opts.Until.Equal(o.opts.Until) {
		return errorf(ErrInconsistent, "merging %s MRR in %s until %s into %s MRR in %s until %s",
			o.opts.Period, o.zoneID(), untilName(o.opts.Until), b.opts.Period, b.zoneID(), untilName(b.opts.Until))
	}
	if err := b.currency.compatible(o.currency); err != nil {
		return err
	}
	if b.spans > math.MaxInt64-o.spans {
		return errorf(ErrOutOfRange, "merging %d spans into %d overflows int64", o.spans, b.spans)
	}
	adds := make([][]mrrSpan, o.customers.len()) // o may be b
	for i := range int32(o.customers.len()) {
		adds[i] = slices.Clone(o.customers.row(i).spans)
	}
	for i, spans := range adds {
		c, _ := b.customers.get(o.customers.id(int32(i)), mrrCustomer{})
		c.spans = append(c.spans, spans...)
	}
	b.spans += o.spans
	return nil
}

func untilName(t time.Time) string {
	if t.IsZero() {
		return "the latest span event"
	}
	return t.Format(time.RFC3339Nano)
}

// Spans returns the number of spans added.
func (b *MRRBuilder) Spans() int64 { return b.spans }

// MRRRow is one period of an [MRRSeries]. MRR is taken at the period's
// last instant (the last row's at Until), so a span ending exactly at the
// next period's start still counts in this period and its customer churns
// in the next. Between the end of the previous period and the end of this
// one, each customer's MRR moves:
//
//	from 0 to positive: New (never positive at an earlier period end) or Reactivation
//	from positive to 0: Churn
//	up: Expansion; down: Contraction
//
// and on every row, exactly,
//
//	MRRAtEnd = MRRAtStart + New + Expansion + Reactivation - Contraction - Churn
//
// Money is in the spans' currency; movements are positive amounts. A
// customer who signs up and cancels inside one period never shows at that
// period's resolution (a Day series sees them).
type MRRRow struct {
	Start time.Time // first instant of the period, in the series' location

	MRRAtStart, New, Expansion, Contraction, Churn, Reactivation, MRRAtEnd decimal.Decimal

	CustomersAtStart, NewCustomers, ReactivatedCustomers, ChurnedCustomers, CustomersAtEnd int64
}

// MRRSeries is the MRR of every period from the period of the earliest span
// Start to the period containing Until, with no gaps.
type MRRSeries struct {
	Period   Period
	Location *time.Location
	Until    time.Time // the last instant the series covers
	Rows     []MRRRow
}

// ARPA returns the average revenue per account at the end of the period,
// MRRAtEnd / CustomersAtEnd, in the spans' currency, exact to 16 fractional
// digits. No customer at the end is ErrNoData.
func (r *MRRRow) ARPA() (decimal.Decimal, error) {
	if r.CustomersAtEnd == 0 {
		return decimal.Decimal{}, errorf(ErrNoData, "ARPA with no paying customer")
	}
	return div(r.MRRAtEnd, decimal.NewFromInt(r.CustomersAtEnd)), nil
}

// QuickRatio returns the SaaS quick ratio of the period, a plain ratio (4
// means four of MRR gained for each one lost):
//
//	QuickRatio = (New + Expansion + Reactivation) / (Contraction + Churn)
//
// A period that lost no MRR is ErrNoData: the ratio is unbounded.
func (r *MRRRow) QuickRatio() (decimal.Decimal, error) {
	lost := r.Contraction.Add(r.Churn)
	if lost.IsZero() {
		return decimal.Decimal{}, errorf(ErrNoData, "quick ratio of a period that lost no MRR")
	}
	return div(r.New.Add(r.Expansion).Add(r.Reactivation), lost), nil
}

// LogoChurn returns the share of the customers paying at the start who
// churned in the period, as a fraction in [0, 1]:
//
//	LogoChurn = ChurnedCustomers / CustomersAtStart
//
// No customer at the start is ErrNoData.
func (r *MRRRow) LogoChurn() (decimal.Decimal, error) {
	return share(r.ChurnedCustomers, r.CustomersAtStart, "logo churn with no paying customer at the start")
}

// Movements returns the row as [RevenueMovements], so that
// [GrossRevenueRetention], [NetRevenueRetention] and [RevenueChurnRate]
// give the period's GRR, NRR and revenue churn: Start = MRRAtStart, Churned
// = Churn, and New and Reactivation, which those measures of the existing
// base leave out.
func (r *MRRRow) Movements() RevenueMovements {
	return RevenueMovements{Start: r.MRRAtStart, Expansion: r.Expansion, Contraction: r.Contraction, Churned: r.Churn,
		New: r.New, Reactivation: r.Reactivation}
}

// mrrChange is a change of a customer's MRR at a row: delta is added to the
// customer's MRR from that row's measuring instant on.
type mrrChange struct {
	row   int
	delta decimal.Decimal
}

// rowRange returns the first period and the number of rows, and Until.
func (b *MRRBuilder) rowRange() (lo int32, n int, until time.Time, err error) {
	if b.customers.empty() {
		return 0, 0, time.Time{}, errorf(ErrNoData, "MRR of no spans")
	}
	var earliest, latest time.Time
	b.customers.each(func(_ int32, c *mrrCustomer) {
		for _, s := range c.spans {
			if earliest.IsZero() || s.start.Before(earliest) {
				earliest = s.start
			}
			latest = maxTime(latest, s.start, s.end)
		}
	})
	until = b.opts.Until
	if until.IsZero() {
		until = latest
	}
	opts := b.cohortOptions()
	lo, okLo := opts.index(earliest)
	hi, okHi := opts.index(until)
	if !okLo || !okHi {
		return 0, 0, time.Time{}, errorf(ErrOutOfRange, "MRR from %s until %s: outside the years 1..9999 of the calendar", earliest, until)
	}
	if until.Before(earliest) {
		return 0, 0, time.Time{}, errorf(ErrNoData, "MRR until %s, before the first span starts at %s", until, earliest)
	}
	if rows := int64(hi) - int64(lo) + 1; rows > maxSeriesRows {
		return 0, 0, time.Time{}, errorf(ErrOutOfRange, "MRR series of %d %s periods, over %d; use a longer period", rows, b.opts.Period, maxSeriesRows)
	}
	return lo, int(hi-lo) + 1, until, nil
}

func maxTime(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

// changes returns the customer's MRR changes by row, sorted, one per row:
// a span starting at t counts from the row whose measuring instant is at
// or after t, and stops counting likewise at its End; events after until
// do not count.
func (c *mrrCustomer) changes(opts CohortOptions, lo int32, until time.Time, out []mrrChange) []mrrChange {
	out = out[:0]
	for _, s := range c.spans {
		if s.start.After(until) {
			continue
		}
		p, _ := opts.index(s.start)
		m := s.mrr.value()
		out = append(out, mrrChange{int(p - lo), m})
		if !s.end.IsZero() && !s.end.After(until) {
			q, _ := opts.index(s.end)
			out = append(out, mrrChange{int(q - lo), m.Neg()})
		}
	}
	slices.SortFunc(out, func(a, b mrrChange) int { return cmp.Compare(a.row, b.row) })
	// Fold changes at the same row into one.
	k := 0
	for _, ch := range out {
		if k > 0 && out[k-1].row == ch.row {
			out[k-1].delta = out[k-1].delta.Add(ch.delta)
			continue
		}
		out[k] = ch
		k++
	}
	return out[:k]
}

// Series returns the MRR series of the spans added (see [MRRRow] for what
// each row holds). A builder without spans, or an Until before every span,
// is ErrNoData; more than 2^20 rows ErrOutOfRange.
func (b *MRRBuilder) Series() (*MRRSeries, error) {
	lo, n, until, err := b.rowRange()
	if err != nil {
		return nil, err
	}
	opts := b.cohortOptions()
	s := &MRRSeries{Period: b.opts.Period, Location: opts.location(), Until: until, Rows: make([]MRRRow, n)}
	sums := make([][5]exactSum, n) // new, expansion, contraction, churn, reactivation
	diff := make([]exactSum, n)
	customers := make([]int64, n+1)
	var scratch []mrrChange
	b.customers.each(func(_ int32, c *mrrCustomer) {
		scratch = c.changes(opts, lo, until, scratch)
		addMovements(scratch, s.Rows, sums, diff, customers)
	})
	var mrr exactSum
	var paying int64
	for r := range s.Rows {
		row := &s.Rows[r]
		row.Start = opts.start(lo + int32(r))
		row.MRRAtStart = mrr.value()
		row.CustomersAtStart = paying
		mrr.addSum(diff[r])
		paying += customers[r]
		row.MRRAtEnd, row.CustomersAtEnd = mrr.value(), paying
		row.New, row.Expansion, row.Contraction = sums[r][0].value(), sums[r][1].value(), sums[r][2].value()
		row.Churn, row.Reactivation = sums[r][3].value(), sums[r][4].value()
	}
	return s, nil
}

// addMovements classifies one customer's MRR changes into the rows'
// movements, and into the differences of MRR and of paying customers
// from one row to the next.
func addMovements(changes []mrrChange, rows []MRRRow, sums [][5]exactSum, diff []exactSum, customers []int64) {
	value := decimal.Zero
	ever := false // positive at an earlier row's end
	for _, ch := range changes {
		prev, cur := value, value.Add(ch.delta)
		value = cur
		r, row := ch.row, &rows[ch.row]
		switch {
		case prev.IsZero() && cur.IsPositive() && !ever:
			sums[r][0].add(cur)
			row.NewCustomers++
			customers[r]++
		case prev.IsZero() && cur.IsPositive():
			sums[r][4].add(cur)
			row.ReactivatedCustomers++
			customers[r]++
		case prev.IsPositive() && cur.IsZero():
			sums[r][3].add(prev)
			row.ChurnedCustomers++
			customers[r]--
		case cur.GreaterThan(prev):
			sums[r][1].add(cur.Sub(prev))
		case cur.LessThan(prev):
			sums[r][2].add(prev.Sub(cur))
		}
		diff[r].add(ch.delta)
		ever = ever || cur.IsPositive()
	}
}

// Cohorts returns the subscription cohort table: customers grouped by the
// period of their first positive MRR (at a period's end); Active[k] counts
// those still paying at the end of their cohort's period k and Revenue[k]
// is their MRR then. Retention is then logo retention, and Revenue[k] /
// Revenue[0] net MRR retention. Errors as for Series.
func (b *MRRBuilder) Cohorts() (*CohortTable, error) {
	lo, n, until, err := b.rowRange()
	if err != nil {
		return nil, err
	}
	opts := b.cohortOptions()
	t := &CohortTable{Period: b.opts.Period, Location: opts.location()}
	byFirst := map[int]*CohortRow{}
	sums := map[int][]exactSum{}
	var scratch []mrrChange
	for i := range int32(b.customers.len()) {
		scratch = b.customers.row(i).changes(opts, lo, until, scratch)
		value, first := decimal.Zero, -1
		for j, ch := range scratch {
			value = value.Add(ch.delta)
			if !value.IsPositive() {
				continue
			}
			if first < 0 {
				first = ch.row
				if byFirst[first] == nil {
					byFirst[first] = &CohortRow{Start: opts.start(lo + int32(first)), Active: make([]int64, n-first), Revenue: make([]decimal.Decimal, n-first)}
					sums[first] = make([]exactSum, n-first)
				}
				byFirst[first].Size++
			}
			end := n // the value holds until the next change
			if j+1 < len(scratch) {
				end = scratch[j+1].row
			}
			for r := ch.row; r < end; r++ {
				byFirst[first].Active[r-first]++
				sums[first][r-first].add(value)
			}
		}
	}
	if len(byFirst) == 0 {
		return nil, errorf(ErrNoData, "no customer ever paid at the end of a period")
	}
	for f, row := range byFirst {
		for k := range row.Revenue {
			row.Revenue[k] = sums[f][k].value()
		}
		t.Rows = append(t.Rows, *row)
	}
	slices.SortFunc(t.Rows, func(a, b CohortRow) int { return a.Start.Compare(b.Start) })
	return t, nil
}

// SubscriptionSeries returns the MRR series of spans with opts (see
// [MRRBuilder.Series]). Span errors name the index of the bad span.
func SubscriptionSeries(spans []SubscriptionSpan, opts MRROptions) (*MRRSeries, error) {
	b, err := NewMRRBuilder(opts)
	if err != nil {
		return nil, err
	}
	for i := range spans {
		if err := b.add(&spans[i], i); err != nil {
			return nil, err
		}
	}
	return b.Series()
}

// mrrSpanData is a span as the encodings write it.
type mrrSpanData struct {
	customer, subscription string
	start, end             time.Time
	mrr                    decimal.Decimal
}

// sortedSpans returns every span, sorted by customer, then start, end,
// subscription and MRR: the canonical order of the encodings.
func (b *MRRBuilder) sortedSpans() []mrrSpanData {
	out := make([]mrrSpanData, 0, b.spans)
	for i := range int32(b.customers.len()) {
		id := b.customers.id(i)
		for _, s := range b.customers.row(i).spans {
			out = append(out, mrrSpanData{id, s.subscription, s.start, s.end, s.mrr.value()})
		}
	}
	slices.SortFunc(out, compareSpanData)
	return out
}

func compareSpanData(a, b mrrSpanData) int {
	return cmp.Or(strings.Compare(a.customer, b.customer), a.start.Compare(b.start), a.end.Compare(b.end),
		strings.Compare(a.subscription, b.subscription), a.mrr.Cmp(b.mrr))
}

// newDecodedMRRBuilder rebuilds a builder from decoded options and spans,
// checking them as Add would: spans in canonical order, valid IDs and
// times, End not before Start, MRR not negative and within the bounds of
// what bounded amounts give.
func newDecodedMRRBuilder(period Period, zone string, until time.Time, currency *string, spans []mrrSpanData) (*MRRBuilder, error) {
	if err := period.validate(); err != nil {
		return nil, err
	}
	loc, err := zoneFromIdentity(zone)
	if err != nil {
		return nil, err
	}
	out, err := NewMRRBuilder(MRROptions{Period: period, Location: loc, Until: until})
	if err != nil {
		return nil, err
	}
	if out.currency, err = decodedCurrency(currency, "MRR builder"); err != nil {
		return nil, err
	}
	for i, s := range spans {
		if i > 0 && compareSpanData(spans[i-1], s) > 0 {
			return nil, errorf(ErrInconsistent, "MRR builder: spans are not in canonical order at customer %s", quote(s.customer))
		}
		// The MRR is derived (Amount × 365 / 12 has more digits than any
		// Amount may): validate checks the rest, checkDerived the MRR.
		check := SubscriptionSpan{CustomerID: s.customer, SubscriptionID: s.subscription, Start: s.start, End: s.end,
			Interval: BillingInterval{Unit: Month, Count: 1}}
		if err := check.validate(i); err != nil {
			return nil, wrapf(err, "MRR builder")
		}
		if s.mrr.IsNegative() {
			return nil, errorf(ErrNegative, "MRR builder: %s has MRR %s", check.ref(i), shortDecimal(s.mrr))
		}
		if err := checkDerived(s.mrr, 1, "MRR builder: MRR of "+check.ref(i)); err != nil {
			return nil, err
		}
		var m exactSum
		m.add(s.mrr)
		c, _ := out.customers.get(s.customer, mrrCustomer{})
		c.spans = append(c.spans, mrrSpan{subscription: s.subscription, start: s.start.UTC(), end: s.end.UTC(), mrr: m})
		out.spans++
	}
	return out, nil
}

type mrrSpanJSON struct {
	Customer     string     `json:"customer_id"`
	Subscription string     `json:"subscription_id"`
	Start        time.Time  `json:"start"`
	End          *time.Time `json:"end"` // null while running
	MRR          string     `json:"mrr"`
}

type mrrBuilderJSON struct {
	Period   string        `json:"period"`
	Location string        `json:"location"`
	Until    *time.Time    `json:"until"` // null for the latest span event
	Currency *string       `json:"currency"`
	Spans    []mrrSpanJSON `json:"spans"`
}

// MarshalJSON encodes the builder's options and every span (customer,
// subscription, start, end or null, MRR), in canonical order, times as UTC
// instants and the location as its identity (see
// [CohortBuilder.MarshalJSON]). Value receiver, so that json.Marshal of a
// value never gives {}.
func (b MRRBuilder) MarshalJSON() ([]byte, error) {
	j := mrrBuilderJSON{Period: b.opts.Period.String(), Location: b.zoneID(), Spans: []mrrSpanJSON{}}
	if !b.opts.Until.IsZero() {
		j.Until = &b.opts.Until
	}
	if b.currency.set {
		j.Currency = &b.currency.code
	}
	for _, s := range b.sortedSpans() {
		sj := mrrSpanJSON{Customer: s.customer, Subscription: s.subscription, Start: s.start, MRR: s.mrr.String()}
		if !s.end.IsZero() {
			end := s.end
			sj.End = &end
		}
		j.Spans = append(j.Spans, sj)
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes a builder written by MarshalJSON, replacing b, with
// the checks of Add; spans out of canonical order are ErrInconsistent. On
// error b is unchanged.
func (b *MRRBuilder) UnmarshalJSON(data []byte) error {
	var j mrrBuilderJSON
	if err := decodeJSON(data, &j, "an MRR builder"); err != nil {
		return err
	}
	p, err := ParsePeriod(j.Period)
	if err != nil {
		return err
	}
	var until time.Time
	if j.Until != nil {
		until = j.Until.UTC()
	}
	spans := make([]mrrSpanData, len(j.Spans))
	for i, sj := range j.Spans {
		m, err := parseJSONDecimal(sj.MRR, "MRR builder: MRR of customer "+quote(sj.Customer), 1)
		if err != nil {
			return err
		}
		spans[i] = mrrSpanData{customer: sj.Customer, subscription: sj.Subscription, start: sj.Start.UTC(), mrr: m}
		if sj.End != nil {
			spans[i].end = sj.End.UTC()
		}
	}
	out, err := newDecodedMRRBuilder(p, j.Location, until, j.Currency, spans)
	if err != nil {
		return err
	}
	*b = *out
	return nil
}

// MarshalBinary encodes the builder in the package's compact binary form.
// Value receiver, as MarshalJSON.
func (b MRRBuilder) MarshalBinary() ([]byte, error) {
	e := newEncoder(tagMRRBuilder)
	e.uvarint(uint64(b.opts.Period))
	e.str(b.zoneID())
	e.bool(!b.opts.Until.IsZero())
	if !b.opts.Until.IsZero() {
		e.time(b.opts.Until)
	}
	e.bool(b.currency.set)
	e.str(b.currency.code)
	spans := b.sortedSpans()
	e.uvarint(uint64(len(spans)))
	for _, s := range spans {
		e.str(s.customer)
		e.str(s.subscription)
		e.time(s.start)
		e.bool(!s.end.IsZero())
		if !s.end.IsZero() {
			e.time(s.end)
		}
		e.decimal(s.mrr)
	}
	return e.b, nil
}

// UnmarshalBinary decodes a builder written by MarshalBinary, replacing b,
// with the checks of UnmarshalJSON; on error b is unchanged.
func (b *MRRBuilder) UnmarshalBinary(data []byte) error {
	d := newDecoder(data, tagMRRBuilder, "an MRR builder")
	p := d.uvarint()
	zone := d.str()
	var until time.Time
	if d.bool() {
		until = d.time()
	}
	set, code := d.bool(), d.str()
	spans := make([]mrrSpanData, d.count(9))
	for i := range spans {
		spans[i] = mrrSpanData{customer: d.str(), subscription: d.str(), start: d.time()}
		if d.bool() {
			spans[i].end = d.time()
		}
		spans[i].mrr = d.decimal(1, "MRR")
	}
	if err := d.end(); err != nil {
		return err
	}
	if p > uint64(Year) {
		return errorf(ErrOutOfRange, "decoding an MRR builder: period %d", p)
	}
	var currency *string
	if set {
		currency = &code
	} else if code != "" {
		return errorf(ErrInconsistent, "decoding an MRR builder: a currency %s that is not set", quote(code))
	}
	out, err := newDecodedMRRBuilder(Period(p), zone, until, currency, spans)
	if err != nil {
		return err
	}
	*b = *out
	return nil
}
