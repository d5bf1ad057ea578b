package cxmetrics

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// This file holds what every accumulator's encodings share: the checked
// parsing of decimals in JSON, and the primitives of the binary form. Each
// type's MarshalJSON, UnmarshalJSON, MarshalBinary and UnmarshalBinary live
// beside the type.
//
// The binary form of an accumulator is
//
//	'c' 'x' tag version payload
//
// where tag names the type, version its layout (1 for all today) and the
// payload is a sequence of unsigned varints (counts, lengths), signed
// varints, length-prefixed strings and decimals. A decimal is its exponent
// (signed varint) then its coefficient without trailing zeros: a byte 0 and
// a signed varint when it fits in an int64, else a byte 1 (positive) or 2
// (negative), a length and the magnitude's big-endian bytes. Maps are
// written in sorted key order and decimals without trailing zeros, so equal
// accumulators encode to equal bytes. Times are instants: Unix seconds
// (signed varint) and nanoseconds (unsigned varint).

// Binary tags, one per accumulator type.
const (
	tagNPSTally         = 1
	tagWeightedNPSTally = 2
	tagScaleTally       = 3
	tagOrderStats       = 4
	tagCohortBuilder    = 5
	tagOrderDedup       = 6
	tagMRRBuilder       = 7
)

const binaryVersion = 1

// maxJSONDecimalLen bounds the length of a decimal string in a JSON payload
// before it is parsed, since parsing takes time quadratic in the digits; a
// sum of squares of bounded inputs needs fewer than 4,200 characters.
const maxJSONDecimalLen = 5000

// parseJSONDecimal parses a derived decimal (see checkDerived) from a
// payload.
func parseJSONDecimal(s, what string, power int64) (decimal.Decimal, error) {
	if len(s) > maxJSONDecimalLen {
		return decimal.Decimal{}, errorf(ErrOutOfRange, "%s is a decimal of %d characters", what, len(s))
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		// Bound the exponent before the parser expands it.
		if e, err := strconv.ParseInt(s[i+1:], 10, 64); err == nil && (e > 4*MaxExponent || e < -4*MaxExponent) {
			return decimal.Decimal{}, errorf(ErrOutOfRange, "%s %s has an exponent beyond what the package's inputs can add up to", what, quote(s))
		}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, errorf(ErrInconsistent, "%s %s is not a decimal", what, quote(s))
	}
	if err := checkDerived(d, power, what); err != nil {
		return decimal.Decimal{}, err
	}
	return d, nil
}

// decodeJSON unmarshals data into v, reporting malformed JSON as
// ErrInconsistent.
func decodeJSON(data []byte, v any, what string) error {
	if err := json.Unmarshal(data, v); err != nil {
		return errorf(ErrInconsistent, "decoding %s: %v", what, err)
	}
	return nil
}

// encoder appends the binary form.
type encoder struct{ b []byte }

func newEncoder(tag byte) *encoder {
	return &encoder{b: append(make([]byte, 0, 64), 'c', 'x', tag, binaryVersion)}
}

func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }

func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

func (e *encoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *encoder) time(t time.Time) {
	e.varint(t.Unix())
	e.uvarint(uint64(t.Nanosecond()))
}

var (
	bigTen   = big.NewInt(10)
	bigZero  = new(big.Int)
	maxInt64 = big.NewInt(math.MaxInt64)
	minInt64 = big.NewInt(math.MinInt64)
)

func (e *encoder) decimal(d decimal.Decimal) {
	c, exp := canonical(d)
	e.varint(int64(exp))
	if c.IsInt64() {
		e.b = append(e.b, 0)
		e.varint(c.Int64())
		return
	}
	if c.Sign() > 0 {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 2)
	}
	mag := new(big.Int).Abs(c).Bytes()
	e.uvarint(uint64(len(mag)))
	e.b = append(e.b, mag...)
}

// canonical returns d's coefficient without trailing zeros and the matching
// exponent; zero is (0, 0).
func canonical(d decimal.Decimal) (*big.Int, int32) {
	if d.IsZero() {
		return bigZero, 0
	}
	exp := d.Exponent()
	if d.Coefficient().IsInt64() {
		c := d.CoefficientInt64()
		for c%10 == 0 {
			c /= 10
			exp++
		}
		return big.NewInt(c), exp
	}
	c := d.Coefficient()
	r := new(big.Int)
	for {
		q, m := new(big.Int).QuoRem(c, bigTen, r)
		if m.Sign() != 0 {
			return c, exp
		}
		c, exp = q, exp+1
	}
}

// decoder reads the binary form. The first malformation sets err and turns
// every later read into a zero value, so a decoding function checks err
// once, at the end, or before anything costly.
type decoder struct {
	b    []byte
	what string
	err  error
}

// newDecoder checks the header of data for tag.
func newDecoder(data []byte, tag byte, what string) *decoder {
	d := &decoder{b: data, what: what}
	switch {
	case len(data) < 4 || data[0] != 'c' || data[1] != 'x':
		d.fail("not a cxmetrics binary encoding")
	case data[2] != tag:
		d.fail("type tag %d, not %d", data[2], tag)
	case data[3] != binaryVersion:
		d.fail("layout version %d, not %d", data[3], binaryVersion)
	default:
		d.b = data[4:]
	}
	return d
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = errorf(ErrInconsistent, "decoding %s: "+format, append([]any{d.what}, args...)...)
	}
	d.b = nil
}

// setErr records an error found by the caller while decoding.
func (d *decoder) setErr(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

func (d *decoder) uvarint() uint64 { return readVarint(d, binary.Uvarint) }
func (d *decoder) varint() int64   { return readVarint(d, binary.Varint) }

// readVarint reads one varint with read (binary.Uvarint or binary.Varint).
func readVarint[T uint64 | int64](d *decoder, read func([]byte) (T, int)) T {
	v, n := read(d.b)
	if n <= 0 {
		d.fail("truncated or overlong varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// int64 reads an unsigned varint that must fit an int64 (a count).
func (d *decoder) int64() int64 {
	v := d.uvarint()
	if v > math.MaxInt64 {
		d.setErr(errorf(ErrOutOfRange, "decoding %s: count %d overflows int64", d.what, v))
		return 0
	}
	return int64(v)
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail("truncated")
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) bool() bool {
	switch d.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail("a boolean is neither 0 nor 1")
	return false
}

// count reads a number of items that take at least minBytes each, bounded
// by the bytes left, so a forged count cannot make the decoder allocate
// more than the payload's size.
func (d *decoder) count(minBytes int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/minBytes) {
		d.fail("%d items in %d bytes", n, len(d.b))
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail("a string of %d bytes in %d", n, len(d.b))
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) time() time.Time {
	sec := d.varint()
	nsec := d.uvarint()
	if nsec >= 1e9 {
		d.fail("nanoseconds %d", nsec)
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

// decimal reads a derived decimal (see checkDerived) in canonical form.
func (d *decoder) decimal(power int64, what string) decimal.Decimal {
	exp := d.varint()
	kind := d.byte()
	if d.err != nil {
		return decimal.Decimal{}
	}
	if exp < math.MinInt32 || exp > math.MaxInt32 {
		d.setErr(errorf(ErrOutOfRange, "decoding %s: %s has exponent %d", d.what, what, exp))
		return decimal.Decimal{}
	}
	var c *big.Int
	switch kind {
	case 0:
		c = big.NewInt(d.varint())
	case 1, 2:
		n := d.uvarint()
		// A derived value has fewer than 4,200 digits: 1,750 bytes.
		if n == 0 || n > 1750 || n > uint64(len(d.b)) || d.b[0] == 0 {
			d.fail("%s: a coefficient of %d bytes", what, n)
			return decimal.Decimal{}
		}
		c = new(big.Int).SetBytes(d.b[:n])
		d.b = d.b[n:]
		if kind == 2 {
			c.Neg(c)
		}
		if c.Cmp(maxInt64) <= 0 && c.Cmp(minInt64) >= 0 {
			d.fail("%s: a big coefficient that fits an int64", what)
			return decimal.Decimal{}
		}
	default:
		d.fail("%s: decimal kind %d", what, kind)
		return decimal.Decimal{}
	}
	if d.err != nil {
		return decimal.Decimal{}
	}
	if c.Sign() == 0 && exp != 0 || c.Sign() != 0 && new(big.Int).Rem(c, bigTen).Sign() == 0 {
		d.fail("%s: not in canonical form", what)
		return decimal.Decimal{}
	}
	v := decimal.NewFromBigInt(c, int32(exp))
	if err := checkDerived(v, power, what); err != nil {
		d.setErr(err)
		return decimal.Decimal{}
	}
	return v
}

// end returns the first error, or ErrInconsistent if bytes are left over.
func (d *decoder) end() error {
	if d.err == nil && len(d.b) > 0 {
		d.fail("%d bytes after the end", len(d.b))
	}
	return d.err
}

// setErrIf records err if it is not nil.
func (d *decoder) setErrIf(err error) {
	if err != nil {
		d.setErr(err)
	}
}

// period writes the k-th of a sequence of increasing period numbers: the
// first as a signed varint, the next ones as their increment over prev().
func (e *encoder) period(k int, p int32, prev func() int32) {
	if k == 0 {
		e.varint(int64(p))
	} else {
		e.uvarint(uint64(p - prev()))
	}
}

// period reads the k-th period number of a sequence written by
// encoder.period; last holds the one before.
func (d *decoder) period(k int, last *int64) int32 {
	if k == 0 {
		*last = d.varint()
	} else {
		*last += int64(d.uvarint())
	}
	if *last < math.MinInt32 || *last > math.MaxInt32 {
		d.setErr(errorf(ErrOutOfRange, "decoding %s: period %d", d.what, *last))
		return 0
	}
	return int32(*last)
}
