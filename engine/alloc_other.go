//go:build !linux

package engine

func physicalMemory() uint64 { return 0 }
