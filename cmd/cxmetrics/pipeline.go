package main

import (
	"cmp"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"runtime"
	"sync"

	"github.com/cxmetrics/cxmetrics"
	"github.com/cxmetrics/cxmetrics/internal/csvin"
)

// The orders file is read by a pipeline that keeps every result of the
// sequential reading, byte for byte:
//
//   - a splitter cuts the input into chunks of whole records (see
//     recordSplitter), as the input arrives: a gzip or standard input
//     stream is decompressed in a goroutine of its own;
//   - GOMAXPROCS workers scan and parse chunks in parallel, each row into
//     an order or its error;
//   - the collector takes the parsed rows in file order, one goroutine:
//     errors and skips, -currency, -fx, the re-delivery check and the
//     assembly of invoice lines all see the rows in the order of the
//     file, so the first bad line is the one reported and every count is
//     the sequential one;
//   - the orders it accepts go to GOMAXPROCS/2 (at least two) accumulators
//     by a hash of the customer ID, so no customer is in two of them, each
//     in a goroutine of its own, and are merged at the end (the library's
//     results do not depend on the order of adds or merges).
//
// Memory is bounded per worker: a few chunks in flight, a queue of
// orders per partition (partitionQueue) and a batch of events per
// accumulator. The orders' strings are substrings of their
// chunk (see csvin.ParseChunk), so a chunk lives until the queued orders
// and the accumulators' batches have let go of its IDs: the chunks of up
// to partitionQueue+2 batches of orders a partition (queued, being folded,
// being filled) and of one batch of events an accumulator. The
// accumulators keep their own copy of each customer ID, the dedup of each
// order ID.

// parallelReading turns the pipeline on; tests turn it off to compare.
var parallelReading = true

// pipelineItem is what the collector takes next: a chunk being parsed, or
// the tail of the input to read in order (see recordSplitter).
type pipelineItem struct {
	parsed chan csvin.ParsedChunk // receives the chunk's rows once parsed
	tail   io.Reader
	line   int // the tail's first line
}

// readOrdersParallel reads the records after or's header through the
// pipeline.
func (c *collector) readOrdersParallel(or *csvin.OrderReader) error {
	workers := runtime.GOMAXPROCS(0)
	done := make(chan struct{})
	items := make(chan pipelineItem, workers)
	jobs := make(chan func(), workers)
	// The rows of chunks the collector has taken go back to the workers,
	// so that a run allocates rows for the chunks in flight only.
	free := make(chan []csvin.ParsedRow, 2*workers)
	var wg sync.WaitGroup
	defer func() {
		close(done) // stops the splitter, which stops the workers
		wg.Wait()
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range jobs {
				job()
			}
		}()
	}
	go splitChunks(or, csvin.NewRecordSplitter(or.Rest(), or.NextLine(), c.cfg.maxRecord), items, jobs, free, done)

	// Half the processors accumulate, in one goroutine per partition, and
	// at least two: on 2 cores, at a million customers (10M rows), two
	// partitions take 15% less time and 10% less memory than one; at 100,000
	// customers they take as long and 70 MB more, for the merge.
	sink := newOrderSink(c, max(2, workers/2))
	c.sink = sink
	if err := c.collectItems(or, items, free); err != nil {
		sink.abandon()
		return err
	}
	// Every row is in: the dedup's memory can go before the merge, and a
	// collection now lets the merge reuse it, and the chunks' garbage,
	// instead of growing the heap past its size at the end of the
	// reading. It costs one collection of the accumulators; at 10M rows it
	// took the peak RSS from 2.1 to 1.7 GB and wall time down by a few
	// per cent (BENCHMARKS.md).
	c.dedup = cxmetrics.OrderDedup{}
	runtime.GC()
	return sink.close()
}

// splitChunks cuts the input into chunks, sends a job parsing each to the
// workers and an item for it to the collector, in file order, and last the
// tail the splitter leaves (or the read error, as a failing tail). It
// closes items and jobs when it returns, at the end of the input or when
// done closes. A job parses into rows from free when there are some.
func splitChunks(or *csvin.OrderReader, sp *csvin.RecordSplitter, items chan<- pipelineItem, jobs chan<- func(), free <-chan []csvin.ParsedRow, done <-chan struct{}) {
	defer close(items)
	defer close(jobs)
	for {
		chunk, line, tail, err := sp.Next()
		if err != nil {
			if err != io.EOF {
				select {
				case items <- pipelineItem{tail: errReader{err}}:
				case <-done: // the collector has stopped
				}
			}
			return
		}
		item := pipelineItem{tail: tail, line: line}
		if tail == nil {
			item.parsed = make(chan csvin.ParsedChunk, 1)
			parsed := item.parsed
			job := func() {
				parsed <- csvin.ParseChunk(or, chunk, line, reuse(free))
			}
			select {
			case jobs <- job:
			case <-done:
				return
			}
		}
		select {
		case items <- item:
		case <-done:
			return
		}
		if tail != nil {
			return
		}
	}
}

// collectItems takes the parsed rows of every item in file order, and the
// tail's rows, as the sequential reading does, then the invoice lines
// still pending. It hands the rows of each chunk taken back to free.
func (c *collector) collectItems(or *csvin.OrderReader, items <-chan pipelineItem, free chan<- []csvin.ParsedRow) error {
	read := or.BytesRead()
	for item := range items {
		if item.tail != nil {
			if err := c.takeRows(or.Tail(item.tail, item.line, read)); err != nil {
				return err
			}
			continue
		}
		chunk := <-item.parsed
		read += chunk.Bytes
		for i := range chunk.Rows {
			row := &chunk.Rows[i]
			c.progress.update(or.Name(), c.inputs.OrderRows, read)
			err := row.Err
			if err == nil {
				err = c.takeRow(row.At, row.Order)
			}
			if err := c.settle(err); err != nil {
				return err
			}
		}
		giveBack(free, chunk.Rows)
	}
	c.progress.done()
	if c.pending != nil {
		return c.flushLines()
	}
	return nil
}

// errReader is a reader that fails, to pass a read error down the pipeline
// as a tail.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// settle decides what a row's outcome means for the reading: nil for a
// row taken, left out or skipped, the error to stop with otherwise.
func (c *collector) settle(err error) error {
	if err == nil || errors.Is(err, errLeftOut) {
		return nil
	}
	return c.skip(err)
}

// orderSink takes the orders the collector accepts into the accumulators:
// directly, or through one goroutine per partition of the customers.
type orderSink struct {
	c     *collector
	seed  maphash.Seed
	parts []*partition
}

// partition accumulates the orders of the customers whose ID hashes to it.
type partition struct {
	in      chan []cxmetrics.Order
	free    chan []cxmetrics.Order // batches done with, to reuse
	batch   []cxmetrics.Order
	stats   cxmetrics.OrderStats
	cohorts *cxmetrics.CohortBuilder
	err     error
	done    chan struct{}
}

// partitionBatch is the orders sent to a partition at once.
const partitionBatch = 4096

// partitionQueue is the batches a partition's queue holds. An accumulator
// works in bursts: it folds its pending events at once, 262,144 of them at
// a million customers, in about 80 ms, while the collector goes on taking
// rows at about 3M a second. With a queue of 2 batches the collector
// waited for the partitions for a third of a 10M-row reading (the
// execution tracer's blocking profile), and they for it at other times;
// 32 batches (about 11 MB of orders a partition, and the chunks their
// strings point into, about 7 MB more on the benchmarks' file) let each
// side go on
// through the other's bursts: 10M rows 5% faster (6.64 against 6.99 s,
// six alternating runs each), 1M rows unchanged.
const partitionQueue = 32

// newOrderSink returns a sink with parts partitions, or one that adds to
// the collector's accumulators directly for parts 0.
func newOrderSink(c *collector, parts int) *orderSink {
	s := &orderSink{c: c, seed: maphash.MakeSeed()}
	if parts < 1 {
		return s
	}
	for range parts {
		cb, _ := cxmetrics.NewCohortBuilder(c.cfg.opts) // c.cfg.opts is valid: newCollector built one
		p := &partition{in: make(chan []cxmetrics.Order, partitionQueue), free: make(chan []cxmetrics.Order, partitionQueue+1), cohorts: cb, done: make(chan struct{})}
		go p.run()
		s.parts = append(s.parts, p)
	}
	return s
}

func (p *partition) run() {
	defer close(p.done)
	for batch := range p.in {
		for i := range batch {
			if p.err == nil {
				p.err = addToAccumulators(&p.stats, p.cohorts, batch[i])
			}
		}
		giveBack(p.free, batch)
	}
}

// add adds an accepted order.
func (s *orderSink) add(o cxmetrics.Order) error {
	if s.parts == nil {
		return addToAccumulators(&s.c.stats, s.c.cohorts, o)
	}
	p := s.parts[maphash.String(s.seed, o.CustomerID)%uint64(len(s.parts))]
	p.batch = append(p.batch, o)
	if len(p.batch) == partitionBatch {
		p.in <- p.batch
		if p.batch = reuse(p.free); p.batch == nil {
			p.batch = make([]cxmetrics.Order, 0, partitionBatch)
		}
	}
	return nil
}

// close waits for the partitions and merges them into the collector's
// accumulators: the first partition's become the collector's, and each
// other partition is merged into them and dropped, so that the merge holds
// little more than the partitions do.
func (s *orderSink) close() error {
	for _, p := range s.parts {
		if len(p.batch) > 0 {
			p.in <- p.batch
		}
		close(p.in)
	}
	var first error
	for i, p := range s.parts {
		<-p.done
		first = cmp.Or(first, p.err)
		switch {
		case first != nil:
		case i == 0:
			s.c.stats, s.c.cohorts = p.stats, p.cohorts
		default:
			// The two accumulators merge at once, each on a processor
			// of its own: at a million customers each merge takes
			// about half a second, all of it after the reading.
			statsMerged := make(chan error, 1)
			go func() { statsMerged <- s.c.stats.Merge(&p.stats) }()
			cohortsErr := s.c.cohorts.Merge(p.cohorts)
			first = cmp.Or(<-statsMerged, cohortsErr)
		}
		s.parts[i] = nil
	}
	s.parts = nil
	return first
}

// abandon stops the partitions without merging them.
func (s *orderSink) abandon() {
	for _, p := range s.parts {
		close(p.in)
	}
	for _, p := range s.parts {
		<-p.done
	}
	s.parts = nil
}

// addToAccumulators adds a checked order to the order accumulators. They do
// not refuse it, since the reader and the collector checked everything
// they check; if one did, that would be a bug, reported as such.
func addToAccumulators(stats *cxmetrics.OrderStats, cohorts *cxmetrics.CohortBuilder, o cxmetrics.Order) error {
	err := stats.Add(o)
	if err == nil {
		err = cohorts.Add(o)
	}
	if err != nil {
		return fmt.Errorf("internal error: an order the reader checked was refused: %w", err)
	}
	return nil
}

// giveBack hands s, emptied and cleared so that it holds on to no strings,
// to the stage that fills such slices, unless free is full; reuse takes one
// back, or nil if there is none. Reused rows and batches keep a run from
// allocating a new one for every chunk and every partition batch.
func giveBack[T any](free chan<- []T, s []T) {
	clear(s)
	select {
	case free <- s[:0]:
	default:
	}
}

func reuse[T any](free <-chan []T) []T {
	select {
	case s := <-free:
		return s
	default:
		return nil
	}
}
