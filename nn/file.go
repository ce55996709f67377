package nn

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// readFile opens path, checks that it is a file and not a directory (kind
// names the format the message expects, e.g. "an IDX file") and hands the
// open file and its size to parse. Every error starts with the path.
func readFile(path, kind string, parse func(f *os.File, size int64) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, pathErr(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if st.IsDir() {
		return fmt.Errorf("%s: is a directory, not %s", path, kind)
	}
	if err := parse(f, st.Size()); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// pathErr strips the operation and path from an *os.PathError, for messages
// that name the file themselves ("x.safetensors: no such file or directory").
func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// writeAtomic writes path through a temporary file in the same directory,
// ".<name>.tmp-<digits>": write, fsync, rename, close, fsync the directory.
// On any error or panic (such as engine.ErrInterrupted) the temporary file is
// removed and path is left as it was. While it writes, it holds an exclusive
// lock on the temporary file (see lockFile): a temporary file that nobody
// holds a lock on was left by a save that was killed, and removeStale
// deletes it.
func writeAtomic(path string, write func(w io.Writer) error) (err error) {
	removeStale(path)
	dir := filepath.Dir(path)
	var f *os.File
	for {
		f, err = os.CreateTemp(dir, tmpPrefix(path)+"*")
		if err != nil {
			return err
		}
		if !haveFlock || (lockFile(f) && sameFile(f, f.Name())) {
			break
		}
		f.Close() // another process's removeStale took it before the lock: try again
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	// Rename while the lock is held, so that removeStale never sees this
	// file unlocked under its temporary name.
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	done = true
	if err := f.Close(); err != nil {
		return err
	}
	// Make the rename itself durable; not every system can sync a directory,
	// and the file is complete either way, so a failure here is ignored.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// tmpPrefix is the start of the names of path's temporary files.
func tmpPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// removeStale deletes the temporary files of path (".<name>.tmp-<digits>")
// that no save holds a lock on: those of saves killed with kill -9 or by a
// power cut. Files it cannot prove stale stay: on systems without flock, and
// files that are not regular or are locked.
func removeStale(path string) {
	dir, prefix := filepath.Dir(path), tmpPrefix(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		digits, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" || !e.Type().IsRegular() {
			continue
		}
		tmp := filepath.Join(dir, e.Name())
		f, err := os.Open(tmp)
		if err != nil {
			continue
		}
		if lockFile(f) && sameFile(f, tmp) {
			os.Remove(tmp)
		}
		f.Close()
	}
}

// sameFile reports whether the open file f is still the file at path.
func sameFile(f *os.File, path string) bool {
	a, err1 := f.Stat()
	b, err2 := os.Lstat(path)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}
