package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/participation-graph/participation-graph/api"
)

// TestExplorePage checks that the explorer and its vendored library are served when it is
// on, and not at all when it is off (as in production unless enabled). The page itself is
// tested in a browser by testdata/explore.
func TestExplorePage(t *testing.T) {
	get := func(t *testing.T, base, path string) (int, string, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	for _, tc := range []struct {
		name                string
		explore, playground bool
		want                int
		wantLinks           string
	}{
		{"On", true, true, http.StatusOK, `data-playground="on"`},
		{"OnWithoutPlayground", true, false, http.StatusOK, `data-playground="off"`},
		{"Off", false, false, http.StatusNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := serveEnvWith(t, false, func(o *api.Options) { o.Explore, o.Playground = tc.explore, tc.playground })
			code, ctype, body := get(t, e.base, "/explore")
			if code != tc.want {
				t.Fatalf("/explore = %d, want %d", code, tc.want)
			}
			code, _, lib := get(t, e.base, "/assets/explore-lib.min.js")
			if tc.want == http.StatusNotFound {
				if code != http.StatusNotFound {
					t.Errorf("/assets/explore-lib.min.js = %d with the explorer and playground off, want 404", code)
				}
				return
			}
			if !strings.HasPrefix(ctype, "text/html") || !strings.Contains(body, `<input type="search"`) ||
				!strings.Contains(body, tc.wantLinks) {
				t.Errorf("/explore = %q, %d bytes; want the explorer's HTML with %s", ctype, len(body), tc.wantLinks)
			}
			if code != http.StatusOK || !strings.Contains(lib, "ExploreLib") {
				t.Errorf("/assets/explore-lib.min.js = %d (%d bytes), want the drawing library", code, len(lib))
			}
			if code, ctype, js := get(t, e.base, "/explore/app.js"); code != http.StatusOK ||
				!strings.HasPrefix(ctype, "text/javascript") || !strings.Contains(js, "partnershipNetwork") {
				t.Errorf("/explore/app.js = %d %q (%d bytes), want the explorer's script", code, ctype, len(js))
			}
		})
	}
}
