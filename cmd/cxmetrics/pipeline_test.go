package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cxmetrics/cxmetrics/internal/csvin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reportBothWays runs the command with the orders on standard input (gzip
// compressed, or not) once reading in order and once through the parallel
// pipeline with tiny chunks, and checks that the exit code, the output and
// the messages are the same.
func reportBothWays(t *testing.T, orders []byte, gz bool, args ...string) {
	t.Helper()
	input := orders
	if gz {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		_, _ = w.Write(orders)
		require.NoError(t, w.Close())
		input = b.Bytes()
	}
	runWith := func(parallel bool) (int, string, string) {
		savedP, savedT := parallelReading, csvin.ChunkTarget
		parallelReading, csvin.ChunkTarget = parallel, 37
		defer func() { parallelReading, csvin.ChunkTarget = savedP, savedT }()
		var out, errOut bytes.Buffer
		code := run(append([]string{"report", "-orders", "-"}, args...), bytes.NewReader(input), &out, &errOut, false)
		return code, out.String(), errOut.String()
	}
	code, out, errOut := runWith(false)
	pcode, pout, perrOut := runWith(true)
	assert.Equal(t, code, pcode, "exit code")
	assert.Equal(t, out, pout, "report")
	assert.Equal(t, errOut, perrOut, "messages")
	// With more processors the accepted orders go to several partitions,
	// merged at the end: the same again.
	saved := runtime.GOMAXPROCS(5)
	defer runtime.GOMAXPROCS(saved)
	pcode, pout, perrOut = runWith(true)
	assert.Equal(t, code, pcode, "exit code, 2 partitions")
	assert.Equal(t, out, pout, "report, 2 partitions")
	assert.Equal(t, errOut, perrOut, "messages, 2 partitions")
}

func TestParallelReadingMatchesSequential(t *testing.T) {
	var many strings.Builder
	many.WriteString("order_id,customer_id,time,amount,currency\n")
	for i := range 3000 {
		fmt.Fprintf(&many, "o%d,c%d,2024-%02d-%02dT10:00:00Z,%d.%02d,EUR\n", i%2900, i%97, 1+i%12, 1+i%28, i%500, i%100)
	}
	bad := goodOrders + "x,\"open\n" + "y,c1,2024-13-01,1.00,EUR\n"
	tests := []struct {
		name   string
		orders string
		args   []string
	}{
		{"good", goodOrders, nil},
		{"good, text", goodOrders, []string{"-format", "text"}},
		{"many with re-deliveries", many.String(), []string{"-format", "json"}},
		{"many as lines", many.String(), []string{"-format", "json", "-rows", "lines"}},
		{"bad rows fail", bad, []string{"-format", "json"}},
		{"bad rows skipped", bad, []string{"-format", "json", "-skip-bad"}},
		{"record past the cap", goodOrders + strings.Repeat("z", 500) + "\n" + "n1,c9,2024-02-01,3.00,EUR\n", []string{"-format", "json", "-skip-bad", "-max-record-bytes", "200"}},
		{"other currencies left out", goodOrders + "q1,c2,2024-02-01T00:00:00Z,5.00,USD\n", []string{"-format", "json", "-currency", "EUR"}},
		{"mixed currencies", goodOrders + "q1,c2,2024-02-01T00:00:00Z,5.00,USD\n", []string{"-format", "json"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reportBothWays(t, []byte(tc.orders), false, tc.args...)
			reportBothWays(t, []byte(tc.orders), true, tc.args...)
		})
	}
}

func FuzzParallelReading(f *testing.F) {
	f.Add([]byte(goodOrders), false, false)
	f.Add([]byte(goodOrders+"x,\"open\n"), true, true)
	f.Fuzz(func(t *testing.T, orders []byte, skipBad, lines bool) {
		args := []string{"-format", "json"}
		if skipBad {
			args = append(args, "-skip-bad")
		}
		if lines {
			args = append(args, "-rows", "lines")
		}
		reportBothWays(t, orders, false, args...)
	})
}

// failingReader fails every read.
type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

// When the collector has stopped (done is closed, nobody takes items) and
// the input then fails, the splitter must return, closing items and jobs,
// instead of waiting to hand the error to nobody: the workers wait for jobs
// to close, and the command waits for the workers.
func TestSplitChunksReturnsWhenTheCollectorHasStopped(t *testing.T) {
	sp := csvin.NewRecordSplitter(failingReader{errors.New("disk gone")}, 2, 1<<20)
	items, jobs, done := make(chan pipelineItem), make(chan func()), make(chan struct{})
	close(done)
	returned := make(chan struct{})
	go func() {
		splitChunks(nil, sp, items, jobs, nil, done)
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("splitChunks did not return") // a guard against the hang, not a timing
	}
	_, open := <-items
	assert.False(t, open, "items closed")
	_, open = <-jobs
	assert.False(t, open, "jobs closed")
}
