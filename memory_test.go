package cxmetrics

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTouchedTableIsAZeroedSliceOfN(t *testing.T) {
	type big [5000]byte // larger than a page: a step of 1
	for _, n := range []int{0, 1, 511, 512, 513, 1 << 16} {
		slots := touchedTable[dedupSlot](n)
		assert.Len(t, slots, n)
		assert.Equal(t, n, cap(slots))
		for i, s := range slots {
			if s != (dedupSlot{}) {
				t.Fatalf("n=%d: slot %d is %+v", n, i, s)
			}
		}
	}
	assert.Len(t, touchedTable[struct{}](10), 10, "a zero-size type")
	bigs := touchedTable[big](3)
	assert.Len(t, bigs, 3)
	assert.Equal(t, big{}, bigs[2])
}
