package cxmetrics

import (
	"slices"
	"strings"
)

// customerIndex numbers the customers of an accumulator: the first ID seen
// is 0, the next 1, and so on, so per-customer state lives in a slice
// indexed by number. It is the one place where customer IDs are stored.
type customerIndex struct {
	numbers map[string]int32
	ids     []string // ids[n] is customer n's ID
}

// lookup returns the number of id, or false if it is not known.
func (x *customerIndex) lookup(id string) (int32, bool) {
	n, ok := x.numbers[id]
	return n, ok
}

// add returns the number of id, numbering it if it is new. The ID is
// cloned, so the index does not keep a caller's larger buffer alive.
func (x *customerIndex) add(id string) (n int32, isNew bool) {
	if n, ok := x.numbers[id]; ok {
		return n, false
	}
	if x.numbers == nil {
		x.numbers = make(map[string]int32)
	}
	id = strings.Clone(id)
	n = int32(len(x.ids))
	x.numbers[id] = n
	x.ids = append(x.ids, id)
	return n, true
}

// len returns the number of customers.
func (x *customerIndex) len() int { return len(x.ids) }

// id returns customer n's ID.
func (x *customerIndex) id(n int32) string { return x.ids[n] }

// sorted returns the customer numbers in the order of their IDs, for
// canonical encodings and summaries.
func (x *customerIndex) sorted() []int32 {
	out := make([]int32, len(x.ids))
	for i := range out {
		out[i] = int32(i)
	}
	slices.SortFunc(out, func(a, b int32) int { return strings.Compare(x.ids[a], x.ids[b]) })
	return out
}

// clone returns an independent copy.
func (x *customerIndex) clone() customerIndex {
	c := customerIndex{numbers: make(map[string]int32, len(x.numbers)), ids: slices.Clone(x.ids)}
	for k, v := range x.numbers {
		c.numbers[k] = v
	}
	return c
}

// customerTable is per-customer state of type T, by customer number.
type customerTable[T any] struct {
	index customerIndex
	rows  []T // rows[n] is customer n's state
}

// get returns the state of the customer with the given ID, starting it as
// fresh if the customer is new.
func (t *customerTable[T]) get(id string, fresh T) *T {
	n, isNew := t.index.add(id)
	if isNew {
		t.rows = append(t.rows, fresh)
	}
	return &t.rows[n]
}

// empty reports whether the table has no customer.
func (t *customerTable[T]) empty() bool { return len(t.rows) == 0 }

// clone returns an independent copy; cloneRow copies one customer's state
// (slices.Clone of rows is enough when T has no references).
func (t *customerTable[T]) clone(cloneRow func(T) T) customerTable[T] {
	c := customerTable[T]{index: t.index.clone(), rows: make([]T, len(t.rows))}
	for i, r := range t.rows {
		c.rows[i] = cloneRow(r)
	}
	return c
}
