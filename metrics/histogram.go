package metrics

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Buckets for the usual histograms, in seconds.
var (
	// RequestBuckets suit whole requests: 5 ms to 30 s.
	RequestBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	// CommandBuckets suit single database commands: 0.5 ms to 10 s.
	CommandBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	// DelayBuckets suit delays of delivery: 10 ms to a minute.
	DelayBuckets = []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}
)

// HistogramVec is a histogram with labels: for each set of label values, how many
// observations fell at or below each bucket's upper bound, their sum and their count.
type HistogramVec struct {
	name, help string
	labels     []string
	buckets    []float64
	mu         sync.Mutex
	series     map[string]*series
}

type series struct {
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	count  uint64
}

// Histogram registers a histogram with the given bucket upper bounds (ascending) and
// label names.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	h := &HistogramVec{name: name, help: help, labels: labels, buckets: slices.Clone(buckets), series: map[string]*series{}}
	slices.Sort(h.buckets)
	r.mu.Lock()
	r.metrics = append(r.metrics, h)
	r.mu.Unlock()
	return h
}

// Observe records one value (in seconds, for durations) with the given label values, in
// the order of the labels.
func (h *HistogramVec) Observe(v float64, values ...string) {
	key := strings.Join(values, "\x00")
	i, _ := slices.BinarySearch(h.buckets, v) // the first bound >= v; len when above all
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.series[key]
	if !ok {
		s = &series{counts: make([]uint64, len(h.buckets)+1)}
		h.series[key] = s
	}
	s.counts[i]++
	s.sum += v
	s.count++
}

// Count returns how many values were observed with the given label values.
func (h *HistogramVec) Count(values ...string) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.series[strings.Join(values, "\x00")]; ok {
		return s.count
	}
	return 0
}

func (h *HistogramVec) write(w io.Writer) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", h.name, h.help, h.name)
	h.mu.Lock()
	defer h.mu.Unlock()
	keys := make([]string, 0, len(h.series))
	for k := range h.series {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	names := append(slices.Clone(h.labels), "le")
	for _, k := range keys {
		s := h.series[k]
		values := strings.Split(k, "\x00")
		if len(h.labels) == 0 {
			values = nil
		}
		var cum uint64
		for i, c := range s.counts {
			cum += c
			le := math.Inf(1)
			if i < len(h.buckets) {
				le = h.buckets[i]
			}
			fmt.Fprintf(w, "%s_bucket%s %d\n", h.name, labelString(names, append(slices.Clone(values), formatBound(le))), cum)
		}
		fmt.Fprintf(w, "%s_sum%s %g\n%s_count%s %d\n", h.name, labelString(h.labels, values), s.sum,
			h.name, labelString(h.labels, values), s.count)
	}
}

func formatBound(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
