package cxmetrics

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkCustomerTable adds ids to a table and checks it against a Go map:
// numbers in order of first sight, lookups, IDs back from numbers, the
// sorted order and a clone that does not share state.
func checkCustomerTable(t *testing.T, ids []string) {
	t.Helper()
	var tab customerTable[int]
	want := map[string]int32{}
	var order []string
	for i, id := range ids {
		row, n := tab.get(id, 0)
		*row++
		w, seen := want[id]
		if !seen {
			w = int32(len(order))
			want[id] = w
			order = append(order, id)
		}
		require.Equal(t, w, n, "ids[%d] = %q", i, id)
	}
	require.Equal(t, len(order), tab.len())
	counts := map[string]int{}
	for _, id := range ids {
		counts[id]++
	}
	for n, id := range order {
		assert.Equal(t, id, tab.id(int32(n)))
		got, ok := tab.lookup(id)
		assert.True(t, ok)
		assert.Equal(t, int32(n), got)
		assert.Equal(t, counts[id], *tab.row(int32(n)))
	}
	for _, absent := range []string{"absent", "", strings.Repeat("y", 40)} {
		if _, in := want[absent]; !in {
			_, ok := tab.lookup(absent)
			assert.False(t, ok, absent)
		}
	}
	sortedIDs := slices.Clone(order)
	slices.Sort(sortedIDs)
	var got []string
	for _, n := range tab.sorted() {
		got = append(got, tab.id(n))
	}
	assert.Equal(t, sortedIDs, got)

	visited := int32(0)
	tab.each(func(n int32, row *int) {
		require.Equal(t, visited, n, "each visits the customers in order")
		require.Equal(t, counts[order[n]], *row)
		visited++
	})
	require.Equal(t, int32(len(order)), visited)

	c := tab.clone(func(v int) int { return v })
	for n := range order {
		require.Equal(t, *tab.row(int32(n)), *c.row(int32(n)))
	}
	c.get("only in the clone", 0)
	_, ok := tab.lookup("only in the clone")
	assert.False(t, ok)
	if len(order) > 0 {
		*c.row(int32(len(order) - 1)) += 1000
		assert.Equal(t, counts[order[len(order)-1]], *tab.row(int32(len(order) - 1)), "the clone's states are its own")
	}
}

func TestCustomerTable(t *testing.T) {
	many := make([]string, 0, 3000)
	for i := range 3000 {
		many = append(many, fmt.Sprintf("customer-%d", i%1700))
	}
	chunks := make([]string, 0, 3*rowChunk)
	for i := range 3 * rowChunk {
		chunks = append(chunks, fmt.Sprintf("c%d", i*3%(2*rowChunk+5))) // 2 chunks of states and 5 more
	}
	long := strings.Repeat("x", inlineID)
	tests := []struct {
		name  string
		ids   []string
		arena int // arenaLimit for the case; 0 keeps the default
	}{
		{"empty ID", []string{"", "a", ""}, 0},
		{"inline boundary", []string{long, long + "y", long[1:], long + "y", long}, 0},
		{"shared long prefixes", []string{long + "1", long + "2", long + "1", long + "22", long + "2"}, 0},
		{"growth", many, 0},
		{"several chunks of states", chunks, 0},
		{"non-ASCII", []string{"kund-ä", "kund-a", "kund-ä", "顧客"}, 0},
		{"arena full", []string{"abc", "defgh", "abc", long + "zz", "ij", long + "zz", "defgh"}, 6},
		{"arena full, growing", many, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.arena > 0 {
				saved := arenaLimit
				arenaLimit = tc.arena
				defer func() { arenaLimit = saved }()
			}
			checkCustomerTable(t, tc.ids)
		})
	}
}

func FuzzCustomerTable(f *testing.F) {
	f.Add("a b a c  b", uint8(0))
	f.Add(strings.Repeat("x", 30)+" "+strings.Repeat("x", 23)+" "+strings.Repeat("x", 30), uint8(10))
	f.Fuzz(func(t *testing.T, joined string, arena uint8) {
		if arena > 0 {
			saved := arenaLimit
			arenaLimit = int(arena)
			defer func() { arenaLimit = saved }()
		}
		checkCustomerTable(t, strings.Split(joined, " "))
	})
}
