//go:build !unix

package repl

import "time"

// cpuTime is not known on this system: the watchdog is off.
func cpuTime() (time.Duration, bool) { return 0, false }
