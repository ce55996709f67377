package inspect

// Test models shared by the tests of package inspect.

import (
	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

type mlp struct{ Fc1, Fc2 *nn.Linear }

func (m *mlp) Forward(x *engine.Tensor) *engine.Tensor {
	return m.Fc2.Forward(m.Fc1.Forward(x).ReLU())
}
func (m *mlp) Params() []nn.Param { return nn.Params(nn.Sub("fc1", m.Fc1), nn.Sub("fc2", m.Fc2)) }

// rnnNet uses Cell in a loop, Head only when Classify is set, and Unused
// never.
type rnnNet struct {
	Cell, Head, Unused *nn.Linear
	Steps              int
	Classify           bool
}

func (m *rnnNet) Forward(x *engine.Tensor) *engine.Tensor {
	h := engine.Zeros(x.Size(0), 8)
	for s := 0; s < m.Steps; s++ {
		h = m.Cell.Forward(engine.Cat([]*engine.Tensor{x.Select(1, s), h}, 1)).Tanh()
	}
	if m.Classify {
		return m.Head.Forward(h)
	}
	return h
}
func (m *rnnNet) Params() []nn.Param {
	return nn.Params(nn.Sub("cell", m.Cell), nn.Sub("head", m.Head), nn.Sub("unused", m.Unused))
}

type encDec struct {
	Enc *mlp
	Dec *nn.Linear
}

func (m *encDec) Forward(x *engine.Tensor) *engine.Tensor { return m.Dec.Forward(m.Enc.Forward(x)) }
func (m *encDec) Params() []nn.Param {
	return nn.Params(nn.Sub("enc", m.Enc), nn.Sub("dec", m.Dec))
}

type tied struct{ W *engine.Tensor }

func (m *tied) Forward(x *engine.Tensor) *engine.Tensor { return x.MatMul(m.W).MatMul(m.W.T()) }
func (m *tied) Params() []nn.Param {
	return []nn.Param{{Name: "enc.weight", Tensor: m.W}, {Name: "dec.weight", Tensor: m.W}}
}

type twice struct{ Fc, Res *nn.Linear }

func (m *twice) Forward(x *engine.Tensor) *engine.Tensor {
	h := m.Fc.Forward(m.Fc.Forward(x))
	return h.Add(m.Res.Forward(h).Tanh())
}
func (m *twice) Params() []nn.Param { return nn.Params(nn.Sub("fc", m.Fc), nn.Sub("res", m.Res)) }

// resNet is a residual block (whose Add reads the block's input) followed
// by a ReLU and a head outside it.
type resBlock struct{ L1, L2 *nn.Linear }

func (b *resBlock) Forward(x *engine.Tensor) *engine.Tensor {
	return b.L2.Forward(b.L1.Forward(x).ReLU()).Add(x)
}
func (b *resBlock) Params() []nn.Param { return nn.Params(nn.Sub("l1", b.L1), nn.Sub("l2", b.L2)) }

type resNet struct {
	Block *resBlock
	Head  *nn.Linear
}

func (m *resNet) Forward(x *engine.Tensor) *engine.Tensor {
	return m.Head.Forward(m.Block.Forward(x).ReLU())
}
func (m *resNet) Params() []nn.Param {
	return nn.Params(nn.Sub("block", m.Block), nn.Sub("head", m.Head))
}
