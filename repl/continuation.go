package repl

import (
	"go/scanner"
	"go/token"
	"strings"
)

// A Continuation answers Incomplete for input that arrives a line at a time,
// scanning each line once: reading a 10,000-line raw string or a megabyte of
// pasted code takes time linear in its size (asking Incomplete of the whole
// input after every line is quadratic). The zero value is empty input.
type Continuation struct {
	depth     int         // open brackets
	last      token.Token // last token that is not a comment or an implied semicolon
	inRaw     bool        // inside a raw string literal
	inComment bool        // inside a /* comment
}

// Add adds one line of input (without its newline) and reports what
// Incomplete would report for all the input added so far.
func (c *Continuation) Add(line string) bool {
	switch {
	case c.inRaw:
		i := strings.IndexByte(line, '`')
		if i < 0 {
			return true
		}
		c.inRaw = false
		c.last = token.STRING
		c.scan(line[i+1:])
	case c.inComment:
		i := strings.Index(line, "*/")
		if i < 0 {
			return true
		}
		c.inComment = false
		c.scan(line[i+2:])
	default:
		c.scan(line)
	}
	return c.incomplete()
}

// Reset empties the input.
func (c *Continuation) Reset() { *c = Continuation{} }

func (c *Continuation) scan(seg string) {
	if strings.TrimSpace(seg) == "" {
		return
	}
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", -1, len(seg)), []byte(seg), func(_ token.Position, msg string) {
		switch msg {
		case "raw string literal not terminated":
			c.inRaw = true
		case "comment not terminated":
			c.inComment = true
		}
	}, scanner.ScanComments)
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			return
		}
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			c.depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			c.depth--
		case token.COMMENT:
			continue
		case token.SEMICOLON:
			if lit == "\n" {
				continue
			}
		}
		c.last = tok
	}
}

func (c *Continuation) incomplete() bool {
	if c.inRaw || c.inComment || c.depth > 0 {
		return true
	}
	return continues(c.last)
}

// continues reports whether a last token cannot end a statement.
func continues(last token.Token) bool {
	switch last {
	case token.PERIOD, token.COMMA, token.ASSIGN, token.DEFINE, token.ARROW, token.ELSE,
		token.LAND, token.LOR, token.COLON:
		return true
	}
	if last.IsOperator() && last.Precedence() > 0 {
		return true // a binary operator: + - * / % & | ^ << >> &^ == != < <= > >=
	}
	return last >= token.ADD_ASSIGN && last <= token.AND_NOT_ASSIGN
}
