package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Broadcasting lives here and nowhere else: broadcastShape gives the shape
// operands broadcast to (NumPy's rules; broadcastDims without the error, for
// MatMul's batch dims), stridesFor maps an operand into that
// shape (stride 0 along broadcast dims), and sumTo is the backward of a
// broadcast: it sums a gradient back to the operand's shape.

// broadcastShape returns the shape that shapes broadcast to.
// It panics with a *ShapeError naming op and every shape when they do not
// broadcast.
func broadcastShape(op string, shapes ...[]int) []int {
	out, bad := broadcastDims(shapes...)
	if bad < 0 {
		return out
	}
	sizes := make([]string, len(shapes))
	for i, s := range shapes {
		sizes[i] = strconv.Itoa(dimFromEnd(s, bad))
	}
	list, hint := strings.Join(sizes, ", "), "sizes must match or be 1, counting dims from the right"
	if len(shapes) == 2 {
		list, hint = sizes[0]+" and "+sizes[1], "sizes must match or one of them must be 1, counting dims from the right"
	}
	shapeErr(op, fmt.Sprintf("sizes %s at dim %d do not broadcast", list, -bad-1), hint, shapes...)
	return nil
}

// broadcastDims returns the broadcast shape of shapes (NumPy's rules) and
// -1, or, when they do not broadcast, nil and the first dim from the right
// (0 for the last) where they differ. When all shapes are equal it returns
// the first one itself, not a copy (most ops' operands have one shape): the
// caller must not change the result.
func broadcastDims(shapes ...[]int) (out []int, bad int) {
	if equalShapes(shapes) {
		return shapes[0], -1
	}
	n := 0
	for _, s := range shapes {
		n = max(n, len(s))
	}
	out = make([]int, n)
	for k := 0; k < n; k++ {
		size := 1
		for _, s := range shapes {
			switch d := dimFromEnd(s, k); {
			case d == 1:
			case size == 1:
				size = d
			case d != size:
				return nil, k
			}
		}
		out[n-1-k] = size
	}
	return out, -1
}

func equalShapes(shapes [][]int) bool {
	for _, s := range shapes[1:] {
		if !slices.Equal(s, shapes[0]) {
			return false
		}
	}
	return true
}

// dimFromEnd returns shape's size k dims from the end of an n-d broadcast, or 1.
func dimFromEnd(shape []int, k int) int {
	if k < len(shape) {
		return shape[len(shape)-1-k]
	}
	return 1
}

// stridesFor returns shape's row-major strides aligned to the broadcast shape
// out, with 0 for dims that are broadcast.
func stridesFor(shape, out []int) []int {
	st := make([]int, len(out))
	s := 1
	for i := len(out) - 1; i >= 0; i-- {
		k := len(out) - 1 - i
		d := dimFromEnd(shape, k)
		if d != 1 || out[i] == 1 {
			st[i] = s
		}
		if k < len(shape) {
			s *= d
		}
	}
	return st
}

// walk calls f(i, o1, o2) for every flat index i of shape, in row-major order,
// where o1 and o2 are the offsets given by strides s1 and s2.
func walk(shape, s1, s2 []int, f func(i, o1, o2 int)) {
	l1, l2 := 0, 0 // strides along the last dim (none for a 0-d shape)
	if d := len(shape); d > 0 {
		l1, l2 = s1[d-1], s2[d-1]
	}
	walkRows(shape, s1, s2, func(i, o1, o2, n int) {
		for j := 0; j < n; j++ {
			f(i+j, o1+j*l1, o2+j*l2)
		}
	})
}

// sumTo sums g over the dims along which shape was broadcast to g's shape.
func sumTo(g *Tensor, shape []int) *Tensor {
	if slices.Equal(g.shape, shape) {
		return g
	}
	out := empty(g.dtype, shape)
	st := stridesFor(shape, g.shape)
	if g.dtype == Float64 {
		sumRows(out.f64, g.f64, g.shape, st)
	} else {
		sumRows(out.f32, g.f32, g.shape, st)
	}
	return out
}

// sumRows adds src (of shape) into dst at the offsets given by strides st,
// row by row: a row along the last dim either adds elementwise into a row of
// dst (stride 1) or sums into one element (stride 0, accumulated in float64).
// dst may have a wider dtype than src (sums64 adds float32 data into float64).
func sumRows[D, S float](dst []D, src []S, shape, st []int) {
	if len(shape) == 0 {
		dst[0] += D(src[0])
		return
	}
	last := st[len(st)-1]
	rowsChecked(shape, st, st, func(i, o, _, n int) {
		row := src[i : i+n]
		if last == 0 {
			s := 0.0
			for _, v := range row {
				s += float64(v)
			}
			dst[o] += D(s)
			return
		}
		d := dst[o : o+n]
		for j, v := range row {
			d[j] += D(v)
		}
	})
}
