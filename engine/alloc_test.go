package engine

import (
	"errors"
	"strings"
	"testing"
)

func TestAllocTooLarge(t *testing.T) {
	old := maxAllocBytes
	maxAllocBytes = 1 << 20
	defer func() { maxAllocBytes = old }()

	if got := Zeros(256, 1024).Numel(); got != 256*1024 { // exactly 1 MiB of float32
		t.Fatalf("Zeros(256, 1024).Numel() = %d", got)
	}
	for _, c := range []struct {
		name string
		f    func()
		want string
	}{
		{"Zeros", func() { Zeros(1000, 1000) }, "Zeros: shape [1000 1000] (float32) needs"},
		{"Randn", func() { Randn(1000, 1000) }, "Randn: shape [1000 1000]"},
		{"MatMul", func() { Ones(1000, 1).MatMul(Ones(1, 1000)) }, "shape [1000 1000] (float32) needs"},
		{"overflow", func() { Zeros(1<<40, 1<<40) }, "has too many elements to allocate"},
	} {
		err := Try(c.f)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an *Error containing %q", c.name, err, c.want)
		}
	}
}
