package inspect

import (
	"math"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

func TestComputeStats(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	x := engine.New64([]float64{1, 0, -3, nan, inf, 0, 4, -inf}, 2, 4)
	s := Compute("x", x)
	// Finite values: 1 0 -3 0 4 → mean 0.4, unbiased std sqrt(((0.6)²+(0.4)²+(3.4)²+(0.4)²+(3.6)²)/4) = sqrt(25.2/4).
	if s.Min != -3 || s.Max != 4 || math.Abs(s.Mean-0.4) > 1e-12 || math.Abs(s.Std-math.Sqrt(6.3)) > 1e-12 {
		t.Errorf("min/max/mean/std = %v %v %v %v, want -3 4 0.4 %v", s.Min, s.Max, s.Mean, s.Std, math.Sqrt(6.3))
	}
	if s.Zeros != 2 || s.NaN != 1 || s.Inf != 2 || s.Numel != 8 {
		t.Errorf("zeros/NaN/Inf/numel = %d %d %d %d, want 2 1 2 8", s.Zeros, s.NaN, s.Inf, s.Numel)
	}
	if s.DType != engine.Float64 || shapeStr(s.Shape) != "[2 4]" {
		t.Errorf("dtype %v shape %v", s.DType, s.Shape)
	}
	all := Compute("bad", engine.New64([]float64{nan, inf}, 2))
	if !math.IsNaN(all.Min) || !math.IsNaN(all.Mean) || all.NaN != 1 || all.Inf != 1 {
		t.Errorf("all non-finite: %+v", all)
	}
}

func TestStatsOfGolden(t *testing.T) {
	a := engine.New([]float32{1, 2, 3, 4, 5, 6}, 2, 3).SetName("w")
	b := engine.New64([]float64{0, 0, math.NaN(), -1}, 4)
	c := engine.Scalar(2.5)
	golden(t, "stats_of", StatsOf([]*engine.Tensor{a, b, c}).String())
}
