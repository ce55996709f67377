package nn

import (
	"fmt"
	"math"

	"github.com/dbr-go/dbr/engine"
)

// AdaptiveAvgPool2d and Upsample resample each image plane with one matrix
// per axis: out = Mh·x·Mwᵀ, Mh [OH, H] and Mw [OW, W]. Each of their
// operations is separable (a rectangle average, a nearest pick, a bilinear
// blend are products of one rule along the height and one along the width),
// so two batched matrix products do the work, and their gradient is
// MatMul's.

// resample returns Mh·x·Mwᵀ for x [N, C, H, W].
func resample(x *engine.Tensor, mh, mw [][]float64) *engine.Tensor {
	return matrix(mh, x.DType()).MatMul(x).MatMul(matrix(mw, x.DType()).T())
}

// matrix returns rows as a [len(rows), len(rows[0])] tensor of dtype dt.
func matrix(rows [][]float64, dt engine.DType) *engine.Tensor {
	flat := make([]float64, 0, len(rows)*len(rows[0]))
	for _, r := range rows {
		flat = append(flat, r...)
	}
	return engine.New64(flat, len(rows), len(rows[0])).To(dt)
}

func zerosRows(out, in int) [][]float64 {
	m := make([][]float64, out)
	for i := range m {
		m[i] = make([]float64, in)
	}
	return m
}

// AdaptiveAvgPool2d averages NCHW input down to OutputSize (OH, OW)
// whatever the input's size, as torch.nn.AdaptiveAvgPool2d: output row i
// averages input rows ⌊i·H/OH⌋ to ⌈(i+1)·H/OH⌉ (exclusive), and columns
// likewise. A size of 0 keeps the input's (PyTorch's None).
type AdaptiveAvgPool2d struct{ OutputSize [2]int }

// NewAdaptiveAvgPool2d returns an AdaptiveAvgPool2d layer with output oh×ow.
// It panics with an *engine.Error when a size is negative.
func NewAdaptiveAvgPool2d(oh, ow int) *AdaptiveAvgPool2d {
	if oh < 0 || ow < 0 {
		errorf("NewAdaptiveAvgPool2d", "output sizes must be positive (0 keeps the input's), got %dx%d", oh, ow)
	}
	return &AdaptiveAvgPool2d{OutputSize: [2]int{oh, ow}}
}

// Forward pools x of shape [N, C, H, W] to [N, C, OH, OW].
// It panics with a *engine.ShapeError when x is not 4-d.
func (a *AdaptiveAvgPool2d) Forward(x *engine.Tensor) *engine.Tensor {
	if x.Dims() != 4 {
		hint := ""
		if x.Dims() == 3 {
			hint = "for one image use x.Unsqueeze(0)"
		}
		shapeError("AdaptiveAvgPool2d", fmt.Sprintf("expected input [N, C, H, W], got a %d-d input", x.Dims()), hint, x.Shape())
	}
	h, w := x.Size(2), x.Size(3)
	oh, ow := a.OutputSize[0], a.OutputSize[1]
	if oh == 0 {
		oh = h
	}
	if ow == 0 {
		ow = w
	}
	return resample(x, adaptiveRows(oh, h), adaptiveRows(ow, w))
}

func adaptiveRows(out, in int) [][]float64 {
	m := zerosRows(out, in)
	for i := range m {
		lo, hi := i*in/out, ((i+1)*in+out-1)/out
		for j := lo; j < hi; j++ {
			m[i][j] = 1 / float64(hi-lo)
		}
	}
	return m
}

// Params returns nil: AdaptiveAvgPool2d has no parameters.
func (*AdaptiveAvgPool2d) Params() []Param { return nil }
func (a *AdaptiveAvgPool2d) String() string {
	return fmt.Sprintf("AdaptiveAvgPool2d(output_size=(%d, %d))", a.OutputSize[0], a.OutputSize[1])
}

// Upsample resizes NCHW images, as torch.nn.Upsample: to Size (OH, OW), or
// by ScaleFactor (per dim: the output is ⌊H·factor⌋), with Mode "nearest"
// (the default) or "bilinear". AlignCorners (bilinear only) maps the corner
// pixels onto each other, as PyTorch's align_corners=True; without it,
// PyTorch's default, pixels are squares whose centres are mapped.
type Upsample struct {
	Size         [2]int
	ScaleFactor  [2]float64
	Mode         string
	AlignCorners bool
}

// NewUpsample returns an Upsample layer scaling both dims by scale in mode
// ("nearest" or "bilinear"); set Size instead of ScaleFactor for a fixed
// output size.
// It panics with an *engine.Error for a scale that is not positive or an unknown mode.
func NewUpsample(scale float64, mode string) *Upsample {
	u := &Upsample{ScaleFactor: [2]float64{scale, scale}, Mode: mode}
	if !(scale > 0) {
		errorf("NewUpsample", "scale_factor must be positive, got %g", scale)
	}
	u.mode("NewUpsample")
	return u
}

func (u *Upsample) mode(op string) string {
	switch u.Mode {
	case "", "nearest":
		if u.AlignCorners {
			errorf(op, "align_corners only works with mode \"bilinear\"")
		}
		return "nearest"
	case "bilinear":
		return "bilinear"
	}
	errorf(op, "unknown mode %q (use \"nearest\" or \"bilinear\")", u.Mode)
	return ""
}

// Forward resizes x of shape [N, C, H, W].
// It panics with a *engine.ShapeError when x is not 4-d and with an
// *engine.Error when neither Size nor ScaleFactor is set.
func (u *Upsample) Forward(x *engine.Tensor) *engine.Tensor {
	mode := u.mode("Upsample")
	if x.Dims() != 4 {
		hint := ""
		if x.Dims() == 3 {
			hint = "for one image use x.Unsqueeze(0)"
		}
		shapeError("Upsample", fmt.Sprintf("expected input [N, C, H, W], got a %d-d input", x.Dims()), hint, x.Shape())
	}
	rows := func(dim int) [][]float64 {
		in := x.Size(dim)
		out, scale := u.Size[dim-2], 0.0 // scale: input pixels per output pixel
		switch {
		case out > 0 && u.ScaleFactor[dim-2] == 0:
			scale = float64(in) / float64(out)
		case out == 0 && u.ScaleFactor[dim-2] > 0:
			out = int(math.Floor(float64(in) * u.ScaleFactor[dim-2]))
			scale = 1 / u.ScaleFactor[dim-2]
		default:
			errorf("Upsample", "set either Size or ScaleFactor (both positive), got Size %v, ScaleFactor %v", u.Size, u.ScaleFactor)
		}
		if out <= 0 {
			shapeError("Upsample", fmt.Sprintf("the output size along dim %d would be %d", dim, out), "", x.Shape())
		}
		m := zerosRows(out, in)
		for i := range m {
			if mode == "nearest" {
				m[i][min(int(math.Floor(float64(i)*scale)), in-1)] = 1
				continue
			}
			var src float64
			if u.AlignCorners {
				if out > 1 {
					src = float64(i) * float64(in-1) / float64(out-1)
				}
			} else {
				src = max((float64(i)+0.5)*scale-0.5, 0)
			}
			i0 := min(int(math.Floor(src)), in-1)
			i1 := min(i0+1, in-1)
			l1 := src - float64(i0)
			m[i][i0] += 1 - l1
			m[i][i1] += l1
		}
		return m
	}
	return resample(x, rows(2), rows(3))
}

// Params returns nil: Upsample has no parameters.
func (*Upsample) Params() []Param { return nil }
func (u *Upsample) String() string {
	mode := u.Mode
	if mode == "" {
		mode = "nearest"
	}
	if u.Size != [2]int{} {
		return fmt.Sprintf("Upsample(size=(%d, %d), mode=%s)", u.Size[0], u.Size[1], mode)
	}
	return fmt.Sprintf("Upsample(scale_factor=(%g, %g), mode=%s)", u.ScaleFactor[0], u.ScaleFactor[1], mode)
}
