package cxmetrics

import (
	"encoding/binary"
	"encoding/json"
	"hash/maphash"
	"math"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// CombineLines combines two invoice lines of one order into one: the same
// ID, customer and currency, the exact sum of the amounts and the earlier
// of the two times. Lines with different IDs, customers or currencies are
// ErrInconsistent, naming both; each line is checked as [Order.Validate]
// checks it. CombineLines is commutative and associative, so the lines of
// an order may be combined in any order and grouping (as a distributed
// engine's combiner does) and give the same order.
func CombineLines(a, b Order) (Order, error) {
	if err := validateOrder(&a, -1); err != nil {
		return Order{}, err
	}
	if err := validateOrder(&b, -1); err != nil {
		return Order{}, err
	}
	if a.ID != b.ID || a.CustomerID != b.CustomerID || a.Currency != b.Currency {
		return Order{}, errorf(ErrInconsistent, "lines %s and %s do not belong to one order: the ID, customer and currency must agree",
			describeOrder(&a), describeOrder(&b))
	}
	out := a
	out.Amount = a.Amount.Add(b.Amount)
	if b.Time.Before(a.Time) || b.Time.Equal(a.Time) && b.Time.Location().String() < a.Time.Location().String() {
		out.Time = b.Time
	}
	if err := checkDerived(out.Amount, 1, "the sum of the lines of "+orderRef(&a, -1)); err != nil {
		return Order{}, err
	}
	return out, nil
}

// describeOrder names an order and its content in an error message.
func describeOrder(o *Order) string {
	return orderRef(o, -1) + " (customer " + quote(o.CustomerID) + ", " + o.Time.UTC().Format(time.RFC3339Nano) +
		", " + shortDecimal(o.Amount) + " " + currencyName(o.Currency) + ")"
}

// OrderDedup remembers the orders of an at-least-once stream, where a
// message may arrive more than once, and tells a re-delivery from a new
// order: an order whose ID was seen before with the same customer, instant,
// amount and currency is a duplicate; the same ID with other content is
// ErrInconsistent, naming both. Feed every order to Seen and pass on only
// those that are not duplicates. The zero value is ready to use. It follows
// the package's accumulator contract (see the package doc); Add is Seen
// without the answer.
//
// It never reports a false duplicate: orders are found by a hash of the ID
// and then compared in full. Memory grows with distinct orders: a record of
// the order's ID and its customer's ID, stored together once per distinct
// order, and about 17 bytes more (the first position in 4 bytes, the
// lengths, the currency, the instant and the amount as variable-length
// integers), a 4-byte reference to it and 10.7 to 16 bytes of hash index
// (8-byte slots, half to three quarters full): 50 to 55 bytes an order
// when both IDs are short (see BENCHMARKS.md). It is not safe for
// concurrent use.
type OrderDedup struct {
	seed  maphash.Seed
	slots []dedupSlot // open addressing, at most 3/4 full
	// refs[g][i] locates the record of entry g*entryChunk+i: its
	// offset in the arena from bases[g], where the records of that group
	// of entries start (an arena offset is chunk << 16 | position), or
	// bigRef. A group's records span less than 4 GiB, so its references
	// fit 32 bits however large the arena grows.
	refs       [][]uint32
	bases      []uint64
	n          int32    // entries in use
	arena      [][]byte // the records, one after another, in chunks of arenaChunk bytes
	currencies []string // currency codes by index; index 0 is ""
	big        map[int32][]byte
	// big holds the records that do not fit an arena chunk (IDs of
	// nearly 64 KiB); their references are bigRef.
	deliveries int64 // orders seen, duplicates included
}

// dedupSlot is one slot of the hash index: 32 bits of the ID's hash, so
// that a probe passes over other IDs without reading their records, and
// the entry's number + 1 (0 is an empty slot).
type dedupSlot struct {
	tag   uint32
	entry int32
}

// A record is, in bytes: a flags byte; the first position, 4 bytes (8 with
// recAt64), little-endian; the lengths of the order ID and of the customer
// ID as uvarints; both IDs; the currency's index, one byte; the instant's
// Unix seconds as a varint, and its nanoseconds as a uvarint with
// recNanos; then the amount: its scale (0..18) in a byte and its units as
// a varint, or with recBigAmount its sign in a byte, its exponent as a
// varint and its coefficient's magnitude as a uvarint length and
// big-endian bytes. The position comes first and has a fixed width, so
// that a smaller one can be written over it.
const (
	recAt64      = 1 << 0
	recBigAmount = 1 << 1
	recNanos     = 1 << 2
)

// bigRef is the reference of a record kept in big.
const bigRef = math.MaxUint32

// dedupKey is an order's content in comparable form.
type dedupKey struct {
	id       string
	customer string
	instant  time.Time
	amount   decimal.Decimal
	currency string
	at       int64
}

// Seen reports whether o is a re-delivery of an order seen before (the same
// ID, customer, instant and amount, and the same currency), and otherwise
// remembers it. An order ID seen before with other content is
// ErrInconsistent naming both; an invalid order is as [Order.Validate]
// says, and an order without an ID ErrInconsistent, since an ID is what
// tells deliveries apart. On error the dedup is unchanged.
func (d *OrderDedup) Seen(o Order) (duplicate bool, err error) {
	duplicate, _, err = d.SeenAt(o, 0)
	return duplicate, err
}

// SeenAt is Seen for an order at position at of its source (a line number,
// an offset). For a duplicate or a conflict, first is the smallest position
// at which the order was delivered, so a caller can name both deliveries.
// Positions must not be negative (ErrNegative).
func (d *OrderDedup) SeenAt(o Order, at int64) (duplicate bool, first int64, err error) {
	if err := d.check(&o, at); err != nil {
		return false, 0, err
	}
	if d.deliveries == math.MaxInt64 {
		return false, 0, errorf(ErrOutOfRange, "the dedup already saw %d orders", d.deliveries)
	}
	k := dedupKey{id: o.ID, customer: o.CustomerID, instant: o.Time, amount: o.Amount, currency: o.Currency, at: at}
	slot, i, found := d.find(o.ID)
	if found {
		prevAt := d.at(i)
		if !d.sameContent(i, &k) {
			prev := d.key(i)
			return false, prevAt, errorf(ErrInconsistent, "order %s delivered again with other content: first %s, now %s",
				quote(o.ID), describeKey(&prev), describeKey(&k))
		}
		if at < prevAt {
			d.setAt(i, at)
		}
		d.deliveries++
		return true, min(at, prevAt), nil
	}
	if d.n == maxDedupOrders {
		return false, 0, errorf(ErrOutOfRange, "order %s: the dedup holds the most distinct orders it can, %d", quote(o.ID), d.n)
	}
	d.insert(slot, &k)
	d.deliveries++
	return false, at, nil
}

// Add remembers o like Seen, for callers that only need the errors.
func (d *OrderDedup) Add(o Order) error {
	_, err := d.Seen(o)
	return err
}

func (d *OrderDedup) check(o *Order, at int64) error {
	if err := validateOrder(o, -1); err != nil {
		return err
	}
	if o.ID == "" {
		return errorf(ErrInconsistent, "an order of customer %s has no ID, so its deliveries cannot be told apart", quote(o.CustomerID))
	}
	if at < 0 {
		return errorf(ErrNegative, "position %d of order %s", at, quote(o.ID))
	}
	if o.Currency != "" {
		if _, err := MinorUnits(o.Currency); err != nil {
			return errorf(ErrUnknownCurrency, "%s in %s: not an ISO 4217 code with a minor unit", orderRef(o, -1), quote(o.Currency))
		}
	}
	return nil
}

// sameContent reports whether entry e holds the order k describes, without
// unpacking it into decimals and times: the fast path of a re-delivery.
func (d *OrderDedup) sameContent(e int32, k *dedupKey) bool {
	r := parseRecord(d.record(e))
	if string(r.customer) != k.customer || d.currencies[r.currency] != k.currency {
		return false
	}
	if r.sec != k.instant.Unix() || r.nsec != int64(k.instant.Nanosecond()) {
		return false
	}
	if r.flags&recBigAmount != 0 || k.amount.NumDigits() > 18 {
		return r.amount().Equal(k.amount)
	}
	c1, e1 := stripZeros(r.units, -r.scale)
	c2, e2 := stripZeros(k.amount.CoefficientInt64(), k.amount.Exponent())
	return c1 == c2 && (c1 == 0 || e1 == e2)
}

// stripZeros returns c × 10^e with the trailing zeros of c moved into e.
func stripZeros(c int64, e int32) (int64, int32) {
	for c != 0 && c%10 == 0 {
		c /= 10
		e++
	}
	return c, e
}

// at returns entry e's first position.
func (d *OrderDedup) at(e int32) int64 {
	rec := d.record(e)
	if rec[0]&recAt64 != 0 {
		return int64(binary.LittleEndian.Uint64(rec[1:]))
	}
	return int64(binary.LittleEndian.Uint32(rec[1:]))
}

// sameContent reports whether two keys describe the same order; the
// position does not count.
func (k *dedupKey) sameContent(o *dedupKey) bool {
	return k.customer == o.customer && k.instant.Equal(o.instant) && k.amount.Equal(o.amount) && k.currency == o.currency
}

func describeKey(k *dedupKey) string {
	return "customer " + quote(k.customer) + ", " + k.instant.UTC().Format(time.RFC3339Nano) + ", " + shortDecimal(k.amount) + " " + currencyName(k.currency)
}

// Duplicates returns the number of deliveries that repeated an order seen
// before: every order seen, minus the distinct orders.
func (d *OrderDedup) Duplicates() int64 { return d.deliveries - int64(d.n) }

// Orders returns the number of distinct orders seen.
func (d *OrderDedup) Orders() int64 { return int64(d.n) }

// home returns the slot where a tag starts its probe: the tag scaled to
// the table's size (Lemire's multiply-shift), so the size need not be a
// power of two and the table can grow by half instead of doubling, and a
// slot's tag is all it takes to move it when the table grows. A tag is 32
// bits of the ID's hash; IDs whose homes are near share its high bits but
// rarely all 32, so a probe rarely reads an entry that is not the one
// sought.
func (d *OrderDedup) home(tag uint32) int {
	return int(uint64(tag) * uint64(len(d.slots)) >> 32)
}

// dedupSpot is a slot found for an ID, with the ID's tag.
type dedupSpot struct {
	slot int
	tag  uint32
}

// find returns the slot of id: the slot holding it (found), or the empty
// slot where it would go, with the ID's hash tag for the slot.
func (d *OrderDedup) find(id string) (slot dedupSpot, entry int32, found bool) {
	if d.slots == nil {
		d.seed = maphash.MakeSeed()
		d.slots = make([]dedupSlot, 16)
	}
	tag := uint32(maphash.String(d.seed, id) >> 32)
	for s := d.home(tag); ; {
		v := d.slots[s]
		if v.entry == 0 {
			return dedupSpot{s, tag}, 0, false
		}
		if v.tag == tag && d.idIs(v.entry-1, id) {
			return dedupSpot{s, tag}, v.entry - 1, true
		}
		if s++; s == len(d.slots) {
			s = 0
		}
	}
}

// idIs reports whether entry e's ID is id, without copying it.
func (d *OrderDedup) idIs(e int32, id string) bool {
	stored, _, _ := recordIDs(d.record(e))
	return string(stored) == id
}

// maxDedupOrders is the most distinct orders a dedup holds: entries are
// numbered by int32. (At about 55 bytes an order, that is 118 GB.)
const maxDedupOrders = math.MaxInt32

// maxLoadNum / maxLoadDen is the share of slots in use past which the
// index grows by half: linear probing needs a few probes below it.
const maxLoadNum, maxLoadDen = 3, 4

// insert adds k as a new entry in the empty slot, growing the index by half
// when it is three quarters full.
func (d *OrderDedup) insert(at dedupSpot, k *dedupKey) {
	e := d.n
	if int(e)%entryChunk == 0 {
		d.refs = append(d.refs, make([]uint32, entryChunk))
		var end uint64 // where the next record goes, at the earliest
		if last := len(d.arena) - 1; last >= 0 {
			end = uint64(last)<<16 | uint64(len(d.arena[last]))
		}
		d.bases = append(d.bases, end)
	}
	d.refs[e/entryChunk][e%entryChunk] = d.store(e, k)
	d.n++
	d.slots[at.slot] = dedupSlot{at.tag, e + 1}
	if maxLoadDen*int(d.n) > maxLoadNum*len(d.slots) {
		d.rehash(len(d.slots) + len(d.slots)/2)
	}
}

func (d *OrderDedup) rehash(size int) {
	old := d.slots
	d.slots = touchedTable[dedupSlot](size)
	for _, v := range old {
		if v.entry == 0 {
			continue
		}
		s := d.home(v.tag)
		for d.slots[s].entry != 0 {
			if s++; s == size {
				s = 0
			}
		}
		d.slots[s] = v
	}
}

// References and records live in fixed chunks, so memory follows the
// orders without the slack of a doubling slice.
const (
	entryChunk = 4096
	arenaChunk = 1 << 16
)

// record returns entry e's record.
func (d *OrderDedup) record(e int32) []byte {
	ref := d.refs[e/entryChunk][e%entryChunk]
	if ref == bigRef {
		return d.big[e]
	}
	off := d.bases[e/entryChunk] + uint64(ref)
	return d.arena[off>>16][off&0xffff:]
}

// store appends the record of k, entry e, and returns its reference.
func (d *OrderDedup) store(e int32, k *dedupKey) uint32 {
	var flags byte
	if k.at >= 1<<32 {
		flags |= recAt64
	}
	sec, nsec := k.instant.Unix(), k.instant.Nanosecond()
	if nsec != 0 {
		flags |= recNanos
	}
	scale, units, fits := int32(0), int64(0), false
	if sc, ok := scaleOf(k.amount); ok {
		scale = sc
		units, fits = mulPow10(k.amount.CoefficientInt64(), sc+k.amount.Exponent())
	}
	if !fits {
		flags |= recBigAmount
	}
	cur := d.currencyIndex(k.currency)
	// The record's size, to find it room first: the fixed bytes, the
	// IDs, and the variable-length integers at their widest.
	size := 1 + 8 + 2*binary.MaxVarintLen64 + len(k.id) + len(k.customer) + 1 + 2*binary.MaxVarintLen64 + 1 + binary.MaxVarintLen64
	var mag []byte
	if !fits {
		mag = k.amount.Coefficient().Bytes()
		size += 2*binary.MaxVarintLen64 + len(mag)
	}
	var rec []byte
	ref := uint32(bigRef)
	last := len(d.arena) - 1
	if size <= arenaChunk {
		if last < 0 || len(d.arena[last])+size > arenaChunk {
			d.arena = append(d.arena, make([]byte, 0, arenaChunk))
			last++
		}
		// At most entryChunk records of at most a chunk each, each
		// skipping at most a chunk's end: under 512 MiB past the base.
		ref = uint32(uint64(last)<<16 | uint64(len(d.arena[last])) - d.bases[e/entryChunk])
		rec = d.arena[last]
	}
	start := len(rec)
	rec = append(rec, flags)
	if flags&recAt64 != 0 {
		rec = binary.LittleEndian.AppendUint64(rec, uint64(k.at))
	} else {
		rec = binary.LittleEndian.AppendUint32(rec, uint32(k.at))
	}
	rec = binary.AppendUvarint(rec, uint64(len(k.id)))
	rec = binary.AppendUvarint(rec, uint64(len(k.customer)))
	rec = append(append(rec, k.id...), k.customer...)
	rec = append(rec, cur)
	rec = binary.AppendVarint(rec, sec)
	if flags&recNanos != 0 {
		rec = binary.AppendUvarint(rec, uint64(nsec))
	}
	if fits {
		rec = append(rec, byte(scale))
		rec = binary.AppendVarint(rec, units)
	} else {
		sign := byte(0)
		if k.amount.IsNegative() {
			sign = 1
		}
		rec = append(rec, sign)
		rec = binary.AppendVarint(rec, int64(k.amount.Exponent()))
		rec = binary.AppendUvarint(rec, uint64(len(mag)))
		rec = append(rec, mag...)
	}
	if ref == bigRef {
		if d.big == nil {
			d.big = make(map[int32][]byte)
		}
		d.big[e] = rec[start:]
	} else {
		d.arena[last] = rec
	}
	return ref
}

// recordView is a record read into its fields.
type recordView struct {
	flags        byte
	id, customer []byte
	currency     uint8
	sec, nsec    int64
	units        int64 // with scale, unless recBigAmount
	scale        int32
	amountBytes  []byte // with recBigAmount: sign, exponent, magnitude
}

// recordIDs returns a record's order ID and customer ID, and the bytes
// that follow them.
func recordIDs(rec []byte) (id, customer, rest []byte) {
	p := 5
	if rec[0]&recAt64 != 0 {
		p = 9
	}
	idLen, n := binary.Uvarint(rec[p:])
	p += n
	customerLen, n := binary.Uvarint(rec[p:])
	p += n
	id = rec[p : p+int(idLen)]
	p += int(idLen)
	return id, rec[p : p+int(customerLen)], rec[p+int(customerLen):]
}

// parseRecord reads a record, which store wrote.
func parseRecord(rec []byte) recordView {
	r := recordView{flags: rec[0]}
	var rest []byte
	r.id, r.customer, rest = recordIDs(rec)
	r.currency = rest[0]
	p := 1
	var n int
	r.sec, n = binary.Varint(rest[p:])
	p += n
	if r.flags&recNanos != 0 {
		var nsec uint64
		nsec, n = binary.Uvarint(rest[p:])
		r.nsec = int64(nsec)
		p += n
	}
	if r.flags&recBigAmount != 0 {
		r.amountBytes = rest[p:]
		return r
	}
	r.scale = int32(rest[p])
	r.units, _ = binary.Varint(rest[p+1:])
	return r
}

// amount returns the record's amount as a decimal.
func (r *recordView) amount() decimal.Decimal {
	if r.flags&recBigAmount == 0 {
		return decimal.New(r.units, -r.scale)
	}
	b := r.amountBytes
	exp, n := binary.Varint(b[1:])
	p := 1 + n
	size, n := binary.Uvarint(b[p:])
	p += n
	c := new(big.Int).SetBytes(b[p : p+int(size)])
	if b[0] == 1 {
		c.Neg(c)
	}
	return decimal.NewFromBigInt(c, int32(exp))
}

// currencyIndex returns the index of a currency code, adding it if new.
// Codes are checked ISO 4217 codes, fewer than 256.
func (d *OrderDedup) currencyIndex(code string) uint8 {
	if d.currencies == nil {
		d.currencies = []string{""}
	}
	if i := slices.Index(d.currencies, code); i >= 0 {
		return uint8(i)
	}
	d.currencies = append(d.currencies, code)
	return uint8(len(d.currencies) - 1)
}

// key unpacks entry e.
func (d *OrderDedup) key(e int32) dedupKey {
	r := parseRecord(d.record(e))
	return dedupKey{
		id: string(r.id), customer: string(r.customer), currency: d.currencies[r.currency],
		instant: time.Unix(r.sec, r.nsec).UTC(), amount: r.amount(), at: d.at(e),
	}
}

// setAt lowers entry e's position. A smaller position never needs more
// bytes than the record has for it.
func (d *OrderDedup) setAt(e int32, at int64) {
	rec := d.record(e)
	if rec[0]&recAt64 != 0 {
		binary.LittleEndian.PutUint64(rec[1:], uint64(at))
		return
	}
	binary.LittleEndian.PutUint32(rec[1:], uint32(at))
}

// Merge adds the orders o has seen to d, as if they had been seen by d; o is
// not modified and nil o is a no-op. An order both have seen is one order,
// delivered more than once, with the smaller first position. An order ID
// with different content in the two is ErrInconsistent naming both, and
// leaves d unchanged. d.Merge(d) counts every delivery twice and adds no
// order. Merging in any order gives the same result.
func (d *OrderDedup) Merge(o *OrderDedup) error {
	if o == nil || o.n == 0 && o.deliveries == 0 {
		return nil
	}
	if d.deliveries > math.MaxInt64-o.deliveries {
		return errorf(ErrOutOfRange, "merging %d deliveries into %d overflows int64", o.deliveries, d.deliveries)
	}
	keys := make([]dedupKey, o.n)
	fresh := int64(0)
	for e := range o.n {
		keys[e] = o.key(e)
		_, i, found := d.find(keys[e].id)
		if !found {
			fresh++
			continue
		}
		if prev := d.key(i); !prev.sameContent(&keys[e]) {
			return errorf(ErrInconsistent, "order %s has other content in the merged dedup: %s, here %s",
				quote(keys[e].id), describeKey(&keys[e]), describeKey(&prev))
		}
	}
	if int64(d.n)+fresh > maxDedupOrders {
		return errorf(ErrOutOfRange, "merging %d new orders into %d goes past the %d distinct orders a dedup holds", fresh, d.n, maxDedupOrders)
	}
	deliveries := o.deliveries // o may be d
	for e := range keys {
		slot, i, found := d.find(keys[e].id)
		if found {
			if keys[e].at < d.at(i) {
				d.setAt(i, keys[e].at)
			}
			continue
		}
		d.insert(slot, &keys[e])
	}
	d.deliveries += deliveries
	return nil
}

// sortedKeys returns every order's key, sorted by ID, for the encodings.
func (d *OrderDedup) sortedKeys() []dedupKey {
	keys := make([]dedupKey, d.n)
	for e := range d.n {
		keys[e] = d.key(e)
	}
	slices.SortFunc(keys, func(a, b dedupKey) int { return strings.Compare(a.id, b.id) })
	return keys
}

// addDecoded rebuilds a dedup from decoded keys, sorted by ID, and the
// number of deliveries, checking them as Seen would.
func newDecodedDedup(keys []dedupKey, deliveries int64) (*OrderDedup, error) {
	if len(keys) > maxDedupOrders {
		return nil, errorf(ErrOutOfRange, "order dedup: %d orders, more than the %d a dedup holds", len(keys), maxDedupOrders)
	}
	out := &OrderDedup{}
	for i := range keys {
		k := &keys[i]
		o := Order{ID: k.id, CustomerID: k.customer, Time: k.instant, Amount: k.amount, Currency: k.currency}
		if err := out.check(&o, k.at); err != nil {
			return nil, err
		}
		if i > 0 && k.id <= keys[i-1].id {
			return nil, errorf(ErrInconsistent, "order dedup: order IDs are not sorted and distinct at %s", quote(k.id))
		}
		slot, _, _ := out.find(k.id)
		out.insert(slot, k)
	}
	if deliveries < int64(len(keys)) {
		return nil, errorf(ErrInconsistent, "order dedup: %d deliveries of %d distinct orders", deliveries, len(keys))
	}
	out.deliveries = deliveries
	return out, nil
}

// MarshalJSON encodes the number of deliveries and every distinct order
// (ID, customer, instant in UTC, amount, currency, first position), sorted
// by ID. Value receiver, so that json.Marshal of a value never gives {}.
func (d OrderDedup) MarshalJSON() ([]byte, error) {
	j := dedupJSON{Deliveries: d.deliveries, Orders: make([]dedupOrderJSON, 0, d.n)}
	for _, k := range d.sortedKeys() {
		j.Orders = append(j.Orders, dedupOrderJSON{ID: k.id, Customer: k.customer, Time: k.instant.UTC(), Amount: k.amount.String(), Currency: k.currency, At: k.at})
	}
	return json.Marshal(j)
}

type dedupOrderJSON struct {
	ID       string    `json:"id"`
	Customer string    `json:"customer_id"`
	Time     time.Time `json:"time"`
	Amount   string    `json:"amount"`
	Currency string    `json:"currency"`
	At       int64     `json:"first_at"`
}

type dedupJSON struct {
	Deliveries int64            `json:"deliveries"`
	Orders     []dedupOrderJSON `json:"orders"`
}

// UnmarshalJSON decodes a dedup written by MarshalJSON, replacing d, with
// the checks of Seen; IDs out of order or repeated, or fewer deliveries than
// orders, are ErrInconsistent. On error d is unchanged.
func (d *OrderDedup) UnmarshalJSON(data []byte) error {
	var j dedupJSON
	if err := decodeJSON(data, &j, "an order dedup"); err != nil {
		return err
	}
	keys := make([]dedupKey, len(j.Orders))
	for i, o := range j.Orders {
		amount, err := parseJSONDecimal(o.Amount, "order dedup: amount of order "+quote(o.ID), 1)
		if err != nil {
			return err
		}
		keys[i] = dedupKey{id: o.ID, customer: o.Customer, instant: o.Time.UTC(), amount: amount, currency: o.Currency, at: o.At}
	}
	out, err := newDecodedDedup(keys, j.Deliveries)
	if err != nil {
		return err
	}
	*d = *out
	return nil
}

// MarshalBinary encodes the dedup in the package's compact binary form, the
// orders sorted by ID. Value receiver, as MarshalJSON.
func (d OrderDedup) MarshalBinary() ([]byte, error) {
	e := newEncoder(tagOrderDedup)
	e.uvarint(uint64(d.deliveries))
	keys := d.sortedKeys()
	e.uvarint(uint64(len(keys)))
	for i := range keys {
		keys[i].encode(e)
	}
	return e.b, nil
}

// encode writes one order of the binary form.
func (k *dedupKey) encode(e *encoder) {
	for _, s := range []string{k.id, k.customer} {
		e.str(s)
	}
	e.time(k.instant)
	e.decimal(k.amount)
	e.str(k.currency)
	e.uvarint(uint64(k.at))
}

// UnmarshalBinary decodes a dedup written by MarshalBinary, replacing d,
// with the checks of UnmarshalJSON; on error d is unchanged.
func (d *OrderDedup) UnmarshalBinary(data []byte) error {
	dec := newDecoder(data, tagOrderDedup, "an order dedup")
	deliveries := dec.int64()
	keys := make([]dedupKey, dec.count(9))
	for i := range keys {
		keys[i] = dedupKey{id: dec.str(), customer: dec.str(), instant: dec.time()}
		keys[i].amount = dec.decimal(1, "amount")
		keys[i].currency = dec.str()
		keys[i].at = dec.int64()
	}
	if err := dec.end(); err != nil {
		return err
	}
	out, err := newDecodedDedup(keys, deliveries)
	if err != nil {
		return err
	}
	*d = *out
	return nil
}
