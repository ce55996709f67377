package main

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dbr-go/dbr/repl"
	"github.com/go-zeromq/zmq4"
)

// runeOffset returns the byte offset of rune offset pos in s (Jupyter
// counts cursor positions in code points).
func runeOffset(s string, pos int) int {
	if pos < 0 {
		return 0
	}
	for i := range s {
		if pos == 0 {
			return i
		}
		pos--
	}
	return len(s)
}

func (k *kernel) complete(sock zmq4.Socket, m *message) {
	var c struct {
		Code      string `json:"code"`
		CursorPos int    `json:"cursor_pos"`
	}
	json.Unmarshal(m.content, &c)
	before := c.Code[:runeOffset(c.Code, c.CursorPos)]
	line := before[strings.LastIndex(before, "\n")+1:]
	prefix, cands := k.s.Complete(line)
	pos := utf8.RuneCountInString(before)
	if cands == nil {
		cands = []string{}
	}
	k.send(sock, m, "complete_reply", map[string]any{
		"status": "ok", "matches": cands, "metadata": map[string]any{},
		"cursor_start": pos - utf8.RuneCountInString(prefix), "cursor_end": pos,
	})
}

// nameAt returns the selector chain (x.MatMul, engine.Zeros) around byte
// offset i of code.
func nameAt(code string, i int) string {
	isName := func(r rune) bool { return r == '_' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r) }
	start, end := i, i
	for start > 0 {
		r, n := utf8.DecodeLastRuneInString(code[:start])
		if !isName(r) {
			break
		}
		start -= n
	}
	for end < len(code) {
		r, n := utf8.DecodeRuneInString(code[end:])
		if !isName(r) {
			break
		}
		end += n
	}
	return strings.Trim(code[start:end], ".")
}

func (k *kernel) inspect(sock zmq4.Socket, m *message) {
	var c struct {
		Code      string `json:"code"`
		CursorPos int    `json:"cursor_pos"`
	}
	json.Unmarshal(m.content, &c)
	name := nameAt(c.Code, runeOffset(c.Code, c.CursorPos))
	content := map[string]any{"status": "ok", "found": false, "data": map[string]any{}, "metadata": map[string]any{}}
	if name != "" {
		if doc, err := k.s.DocOf(name); err == nil {
			content["found"] = true
			content["data"] = map[string]string{"text/plain": doc}
		}
	}
	k.send(sock, m, "inspect_reply", content)
}

func (k *kernel) isComplete(sock zmq4.Socket, m *message) {
	var c struct {
		Code string `json:"code"`
	}
	json.Unmarshal(m.content, &c)
	content := map[string]any{"status": cellStatus(c.Code)}
	if content["status"] == "incomplete" {
		content["indent"] = ""
	}
	k.send(sock, m, "is_complete_reply", content)
}

// cellStatus says whether a cell is complete, needs more lines (the REPL's
// own rule: an open bracket, a trailing operator, dot or comma, an
// unterminated raw string or comment) or cannot be valid whatever follows.
func cellStatus(code string) string {
	var pending strings.Builder
	for _, line := range strings.Split(code, "\n") {
		if repl.IsCommand(line) && !repl.Incomplete(pending.String()) {
			if !valid(pending.String()) {
				return "invalid"
			}
			pending.Reset()
			continue
		}
		pending.WriteString(line + "\n")
	}
	src := pending.String()
	if repl.Incomplete(src) {
		return "incomplete"
	}
	if !valid(src) {
		return "invalid"
	}
	return "complete"
}

// valid reports whether src parses as declarations, statements or a list
// of expressions, the forms the REPL accepts.
func valid(src string) bool {
	if strings.TrimSpace(src) == "" {
		return true
	}
	fset := token.NewFileSet()
	if _, err := parser.ParseFile(fset, "", "package main\n"+src, 0); err == nil {
		return true
	}
	if _, err := parser.ParseFile(fset, "", "package main\nfunc _() {\n"+src+"\n}", 0); err == nil {
		return true
	}
	// Declarations followed by statements: split as the REPL does.
	units := repl.Split(src)
	if len(units) > 1 {
		for _, u := range units {
			if !valid(u.Src) {
				return false
			}
		}
		return true
	}
	_, err := parser.ParseExpr("_f(" + strings.TrimSpace(src) + ")")
	return err == nil
}

func (k *kernel) historyReply(sock zmq4.Socket, m *message) {
	var c struct {
		Output         bool   `json:"output"`
		HistAccessType string `json:"hist_access_type"`
		Session        int    `json:"session"`
		Start          int    `json:"start"`
		Stop           int    `json:"stop"`
		N              int    `json:"n"`
		Pattern        string `json:"pattern"`
		Unique         bool   `json:"unique"`
	}
	json.Unmarshal(m.content, &c)
	rows := k.history
	switch c.HistAccessType {
	case "tail":
		if c.N >= 0 && c.N < len(rows) {
			rows = rows[len(rows)-c.N:]
		}
	case "range":
		var sel []histRow
		for _, r := range rows {
			if c.Session <= 1 && r.line >= c.Start && (c.Stop <= 0 || r.line < c.Stop) {
				sel = append(sel, r)
			}
		}
		rows = sel
	case "search":
		var sel []histRow
		seen := map[string]bool{}
		for i := len(rows) - 1; i >= 0; i-- {
			r := rows[i]
			if !glob(c.Pattern).MatchString(r.input) || (c.Unique && seen[r.input]) {
				continue
			}
			seen[r.input] = true
			sel = append([]histRow{r}, sel...)
			if c.N > 0 && len(sel) == c.N {
				break
			}
		}
		rows = sel
	default:
		rows = nil
	}
	out := make([]any, 0, len(rows))
	for _, r := range rows {
		if c.Output {
			out = append(out, []any{1, r.line, []string{r.input, r.output}})
		} else {
			out = append(out, []any{1, r.line, r.input})
		}
	}
	k.send(sock, m, "history_reply", map[string]any{"status": "ok", "history": out})
}

// glob turns a history search pattern (* any text, ? one character, as
// IPython's) into a regular expression matching a whole input.
func glob(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?s)^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}
