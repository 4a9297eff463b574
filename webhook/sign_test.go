package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/netip"
	"regexp"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/webhook"
)

func TestSignAndVerify(t *testing.T) {
	now := time.Unix(1700000000, 0)
	body := []byte(`{"seq":42}`)
	header := webhook.Sign("s3cret", now, body)
	if !regexp.MustCompile(`^t=1700000000,v1=[0-9a-f]{64}$`).MatchString(header) {
		t.Fatalf("header %q is not t=<unix>,v1=<hex>", header)
	}
	// The documented construction, computed independently: HMAC-SHA256 of "<t>.<body>".
	m := hmac.New(sha256.New, []byte("s3cret"))
	m.Write([]byte("1700000000." + string(body)))
	if want := "t=1700000000,v1=" + hex.EncodeToString(m.Sum(nil)); header != want {
		t.Errorf("Sign = %q, want %q", header, want)
	}
	other := webhook.Sign("old-secret", now, body)
	for _, tc := range []struct {
		name   string
		secret string
		header string
		body   string
		at     time.Time
		want   error
	}{
		{"OK", "s3cret", header, string(body), now.Add(30 * time.Second), nil},
		{"OKAnyOfSeveral", "s3cret", other + "," + header[len("t=1700000000,"):], string(body), now, nil},
		{"ErrSignatureBody", "s3cret", header, `{"seq":43}`, now, webhook.ErrSignature},
		{"ErrSignatureSecret", "wrong", header, string(body), now, webhook.ErrSignature},
		{"ErrSignatureMalformed", "s3cret", "v1=abc", string(body), now, webhook.ErrSignature},
		{"ErrSignatureEmpty", "s3cret", "", string(body), now, webhook.ErrSignature},
		{"ErrTimestampReplay", "s3cret", header, string(body), now.Add(10 * time.Minute), webhook.ErrTimestamp},
		{"ErrTimestampFuture", "s3cret", header, string(body), now.Add(-10 * time.Minute), webhook.ErrTimestamp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := webhook.Verify(tc.secret, tc.header, []byte(tc.body), tc.at, 5*time.Minute)
			if (tc.want == nil && err != nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Errorf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
	if got := webhook.DeliveryID("whk_1", 42); got != "whk_1-42" {
		t.Errorf("DeliveryID = %q, want whk_1-42", got)
	}
}

func TestPublicAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "2001:4860:4860::8888": true, "93.184.216.34": true,
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "fd00::1": false, "0.0.0.0": false, "::": false,
		"100.64.0.1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "64:ff9b::a00:1": false,
		"224.0.0.1": false, "255.255.255.255": false,
	} {
		if got := webhook.PublicAddr(netip.MustParseAddr(addr)); got != want {
			t.Errorf("PublicAddr(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	for url, private := range map[string]bool{
		"https://example.org/hook": false, "http://93.184.216.34/": false, "not a url at all": false,
		"http://localhost/": true, "http://api.localhost/": true, "http://LOCALHOST./": true,
		"http://127.0.0.1:9000/": true, "http://[::1]/": true, "http://[fd12::1]:80/": true,
	} {
		err := webhook.CheckURL(url)
		if got := errors.Is(err, webhook.ErrPrivateAddress); got != private {
			t.Errorf("CheckURL(%s) = %v, want private %v", url, err, private)
		}
	}
}
