package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrPrivateAddress is returned when a webhook's host is, or resolves to, an address that
// is not public (loopback, private, link-local, shared or reserved) and private addresses
// are not allowed.
var ErrPrivateAddress = errors.New("address is not public")

// nonPublic are ranges netip has no predicate for that no webhook receiver should be in.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // shared address space (carrier-grade NAT)
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64: reaches IPv4 addresses, private ones too
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

// PublicAddr reports whether ip is a public unicast address a webhook may be delivered to.
func PublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// CheckURL checks, without resolving names, that a webhook URL does not name a host that
// cannot be public: an IP literal that is not public or "localhost". Delivery checks
// every resolved address again, so a name that resolves to a private address is refused
// then. It returns an error wrapping ErrPrivateAddress, or nil (also for a URL that does
// not parse: the store validates its form).
func CheckURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, host)
	}
	if ip, err := netip.ParseAddr(host); err == nil && !PublicAddr(ip) {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, ip)
	}
	return nil
}

// newClient returns the HTTP client deliveries use: a time limit on every request, no
// redirects followed, no proxy from the environment (it would be dialled instead of the
// receiver and escape the address check), and, unless allowPrivate, a dialer that
// refuses any address that is not public after the name is resolved (so DNS cannot point
// a public-looking name at an internal service).
func newClient(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil || !PublicAddr(ip) {
				return fmt.Errorf("%w: %s", ErrPrivateAddress, host)
			}
			return nil
		}
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   2,
			ForceAttemptHTTP2:     true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// maxError is the length of an error kept in a webhook's status.
const maxError = 200

// describe turns a failed request's error into a short message for the webhook's status,
// without the URL (whose query may hold a token) and without anything from the body.
func describe(err error, timeout time.Duration) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	var msg string
	switch {
	case errors.Is(err, ErrPrivateAddress):
		msg = "refused: the receiver's address is not public (" + strings.TrimPrefix(err.Error(), ErrPrivateAddress.Error()+": ") + ")"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		msg = fmt.Sprintf("no response within %s", timeout)
	default:
		msg = err.Error()
	}
	if len(msg) > maxError {
		msg = strings.ToValidUTF8(msg[:maxError], "") + "…"
	}
	return msg
}
