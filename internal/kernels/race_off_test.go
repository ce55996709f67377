//go:build !race

package kernels

// raceBuild is true when the tests run under the race detector.
const raceBuild = false
