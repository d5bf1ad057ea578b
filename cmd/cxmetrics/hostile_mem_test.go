//go:build !race

// The memory bounds are measured without the race detector, which slows
// reading 2.2 GB twentyfold and inflates the heap; .ci/run runs these tests
// in its plain go test ./... step.

package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// peakHeap runs f and returns the largest heap in use seen while it ran,
// above what was in use before, sampled every 5 ms.
func peakHeap(t *testing.T, f func()) uint64 {
	t.Helper()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	done := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var max uint64
		var m runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > max {
				max = m.HeapInuse
			}
			select {
			case <-done:
				peak <- max
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(done)
	p := <-peak
	if p < before.HeapInuse {
		return 0
	}
	return p - before.HeapInuse
}

// zeros is an endless stream of one byte, cut at n bytes.
type repeatReader struct {
	b byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = r.b
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// 2. One hostile row costs time, not memory: a 200 MB line and a gzip bomb
// are bad rows, skipped and counted with -skip-bad, in bounded memory.
func TestHostileRowsAreBoundedInMemory(t *testing.T) {
	const header = "customer_id,order_id,time,amount\n"
	const good = "a,1,2024-01-01,10\n"
	long := io.MultiReader(strings.NewReader(header+good+"b,2,2024-01-01,"), &repeatReader{'9', 200 << 20}, strings.NewReader("\n"+good))
	var out, errOut bytes.Buffer
	var code int
	peak := peakHeap(t, func() {
		code = run([]string{"report", "-orders", "-", "-skip-bad", "-format", "json"}, long, &out, &errOut, false)
	})
	rep := jsonReport(t, code, out.String(), errOut.String())
	assert.Equal(t, int64(2), rep.Inputs.OrderRows)
	assert.Equal(t, int64(1), rep.Inputs.SkippedRows)
	assert.Contains(t, rep.Inputs.SkipReasons[0], "stdin:3: record longer than 1048576 bytes")
	assert.Less(t, peak, uint64(100<<20), "peak heap")

	// A gzip bomb: 2 GB of zeros in one line, behind a good header.
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	_, _ = zw.Write([]byte(header))
	_, err := io.Copy(zw, &repeatReader{0, 2 << 30})
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	path := filepath.Join(t.TempDir(), "bomb.csv.gz")
	require.NoError(t, os.WriteFile(path, bomb.Bytes(), 0o644))
	out.Reset()
	errOut.Reset()
	peak = peakHeap(t, func() {
		code = run([]string{"report", "-orders", path}, nil, &out, &errOut, false)
	})
	assert.Equal(t, 1, code)
	assert.Less(t, peak, uint64(100<<20), "peak heap")
	assert.Contains(t, errOut.String(), "bomb.csv.gz:2: record longer than 1048576 bytes")
	assert.Less(t, errOut.Len(), 300, "the error does not quote the record")

	// -max-record-bytes raises the cap.
	line := header + "a,1,2024-01-01," + strings.Repeat("1", 30) + "\n"
	code, _, errOut2 := runCmd(t, line, "report", "-orders", "-", "-max-record-bytes", "40")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut2, "stdin:2: record longer than 40 bytes")
	code, _, errOut2 = runCmd(t, line, "report", "-orders", "-", "-max-record-bytes", "100")
	assert.Equal(t, 0, code, errOut2)
}
