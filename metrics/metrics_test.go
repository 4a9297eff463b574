package metrics

import (
	"bytes"
	"strings"
	"testing"
)

func TestExposition(t *testing.T) {
	r := New()
	c := r.Counter("x_total", "Things.", "name")
	c.Inc("find")
	c.Add(2, "find")
	c.Inc(`a"b\c`)
	r.Gauge("y", "A gauge.", func() float64 { return 1.5 })
	var b bytes.Buffer
	r.Write(&b)
	for _, want := range []string{
		"# TYPE x_total counter\n",
		`x_total{name="find"} 3` + "\n",
		`x_total{name="a\"b\\c"} 1` + "\n",
		"# TYPE y gauge\ny 1.5\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("exposition lacks %q:\n%s", want, b.String())
		}
	}
	if c.Value("find") != 3 {
		t.Errorf("Value(find) = %d, want 3", c.Value("find"))
	}
}
