package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/nn"
)

func workloads() []workload {
	var ws []workload
	for _, threads := range []int{1, 2} {
		for _, n := range []int{128, 256, 512, 1024} {
			n := n
			target := ">=1.0" // against PyTorch at its best; 0.9 at n=128
			if n == 128 {
				target = ">=0.9"
			}
			ws = append(ws, workload{
				name: fmt.Sprintf("gemm n=%d", n), threads: threads, flops: 2 * float64(n*n*n), target: target,
				torch: request{Name: "gemm", Args: map[string]any{"n": n}},
				setup: func() func() {
					a, b := engine.Randn(n, n), engine.Randn(n, n)
					return func() { a.MatMul(b) }
				},
			})
		}
	}
	for _, grad := range []bool{false, true} {
		grad := grad
		name := "add [16]"
		if grad {
			name += " +grad"
		}
		ws = append(ws, workload{
			name: name, threads: 1, target: "<=0.25",
			torch: request{Name: "add", Args: map[string]any{"n": 16, "grad": grad}},
			setup: func() func() {
				a, b := engine.Randn(16).SetRequiresGrad(grad), engine.Randn(16)
				return func() { a.Add(b) }
			},
		})
	}
	ws = append(ws, workload{
		name: "tiny fwd+bwd", threads: 1, target: "<=0.25",
		torch: request{Name: "tiny", Args: map[string]any{}},
		setup: func() func() {
			x := engine.Randn(8, 16)
			w, b := engine.Randn(16, 4).SetRequiresGrad(true), engine.Randn(4).SetRequiresGrad(true)
			return func() { x.MatMul(w).Add(b).Sum().Backward() }
		},
	})
	ws = append(ws, workload{
		name: "softmax+ce [256 1000] fwd+bwd", threads: 1, target: "<=1.0",
		torch: request{Name: "softmax_ce", Args: map[string]any{"n": 256, "c": 1000}},
		setup: func() func() {
			x := engine.Randn(256, 1000).SetRequiresGrad(true)
			labels := make([]float32, 256)
			for i := range labels {
				labels[i] = float32(engine.RandInt(1000))
			}
			y := engine.New(labels)
			return func() {
				x.SetGrad(nil)
				nn.CrossEntropyLoss(x, y).Backward()
			}
		},
	})
	ws = append(ws, seqWorkloads()...)
	ws = append(ws, workload{
		name: "tanh+exp [1000000]", threads: 1, target: "<=1.0",
		torch: request{Name: "tanh_exp", Args: map[string]any{"n": 1000000}},
		setup: func() func() {
			x := engine.Randn(1000000)
			return func() { x.Tanh().Exp() }
		},
	})
	ws = append(ws, trainWorkloads()...)
	if selected("epoch") {
		ws = append(ws, epochWorkloads()...)
	}
	return ws
}

func itoa(n int) string { return fmt.Sprint(n) }
