package nn

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// withoutDictWords points Words("") to a file that does not exist and
// collects the notices, until the test ends.
func withoutDictWords(t *testing.T) *bytes.Buffer {
	t.Helper()
	var notice bytes.Buffer
	oldOut, oldFile := notices, wordsDebianFile
	t.Cleanup(func() { notices, wordsDebianFile = oldOut, oldFile })
	notices = &notice
	wordsDebianFile = filepath.Join(t.TempDir(), "absent", "words")
	return &notice
}

// The embedded sample is exactly what Words reads from Debian's file with a
// stride of 16 (wordsdata/README.md says how to rebuild it).
func TestWordsSample(t *testing.T) {
	sample := strings.Fields(wordsSample)
	if len(sample) != 2224 || sample[0] != "aardvark" || sample[len(sample)-1] != "zoomed" {
		t.Fatalf("embedded sample: %d words, %q … %q", len(sample), sample[0], sample[len(sample)-1])
	}
	if _, err := os.Stat(wordsDebianFile); err != nil {
		t.Skipf("%s is absent (apt-get install wamerican): cannot compare the sample with it", wordsDebianFile)
	}
	var notice bytes.Buffer
	old := notices
	t.Cleanup(func() { notices = old }) // after withoutDictWords' cleanup below
	notices = &notice
	got, err := Words("", 16)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, sample) {
		t.Fatalf("Words(%q, 16) gives %d words, the embedded sample has %d: rebuild nn/wordsdata/words.txt", wordsDebianFile, len(got), len(sample))
	}
	if notice.Len() != 0 {
		t.Fatalf("notice with the file present: %q", notice.String())
	}
	// every 32nd word of the file is every other word of the sample, with or without the file
	from, err := Words(wordsDebianFile, 32)
	if err != nil {
		t.Fatal(err)
	}
	withoutDictWords(t)
	without, err := Words("", 32)
	if err != nil {
		t.Fatal(err)
	}
	if len(from) != 1112 || !reflect.DeepEqual(from, without) {
		t.Fatalf("every 32nd word: %d from the file, %d without it", len(from), len(without))
	}
}

// Without the file, Words("", n) falls back to the sample with a notice:
// the lesson's data path on a machine without wamerican.
func TestWordsFallback(t *testing.T) {
	notice := withoutDictWords(t)
	sample := strings.Fields(wordsSample)
	got, err := Words("", 16)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, sample) {
		t.Fatalf("fallback gives %d words, want the %d of the sample", len(got), len(sample))
	}
	msg := notice.String()
	if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "nn.Words: "+wordsDebianFile+" not found") ||
		!strings.Contains(msg, "2224-word sample") || !strings.Contains(msg, "apt-get install wamerican") {
		t.Fatalf("notice %q", msg)
	}
	got, err = Words("", 48)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 742 || got[0] != sample[0] || got[1] != sample[3] || got[741] != sample[2223] {
		t.Fatalf("every 48th: %d words, starting %v", len(got), got[:2])
	}
	// a stride the sample cannot give exactly: the whole sample
	got, err = Words("", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(sample) {
		t.Fatalf("every 5th without the file: %d words", len(got))
	}
}

func TestWordsFilter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "words")
	list := "Apple\nbee\nab\ncat's\nzebra\r\nnaïve\n  dog  \nabcdefgh\nabcdefghi\n\nfox\nCPU\nfox2\nend"
	if err := os.WriteFile(path, []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		every int
		want  []string
	}{
		{1, []string{"bee", "zebra", "dog", "abcdefgh", "fox", "end"}},
		{2, []string{"bee", "dog", "fox"}},
		{4, []string{"bee", "fox"}},
		{100, []string{"bee"}},
	} {
		got, err := Words(path, c.every)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("every %d: %q, want %q", c.every, got, c.want)
		}
	}
}

func TestWordsErrors(t *testing.T) {
	withoutDictWords(t)
	dir := t.TempDir()
	none := filepath.Join(dir, "none")
	if err := os.WriteFile(none, []byte("Apple\nab\nx-ray\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	long := filepath.Join(dir, "long")
	if err := os.WriteFile(long, bytes.Repeat([]byte("a"), 100_000), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path  string
		every int
		want  string
	}{
		{filepath.Join(dir, "missing"), 1, "nn.Words: open " + filepath.Join(dir, "missing") + ": no such file"},
		{none, 1, "nn.Words: " + none + " has no words of 3 to 8 lowercase letters a–z"},
		{long, 1, "nn.Words: reading " + long + ": bufio.Scanner: token too long"},
		{dir, 1, "nn.Words: reading " + dir + ": read " + dir + ": is a directory"},
		{none, 0, "nn.Words: every must be at least 1 (1 keeps every word), got 0"},
		{"", -3, "nn.Words: every must be at least 1 (1 keeps every word), got -3"},
	} {
		ws, err := Words(c.path, c.every)
		if err == nil || !strings.Contains(err.Error(), c.want) || ws != nil {
			t.Errorf("Words(%q, %d) = %d words, %v; want an error containing %q", c.path, c.every, len(ws), err, c.want)
		}
	}
}

// A notice goes to os.Stderr as it is when printed: a dbr-repl session
// replaces os.Stderr after nn is initialized, and a notice written to the
// old one went to its crash pipe, unseen.
func TestNoticeGoesToCurrentStderr(t *testing.T) {
	oldFile := wordsDebianFile // notices stays as a program has it
	defer func() { wordsDebianFile = oldFile }()
	wordsDebianFile = filepath.Join(t.TempDir(), "absent")
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	oldStderr := os.Stderr
	os.Stderr = f
	_, err = Words("", 16)
	os.Stderr = oldStderr
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if want := "nn.Words: " + wordsDebianFile + " not found, using the 2224-word sample built into dbr"; !strings.Contains(string(got), want) {
		t.Fatalf("the replaced os.Stderr got %q, want the notice %q…", got, want)
	}
}
