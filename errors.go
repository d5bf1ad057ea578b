package cxmetrics

import (
	"errors"

	"github.com/cxmetrics/cxmetrics/internal/cxerr"
)

// The sentinel errors. Every error the package returns wraps exactly one of
// them with the context a caller needs to find the bad value (its position,
// the field, the allowed range), so callers branch with [errors.Is]:
//
//	if errors.Is(err, cxmetrics.ErrNoData) { /* show "n/a" */ }
var (
	// ErrNoData reports an empty input or a zero denominator: a rate over no
	// customers, a mean of no answers. The package never returns 0 or NaN
	// for such a figure.
	ErrNoData = errors.New("no data")

	// ErrOutOfRange reports a score or parameter outside its allowed range,
	// such as an NPS answer of 11 or a confidence level of 1.
	ErrOutOfRange = errors.New("out of range")

	// ErrNegative reports a count or an amount that must not be negative.
	ErrNegative = errors.New("negative")

	// ErrInconsistent reports inputs that contradict each other, such as more
	// customers lost in a period than there were.
	ErrInconsistent = errors.New("inconsistent")

	// ErrCurrencyMismatch reports money in different currencies mixed in
	// one figure.
	ErrCurrencyMismatch = errors.New("currency mismatch")

	// ErrUnknownCurrency reports a currency code that is not in the package's
	// ISO 4217 table, or that has no minor unit there (funds, metals).
	ErrUnknownCurrency = errors.New("unknown currency")
)

// errorf wraps sentinel with context, giving messages of the form
// "cxmetrics: score 11 at index 4 not in 0..10: out of range". Positions in
// a slice read "at index N"; values a caller passed in are quoted with
// [quote] when they are strings.
func errorf(sentinel error, format string, args ...any) error {
	return cxerr.New("cxmetrics", sentinel, format, args...)
}

// quote quotes a string value for a message, cut to about 80 bytes.
func quote(s string) string { return cxerr.Quote(s) }

// wrapf puts context in front of one of the package's own errors, keeping
// its sentinel and its single "cxmetrics:" prefix.
func wrapf(err error, format string, args ...any) error {
	return cxerr.Wrap("cxmetrics", err, format, args...)
}
