package engine

import "testing"

var _ = addOps("einsum", einsumOps)

// einsumOps are the op table's rows for Einsum (see runOps).
func einsumOps() []opSpec {
	Seed(16)
	e := func(eq string) func([]*Tensor) *Tensor {
		return func(x []*Tensor) *Tensor { return Einsum(eq, x[0], x[1]) }
	}
	var rows []opSpec
	for _, eq := range []string{"bij,bjk->bik", "bhqd,bhkd->bhqk", "i,j->ij", "bi,bi->b", "ij,kj", "bj,oij->boi", "bik,kj->jb", "i,i->"} {
		rows = append(rows, opSpec{name: "Einsum/" + eq, torch: true, f: e(eq)})
	}
	return append(rows,
		opSpec{name: "Einsum/bilinear", f: func(x []*Tensor) *Tensor {
			return Einsum("bi,boi->bo", x[0], Einsum("bj,oij->boi", x[2], x[1]))
		}, inputs: []*Tensor{Randn(3, 4), Randn(2, 4, 5), Randn(3, 5)}},
		opSpec{name: "Einsum/twice", f: func(x []*Tensor) *Tensor { return Einsum("ij,ij->i", x[0], x[0].Tanh()) }, inputs: []*Tensor{Randn(3, 4)}},
	)
}

func TestEinsumErrors(t *testing.T) {
	a, b := Randn(2, 3), Randn(4, 5)
	checkErrors(t, []errorCase{
		{"sizes", func() { Einsum("ij,jk->ik", a, b) }, []string{"Einsum", "[2 3]", "[4 5]", "letter j has size 3 in one operand and 4"}},
		{"letters", func() { Einsum("ijk,jk->i", a, b) }, []string{"Einsum", "operand 0 has 3 letters", "2 dims"}},
		{"three", func() { Einsum("i,j,k->ijk", a, b) }, []string{"Einsum", "3 operands", "takes 2"}},
		{"diagonal", func() { Einsum("ii,jk->ijk", Randn(2, 2), b) }, []string{"Einsum", "appears twice", "diagonal"}},
		{"ellipsis", func() { Einsum("...j,jk->k", a, Randn(3, 5)) }, []string{"Einsum", "not a letter"}},
		{"output", func() { Einsum("ij,jk->iz", a, Randn(3, 5)) }, []string{"Einsum", "output letter z"}},
	})
}
