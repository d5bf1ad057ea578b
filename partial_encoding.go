package cxmetrics

import (
	"time"

	"github.com/shopspring/decimal"
)

// Binary forms of the results that travel between machines as partial
// results (see partial.go): the cohort table, the order series and the MRR
// series. Layout as for the accumulators (see encoding.go): the period,
// the location's identity, then the rows, with period numbers instead of
// start times. The decoders check what AddDisjoint checks, so a payload
// decodes only to a result some builder could have made.

// MarshalBinary encodes the table. A table whose Location has no portable
// identity, or whose rows no builder makes, is an error.
func (t CohortTable) MarshalBinary() ([]byte, error) {
	opts, zone, err := calendarOf(t.Period, t.Location)
	if err != nil {
		return nil, err
	}
	firsts, _, err := t.cohortRows(opts)
	if err != nil {
		return nil, err
	}
	e := newEncoder(tagCohortTable)
	e.uvarint(uint64(t.Period))
	e.str(zone)
	e.decimal(t.Unattributed)
	e.uvarint(uint64(len(t.Rows)))
	for i, r := range t.Rows {
		e.period(i, firsts[i], func() int32 { return firsts[i-1] })
		e.uvarint(uint64(r.Size))
		e.uvarint(uint64(len(r.Active)))
		for k := range r.Active {
			e.uvarint(uint64(r.Active[k]))
			e.decimal(r.Revenue[k])
		}
	}
	return e.b, nil
}

// calendar reads a period and a zone identity.
func (d *decoder) calendar() (Period, *time.Location) {
	p := Period(d.uvarint())
	zone := d.str()
	if d.err != nil {
		return 0, nil
	}
	if err := p.validate(); err != nil {
		d.setErr(err)
		return 0, nil
	}
	loc, err := zoneFromIdentity(zone)
	d.setErrIf(err)
	return p, loc
}

// UnmarshalBinary decodes what MarshalBinary wrote, checking it; a
// malformed payload is ErrInconsistent (ErrOutOfRange for a value beyond
// the package's bounds) and leaves t unchanged.
func (t *CohortTable) UnmarshalBinary(data []byte) error {
	d := newDecoder(data, tagCohortTable, "cohort table")
	p, loc := d.calendar()
	v := CohortTable{Period: p, Location: loc, Unattributed: d.decimal(1, "unattributed revenue")}
	opts := CohortOptions{Period: p, Location: loc}
	n := d.count(3)
	var last int64
	for i := 0; i < n && d.err == nil; i++ {
		first := d.period(i, &last)
		r := CohortRow{Start: opts.start(first), Size: d.int64()}
		cells := d.count(3)
		r.Active, r.Revenue = make([]int64, cells), make([]decimal.Decimal, cells)
		for k := 0; k < cells && d.err == nil; k++ {
			r.Active[k] = d.int64()
			r.Revenue[k] = d.decimal(1, "revenue")
		}
		v.Rows = append(v.Rows, r)
	}
	if err := d.end(); err != nil {
		return err
	}
	if _, _, err := v.cohortRows(opts); err != nil {
		return err
	}
	*t = v
	return nil
}

// MarshalBinary encodes the series. A series whose Location has no
// portable identity, or whose rows do not balance, is an error.
func (s Series) MarshalBinary() ([]byte, error) {
	opts, zone, err := calendarOf(s.Period, s.Location)
	if err != nil {
		return nil, err
	}
	first, err := s.seriesRows(opts)
	if err != nil {
		return nil, err
	}
	e := newEncoder(tagSeries)
	e.uvarint(uint64(s.Period))
	e.str(zone)
	e.uvarint(uint64(max(s.Window, 0)))
	e.varint(int64(first))
	e.uvarint(uint64(len(s.Rows)))
	if err := encodeRows(e, s.Rows, "a series"); err != nil {
		return nil, err
	}
	return e.b, nil
}

// UnmarshalBinary decodes what MarshalBinary wrote, checking it; a
// malformed payload is ErrInconsistent (ErrOutOfRange for a value beyond
// the package's bounds) and leaves s unchanged.
func (s *Series) UnmarshalBinary(data []byte) error {
	d := newDecoder(data, tagSeries, "series")
	p, loc := d.calendar()
	v := Series{Period: p, Location: loc}
	window := d.uvarint()
	var first int64
	d.period(0, &first)
	n := d.count(11)
	if d.err == nil && (window < 1 || window > maxSeriesRows || n > maxSeriesRows) {
		d.fail("window %d, %d rows", window, n)
	}
	v.Window = int(window)
	opts := CohortOptions{Period: p, Location: loc}
	v.Rows = decodeRows[SeriesRow](d, opts, int32(first), n, "revenue")
	if err := d.end(); err != nil {
		return err
	}
	if _, err := v.seriesRows(opts); err != nil {
		return err
	}
	*s = v
	return nil
}

// MarshalBinary encodes the MRR series. A series whose Location has no
// portable identity, or whose rows do not balance, is an error.
func (s MRRSeries) MarshalBinary() ([]byte, error) {
	opts, zone, err := calendarOf(s.Period, s.Location)
	if err != nil {
		return nil, err
	}
	first, err := s.mrrRows(opts)
	if err != nil {
		return nil, err
	}
	e := newEncoder(tagMRRSeries)
	e.uvarint(uint64(s.Period))
	e.str(zone)
	e.time(s.Until)
	e.varint(int64(first))
	e.uvarint(uint64(len(s.Rows)))
	if err := encodeRows(e, s.Rows, "an MRR series"); err != nil {
		return nil, err
	}
	return e.b, nil
}

// UnmarshalBinary decodes what MarshalBinary wrote, checking it; a
// malformed payload is ErrInconsistent (ErrOutOfRange for a value beyond
// the package's bounds) and leaves s unchanged.
func (s *MRRSeries) UnmarshalBinary(data []byte) error {
	d := newDecoder(data, tagMRRSeries, "MRR series")
	p, loc := d.calendar()
	v := MRRSeries{Period: p, Location: loc, Until: d.time()}
	var first int64
	d.period(0, &first)
	n := d.count(19)
	if d.err == nil && n > maxSeriesRows {
		d.fail("%d rows", n)
	}
	opts := CohortOptions{Period: p, Location: loc}
	v.Rows = decodeRows[MRRRow](d, opts, int32(first), n, "MRR")
	if err := d.end(); err != nil {
		return err
	}
	if _, err := v.mrrRows(opts); err != nil {
		return err
	}
	if n > 0 {
		if last, ok := opts.index(v.Until); !ok || int64(last) != first+int64(n)-1 {
			return errorf(ErrInconsistent, "decoding MRR series: until %s is not in its last row", v.Until)
		}
	}
	*s = v
	return nil
}

// encodeRows writes each row's money and counts (starts follow from the
// first period); a negative count is ErrNegative. what names the series.
func encodeRows[R any, P seriesRow[R]](e *encoder, rows []R, what string) error {
	for i := range rows {
		_, money, counts := P(&rows[i]).fields()
		for _, m := range money {
			e.decimal(*m)
		}
		for _, c := range counts {
			if *c < 0 {
				return errorf(ErrNegative, "encoding %s: the row at index %d has a count of %d", what, i, *c)
			}
			e.uvarint(uint64(*c))
		}
	}
	return nil
}

// decodeRows reads n rows written by encodeRows, the first of period
// first; money names the rows' money in messages.
func decodeRows[R any, P seriesRow[R]](d *decoder, opts CohortOptions, first int32, n int, money string) []R {
	if n == 0 {
		return nil
	}
	rows := make([]R, n)
	for i := 0; i < n && d.err == nil; i++ {
		start, ms, cs := P(&rows[i]).fields()
		*start = opts.start(first + int32(i))
		for _, m := range ms {
			*m = d.decimal(1, money)
		}
		for _, c := range cs {
			*c = d.int64()
		}
	}
	return rows
}
