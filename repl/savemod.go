package repl

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
)

// dbrModule is dbr's module path, which a saved program requires.
const dbrModule = "github.com/dbr-go/dbr"

// saveGoMod writes a go.mod beside the saved program file, so that it builds
// outside dbr's repository, unless the directory is already in a module. It
// requires the dbr that this dbr-repl was built from: its released version,
// or, built from a checkout, that checkout (a replace directive). It returns
// what to tell the user.
func saveGoMod(file string) (string, error) {
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return "", nil // in a module already: its go.mod decides
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	name := strings.TrimSuffix(filepath.Base(file), ".go")
	if name = regexp.MustCompile(`[^A-Za-z0-9_.-]`).ReplaceAllString(name, "_"); name == "" {
		name = "session"
	}
	version, replace := dbrVersion()
	mod := fmt.Sprintf("module %s\n\ngo %s\n\nrequire %s %s\n", name, strings.TrimPrefix(runtime.Version(), "go"), dbrModule, version)
	var sum []byte
	if replace != "" {
		// The checkout's own requirements and sums, so that go build
		// works as it is, without go mod tidy.
		if reqs := checkoutRequires(replace); len(reqs) > 0 {
			mod += "\nrequire (\n"
			for _, r := range reqs {
				mod += "\t" + r + " // indirect\n"
			}
			mod += ")\n"
			sum, _ = os.ReadFile(filepath.Join(replace, "go.sum"))
		}
		mod += fmt.Sprintf("\nreplace %s => %s\n", dbrModule, replace)
	}
	gomod := filepath.Join(dir, "go.mod")
	if err := os.WriteFile(gomod, []byte(mod), 0o644); err != nil {
		return "", err
	}
	note := fmt.Sprintf("wrote %s beside it: cd %s && go mod tidy && go run .", gomod, dir)
	if sum != nil {
		if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
			return "", err
		}
		note = fmt.Sprintf("wrote %s and go.sum beside it: cd %s && go run .", gomod, dir)
	}
	if version == develVersion && replace == "" {
		note += fmt.Sprintf(" (after adding `replace %s => /path/to/your/dbr` to go.mod: this dbr-repl was built from a checkout)", dbrModule)
	}
	return note, nil
}

// develVersion is the version a go.mod requires of a module replaced by a
// directory.
const develVersion = "v0.0.0-00010101000000-000000000000"

// dbrVersion returns the version of dbr this program was built with, or, when
// it was built from a checkout, develVersion and the checkout's directory
// (found from this file's path at build time; "" when it is not there).
func dbrVersion() (version, replace string) {
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Path == dbrModule && strings.HasPrefix(bi.Main.Version, "v") {
			return bi.Main.Version, ""
		}
		for _, d := range bi.Deps {
			if d.Path == dbrModule && d.Replace == nil && strings.HasPrefix(d.Version, "v") {
				return d.Version, ""
			}
		}
	}
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		return develVersion, ""
	}
	root := filepath.Dir(filepath.Dir(self))
	if b, err := os.ReadFile(filepath.Join(root, "go.mod")); err == nil && strings.HasPrefix(string(b), "module "+dbrModule+"\n") {
		return develVersion, root
	}
	return develVersion, ""
}

// checkoutRequires returns the "path version" requirements of the go.mod in
// the dbr checkout root.
func checkoutRequires(root string) []string {
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil
	}
	var reqs []string
	block := false
	for _, l := range strings.Split(string(b), "\n") {
		l, _, _ = strings.Cut(l, "//")
		f := strings.Fields(l)
		switch {
		case block && len(f) == 1 && f[0] == ")":
			block = false
		case block && len(f) == 2:
			reqs = append(reqs, f[0]+" "+f[1])
		case len(f) == 2 && f[0] == "require" && f[1] == "(":
			block = true
		case len(f) == 3 && f[0] == "require":
			reqs = append(reqs, f[1]+" "+f[2])
		}
	}
	return reqs
}
