package engine

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	negZero := math.Copysign(0, -1)
	x := New([]float32{1, 2, 3, 4}, 2, 2).SetRequiresGrad(true)
	cases := []struct {
		name string
		t    *Tensor
		want string
	}{
		{"small", New([]float32{1, 2, 3, 4}, 2, 2), "tensor([[1 2] [3 4]], shape=[2 2])"},
		{"grad_fn", x.MatMul(x), "tensor([[7 10] [15 22]], shape=[2 2], grad_fn=MatMul)"},
		{"leaf", x, "tensor([[1 2] [3 4]], shape=[2 2], requires_grad=true)"},
		{"scalar", Scalar(2.5), "tensor(2.5000, shape=[])"},
		{"float64 named", New64([]float64{0.5, -1.25}).SetName("w"), "tensor([0.5000 -1.2500], shape=[2], dtype=float64, name=w)"},
		{"negative zero", New64([]float64{negZero, 1}).To(Float32), "tensor([0 1], shape=[2])"},
		{"negative zero decimals", New64([]float64{negZero, 0.5}).To(Float32), "tensor([0.0000 0.5000], shape=[2])"},
		{"nan inf", New64([]float64{math.NaN(), math.Inf(1), math.Inf(-1), 2}).To(Float32), "tensor([nan inf -inf 2], shape=[4])"},
		{"nan decimals", New([]float32{float32(math.NaN()), 0.25}), "tensor([nan 0.2500], shape=[2])"},
		{"wide range", New([]float32{1e-5, 1}), "tensor([1.0000e-05 1.0000e+00], shape=[2])"},
		{"huge ints", New([]float32{1e9, 1}), "tensor([1.0000e+09 1.0000e+00], shape=[2])"},
		{"empty", Zeros(2, 0), "tensor([[] []], shape=[2 0])"},
		{"3-d one line", Arange(8).Reshape(2, 2, 2), "tensor([[[0 1] [2 3]] [[4 5] [6 7]]], shape=[2 2 2])"},
		{"rows", Arange(24).Reshape(2, 12).MulScalar(100), "" +
			"tensor([[   0  100  200  300  400  500  600  700  800  900 1000 1100]\n" +
			"        [1200 1300 1400 1500 1600 1700 1800 1900 2000 2100 2200 2300]], shape=[2 12])"},
		{"wrapped 1-d", Arange(30).AddScalar(100), "" +
			"tensor([100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117\n" +
			"        118 119 120 121 122 123 124 125 126 127 128 129], shape=[30])"},
		{"elided 2-d", Arange(2000).Reshape(40, 50), "" +
			"tensor([[   0    1    2 ...   47   48   49]\n" +
			"        [  50   51   52 ...   97   98   99]\n" +
			"        [ 100  101  102 ...  147  148  149]\n" +
			"        ...\n" +
			"        [1850 1851 1852 ... 1897 1898 1899]\n" +
			"        [1900 1901 1902 ... 1947 1948 1949]\n" +
			"        [1950 1951 1952 ... 1997 1998 1999]], shape=[40 50])"},
		{"elided 3-d", Arange(2400).Reshape(2, 3, 400).SubScalar(1200), "" +
			"tensor([[[-1200 -1199 -1198 ...  -803  -802  -801]\n" +
			"         [ -800  -799  -798 ...  -403  -402  -401]\n" +
			"         [ -400  -399  -398 ...    -3    -2    -1]]\n" +
			"\n" +
			"        [[    0     1     2 ...   397   398   399]\n" +
			"         [  400   401   402 ...   797   798   799]\n" +
			"         [  800   801   802 ...  1197  1198  1199]]], shape=[2 3 400])"},
		{"elided 1-d", Arange(3000).DivScalar(4).AddScalar(1), "tensor([  1.0000   1.2500   1.5000 ... 750.2500 750.5000 750.7500], shape=[3000])"},
		{"elided 1-d wide range", Arange(3000).DivScalar(4), "tensor([0.0000e+00 2.5000e-01 5.0000e-01 ... 7.4925e+02 7.4950e+02 7.4975e+02], shape=[3000])"},
	}
	for _, c := range cases {
		if got := c.t.String(); got != c.want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", c.name, got, c.want)
		}
	}
	var nilT *Tensor
	if nilT.String() != "tensor(nil)" {
		t.Errorf("nil tensor prints %q", nilT.String())
	}
}

// TestStringLargeIsBounded checks that a large tensor prints a bounded number of
// short lines.
func TestStringLargeIsBounded(t *testing.T) {
	s := Randn(1000, 1000).String()
	lines := strings.Split(s, "\n")
	if len(lines) > 20 {
		t.Errorf("a 1000×1000 tensor printed %d lines", len(lines))
	}
	for _, l := range lines {
		if len(l) > printWidth+len(", shape=[1000 1000])") {
			t.Errorf("line of %d characters: %q", len(l), l)
		}
	}
}

// Every fmt verb prints a tensor sensibly: %v and %s as String, number
// verbs value by value (a one-element tensor as a bare number).
func TestFormatVerbs(t *testing.T) {
	loss := New64([]float64{0.69314}, 1)
	x := New64([]float64{1, 2.5, 3, 4}, 2, 2)
	var nilT *Tensor
	cases := []struct {
		format string
		arg    *Tensor
		want   string
	}{
		{"loss %.3f", loss, "loss 0.693"},
		{"%v", loss, loss.String()},
		{"%s", x, x.String()},
		{"%q", loss, `"tensor([0.6931], shape=[1], dtype=float64)"`},
		{"%.2f", x, "[[1.00 2.50] [3.00 4.00]]"},
		{"%6.1f|", x, "[[   1.0    2.5] [   3.0    4.0]]|"},
		{"%.1e", Scalar(1234), "1.2e+03"},
		{"%g", New([]float32{0.5, 1}, 2), "[0.5 1]"},
		{"%d", Scalar(7), "7"},
		{"%d", x, "[[1 %!d(float64=2.5)] [3 4]]"},
		{"%z", Scalar(1), "%!z(*engine.Tensor=tensor(1, shape=[]))"},
		{"%f", nilT, "<nil>"},
		{"%v", nilT, "tensor(nil)"},
	}
	for _, c := range cases {
		if got := fmt.Sprintf(c.format, c.arg); got != c.want {
			t.Errorf("Sprintf(%q) = %q, want %q", c.format, got, c.want)
		}
	}
	// Past 1000 elements the values are elided as String elides them.
	big := Zeros(2000)
	if got := fmt.Sprintf("%.0f", big); got != "[0 0 0 ... 0 0 0]" {
		t.Errorf("Sprintf(%%.0f) of 2000 zeros = %q", got)
	}
}
