package nn

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/dbr-go/dbr/engine"
)

func TestSubset(t *testing.T) {
	for name, ds := range loaders(10) {
		s := NewSubset(ds, []int{7, 2, 9})
		x, y := s.Get(1)
		if y.Item() != 2 || x.At(1) != -2 {
			t.Fatalf("%s: Get(1) = %v %v", name, x, y)
		}
		order, sizes := epochOrder(t, NewDataLoader(s, LoaderOpts{BatchSize: 2}))
		if fmt.Sprint(order) != "[7 2 9]" || fmt.Sprint(sizes) != "[2 1]" {
			t.Fatalf("%s: %v %v", name, order, sizes)
		}
		if fmt.Sprint(s.Indices()) != "[7 2 9]" {
			t.Fatalf("Indices %v", s.Indices())
		}
		if err := engine.Try(func() { NewSubset(ds, []int{10}) }); err == nil || !strings.Contains(err.Error(), "index 10 (position 0) is out of range") {
			t.Fatalf("%s: out of range: %v", name, err)
		}
	}
}

func TestRandomSplit(t *testing.T) {
	ds := loaders(20)["tensor"]
	split := func() (a, b []int) {
		engine.Seed(11)
		parts := RandomSplit(ds, []int{15, 5})
		a, _ = epochOrder(t, NewDataLoader(parts[0], LoaderOpts{BatchSize: 4}))
		b, _ = epochOrder(t, NewDataLoader(parts[1], LoaderOpts{BatchSize: 4}))
		return a, b
	}
	a, b := split()
	if len(a) != 15 || len(b) != 5 {
		t.Fatalf("sizes %d %d", len(a), len(b))
	}
	all := append(append([]int(nil), a...), b...)
	sort.Ints(all)
	for i, v := range all {
		if v != i {
			t.Fatalf("the parts do not cover every example once: %v %v", a, b)
		}
	}
	a2, b2 := split()
	if fmt.Sprint(a, b) != fmt.Sprint(a2, b2) {
		t.Fatal("RandomSplit differs after the same engine.Seed")
	}
	if err := engine.Try(func() { RandomSplit(ds, []int{15, 6}) }); err == nil || !strings.Contains(err.Error(), "add up to 21, but the dataset has 20") {
		t.Fatalf("bad lengths: %v", err)
	}
}

func TestSubsetPanicInGet(t *testing.T) {
	s := NewSubset(&indexDataset{n: 10, panicAt: 4}, []int{1, 4})
	err := engine.Try(func() {
		dl := NewDataLoader(s, LoaderOpts{BatchSize: 2})
		for dl.Next() {
		}
	})
	if err == nil || err.Error() != "DataLoader: the dataset's Get(4) panicked: runtime error: index out of range [4] with length 0" {
		t.Fatalf("error %v", err)
	}
}
