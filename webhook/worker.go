package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/domain"
)

var (
	// errStop ends a worker: the webhook was disabled or deleted, or the lease is lost.
	errStop = errors.New("webhook no longer delivered by this instance")
	// errReload makes a worker follow the feed again from the webhook as now stored: an
	// administrator changed it.
	errReload = errors.New("webhook configuration changed")
)

// maxResponse is how much of a receiver's response is read (and discarded), so the
// connection can be reused without reading an endless body.
const maxResponse = 64 << 10

// worker delivers one webhook while this instance holds its lease. Only its own goroutine
// touches it, except poke.
type worker struct {
	d      *Dispatcher
	id     string
	wh     *Webhook // as the database last returned it
	secret string   // "" until read, and again after a change of configuration

	leaseUntil time.Time // when the lease ends unless renewed, by this instance's clock
	renewAt    time.Time
	// passed is the last change seen that the webhook's types leave out; the position
	// moves past it at the next renewal.
	passed int64
	poke   chan struct{}
}

// renewed notes that the lease was extended by a request sent at start.
func (w *worker) renewed(start time.Time) {
	w.leaseUntil = start.Add(w.d.o.LeaseTTL)
	w.renewAt = start.Add(w.d.o.LeaseTTL / 3)
}

// run delivers until ctx ends or the webhook is no longer this instance's, then releases
// the lease.
func (w *worker) run(ctx context.Context) {
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := w.d.storage.ReleaseWebhookLease(rctx, w.id, w.d.o.Owner); err != nil {
			w.d.log.Warn("webhook: releasing the lease failed", "webhook", w.id, "err", err)
		}
	}()
	for ctx.Err() == nil {
		err := w.follow(ctx)
		switch {
		case ctx.Err() != nil || errors.Is(err, errStop):
			return
		case errors.Is(err, errReload), errors.Is(err, changefeed.ErrTooSlow):
			continue // follow again from the stored position
		case !errors.Is(err, changefeed.ErrClosed): // closed: the server is stopping
			w.d.log.Warn("webhook: reading the change feed failed; retrying", "webhook", w.id, "err", err)
		}
		if err := w.pause(ctx, time.Now().Add(w.d.o.MinBackoff)); err != nil && !errors.Is(err, errReload) {
			return
		}
	}
}

// follow reads the feed after the webhook's position and delivers each matching change,
// until an error says why it must stop or start again.
func (w *worker) follow(ctx context.Context) error {
	if w.secret == "" {
		secret, err := w.d.storage.WebhookSecret(ctx, w.id)
		if errors.Is(err, domain.ErrNotFound) {
			return errStop
		}
		if err != nil {
			return err
		}
		w.secret = secret
	}
	w.passed = w.wh.DeliveredThrough
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The whole feed, not only the webhook's types: seeing the other changes lets the
	// position move past them.
	feed, err := w.d.o.Feed.Follow(fctx, w.wh.DeliveredThrough, nil)
	if err != nil {
		return w.feedFailed(ctx, err)
	}
	types := domain.FeedEntities(w.wh.Types)
	for {
		c, err := w.next(ctx, feed, nil)
		switch {
		case err != nil:
			return err
		case c.Err != nil:
			return w.feedFailed(ctx, c.Err)
		case c.Seq <= w.wh.DeliveredThrough:
		case len(types) > 0 && !slices.Contains(types, c.Entity):
			w.passed = c.Seq
		default:
			if err := w.deliver(ctx, c); err != nil {
				return err
			}
		}
	}
}

// feedFailed handles an error reading the feed. When retention removed changes the
// webhook has not delivered, it says so in the webhook's status and waits for an
// administrator to move the position: skipping is never automatic.
func (w *worker) feedFailed(ctx context.Context, err error) error {
	if !errors.Is(err, domain.ErrCursorExpired) {
		return err
	}
	w.d.log.Error("webhook: undelivered changes were removed by the change feed's retention; an administrator must set resumeAfter",
		"webhook", w.id, "deliveredThrough", w.wh.DeliveredThrough)
	now := time.Now().UTC().Truncate(time.Millisecond)
	st := w.wh.WebhookStatus
	msg := fmt.Sprintf("changes after seq %d were removed by the change feed's retention before they were delivered; set resumeAfter to go on", st.DeliveredThrough)
	st.LastAttemptAt, st.LastStatusCode, st.LastError, st.Failing, st.NextAttemptAt = &now, nil, &msg, true, nil
	if st.FailingSince == nil {
		st.FailingSince = &now
	}
	if err := w.record(ctx, st); err != nil {
		return err
	}
	// Only a change of configuration (or losing the webhook) ends the wait.
	return w.pause(ctx, time.Now().Add(100*365*24*time.Hour))
}

// deliver sends change c until the receiver acknowledges it, recording every attempt.
func (w *worker) deliver(ctx context.Context, c *domain.Change) error {
	for {
		if next := w.wh.NextAttemptAt; next != nil {
			if err := w.pause(ctx, *next); err != nil {
				return err
			}
		}
		if time.Now().After(w.leaseUntil) {
			// The lease could not be renewed in time: another instance may have it now.
			return errStop
		}
		code, problem := w.attempt(ctx, c)
		if problem != "" && ctx.Err() != nil {
			return ctx.Err() // shutting down cancelled the request; it is not the receiver's failure
		}
		now := time.Now().UTC().Truncate(time.Millisecond)
		st := w.wh.WebhookStatus
		st.LastAttemptAt, st.LastStatusCode = &now, code
		if problem == "" {
			st.DeliveredThrough, st.LastSuccessAt, st.LastError = c.Seq, &now, nil
			st.ConsecutiveFailures, st.FailingSince, st.Failing, st.NextAttemptAt = 0, nil, false, nil
		} else {
			st.LastError = &problem
			st.ConsecutiveFailures++
			if st.FailingSince == nil {
				st.FailingSince = &now
			}
			st.Failing = now.Sub(*st.FailingSince) >= w.d.o.FailingAfter
			next := now.Add(w.d.backoff(st.ConsecutiveFailures))
			st.NextAttemptAt = &next
		}
		wasFailing := w.wh.Failing
		if err := w.record(ctx, st); err != nil {
			return err
		}
		switch {
		case st.Failing && !wasFailing:
			w.d.log.Error("webhook: failing", "webhook", w.id, "since", *st.FailingSince, "failures", st.ConsecutiveFailures, "err", problem)
		case !st.Failing && wasFailing:
			w.d.log.Info("webhook: delivering again", "webhook", w.id, "seq", c.Seq)
		}
		if problem == "" {
			return nil
		}
	}
}

// attempt POSTs change c once. It returns the response's status (nil without one) and,
// when the attempt failed, a short description of why.
func (w *worker) attempt(ctx context.Context, c *domain.Change) (*int, string) {
	body, err := w.payload(ctx, c)
	if errors.Is(err, domain.ErrUnavailable) {
		return nil, "the record could not be read: the database did not answer"
	}
	if err != nil {
		return nil, "the record could not be read"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.wh.URL, bytes.NewReader(body))
	if err != nil {
		return nil, "the URL cannot be requested"
	}
	seq := strconv.FormatInt(c.Seq, 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ParticipationGraph-Webhook/1")
	req.Header.Set(SignatureHeader, Sign(w.secret, time.Now(), body))
	req.Header.Set(DeliveryHeader, DeliveryID(w.id, c.Seq))
	req.Header.Set(SeqHeader, seq)
	req.Header.Set(WebhookHeader, w.id)
	resp, err := w.d.client.Do(req)
	if err != nil {
		return nil, describe(err, w.d.o.Timeout)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	_ = resp.Body.Close()
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		return &code, ""
	case code >= 300 && code < 400:
		return &code, fmt.Sprintf("HTTP %d: redirects are not followed; register the final URL", code)
	}
	return &code, fmt.Sprintf("HTTP %d %s", code, http.StatusText(code))
}

// payload returns the body that delivers change c: the record is read now, so a retry
// sends it as it is then (and withholds it if it became restricted meanwhile).
func (w *worker) payload(ctx context.Context, c *domain.Change) ([]byte, error) {
	p := Payload{ID: DeliveryID(w.id, c.Seq), WebhookID: w.id, Cursor: domain.EncodeChangeCursor(c.Seq), Seq: c.Seq,
		Kind: string(c.Op), Entity: string(domain.ChangeEntityOf(c.Entity)), EntityID: c.EntityID, At: c.At.UTC(),
		Node: json.RawMessage("null")}
	recs, errs := w.d.o.Store.Node(ctx, []string{c.EntityID})
	switch {
	case errs[0] != nil && !domain.IsNotFound(errs[0]):
		return nil, errs[0]
	case errs[0] != nil:
	case domain.IsRestricted(recs[0]) && !w.wh.IncludeRestricted:
		p.Restricted = true
	default:
		node, err := RecordJSON(recs[0])
		if err != nil {
			return nil, err
		}
		p.Node = node
	}
	return json.Marshal(p)
}

// record stores the status after an attempt from the current position. A record refused
// because the position moved (an administrator did it) makes the worker reload; one
// refused because the lease is gone stops it. The write is made even while shutting
// down, so an acknowledged change is not sent again.
func (w *worker) record(ctx context.Context, st WebhookStatus) error {
	start := time.Now()
	wh, err := w.d.storage.RecordWebhookAttempt(context.WithoutCancel(ctx), w.id, w.d.o.Owner, w.wh.DeliveredThrough, st, w.d.o.LeaseTTL)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return errStop
	case errors.Is(err, domain.ErrConflict):
		if err := w.renew(ctx); err != nil {
			return err
		}
		return errReload
	case err != nil:
		return err
	}
	w.renewed(start)
	return w.apply(wh)
}

// renew extends the lease, moving the position past changes the webhook's types left out
// when there are any, and picks up changes of configuration.
func (w *worker) renew(ctx context.Context) error {
	start := time.Now()
	var wh *Webhook
	var err error
	if w.passed > w.wh.DeliveredThrough {
		st := w.wh.WebhookStatus
		st.DeliveredThrough = w.passed
		wh, err = w.d.storage.RecordWebhookAttempt(ctx, w.id, w.d.o.Owner, w.wh.DeliveredThrough, st, w.d.o.LeaseTTL)
		if errors.Is(err, domain.ErrConflict) {
			// Perhaps the position was moved: a plain renewal tells that from a lost lease.
			wh, err = w.d.storage.RenewWebhookLease(ctx, w.id, w.d.o.Owner, w.d.o.LeaseTTL)
		}
	} else {
		wh, err = w.d.storage.RenewWebhookLease(ctx, w.id, w.d.o.Owner, w.d.o.LeaseTTL)
	}
	switch {
	case errors.Is(err, domain.ErrNotFound), errors.Is(err, domain.ErrConflict):
		return errStop
	case err != nil:
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The database did not answer: try again soon, while the lease lasts.
		w.d.log.Warn("webhook: renewing the lease failed", "webhook", w.id, "err", err)
		if time.Now().After(w.leaseUntil) {
			return errStop
		}
		w.renewAt = time.Now().Add(time.Second)
		return nil
	}
	w.renewed(start)
	return w.apply(wh)
}

// apply takes the webhook as the database returned it.
func (w *worker) apply(wh *Webhook) error {
	prev := w.wh
	w.wh = wh
	switch {
	case !wh.Enabled:
		return errStop
	case wh.Version != prev.Version:
		w.secret = "" // it may have been rotated
		return errReload
	}
	return nil
}

// pause waits until t, renewing the lease meanwhile.
func (w *worker) pause(ctx context.Context, t time.Time) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	_, err := w.next(ctx, nil, timer.C)
	return err
}

// next waits for a change on feed, or for until (then it returns no change), renewing
// the lease when it is due or the worker is poked. It returns an error when ctx ends, the
// feed ends, or the renewal says the worker must stop or reload.
func (w *worker) next(ctx context.Context, feed <-chan *domain.Change, until <-chan time.Time) (*domain.Change, error) {
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-until:
			return nil, nil
		case c, ok := <-feed:
			if !ok {
				return nil, errors.New("change feed ended")
			}
			return c, nil
		case <-time.After(time.Until(w.renewAt)):
		case <-w.poke:
		}
		if err := w.renew(ctx); err != nil {
			return nil, err
		}
	}
}
