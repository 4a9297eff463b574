package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/participation-graph/participation-graph/auth"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/store"
	"github.com/participation-graph/participation-graph/webhook"
)

// auditOf returns the audit entries of record id.
func auditOf(t *testing.T, s *store.Store, id string) []*domain.AuditEntry {
	t.Helper()
	page, err := s.Audit.List(context.Background(), &domain.AuditFilter{RecordID: &id}, nil, store.PageArgs{First: ptr(100)})
	if err != nil {
		t.Fatal(err)
	}
	return page.Nodes()
}

// wantAudit checks that record id was audited exactly once for each of actions (written
// in the order of the writes), and returns the entries in that order.
func wantAudit(t *testing.T, s *store.Store, id string, actions ...string) []*domain.AuditEntry {
	t.Helper()
	// Two writes may share a millisecond, so order by the writes rather than by time.
	got := auditOf(t, s, id)
	order := func(a *domain.AuditEntry) int { return slices.Index(actions, a.Action) }
	slices.SortFunc(got, func(a, b *domain.AuditEntry) int { return order(a) - order(b) })
	var have []string
	for _, a := range got {
		have = append(have, a.Action)
	}
	if !slices.Equal(have, actions) {
		t.Errorf("audit of %s = %v, want %v", id, have, actions)
	}
	return got
}

// later opens s's database with a clock past the sweeper's age, so that every intent
// left is a dead writer's.
func later(t *testing.T, s *store.Store) *store.Store {
	t.Helper()
	ctx := context.Background()
	l, err := store.Open(ctx, store.Options{URI: dbtest.URI(t), Database: s.Name(),
		Now: func() time.Time { return time.Now().Add(2 * time.Minute) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close(ctx) })
	// The later process is a server, which opens the webhooks it delivers.
	if _, err := webhook.NewStorage(ctx, l); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestAdminWritesAreAuditedOnce: API keys and webhooks are written through the same
// intents as records, so each write is audited exactly once, even when the audit insert
// fails after the record is stored, and none of them reaches the change feed.
func TestAdminWritesAreAuditedOnce(t *testing.T) {
	s, _ := dbtest.Open(t)
	hooks, err := webhook.NewStorage(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	must[*domain.Museum](t)(s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "M", Kind: "MUSEUM"}))
	feedEnd := must[int64](t)(s.LastSeq(ctx))
	// create and change write each kind once; change completes, as it writes, the intents
	// create left, so each is run with audits failing on its own.
	create := func(t *testing.T) (key *auth.APIKey, hook, gone *webhook.Webhook) {
		t.Helper()
		key, secret, err := s.CreateAPIKey(ctx, auth.CreateAPIKeyInput{Name: "integrator", Role: domain.Researcher})
		if err != nil {
			t.Fatalf("CreateAPIKey: %v", err)
		}
		if c, err := auth.Authenticate(ctx, s, secret, ""); err != nil || c.KeyID != key.ID {
			t.Errorf("the key's secret authenticates %+v, %v; want key %s", c, err, key.ID)
		}
		hook, _, err = hooks.CreateWebhook(ctx, webhook.CreateWebhookInput{URL: "https://example.org/hook"})
		if err != nil {
			t.Fatalf("CreateWebhook: %v", err)
		}
		gone, _, err = hooks.CreateWebhook(ctx, webhook.CreateWebhookInput{URL: "https://example.org/gone"})
		if err != nil {
			t.Fatalf("CreateWebhook: %v", err)
		}
		return key, hook, gone
	}
	change := func(t *testing.T, key *auth.APIKey, hook, gone *webhook.Webhook) {
		t.Helper()
		if _, err := s.RevokeAPIKey(ctx, auth.RevokeAPIKeyInput{ID: key.ID}); err != nil {
			t.Fatalf("RevokeAPIKey: %v", err)
		}
		off := false
		if _, _, err := hooks.UpdateWebhook(ctx, webhook.UpdateWebhookInput{ID: hook.ID, Enabled: graphql.OmittableOf(&off), RotateSecret: true}); err != nil {
			t.Fatalf("UpdateWebhook: %v", err)
		}
		if err := hooks.DeleteWebhook(ctx, gone.ID); err != nil {
			t.Fatalf("DeleteWebhook: %v", err)
		}
	}
	// failing runs write with every audit insert failing (write fails the test if a write
	// fails), then checks that the sweeper completes its n intents, auditing each write once.
	failing := func(t *testing.T, n int, write func() []string) {
		t.Helper()
		s.FailAuditWrites(errors.New("audit_trail refused the insert"))
		ids := write()
		s.FailAuditWrites(nil)
		before := map[string]int{}
		for _, id := range ids {
			before[id] = len(auditOf(t, s, id))
		}
		sweeper := later(t, s)
		if got, err := sweeper.SweepIntents(ctx); err != nil || got != n {
			t.Fatalf("sweep = %d, %v; want %d intents completed", got, err, n)
		}
		if got, err := sweeper.SweepIntents(ctx); err != nil || got != 0 {
			t.Errorf("second sweep = %d, %v; want nothing left", got, err)
		}
		for _, id := range ids {
			if got := len(auditOf(t, s, id)); got != before[id]+1 {
				t.Errorf("%s: %d audit entries after the sweep, want %d", id, got, before[id]+1)
			}
		}
	}
	check := func(t *testing.T, key *auth.APIKey, hook, gone *webhook.Webhook) {
		t.Helper()
		k := wantAudit(t, s, key.ID, "CREATED", "REVOKED")
		if len(k) == 2 && (!slices.Equal(k[0].Fields, []string{"name", "role", "museumIds"}) || k[0].Operation != "createApiKey" ||
			k[1].RecordVersion != 2 || k[1].Operation != "revokeApiKey") {
			t.Errorf("API key audited as %+v, %+v; want its field names (no hash), operations and versions 1, 2", k[0], k[1])
		}
		h := wantAudit(t, s, hook.ID, "CREATED", "UPDATED")
		if len(h) == 2 && (h[0].Entity != domain.EntityWebhook || !slices.Equal(h[1].Fields, []string{"enabled", "secret"}) ||
			h[1].RecordVersion != 2 || h[1].Operation != "updateWebhook") {
			t.Errorf("webhook audited as %+v, %+v; want the names of the fields updated and version 2", h[0], h[1])
		}
		g := wantAudit(t, s, gone.ID, "CREATED", "DELETED")
		if len(g) == 2 && (g[1].RecordVersion != 0 || g[1].Operation != "deleteWebhook") {
			t.Errorf("deletion audited as %+v, want version 0 and deleteWebhook", g[1])
		}
		// Administrative writes are not in the change feed, so no reader of it sees them.
		if end := must[int64](t)(s.LastSeq(ctx)); end != feedEnd {
			t.Errorf("the feed grew from %d to %d with API key and webhook writes only", feedEnd, end)
		}
	}

	t.Run("OK", func(t *testing.T) {
		key, hook, gone := create(t)
		change(t, key, hook, gone)
		check(t, key, hook, gone)
		if n, err := later(t, s).SweepIntents(ctx); err != nil || n != 0 {
			t.Errorf("sweep = %d, %v; want no intent left", n, err)
		}
	})

	t.Run("AuditFails", func(t *testing.T) {
		var key *auth.APIKey
		var hook, gone *webhook.Webhook
		failing(t, 3, func() []string {
			key, hook, gone = create(t)
			return []string{key.ID, hook.ID, gone.ID}
		})
		failing(t, 3, func() []string {
			change(t, key, hook, gone)
			return []string{key.ID, hook.ID, gone.ID}
		})
		if _, err := hooks.GetWebhook(ctx, gone.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("deleted webhook: %v, want ErrNotFound", err)
		}
		check(t, key, hook, gone)
	})

	t.Run("DiedBeforeTheRecordWrite", func(t *testing.T) {
		id, err := s.DieBeforeAPIKeyWrite(ctx, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if n, err := later(t, s).SweepIntents(ctx); err != nil || n != 1 {
			t.Fatalf("sweep = %d, %v; want 1 intent dropped", n, err)
		}
		wantAudit(t, s, id)
		if _, err := s.APIKeys.Get(ctx, id); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("key that was never written: %v, want ErrNotFound", err)
		}
	})
}
