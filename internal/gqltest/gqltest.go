// Package gqltest is a small GraphQL-over-HTTP client for tests: it posts a query with
// variables and decodes the data and errors, failing the test on transport problems.
package gqltest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// Error is one GraphQL error as a client sees it.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns the error's extensions.code.
func (e Error) Code() string { s, _ := e.Extensions["code"].(string); return s }

// Fields returns the field names of a BAD_USER_INPUT error's extensions.fields.
func (e Error) Fields() []string {
	list, _ := e.Extensions["fields"].([]any)
	var out []string
	for _, f := range list {
		if m, ok := f.(map[string]any); ok {
			s, _ := m["field"].(string)
			out = append(out, s)
		}
	}
	return out
}

// Response is a decoded GraphQL response.
type Response struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
}

// Client posts GraphQL requests to one endpoint.
type Client struct {
	URL string
	// Token, when set, is sent as "Authorization: Bearer <Token>".
	Token string
}

// As returns the client sending token instead ("" for an anonymous caller).
func (c Client) As(token string) Client { c.Token = token; return c }

// Do posts query with variables and returns the response, whatever its errors.
func (c Client) Do(t testing.TB, query string, vars map[string]any) Response {
	t.Helper()
	auth := ""
	if c.Token != "" {
		auth = "Bearer " + c.Token
	}
	return c.post(t, query, vars, auth)
}

// Raw posts query with the given Authorization header, whatever its form.
func (c Client) Raw(t testing.TB, query, authorization string) Response {
	t.Helper()
	return c.post(t, query, nil, authorization)
}

func (c Client) post(t testing.TB, query string, vars map[string]any, authorization string) Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", c.URL, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r Response
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("decoding response (status %d): %v: %s", resp.StatusCode, err, raw)
	}
	r.Status = resp.StatusCode
	return r
}

// Must posts query and decodes its data into out, failing the test on any GraphQL error.
func (c Client) Must(t testing.TB, query string, vars map[string]any, out any) {
	t.Helper()
	r := c.Do(t, query, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatalf("decoding data: %v: %s", err, r.Data)
	}
}

// Fail posts query and returns its single error, failing the test when there is not
// exactly one.
func (c Client) Fail(t testing.TB, query string, vars map[string]any) Error {
	t.Helper()
	r := c.Do(t, query, vars)
	if len(r.Errors) != 1 {
		t.Fatalf("got %d errors (%+v), want 1; data: %s", len(r.Errors), r.Errors, r.Data)
	}
	return r.Errors[0]
}

// SHA256 returns the hex SHA-256 of s, as persisted queries name operations.
func SHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
