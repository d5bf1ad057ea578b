//go:build !cgo

package main

import (
	"errors"
	"io"
)

// haveDuckDB says whether this binary has DuckDB in it: duckdb-go needs
// cgo, and this one was built without.
const haveDuckDB = false

// duckdbSQL is empty without DuckDB.
func duckdbSQL(string) []string { return nil }

// duckdbChild fails: there is no DuckDB in a binary built without cgo.
func duckdbChild([]string, io.Writer) error {
	return errors.New("built without cgo (CGO_ENABLED=0 or no C compiler): duckdb-go needs it")
}
