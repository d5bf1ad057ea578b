package cxmetrics

import (
	"encoding/json"
	"hash/maphash"
	"math"
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
// and then compared in full. Memory grows with distinct orders: 32 bytes
// per order in a compact record, 5.3 to 8 bytes of hash index, and the
// bytes of the order's ID and of its customer's ID, stored together once
// per distinct order: about 62 bytes an order when both IDs are short (see
// BENCHMARKS.md). It is not safe for concurrent use.
type OrderDedup struct {
	seed       maphash.Seed
	slots      []dedupSlot    // open addressing, at most 3/4 full
	chunks     [][]dedupEntry // the entries, entryChunk at a time: no growth slack
	n          int32          // entries in use
	ids        [][]byte       // the order IDs, one after another, in chunks of idChunk bytes
	currencies []string       // currency codes by index; index 0 is ""
	extra      map[int32]*dedupExtra
	deliveries int64 // orders seen, duplicates included
}

// dedupSlot is one slot of the hash index: 32 bits of the ID's hash, so
// that a probe passes over other IDs without reading their entries, and
// the entry's number + 1 (0 is an empty slot).
type dedupSlot struct {
	tag   uint32
	entry int32
}

// dedupEntry is one distinct order in 32 bytes. What does not fit (a time
// outside 1678..2262, an amount beyond int64 units at scale 0..31, an ID
// over 64 KiB, a position beyond 2^32-1) lives in extra, flagged.
type dedupEntry struct {
	nanos int64  // the instant as Unix nanoseconds
	units int64  // the amount in 10^-scale units
	who   uint64 // customer ID length << 32 | position; the customer ID follows the order ID
	meta  uint64 // ID offset << 32 | ID length << 16 | currency << 8 | scale << 3 | flags
}

const (
	flagExtraTime     = 1 << 0
	flagExtraAmount   = 1 << 1
	flagExtraIDOrSpot = 1 << 2
)

// dedupExtra holds what an entry could not: set fields only.
type dedupExtra struct {
	time     time.Time
	amount   decimal.Decimal
	id       string
	customer string
	at       int64
}

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
// unpacking it: the fast path of a re-delivery.
func (d *OrderDedup) sameContent(e int32, k *dedupKey) bool {
	ent := d.entry(e)
	if ent.meta&7 != 0 { // something lives in extra: compare in full
		prev := d.key(e)
		return prev.sameContent(k)
	}
	if string(d.customerBytes(ent)) != k.customer || d.currencies[ent.meta>>8&0xff] != k.currency {
		return false
	}
	if y := k.instant.UTC().Year(); y <= 1678 || y >= 2262 || k.instant.UnixNano() != ent.nanos {
		return false
	}
	if k.amount.NumDigits() > 18 {
		// Written with that many digits, k's amount may still equal the
		// stored units (trailing zeros): compare the decimals.
		return d.key(e).amount.Equal(k.amount)
	}
	c1, e1 := stripZeros(ent.units, -int32(ent.meta>>3&31))
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
	ent := d.entry(e)
	if ent.meta&flagExtraIDOrSpot != 0 {
		return d.extra[e].at
	}
	return int64(ent.who & 0xffffffff)
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
	ent := d.entry(e)
	if ent.meta&flagExtraIDOrSpot != 0 {
		return d.extra[e].id == id
	}
	return string(d.idBytes(ent.meta>>32, ent.meta>>16&0xffff)) == id
}

// maxDedupOrders is the most distinct orders a dedup holds: entries are
// numbered by int32. (At about 62 bytes an order, that is 130 GB.)
const maxDedupOrders = math.MaxInt32

// maxLoadNum / maxLoadDen is the share of slots in use past which the
// index grows by half: linear probing needs a few probes below it.
const maxLoadNum, maxLoadDen = 3, 4

// insert adds k as a new entry in the empty slot, growing the index by half
// when it is three quarters full.
func (d *OrderDedup) insert(at dedupSpot, k *dedupKey) {
	e := d.n
	if int(e)%entryChunk == 0 {
		d.chunks = append(d.chunks, make([]dedupEntry, entryChunk))
	}
	*d.entry(e) = d.pack(e, k)
	d.n++
	d.slots[at.slot] = dedupSlot{at.tag, e + 1}
	if maxLoadDen*int(d.n) > maxLoadNum*len(d.slots) {
		d.rehash(len(d.slots) + len(d.slots)/2)
	}
}

func (d *OrderDedup) rehash(size int) {
	old := d.slots
	d.slots = make([]dedupSlot, size)
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

// Entries and IDs live in fixed chunks, so memory follows the orders
// without the slack of a doubling slice.
const (
	entryChunk = 4096
	idChunk    = 1 << 16
)

// entry returns entry e.
func (d *OrderDedup) entry(e int32) *dedupEntry { return &d.chunks[e/entryChunk][e%entryChunk] }

// storeIDs appends an order ID and its customer's ID, together fewer than
// idChunk bytes, and returns the order ID's offset: chunk number << 16 |
// position. The customer ID follows it in the same chunk.
func (d *OrderDedup) storeIDs(id, customer string) uint64 {
	last := len(d.ids) - 1
	if last < 0 || len(d.ids[last])+len(id)+len(customer) > idChunk {
		d.ids = append(d.ids, make([]byte, 0, idChunk))
		last++
	}
	off := uint64(last)<<16 | uint64(len(d.ids[last]))
	d.ids[last] = append(append(d.ids[last], id...), customer...)
	return off
}

// customerBytes returns the stored bytes of the customer ID of an entry
// without extra.
func (d *OrderDedup) customerBytes(ent *dedupEntry) []byte {
	off, idLen := ent.meta>>32, ent.meta>>16&0xffff
	c, p := off>>16, off&0xffff+idLen
	return d.ids[c][p : p+ent.who>>32]
}

// customerOf returns the customer ID of entry e.
func (d *OrderDedup) customerOf(e int32) string {
	ent := d.entry(e)
	if ent.meta&flagExtraIDOrSpot != 0 {
		return d.extra[e].customer
	}
	return string(d.customerBytes(ent))
}

// idBytes returns the stored bytes of an ID.
func (d *OrderDedup) idBytes(off, n uint64) []byte {
	c, p := off>>16, off&0xffff
	return d.ids[c][p : p+n]
}

// pack makes the compact entry of k, number e.
func (d *OrderDedup) pack(e int32, k *dedupKey) dedupEntry {
	var ent dedupEntry
	var flags uint64
	if y := k.instant.UTC().Year(); y > 1678 && y < 2262 {
		ent.nanos = k.instant.UnixNano()
	} else {
		flags |= flagExtraTime
	}
	scale := int32(0)
	if sc, ok := scaleOf(k.amount); ok {
		scale = sc
		if ent.units, ok = mulPow10(k.amount.CoefficientInt64(), scale+k.amount.Exponent()); !ok {
			flags |= flagExtraAmount
		}
	} else {
		flags |= flagExtraAmount
	}
	if flags&flagExtraAmount != 0 {
		scale, ent.units = 0, 0
	}
	var offset, length uint64
	if len(k.id)+len(k.customer) < idChunk && len(d.ids) < 1<<16 && k.at < 1<<32 {
		offset, length = d.storeIDs(k.id, k.customer), uint64(len(k.id))
		ent.who = uint64(len(k.customer))<<32 | uint64(k.at)
	} else {
		flags |= flagExtraIDOrSpot
	}
	ent.meta = offset<<32 | length<<16 | uint64(d.currencyIndex(k.currency))<<8 | uint64(scale)<<3 | flags
	if flags != 0 {
		x := &dedupExtra{}
		if flags&flagExtraTime != 0 {
			x.time = k.instant
		}
		if flags&flagExtraAmount != 0 {
			x.amount = k.amount
		}
		if flags&flagExtraIDOrSpot != 0 {
			x.id, x.customer, x.at = strings.Clone(k.id), strings.Clone(k.customer), k.at
		}
		if d.extra == nil {
			d.extra = make(map[int32]*dedupExtra)
		}
		d.extra[e] = x
	}
	return ent
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

func (d *OrderDedup) idOf(e int32) string {
	ent := d.entry(e)
	if ent.meta&flagExtraIDOrSpot != 0 {
		return d.extra[e].id
	}
	return string(d.idBytes(ent.meta>>32, ent.meta>>16&0xffff))
}

// key unpacks entry e.
func (d *OrderDedup) key(e int32) dedupKey {
	ent := d.entry(e)
	flags := ent.meta & 7
	var x *dedupExtra
	if flags != 0 {
		x = d.extra[e]
	}
	k := dedupKey{id: d.idOf(e), customer: d.customerOf(e), currency: d.currencies[ent.meta>>8&0xff]}
	if flags&flagExtraTime != 0 {
		k.instant = x.time
	} else {
		k.instant = time.Unix(0, ent.nanos).UTC()
	}
	if flags&flagExtraAmount != 0 {
		k.amount = x.amount
	} else {
		k.amount = decimal.New(ent.units, -int32(ent.meta>>3&31))
	}
	if flags&flagExtraIDOrSpot != 0 {
		k.at = x.at
	} else {
		k.at = int64(ent.who & 0xffffffff)
	}
	return k
}

// setAt lowers entry e's position.
func (d *OrderDedup) setAt(e int32, at int64) {
	ent := d.entry(e)
	if ent.meta&flagExtraIDOrSpot == 0 && at < 1<<32 {
		ent.who = ent.who&^0xffffffff | uint64(at)
		return
	}
	if ent.meta&flagExtraIDOrSpot != 0 {
		d.extra[e].at = at
	}
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
