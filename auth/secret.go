package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
)

// An API-key secret is "pgk_" + the key's id + "_" + 43 characters of base64url (32
// random bytes). The id lets the server find the key with one lookup by primary key; the
// random part is what proves possession. Only the SHA-256 of the whole secret is stored: a
// 256-bit random secret needs no slow hash, since there is nothing to guess from.

const (
	secretPrefix = "pgk_"
	randomBytes  = 32
)

// ErrMalformedToken is returned by ParseSecret for a string that is not an API-key secret.
var ErrMalformedToken = errors.New("malformed API key")

// NewSecret returns a fresh secret for the key with the given id, and its hash to store.
func NewSecret(keyID string) (secret, hash string) {
	b := make([]byte, randomBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	secret = secretPrefix + keyID + "_" + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret)
}

// HashSecret returns the stored form of a secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// ParseSecret returns the key id inside a secret, or ErrMalformedToken.
func ParseSecret(secret string) (keyID string, err error) {
	rest, ok := strings.CutPrefix(secret, secretPrefix)
	if !ok {
		return "", ErrMalformedToken
	}
	// The random part has a fixed length and may itself hold "_", so it is cut from the end.
	n := base64.RawURLEncoding.EncodedLen(randomBytes)
	if len(rest) < n+2 || len(rest) > n+65 || rest[len(rest)-n-1] != '_' {
		return "", ErrMalformedToken
	}
	keyID, random := rest[:len(rest)-n-1], rest[len(rest)-n:]
	raw, err := base64.RawURLEncoding.DecodeString(random)
	if err != nil || len(raw) != randomBytes {
		return "", ErrMalformedToken
	}
	return keyID, nil
}

// MatchesHash reports, in constant time, whether secret hashes to hash.
func MatchesHash(secret, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(HashSecret(secret)), []byte(hash)) == 1
}

// MatchesToken reports, in constant time, whether a presented token equals the
// configured one (the ADMIN_TOKEN). An empty configured token matches nothing.
func MatchesToken(presented, configured string) bool {
	if configured == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(presented)), sha256.Sum256([]byte(configured))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}
