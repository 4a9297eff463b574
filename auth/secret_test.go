package auth

import (
	"strings"
	"testing"
)

func TestSecretRoundTrip(t *testing.T) {
	for _, id := range []string{"key_0123456789abcdef01234567", "k", "key_with_underscores_"} {
		secret, hash := NewSecret(id)
		got, err := ParseSecret(secret)
		if err != nil || got != id {
			t.Errorf("ParseSecret(NewSecret(%q)) = %q, %v", id, got, err)
		}
		if !MatchesHash(secret, hash) || MatchesHash(secret+"x", hash) || strings.Contains(hash, secret) {
			t.Errorf("hash %q of %q", hash, secret)
		}
	}
	a, _ := NewSecret("k")
	b, _ := NewSecret("k")
	if a == b {
		t.Error("two secrets are equal")
	}
}

func TestMatchesToken(t *testing.T) {
	if MatchesToken("", "") || MatchesToken("x", "") || !MatchesToken("same-token", "same-token") || MatchesToken("same-token", "same-tokeN") {
		t.Error("MatchesToken compares wrongly")
	}
}

func FuzzParseSecret(f *testing.F) {
	s, _ := NewSecret("key_0123456789abcdef01234567")
	for _, seed := range []string{s, "pgk_", "pgk__" + strings.Repeat("A", 43), "Bearer x", s[:len(s)-1], s + "="} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		id, err := ParseSecret(token)
		if err != nil {
			if err != ErrMalformedToken {
				t.Fatalf("error %v", err)
			}
			return
		}
		if id == "" || len(id) > 64 || !strings.HasPrefix(token, "pgk_"+id+"_") {
			t.Fatalf("%q read as key %q", token, id)
		}
	})
}
