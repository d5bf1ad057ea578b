// Package ci lets tests that need something from the machine (a browser,
// the reference data in ../shared) skip where it is absent, and fail
// instead in continuous integration, where a skipped test would let a
// promise go untested while the build stays green.
package ci

import (
	"fmt"
	"os"
	"testing"
)

// Enabled reports whether the tests run in continuous integration: the
// environment variable CI is "true", as .ci/run and most CI services set it.
func Enabled() bool { return os.Getenv("CI") == "true" }

// Skip skips t with the reason, or, under CI=true, fails it with the reason.
func Skip(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Enabled() {
		t.Fatalf("CI=true and a prerequisite is missing, so this test cannot be skipped: %s", msg)
	}
	t.Skip(msg)
}
