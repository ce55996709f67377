// Command mutants checks that the tests catch a list of deliberate bugs
// (mutants.txt beside this file): for each line "file: old => new" it copies
// the repository, replaces old (which must occur exactly once; \n and \t
// stand for a newline and a tab) by new in file, runs the tests of file's package and reports the first test that
// failed. A mutant that no test kills, or that no longer applies, makes it
// exit 1.
//
//	go run ./scripts/mutants [-list scripts/mutants/mutants.txt] [-run pattern]
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

type mutant struct {
	file, old, new string
}

func main() {
	list := flag.String("list", "scripts/mutants/mutants.txt", "the mutants, one a line: file: old => new")
	only := flag.String("run", "", "only the mutants whose line matches this regexp")
	flag.Parse()
	ms, err := readList(*list, *only)
	if err != nil {
		fail(err)
	}
	dir, err := copyRepo()
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	bad := 0
	baseline := map[string]bool{}
	for _, m := range ms {
		pkg := "./" + filepath.Dir(m.file)
		if !baseline[pkg] {
			baseline[pkg] = true
			if out, err := goTest(dir, pkg); err != nil {
				fail(fmt.Errorf("the tests of %s fail without a mutant:\n%s", pkg, out))
			}
		}
		path := filepath.Join(dir, m.file)
		src, err := os.ReadFile(path)
		if err != nil {
			fail(err)
		}
		label := fmt.Sprintf("%s: %s => %s", m.file, m.old, m.new)
		if n := bytes.Count(src, []byte(m.old)); n != 1 {
			fmt.Printf("STALE     %s (old text found %d times)\n", label, n)
			bad++
			continue
		}
		if err := os.WriteFile(path, bytes.Replace(src, []byte(m.old), []byte(m.new), 1), 0o644); err != nil {
			fail(err)
		}
		start := time.Now()
		out, err := goTest(dir, pkg)
		if err := os.WriteFile(path, src, 0o644); err != nil {
			fail(err)
		}
		switch {
		case err == nil:
			fmt.Printf("SURVIVED  %s\n", label)
			bad++
		default:
			fmt.Printf("killed    %s\n          by %s (%.0fs)\n", label, killer(out), time.Since(start).Seconds())
		}
	}
	if bad > 0 {
		fmt.Printf("%d of %d mutants survived or are stale\n", bad, len(ms))
		os.Exit(1)
	}
	fmt.Printf("all %d mutants killed\n", len(ms))
}

func readList(path, only string) ([]mutant, error) {
	re, err := regexp.Compile(only)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ms []mutant
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || !re.MatchString(line) {
			continue
		}
		file, rest, ok1 := strings.Cut(line, ": ")
		old, new, ok2 := strings.Cut(rest, " => ")
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%s:%d: want \"file: old => new\"", path, n)
		}
		ms = append(ms, mutant{file, unescape.Replace(old), unescape.Replace(new)})
	}
	return ms, sc.Err()
}

// unescape turns \n and \t in a mutant's texts into a newline and a tab,
// so that old can take in the next line when one line is not unique.
var unescape = strings.NewReplacer(`\n`, "\n", `\t`, "\t")

// copyRepo copies the files git knows of (tracked or not ignored) into a
// temporary directory.
func copyRepo() (string, error) {
	out, err := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		return "", fmt.Errorf("git ls-files (run from the repository's root): %v", err)
	}
	dir, err := os.MkdirTemp("", "dbr-mutants-")
	if err != nil {
		return "", err
	}
	for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		data, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		}
		if err != nil {
			return "", err
		}
		dst := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

func goTest(dir, pkg string) (string, error) {
	cmd := exec.Command("go", "test", "-count=1", "-failfast", pkg)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var (
	failLine = regexp.MustCompile(`(?m)^\s*--- FAIL: (\S+)`)
	crashIn  = regexp.MustCompile(`(?m)^\S+\.(Test\w+)\(`) // a test function in a crash's stack trace
)

// killer returns the first failing test named in go test's output, down to
// its deepest failing subtest, or the output's first line when there is none
// (a build failure or a crash).
func killer(out string) string {
	ms := failLine.FindAllStringSubmatch(out, -1)
	if len(ms) == 0 {
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if m := crashIn.FindStringSubmatch(out); m != nil {
			return m[1] + ", which crashed: " + lines[0]
		}
		return "no test: " + lines[0]
	}
	name := ms[0][1]
	for _, m := range ms[1:] {
		if strings.HasPrefix(m[1], name+"/") {
			name = m[1] // a subtest of it: go deeper
		}
	}
	return name
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mutants:", err)
	os.Exit(2)
}
