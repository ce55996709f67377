package nn

import (
	"errors"
	"fmt"
	"os"
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
