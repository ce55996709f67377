package nn

import "math"

func nan() float64 { return math.NaN() }

func mathSqrt(v float64) float64 { return math.Sqrt(v) }
