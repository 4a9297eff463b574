// Package gctune sets the garbage collector's target for a server that keeps a large
// long-lived heap (the read model) and makes short-lived garbage with every request.
package gctune

import (
	"context"
	"log/slog"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// gcHeadroom is how far the heap may grow past the live data before the collector runs.
// The server keeps a long-lived read model and makes short-lived garbage with every
// request: with Go's default (collect when the heap has doubled) a small model means a
// collection every few requests, each one marking the whole model. A fixed headroom keeps
// collections as rare whatever the model's size, for a bounded amount of memory.
const gcHeadroom = 256 << 20

// Run sets the collector's target to the live heap plus gcHeadroom, and never below
// Go's default, as the live heap changes, until ctx ends. Operators who set GOGC keep
// their setting (and GOMEMLIMIT works as usual either way).
func Run(ctx context.Context, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if os.Getenv("GOGC") != "" {
		return
	}
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev) // as it was, once ctx ends
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	last := 0
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		metrics.Read(sample)
		if live := sample[0].Value.Uint64(); live > 0 {
			percent := max(100, min(1000, int(gcHeadroom*100/live)))
			if percent != last {
				debug.SetGCPercent(percent)
				if last == 0 || percent < last*3/4 || percent > last*4/3 {
					log.Debug("garbage collection target", "liveBytes", live, "gcPercent", percent)
				}
				last = percent
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
