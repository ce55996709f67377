package engine

import "fmt"

// reduceDims normalizes dims (all dims when empty) and returns a mask of the
// reduced dims, the kept-dim output shape, and the output shape without them.
func reduceDims(op string, shape []int, dims []int) (mask []bool, keepShape, outShape []int) {
	mask = make([]bool, len(shape))
	if len(dims) == 0 {
		for i := range mask {
			mask[i] = true
		}
	}
	for _, d := range dims {
		nd := normDim(op, d, len(shape), shape)
		if mask[nd] {
			shapeErr(op, fmt.Sprintf("dim %d is given twice", d), "", shape)
		}
		mask[nd] = true
	}
	for i, s := range shape {
		if mask[i] {
			keepShape = append(keepShape, 1)
		} else {
			keepShape = append(keepShape, s)
			outShape = append(outShape, s)
		}
	}
	if keepShape == nil {
		keepShape = []int{}
	}
	if outShape == nil {
		outShape = []int{}
	}
	return mask, keepShape, outShape
}

// sumKeep sums t over the masked dims into keepShape, without autograd.
func sumKeep(t *Tensor, keepShape []int) *Tensor {
	return sumTo(t, keepShape)
}

// Sum returns the sum over dims (over all elements when no dim is given);
// the reduced dims are removed. SumKeep keeps them with size 1.
func (t *Tensor) Sum(dims ...int) *Tensor { return t.sum("Sum", dims, false) }

// SumKeep is Sum keeping the reduced dims with size 1 (keepdim=True).
func (t *Tensor) SumKeep(dims ...int) *Tensor { return t.sum("Sum", dims, true) }

func (t *Tensor) sum(op string, dims []int, keep bool) *Tensor {
	_, keepShape, outShape := reduceDims(op, t.shape, dims)
	out := sumKeep(t, keepShape)
	if out == t {
		out = t.clone()
	}
	if !keep {
		out.shape = outShape
	}
	// ∂t = g broadcast back over the reduced dims
	return record(op, out, func(g *Tensor) []*Tensor {
		return []*Tensor{g.Reshape(keepShape...).Add(ZerosLike(t))}
	}, t)
}
