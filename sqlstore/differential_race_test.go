//go:build race

package sqlstore_test

// raceEnabled is set when the race detector is on, which slows the
// pure-Go SQLite driver several times over; TestDifferential, which runs
// on one goroutine, then runs fewer inputs.
const raceEnabled = true
