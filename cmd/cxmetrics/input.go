package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cxmetrics/cxmetrics/internal/csvin"
)

// The reading of the CSV files themselves (records, columns, checks, the
// chunks of the parallel reading) is in internal/csvin, which the Beam
// pipeline shares.

// usageError is a bad command line, or a command line that does not fit
// its files (a missing file, an output that is an input): exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// quote quotes a value for a message, cut to about 80 bytes.
func quote(s string) string { return csvin.Quote(s) }

// detail is the message of a library error without its package prefix
// and sentinel, for a row error that gives the file and line instead.
func detail(err error) string { return csvin.Detail(err) }

// openInput opens a file, or standard input for "-", and decompresses gzip
// input: a name ending in .gz, or standard input that starts with the gzip
// magic bytes. The returned name is how errors refer to the input. A file
// that cannot be opened is a usageError.
func openInput(path string, stdin io.Reader) (io.Reader, string, func() error, error) {
	name := path
	var r io.Reader
	closeFn := func() error { return nil }
	if path == "-" {
		name = "stdin"
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, "", nil, usagef("%v", err)
		}
		r, closeFn = f, f.Close
	}
	br := bufio.NewReaderSize(r, 1<<16)
	magic, _ := br.Peek(2)
	if strings.HasSuffix(path, ".gz") || (path == "-" && len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			closeFn()
			return nil, "", nil, fmt.Errorf("%s: not gzip data: %w", name, err)
		}
		return bufio.NewReaderSize(gz, 1<<16), name, closeFn, nil
	}
	return br, name, closeFn, nil
}
