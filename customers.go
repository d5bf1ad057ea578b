package cxmetrics

import (
	"bytes"
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
// state. Here the hash index is 8 bytes a slot (a tag of the hash and the
// customer's number), the IDs lie one after another in one byte arena and
// the states in one slice, so for 100,000 customers the whole working set is
// a few megabytes, which the cache holds.
type customerTable[T any] struct {
	seed  maphash.Seed
	slots []uint64 // tag << 32 | number + 1; 0 is empty; at most 3/4 full
	ids   []byte   // the IDs, one after another
	ends  []uint32 // ends[n] is the end of customer n's ID in ids
	rows  []T      // rows[n] is customer n's state
	big   map[int32]string
	// big holds the IDs that do not fit in the arena's 4 GiB; nil while
	// there is none.
}

// find returns the slot of id, found or where it would go.
func (t *customerTable[T]) find(id string, h uint64) (slot int, found bool) {
	tag := h >> 32 << 32
	mask := len(t.slots) - 1
	for s := int(h) & mask; ; s = (s + 1) & mask {
		v := t.slots[s]
		if v == 0 {
			return s, false
		}
		if v&^0xffffffff == tag && t.idIs(int32(v&0xffffffff)-1, id) {
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

// get returns the state and number of the customer with the given ID,
// adding the customer with state fresh if new. A pointer to a state is
// valid until the next customer is added.
func (t *customerTable[T]) get(id string, fresh T) (*T, int32) {
	if len(t.slots) == 0 {
		t.seed = maphash.MakeSeed()
		t.slots = make([]uint64, 16)
	}
	h := maphash.String(t.seed, id)
	s, found := t.find(id, h)
	if found {
		n := int32(t.slots[s]&0xffffffff) - 1
		return &t.rows[n], n
	}
	n := int32(len(t.rows))
	if len(t.ids)+len(id) <= 1<<32-1 {
		t.ids = append(t.ids, id...)
	} else {
		if t.big == nil {
			t.big = map[int32]string{}
		}
		t.big[n] = string([]byte(id))
	}
	t.ends = append(t.ends, uint32(len(t.ids)))
	t.rows = append(t.rows, fresh)
	t.slots[s] = h>>32<<32 | uint64(n+1)
	if 4*len(t.rows) > 3*len(t.slots) {
		t.grow()
	}
	return &t.rows[n], n
}

// lookup returns the number of the customer with the given ID, or false.
func (t *customerTable[T]) lookup(id string) (int32, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	s, found := t.find(id, maphash.String(t.seed, id))
	return int32(t.slots[s]&0xffffffff) - 1, found
}

// grow doubles the slots.
func (t *customerTable[T]) grow() {
	t.slots = make([]uint64, 2*len(t.slots))
	mask := len(t.slots) - 1
	for n := range int32(len(t.rows)) {
		h := maphash.String(t.seed, t.id(n))
		s := int(h) & mask
		for t.slots[s] != 0 {
			s = (s + 1) & mask
		}
		t.slots[s] = h>>32<<32 | uint64(n+1)
	}
}

// len returns the number of customers.
func (t *customerTable[T]) len() int { return len(t.rows) }

// empty reports whether the table has no customer.
func (t *customerTable[T]) empty() bool { return len(t.rows) == 0 }

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
func (t *customerTable[T]) row(n int32) *T { return &t.rows[n] }

// each calls f for every customer, in the order of their numbers.
func (t *customerTable[T]) each(f func(n int32, row *T)) {
	for n := range t.rows {
		f(int32(n), &t.rows[n])
	}
}

// sorted returns the customer numbers in the order of their IDs, for
// canonical encodings and summaries.
func (t *customerTable[T]) sorted() []int32 {
	out := make([]int32, len(t.rows))
	for i := range out {
		out[i] = int32(i)
	}
	if t.big != nil {
		slices.SortFunc(out, func(a, b int32) int { return cmpString(t.id(a), t.id(b)) })
		return out
	}
	slices.SortFunc(out, func(a, b int32) int { return bytes.Compare(t.idBytes(a), t.idBytes(b)) })
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// clone returns an independent copy; cloneRow copies one customer's state.
func (t *customerTable[T]) clone(cloneRow func(T) T) customerTable[T] {
	c := customerTable[T]{seed: t.seed, slots: slices.Clone(t.slots), ids: slices.Clone(t.ids), ends: slices.Clone(t.ends), rows: slices.Clone(t.rows)}
	for i := range c.rows {
		c.rows[i] = cloneRow(c.rows[i])
	}
	if t.big != nil {
		c.big = make(map[int32]string, len(t.big))
		for k, v := range t.big {
			c.big[k] = v
		}
	}
	return c
}
