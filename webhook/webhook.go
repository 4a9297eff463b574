// Package webhook delivers the change feed to integrators' HTTP endpoints. An
// administrator registers a webhook (a URL, the ChangeEntity types it wants, a secret);
// the Dispatcher, one per server instance, POSTs every matching change to it as JSON.
//
// Order and delivery. Changes are delivered at least once and in feed order: one request
// in flight per webhook, and a change is sent only after the one before it was
// acknowledged with a 2xx status. Anything else (no response within Timeout, another
// status, a redirect, which is never followed) is a failure, retried with exponential
// backoff and jitter between MinBackoff and MaxBackoff. Nothing is skipped, ever: after
// FailingAfter of uninterrupted failures the webhook's state becomes FAILING, it goes on
// being retried at MaxBackoff, and the first success makes it ACTIVE again. Only an
// administrator skips changes, deliberately, by moving the webhook's position
// (UpdateWebhookInput.ResumeAfter); that is also the way forward when the feed's
// retention removed changes a webhook had not yet delivered (the webhook then stays
// FAILING and says so in its lastError). A DISABLED webhook is not delivered; enabling it
// resumes from where it stopped.
//
// Position. The webhook's document holds deliveredThrough, the seq of the last change
// acknowledged, written after each acknowledgement; delivery resumes after it when a
// server starts. A crash between an acknowledgement and that write sends the change again
// with the same delivery id, so receivers dedupe on X-Participation-Delivery (or keep the
// highest seq seen: it increases strictly, though not by one, as other changes and other
// types fall between). Changes of other types advance the position too, lazily, so a
// narrow webhook does not fall behind the feed's retention.
//
// Instances. Several server instances may share one database. Each webhook is delivered
// by the one instance holding its lease (Storage.AcquireWebhookLease): renewed every
// LeaseTTL/3, released at shutdown, taken over by another instance LeaseTTL after its
// holder died. An instance stops delivering when it cannot renew in time, so two deliver
// the same webhook only if their clocks disagree by more than about LeaseTTL/3.
//
// Requests. POST with Content-Type application/json and the headers
// X-Participation-Signature ("t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed
// with the secret>", see Sign and Verify: receivers check it and refuse old timestamps),
// X-Participation-Delivery ("<webhookId>-<seq>"), X-Participation-Seq and
// X-Participation-Webhook. The body is a Payload: the change's cursor, seq, kind, entity,
// entityId and at, and node, the record as it is when the attempt is made.
//
// Privacy. A person is sent with its pseudonym and community only, never a display name,
// e-mail or consent (RecordJSON). A RESTRICTED decision event or reflection is sent
// without its record (node null, restricted true) unless the webhook has
// includeRestricted: its change still arrives, so receivers see every position.
//
// Addresses. Unless AllowPrivate, a webhook may not name a loopback, private, link-local
// or otherwise non-public address, and every address a name resolves to is checked again
// when the connection is made, so DNS cannot aim deliveries at internal services.
package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/store"
)

// Options configure a Dispatcher. Zero durations take the defaults given.
type Options struct {
	Store *store.Store
	Feed  *changefeed.Broker
	// Logger receives state changes of webhooks (never secrets or payloads); default none.
	Logger *slog.Logger
	// AllowPrivate lets webhooks reach loopback and private addresses (development and
	// tests); in production it is false.
	AllowPrivate bool
	// Timeout bounds each POST, from dialling to the end of the response headers
	// (default 10s).
	Timeout time.Duration
	// MinBackoff and MaxBackoff bound the wait before retrying a failed change (defaults
	// 1s and 5m): the n-th retry waits between half and all of MinBackoff·2^(n−1), at most
	// MaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// FailingAfter is how long failures must last before the webhook is FAILING
	// (default 24h).
	FailingAfter time.Duration
	// LeaseTTL is how long an instance's claim on a webhook lasts unless renewed (default
	// 60s); it must be at least three times Timeout.
	LeaseTTL time.Duration
	// Scan is how often the dispatcher looks for webhooks no instance delivers, such as
	// new ones or those of an instance that died (default 5s).
	Scan time.Duration
	// Owner names this instance in leases (default the host name and a random suffix).
	Owner string
}

// Dispatcher delivers every enabled webhook whose lease it holds, with one worker
// goroutine per webhook. Create it with New and run it with Run.
type Dispatcher struct {
	o       Options
	storage *Storage
	log     *slog.Logger
	client  *http.Client
	wake    chan struct{}

	mu      sync.Mutex
	workers map[string]*worker
	running bool
}

// New returns a dispatcher with o's defaults filled in, and creates the webhooks' index
// unless it exists. It fails when Store or Feed is missing, LeaseTTL is shorter than three
// times Timeout, or the database fails.
func New(ctx context.Context, o Options) (*Dispatcher, error) {
	if o.Store == nil || o.Feed == nil {
		return nil, errors.New("webhook: a store and a change feed are required")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Timeout, 10*time.Second)
	def(&o.MinBackoff, time.Second)
	def(&o.MaxBackoff, 5*time.Minute)
	def(&o.FailingAfter, 24*time.Hour)
	def(&o.LeaseTTL, time.Minute)
	def(&o.Scan, 5*time.Second)
	o.MaxBackoff = max(o.MaxBackoff, o.MinBackoff)
	if o.LeaseTTL < 3*o.Timeout {
		return nil, fmt.Errorf("webhook: LeaseTTL (%s) must be at least three times Timeout (%s)", o.LeaseTTL, o.Timeout)
	}
	if o.Owner == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		o.Owner = host + "-" + hex.EncodeToString(b)
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	storage, err := NewStorage(ctx, o.Store)
	if err != nil {
		return nil, err
	}
	return &Dispatcher{o: o, storage: storage, log: log, client: newClient(o.Timeout, o.AllowPrivate), wake: make(chan struct{}, 1),
		workers: map[string]*worker{}}, nil
}

// GetWebhook returns a webhook with its status (see Storage.GetWebhook).
func (d *Dispatcher) GetWebhook(ctx context.Context, id string) (*Webhook, error) {
	return d.storage.GetWebhook(ctx, id)
}

// ListWebhooks returns every webhook with its status, oldest first (see
// Storage.ListWebhooks).
func (d *Dispatcher) ListWebhooks(ctx context.Context) ([]*Webhook, error) {
	return d.storage.ListWebhooks(ctx)
}

// Run delivers webhooks until ctx ends, then stops every worker, releases their leases and
// returns nil. A dispatcher runs once; a second Run returns an error at once.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.mu.Lock()
	if d.running {
		d.mu.Unlock()
		return errors.New("webhook: dispatcher already ran")
	}
	d.running = true
	d.mu.Unlock()
	var wg sync.WaitGroup
	// Deferred in this order so idle connections close after the last worker is done.
	defer d.client.CloseIdleConnections()
	defer wg.Wait()
	tick := time.NewTicker(d.o.Scan)
	defer tick.Stop()
	for {
		d.scan(ctx, &wg)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-d.wake:
		}
	}
}

// Owner returns the name this dispatcher's leases carry (Webhook.LeaseOwner).
func (d *Dispatcher) Owner() string { return d.o.Owner }

// Refresh makes the dispatcher look for webhooks to deliver now rather than at its next
// scan. It never blocks.
func (d *Dispatcher) Refresh() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// scan starts a worker for every enabled webhook that no live lease holds and this
// instance can claim.
func (d *Dispatcher) scan(ctx context.Context, wg *sync.WaitGroup) {
	list, err := d.storage.ListWebhooks(ctx)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Warn("webhooks: listing failed", "err", err)
		}
		return
	}
	for _, wh := range list {
		if ctx.Err() != nil {
			return
		}
		d.mu.Lock()
		_, mine := d.workers[wh.ID]
		d.mu.Unlock()
		if mine || !wh.Enabled || (wh.LeaseOwner != "" && wh.LeaseOwner != d.o.Owner && wh.LeaseExpiresAt.After(time.Now())) {
			continue
		}
		start := time.Now()
		got, err := d.storage.AcquireWebhookLease(ctx, wh.ID, d.o.Owner, d.o.LeaseTTL)
		if err != nil {
			if !errors.Is(err, domain.ErrConflict) && !errors.Is(err, domain.ErrNotFound) && ctx.Err() == nil {
				d.log.Warn("webhooks: claiming failed", "webhook", wh.ID, "err", err)
			}
			continue
		}
		w := &worker{d: d, id: wh.ID, wh: got, poke: make(chan struct{}, 1)}
		w.renewed(start)
		d.mu.Lock()
		d.workers[wh.ID] = w
		d.mu.Unlock()
		d.log.Info("webhook: delivering", "webhook", wh.ID, "after", got.DeliveredThrough)
		wg.Go(func() {
			defer func() {
				d.mu.Lock()
				delete(d.workers, w.id)
				d.mu.Unlock()
			}()
			w.run(ctx)
		})
	}
}

// poke makes this instance's worker of webhook id, if any, read its webhook again now.
func (d *Dispatcher) poke(id string) {
	d.mu.Lock()
	w := d.workers[id]
	d.mu.Unlock()
	if w != nil {
		select {
		case w.poke <- struct{}{}:
		default:
		}
	}
}

// checkURL refuses, unless private addresses are allowed, a URL naming a host that
// cannot be public.
func (d *Dispatcher) checkURL(raw string) error {
	if d.o.AllowPrivate {
		return nil
	}
	if err := CheckURL(raw); err != nil {
		return &domain.ValidationError{Fields: []domain.FieldError{{Field: "url",
			Message: "must reach a public address; " + err.Error()}}}
	}
	return nil
}

// CreateWebhook registers a webhook (Storage.CreateWebhook) after checking its URL's
// address, and starts delivering it. It returns the webhook and its secret, shown this
// once. Invalid input, a non-public address included, is a *domain.ValidationError; a
// database failure domain.ErrUnavailable.
func (d *Dispatcher) CreateWebhook(ctx context.Context, in CreateWebhookInput) (*Webhook, string, error) {
	if err := d.checkURL(in.URL); err != nil {
		return nil, "", err
	}
	w, secret, err := d.storage.CreateWebhook(ctx, in)
	if err == nil {
		d.Refresh()
	}
	return w, secret, err
}

// UpdateWebhook changes a webhook (Storage.UpdateWebhook) after checking a new URL's
// address; a worker of this instance applies the change at once, one of another instance
// at its next lease renewal. It returns the webhook and, when rotated, the new secret.
// Errors are those of Storage.UpdateWebhook.
func (d *Dispatcher) UpdateWebhook(ctx context.Context, in UpdateWebhookInput) (*Webhook, string, error) {
	if u, ok := in.URL.ValueOK(); ok && u != nil {
		if err := d.checkURL(*u); err != nil {
			return nil, "", err
		}
	}
	w, secret, err := d.storage.UpdateWebhook(ctx, in)
	if err == nil {
		d.poke(in.ID)
		d.Refresh()
	}
	return w, secret, err
}

// DeleteWebhook removes a webhook (Storage.DeleteWebhook). This instance's worker stops at
// once, another instance's at its next lease renewal; a POST already in flight completes.
// A missing webhook is domain.ErrNotFound.
func (d *Dispatcher) DeleteWebhook(ctx context.Context, id string) error {
	err := d.storage.DeleteWebhook(ctx, id)
	if err == nil {
		d.poke(id)
	}
	return err
}

// backoff returns the wait before the retry that follows failures failed attempts: between
// half and all of MinBackoff·2^(failures−1), capped at MaxBackoff. The jitter keeps
// webhooks that failed together from retrying in step.
func (d *Dispatcher) backoff(failures int) time.Duration {
	b := d.o.MinBackoff
	for i := 1; i < failures && b < d.o.MaxBackoff; i++ {
		b *= 2
	}
	b = min(b, d.o.MaxBackoff)
	return b/2 + mrand.N(b/2+1)
}
