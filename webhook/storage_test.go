package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/store"
	"github.com/participation-graph/participation-graph/webhook"
)

func fieldsOf(err error) []string {
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	for _, f := range ve.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestCreateWebhook(t *testing.T) {
	s, _ := dbtest.Open(t)
	hooks := openStorage(t, s)
	ctx := context.Background()
	must[*domain.Museum](t)(s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "M", Kind: "MUSEUM"}))

	t.Run("OK", func(t *testing.T) {
		w, secret, err := hooks.CreateWebhook(ctx, webhook.CreateWebhookInput{URL: " https://example.org/hook ",
			Types: []domain.Entity{domain.EntityMuseum, domain.EntityMuseum, domain.EntityEvent}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, "whsec_") || len(secret) < 40 {
			t.Errorf("generated secret %q, want whsec_ and at least 256 bits", secret)
		}
		if w.URL != "https://example.org/hook" || len(w.Types) != 2 || w.State() != webhook.WebhookActive || w.Version != 1 {
			t.Errorf("created %+v, want trimmed URL, 2 types, ACTIVE, version 1", w)
		}
		// Delivery starts after what the feed held at registration.
		if w.DeliveredThrough != 1 {
			t.Errorf("deliveredThrough = %d, want 1 (the feed's end)", w.DeliveredThrough)
		}
		got := must[*webhook.Webhook](t)(hooks.GetWebhook(ctx, w.ID))
		if got.URL != w.URL || got.DeliveredThrough != 1 {
			t.Errorf("read back %+v, want %+v", got, w)
		}
		if stored := must[string](t)(hooks.WebhookSecret(ctx, w.ID)); stored != secret {
			t.Errorf("stored secret differs from the one returned")
		}
		// The secret never travels in a Webhook.
		b, _ := json.Marshal(got)
		if strings.Contains(string(b), secret) {
			t.Errorf("a read webhook carries its secret: %s", b)
		}
	})

	t.Run("GivenSecretAndStart", func(t *testing.T) {
		secret, start := "a-shared-secret-of-enough-length", int64(0)
		w, got, err := hooks.CreateWebhook(ctx, webhook.CreateWebhookInput{URL: "http://receiver.test/x", Secret: &secret, StartAfter: &start})
		if err != nil || got != secret || w.DeliveredThrough != 0 {
			t.Errorf("CreateWebhook = %+v, %q, %v; want the given secret and deliveredThrough 0", w, got, err)
		}
	})

	t.Run("ErrValidation", func(t *testing.T) {
		short, past := "short", int64(99)
		for _, tc := range []struct {
			name string
			in   webhook.CreateWebhookInput
			want string
		}{
			{"NoURL", webhook.CreateWebhookInput{}, "url"},
			{"NotHTTP", webhook.CreateWebhookInput{URL: "ftp://example.org/x"}, "url"},
			{"Relative", webhook.CreateWebhookInput{URL: "/hooks"}, "url"},
			{"Fragment", webhook.CreateWebhookInput{URL: "https://example.org/#x"}, "url"},
			{"Type", webhook.CreateWebhookInput{URL: "https://example.org/", Types: []domain.Entity{domain.EntityOutcome}}, "types[0]"},
			{"Secret", webhook.CreateWebhookInput{URL: "https://example.org/", Secret: &short}, "secret"},
			{"Start", webhook.CreateWebhookInput{URL: "https://example.org/", StartAfter: &past}, "startAfter"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := hooks.CreateWebhook(ctx, tc.in)
				if f := fieldsOf(err); len(f) != 1 || f[0] != tc.want {
					t.Errorf("error %v on fields %v, want one on %s", err, f, tc.want)
				}
			})
		}
	})
}

func TestUpdateAndDeleteWebhook(t *testing.T) {
	s, _ := dbtest.Open(t)
	hooks := openStorage(t, s)
	ctx := context.Background()
	w, secret, err := hooks.CreateWebhook(ctx, webhook.CreateWebhookInput{URL: "https://example.org/a"})
	if err != nil {
		t.Fatal(err)
	}
	off, url := false, "https://example.org/b"
	w2, newSecret, err := hooks.UpdateWebhook(ctx, webhook.UpdateWebhookInput{ID: w.ID, Enabled: graphql.OmittableOf(&off),
		URL: graphql.OmittableOf(&url), Types: graphql.OmittableOf([]domain.Entity{domain.EntityPerson}), RotateSecret: true})
	if err != nil {
		t.Fatal(err)
	}
	if w2.State() != webhook.WebhookDisabled || w2.URL != url || len(w2.Types) != 1 || w2.Version != 2 {
		t.Errorf("updated %+v, want DISABLED, new URL, one type, version 2", w2)
	}
	if newSecret == "" || newSecret == secret || must[string](t)(hooks.WebhookSecret(ctx, w.ID)) != newSecret {
		t.Errorf("rotation returned %q; want a new secret, stored", newSecret)
	}
	t.Run("ErrConflict", func(t *testing.T) {
		stale := 1
		if _, _, err := hooks.UpdateWebhook(ctx, webhook.UpdateWebhookInput{ID: w.ID, ExpectedVersion: &stale}); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("stale expectedVersion: %v, want ErrConflict", err)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		past := int64(5)
		_, _, err := hooks.UpdateWebhook(ctx, webhook.UpdateWebhookInput{ID: w.ID, ResumeAfter: &past, URL: graphql.OmittableOf[*string](nil)})
		if f := fieldsOf(err); len(f) != 2 {
			t.Errorf("error %v on %v, want url and resumeAfter", err, f)
		}
	})
	list := must[[]*webhook.Webhook](t)(hooks.ListWebhooks(ctx))
	if len(list) != 1 || list[0].ID != w.ID {
		t.Errorf("list = %+v, want the one webhook", list)
	}
	if err := hooks.DeleteWebhook(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := hooks.GetWebhook(ctx, w.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("get after delete: %v, want ErrNotFound", err)
		}
		if err := hooks.DeleteWebhook(ctx, w.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("delete twice: %v, want ErrNotFound", err)
		}
		if _, err := hooks.GetWebhook(ctx, "mus_000000000000000000000000"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("get with another kind of id: %v, want ErrNotFound", err)
		}
	})
}

func TestWebhookLease(t *testing.T) {
	s, _ := dbtest.Open(t)
	hooks := openStorage(t, s)
	ctx := context.Background()
	w, _, err := hooks.CreateWebhook(ctx, webhook.CreateWebhookInput{URL: "https://example.org/a"})
	if err != nil {
		t.Fatal(err)
	}
	ttl := time.Minute
	if got, err := hooks.AcquireWebhookLease(ctx, w.ID, "a", ttl); err != nil || got.LeaseOwner != "a" {
		t.Fatalf("first acquire: %+v, %v", got, err)
	}
	if _, err := hooks.AcquireWebhookLease(ctx, w.ID, "b", ttl); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("acquire of a held lease: %v, want ErrConflict", err)
	}
	if _, err := hooks.RenewWebhookLease(ctx, w.ID, "b", ttl); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("renewal by a non-holder: %v, want ErrConflict", err)
	}
	if _, err := hooks.RenewWebhookLease(ctx, w.ID, "a", ttl); err != nil {
		t.Errorf("renewal by the holder: %v", err)
	}
	// The holder records an attempt; one made from another position is refused.
	now := time.Now().UTC().Truncate(time.Millisecond)
	code := 200
	st := webhook.WebhookStatus{DeliveredThrough: 7, LastAttemptAt: &now, LastSuccessAt: &now, LastStatusCode: &code}
	got, err := hooks.RecordWebhookAttempt(ctx, w.ID, "a", 0, st, ttl)
	if err != nil || got.DeliveredThrough != 7 || *got.LastStatusCode != 200 || got.LastError != nil {
		t.Fatalf("record: %+v, %v", got, err)
	}
	if _, err := hooks.RecordWebhookAttempt(ctx, w.ID, "a", 0, st, ttl); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("record from a moved position: %v, want ErrConflict", err)
	}
	if _, err := hooks.RecordWebhookAttempt(ctx, w.ID, "b", 7, st, ttl); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("record by a non-holder: %v, want ErrConflict", err)
	}
	if err := hooks.ReleaseWebhookLease(ctx, w.ID, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := hooks.AcquireWebhookLease(ctx, w.ID, "b", 100*time.Millisecond); err != nil {
		t.Errorf("acquire of a released lease: %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	if _, err := hooks.AcquireWebhookLease(ctx, w.ID, "a", ttl); err != nil {
		t.Errorf("acquire of an expired lease: %v", err)
	}
	if _, err := hooks.RenewWebhookLease(ctx, w.ID, "b", ttl); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("renewal of a lease taken over: %v, want ErrConflict", err)
	}
	off := false
	if _, _, err := hooks.UpdateWebhook(ctx, webhook.UpdateWebhookInput{ID: w.ID, Enabled: graphql.OmittableOf(&off)}); err != nil {
		t.Fatal(err)
	}
	if _, err := hooks.AcquireWebhookLease(ctx, w.ID, "a", ttl); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("acquire of a disabled webhook: %v, want ErrConflict", err)
	}
	if _, err := hooks.AcquireWebhookLease(ctx, "whk_000000000000000000000000", "a", ttl); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("acquire of a missing webhook: %v, want ErrNotFound", err)
	}
}

// TestWebhookLeaseOneWinner: many contenders in two processes sharing the database race
// for one free lease; exactly one gets it.
func TestWebhookLeaseOneWinner(t *testing.T) {
	s, _ := dbtest.Open(t)
	hooks := openStorage(t, s)
	ctx := context.Background()
	other, err := store.Open(ctx, store.Options{URI: dbtest.URI(t), Database: s.Name()})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	otherHooks := openStorage(t, other)
	for round := 0; round < 3; round++ {
		w, _, err := hooks.CreateWebhook(ctx, webhook.CreateWebhookInput{URL: "https://example.org/a"})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var winners []string
		for i := range 16 {
			st := hooks
			if i%2 == 1 {
				st = otherHooks
			}
			owner := string(rune('a' + i))
			wg.Go(func() {
				_, err := st.AcquireWebhookLease(ctx, w.ID, owner, time.Minute)
				switch {
				case err == nil:
					mu.Lock()
					winners = append(winners, owner)
					mu.Unlock()
				case !errors.Is(err, domain.ErrConflict):
					t.Errorf("contender %s: %v", owner, err)
				}
			})
		}
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("round %d: lease holders %v, want exactly one", round, winners)
		}
	}
}

func TestRecordJSON(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	name, email := "Ada Example", "ada@example.org"
	p := must[*domain.Person](t)(s.CreatePerson(ctx, domain.CreatePersonInput{Pseudonym: "Participant 7", DisplayName: &name, Email: &email,
		Consent: &domain.ConsentInput{RecordParticipation: true, PublishName: true, Contact: true}}))
	b, err := webhook.RecordJSON(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{name, email, "consent", "displayName", "email"} {
		if strings.Contains(string(b), leak) {
			t.Errorf("person JSON contains %q: %s", leak, b)
		}
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	if got["__typename"] != "Person" || got["id"] != p.ID || got["pseudonym"] != "Participant 7" || got["version"] != 1.0 {
		t.Errorf("person JSON = %s", b)
	}
	m := must[*domain.Museum](t)(s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "M", Kind: "MUSEUM"}))
	restricted := domain.VisibilityRestricted
	e := must[*domain.DecisionEvent](t)(s.RecordDecisionEvent(ctx, domain.RecordDecisionEventInput{Title: "Panel", Kind: "ADVISORY_PANEL",
		OccurredAt: time.Date(2014, 3, 5, 18, 30, 0, 0, time.UTC), MuseumID: m.ID, ParticipationLevel: "CONSULT", Visibility: &restricted}))
	b, err = webhook.RecordJSON(e)
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	if got["__typename"] != "DecisionEvent" || got["museumId"] != m.ID || got["occurredAt"] != "2014-03-05T18:30:00Z" || got["levelRank"] != nil {
		t.Errorf("event JSON = %s", b)
	}
	if !domain.IsRestricted(e) || domain.IsRestricted(m) {
		t.Errorf("IsRestricted(event) = %v, IsRestricted(museum) = %v; want true, false", domain.IsRestricted(e), domain.IsRestricted(m))
	}
	if _, err := webhook.RecordJSON(&domain.Change{}); err == nil {
		t.Error("RecordJSON accepted a change, which is not a record")
	}
}

// openStorage returns the webhooks of s.
func openStorage(t *testing.T, s *store.Store) *webhook.Storage {
	t.Helper()
	hooks, err := webhook.NewStorage(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return hooks
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
