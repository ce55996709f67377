package inspect

import (
	"fmt"
	"math"
	"strings"

	"github.com/dbr-go/dbr/engine"
	"gonum.org/v1/gonum/stat"
)

// TensorStats summarizes the values of one tensor. Min, Max, Mean and Std
// are taken over the finite values only (NaN and ±Inf are counted apart);
// Std is the unbiased standard deviation, as torch.std. They are NaN when
// the tensor has no finite value.
type TensorStats struct {
	Name      string
	Shape     []int
	DType     engine.DType
	Numel     int
	Min, Max  float64
	Mean, Std float64
	Zeros     int // exact zeros
	NaN       int
	Inf       int // +Inf and -Inf
}

// StatsTable is one row of statistics per tensor; String prints it aligned.
type StatsTable struct {
	Rows []TensorStats
}

// Compute returns the statistics of t's values, labelled name.
func Compute(name string, t *engine.Tensor) TensorStats {
	needTensor("Compute", "tensor "+name, t)
	s := TensorStats{Name: name, Shape: t.Shape(), DType: t.DType(), Numel: t.Numel()}
	vals := t.Float64s()
	finite := vals[:0]
	for _, v := range vals {
		switch {
		case math.IsNaN(v):
			s.NaN++
		case math.IsInf(v, 0):
			s.Inf++
		default:
			if v == 0 {
				s.Zeros++
			}
			finite = append(finite, v)
		}
	}
	s.Min, s.Max, s.Mean, s.Std = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	if len(finite) > 0 {
		s.Min, s.Max = finite[0], finite[0]
		for _, v := range finite {
			s.Min = math.Min(s.Min, v)
			s.Max = math.Max(s.Max, v)
		}
		s.Mean = stat.Mean(finite, nil)
		if len(finite) > 1 {
			s.Std = stat.StdDev(finite, nil)
		}
	}
	return s
}

// Stats returns one line of statistics about t: shape, dtype, min, max,
// mean, std, and how many values are exactly zero, NaN or infinite.
//
//	fmt.Println(inspect.Stats(x))
func Stats(t *engine.Tensor) *StatsTable {
	needTensor("Stats", "the tensor", t)
	return &StatsTable{Rows: []TensorStats{Compute(tensorLabel(t, "tensor"), t)}}
}

// StatsOf is Stats for a list of tensors, one line each. A tensor without a
// name is labelled by its position, [0], [1], ….
func StatsOf(ts []*engine.Tensor) *StatsTable {
	st := &StatsTable{}
	for i, t := range ts {
		needTensor("StatsOf", fmt.Sprintf("tensor [%d]", i), t)
		st.Rows = append(st.Rows, Compute(tensorLabel(t, fmt.Sprintf("[%d]", i)), t))
	}
	return st
}

func (s *StatsTable) String() string {
	tb := newTable("name", "shape", "dtype", "min", "max", "mean", "std", "zeros", "NaN", "Inf").alignRight(3, 4, 5, 6, 7, 8, 9)
	for _, r := range s.Rows {
		tb.add(r.Name, shapeStr(r.Shape), r.DType.String(), num(r.Min), num(r.Max), num(r.Mean), num(r.Std),
			fmt.Sprint(r.Zeros), fmt.Sprint(r.NaN), fmt.Sprint(r.Inf))
	}
	return tb.String()
}

// brief is a one-line summary of a tensor for error messages.
func (r TensorStats) brief() string {
	var b strings.Builder
	if r.NaN+r.Inf == r.Numel && r.Numel > 0 {
		fmt.Fprintf(&b, "%v no finite value", r.Shape)
	} else {
		fmt.Fprintf(&b, "%v min %s max %s mean %s", r.Shape, num(r.Min), num(r.Max), num(r.Mean))
	}
	if r.NaN > 0 {
		fmt.Fprintf(&b, ", %d NaN", r.NaN)
	}
	if r.Inf > 0 {
		fmt.Fprintf(&b, ", %d Inf", r.Inf)
	}
	return b.String()
}
