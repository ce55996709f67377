// Command gendoc writes the doc comments of dbr's packages into a Go file of
// package symbols, for dbr-repl's :doc. Run through `go generate ./symbols`.
//
//	go run ./gendoc -o docs_gen.go ../engine ../nn ../inspect
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/dbr-go/dbr/symbols/internal/docs"
)

func main() {
	out := flag.String("o", "docs_gen.go", "output file")
	flag.Parse()
	src, err := docs.Generate(flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendoc:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gendoc:", err)
		os.Exit(1)
	}
}
