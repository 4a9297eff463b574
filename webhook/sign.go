package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The headers of every delivery.
const (
	// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256>" (see Sign).
	SignatureHeader = "X-Participation-Signature"
	// DeliveryHeader carries the delivery id, the same on every attempt of one change to
	// one webhook: receivers dedupe on it.
	DeliveryHeader = "X-Participation-Delivery"
	// SeqHeader carries the change's seq, its position in the change feed.
	SeqHeader = "X-Participation-Seq"
	// WebhookHeader carries the webhook's id.
	WebhookHeader = "X-Participation-Webhook"
)

// Payload is the JSON body of a delivery: one change of the change feed.
type Payload struct {
	// ID is the delivery id (also in DeliveryHeader): "<webhookId>-<seq>".
	ID        string `json:"id"`
	WebhookID string `json:"webhookId"`
	// Cursor is the change's cursor, as the changes query and subscription use it.
	Cursor string `json:"cursor"`
	Seq    int64  `json:"seq"`
	// Kind is CREATED, UPDATED, ARCHIVED or ERASED.
	Kind string `json:"kind"`
	// Entity is the ChangeEntity (outcomes and programme memberships are PROGRAMME).
	Entity   string    `json:"entity"`
	EntityID string    `json:"entityId"`
	At       time.Time `json:"at"`
	// Restricted is true when the record is RESTRICTED and the webhook does not include
	// restricted records: Node is null then.
	Restricted bool `json:"restricted"`
	// Node is the record as it is when the delivery is attempted, with the API's field
	// names and a "__typename"; null when it cannot be read or is withheld. People carry
	// no personal data (see RecordJSON).
	Node json.RawMessage `json:"node"`
}

// DeliveryID returns the id of the delivery of change seq to webhook id.
func DeliveryID(webhookID string, seq int64) string {
	return webhookID + "-" + strconv.FormatInt(seq, 10)
}

// Sign returns the value of SignatureHeader for body sent at t with secret:
// "t=<unix seconds>,v1=<hex of HMAC-SHA256(secret, "<unix seconds>." + body)>". Signing
// the time with the body lets a receiver refuse a replayed old delivery.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// ErrSignature is returned by Verify when the signature header is missing, malformed or
// does not match the body.
var ErrSignature = errors.New("webhook signature does not match")

// ErrTimestamp is returned by Verify when the signed time is further from now than the
// tolerance allows: an old delivery replayed, or a clock far off.
var ErrTimestamp = errors.New("webhook signature timestamp outside the tolerance")

// Verify checks header, a SignatureHeader value, against body and secret, and that its
// time is within tolerance of now. It accepts a header with several v1 values (any one
// matching will do). It returns nil, ErrSignature or ErrTimestamp (wrapped).
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return fmt.Errorf("%w: want t=<unix seconds>,v1=<hex>", ErrSignature)
	}
	want := mac(secret, ts, body)
	ok := false
	for _, s := range sigs {
		ok = ok || hmac.Equal(s, want)
	}
	if !ok {
		return ErrSignature
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: signed %s from now", ErrTimestamp, d.Round(time.Second))
	}
	return nil
}
