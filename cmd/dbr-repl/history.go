package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"strings"
)

// histSep joined the lines of a multi-line block in the history file of
// dbr-repl's earlier line editor; such lines are still read.
const histSep = "\u2424"

// historyFile is the line editor's history, kept in a file with one entry
// a line: a JSON string, so that a block keeps its newlines and the tabs of
// its indentation. Plain lines (the earlier format) are read too.
type historyFile struct {
	path    string
	limit   int
	entries []string
}

func openHistory(path string, limit int) *historyFile {
	h := &historyFile{path: path, limit: limit}
	f, err := os.Open(path)
	if err != nil {
		return h
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		var entry string
		if json.Unmarshal([]byte(line), &entry) != nil {
			entry = strings.ReplaceAll(line, histSep, "\n")
		}
		if strings.TrimSpace(entry) != "" {
			h.entries = append(h.entries, entry)
		}
	}
	if len(h.entries) > limit {
		h.entries = h.entries[len(h.entries)-limit:]
		h.rewrite()
	}
	return h
}

// rewrite writes the whole file again (when it has grown past the limit).
func (h *historyFile) rewrite() {
	var b strings.Builder
	for _, e := range h.entries {
		q, _ := json.Marshal(e)
		b.Write(q)
		b.WriteByte('\n')
	}
	os.WriteFile(h.path, []byte(b.String()), 0o600)
}

func (h *historyFile) Write(line string) (int, error) {
	line = strings.TrimRight(line, "\n")
	if strings.TrimSpace(line) == "" {
		return len(h.entries), nil
	}
	h.entries = append(h.entries, line)
	if len(h.entries) > 2*h.limit {
		h.entries = h.entries[len(h.entries)-h.limit:]
		h.rewrite()
		return len(h.entries), nil
	}
	f, err := os.OpenFile(h.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return len(h.entries), err
	}
	defer f.Close()
	q, _ := json.Marshal(line)
	_, err = f.Write(append(q, '\n'))
	return len(h.entries), err
}

func (h *historyFile) GetLine(i int) (string, error) {
	if i < 0 || i >= len(h.entries) {
		return "", errors.New("no such history entry")
	}
	return h.entries[i], nil
}

func (h *historyFile) Len() int { return len(h.entries) }

func (h *historyFile) Dump() interface{} { return h.entries }
