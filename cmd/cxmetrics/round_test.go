package main

import "math"

// round4 keeps four decimals, as the report rounds its statistics
// (internal/report); the sBG tests round their expected values with it.
func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
