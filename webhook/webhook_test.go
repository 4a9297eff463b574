package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/participation-graph/participation-graph/changefeed"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/store"
	"github.com/participation-graph/participation-graph/webhook"
)

const testSecret = "test-secret-for-signing-deliveries"

// instance is one server instance's share of the machinery: a store and its broker.
type instance struct {
	s    *store.Store
	feed *changefeed.Broker
}

// newInstance runs a broker over s until the test ends.
func newInstance(t *testing.T, s *store.Store) *instance {
	t.Helper()
	feed := changefeed.New(s, 50*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = feed.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return &instance{s: s, feed: feed}
}

// secondInstance opens another store on the same database, as another server would.
func secondInstance(t *testing.T, s *store.Store) *instance {
	t.Helper()
	other, err := store.Open(context.Background(), store.Options{URI: dbtest.URI(t), Database: s.Name()})
	if err != nil {
		t.Fatal(err)
	}
	in := newInstance(t, other)
	t.Cleanup(func() { _ = other.Close(context.Background()) })
	return in
}

func testOptions(in *instance) webhook.Options {
	return webhook.Options{Store: in.s, Feed: in.feed, AllowPrivate: true, Timeout: 2 * time.Second, LeaseTTL: 6 * time.Second,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 80 * time.Millisecond, Scan: 50 * time.Millisecond}
}

// running is a dispatcher in its own goroutine; stop ends it and waits for Run to return.
type running struct {
	*webhook.Dispatcher
	stop func()
}

func start(t *testing.T, o webhook.Options) *running {
	t.Helper()
	d, err := webhook.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := d.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("the dispatcher did not stop")
			}
		})
	}
	t.Cleanup(stop)
	return &running{Dispatcher: d, stop: stop}
}

// receiver is an integrator's endpoint on loopback. It checks every request's signature
// and headers, answers with status(seq, attempt), and keeps what it acknowledged.
type receiver struct {
	t      *testing.T
	url    string
	status func(seq int64, attempt int) int

	mu       sync.Mutex
	secret   string
	acked    []webhook.Payload
	bodies   []string
	attempts map[int64][]time.Time
}

func newReceiver(t *testing.T, status func(seq int64, attempt int) int) *receiver {
	t.Helper()
	r := &receiver{t: t, status: status, secret: testSecret, attempts: map[int64][]time.Time{}}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/hooks?token=abc"
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := webhook.Verify(r.secret, req.Header.Get(webhook.SignatureHeader), body, time.Now(), time.Minute); err != nil {
		r.t.Errorf("delivery with a bad signature: %v", err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var p webhook.Payload
	if err := json.Unmarshal(body, &p); err != nil {
		r.t.Errorf("delivery body is not a payload: %v: %s", err, body)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" ||
		req.Header.Get(webhook.DeliveryHeader) != p.ID || p.ID != webhook.DeliveryID(p.WebhookID, p.Seq) ||
		req.Header.Get(webhook.SeqHeader) != strconv.FormatInt(p.Seq, 10) || req.Header.Get(webhook.WebhookHeader) != p.WebhookID {
		r.t.Errorf("delivery %s %s with headers %v does not match its payload %+v", req.Method, req.URL, req.Header, p)
	}
	r.attempts[p.Seq] = append(r.attempts[p.Seq], time.Now())
	code := http.StatusNoContent
	if r.status != nil {
		code = r.status(p.Seq, len(r.attempts[p.Seq]))
	}
	if code < 300 {
		r.acked = append(r.acked, p)
		r.bodies = append(r.bodies, string(body))
	}
	w.WriteHeader(code)
}

func (r *receiver) setSecret(s string) {
	r.mu.Lock()
	r.secret = s
	r.mu.Unlock()
}

// seqs returns the seqs acknowledged, in the order they arrived.
func (r *receiver) seqs() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]int64, len(r.acked))
	for i, p := range r.acked {
		out[i] = p.Seq
	}
	return out
}

func (r *receiver) payloads() ([]webhook.Payload, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.acked), slices.Clone(r.bodies)
}

func (r *receiver) attemptTimes(seq int64) []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.attempts[seq])
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// feedAfter returns the seqs of the feed's changes after seq, of the given stored entities.
func feedAfter(t *testing.T, s *store.Store, after int64, entities ...domain.Entity) []int64 {
	t.Helper()
	changes, err := s.ChangesAfter(context.Background(), after, 10000, entities)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, c := range changes {
		out = append(out, c.Seq)
	}
	return out
}

func museums(t *testing.T, s *store.Store, n int) {
	t.Helper()
	for i := range n {
		if _, err := s.CreateMuseum(context.Background(), domain.CreateMuseumInput{Name: fmt.Sprintf("Museum %d", i), Kind: "MUSEUM"}); err != nil {
			t.Fatal(err)
		}
	}
}

func register(t *testing.T, d *running, in webhook.CreateWebhookInput) *webhook.Webhook {
	t.Helper()
	if in.Secret == nil {
		secret := testSecret
		in.Secret = &secret
	}
	w, _, err := d.CreateWebhook(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func status(t *testing.T, s *store.Store, id string) *webhook.Webhook {
	t.Helper()
	w, err := openStorage(t, s).GetWebhook(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func deliveredThrough(t *testing.T, s *store.Store, id string, seq int64) func() bool {
	return func() bool { return status(t, s, id).DeliveredThrough >= seq }
}

func equalSeqs(t *testing.T, what string, got, want []int64) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: got seqs %v, want %v (each once, in order)", what, got, want)
	}
}

func TestDeliversEveryChangeOnceInOrderSigned(t *testing.T) {
	s, _ := dbtest.Open(t)
	in := newInstance(t, s)
	ctx := context.Background()
	museums(t, s, 1)
	d := start(t, testOptions(in))
	plain, full := newReceiver(t, nil), newReceiver(t, nil)
	wPlain := register(t, d, webhook.CreateWebhookInput{URL: plain.url})
	// A generated secret, handed to the receiver before anything changes.
	wFull, secret, err := d.CreateWebhook(ctx, webhook.CreateWebhookInput{URL: full.url, IncludeRestricted: true})
	if err != nil {
		t.Fatal(err)
	}
	full.setSecret(secret)
	start := wPlain.DeliveredThrough

	m, err := s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "Hackney Museum", Kind: "MUSEUM"})
	if err != nil {
		t.Fatal(err)
	}
	name, email := "Grace Example", "grace@example.org"
	p, err := s.CreatePerson(ctx, domain.CreatePersonInput{Pseudonym: "Member 12", DisplayName: &name, Email: &email,
		Consent: &domain.ConsentInput{RecordParticipation: true, PublishName: true}})
	if err != nil {
		t.Fatal(err)
	}
	restricted := domain.VisibilityRestricted
	e, err := s.RecordDecisionEvent(ctx, domain.RecordDecisionEventInput{Title: "Closed panel", Kind: "ADVISORY_PANEL",
		OccurredAt: time.Date(2014, 5, 1, 10, 0, 0, 0, time.UTC), MuseumID: m.ID, ParticipationLevel: "COLLABORATE", Visibility: &restricted})
	if err != nil {
		t.Fatal(err)
	}
	museums(t, s, 3)
	want := feedAfter(t, s, start)
	last := want[len(want)-1]
	waitFor(t, "both webhooks to deliver everything", 15*time.Second, func() bool {
		return status(t, s, wPlain.ID).DeliveredThrough == last && status(t, s, wFull.ID).DeliveredThrough == last
	})
	equalSeqs(t, "plain webhook", plain.seqs(), want)
	equalSeqs(t, "webhook with restricted records", full.seqs(), want)

	got, bodies := plain.payloads()
	byEntity := map[string]webhook.Payload{}
	for i, pl := range got {
		byEntity[pl.EntityID] = pl
		if pl.WebhookID != wPlain.ID || pl.Cursor != domain.EncodeChangeCursor(pl.Seq) || pl.Kind != "CREATED" || pl.At.IsZero() {
			t.Errorf("payload %+v: wrong webhook, cursor, kind or time", pl)
		}
		for _, leak := range []string{name, email} {
			if strings.Contains(bodies[i], leak) {
				t.Errorf("a payload carries personal data %q: %s", leak, bodies[i])
			}
		}
	}
	var node map[string]any
	if err := json.Unmarshal(byEntity[m.ID].Node, &node); err != nil || node["__typename"] != "Museum" || node["name"] != "Hackney Museum" || node["id"] != m.ID {
		t.Errorf("museum payload node = %s (%v), want the museum with its API field names", byEntity[m.ID].Node, err)
	}
	node = nil
	if err := json.Unmarshal(byEntity[p.ID].Node, &node); err != nil || node["pseudonym"] != "Member 12" || byEntity[p.ID].Entity != "PERSON" {
		t.Errorf("person payload = %+v, want the pseudonym", byEntity[p.ID])
	}
	if ev := byEntity[e.ID]; !ev.Restricted || string(ev.Node) != "null" || ev.Entity != "DECISION_EVENT" {
		t.Errorf("restricted event to a webhook without includeRestricted = %+v (node %s), want restricted and no node", ev, ev.Node)
	}
	fullGot, _ := full.payloads()
	for _, pl := range fullGot {
		if pl.EntityID == e.ID && (pl.Restricted || !strings.Contains(string(pl.Node), "Closed panel")) {
			t.Errorf("restricted event to a webhook with includeRestricted = %+v (node %s), want the record", pl, pl.Node)
		}
	}
	// Every change was acknowledged at its first attempt, so each was sent exactly once.
	for _, seq := range want {
		if n := len(plain.attemptTimes(seq)); n != 1 {
			t.Errorf("seq %d was sent %d times, want once", seq, n)
		}
	}
	st := status(t, s, wPlain.ID)
	if st.State() != webhook.WebhookActive || st.LastStatusCode == nil || *st.LastStatusCode != http.StatusNoContent ||
		st.LastError != nil || st.ConsecutiveFailures != 0 || st.LastSuccessAt == nil || st.LastAttemptAt == nil || st.NextAttemptAt != nil {
		t.Errorf("status after success = %+v, want ACTIVE, 204, no error, no failures", st.WebhookStatus)
	}
}

func TestRetriesWithBackoffWithoutSkipping(t *testing.T) {
	s, _ := dbtest.Open(t)
	in := newInstance(t, s)
	o := testOptions(in)
	o.FailingAfter = 150 * time.Millisecond
	d := start(t, o)
	var mu sync.Mutex
	down := true
	var failingSeq int64
	r := newReceiver(t, func(seq int64, _ int) int {
		mu.Lock()
		defer mu.Unlock()
		if down && seq == failingSeq {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	w := register(t, d, webhook.CreateWebhookInput{URL: r.url})
	museums(t, s, 1)
	mu.Lock()
	failingSeq = w.DeliveredThrough + 2
	mu.Unlock()
	museums(t, s, 2) // the first of these fails until the receiver comes back
	want := feedAfter(t, s, w.DeliveredThrough)

	waitFor(t, "nine failed attempts", 20*time.Second, func() bool { return status(t, s, w.ID).ConsecutiveFailures >= 9 })
	st := status(t, s, w.ID)
	if st.DeliveredThrough != failingSeq-1 || st.LastStatusCode == nil || *st.LastStatusCode != 500 ||
		st.LastError == nil || *st.LastError != "HTTP 500 Internal Server Error" || st.NextAttemptAt == nil || st.FailingSince == nil {
		t.Errorf("status while failing = %+v, want position %d, 500 and its error, a next attempt", st.WebhookStatus, failingSeq-1)
	}
	if st.State() != webhook.WebhookFailing {
		t.Errorf("state after failing for longer than FailingAfter = %s, want FAILING", st.State())
	}
	equalSeqs(t, "before the receiver recovers", r.seqs(), want[:1])
	mu.Lock()
	down = false
	mu.Unlock()
	waitFor(t, "delivery after recovery", 15*time.Second, deliveredThrough(t, s, w.ID, want[len(want)-1]))
	equalSeqs(t, "after recovery", r.seqs(), want)

	// Each wait is at least half the doubled backoff, and the cap keeps it short.
	times := r.attemptTimes(failingSeq)
	if len(times) < 10 {
		t.Fatalf("%d attempts of the failing change, want at least 10", len(times))
	}
	for i := 1; i < len(times); i++ {
		b := min(o.MinBackoff<<(i-1), o.MaxBackoff)
		if gap := times[i].Sub(times[i-1]); gap < b/2 || gap > time.Second {
			t.Errorf("wait before attempt %d = %s, want between %s and well under a second (capped at %s)", i+1, gap, b/2, o.MaxBackoff)
		}
	}
	if next := r.attemptTimes(failingSeq + 1); len(next) != 1 || next[0].Before(times[len(times)-1]) {
		t.Errorf("the next change was sent at %v, before the failing one got through at %v", next, times[len(times)-1])
	}
	st = status(t, s, w.ID)
	if st.State() != webhook.WebhookActive || st.ConsecutiveFailures != 0 || st.LastError != nil || st.FailingSince != nil || *st.LastStatusCode != 200 {
		t.Errorf("status after recovery = %+v, want ACTIVE with no failures", st.WebhookStatus)
	}
}

func TestResumesAfterRestart(t *testing.T) {
	s, _ := dbtest.Open(t)
	in := newInstance(t, s)
	r := newReceiver(t, nil)
	first := start(t, testOptions(in))
	w := register(t, first, webhook.CreateWebhookInput{URL: r.url})
	museums(t, s, 3)
	before := feedAfter(t, s, w.DeliveredThrough)
	waitFor(t, "the first changes", 15*time.Second, deliveredThrough(t, s, w.ID, before[len(before)-1]))
	first.stop()
	if st := status(t, s, w.ID); st.LeaseOwner != "" {
		t.Errorf("lease held by %q after the dispatcher stopped, want released", st.LeaseOwner)
	}
	museums(t, s, 3)
	all := feedAfter(t, s, w.DeliveredThrough)
	time.Sleep(100 * time.Millisecond)
	equalSeqs(t, "while no dispatcher runs", r.seqs(), before)

	start(t, testOptions(in))
	waitFor(t, "the changes made while stopped", 15*time.Second, deliveredThrough(t, s, w.ID, all[len(all)-1]))
	equalSeqs(t, "after the restart", r.seqs(), all)
}

// TestTwoInstancesDeliverEachChangeOnce runs a dispatcher in each of two instances on one
// database, writing through both; the leases make each change arrive once. When the
// instance delivering a webhook stops, the other takes over where it left off.
func TestTwoInstancesDeliverEachChangeOnce(t *testing.T) {
	s, _ := dbtest.Open(t)
	a, b := newInstance(t, s), secondInstance(t, s)
	da, db := start(t, testOptions(a)), start(t, testOptions(b))
	recv := []*receiver{newReceiver(t, nil), newReceiver(t, nil), newReceiver(t, nil)}
	var hooks []*webhook.Webhook
	for _, r := range recv {
		hooks = append(hooks, register(t, da, webhook.CreateWebhookInput{URL: r.url}))
	}
	db.Refresh()
	from := hooks[len(hooks)-1].DeliveredThrough
	for i := range 10 {
		museums(t, []*store.Store{a.s, b.s}[i%2], 1)
	}
	want := feedAfter(t, s, from)
	for _, w := range hooks {
		waitFor(t, "every webhook to deliver", 15*time.Second, deliveredThrough(t, s, w.ID, want[len(want)-1]))
	}
	for i, r := range recv {
		equalSeqs(t, fmt.Sprintf("webhook %d", i), r.seqs(), want)
	}
	// Stop the instance holding the first webhook's lease; the other carries on.
	holder, other := da, b
	switch status(t, s, hooks[0].ID).LeaseOwner {
	case da.Owner():
	case db.Owner():
		holder, other = db, a
	default:
		t.Fatalf("webhook %s is leased to neither instance", hooks[0].ID)
	}
	holder.stop()
	for range 5 {
		museums(t, other.s, 1)
	}
	want = feedAfter(t, s, from)
	for _, w := range hooks {
		waitFor(t, "the remaining instance to deliver", 15*time.Second, deliveredThrough(t, s, w.ID, want[len(want)-1]))
	}
	for i, r := range recv {
		equalSeqs(t, fmt.Sprintf("webhook %d after one instance stopped", i), r.seqs(), want)
	}
}

func TestTypeFilter(t *testing.T) {
	s, _ := dbtest.Open(t)
	in := newInstance(t, s)
	ctx := context.Background()
	d := start(t, testOptions(in))
	mr, pr := newReceiver(t, nil), newReceiver(t, nil)
	wm := register(t, d, webhook.CreateWebhookInput{URL: mr.url, Types: []domain.Entity{domain.EntityMuseum}})
	wp := register(t, d, webhook.CreateWebhookInput{URL: pr.url, Types: []domain.Entity{domain.EntityProgramme}})
	from := wp.DeliveredThrough
	for i := range 2 {
		if _, err := s.CreateCommunity(ctx, domain.CreateCommunityInput{Name: fmt.Sprintf("C%d", i), Kind: "YOUTH"}); err != nil {
			t.Fatal(err)
		}
		museums(t, s, 1)
	}
	prog, err := s.CreateProgramme(ctx, domain.CreateProgrammeInput{Name: "Our Museum"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOutcome(ctx, domain.CreateOutcomeInput{ProgrammeID: prog.ID, Number: 1, Code: "ROOTED", Title: "Rooted"}); err != nil {
		t.Fatal(err)
	}
	// The feed ends with a community: neither webhook wants it, yet both move past it.
	if _, err := s.CreateCommunity(ctx, domain.CreateCommunityInput{Name: "Last", Kind: "YOUTH"}); err != nil {
		t.Fatal(err)
	}
	all := feedAfter(t, s, from)
	for _, w := range []*webhook.Webhook{wm, wp} {
		waitFor(t, "the position to pass the changes left out", 15*time.Second, deliveredThrough(t, s, w.ID, all[len(all)-1]))
	}
	equalSeqs(t, "museum webhook", mr.seqs(), feedAfter(t, s, from, domain.EntityMuseum))
	equalSeqs(t, "programme webhook", pr.seqs(), feedAfter(t, s, from, domain.EntityProgramme, domain.EntityOutcome))
	got, _ := pr.payloads()
	if len(got) != 2 || got[1].Entity != "PROGRAMME" || !strings.Contains(string(got[1].Node), `"__typename":"Outcome"`) {
		t.Errorf("programme webhook payloads = %+v, want the programme and its outcome, both as PROGRAMME", got)
	}
}

func TestDisableAndEnableResumesWithoutSkipping(t *testing.T) {
	s, _ := dbtest.Open(t)
	in := newInstance(t, s)
	ctx := context.Background()
	d := start(t, testOptions(in))
	r := newReceiver(t, nil)
	w := register(t, d, webhook.CreateWebhookInput{URL: r.url})
	museums(t, s, 1)
	first := feedAfter(t, s, w.DeliveredThrough)
	waitFor(t, "the first change", 15*time.Second, deliveredThrough(t, s, w.ID, first[0]))
	off, on := false, true
	if _, _, err := d.UpdateWebhook(ctx, webhook.UpdateWebhookInput{ID: w.ID, Enabled: graphql.OmittableOf(&off)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the worker to let go", 5*time.Second, func() bool { return status(t, s, w.ID).LeaseOwner == "" })
	museums(t, s, 2)
	time.Sleep(200 * time.Millisecond)
	equalSeqs(t, "while disabled", r.seqs(), first)
	if st := status(t, s, w.ID).State(); st != webhook.WebhookDisabled {
		t.Errorf("state = %s, want DISABLED", st)
	}
	if _, _, err := d.UpdateWebhook(ctx, webhook.UpdateWebhookInput{ID: w.ID, Enabled: graphql.OmittableOf(&on)}); err != nil {
		t.Fatal(err)
	}
	all := feedAfter(t, s, w.DeliveredThrough)
	waitFor(t, "delivery after enabling", 15*time.Second, deliveredThrough(t, s, w.ID, all[len(all)-1]))
	equalSeqs(t, "after enabling", r.seqs(), all)
}

// TestRetentionGapNeedsAnAdministrator: when the feed dropped changes a webhook had not
// delivered, the webhook says so and waits; an administrator moving its position lets it
// go on from there.
func TestRetentionGapNeedsAnAdministrator(t *testing.T) {
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	r := newReceiver(t, nil)
	from := int64(0)
	secret := testSecret
	w, _, err := openStorage(t, s).CreateWebhook(ctx, webhook.CreateWebhookInput{URL: r.url, Secret: &secret, StartAfter: &from})
	if err != nil {
		t.Fatal(err)
	}
	museums(t, s, 2)
	if _, err := s.TrimChanges(ctx, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// The broker starts after the trim, as a server would: one still tailing the feed
	// where the trim removed changes would wait for them.
	in := newInstance(t, s)
	museums(t, s, 1)
	d := start(t, testOptions(in))
	waitFor(t, "the webhook to report the gap", 15*time.Second, func() bool { return status(t, s, w.ID).Failing })
	st := status(t, s, w.ID)
	if st.LastError == nil || !strings.Contains(*st.LastError, "retention") || st.DeliveredThrough != 0 {
		t.Errorf("status = %+v, want FAILING at position 0 with a retention error", st.WebhookStatus)
	}
	equalSeqs(t, "before the administrator acts", r.seqs(), nil)
	resume := int64(2)
	if _, _, err := d.UpdateWebhook(ctx, webhook.UpdateWebhookInput{ID: w.ID, ResumeAfter: &resume}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "delivery after resumeAfter", 15*time.Second, deliveredThrough(t, s, w.ID, 3))
	equalSeqs(t, "after resumeAfter", r.seqs(), []int64{3})
	if st := status(t, s, w.ID); st.State() != webhook.WebhookActive {
		t.Errorf("state after delivering again = %s, want ACTIVE", st.State())
	}
}

func TestRefusesPrivateAddresses(t *testing.T) {
	s, _ := dbtest.Open(t)
	in := newInstance(t, s)
	ctx := context.Background()
	o := testOptions(in)
	o.AllowPrivate = false
	d := start(t, o)
	r := newReceiver(t, nil)
	for _, u := range []string{r.url, "http://localhost:8080/x", "http://[::1]/x", "http://169.254.169.254/latest/meta-data", "http://10.0.0.7/"} {
		_, _, err := d.CreateWebhook(ctx, webhook.CreateWebhookInput{URL: u})
		var ve *domain.ValidationError
		if !errors.As(err, &ve) || ve.Fields[0].Field != "url" {
			t.Errorf("CreateWebhook(%s) = %v, want a validation error on url", u, err)
		}
	}
	// Registered past the check (as a name resolving to loopback would be), the address is
	// refused when dialling.
	secret := testSecret
	w, _, err := openStorage(t, s).CreateWebhook(ctx, webhook.CreateWebhookInput{URL: r.url, Secret: &secret})
	if err != nil {
		t.Fatal(err)
	}
	d.Refresh()
	museums(t, s, 1)
	waitFor(t, "a refused attempt", 15*time.Second, func() bool { return status(t, s, w.ID).ConsecutiveFailures > 0 })
	st := status(t, s, w.ID)
	if st.LastError == nil || !strings.Contains(*st.LastError, "not public") || st.LastStatusCode != nil || st.DeliveredThrough != w.DeliveredThrough {
		t.Errorf("status = %+v, want a refusal for a non-public address and no progress", st.WebhookStatus)
	}
	if strings.Contains(*st.LastError, "token=abc") {
		t.Errorf("the status error shows the URL's query: %s", *st.LastError)
	}
	equalSeqs(t, "receiver on loopback", r.seqs(), nil)
}

// goroutines returns the stacks of the process's goroutines, leaving out the database's
// (the embedded server's and the driver's: its connection pool grows and shrinks on its
// own), and, of those, the ones the dispatcher starts: its own, its workers' feed
// followers, and delivery connections.
func goroutines() (all, dispatcher []string) {
	buf := make([]byte, 4<<20)
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "FerretDB") || strings.Contains(g, "mongo-driver") || strings.Contains(g, "database/sql") {
			continue
		}
		all = append(all, g)
		if strings.Contains(g, "participation-graph/webhook.") || strings.Contains(g, "changefeed.(*Broker).Follow") ||
			strings.Contains(g, "net/http.(*persistConn)") {
			dispatcher = append(dispatcher, g)
		}
	}
	return all, dispatcher
}

func TestGoroutinesReturnToBaselineAfterStop(t *testing.T) {
	s, _ := dbtest.Open(t)
	in := newInstance(t, s)
	r := newReceiver(t, nil)
	failing := newReceiver(t, func(int64, int) int { return http.StatusServiceUnavailable })
	time.Sleep(100 * time.Millisecond)
	base, _ := goroutines()
	for i := range 3 {
		d := start(t, testOptions(in))
		w := register(t, d, webhook.CreateWebhookInput{URL: r.url})
		if i == 0 {
			register(t, d, webhook.CreateWebhookInput{URL: failing.url}) // it stays, and keeps failing
		}
		museums(t, s, 2)
		all := feedAfter(t, s, w.DeliveredThrough)
		waitFor(t, "delivery", 15*time.Second, deliveredThrough(t, s, w.ID, all[len(all)-1]))
		if _, running := goroutines(); len(running) == 0 {
			t.Fatal("no dispatcher goroutine found while it runs: the check below would prove nothing")
		}
		d.stop()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		all, left := goroutines()
		if len(left) == 0 && len(all) <= len(base) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after stop, %d before; now:\n%s", len(all), len(base), strings.Join(all, "\n\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestNewRefusesAShortLease(t *testing.T) {
	s, _ := dbtest.Open(t)
	in := newInstance(t, s)
	o := testOptions(in)
	o.LeaseTTL = o.Timeout
	if _, err := webhook.New(context.Background(), o); err == nil {
		t.Error("New accepted a lease shorter than three request timeouts")
	}
	if _, err := webhook.New(context.Background(), webhook.Options{}); err == nil {
		t.Error("New accepted options without a store")
	}
}

// TestFailuresAreDescribed: a receiver that does not answer in time, and one that
// redirects, fail with a short reason in the status; the redirect is not followed.
func TestFailuresAreDescribed(t *testing.T) {
	s, _ := dbtest.Open(t)
	in := newInstance(t, s)
	o := testOptions(in)
	o.Timeout, o.LeaseTTL = 100*time.Millisecond, time.Second
	d := start(t, o)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	var followed sync.Once
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed.Do(func() { t.Error("a redirect was followed") })
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer redirecting.Close()
	for _, tc := range []struct {
		name, url string
		code      *int
		err       string
	}{
		{"Timeout", slow.URL, nil, "no response within 100ms"},
		{"Redirect", redirecting.URL + "/hook", ptr(http.StatusFound), "HTTP 302: redirects are not followed; register the final URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := register(t, d, webhook.CreateWebhookInput{URL: tc.url})
			museums(t, s, 1)
			waitFor(t, "a failed attempt", 15*time.Second, func() bool { return status(t, s, w.ID).ConsecutiveFailures > 0 })
			st := status(t, s, w.ID)
			if st.LastError == nil || *st.LastError != tc.err || (st.LastStatusCode == nil) != (tc.code == nil) ||
				(tc.code != nil && *st.LastStatusCode != *tc.code) || st.DeliveredThrough != w.DeliveredThrough {
				t.Errorf("status = %+v (error %v), want error %q, status code %v, no progress", st.WebhookStatus, deref(st.LastError), tc.err, deref(tc.code))
			}
			off := false
			if _, _, err := d.UpdateWebhook(context.Background(), webhook.UpdateWebhookInput{ID: w.ID, Enabled: graphql.OmittableOf(&off)}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
