package engine

var _ = addOps("core", matmulOps)

// matmulOps are the op table's rows for MatMul.
func matmulOps() []opSpec {
	Seed(23)
	return []opSpec{
		{name: "MatMul/2d", torch: true, f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }},
		{name: "MatMul/1d1d", torch: true, f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }},
		{name: "MatMul/1d2d", torch: true, f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }},
		{name: "MatMul/2d1d", torch: true, f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }},
		{name: "MatMul/batch-broadcast", torch: true, f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }},
		{name: "MatMul/large-batch", torch: true, f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }},
		{name: "MatMul/2d", f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }, inputs: []*Tensor{Randn(3, 4), Randn(4, 2)}},
		{name: "MatMul/batch", f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }, inputs: []*Tensor{Randn(2, 3, 4), Randn(2, 4, 5)}},
		{name: "MatMul/broadcast", f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }, inputs: []*Tensor{Randn(2, 1, 3, 4), Randn(3, 4, 2)}},
		{name: "MatMul/vec", f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }, inputs: []*Tensor{Randn(4), Randn(2, 4, 3)}},
		{name: "twice/MatMul", f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[0].T()) }, inputs: []*Tensor{Randn(3, 2)}},
		{name: "MatMul/big", f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }, inputs: []*Tensor{Randn(64, 80), Randn(80, 70)}},
		{name: "MatMul/big-batch", f: func(x []*Tensor) *Tensor { return x[0].MatMul(x[1]) }, inputs: []*Tensor{Randn(3, 1, 40, 50), Randn(2, 50, 60)}},
	}
}
