package cxmetrics

import "unsafe"

// pageSize is the smallest memory page of the platforms the package runs
// on; touchedTable needs no more than a lower bound.
const pageSize = 4096

// touchedTable returns make([]T, n) with a zero written into every page of
// it. A hash index is probed (read) before it is written, and a large
// allocation is memory fresh from the operating system: on Linux, reading
// such a page first maps the shared zero page, and the write that follows
// faults again, copies, and flushes the page from the other processors'
// TLBs with an interrupt. Writing first takes one fault a page. On 2
// cores this took the command's CPU down by about 15% at a million
// rows, where those faults had been 17% of its samples (see
// BENCHMARKS.md). The extra writes cost one store a page.
func touchedTable[T any](n int) []T {
	s := make([]T, n)
	var zero T
	step := max(1, pageSize/max(1, int(unsafe.Sizeof(zero)))) // a zero-size T has nothing to touch
	for i := 0; i < n; i += step {
		s[i] = zero
	}
	return s
}
