package repl

// Inputs returns the sources of the session's successful units from the
// from-th on (the units :save writes, in order: what was typed, and the
// declarations and statements of loaded files), and how many there are in
// all. Evaluating them in a fresh session rebuilds this one; Reset starts
// the count again from 0.
func (s *Session) Inputs(from int) (srcs []string, total int) {
	if from < 0 {
		from = 0
	}
	for _, u := range s.saved[min(from, len(s.saved)):] {
		srcs = append(srcs, u.src)
	}
	return srcs, len(s.saved)
}
