// Command gen writes each lesson's notebook: scripts/NN_name/main.go
// becomes scripts/NN_name/NN_name.ipynb. Run it with `go generate
// ./scripts`.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/dbr-go/dbr/internal/lessonnb"
)

func main() {
	files, err := filepath.Glob("[0-9][0-9]_*/main.go")
	if err != nil || len(files) == 0 {
		fmt.Fprintln(os.Stderr, "gen: no lessons (NN_name/main.go) in this directory")
		os.Exit(1)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		nb, err := lessonnb.Notebook(f, src)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		dir := filepath.Dir(f)
		if err := os.WriteFile(filepath.Join(dir, lessonnb.NotebookName(dir)), nb, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}
