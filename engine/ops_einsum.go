package engine

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Einsum evaluates a two-operand Einstein summation, as torch.einsum(eq, a,
// b): "bij,bjk->bik" (batched MatMul), "bhqd,bhkd->bhqk" (attention
// scores), "i,j->ij" (outer product), "bi,bi->b"; a bilinear form
// (torch's "bi,oij,bj->bo") is two of them: Einsum("bj,oij->boi", x2, w),
// then Einsum("bi,boi->bo", x1, that). Each letter names a dim; a letter in both
// operands but not in the output is summed over; a letter in one operand only
// and not in the output is summed first. Without "->" the output holds the
// letters that appear once, in alphabetical order, as in PyTorch. It is
// built from Permute, Reshape, Sum and one batched MatMul, so its gradient is
// theirs.
// It panics with a *ShapeError when a letter's sizes differ or the equation
// does not fit the operands (a letter repeated in one operand, "...", or a
// wrong number of letters are not supported).
func Einsum(eq string, a, b *Tensor) *Tensor {
	needTensors("Einsum", []string{"a", "b"}, a, b)
	fail := func(reason, hint string) {
		panic(&ShapeError{Op: "Einsum", Shapes: [][]int{a.Shape(), b.Shape()}, Reason: fmt.Sprintf("%q: %s", eq, reason), Hint: hint})
	}
	spec := strings.ReplaceAll(eq, " ", "")
	lhs, out, explicit := strings.Cut(spec, "->")
	ops := strings.Split(lhs, ",")
	if len(ops) != 2 {
		fail(fmt.Sprintf("%d operands in the equation, Einsum takes 2", len(ops)), "")
	}
	size := map[rune]int{}
	count := map[rune]int{}
	for k, t := range []*Tensor{a, b} {
		labels := []rune(ops[k])
		for _, l := range labels {
			if !('a' <= l && l <= 'z' || 'A' <= l && l <= 'Z') {
				fail(fmt.Sprintf("%q is not a letter", l), "only letters name dims (no \"...\")")
			}
		}
		if len(labels) != len(t.shape) {
			fail(fmt.Sprintf("operand %d has %d letters %q but %d dims", k, len(labels), ops[k], len(t.shape)), "give one letter per dim")
		}
		for i, l := range labels {
			if strings.Count(ops[k], string(l)) > 1 {
				fail(fmt.Sprintf("letter %c appears twice in operand %d", l, k), "a diagonal (repeated letter) is not supported")
			}
			if s, ok := size[l]; ok && s != t.shape[i] {
				fail(fmt.Sprintf("letter %c has size %d in one operand and %d in the other", l, s, t.shape[i]), "")
			}
			size[l] = t.shape[i]
			count[l]++
		}
	}
	if !explicit {
		var once []rune
		for l, c := range count {
			if c == 1 {
				once = append(once, l)
			}
		}
		sort.Slice(once, func(i, j int) bool { return once[i] < once[j] })
		out = string(once)
	}
	for _, l := range out {
		if _, ok := size[l]; !ok || strings.Count(out, string(l)) > 1 {
			fail(fmt.Sprintf("output letter %c is in no operand or appears twice", l), "")
		}
	}
	in := func(s string, l rune) bool { return strings.ContainsRune(s, l) }
	// letters of one operand only and not in the output are summed first
	reduce := func(t *Tensor, s, other string) (*Tensor, string) {
		var dims []int
		kept := ""
		for i, l := range s {
			if !in(other, l) && !in(out, l) {
				dims = append(dims, i)
			} else {
				kept += string(l)
			}
		}
		if len(dims) > 0 {
			t = t.Sum(dims...)
		}
		return t, kept
	}
	a2, sa := reduce(a, ops[0], ops[1])
	b2, sb := reduce(b, ops[1], ops[0])
	var batch, contract, am, bn string
	for _, l := range sa {
		switch {
		case in(sb, l) && in(out, l):
			batch += string(l)
		case in(sb, l):
			contract += string(l)
		default:
			am += string(l)
		}
	}
	for _, l := range sb {
		if !in(sa, l) {
			bn += string(l)
		}
	}
	prod := func(s string) int {
		n := 1
		for _, l := range s {
			n *= size[l]
		}
		return n
	}
	arrange := func(t *Tensor, s, order string, rows, cols string) *Tensor {
		perm := make([]int, 0, len(order))
		for _, l := range order {
			perm = append(perm, strings.IndexRune(s, l))
		}
		if !slices.Equal(perm, identity(len(perm))) {
			t = t.Permute(perm...)
		}
		return t.Reshape(prod(batch), prod(rows), prod(cols))
	}
	x := arrange(a2, sa, batch+am+contract, am, contract)
	y := arrange(b2, sb, batch+contract+bn, contract, bn)
	r := x.MatMul(y) // [batch, am, bn]
	have := batch + am + bn
	var shape []int
	for _, l := range have {
		shape = append(shape, size[l])
	}
	r = r.Reshape(shape...)
	perm := make([]int, 0, len(out))
	for _, l := range out {
		perm = append(perm, strings.IndexRune(have, l))
	}
	if !slices.Equal(perm, identity(len(perm))) {
		r = r.Permute(perm...)
	}
	return r
}

func identity(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}
