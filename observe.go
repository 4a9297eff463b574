package main

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/metrics"
)

// observeFeed measures the change feed's delivery: how long after a change was written
// the broker hands it to subscribers, and how far through the feed it is.
func observeFeed(feed *changefeed.Broker, reg prometheus.Registerer) {
	lag := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "participation_changefeed_lag_seconds",
		Help: "Time from a change's write to its delivery to subscribers by this instance.", Buckets: metrics.DelayBuckets})
	feed.OnDeliver(func(c *domain.Change) { lag.Observe(time.Since(c.At).Seconds()) })
	reg.MustRegister(lag,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "participation_changefeed_delivered_seq",
			Help: "Seq of the last change this instance delivered to subscribers."},
			func() float64 { return float64(feed.Position()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "participation_subscriptions_open",
			Help: "Live subscriptions open now."}, func() float64 { return float64(feed.Count()) }))
}
