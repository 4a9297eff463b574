package main

import (
	"time"

	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/metrics"
	"github.com/participation-graph/participation-graph/store"
)

// observeFeed measures the change feed's delivery: how long after a change was written
// the broker hands it to subscribers, and how far through the feed it is.
func observeFeed(feed *changefeed.Broker, reg *metrics.Registry) {
	lag := reg.Histogram("participation_changefeed_lag_seconds",
		"Time from a change's write to its delivery to subscribers by this instance.", metrics.DelayBuckets)
	feed.OnDeliver(func(c *store.Change) { lag.Observe(time.Since(c.At).Seconds()) })
	reg.Gauge("participation_changefeed_delivered_seq", "Seq of the last change this instance delivered to subscribers.",
		func() float64 { return float64(feed.Position()) })
}
