package kernels

import "testing"

// TestCopyRows32 checks every kernel set's CopyRows32 against element by
// element copies, at run lengths around the 8- and 16-float blocks and
// strides wider than the runs: the runs are copied and nothing between or
// after them in dst is written.
func TestCopyRows32(t *testing.T) { kernels(t, testCopyRows32) }

func testCopyRows32(t *testing.T) {
	name := Kernel()
	for _, n := range []int{1, 2, 7, 8, 9, 14, 15, 16, 17, 23, 28, 30, 31, 32, 33, 40, 64, 100} {
		for _, tc := range []struct{ rows, ds, ss int }{{1, n, n}, {3, n, n + 2}, {5, n + 2, n}, {4, n + 7, n + 33}} {
			src := make([]float32, (tc.rows-1)*tc.ss+n+5)
			for i := range src {
				src[i] = float32(i + 1)
			}
			dst := make([]float32, (tc.rows-1)*tc.ds+n+5)
			for i := range dst {
				dst[i] = -1
			}
			CopyRows32(dst, tc.ds, src, tc.ss, tc.rows, n)
			want := make([]float32, len(dst))
			for i := range want {
				want[i] = -1
			}
			for r := 0; r < tc.rows; r++ {
				for j := 0; j < n; j++ {
					want[r*tc.ds+j] = src[r*tc.ss+j]
				}
			}
			for i := range dst {
				if dst[i] != want[i] {
					t.Fatalf("%s n=%d %+v: dst[%d] = %v, want %v", name, n, tc, i, dst[i], want[i])
				}
			}
		}
	}
	CopyRows32(nil, 0, nil, 0, 0, 5) // no rows: nothing to do
	defer func() {
		if recover() == nil {
			t.Errorf("%s: CopyRows32 with overlapping runs did not panic", name)
		}
	}()
	CopyRows32(make([]float32, 20), 4, make([]float32, 20), 8, 2, 6)
}
