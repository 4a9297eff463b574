package gqltest

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// The WebSocket subprotocols of GraphQL subscriptions.
const (
	TransportWS = "graphql-transport-ws" // the current protocol
	LegacyWS    = "graphql-ws"           // subscriptions-transport-ws
)

// WS is a GraphQL subscription client over one WebSocket connection.
type WS struct {
	c        *websocket.Conn
	protocol string
}

// Message is one protocol message.
type Message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// DialWS connects to url (http:// is turned into ws://) with the given subprotocol and
// completes the connection_init handshake.
func DialWS(t testing.TB, url, protocol string) *WS {
	t.Helper()
	w, ack := DialWSInit(t, url, protocol, json.RawMessage(`{}`))
	if ack.Type != "connection_ack" {
		t.Fatalf("got %+v, want connection_ack", ack)
	}
	return w
}

// DialWSInit connects like DialWS, sends connection_init with payload, and returns the
// server's answer to it (connection_ack, or the error that refused the connection).
func DialWSInit(t testing.TB, url, protocol string, payload json.RawMessage) (*WS, Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, strings.Replace(url, "http", "ws", 1), &websocket.DialOptions{
		Subprotocols: []string{protocol}, HTTPHeader: http.Header{}})
	if err != nil {
		t.Fatalf("dialing %s: %v", url, err)
	}
	w := &WS{c: c, protocol: protocol}
	w.send(t, Message{Type: "connection_init", Payload: payload})
	m, err := w.TryRead(t, 10*time.Second)
	if err != nil {
		// Refused: the server closed the connection (its reason is in the error).
		return w, Message{Type: "closed", Payload: json.RawMessage(strconv.Quote(err.Error()))}
	}
	return w, m
}

func (w *WS) send(t testing.TB, m Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := wsjson.Write(ctx, w.c, m); err != nil {
		t.Fatalf("sending %s: %v", m.Type, err)
	}
}

// Subscribe starts a subscription with id.
func (w *WS) Subscribe(t testing.TB, id, query string, vars map[string]any) {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	typ := "subscribe"
	if w.protocol == LegacyWS {
		typ = "start"
	}
	w.send(t, Message{ID: id, Type: typ, Payload: payload})
}

// Read returns the next message other than keep-alives, failing after timeout.
func (w *WS) Read(t testing.TB, timeout time.Duration) Message {
	t.Helper()
	m, err := w.TryRead(t, timeout)
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	return m
}

// TryRead is Read that returns the error (a closed connection, a timeout) instead of
// failing the test.
func (w *WS) TryRead(t testing.TB, timeout time.Duration) (Message, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		var m Message
		if err := wsjson.Read(ctx, w.c, &m); err != nil {
			return m, err
		}
		switch m.Type {
		case "ka", "pong":
			continue
		case "ping":
			w.send(t, Message{Type: "pong"})
			continue
		}
		return m, nil
	}
}

// Data reads the next message, which must carry data (next, or data in the legacy
// protocol), and decodes its data into out.
func (w *WS) Data(t testing.TB, timeout time.Duration, out any) {
	t.Helper()
	m := w.Read(t, timeout)
	if m.Type != "next" && m.Type != "data" {
		t.Fatalf("got %s %s, want data", m.Type, m.Payload)
	}
	var r Response
	if err := json.Unmarshal(m.Payload, &r); err != nil || len(r.Errors) > 0 {
		t.Fatalf("payload %s: %v %+v", m.Payload, err, r.Errors)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatalf("decoding %s: %v", r.Data, err)
	}
}

// Close closes the connection.
func (w *WS) Close() { _ = w.c.Close(websocket.StatusNormalClosure, "bye") }
