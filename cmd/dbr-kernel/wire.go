package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The wire format of a Jupyter message (messaging protocol 5.3): the ZeroMQ
// routing identities, the delimiter, the HMAC-SHA256 signature of the next
// four frames, then header, parent header, metadata and content as JSON,
// then optional binary buffers.

const protocolVersion = "5.3"

var delimiter = []byte("<IDS|MSG>")

type header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// A message is one Jupyter message as received or to be sent.
type message struct {
	ids      [][]byte // routing identities (shell, control and stdin)
	header   header
	parent   json.RawMessage // the header of the request this answers
	metadata json.RawMessage
	content  json.RawMessage
	buffers  [][]byte
}

var errSignature = errors.New("bad signature")

// signer signs and checks messages with the connection's key (no signing
// when the key is empty, as the protocol says).
type signer struct{ key []byte }

func (s signer) sign(parts ...[]byte) []byte {
	if len(s.key) == 0 {
		return nil
	}
	mac := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		mac.Write(p)
	}
	sum := mac.Sum(nil)
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum)
	return out
}

// decode parses the frames of a received message and checks its signature.
func (s signer) decode(frames [][]byte) (*message, error) {
	i := 0
	for i < len(frames) && !bytes.Equal(frames[i], delimiter) {
		i++
	}
	if len(frames) < i+6 {
		return nil, fmt.Errorf("malformed message: %d frames, delimiter at %d", len(frames), i)
	}
	sig, h, p, md, c := frames[i+1], frames[i+2], frames[i+3], frames[i+4], frames[i+5]
	if len(s.key) > 0 && !hmac.Equal(sig, s.sign(h, p, md, c)) {
		return nil, errSignature
	}
	m := &message{ids: frames[:i], parent: p, metadata: md, content: c, buffers: frames[i+6:]}
	if err := json.Unmarshal(h, &m.header); err != nil {
		return nil, fmt.Errorf("malformed header: %v", err)
	}
	return m, nil
}

// encode returns the frames of m, signed.
func (s signer) encode(m *message) ([][]byte, error) {
	h, err := json.Marshal(m.header)
	if err != nil {
		return nil, err
	}
	parent, md, content := m.parent, m.metadata, m.content
	if len(parent) == 0 {
		parent = json.RawMessage("{}")
	}
	if len(md) == 0 {
		md = json.RawMessage("{}")
	}
	if len(content) == 0 {
		content = json.RawMessage("{}")
	}
	frames := append([][]byte{}, m.ids...)
	frames = append(frames, delimiter, s.sign(h, parent, md, content), h, parent, md, content)
	return append(frames, m.buffers...), nil
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// reply makes a message of type msgType answering req (same session,
// req's header as parent), with content c marshalled to JSON.
func reply(req *message, msgType string, c any) (*message, error) {
	content, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	parent, err := json.Marshal(req.header)
	if err != nil {
		return nil, err
	}
	return &message{
		header: header{
			MsgID: newID(), Session: req.header.Session, Username: "dbr", MsgType: msgType,
			Date: time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"), Version: protocolVersion,
		},
		parent:  parent,
		content: content,
	}, nil
}
