package clv

import (
	"errors"

	"github.com/cxmetrics/cxmetrics/internal/cxerr"
)

// ErrNotConverged reports a fit whose optimizer stopped without finding a
// maximum of the likelihood; the message says why. A fit that fails this
// way returns no parameters, never NaN ones. Other errors of the package
// wrap the sentinels of cxmetrics (ErrNoData, ErrOutOfRange, ErrNegative,
// ErrInconsistent, ErrCurrencyMismatch).
var ErrNotConverged = errors.New("not converged")

// errorf builds every error of the package, in the shape of the cxmetrics
// errors: "clv: what was wrong, with the value and its position: sentinel".
func errorf(sentinel error, format string, args ...any) error {
	return cxerr.New("clv", sentinel, format, args...)
}

// wrap puts context in front of an error from cxmetrics, keeping its
// sentinel and giving it one prefix, "clv".
func wrap(err error, format string, args ...any) error {
	return cxerr.Wrap("clv", err, format, args...)
}
