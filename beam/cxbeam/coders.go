package cxbeam

import (
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/cxmetrics/cxmetrics"
	"github.com/shopspring/decimal"
)

// Coders. Beam's default coder for a struct writes its exported fields and
// silently drops the rest: a decimal.Decimal (unexported fields) arrives as
// 0, an accumulator as empty, and the job succeeds with wrong figures. So
// every type that crosses a stage here has a coder registered in init:
// the accumulators and results of the cxmetrics package travel in their
// own checked binary encodings (MarshalBinary / UnmarshalBinary), and the
// types of this package and the inputs (orders, spans) in the framing
// below, which writes decimals with decimal's own binary encoding.

func init() {
	// The accumulators and results, in their own binary encodings.
	beam.RegisterCoder(reflect.TypeFor[*cxmetrics.OrderStats](), encodeStats, decodeStats)
	beam.RegisterCoder(reflect.TypeFor[*cxmetrics.CohortBuilder](), encodeCohorts, decodeCohorts)
	beam.RegisterCoder(reflect.TypeFor[*cxmetrics.MRRBuilder](), encodeMRRBuilder, decodeMRRBuilder)
	beam.RegisterCoder(reflect.TypeFor[*cxmetrics.NPSTally](), encodeNPS, decodeNPS)
	beam.RegisterCoder(reflect.TypeFor[*cxmetrics.WeightedNPSTally](), encodeWeightedNPS, decodeWeightedNPS)
	beam.RegisterCoder(reflect.TypeFor[*cxmetrics.ScaleTally](), encodeScale, decodeScale)
	beam.RegisterCoder(reflect.TypeFor[*cxmetrics.OrderDedup](), encodeDedup, decodeDedup)
	beam.RegisterCoder(reflect.TypeFor[*cxmetrics.CohortTable](), encodeTable, decodeTable)
	beam.RegisterCoder(reflect.TypeFor[*cxmetrics.Series](), encodeSeries, decodeSeries)
	beam.RegisterCoder(reflect.TypeFor[*cxmetrics.MRRSeries](), encodeMRRSeries, decodeMRRSeries)
	beam.RegisterCoder(reflect.TypeFor[cxmetrics.OrderTotals](), encodeTotals, decodeTotals)
	// The inputs and this package's own types.
	beam.RegisterCoder(reflect.TypeFor[cxmetrics.Order](), encodeOrder, decodeOrder)
	beam.RegisterCoder(reflect.TypeFor[cxmetrics.SubscriptionSpan](), encodeSpan, decodeSpan)
	beam.RegisterCoder(reflect.TypeFor[cxmetrics.WeightedResponse](), encodeWeighted, decodeWeighted)
	beam.RegisterCoder(reflect.TypeFor[*Figures](), encodeFigures, decodeFigures)
	beam.RegisterCoder(reflect.TypeFor[Located](), encodeLocated, decodeLocated)
	beam.RegisterCoder(reflect.TypeFor[BadRow](), encodeBadRow, decodeBadRow)
	beam.RegisterCoder(reflect.TypeFor[Response](), encodeResponse, decodeResponse)
	beam.RegisterCoder(reflect.TypeFor[cxmetrics.RFMScore](), encodeRFMScore, decodeRFMScore)
}

// binaryCodable is a cxmetrics type with a checked binary encoding.
type binaryCodable[T any] interface {
	*T
	encoding.BinaryUnmarshaler
}

// unmarshal decodes data into a new T.
func unmarshal[T any, P binaryCodable[T]](data []byte) (*T, error) {
	v := P(new(T))
	if err := v.UnmarshalBinary(data); err != nil {
		return nil, err
	}
	return (*T)(v), nil
}

func encodeStats(v *cxmetrics.OrderStats) ([]byte, error) { return v.MarshalBinary() }
func decodeStats(data []byte) (*cxmetrics.OrderStats, error) {
	return unmarshal[cxmetrics.OrderStats](data)
}

func encodeCohorts(v *cxmetrics.CohortBuilder) ([]byte, error) { return v.MarshalBinary() }
func decodeCohorts(data []byte) (*cxmetrics.CohortBuilder, error) {
	return unmarshal[cxmetrics.CohortBuilder](data)
}

func encodeMRRBuilder(v *cxmetrics.MRRBuilder) ([]byte, error) { return v.MarshalBinary() }
func decodeMRRBuilder(data []byte) (*cxmetrics.MRRBuilder, error) {
	return unmarshal[cxmetrics.MRRBuilder](data)
}

func encodeNPS(v *cxmetrics.NPSTally) ([]byte, error)    { return v.MarshalBinary() }
func decodeNPS(data []byte) (*cxmetrics.NPSTally, error) { return unmarshal[cxmetrics.NPSTally](data) }

func encodeWeightedNPS(v *cxmetrics.WeightedNPSTally) ([]byte, error) { return v.MarshalBinary() }
func decodeWeightedNPS(data []byte) (*cxmetrics.WeightedNPSTally, error) {
	return unmarshal[cxmetrics.WeightedNPSTally](data)
}

func encodeScale(v *cxmetrics.ScaleTally) ([]byte, error) { return v.MarshalBinary() }
func decodeScale(data []byte) (*cxmetrics.ScaleTally, error) {
	return unmarshal[cxmetrics.ScaleTally](data)
}

func encodeDedup(v *cxmetrics.OrderDedup) ([]byte, error) { return v.MarshalBinary() }
func decodeDedup(data []byte) (*cxmetrics.OrderDedup, error) {
	return unmarshal[cxmetrics.OrderDedup](data)
}

func encodeTable(v *cxmetrics.CohortTable) ([]byte, error) { return v.MarshalBinary() }
func decodeTable(data []byte) (*cxmetrics.CohortTable, error) {
	return unmarshal[cxmetrics.CohortTable](data)
}

func encodeSeries(v *cxmetrics.Series) ([]byte, error)    { return v.MarshalBinary() }
func decodeSeries(data []byte) (*cxmetrics.Series, error) { return unmarshal[cxmetrics.Series](data) }

func encodeMRRSeries(v *cxmetrics.MRRSeries) ([]byte, error) { return v.MarshalBinary() }
func decodeMRRSeries(data []byte) (*cxmetrics.MRRSeries, error) {
	return unmarshal[cxmetrics.MRRSeries](data)
}

func encodeTotals(t cxmetrics.OrderTotals) ([]byte, error) { return t.MarshalBinary() }

func decodeTotals(data []byte) (cxmetrics.OrderTotals, error) {
	var t cxmetrics.OrderTotals
	err := t.UnmarshalBinary(data)
	return t, err
}

// writer frames values: unsigned varints, length-prefixed bytes.
type writer struct {
	b   []byte
	err error
}

func (w *writer) uint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *writer) int(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *writer) bytes(b []byte) {
	w.uint(uint64(len(b)))
	w.b = append(w.b, b...)
}
func (w *writer) str(s string) { w.bytes([]byte(s)) }
func (w *writer) time(t time.Time) {
	if t.IsZero() {
		w.uint(0)
		return
	}
	w.uint(1)
	w.int(t.Unix())
	w.uint(uint64(t.Nanosecond()))
}
func (w *writer) decimal(d decimal.Decimal) {
	b, err := d.MarshalBinary()
	w.setErr(err)
	w.bytes(b)
}

// blob writes a cxmetrics value in its binary encoding, or a 0 for nil.
func (w *writer) blob(v encoding.BinaryMarshaler, present bool) {
	if !present {
		w.uint(0)
		return
	}
	b, err := v.MarshalBinary()
	w.setErr(err)
	w.uint(1)
	w.bytes(b)
}
func (w *writer) setErr(err error) {
	if w.err == nil {
		w.err = err
	}
}
func (w *writer) counts(m map[string]int64) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.uint(uint64(len(keys)))
	for _, k := range keys {
		w.str(k)
		w.int(m[k])
	}
}

// reader reads what writer framed; the first malformation sticks.
type reader struct {
	b   []byte
	err error
}

var errMalformed = errors.New("cxbeam: malformed encoding")

func (r *reader) fail() {
	if r.err == nil {
		r.err = errMalformed
	}
	r.b = nil
}
func (r *reader) uint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}
func (r *reader) int() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}
func (r *reader) small() int {
	v := r.int()
	if v < math.MinInt32 || v > math.MaxInt32 {
		r.fail()
		return 0
	}
	return int(v)
}
func (r *reader) bytes() []byte {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	b := r.b[:n:n]
	r.b = r.b[n:]
	return b
}
func (r *reader) str() string { return string(r.bytes()) }
func (r *reader) time() time.Time {
	switch r.uint() {
	case 0:
		return time.Time{}
	case 1:
		sec, nsec := r.int(), r.uint()
		if nsec >= 1e9 {
			r.fail()
			return time.Time{}
		}
		return time.Unix(sec, int64(nsec)).UTC()
	}
	r.fail()
	return time.Time{}
}
func (r *reader) decimal() decimal.Decimal {
	var d decimal.Decimal
	b := r.bytes()
	if r.err == nil {
		if err := d.UnmarshalBinary(b); err != nil {
			r.err = err
		}
	}
	return d
}

// blob reads a value written by writer.blob into v, and reports whether
// there was one.
func (r *reader) blob(v encoding.BinaryUnmarshaler) bool {
	switch r.uint() {
	case 0:
		return false
	case 1:
		b := r.bytes()
		if r.err == nil {
			if err := v.UnmarshalBinary(b); err != nil {
				r.err = err
			}
		}
		return r.err == nil
	}
	r.fail()
	return false
}
func (r *reader) counts() map[string]int64 {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	if n == 0 {
		return nil
	}
	m := make(map[string]int64, n)
	for i := uint64(0); i < n && r.err == nil; i++ {
		m[r.str()] = r.int()
	}
	return m
}
func (r *reader) end(what string) error {
	if r.err == nil && len(r.b) > 0 {
		r.err = errMalformed
	}
	if r.err != nil {
		return fmt.Errorf("cxbeam: decoding %s: %w", what, r.err)
	}
	return nil
}

func writeOrder(w *writer, o cxmetrics.Order) {
	w.str(o.CustomerID)
	w.str(o.ID)
	w.time(o.Time)
	w.decimal(o.Amount)
	w.str(o.Currency)
}

func readOrder(r *reader) cxmetrics.Order {
	return cxmetrics.Order{CustomerID: r.str(), ID: r.str(), Time: r.time(), Amount: r.decimal(), Currency: r.str()}
}

func encodeOrder(o cxmetrics.Order) ([]byte, error) {
	var w writer
	writeOrder(&w, o)
	return w.b, w.err
}

func decodeOrder(data []byte) (cxmetrics.Order, error) {
	r := reader{b: data}
	o := readOrder(&r)
	return o, r.end("an order")
}

func encodeSpan(s cxmetrics.SubscriptionSpan) ([]byte, error) {
	var w writer
	w.str(s.CustomerID)
	w.str(s.SubscriptionID)
	w.time(s.Start)
	w.time(s.End)
	w.decimal(s.Amount)
	w.uint(uint64(s.Interval.Unit))
	w.int(int64(s.Interval.Count))
	w.str(s.Currency)
	return w.b, w.err
}

func decodeSpan(data []byte) (cxmetrics.SubscriptionSpan, error) {
	r := reader{b: data}
	s := cxmetrics.SubscriptionSpan{CustomerID: r.str(), SubscriptionID: r.str(), Start: r.time(), End: r.time(), Amount: r.decimal()}
	s.Interval.Unit = cxmetrics.IntervalUnit(r.uint())
	s.Interval.Count = r.small()
	s.Currency = r.str()
	return s, r.end("a subscription span")
}

func encodeWeighted(v cxmetrics.WeightedResponse) ([]byte, error) {
	var w writer
	w.int(int64(v.Score))
	w.decimal(v.Weight)
	return w.b, w.err
}

func decodeWeighted(data []byte) (cxmetrics.WeightedResponse, error) {
	r := reader{b: data}
	v := cxmetrics.WeightedResponse{Score: r.small(), Weight: r.decimal()}
	return v, r.end("a weighted response")
}

func encodeResponse(v Response) ([]byte, error) {
	var w writer
	w.str(v.Metric)
	w.int(int64(v.Score))
	w.int(int64(v.Line))
	return w.b, w.err
}

func decodeResponse(data []byte) (Response, error) {
	r := reader{b: data}
	v := Response{Metric: r.str(), Score: r.small(), Line: r.small()}
	return v, r.end("a response")
}

func writeBadRow(w *writer, b BadRow) {
	w.int(int64(b.Phase))
	w.str(b.File)
	w.int(int64(b.Line))
	w.int(int64(b.Lines))
	w.int(int64(b.Rows))
	w.str(b.Reason)
	if b.Counted {
		w.uint(1)
	} else {
		w.uint(0)
	}
}

func readBadRow(r *reader) BadRow {
	b := BadRow{Phase: r.small(), File: r.str(), Line: r.small(), Lines: r.small(), Rows: r.small(), Reason: r.str()}
	switch r.uint() {
	case 0:
	case 1:
		b.Counted = true
	default:
		r.fail()
	}
	return b
}

func encodeBadRow(b BadRow) ([]byte, error) {
	var w writer
	writeBadRow(&w, b)
	return w.b, w.err
}

func decodeBadRow(data []byte) (BadRow, error) {
	r := reader{b: data}
	b := readBadRow(&r)
	return b, r.end("a bad row")
}

func encodeLocated(l Located) ([]byte, error) {
	var w writer
	writeOrder(&w, l.Order)
	w.str(l.File)
	w.int(int64(l.Line))
	w.int(int64(l.Lines))
	w.int(int64(l.Rows))
	return w.b, w.err
}

func decodeLocated(data []byte) (Located, error) {
	r := reader{b: data}
	l := Located{Order: readOrder(&r), File: r.str(), Line: r.small(), Lines: r.small(), Rows: r.small()}
	return l, r.end("a located order")
}

// present reports whether a pointer is set, for writer.blob.
func present[T any](p *T) bool { return p != nil }

func encodeFigures(f *Figures) ([]byte, error) {
	var w writer
	if f.Orders != nil {
		w.uint(1)
		o := f.Orders
		w.blob(o.Totals, true)
		w.int(o.Refunds)
		w.blob(o.Table, present(o.Table))
		w.blob(o.Series, present(o.Series))
		w.counts(o.Buckets)
	} else {
		w.uint(0)
	}
	if f.Tiers != nil {
		w.uint(1)
		w.decimal(f.Tiers.Thresholds.Medium)
		w.decimal(f.Tiers.Thresholds.High)
		for _, s := range f.Tiers.Summaries {
			w.int(s.Customers)
			w.int(s.Orders)
			w.decimal(s.Revenue)
			w.decimal(s.AOV)
		}
	} else {
		w.uint(0)
	}
	w.counts(f.Candidates)
	if f.MRR != nil {
		w.uint(1)
		w.str(f.MRR.Currency)
		w.blob(f.MRR.Series, present(f.MRR.Series))
		w.blob(f.MRR.Cohorts, present(f.MRR.Cohorts))
	} else {
		w.uint(0)
	}
	w.time(f.Latest)
	w.blob(f.NPS, present(f.NPS))
	w.blob(f.CSAT, present(f.CSAT))
	w.blob(f.CES, present(f.CES))
	w.counts(f.Counts)
	w.uint(uint64(len(f.Bad)))
	for _, b := range f.Bad {
		writeBadRow(&w, b)
	}
	w.int(int64(f.First.Phase))
	w.int(int64(f.First.Line))
	w.str(f.First.Currency)
	return w.b, w.err
}

func decodeFigures(data []byte) (*Figures, error) {
	r := reader{b: data}
	f := &Figures{}
	switch r.uint() {
	case 1:
		o := &OrderPart{}
		r.blob(&o.Totals)
		o.Refunds = r.int()
		if t := new(cxmetrics.CohortTable); r.blob(t) {
			o.Table = t
		}
		if s := new(cxmetrics.Series); r.blob(s) {
			o.Series = s
		}
		o.Buckets = r.counts()
		f.Orders = o
	case 0:
	default:
		r.fail()
	}
	switch r.uint() {
	case 1:
		t := &Tiers{}
		t.Thresholds.Medium, t.Thresholds.High = r.decimal(), r.decimal()
		for i := range t.Summaries {
			t.Summaries[i] = cxmetrics.TierSummary{Tier: cxmetrics.AOVTier(i), Customers: r.int(), Orders: r.int(), Revenue: r.decimal(), AOV: r.decimal()}
		}
		f.Tiers = t
	case 0:
	default:
		r.fail()
	}
	f.Candidates = r.counts()
	switch r.uint() {
	case 1:
		m := &MRRPart{Currency: r.str()}
		if s := new(cxmetrics.MRRSeries); r.blob(s) {
			m.Series = s
		}
		if c := new(cxmetrics.CohortTable); r.blob(c) {
			m.Cohorts = c
		}
		f.MRR = m
	case 0:
	default:
		r.fail()
	}
	f.Latest = r.time()
	if t := new(cxmetrics.NPSTally); r.blob(t) {
		f.NPS = t
	}
	if t := new(cxmetrics.ScaleTally); r.blob(t) {
		f.CSAT = t
	}
	if t := new(cxmetrics.ScaleTally); r.blob(t) {
		f.CES = t
	}
	f.Counts = r.counts()
	n := r.uint()
	if n > MaxReasons*4 {
		r.fail()
	}
	for i := uint64(0); i < n && r.err == nil; i++ {
		f.Bad = append(f.Bad, readBadRow(&r))
	}
	f.First = CurrencyMark{Phase: r.small(), Line: r.small(), Currency: r.str()}
	return f, r.end("figures")
}
