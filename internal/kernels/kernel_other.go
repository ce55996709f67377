//go:build !amd64

package kernels

// archPaths: no assembly outside amd64.
func archPaths() []path { return nil }
