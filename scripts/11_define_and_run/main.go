// Lesson 11: define-and-run versus define-by-run.
//
// Early frameworks (TensorFlow 1, Theano) had you build the whole graph
// first, with placeholders instead of data, and then run it in a session:
// "define-and-run". dbr, like PyTorch, runs each op as the line executes and
// records the graph as it goes: "define-by-run". Here the same two-layer
// network is written both ways, with a tiny graph builder for the first,
// and we look at what each costs when you want to print a shape in the
// middle or take a branch that depends on a value.
//
// Try:
//
//   - Print x.MatMul(w1.T()) in forward: with define-by-run it is one line.
//   - Make the branch threshold 0 and count the ops each way again.
//   - Add a third layer to both versions: which change is longer?
package main

import (
	"fmt"

	"github.com/dbr-go/dbr/engine"
	"github.com/dbr-go/dbr/inspect"
	"github.com/dbr-go/dbr/nn"
)

// A Node is one op of a graph built before any data exists: a name, the
// nodes it reads and the function that will compute it.
type Node struct {
	Name   string
	Inputs []*Node
	Fn     func(in []*engine.Tensor) *engine.Tensor
}

// A Graph is a program written down ahead of time: its nodes, in the order
// they were added.
type Graph struct {
	Nodes []*Node
}

// Input adds a placeholder that Run fills from its feed.
func (g *Graph) Input(name string) *Node {
	n := &Node{Name: name}
	g.Nodes = append(g.Nodes, n)
	return n
}

// Op adds a node computing fn from the values of in.
func (g *Graph) Op(name string, fn func(in []*engine.Tensor) *engine.Tensor, in []*Node) *Node {
	n := &Node{Name: name, Inputs: in, Fn: fn}
	g.Nodes = append(g.Nodes, n)
	return n
}

// Run feeds the placeholders, computes every node in order and returns
// the value of fetch. It also says how many nodes it computed.
func (g *Graph) Run(feed map[*Node]*engine.Tensor, fetch *Node) (*engine.Tensor, int) {
	vals := map[*Node]*engine.Tensor{}
	computed := 0
	for _, n := range g.Nodes {
		if n.Fn == nil {
			vals[n] = feed[n]
			continue
		}
		in := make([]*engine.Tensor, len(n.Inputs))
		for i, x := range n.Inputs {
			in[i] = vals[x]
		}
		vals[n] = n.Fn(in)
		computed++
	}
	return vals[fetch], computed
}

// layers returns the two layers of the network, the same weights each time
// for the same seed.
func layers(seed int64) (*nn.Linear, *nn.Linear) {
	engine.Seed(seed)
	return nn.NewLinear(4, 8), nn.NewLinear(8, 1)
}

func main() {
	engine.Seed(11)
	x := engine.Randn(16, 4)
	y := x.Sum(1).Reshape(16, 1).Tanh()

	// Define-and-run: first the graph, with placeholders for x and y.
	// Nothing is computed yet; a node has no value and no shape.
	fc1, fc2 := layers(1)
	g := &Graph{}
	gx, gy := g.Input("x"), g.Input("y")
	h := g.Op("hidden", func(in []*engine.Tensor) *engine.Tensor { return fc1.Forward(in[0]).ReLU() }, []*Node{gx})
	out := g.Op("out", func(in []*engine.Tensor) *engine.Tensor { return fc2.Forward(in[0]) }, []*Node{h})
	loss := g.Op("loss", func(in []*engine.Tensor) *engine.Tensor { return nn.MSELoss(in[0], in[1]) }, []*Node{out, gy})
	fmt.Println("graph built:", len(g.Nodes), "nodes; the shape of", h.Name, "is not known until the graph runs")

	// Then the session: feed data, run, step.
	opt := nn.NewSGD(nn.Params(nn.Sub("fc1", fc1), nn.Sub("fc2", fc2)), 0.1, nn.SGDOpts{})
	feed := map[*Node]*engine.Tensor{gx: x, gy: y}
	var staticLosses []float64
	for step := 0; step < 30; step++ {
		l, _ := g.Run(feed, loss)
		opt.ZeroGrad()
		l.Backward()
		opt.Step()
		staticLosses = append(staticLosses, l.Item())
	}

	// To see the hidden layer's shape you fetch it: another run of the
	// graph, since a node only has a value inside Run.
	hv, computed := g.Run(feed, h)
	fmt.Println("shape of hidden, fetched by a run:", hv.Shape(), "- the run computed all", computed, "ops to get it")

	// Define-by-run: the network is a Go function. Each line runs when it
	// is reached, so a shape is there to print and an if is an if.
	d1, d2 := layers(1)
	forward := func(x *engine.Tensor) *engine.Tensor {
		h := d1.Forward(x).ReLU()
		return d2.Forward(h)
	}
	opt2 := nn.NewSGD(nn.Params(nn.Sub("fc1", d1), nn.Sub("fc2", d2)), 0.1, nn.SGDOpts{})
	var losses []float64
	for step := 0; step < 30; step++ {
		l := nn.MSELoss(forward(x), y)
		opt2.ZeroGrad()
		l.Backward()
		opt2.Step()
		losses = append(losses, l.Item())
	}
	fmt.Println("shape of hidden, printed where it is computed:", d1.Forward(x).ReLU().Shape())
	same := true
	for i := range losses {
		if losses[i] != staticLosses[i] {
			same = false
		}
	}
	fmt.Printf("same losses both ways: %v (first %.4f, last %.4f)\n", same, losses[0], losses[len(losses)-1])

	// The loss curve (an image in a notebook, dots in a terminal).
	inspect.Plot(losses)

	// A branch on a value: use the second layer only when the hidden
	// activations are large. Define-and-run must build both branches into
	// the graph and pick one inside it; every run computes both.
	big := g.Op("big?", func(in []*engine.Tensor) *engine.Tensor {
		if in[0].Mean().Item() > 0.3 {
			return engine.Scalar(1)
		}
		return engine.Scalar(0)
	}, []*Node{h})
	viaLayer := g.Op("via fc2", func(in []*engine.Tensor) *engine.Tensor { return fc2.Forward(in[0]) }, []*Node{h})
	viaSum := g.Op("via sum", func(in []*engine.Tensor) *engine.Tensor { return in[0].Sum(1).Reshape(16, 1) }, []*Node{h})
	pick := g.Op("cond", func(in []*engine.Tensor) *engine.Tensor {
		if in[0].Item() == 1 {
			return in[1]
		}
		return in[2]
	}, []*Node{big, viaLayer, viaSum})
	_, computed = g.Run(feed, pick)
	fmt.Println("define-and-run with a branch:", len(g.Nodes), "nodes in the graph, all", computed, "ops computed on every run, both branches included")

	// Define-by-run: an if. Only the branch taken runs and is recorded.
	hid := d1.Forward(x).ReLU()
	var res *engine.Tensor
	taken := "fc2"
	if hid.Mean().Item() > 0.3 {
		res = d2.Forward(hid)
	} else {
		res = hid.Sum(1).Reshape(16, 1)
		taken = "sum"
	}
	fmt.Println("define-by-run took the", taken, "branch; ops recorded:", inspect.Graph(res).Ops)
}

// Output:
// graph built: 5 nodes; the shape of hidden is not known until the graph runs
// shape of hidden, fetched by a run: [16 8] - the run computed all 3 ops to get it
// shape of hidden, printed where it is computed: [16 8]
// same losses both ways: true (first 0.6053, last 0.0617)
//  0.6053 ┤⠑⠢⡀
//         │  ⠈⠑⠤⡀
//         │     ⠈⠑⠢⣀
//         │         ⠑⠢⢄⡀
//         │            ⠈⠑⠢⢄⡀
//         │                ⠈⠑⠢⢄⣀
//         │                     ⠉⠒⠢⠤⣀⡀
//         │                          ⠈⠉⠑⠒⠢⠤⢄⣀⣀
//         │                                   ⠉⠉⠉⠒⠒⠒⠤⠤⠤⣀⣀⣀⣀
// 0.06168 ┤                                                ⠉⠉⠉⠉⠑⠒⠒⠒⠒⠒⠤⠤⠤⠤⠤⠤⠤⠤⣀⣀⣀⣀⣀
//         └───────────────────────────────────────────────────────────────────────
//          0                                                                    29
// define-and-run with a branch: 9 nodes in the graph, all 7 ops computed on every run, both branches included
// define-by-run took the sum branch; ops recorded: 4
