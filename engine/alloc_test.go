package engine

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

func TestAllocTooLarge(t *testing.T) {
	skip32(t)
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
		{"overflow", func() { Zeros(wide(1<<40), wide(1<<40)) }, "has too many elements to allocate"},
	} {
		err := Try(c.f)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an *Error containing %q", c.name, err, c.want)
		}
	}
}

// Every way a shape is built rejects a product that overflows an int (it
// would otherwise wrap to a small number of elements) and more than 64 dims.
func TestShapeValidated(t *testing.T) {
	skip32(t)
	dims65 := make([]int, 65)
	for i := range dims65 {
		dims65[i] = 1
	}
	for _, c := range []struct {
		name string
		f    func()
		want string
	}{
		{"Reshape overflow", func() { Ones(1).Reshape(7, wide(0x6DB6DB6DB6DB6DB7)) }, "Reshape: shape [7 7905747460161236407] has too many elements"},
		{"Reshape infer overflow", func() { Ones(1).Reshape(-1, wide(1<<32), wide(1<<32)) }, "has too many elements"},
		{"Zeros overflow", func() { Zeros(7, wide(0x6DB6DB6DB6DB6DB7)) }, "Zeros: shape [7 7905747460161236407] has too many elements"},
		{"New overflow", func() { New([]float32{1}, 7, wide(0x6DB6DB6DB6DB6DB7)) }, "New: shape [7 7905747460161236407] has too many elements"},
		{"Reshape 65 dims", func() { Ones(1).Reshape(dims65...) }, "Reshape: a shape of 65 dims; a tensor has at most 64 dims"},
		{"Ones 65 dims", func() { Ones(dims65...) }, "Ones: a shape of 65 dims"},
		{"Unsqueeze to 65 dims", func() { Ones(dims65[:64]...).Unsqueeze(0) }, "a shape of 65 dims"},
		{"Expand overflow", func() { Ones(1, 1).Expand(wide(1<<40), wide(1<<40)) }, "too many elements"},
		{"Arange", func() { Arange(0, 1e300) }, "Arange(0, 1e+300, 1) would hold 1e+300 values"},
		{"RandPerm", func() { RandPerm(wide(1 << 62)) }, "RandPerm: 4611686018427387904 values of 8 bytes need"},
	} {
		err := Try(c.f)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an *Error containing %q", c.name, err, c.want)
		}
	}
	// The limits themselves are fine: 64 dims, and zero elements whatever the other sizes.
	if n := Ones(dims65[:64]...).Dims(); n != 64 {
		t.Errorf("Ones of 64 dims has %d dims", n)
	}
	if n := Zeros(0, wide(1<<62), wide(1<<62)).Numel(); n != 0 {
		t.Errorf("Zeros(0, 1<<62, 1<<62).Numel() = %d", n)
	}
	if got := Zeros(6, 0).Reshape(3, 0, 5).Shape(); len(got) != 3 {
		t.Errorf("Reshape of an empty tensor: %v", got)
	}
}

func TestCheckMemory(t *testing.T) {
	skip32(t)
	old := maxAllocBytes
	maxAllocBytes = 1 << 20
	defer func() { maxAllocBytes = old }()
	if err := CheckMemory("x", 1<<18, 4); err != nil {
		t.Errorf("exactly 1 MiB: %v", err)
	}
	if err := CheckMemory("Load", 1<<18+1, 4); err == nil || err.Error() != "Load: 262145 values of 4 bytes need 1048580 bytes, more than this machine's memory (1048576 bytes)" {
		t.Errorf("one value more: %v", err)
	}
	if err := CheckMemory("Load", wide(1<<62), 8); err == nil || !strings.Contains(err.Error(), "need more than 16 EiB") {
		t.Errorf("overflow: %v", err)
	}
	if err := Try(func() { RandPerm(1 << 18) }); err == nil || !strings.Contains(err.Error(), "RandPerm: 262144 values of 8 bytes need 2097152 bytes") {
		t.Errorf("RandPerm(1<<18) with 1 MiB: %v", err)
	}
}

// TestMakeUninit checks the memory makeUninit hands out (runtime.mallocgc
// by linkname, or make under -tags dbr_safealloc): the requested length,
// writable, and kept alive by the slice through garbage collections while
// other memory is allocated and freed.
func TestMakeUninit(t *testing.T) {
	a, b := makeUninit[float32](1<<20+3), makeUninit[float64](70001)
	if len(a) != 1<<20+3 || cap(a) != len(a) || len(b) != 70001 || cap(b) != len(b) {
		t.Fatalf("lengths %d (cap %d) and %d (cap %d)", len(a), cap(a), len(b), cap(b))
	}
	for i := range a {
		a[i] = float32(i)
	}
	for i := range b {
		b[i] = -float64(i)
	}
	for range 3 {
		junk := make([][]byte, 64)
		for i := range junk {
			junk[i] = make([]byte, 1<<16)
			junk[i][0] = 0xff
		}
		runtime.GC()
	}
	for i, v := range a {
		if v != float32(i) {
			t.Fatalf("float32 element %d changed to %v", i, v)
		}
	}
	for i, v := range b {
		if v != -float64(i) {
			t.Fatalf("float64 element %d changed to %v", i, v)
		}
	}
}
