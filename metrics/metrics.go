// Package metrics keeps the server's counters and writes them in the Prometheus text
// exposition format for /metrics. It is deliberately small: labelled counters and gauges
// read at scrape time, safe for concurrent use, with no global registry.
package metrics

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds a set of metrics.
type Registry struct {
	mu      sync.Mutex
	metrics []writer
}

type writer interface{ write(w io.Writer) }

// New returns an empty registry.
func New() *Registry { return &Registry{} }

// CounterVec is a counter with labels.
type CounterVec struct {
	name, help string
	labels     []string
	mu         sync.RWMutex
	values     map[string]*atomic.Int64
}

// Counter registers a counter with the given label names.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	c := &CounterVec{name: name, help: help, labels: labels, values: map[string]*atomic.Int64{}}
	r.mu.Lock()
	r.metrics = append(r.metrics, c)
	r.mu.Unlock()
	return c
}

// Inc adds one to the counter with the given label values, in the order of the labels.
func (c *CounterVec) Inc(values ...string) { c.Add(1, values...) }

// Add adds n to the counter with the given label values.
func (c *CounterVec) Add(n int64, values ...string) {
	key := strings.Join(values, "\x00")
	c.mu.RLock()
	v, ok := c.values[key]
	c.mu.RUnlock()
	if !ok {
		c.mu.Lock()
		if v, ok = c.values[key]; !ok {
			v = &atomic.Int64{}
			c.values[key] = v
		}
		c.mu.Unlock()
	}
	v.Add(n)
}

// Value returns the counter's value for the given label values.
func (c *CounterVec) Value(values ...string) int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if v, ok := c.values[strings.Join(values, "\x00")]; ok {
		return v.Load()
	}
	return 0
}

func (c *CounterVec) write(w io.Writer) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", c.name, c.help, c.name)
	c.mu.RLock()
	keys := make([]string, 0, len(c.values))
	for k := range c.values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%s%s %d\n", c.name, labelString(c.labels, strings.Split(k, "\x00")), c.values[k].Load())
	}
	c.mu.RUnlock()
}

// GaugeFunc is a gauge whose value is read when scraped.
type GaugeFunc struct {
	name, help string
	read       func() float64
}

// Gauge registers a gauge read from f at every scrape.
func (r *Registry) Gauge(name, help string, f func() float64) {
	r.mu.Lock()
	r.metrics = append(r.metrics, &GaugeFunc{name, help, f})
	r.mu.Unlock()
}

func (g *GaugeFunc) write(w io.Writer) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %g\n", g.name, g.help, g.name, g.name, g.read())
}

func labelString(names, values []string) string {
	if len(names) == 0 {
		return ""
	}
	parts := make([]string, len(names))
	for i, n := range names {
		v := ""
		if i < len(values) {
			v = values[i]
		}
		v = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v)
		parts[i] = n + `="` + v + `"`
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// Write writes every metric in the Prometheus text format.
func (r *Registry) Write(w io.Writer) {
	r.mu.Lock()
	ms := slices.Clone(r.metrics)
	r.mu.Unlock()
	for _, m := range ms {
		m.write(w)
	}
}

// Handler serves the metrics.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		r.Write(w)
	})
}
