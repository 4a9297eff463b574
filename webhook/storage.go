package webhook

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/store"
)

const webhooksCollection = "webhooks"

// WebhookState says whether a webhook is being delivered.
type WebhookState string

// The states of a webhook.
const (
	// WebhookActive: changes are delivered (a few failed attempts may be being retried).
	WebhookActive WebhookState = "ACTIVE"
	// WebhookFailing: deliveries have failed for longer than the dispatcher tolerates. The
	// change is still retried, at the longest backoff, and nothing is skipped; the first
	// success makes the webhook ACTIVE again.
	WebhookFailing WebhookState = "FAILING"
	// WebhookDisabled: an administrator stopped delivery; enabling the webhook resumes it
	// from where it stopped.
	WebhookDisabled WebhookState = "DISABLED"
)

// WebhookStates lists the webhook states.
var WebhookStates = domain.EnumValues[WebhookState]{WebhookActive, WebhookFailing, WebhookDisabled}

// MarshalGQL writes the state as a GraphQL enum value.
func (e WebhookState) MarshalGQL(w io.Writer) { domain.WriteEnum(w, string(e)) }

// UnmarshalGQL reads a GraphQL enum value; an unknown one is an *InputError.
func (e *WebhookState) UnmarshalGQL(v any) error {
	return WebhookStates.Unmarshal(v, e, "WebhookState")
}

// Webhook is an endpoint that receives the change feed, with its delivery status. It
// never carries the secret.
type Webhook struct {
	ID  string `bson:"_id"`
	URL string `bson:"url"`
	// Types are the ChangeEntity names whose changes are delivered; empty means all.
	Types []domain.Entity `bson:"types"`
	// IncludeRestricted sends RESTRICTED decision events and reflections in full; without
	// it their changes carry no record.
	IncludeRestricted bool      `bson:"includeRestricted"`
	Description       *string   `bson:"description,omitempty"`
	Enabled           bool      `bson:"enabled"`
	Version           int       `bson:"version"`
	CreatedAt         time.Time `bson:"createdAt"`
	UpdatedAt         time.Time `bson:"updatedAt"`
	WebhookStatus     `bson:",inline"`
	// LeaseOwner names the server instance delivering this webhook ("" when none) until
	// LeaseExpiresAt.
	LeaseOwner     string    `bson:"leaseOwner"`
	LeaseExpiresAt time.Time `bson:"leaseExpiresAt"`
}

// WebhookStatus is where a webhook's delivery stands. Only the lease holder writes it,
// with RecordWebhookAttempt; nothing in it is secret.
type WebhookStatus struct {
	// DeliveredThrough is the seq of the last change the receiver acknowledged (or that
	// was passed over because it did not match Types); delivery resumes after it.
	DeliveredThrough int64      `bson:"deliveredThrough"`
	LastAttemptAt    *time.Time `bson:"lastAttemptAt"`
	LastSuccessAt    *time.Time `bson:"lastSuccessAt"`
	// LastStatusCode is the HTTP status of the last attempt, nil when it got no response.
	LastStatusCode *int `bson:"lastStatusCode"`
	// LastError says briefly why the last failed attempt failed; it never holds a secret
	// or the URL's query.
	LastError           *string `bson:"lastError"`
	ConsecutiveFailures int     `bson:"consecutiveFailures"`
	// FailingSince is when the current run of failures began.
	FailingSince *time.Time `bson:"failingSince"`
	// Failing is set once failures have lasted longer than the dispatcher tolerates.
	Failing bool `bson:"failing"`
	// NextAttemptAt is when the change after DeliveredThrough is tried again after a
	// failure; nil means at once.
	NextAttemptAt *time.Time `bson:"nextAttemptAt"`
}

// State returns DISABLED when an administrator disabled the webhook, FAILING when its
// deliveries have failed for too long, and ACTIVE otherwise.
func (w *Webhook) State() WebhookState {
	switch {
	case !w.Enabled:
		return WebhookDisabled
	case w.Failing:
		return WebhookFailing
	}
	return WebhookActive
}

// webhookDoc is the stored document: the webhook and its secret.
type webhookDoc struct {
	Webhook `bson:",inline"`
	Secret  string `bson:"secret"`
}

// CreateWebhookInput is what an administrator registers.
type CreateWebhookInput struct {
	// URL is the absolute http or https URL the changes are POSTed to.
	URL string
	// Types are ChangeEntity names to deliver (empty: all).
	Types             []domain.Entity
	IncludeRestricted bool
	Description       *string
	// Secret signs the deliveries; when nil a random one is generated. It is returned
	// once, by CreateWebhook.
	Secret *string
	// StartAfter is the feed position after which changes are delivered; nil means the
	// feed's current end (only changes from now on).
	StartAfter *int64
}

// UpdateWebhookInput changes a webhook; omitted fields stay as they are. Any update also
// ends the current run of failures, so the next change is tried at once.
type UpdateWebhookInput struct {
	ID                string
	ExpectedVersion   *int
	URL               graphql.Omittable[*string]
	Types             graphql.Omittable[[]domain.Entity]
	IncludeRestricted graphql.Omittable[*bool]
	Enabled           graphql.Omittable[*bool]
	Description       graphql.Omittable[*string]
	// RotateSecret replaces the secret with a new random one, returned by UpdateWebhook.
	RotateSecret bool
	// ResumeAfter moves the delivery position: the next change delivered is the first
	// after this seq. It is how an administrator deliberately skips (or replays) changes,
	// for instance after the feed's retention removed changes a failing webhook still had
	// to deliver.
	ResumeAfter *int64
}

const webhookPrefix = "whk_"

func isWebhookID(id string) bool {
	rest, ok := strings.CutPrefix(id, webhookPrefix)
	if !ok || len(rest) != 24 {
		return false
	}
	_, err := hex.DecodeString(rest)
	return err == nil
}

// NewWebhookSecret returns a fresh random signing secret (256 bits, "whsec_" and
// base64url). It fails only if the system's random source does.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// fields names what an update sets, for the audit trail.
func (in UpdateWebhookInput) fields() []string {
	var f []string
	for name, set := range map[string]bool{"url": in.URL.IsSet(), "types": in.Types.IsSet(), "includeRestricted": in.IncludeRestricted.IsSet(),
		"enabled": in.Enabled.IsSet(), "description": in.Description.IsSet(), "secret": in.RotateSecret, "deliveredThrough": in.ResumeAfter != nil} {
		if set {
			f = append(f, name)
		}
	}
	slices.Sort(f)
	return f
}

// checkWebhook checks a webhook's configuration, trimming it and dropping repeated types.
func checkWebhook(v *domain.Validator, w *Webhook) {
	w.URL = strings.TrimSpace(w.URL)
	u, err := url.Parse(w.URL)
	switch {
	case w.URL == "":
		v.Add("url", "is required")
	case len(w.URL) > 2000:
		v.Add("url", "must be at most 2000 characters")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "":
		v.Add("url", "must be an absolute http or https URL, for example https://example.org/hooks/participation")
	case u.Fragment != "":
		v.Add("url", "must not have a fragment (#…)")
	}
	seen := map[domain.Entity]bool{}
	var types []domain.Entity
	for i, t := range w.Types {
		switch {
		case !domain.ChangeEntities.Valid(t):
			v.Add(fmt.Sprintf("types[%d]", i), "%q is not a ChangeEntity; use one of %v", t, []domain.Entity(domain.ChangeEntities))
		case !seen[t]:
			seen[t] = true
			types = append(types, t)
		}
	}
	w.Types = types
	if w.Types == nil {
		w.Types = []domain.Entity{}
	}
	v.TextUpTo("description", &w.Description, domain.MaxName)
}

func checkWebhookSecret(v *domain.Validator, s *string) {
	if s == nil {
		return
	}
	if n := len(*s); n < 16 || n > 200 || strings.TrimSpace(*s) != *s {
		v.Add("secret", "must be 16 to 200 characters without surrounding spaces; leave it out to have a strong one generated")
	}
}

// Webhooks are integrators' HTTP endpoints that receive the change feed (the webhook
// package delivers it). A webhook is administrative configuration, not a record: an
// administrator's writes (create, update, delete) go through commit, which audits them
// exactly once but keeps them out of the change feed (see store.AdminWrite); the
// deliverer's bookkeeping (leases, attempts) is neither audited nor in the feed.
//
// One document per webhook holds its configuration, its signing secret (kept as is,
// because signing needs it, and never returned after creation), its delivery position and
// status, and a lease naming the server instance that delivers it and until when. Every
// write to a webhook document is one findOneAndUpdate whose filter says what the writer
// relies on (the lease is free or expired, the lease is still the writer's, the position
// is still the one it delivered from), so an instance that lost its lease records
// nothing. MongoDB applies such a write atomically; FerretDB v1 checks the filter and
// writes in two steps, so there each write runs under the record lock (ferretdb.go), which
// makes it atomic across every instance that shares the database.

// Storage keeps webhooks in their collection of the store, through store.Documents.
type Storage struct {
	store *store.Store
	docs  *store.Documents
}

// NewStorage opens the webhooks of s and creates their index (lists are ordered by
// creation) unless it exists.
func NewStorage(ctx context.Context, s *store.Store) (*Storage, error) {
	st := &Storage{store: s, docs: s.Documents(webhooksCollection, domain.EntityWebhook)}
	if err := st.docs.EnsureIndex(ctx, "createdAt", "_id"); err != nil {
		return nil, err
	}
	return st, nil
}

// CreateWebhook validates and stores a new, enabled webhook and returns it with its
// secret, which is never returned again. Invalid input is a *ValidationError; a database
// failure ErrUnavailable.
func (s *Storage) CreateWebhook(ctx context.Context, in CreateWebhookInput) (*Webhook, string, error) {
	if err := domain.RequireAdmin(ctx, "registering a webhook"); err != nil {
		return nil, "", err
	}
	now := s.docs.Now()
	w := Webhook{ID: webhookPrefix + bson.NewObjectID().Hex(), URL: in.URL, Types: slices.Clone(in.Types),
		IncludeRestricted: in.IncludeRestricted, Description: in.Description, Enabled: true, Version: 1,
		CreatedAt: now, UpdatedAt: now, LeaseExpiresAt: now}
	v := s.store.Validator()
	checkWebhook(v, &w)
	checkWebhookSecret(v, in.Secret)
	if in.StartAfter != nil {
		if err := s.checkPosition(ctx, v, "startAfter", *in.StartAfter); err != nil {
			return nil, "", err
		}
		w.DeliveredThrough = *in.StartAfter
	} else {
		last, err := s.store.LastSeq(ctx)
		if err != nil {
			return nil, "", err
		}
		w.DeliveredThrough = last
	}
	if err := v.Err(ctx); err != nil {
		return nil, "", err
	}
	secret := ""
	if in.Secret != nil {
		secret = *in.Secret
	} else {
		var err error
		if secret, err = NewSecret(); err != nil {
			return nil, "", err
		}
	}
	insert := func(ctx context.Context) error { return s.docs.Insert(ctx, webhookDoc{Webhook: w, Secret: secret}) }
	// The audit names the secret among the fields set, never its value.
	if err := s.docs.Commit(ctx, store.AdminWrite{Op: domain.OpCreated, ID: w.ID, Version: w.Version, Store: insert,
		Operation: "createWebhook", Fields: []string{"url", "types", "includeRestricted", "description", "secret"}}); err != nil {
		return nil, "", err
	}
	return &w, secret, nil
}

// GetWebhook returns a webhook with its status. A missing webhook is ErrNotFound; a
// database failure ErrUnavailable.
func (s *Storage) GetWebhook(ctx context.Context, id string) (*Webhook, error) {
	if err := domain.RequireAdmin(ctx, "reading webhooks"); err != nil {
		return nil, err
	}
	var w Webhook
	if err := s.findWebhook(ctx, id, &w); err != nil {
		return nil, err
	}
	return &w, nil
}

// WebhookSecret returns a webhook's signing secret, for the deliverer to sign with; it must
// never be shown. A missing webhook is ErrNotFound; a database failure ErrUnavailable.
func (s *Storage) WebhookSecret(ctx context.Context, id string) (string, error) {
	var d webhookDoc
	if err := s.findWebhook(ctx, id, &d); err != nil {
		return "", err
	}
	return d.Secret, nil
}

func (s *Storage) findWebhook(ctx context.Context, id string, dst any) error {
	if !isWebhookID(id) {
		return fmt.Errorf("webhook %q: %w", id, domain.ErrNotFound)
	}
	err := s.docs.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, dst)
	if domain.IsNotFound(err) {
		return fmt.Errorf("webhook %q: %w", id, domain.ErrNotFound)
	}
	return err
}

// ListWebhooks returns every webhook with its status, oldest first. There are few, so the
// list is not paged. A database failure is ErrUnavailable.
func (s *Storage) ListWebhooks(ctx context.Context) ([]*Webhook, error) {
	if err := domain.RequireAdmin(ctx, "reading webhooks"); err != nil {
		return nil, err
	}
	out := []*Webhook{}
	err := s.docs.Find(ctx, bson.D{}, bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}, &out, "secret")
	return out, err
}

// UpdateWebhook applies an update and returns the webhook, with the new secret when
// RotateSecret was asked (otherwise ""). A missing webhook is ErrNotFound, a stale
// ExpectedVersion ErrConflict, invalid input a *ValidationError.
func (s *Storage) UpdateWebhook(ctx context.Context, in UpdateWebhookInput) (*Webhook, string, error) {
	if err := domain.RequireAdmin(ctx, "changing a webhook"); err != nil {
		return nil, "", err
	}
	for attempt := 0; ; attempt++ {
		w, secret, err := s.updateWebhookOnce(ctx, in)
		if errors.Is(err, store.ErrStale) && in.ExpectedVersion == nil && attempt < store.MaxRetries {
			continue // the lease holder recorded an attempt in between: apply again
		}
		if errors.Is(err, store.ErrStale) {
			return nil, "", fmt.Errorf("%w: webhook %q changed while it was being updated; try again", domain.ErrConflict, in.ID)
		}
		return w, secret, err
	}
}

func (s *Storage) updateWebhookOnce(ctx context.Context, in UpdateWebhookInput) (*Webhook, string, error) {
	w, err := s.GetWebhook(ctx, in.ID)
	if err != nil {
		return nil, "", err
	}
	if in.ExpectedVersion != nil && *in.ExpectedVersion != w.Version {
		return nil, "", fmt.Errorf("%w: webhook %q is at version %d, not the expected %d; read it again and reapply your change",
			domain.ErrConflict, in.ID, w.Version, *in.ExpectedVersion)
	}
	prev, pos := w.Version, w.DeliveredThrough
	v := s.store.Validator()
	if u, ok := in.URL.ValueOK(); ok {
		if u == nil {
			v.Add("url", "must not be null")
		} else {
			w.URL = *u
		}
	}
	if t, ok := in.Types.ValueOK(); ok {
		w.Types = slices.Clone(t)
	}
	if b, ok := in.IncludeRestricted.ValueOK(); ok && b != nil {
		w.IncludeRestricted = *b
	}
	if b, ok := in.Enabled.ValueOK(); ok && b != nil {
		w.Enabled = *b
	}
	domain.Patch(&w.Description, in.Description)
	checkWebhook(v, w)
	if in.ResumeAfter != nil {
		if err := s.checkPosition(ctx, v, "resumeAfter", *in.ResumeAfter); err != nil {
			return nil, "", err
		}
		w.DeliveredThrough = *in.ResumeAfter
	}
	if err := v.Err(ctx); err != nil {
		return nil, "", err
	}
	w.Version, w.UpdatedAt = prev+1, s.docs.Now()
	set := bson.D{{Key: "url", Value: w.URL}, {Key: "types", Value: w.Types}, {Key: "includeRestricted", Value: w.IncludeRestricted},
		{Key: "enabled", Value: w.Enabled}, {Key: "description", Value: w.Description}, {Key: "deliveredThrough", Value: w.DeliveredThrough},
		{Key: "version", Value: w.Version}, {Key: "updatedAt", Value: w.UpdatedAt},
		{Key: "consecutiveFailures", Value: 0}, {Key: "failing", Value: false}, {Key: "failingSince", Value: nil}, {Key: "nextAttemptAt", Value: nil}}
	secret := ""
	if in.RotateSecret {
		if secret, err = NewSecret(); err != nil {
			return nil, "", err
		}
		set = append(set, bson.E{Key: "secret", Value: secret})
	}
	// The filter on version and position keeps a lease holder's concurrent record of an
	// attempt from being overwritten with what was read before it.
	var updated *Webhook
	modify := func(ctx context.Context) error {
		var err error
		updated, err = s.modifyWebhook(ctx, in.ID, bson.D{{Key: "version", Value: prev}, {Key: "deliveredThrough", Value: pos}},
			bson.D{{Key: "$set", Value: set}}, store.ErrStale)
		return err
	}
	if err := s.docs.Commit(ctx, store.AdminWrite{Op: domain.OpUpdated, ID: w.ID, Version: w.Version, Prev: prev, Store: modify,
		Operation: "updateWebhook", Fields: in.fields()}); err != nil {
		return nil, "", err
	}
	return updated, secret, nil
}

// DeleteWebhook removes a webhook; an instance delivering it stops at its next lease
// renewal (a POST already in flight still completes). A missing webhook is ErrNotFound.
func (s *Storage) DeleteWebhook(ctx context.Context, id string) error {
	if err := domain.RequireAdmin(ctx, "deleting a webhook"); err != nil {
		return err
	}
	if !isWebhookID(id) {
		return fmt.Errorf("webhook %q: %w", id, domain.ErrNotFound)
	}
	unlock, err := s.docs.Lock(ctx, id)
	if err != nil {
		return err
	}
	defer unlock()
	w, err := s.GetWebhook(ctx, id)
	if err != nil {
		return err
	}
	remove := func(ctx context.Context) error {
		err := s.docs.Delete(ctx, bson.D{{Key: "_id", Value: id}})
		if domain.IsNotFound(err) {
			return fmt.Errorf("webhook %q: %w", id, domain.ErrNotFound)
		}
		return err
	}
	// A deletion is recorded at version 0, which no stored webhook has; its intent and
	// audit entry are keyed by it, so a webhook is deleted at most once.
	err = s.docs.Commit(ctx, store.AdminWrite{Op: domain.OpDeleted, ID: id, Prev: w.Version, Store: remove, Operation: "deleteWebhook"})
	if errors.Is(err, store.ErrStale) {
		return fmt.Errorf("%w: webhook %q is being deleted; try again", domain.ErrConflict, id)
	}
	return err
}

// AcquireWebhookLease makes owner the instance that delivers webhook id, until ttl from
// now, when the webhook is enabled and no other owner holds an unexpired lease (taking
// one's own lease again renews it). It returns the  ErrConflict means another
// instance holds the lease or the webhook is disabled; ErrNotFound that it does not exist.
func (s *Storage) AcquireWebhookLease(ctx context.Context, id, owner string, ttl time.Duration) (*Webhook, error) {
	now := s.docs.Now()
	filter := bson.D{{Key: "enabled", Value: true}, {Key: "$or", Value: bson.A{
		bson.D{{Key: "leaseOwner", Value: owner}},
		bson.D{{Key: "leaseOwner", Value: ""}},
		bson.D{{Key: "leaseExpiresAt", Value: bson.D{{Key: "$lte", Value: now}}}},
	}}}
	return s.modifyWebhook(ctx, id, filter, leaseUpdate(owner, now.Add(ttl)),
		fmt.Errorf("%w: webhook %q is delivered by another instance or disabled", domain.ErrConflict, id))
}

// RenewWebhookLease extends owner's lease of webhook id to ttl from now and returns the
// webhook as it is now (the holder learns of configuration changes this way).
// ErrConflict means owner no longer holds the lease; ErrNotFound that the webhook was
// deleted.
func (s *Storage) RenewWebhookLease(ctx context.Context, id, owner string, ttl time.Duration) (*Webhook, error) {
	return s.modifyWebhook(ctx, id, bson.D{{Key: "leaseOwner", Value: owner}}, leaseUpdate(owner, s.docs.Now().Add(ttl)),
		fmt.Errorf("%w: webhook %q: lease lost", domain.ErrConflict, id))
}

// ReleaseWebhookLease gives up owner's lease of webhook id, so another instance may take
// it at once. A lease owner does not hold is left alone; it returns only database errors.
func (s *Storage) ReleaseWebhookLease(ctx context.Context, id, owner string) error {
	_, err := s.modifyWebhook(ctx, id, bson.D{{Key: "leaseOwner", Value: owner}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "leaseOwner", Value: ""}, {Key: "leaseExpiresAt", Value: s.docs.Now()}}}}, store.ErrStale)
	if errors.Is(err, store.ErrStale) || errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	return err
}

func leaseUpdate(owner string, until time.Time) bson.D {
	return bson.D{{Key: "$set", Value: bson.D{{Key: "leaseOwner", Value: owner}, {Key: "leaseExpiresAt", Value: until}}}}
}

// RecordWebhookAttempt stores the status after a delivery attempt by owner, which
// delivered from position prev (st.DeliveredThrough is the new position after a
// success), and extends owner's lease to ttl from now. It returns the webhook as it is
// now. ErrConflict means owner lost the lease or an administrator moved the position in
// the meantime (the attempt is then not recorded: read the webhook again); ErrNotFound
// that the webhook was deleted.
func (s *Storage) RecordWebhookAttempt(ctx context.Context, id, owner string, prev int64, st WebhookStatus, ttl time.Duration) (*Webhook, error) {
	raw, err := bson.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("webhook status: %w", err)
	}
	var set bson.D
	if err := bson.Unmarshal(raw, &set); err != nil {
		return nil, fmt.Errorf("webhook status: %w", err)
	}
	set = append(set, bson.E{Key: "leaseExpiresAt", Value: s.docs.Now().Add(ttl)})
	return s.modifyWebhook(ctx, id, bson.D{{Key: "leaseOwner", Value: owner}, {Key: "deliveredThrough", Value: prev}},
		bson.D{{Key: "$set", Value: set}},
		fmt.Errorf("%w: webhook %q: lease lost or delivery position moved", domain.ErrConflict, id))
}

// modifyWebhook applies update to webhook id if it also matches filter, and returns the
// result. No match is ErrNotFound when the webhook does not exist, otherwise mismatch.
func (s *Storage) modifyWebhook(ctx context.Context, id string, filter, update bson.D, mismatch error) (*Webhook, error) {
	if !isWebhookID(id) {
		return nil, fmt.Errorf("webhook %q: %w", id, domain.ErrNotFound)
	}
	unlock, err := s.docs.Lock(ctx, id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var w Webhook // which has no field for the secret
	err = s.docs.Update(ctx, append(bson.D{{Key: "_id", Value: id}}, filter...), update, &w)
	if domain.IsNotFound(err) {
		if _, gerr := s.GetWebhook(ctx, id); gerr != nil {
			return nil, gerr
		}
		return nil, mismatch
	}
	if err != nil {
		return nil, err
	}
	return &w, nil
}

// checkPosition checks a feed position an administrator gives: not past the feed's end, not
// before what retention kept.
func (s *Storage) checkPosition(ctx context.Context, v *domain.Validator, field string, seq int64) error {
	if seq < 0 {
		v.Add(field, "must not be negative")
		return nil
	}
	last, err := s.store.LastSeq(ctx)
	if err != nil {
		return err
	}
	if seq > last {
		v.Add(field, "is past the end of the change feed (%d)", last)
		return nil
	}
	err = s.store.CheckChangeCursor(ctx, seq)
	if errors.Is(err, domain.ErrCursorExpired) {
		v.Add(field, "is older than the changes the feed keeps")
		return nil
	}
	return err
}
