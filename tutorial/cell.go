package tutorial

import (
	"fmt"
	"os"
)

// Must returns v, or prints err and stops the cell (see Check).
func Must[T any](v T, err error) T {
	Check(err)
	return v
}

// Check prints "error: ..." and stops the program when err is not nil: in a
// notebook cell a mistake shows one readable line instead of a stack trace.
func Check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
