//go:build !netlib

package engine

import (
	"errors"
	"testing"
)

// TestGemmChecksInterrupt checks that a large float32 product stops with
// ErrInterrupted between blocks (engine.Linear calls the GEMM with no check
// of its own), including when the product is split over goroutines.
func TestGemmChecksInterrupt(t *testing.T) {
	x, w := Randn(300, 300), Randn(300, 300)
	Interrupt()
	defer ClearInterrupt()
	err := Try(func() { Linear(x, w, nil) })
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("got %v, want ErrInterrupted", err)
	}
	ClearInterrupt()
	if err := Try(func() { Linear(x, w, nil) }); err != nil {
		t.Fatalf("after ClearInterrupt: %v", err)
	}
}
