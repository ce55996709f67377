package nn

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dbr-go/dbr/engine"
)

// killedSaveEnv makes TestKilledSaveHelper save to the path it names and
// hang half way, for TestStaleTempFilesRemoved to kill it.
const killedSaveEnv = "DBR_TEST_KILLED_SAVE"

func TestKilledSaveHelper(t *testing.T) {
	path := os.Getenv(killedSaveEnv)
	if path == "" {
		t.Skip("run by TestStaleTempFilesRemoved")
	}
	writeAtomic(path, func(w io.Writer) error {
		w.Write(make([]byte, 1<<21)) // past the buffer: on disk
		os.Stdout.WriteString("writing\n")
		select {} // until killed
	})
}

// A save killed with kill -9 leaves its temporary file; the next save or
// load of the same path removes it. Temporary files a live save holds, and
// files that only look alike, stay.
func TestStaleTempFilesRemoved(t *testing.T) {
	if runtime.GOOS == "windows" || !haveFlock {
		t.Skip("needs flock")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "ck.safetensors")
	tmps := func() (names []string) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp-") {
				names = append(names, e.Name())
			}
		}
		return names
	}
	kill := func() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledSaveHelper$")
		cmd.Env = append(os.Environ(), killedSaveEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		cmd.Process.Kill() // SIGKILL: no deferred cleanup runs
		cmd.Wait()
		if line != "writing\n" {
			t.Fatalf("the helper printed %q", line)
		}
	}
	kill()
	first := tmps()
	kill() // the second save removes the first one's file before it starts
	if second := tmps(); len(first) != 1 || len(second) != 1 || first[0] == second[0] {
		t.Fatalf("temporary files after one killed save: %v, after two: %v; want one each, not the same", first, second)
	}
	// Held by a live save (here: locked by this process) or not ours by name.
	held, err := os.Create(filepath.Join(dir, ".ck.safetensors.tmp-123"))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if !lockFile(held) {
		t.Fatal("cannot lock")
	}
	for _, name := range []string{".ck.safetensors.tmp-12x", ".other.safetensors.tmp-77", "ck.safetensors.tmp-5"} {
		os.WriteFile(filepath.Join(dir, name), nil, 0o644)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(dir, ".ck.safetensors.tmp-12x"), old, old)

	if err := SaveTensors(path, []Param{{Name: "w", Tensor: engine.Ones(2)}}); err != nil {
		t.Fatal(err)
	}
	want := []string{".ck.safetensors.tmp-123", ".ck.safetensors.tmp-12x", ".other.safetensors.tmp-77", "ck.safetensors.tmp-5"}
	if got := tmps(); !slices.Equal(got, want) {
		t.Errorf("after a save: %v, want %v", got, want)
	}

	// A load removes them too.
	kill()
	if n := len(tmps()); n != 5 {
		t.Fatalf("a killed save left %d temporary files, want 5 with the others", n)
	}
	if _, err := LoadTensors(path); err != nil {
		t.Fatal(err)
	}
	if got := tmps(); !slices.Equal(got, want) {
		t.Errorf("after a load: %v, want %v", got, want)
	}
}
