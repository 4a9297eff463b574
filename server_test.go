package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/internal/gqltest"
	"github.com/participation-graph/participation-graph/webhook"
)

// freePort returns a TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// testAdminToken is the ADMIN_TOKEN the servers under test start with.
const testAdminToken = "server-test-admin-token-0123456789"

// start runs the server as `go run .` does, with the given environment, and returns its
// base URL and a function that stops it as SIGTERM does and waits for it to exit.
func start(t *testing.T, env map[string]string) (string, func()) {
	t.Helper()
	base, stop, _ := startLogged(t, env)
	return base, stop
}

// startLogged is start, also returning the file the server logs to.
func startLogged(t *testing.T, env map[string]string) (string, func(), string) {
	t.Helper()
	if _, ok := env["ADMIN_TOKEN"]; !ok {
		env["ADMIN_TOKEN"] = testAdminToken
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logs, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, logs, logs) }()
	base := "http://127.0.0.1:" + env["PORT"]
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			b, _ := os.ReadFile(logs.Name())
			t.Fatalf("server exited: %v\n%s", err, b)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("server did not become ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return base, func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server stopped with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("server did not stop within 30s of the signal")
		}
	}, logs.Name()
}

func TestServeRestartKeepsData(t *testing.T) {
	env := map[string]string{"PORT": strconv.Itoa(freePort(t)), "DATA_DIR": t.TempDir()}
	base, stop := start(t, env)
	gql := gqltest.Client{URL: base + "/graphql", Token: testAdminToken}
	var created struct {
		CreateCommunity struct{ Community struct{ ID string } }
	}
	gql.Must(t, `mutation { createCommunity(input: {name: "Restart Club", kind: INTEREST}) { community { id } } }`, nil, &created)
	var before struct {
		Programmes struct {
			Nodes []struct{ Memberships []struct{ StartDate string } }
		}
	}
	gql.Must(t, `{ programmes { nodes { memberships { startDate } } } }`, nil, &before)
	if len(before.Programmes.Nodes) != 1 || len(before.Programmes.Nodes[0].Memberships) != 9 {
		t.Fatalf("a new server has %+v, want the Our Museum programme with 9 members", before)
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), `participation_db_commands_total{command="find"}`) {
		t.Errorf("/metrics lacks the database command counter:\n%s", metrics)
	}
	stop()

	env["PORT"] = strconv.Itoa(freePort(t))
	base, stop = start(t, env)
	defer stop()
	gql = gqltest.Client{URL: base + "/graphql", Token: testAdminToken}
	var after struct {
		Node       *struct{ Name string }
		Programmes struct{ TotalCount int }
	}
	gql.Must(t, `query($id: ID!) { node(id: $id) { ... on Community { name } } programmes { totalCount } }`,
		map[string]any{"id": created.CreateCommunity.Community.ID}, &after)
	if after.Node == nil || after.Node.Name != "Restart Club" {
		t.Errorf("after a restart the community is %+v, want Restart Club", after.Node)
	}
	if after.Programmes.TotalCount != 1 {
		t.Errorf("after a restart there are %d programmes, want 1 (loaded once)", after.Programmes.TotalCount)
	}
}

func TestConfigErrors(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"Port":     {"PORT": "eighty"},
		"AppEnv":   {"APP_ENV": "staging"},
		"Timeout":  {"DB_TIMEOUT": "soon"},
		"Cost":     {"MAX_QUERY_COST": "-1"},
		"LogLevel": {"LOG_LEVEL": "loud"},
		"Webhook":  {"WEBHOOK_ALLOW_PRIVATE": "maybe"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := loadConfig(nil, func(k string) string { return env[k] }, "", nil); err == nil {
				t.Errorf("config %v was accepted, want an error", env)
			}
		})
	}
	c, err := loadConfig(nil, func(k string) string { return map[string]string{"APP_ENV": "production"}[k] }, "", nil)
	if err != nil || c.Playground || c.Explore || c.Introspection || c.WebhookAllowPrivate {
		t.Errorf("production config = %+v, %v; want the playground, the explorer, introspection and private webhook addresses off", c, err)
	}
	if c, err := loadConfig(nil, func(string) string { return "" }, "", nil); err != nil || !c.WebhookAllowPrivate || !c.Explore {
		t.Errorf("development config = %+v, %v; want private webhook addresses allowed and the explorer on", c, err)
	}
	prodExplore := map[string]string{"APP_ENV": "production", "EXPLORE": "true"}
	if c, err := loadConfig(nil, func(k string) string { return prodExplore[k] }, "", nil); err != nil || !c.Explore || c.Playground {
		t.Errorf("production config with EXPLORE=true = %+v, %v; want the explorer on and the playground off", c, err)
	}
}

// TestSecondInstanceDeliversChanges runs two servers on one database: the first serves
// its embedded database on EMBEDDED_LISTEN, the second uses it through MONGODB_URI. A
// record written through the first reaches a subscriber of the second.
func TestSecondInstanceDeliversChanges(t *testing.T) {
	dbPort := freePort(t)
	first, stopFirst := start(t, map[string]string{"PORT": strconv.Itoa(freePort(t)), "DATA_DIR": t.TempDir(),
		"EMBEDDED_LISTEN": "127.0.0.1:" + strconv.Itoa(dbPort)})
	defer stopFirst()
	second, stopSecond := start(t, map[string]string{"PORT": strconv.Itoa(freePort(t)),
		"MONGODB_URI": "mongodb://127.0.0.1:" + strconv.Itoa(dbPort) + "/"})
	defer stopSecond()

	ws := gqltest.DialWS(t, second+"/graphql", gqltest.TransportWS)
	defer ws.Close()
	ws.Subscribe(t, "1", `subscription { changes(types: [COMMUNITY]) { entityId kind } }`, nil)
	time.Sleep(300 * time.Millisecond)
	var created struct {
		CreateCommunity struct{ Community struct{ ID string } }
	}
	gqltest.Client{URL: first + "/graphql", Token: testAdminToken}.Must(t, `mutation { createCommunity(input: {name: "Across", kind: OTHER}) { community { id } } }`, nil, &created)
	began := time.Now()
	var got struct {
		Changes struct{ EntityID, Kind string }
	}
	ws.Data(t, 5*time.Second, &got)
	if got.Changes.EntityID != created.CreateCommunity.Community.ID {
		t.Errorf("second instance delivered %+v, want the community written through the first", got.Changes)
	}
	t.Logf("delivered by the second instance %v after the write returned", time.Since(began).Round(time.Millisecond))
}

// TestShutdownEndsSubscriptionsCleanly: on SIGTERM a subscriber is told the server is
// going and where to resume, and the server exits.
func TestShutdownEndsSubscriptionsCleanly(t *testing.T) {
	base, stop := start(t, map[string]string{"PORT": strconv.Itoa(freePort(t)), "DATA_DIR": t.TempDir()})
	ws := gqltest.DialWS(t, base+"/graphql", gqltest.TransportWS)
	defer ws.Close()
	ws.Subscribe(t, "1", `subscription { changes { seq } }`, nil)
	time.Sleep(200 * time.Millisecond)
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	m := ws.Read(t, 10*time.Second)
	var r gqltest.Response
	_ = json.Unmarshal(m.Payload, &r)
	if m.Type != "next" || len(r.Errors) != 1 || r.Errors[0].Code() != "UNAVAILABLE" || r.Errors[0].Extensions["resumeAfter"] == nil {
		t.Errorf("on shutdown the subscriber got %s %s, want an UNAVAILABLE error with resumeAfter", m.Type, m.Payload)
	}
	select {
	case <-stopped:
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop")
	}
}

// TestWebhookAcrossRestart registers a webhook through the API, writes, restarts the
// server, writes again: a receiver on loopback gets every change once, in order, each with
// a valid signature.
func TestWebhookAcrossRestart(t *testing.T) {
	type delivery struct {
		Seq      int64
		EntityID string
	}
	var mu sync.Mutex
	var got []delivery
	var secret string
	var badSignatures int
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var d delivery
		_ = json.Unmarshal(body, &d)
		mu.Lock()
		defer mu.Unlock()
		if webhook.Verify(secret, r.Header.Get("X-Participation-Signature"), body, time.Now(), time.Minute) != nil {
			badSignatures++
		}
		got = append(got, d)
	}))
	defer receiver.Close()

	env := map[string]string{"PORT": strconv.Itoa(freePort(t)), "DATA_DIR": t.TempDir()}
	base, stop := start(t, env)
	gql := gqltest.Client{URL: base + "/graphql", Token: testAdminToken}
	var created struct {
		CreateWebhook struct{ Secret string }
	}
	gql.Must(t, `mutation($url: String!) { createWebhook(input: {url: $url, types: [COMMUNITY]}) { secret webhook { id state } } }`,
		map[string]any{"url": receiver.URL}, &created)
	mu.Lock()
	secret = created.CreateWebhook.Secret
	mu.Unlock()
	var want []string
	write := func(name string) {
		var c struct {
			CreateCommunity struct{ Community struct{ ID string } }
		}
		gql.Must(t, `mutation($n: String!) { createCommunity(input: {name: $n, kind: OTHER}) { community { id } } }`, map[string]any{"n": name}, &c)
		want = append(want, c.CreateCommunity.Community.ID)
	}
	wait := func(n int) {
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			k := len(got)
			mu.Unlock()
			if k >= n {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("the receiver got %d deliveries, want %d", len(got), n)
	}
	write("Before 1")
	write("Before 2")
	wait(2)
	stop()

	env["PORT"] = strconv.Itoa(freePort(t))
	base, stop = start(t, env)
	defer stop()
	gql = gqltest.Client{URL: base + "/graphql", Token: testAdminToken}
	write("After 1")
	write("After 2")
	wait(4)
	time.Sleep(500 * time.Millisecond) // nothing more may come
	mu.Lock()
	defer mu.Unlock()
	var ids []string
	for i, d := range got {
		ids = append(ids, d.EntityID)
		if i > 0 && d.Seq <= got[i-1].Seq {
			t.Errorf("delivery %d has seq %d after %d: out of order", i, d.Seq, got[i-1].Seq)
		}
	}
	if !slices.Equal(ids, want) || badSignatures > 0 {
		t.Errorf("the receiver got %v (%d with a bad signature), want %v once each", ids, badSignatures, want)
	}
	var status struct {
		Webhooks []struct {
			State, DeliveredThrough string
			ConsecutiveFailures     int
		}
	}
	gql.Must(t, `{ webhooks { state deliveredThrough consecutiveFailures } }`, nil, &status)
	if len(status.Webhooks) != 1 || status.Webhooks[0].State != "ACTIVE" || status.Webhooks[0].DeliveredThrough != domain.EncodeChangeCursor(got[3].Seq) {
		t.Errorf("status %+v, want ACTIVE through seq %d", status.Webhooks, got[3].Seq)
	}
}

// TestEmbeddedListenLoopbackOnly: the embedded database has no authentication, so it is
// served to other hosts only when that is asked for in so many words.
func TestEmbeddedListenLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:27018", ":27018", "[::]:27018", "192.0.2.10:27018", "db.example:27018"} {
		t.Run("Refused"+addr, func(t *testing.T) {
			_, err := loadConfig(nil, func(k string) string { return map[string]string{"EMBEDDED_LISTEN": addr}[k] }, "", nil)
			if err == nil || !strings.Contains(err.Error(), "127.0.0.1:27018") || !strings.Contains(err.Error(), "EMBEDDED_LISTEN_PUBLIC=true") {
				t.Errorf("EMBEDDED_LISTEN=%s: %v, want it refused with what to do instead", addr, err)
			}
		})
	}
	for _, addr := range []string{"127.0.0.1:27018", "127.0.0.2:27018", "[::1]:27018", "localhost:27018"} {
		t.Run("Accepted"+addr, func(t *testing.T) {
			if _, err := loadConfig(nil, func(k string) string { return map[string]string{"EMBEDDED_LISTEN": addr}[k] }, "", nil); err != nil {
				t.Errorf("EMBEDDED_LISTEN=%s: %v, want it accepted", addr, err)
			}
		})
	}
	env := map[string]string{"EMBEDDED_LISTEN": "0.0.0.0:27018", "EMBEDDED_LISTEN_PUBLIC": "true"}
	if c, err := loadConfig(nil, func(k string) string { return env[k] }, "", nil); err != nil || !c.EmbeddedListenPublic {
		t.Errorf("with EMBEDDED_LISTEN_PUBLIC=true: %+v, %v; want it accepted", c, err)
	}
}

func TestTrustedProxiesConfig(t *testing.T) {
	env := map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7,fd00::/8"}
	c, err := loadConfig(nil, func(k string) string { return env[k] }, "", nil)
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"), netip.MustParsePrefix("fd00::/8")}
	if err != nil || !slices.Equal(c.TrustedProxies, want) {
		t.Errorf("TRUSTED_PROXIES=%q: %v, %v; want %v", env["TRUSTED_PROXIES"], c.TrustedProxies, err, want)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example"} {
		if _, err := loadConfig(nil, func(k string) string { return map[string]string{"TRUSTED_PROXIES": bad}[k] }, "", nil); err == nil {
			t.Errorf("TRUSTED_PROXIES=%q was accepted, want an error", bad)
		}
	}
}

// TestMetricsListenAndPublicEmbedded starts the server with its metrics on their own
// address, and with the embedded database opened to other hosts, which it warns of.
func TestMetricsListenAndPublicEmbedded(t *testing.T) {
	metricsAddr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	env := map[string]string{"PORT": strconv.Itoa(freePort(t)), "DATA_DIR": t.TempDir(), "METRICS_LISTEN": metricsAddr,
		"EMBEDDED_LISTEN": "0.0.0.0:" + strconv.Itoa(freePort(t)), "EMBEDDED_LISTEN_PUBLIC": "true"}
	base, stop, logs := startLogged(t, env)
	defer stop()
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get(base + "/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics on the public port: %d, want 404", code)
	}
	if code, body := get("http://" + metricsAddr + "/metrics"); code != 200 || !strings.Contains(body, "participation_db_commands_total") {
		t.Errorf("/metrics on METRICS_LISTEN: %d %.200s", code, body)
	}
	if code, _ := get("http://" + metricsAddr + "/readyz"); code != 200 {
		t.Errorf("/readyz on METRICS_LISTEN: %d, want 200", code)
	}
	b, _ := os.ReadFile(logs)
	if !strings.Contains(string(b), "level=WARN") || !strings.Contains(string(b), "without authentication") {
		t.Errorf("the log has no warning about the open embedded database:\n%s", b)
	}
}
