package main

import "github.com/dbr-go/dbr/engine"

func main() {
	y := engine.Ones(2)
	z := y.Relu()
	_ = z
}
