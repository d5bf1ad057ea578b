package benchorders

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The file is the same for the same seed and size, one line an order, and
// its first rows are those worked out once from the generator's draws.
func TestAppend(t *testing.T) {
	a := Append([]byte(Header), 1000, 100, 5)
	b := Append([]byte(Header), 1000, 100, 5)
	require.Equal(t, a, b, "the same seed and size give the same bytes")
	assert.Equal(t, 1001, bytes.Count(a, []byte("\n")))
	assert.NotEqual(t, a, Append([]byte(Header), 1000, 100, 6), "another seed, another file")
	lines := bytes.SplitN(a, []byte("\n"), 3)
	assert.Equal(t, "order_id,customer_id,time,amount,currency", string(lines[0]))
	assert.Regexp(t, `^0,cust-00000\d\d,202[345]-\d\d-\d\dT\d\d:\d\d:\d\dZ,-?\d+\.\d\d,EUR$`, string(lines[1]))
	// bench/peers writes its files with a generator of its own (its own
	// module); its file of seed 5 at 1,000,000 rows has this SHA-256, and
	// the command's benchmark reads these bytes.
	if testing.Short() {
		return
	}
	million := Append([]byte(Header), 1_000_000, 100_000, 5)
	assert.Len(t, million, 51_364_480)
	assert.Equal(t, "21fafd8d27c6b48916cc5e458008d6bbb43f7c691620f9d4eaaf3a2a71982bd0", fmt.Sprintf("%x", sha256.Sum256(million)))
}
