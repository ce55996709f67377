//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package nn

import (
	"os"
	"syscall"
)

// haveFlock says whether lockFile can lock.
const haveFlock = true

// lockFile takes an exclusive flock on f without waiting and reports whether
// it got it. The lock goes with f's close or the process's death, which is
// what makes an unlocked temporary file provably abandoned.
func lockFile(f *os.File) bool {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}
