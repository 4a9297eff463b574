// Package auth owns API keys: the key record and its validation, the format of secrets
// and how only their hash is kept, authenticating a bearer token, and ending what runs on
// behalf of a key when it is revoked (here at once, and on every other instance within
// seconds through Revocations.Watch). The store keeps the keys; the roles, the caller a
// request carries and the rules of access are the domain's (domain.Caller).
package auth
