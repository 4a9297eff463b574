package network

// fromRecords returns a projection over no store holding recs.
func fromRecords(recs ...any) *Projection {
	p := New(nil, nil)
	p.Put(recs...)
	return p
}
