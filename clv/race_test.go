//go:build race

package clv

// raceEnabled is true under -race; see skipHeavyUnderRace.
const raceEnabled = true
