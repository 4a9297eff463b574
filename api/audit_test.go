package api_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGraphQLOverHTTPAudit runs graphql-http's server audits (the reference suite of the
// GraphQL-over-HTTP specification: every MUST, SHOULD and MAY) against the API. It needs
// Node and the suite installed (npm ci in testdata/graphql-http, which .ci/run does); without
// them it is skipped, unless GRAPHQL_HTTP_AUDIT=required says it must run.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	dir := filepath.Join("testdata", "graphql-http")
	required := os.Getenv("GRAPHQL_HTTP_AUDIT") == "required"
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "graphql-http"))
	}
	if err != nil {
		if required {
			t.Fatalf("the audit cannot run (%v): install Node and run npm ci in api/%s", err, dir)
		}
		t.Skipf("the audit cannot run (%v): install Node and run npm ci in api/%s", err, dir)
	}
	e := newQuietEnv(t)
	cmd := exec.Command(node, "audit.mjs", e.gql.URL)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("graphql-http audit failed (%v):\n%s", err, out)
	} else {
		t.Logf("%s", out)
	}
}
