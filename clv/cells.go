package clv

import (
	"cmp"
	"slices"
)

// cell is the customers that share one summary (x, t_x, T): their
// likelihood is one term times their count. Real data in days or weeks
// have many such ties (every one-time buyer of the same first day), so a
// fit evaluates each distinct summary once.
type cell struct {
	x, tx, T float64
	n        float64 // customers with this summary
	xi       int     // index of x in cells.xs
}

// cells is a sample grouped by summary, in a fixed order (so sums, and the
// fit, are the same on every run), with the distinct frequencies, whose
// gamma functions are computed once per evaluation.
type cells struct {
	cells []cell
	xs    []float64 // distinct frequencies, ascending
	maxX  float64
}

func groupCustomers(cs []Customer) cells {
	type key struct{ x, tx, T float64 }
	count := make(map[key]float64, len(cs)/4+1)
	for _, c := range cs {
		count[key{c.Frequency, c.Recency, c.T}]++
	}
	out := cells{cells: make([]cell, 0, len(count))}
	for k, n := range count {
		out.cells = append(out.cells, cell{x: k.x, tx: k.tx, T: k.T, n: n})
	}
	slices.SortFunc(out.cells, func(a, b cell) int {
		return cmp.Or(cmp.Compare(a.x, b.x), cmp.Compare(a.tx, b.tx), cmp.Compare(a.T, b.T))
	})
	for i := range out.cells {
		c := &out.cells[i]
		if len(out.xs) == 0 || out.xs[len(out.xs)-1] != c.x {
			out.xs = append(out.xs, c.x)
		}
		c.xi = len(out.xs) - 1
		out.maxX = c.x
	}
	return out
}
