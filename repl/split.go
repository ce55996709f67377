package repl

import (
	"go/scanner"
	"go/token"
	"strings"
)

// A Unit is one top-level piece of input: a declaration or a statement, as
// typed. Split cuts input into units; each is evaluated on its own.
type Unit struct {
	Src  string // the text of the unit, as typed
	Line int    // line of the input on which the unit starts, from 1
}

// Incomplete reports whether src is unfinished Go that needs more lines before
// it can be evaluated: an open bracket, an unterminated raw string or block
// comment, or a last token that cannot end a statement (a binary operator,
// '.', ',', '=', ':=', '<-', 'else').
func Incomplete(src string) bool {
	var c Continuation
	incomplete := false
	for _, line := range strings.Split(src, "\n") {
		incomplete = c.Add(line)
	}
	return incomplete
}

// Split cuts src into top-level units at the semicolons (written or implied by
// a newline) that are outside any bracket and outside the header of a for,
// if, switch or select statement. Blank units are dropped. Split does not
// check syntax: a unit may still fail to parse.
func Split(src string) []Unit {
	var s scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(src))
	s.Init(file, []byte(src), func(token.Position, string) {}, 0)
	var units []Unit
	depth := 0
	header := false // between for/if/switch/select and the '{' of its body
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		if text := strings.TrimSpace(src[start:end]); text != "" {
			units = append(units, Unit{Src: text, Line: file.Line(file.Pos(start))})
		}
		start = -1
	}
	for {
		pos, tok, lit := s.Scan()
		off := file.Offset(pos)
		if tok == token.EOF {
			flush(len(src))
			break
		}
		if start < 0 && tok != token.SEMICOLON {
			start = off
		}
		switch tok {
		case token.LPAREN, token.LBRACK:
			depth++
		case token.LBRACE:
			if depth == 0 && header {
				header = false
			}
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth > 0 {
				depth--
			}
		case token.FOR, token.IF, token.SWITCH, token.SELECT:
			if depth == 0 {
				header = true
			}
		case token.SEMICOLON:
			if depth == 0 && !header {
				end := off
				if lit == "\n" && off > len(src) {
					end = len(src)
				}
				flush(end)
			}
		}
	}
	return units
}

// unterminatedComment returns the line (as a Unit) on which a /* comment
// that src never closes starts.
func unterminatedComment(src string) (Unit, bool) {
	var s scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(src))
	found := -1
	s.Init(file, []byte(src), func(pos token.Position, msg string) {
		if msg == "comment not terminated" && found < 0 {
			found = pos.Offset
		}
	}, scanner.ScanComments)
	for {
		if _, tok, _ := s.Scan(); tok == token.EOF {
			break
		}
	}
	if found < 0 {
		return Unit{}, false
	}
	text, _, _ := strings.Cut(src[found:], "\n")
	return Unit{Src: strings.TrimSpace(text), Line: file.Line(file.Pos(found))}, true
}
