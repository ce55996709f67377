//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package nn

import "os"

// haveFlock says whether lockFile can lock.
const haveFlock = false

// lockFile reports false: without flock, no temporary file can be proven
// abandoned, so none is removed.
func lockFile(f *os.File) bool { return false }
