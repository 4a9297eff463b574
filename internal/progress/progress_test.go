package progress

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
)

// clock is a fake time that tests move on by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestTerminal(t *testing.T) {
	var b bytes.Buffer
	c := &clock{time.Unix(0, 0)}
	r := newReporter(terminal, &b, nil, 0, "loading", 0, c.now)
	r.SetTotal(10_000)
	c.advance(time.Second)
	r.Add(2500)
	r.Add(10) // within redrawEvery of the last line: not drawn
	c.advance(time.Second)
	r.Add(7490)
	r.Done()
	r.Done()
	want := "\rloading: 2,500/10,000 (25%)  2,500/s  3s left" +
		"\rloading: 10,000/10,000 (100%)  5,000/s" + strings.Repeat(" ", 7) +
		"\rloading: 10,000/10,000 (100%)  5,000/s\n"
	if b.String() != want {
		t.Errorf("terminal output\n%q\nwant\n%q", b.String(), want)
	}
}

func TestSummary(t *testing.T) {
	var b bytes.Buffer
	c := &clock{time.Unix(0, 0)}
	r := newReporter(summary, &b, nil, 0, "exporting documents", 0, c.now)
	for range 1234 {
		r.Add(1000)
		c.advance(time.Millisecond)
	}
	if b.Len() != 0 {
		t.Errorf("wrote %q before Done, want nothing", b.String())
	}
	r.Done()
	if want := "exporting documents: 1,234,000 in 1.2s (1,000,000/s)\n"; b.String() != want {
		t.Errorf("summary %q, want %q", b.String(), want)
	}
}

func TestLog(t *testing.T) {
	var b bytes.Buffer
	c := &clock{time.Unix(0, 0)}
	r := newReporter(logLines, nil, slog.New(slog.NewJSONHandler(&b, nil)), 10*time.Second, "read model", 300, c.now)
	for range 30 {
		c.advance(time.Second)
		r.Add(10)
	}
	r.Done()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 4 {
		t.Fatalf("%d log lines, want one per 10 s and one at the end:\n%s", len(lines), b.String())
	}
	if l := lines[0]; l["msg"] != "read model" || l["done"] != 100.0 || l["total"] != 300.0 || l["perSecond"] != 10.0 {
		t.Errorf("first line %v, want 100 of 300 at 10/s", l)
	}
	if l := lines[3]; l["msg"] != "read model: done" || l["done"] != 300.0 {
		t.Errorf("last line %v, want done with 300", l)
	}
}

func TestNilReporter(t *testing.T) {
	var r *Reporter
	r.SetTotal(1)
	r.Add(1)
	r.Done()
}

func TestIsTerminal(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	if IsTerminal(pw) || IsTerminal(&bytes.Buffer{}) {
		t.Error("a pipe or a buffer taken for a terminal")
	}
	if r := New(pw, "x", 1); r.mode != summary {
		t.Errorf("New on a pipe: mode %d, want the summary line", r.mode)
	}
}
