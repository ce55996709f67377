package main

import "github.com/dbr-go/dbr/engine"

func main() {
	x := engine.Randn(2, 3)
	y := x.Transpose()
	_ = y
}
