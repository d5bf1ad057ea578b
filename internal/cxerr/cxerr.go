// Package cxerr builds every error of cxmetrics and its subpackages in one
// shape,
//
//	pkg: what was wrong, with the value and its position: sentinel
//
// so that a message never carries two prefixes and always ends with the
// sentinel a caller can test with errors.Is.
package cxerr

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Error is an error of one of the module's packages: Pkg names the package
// ("cxmetrics", "clv"), Msg says what was wrong and Sentinel is the exported
// sentinel it wraps.
type Error struct {
	Pkg      string
	Msg      string
	Sentinel error
}

func (e *Error) Error() string { return e.Pkg + ": " + e.Msg + ": " + e.Sentinel.Error() }

// Unwrap returns the sentinel, for errors.Is.
func (e *Error) Unwrap() error { return e.Sentinel }

// New returns an error of pkg wrapping sentinel, with a message made from
// format and args.
func New(pkg string, sentinel error, format string, args ...any) error {
	return &Error{Pkg: pkg, Msg: fmt.Sprintf(format, args...), Sentinel: sentinel}
}

// Wrap returns err with context in front of its message, as an error of pkg.
// An error built by New keeps its sentinel and loses its own prefix, so an
// error that crosses from one package of the module to another reads as one
// error; any other error is wrapped with %w.
func Wrap(pkg string, err error, format string, args ...any) error {
	ctx := fmt.Sprintf(format, args...)
	var e *Error
	if errors.As(err, &e) {
		return &Error{Pkg: pkg, Msg: ctx + ": " + e.Msg, Sentinel: e.Sentinel}
	}
	return fmt.Errorf("%s: %s: %w", pkg, ctx, err)
}

// maxQuoted is how many bytes of a value a message quotes at most.
const maxQuoted = 80

// Quote returns s quoted for a message, cut to about 80 bytes (on a rune
// boundary) with the length of the whole, so that a hostile value never
// makes a message as large as itself.
func Quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "… (" + strconv.Itoa(len(s)) + " bytes)"
}
