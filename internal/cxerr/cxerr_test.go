package cxerr

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

var errSentinel = errors.New("out of range")

func TestNewAndWrap(t *testing.T) {
	err := New("cxmetrics", errSentinel, "score %d at index %d not in 0..10", 11, 4)
	assert.EqualError(t, err, "cxmetrics: score 11 at index 4 not in 0..10: out of range")
	assert.ErrorIs(t, err, errSentinel)

	wrapped := Wrap("clv", err, "order at index %d", 7)
	assert.EqualError(t, wrapped, "clv: order at index 7: score 11 at index 4 not in 0..10: out of range", "one prefix only")
	assert.ErrorIs(t, wrapped, errSentinel)

	other := Wrap("clv", fmt.Errorf("disk full"), "writing")
	assert.EqualError(t, other, "clv: writing: disk full")
}

func TestQuote(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", `""`},
		{"abc", `"abc"`},
		{"a\nb", `"a\nb"`},
		{strings.Repeat("x", 80), `"` + strings.Repeat("x", 80) + `"`},
		{strings.Repeat("x", 81), `"` + strings.Repeat("x", 80) + `"… (81 bytes)`},
		// a 3-byte rune straddling byte 80 is not cut in half
		{strings.Repeat("x", 79) + "€" + "y", `"` + strings.Repeat("x", 79) + `"… (83 bytes)`},
	} {
		assert.Equal(t, c.want, Quote(c.in), c.in)
	}
	assert.Less(t, len(Quote(strings.Repeat("9", 1<<20))), 120)
}
