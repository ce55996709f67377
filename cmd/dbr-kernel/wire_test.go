package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/repl"
)

func TestSignatures(t *testing.T) {
	s := signer{key: []byte("secret")}
	req := &message{ids: [][]byte{[]byte("peer")}, header: header{MsgID: "1", MsgType: "execute_request"},
		content: json.RawMessage(`{"code":"1"}`)}
	frames, err := s.encode(req)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.decode(frames)
	if err != nil || m.header.MsgType != "execute_request" || string(m.ids[0]) != "peer" || string(m.content) != `{"code":"1"}` {
		t.Fatalf("decode(encode(m)) = %+v, %v", m, err)
	}
	// HMAC-SHA256 of "abc" with key "key", from RFC 4231's construction
	// computed independently (openssl dgst -sha256 -hmac key).
	if got := string(signer{key: []byte("key")}.sign([]byte("a"), []byte("bc"))); got != "9c196e32dc0175f86f4b1cb89289d6619de6bee699e4c378e68309ed97a1a6ab" {
		t.Errorf("sign = %s", got)
	}
	for i := 2; i < 7; i++ { // the signature, then each signed frame
		bad := append([][]byte{}, frames...)
		bad[i] = append([]byte("x"), bad[i]...)
		if _, err := s.decode(bad); err != errSignature {
			t.Errorf("frame %d tampered: decode gave %v, want a bad signature", i, err)
		}
	}
	if _, err := (signer{key: []byte("other")}).decode(frames); err != errSignature {
		t.Errorf("another key: %v, want a bad signature", err)
	}
}

func TestCellStatus(t *testing.T) {
	for code, want := range map[string]string{
		"x := 1":                      "complete",
		":vars":                       "complete",
		"x := 1\n:vars\ny := 2":       "complete",
		"type T struct{ A int }\nT{}": "complete",
		"a, b":                        "complete",
		"x := engine.Ones(2,":         "incomplete",
		"for {":                       "incomplete",
		"x := )":                      "invalid",
		"}":                           "invalid",
	} {
		if got := cellStatus(code); got != want {
			t.Errorf("cellStatus(%q) = %s, want %s", code, got, want)
		}
	}
}

func TestHistoryGlob(t *testing.T) {
	for _, c := range []struct {
		pattern, input string
		want           bool
	}{{"6 *", "6 * 7", true}, {"6 *", "x := 6 * 7", false}, {"*Plot*", "inspect.Plot(x)\ny", true}, {"a?c", "abc", true}, {"a.c", "abc", false}} {
		if got := glob(c.pattern).MatchString(c.input); got != c.want {
			t.Errorf("glob(%q) on %q = %v", c.pattern, c.input, got)
		}
	}
}

// TestErrorParts: a notebook's traceback has the line of the cell and,
// for a panic inside a function of the user's, that function's line.
func TestErrorParts(t *testing.T) {
	name, value, tb := errorParts(&repl.Error{Msg: "MatMul: bad", Where: "line 3: y := m.Forward(x)", At: "line 2 of Forward: h := x.MatMul(w)"})
	want := []string{"error: MatMul: bad", "  in: line 3: y := m.Forward(x)", "  at: line 2 of Forward: h := x.MatMul(w)"}
	if name != "error" || value != "MatMul: bad" || strings.Join(tb, "\n") != strings.Join(want, "\n") {
		t.Errorf("errorParts: %q %q %q", name, value, tb)
	}
}
