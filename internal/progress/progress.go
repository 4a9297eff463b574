// Package progress reports how far long work has got: seeding sample data, exporting and
// importing backups, loading in-memory models. On a terminal it redraws one line in place
// (done/total, percentage, rate and time left); elsewhere — a file, a pipe, a log
// collector — it writes one summary line when the work is done, or, made with NewLog,
// a log line every so often and one at the end.
//
// A nil *Reporter does nothing, so code that reports progress need not check whether
// anyone listens.
package progress

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
)

// redrawEvery is how often a terminal line is redrawn at most: often enough to look live,
// rarely enough to cost nothing.
const redrawEvery = 100 * time.Millisecond

// Reporter counts the units of one piece of work and reports them. It is safe for
// concurrent use.
type Reporter struct {
	mode  mode
	w     io.Writer
	log   *slog.Logger
	every time.Duration
	label string
	now   func() time.Time

	mu      sync.Mutex
	start   time.Time
	total   int64
	done    int64
	last    time.Time // when the line was last drawn or logged
	width   int       // length of the line last drawn, to blank what a shorter one leaves
	stopped bool
}

type mode int

const (
	summary  mode = iota // one line at the end
	terminal             // a line redrawn in place
	logLines             // a log record every so often and at the end
)

// New returns a reporter of work of total units (0 when not known yet; see SetTotal),
// named label, writing to w: redrawn in place when w is a terminal, one summary line at
// Done otherwise.
func New(w io.Writer, label string, total int64) *Reporter {
	m := summary
	if IsTerminal(w) {
		m = terminal
	}
	return newReporter(m, w, nil, 0, label, total, time.Now)
}

// NewLog returns a reporter that logs the progress to log at most once per every (10 s
// when 0) and once at Done, for work that runs inside a server whose output is a log.
func NewLog(log *slog.Logger, label string, total int64, every time.Duration) *Reporter {
	if every <= 0 {
		every = 10 * time.Second
	}
	return newReporter(logLines, nil, log, every, label, total, time.Now)
}

func newReporter(m mode, w io.Writer, log *slog.Logger, every time.Duration, label string, total int64, now func() time.Time) *Reporter {
	t := now()
	return &Reporter{mode: m, w: w, log: log, every: every, label: label, now: now, start: t, last: t, total: total}
}

// IsTerminal reports whether w is a terminal (a character device such as a TTY), where a
// line can be redrawn with carriage returns.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// SetTotal sets how many units the work has, once it is known.
func (r *Reporter) SetTotal(n int64) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.total = n
	r.mu.Unlock()
}

// Add counts n more units done and, when it is time, reports.
func (r *Reporter) Add(n int) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done += int64(n)
	if r.stopped {
		return
	}
	t := r.now()
	switch r.mode {
	case terminal:
		if t.Sub(r.last) >= redrawEvery {
			r.draw(t)
		}
	case logLines:
		if t.Sub(r.last) >= r.every {
			r.last = t
			r.log.Info(r.label, r.attrs(t)...)
		}
	}
}

// Done reports the end of the work: the terminal line is drawn a last time and ended, or
// the summary line written or logged. Later calls do nothing.
func (r *Reporter) Done() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	r.stopped = true
	t := r.now()
	switch r.mode {
	case terminal:
		r.draw(t)
		fmt.Fprintln(r.w)
	case summary:
		fmt.Fprintf(r.w, "%s: %s in %s (%s/s)\n", r.label, r.count(), elapsed(t.Sub(r.start)), number(r.rate(t)))
	case logLines:
		r.log.Info(r.label+": done", r.attrs(t)...)
	}
}

// draw redraws the terminal line.
func (r *Reporter) draw(t time.Time) {
	r.last = t
	line := r.label + ": " + r.count()
	rate := r.rate(t)
	if r.total > 0 {
		line += fmt.Sprintf(" (%d%%)", min(100, r.done*100/r.total))
	}
	line += "  " + number(rate) + "/s"
	if left := r.total - r.done; r.total > 0 && left > 0 && rate > 0 {
		line += "  " + elapsed(time.Duration(float64(left)/rate*float64(time.Second))) + " left"
	}
	pad := max(0, r.width-len(line))
	r.width = len(line)
	fmt.Fprint(r.w, "\r"+line+strings.Repeat(" ", pad))
}

// count is "done/total", or "done" while the total is not known.
func (r *Reporter) count() string {
	if r.total > 0 {
		return number(float64(r.done)) + "/" + number(float64(r.total))
	}
	return number(float64(r.done))
}

func (r *Reporter) rate(t time.Time) float64 {
	if s := t.Sub(r.start).Seconds(); s > 0 {
		return float64(r.done) / s
	}
	return 0
}

func (r *Reporter) attrs(t time.Time) []any {
	a := []any{"done", r.done}
	if r.total > 0 {
		a = append(a, "total", r.total)
	}
	return append(a, "perSecond", int64(r.rate(t)), "elapsed", t.Sub(r.start).Round(time.Millisecond))
}

// number writes n rounded, with thousands separated by commas: 1,234,567.
func number(n float64) string {
	s := fmt.Sprintf("%d", int64(n+0.5))
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// elapsed writes d to a tenth of a second below a minute, to the second above.
func elapsed(d time.Duration) string {
	if d < time.Minute {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
