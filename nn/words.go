package nn

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// wordsDebianFile is where Debian's wamerican package installs its word
// list, the file Words reads when given no path.
var wordsDebianFile = "/usr/share/dict/words"

// The words Words keeps have wordsMinLen to wordsMaxLen letters.
const wordsMinLen, wordsMaxLen = 3, 8

// wordsSampleEvery is the stride of the sample built into dbr.
const wordsSampleEvery = 16

// wordsSample is every 16th usable word of wamerican 2020.12.07-2's list
// (see wordsdata/README.md).
//
//go:embed wordsdata/words.txt
var wordsSample string

// Words reads a word list with one word per line, as /usr/share/dict/words
// is, and returns the words a character-level model can take as they are:
// those of 3 to 8 lowercase letters a–z (no capitals, apostrophes or
// accents), in the file's order, and of those one in every, starting with
// the first (every = 16 keeps the 1st, the 17th, the 33rd, …; 1 keeps them
// all).
//
// path "" reads /usr/share/dict/words (Debian's wamerican package). When
// that file is absent, Words prints a one-line notice saying how to get it
// and returns the sample built into dbr: every 16th such word of wamerican
// 2020.12.07 (2224 words). For an every that is a multiple of 16 it keeps
// every (every/16)-th word of the sample, which are the words the file
// gives, so a program gets the same words with or without the file; for
// any other every it returns the whole sample.
//
// A path that cannot be read, a file without such words, or every < 1 give
// an error naming the file or the value.
func Words(path string, every int) ([]string, error) {
	if every < 1 {
		return nil, fmt.Errorf("nn.Words: every must be at least 1 (1 keeps every word), got %d", every)
	}
	if path == "" {
		if _, err := os.Stat(wordsDebianFile); errors.Is(err, fs.ErrNotExist) {
			ws := strings.Fields(wordsSample)
			if every%wordsSampleEvery == 0 {
				ws = everyNth(ws, every/wordsSampleEvery)
			}
			fmt.Fprintf(noticeOut(), "nn.Words: %s not found, using the %d-word sample built into dbr (every %dth word of Debian's list); for the whole list: sudo apt-get install wamerican\n",
				wordsDebianFile, len(strings.Fields(wordsSample)), wordsSampleEvery)
			return ws, nil
		}
		path = wordsDebianFile
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("nn.Words: %w", err)
	}
	defer f.Close()
	var ws []string
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w := strings.TrimSpace(sc.Text())
		if !usableWord(w) {
			continue
		}
		if n%every == 0 {
			ws = append(ws, w)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("nn.Words: reading %s: %w (a word list has one word per line)", path, err)
	}
	if len(ws) == 0 {
		return nil, fmt.Errorf("nn.Words: %s has no words of %d to %d lowercase letters a–z (one word per line)", path, wordsMinLen, wordsMaxLen)
	}
	return ws, nil
}

// usableWord reports whether w has wordsMinLen to wordsMaxLen letters a–z.
func usableWord(w string) bool {
	if len(w) < wordsMinLen || len(w) > wordsMaxLen {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// everyNth returns ws[0], ws[n], ws[2n], …
func everyNth(ws []string, n int) []string {
	var out []string
	for i := 0; i < len(ws); i += n {
		out = append(out, ws[i])
	}
	return out
}
