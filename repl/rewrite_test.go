package repl

import "testing"

// TestFreshLoopPerLoop: each `for dl.Next()` loop starts a fresh epoch, as
// each `for x, y in loader` does in PyTorch, also when an earlier loop of the
// same statement stopped early (10 examples, batch 4: a loop after a break
// sees all 10, not the 6 left). Statements typed one after another start
// afresh anyway (engine.RunNumber); loops inside one function, or inside an
// outer loop, are one statement. The abandoned epoch is not counted. Loops
// with a label, an init statement or a longer condition start afresh too; a
// Next of a type of the user's own is left alone.
func TestFreshLoopPerLoop(t *testing.T) {
	s, out := newSession(t)
	const newDL = "dl := nn.NewDataLoader(nn.NewTensorDataset(engine.Arange(10).Reshape(10, 1), nil), nn.LoaderOpts{BatchSize: 4})\n"
	for _, c := range []struct{ name, src, want string }{
		{"two loops in a function", newDL + `func twoLoops() (int, int, int) {
	first, rest := 0, 0
	for dl.Next() {
		first += dl.X().Shape()[0]
		break
	}
	for dl.Next() {
		rest += dl.X().Shape()[0]
	}
	return first, rest, dl.Epoch()
}
twoLoops()`, "4 10 1\n"},
		{"epochs that stop early", newDL + `seen := []int{}
for epoch := 0; epoch < 3; epoch++ {
	for dl.Next() {
		seen = append(seen, dl.BatchIndex())
		if dl.BatchIndex() == 1 {
			break
		}
	}
}
seen`, "[0 1 0 1 0 1]\n"},
		{"label, init, condition", newDL + `func loops() int {
	seen := 0
outer:
	for i := 0; i < 3 && dl.Next(); i++ {
		seen++
		continue outer
	}
	for i := 0; dl.Next(); i++ {
		seen += 10
	}
	return seen
}
loops()`, "33\n"},
		{"own Next", `type It struct{ i int }
func (it *It) Next() bool { it.i++; return it.i <= 3 }
func iterate() (int, int) {
	it := &It{}
	a, b := 0, 0
	for it.Next() {
		a++
		break
	}
	for it.Next() {
		b++
	}
	return a, b
}
iterate()`, "1 2\n"},
	} {
		if got := evalOK(t, s, out, c.src); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
