package cxmetrics

import (
	"bytes"
	"cmp"
	"hash/maphash"
	"slices"
)

// customerTable numbers the customers of an accumulator (the first ID seen
// is 0, the next 1, …) and holds each customer's state of type T, densely,
// by number. It is the one place where customer IDs are stored.
//
// It is built for the one lookup every record makes, and for the cache:
// once the customers outnumber the cache, each memory access of a lookup
// costs a miss. A Go map of strings and a slice of states read a control
// word, a key header, the key's bytes (a separate allocation per key) and the
// state. Here the hash index is open addressing with 32-byte slots that hold
// a tag of the hash, the customer's number and, for an ID of up to
// [inlineID] bytes, the ID itself: a lookup reads one slot, usually one
// cache line. The IDs also lie one after another in one byte arena, for
// the way back from a number to its ID, and the states lie densely in
// chunks, by number.
type customerTable[T any] struct {
	seed  maphash.Seed
	slots []customerSlot // at most 3/4 full
	ids   []byte         // the IDs, one after another
	ends  []uint32       // ends[n] is the end of customer n's ID in ids
	rows  [][]T          // customer n's state is rows[n>>rowShift][n&rowMask]
	count int            // customers
	big   map[int32]string
	// big holds the IDs that do not fit in the arena's 4 GiB; nil while
	// there is none.
}

// customerSlot is one slot of a customerTable's index.
type customerSlot struct {
	tag  uint32 // the hash's high 32 bits
	num  int32  // the customer's number + 1; 0 is an empty slot
	size uint8  // the ID's length, if at most inlineID; else inlineID+1
	id   [inlineID]byte
}

// The states lie in chunks of rowChunk: a table that grows copies none of
// them and leaves no room unused but in its last chunk (a doubling slice
// copied each state twice on the way and held up to twice the room at a
// million customers). The first chunk starts small and doubles, for small
// tables.
const (
	rowShift = 12
	rowChunk = 1 << rowShift
	rowMask  = rowChunk - 1
)

// inlineID is the longest ID a slot holds inline; longer IDs are compared
// in the arena.
const inlineID = 23

// newSlot returns the slot of customer n with the given ID and hash.
func newSlot(id string, h uint64, n int32) customerSlot {
	s := customerSlot{tag: uint32(h >> 32), num: n + 1, size: inlineID + 1}
	if len(id) <= inlineID {
		s.size = uint8(len(id))
		copy(s.id[:], id)
	}
	return s
}

// find returns the slot of id, found or where it would go.
func (t *customerTable[T]) find(id string, h uint64) (slot int, found bool) {
	tag := uint32(h >> 32)
	for s := t.home(tag); ; s++ {
		if s == len(t.slots) {
			s = 0
		}
		v := &t.slots[s]
		if v.num == 0 {
			return s, false
		}
		if v.tag != tag {
			continue
		}
		if len(id) <= inlineID {
			if int(v.size) == len(id) && string(v.id[:len(id)]) == id {
				return s, true
			}
		} else if v.size > inlineID && t.idIs(v.num-1, id) {
			return s, true
		}
	}
}

// idIs reports whether customer n's ID is id, without copying it.
func (t *customerTable[T]) idIs(n int32, id string) bool {
	if t.big != nil {
		if s, ok := t.big[n]; ok {
			return s == id
		}
	}
	return string(t.idBytes(n)) == id
}

// idBytes returns the arena's bytes of customer n's ID.
func (t *customerTable[T]) idBytes(n int32) []byte {
	start := uint32(0)
	if n > 0 {
		start = t.ends[n-1]
	}
	return t.ids[start:t.ends[n]]
}

// arenaLimit is the most bytes the ID arena holds (its offsets are
// uint32); a variable so that tests can reach it.
var arenaLimit = 1<<32 - 1

// get returns the state and number of the customer with the given ID,
// adding the customer with state fresh if new. A pointer to a state is
// valid until the next customer is added.
func (t *customerTable[T]) get(id string, fresh T) (*T, int32) {
	n := t.number(id, t.hash(id), fresh)
	return t.row(n), n
}

// hash returns the hash of id that number takes.
func (t *customerTable[T]) hash(id string) uint64 {
	if len(t.slots) == 0 {
		t.seed = maphash.MakeSeed()
		t.slots = make([]customerSlot, 16)
	}
	return maphash.String(t.seed, id)
}

// numbers sets nums[i] to the number of the customer ids[i] whose hash is
// hashes[i], adding new customers with state fresh. (Reading each ID's
// slot a few lookups ahead, or looking the IDs up in the order of their
// slots, measured no faster: the first stalls on its own reads, the second
// trades the slots' misses for misses on the callers' ID strings.)
func (t *customerTable[T]) numbers(ids []string, hashes []uint64, nums []int32, fresh T) {
	for i := range ids {
		nums[i] = t.number(ids[i], hashes[i], fresh)
	}
}

// number returns the number of the customer with the given ID and hash,
// adding the customer with state fresh if new.
func (t *customerTable[T]) number(id string, h uint64, fresh T) int32 {
	s, found := t.find(id, h)
	if found {
		return t.slots[s].num - 1
	}
	n := int32(t.count)
	if len(t.ids)+len(id) <= arenaLimit {
		t.ids = append(double(t.ids, len(id)), id...)
	} else {
		if t.big == nil {
			t.big = map[int32]string{}
		}
		t.big[n] = string([]byte(id))
	}
	t.ends = append(double(t.ends, 1), uint32(len(t.ids)))
	t.addRow(fresh)
	t.slots[s] = newSlot(id, h, n)
	if 4*t.count > 3*len(t.slots) {
		t.grow()
	}
	return n
}

// double returns s with room for n more elements, doubling its capacity
// when it must grow: append grows large slices by a quarter at a time,
// which copies each element about five times over and allocates five
// times the final size on the way.
func double[S ~[]E, E any](s S, n int) S {
	if len(s)+n <= cap(s) {
		return s
	}
	return slices.Grow(s, max(n, len(s)))
}

// lookup returns the number of the customer with the given ID, or false.
func (t *customerTable[T]) lookup(id string) (int32, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	s, found := t.find(id, maphash.String(t.seed, id))
	return t.slots[s].num - 1, found
}

// home returns the slot where a tag's probe starts: the tag's top bits,
// so that growing the table moves each slot by its tag alone, without
// hashing its ID again. (Tags of nearby slots then share their top bits;
// the rest, and the ID compared after a tag matches, tell them apart.)
func (t *customerTable[T]) home(tag uint32) int {
	return int(uint64(tag) * uint64(len(t.slots)) >> 32)
}

// grow makes the slots half as many again, so that the index is 1/2 to
// 3/4 full (doubling kept it 3/8 to 3/4 full: about 13% more room on
// average, and more of it out of the cache). home scales a tag to any
// size, so the size need not be a power of two.
func (t *customerTable[T]) grow() {
	old := t.slots
	t.slots = touchedTable[customerSlot](len(old) + len(old)/2)
	for i := range old {
		v := &old[i]
		if v.num == 0 {
			continue
		}
		s := t.home(v.tag)
		for t.slots[s].num != 0 {
			if s++; s == len(t.slots) {
				s = 0
			}
		}
		t.slots[s] = *v
	}
}

// len returns the number of customers.
func (t *customerTable[T]) len() int { return t.count }

// empty reports whether the table has no customer.
func (t *customerTable[T]) empty() bool { return t.count == 0 }

// id returns customer n's ID.
func (t *customerTable[T]) id(n int32) string {
	if t.big != nil {
		if s, ok := t.big[n]; ok {
			return s
		}
	}
	return string(t.idBytes(n))
}

// row returns customer n's state.
func (t *customerTable[T]) row(n int32) *T { return &t.rows[n>>rowShift][n&rowMask] }

// addRow adds the state of a new customer, number t.count.
func (t *customerTable[T]) addRow(fresh T) {
	c := t.count >> rowShift
	if c == len(t.rows) {
		t.rows = append(t.rows, nil)
		if c > 0 {
			t.rows[c] = make([]T, 0, rowChunk)
		}
	}
	if c == 0 {
		t.rows[0] = append(double(t.rows[0], 1), fresh)
	} else {
		t.rows[c] = append(t.rows[c], fresh)
	}
	t.count++
}

// each calls f for every customer, in the order of their numbers.
func (t *customerTable[T]) each(f func(n int32, row *T)) {
	n := int32(0)
	for _, chunk := range t.rows {
		for i := range chunk {
			f(n, &chunk[i])
			n++
		}
	}
}

// sorted returns the customer numbers in the order of their IDs, for
// canonical encodings and summaries.
func (t *customerTable[T]) sorted() []int32 {
	out := make([]int32, t.count)
	for i := range out {
		out[i] = int32(i)
	}
	if t.big != nil {
		slices.SortFunc(out, func(a, b int32) int { return cmp.Compare(t.id(a), t.id(b)) })
		return out
	}
	slices.SortFunc(out, func(a, b int32) int { return bytes.Compare(t.idBytes(a), t.idBytes(b)) })
	return out
}

// clone returns an independent copy; cloneRow copies one customer's state.
func (t *customerTable[T]) clone(cloneRow func(T) T) customerTable[T] {
	c := customerTable[T]{seed: t.seed, slots: slices.Clone(t.slots), ids: slices.Clone(t.ids), ends: slices.Clone(t.ends), count: t.count}
	c.rows = make([][]T, len(t.rows))
	for i, chunk := range t.rows {
		c.rows[i] = make([]T, len(chunk), cap(chunk))
		for j, r := range chunk {
			c.rows[i][j] = cloneRow(r)
		}
	}
	if t.big != nil {
		c.big = make(map[int32]string, len(t.big))
		for k, v := range t.big {
			c.big[k] = v
		}
	}
	return c
}
