package metrics

import (
	"bytes"
	"strings"
	"testing"
)

func TestHistogramExposition(t *testing.T) {
	r := New()
	h := r.Histogram("d_seconds", "Durations.", []float64{0.1, 1}, "op")
	h.Observe(0.05, "a")
	h.Observe(0.1, "a") // on a bound: counted in that bucket
	h.Observe(0.5, "a")
	h.Observe(3, "a")
	h.Observe(0.2, "b")
	var b bytes.Buffer
	r.Write(&b)
	want := `# HELP d_seconds Durations.
# TYPE d_seconds histogram
d_seconds_bucket{op="a",le="0.1"} 2
d_seconds_bucket{op="a",le="1"} 3
d_seconds_bucket{op="a",le="+Inf"} 4
d_seconds_sum{op="a"} 3.65
d_seconds_count{op="a"} 4
d_seconds_bucket{op="b",le="0.1"} 0
d_seconds_bucket{op="b",le="1"} 1
d_seconds_bucket{op="b",le="+Inf"} 1
d_seconds_sum{op="b"} 0.2
d_seconds_count{op="b"} 1
`
	if b.String() != want {
		t.Errorf("exposition:\n%s\nwant:\n%s", b.String(), want)
	}
	if h.Count("a") != 4 || h.Count("c") != 0 {
		t.Errorf("Count(a), Count(c) = %d, %d; want 4, 0", h.Count("a"), h.Count("c"))
	}
	u := r.Histogram("u_seconds", "Unlabelled.", []float64{1})
	u.Observe(2)
	b.Reset()
	u.write(&b)
	if !strings.Contains(b.String(), "u_seconds_bucket{le=\"+Inf\"} 1\nu_seconds_sum 2\nu_seconds_count 1\n") {
		t.Errorf("unlabelled exposition:\n%s", b.String())
	}
}
