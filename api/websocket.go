package api

import (
	"bufio"
	"net"
	"net/http"

	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// websocketAccept is gqlgen's coder/websocket handshake with one change that keeps each
// connection's goroutine small. A WebSocket connection is served for its whole life on
// the goroutine net/http started for the handshake request, and a goroutine's stack
// never shrinks below four times what it uses while it waits. net/http writes the 101
// response (at Hijack) with a 2.8 KB stack frame; at the depth of the handler chain that
// grows the stack from 8 KB to 16 KB, which the connection then keeps although it waits
// with under 6 KB in use. Hijacking on a short-lived goroutine of its own leaves the
// connection's goroutine at 8 KB.
type websocketAccept struct {
	transport.CoderWebsocketImplementation
}

// Accept completes the handshake; its errors are coder/websocket's.
func (a websocketAccept) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	if hj, ok := w.(http.Hijacker); ok {
		w = hijackAside{w, hj}
	}
	return a.CoderWebsocketImplementation.Accept(w, r, o)
}

// hijackAside is a ResponseWriter whose Hijack runs on a goroutine of its own.
type hijackAside struct {
	http.ResponseWriter
	hj http.Hijacker
}

// Hijack takes over the connection like http.Hijacker; the calling goroutine waits, so
// the ResponseWriter is still used by one goroutine at a time.
func (h hijackAside) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	type hijacked struct {
		c   net.Conn
		brw *bufio.ReadWriter
		err error
	}
	done := make(chan hijacked, 1)
	go func() {
		c, brw, err := h.hj.Hijack()
		done <- hijacked{c, brw, err}
	}()
	got := <-done
	return got.c, got.brw, got.err
}

// Unwrap returns the underlying ResponseWriter (for http.ResponseController).
func (h hijackAside) Unwrap() http.ResponseWriter { return h.ResponseWriter }
