//go:build !amd64

package main

func fmaLoops() []fmaLoop { return nil }
