package nn

// Float returns a pointer to v, for the fields of options structs whose value
// may be zero: nn.AdamOpts{Beta1: nn.Float(0)}. An unset (nil) field means
// PyTorch's default; see the package doc.
func Float(v float64) *float64 { return &v }

// orDefault returns a copy of *p, or of def when p is nil, so that a later
// change to the caller's variable does not reach the options already given.
func orDefault(p *float64, def float64) *float64 {
	if p == nil {
		return Float(def)
	}
	return Float(*p)
}

// Int64 returns a pointer to v, for an options field whose value may be
// zero: nn.LoaderOpts{Seed: nn.Int64(0)}. Nil means PyTorch's default.
func Int64(v int64) *int64 { return &v }
