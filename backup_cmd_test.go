package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/participation-graph/participation-graph/internal/gqltest"
)

// TestExportImportCommands backs up a server's data with `export`, restores it into a new
// data directory with `import`, and serves the copy.
func TestExportImportCommands(t *testing.T) {
	from, to, dir := t.TempDir(), t.TempDir(), filepath.Join(t.TempDir(), "backup")
	env := map[string]string{"PORT": strconv.Itoa(freePort(t)), "DATA_DIR": from}
	base, stop := start(t, env)
	var created struct {
		CreateCommunity struct {
			Community struct{ ID, CreatedAt string }
		}
	}
	gqltest.Client{URL: base + "/graphql", Token: testAdminToken}.Must(t, `mutation { createCommunity(input: {name: "Backed up", kind: OTHER}) { community { id createdAt } } }`, nil, &created)
	stop()

	logs, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	cmd := func(args []string, env map[string]string) error {
		return run(context.Background(), args, func(k string) string { return env[k] }, logs, logs)
	}
	if err := cmd([]string{"export", "--out", dir}, map[string]string{"DATA_DIR": from}); err != nil {
		t.Fatalf("export: %v", err)
	}
	if err := cmd([]string{"import", dir}, map[string]string{"DATA_DIR": to}); err != nil {
		t.Fatalf("import: %v", err)
	}
	if err := cmd([]string{"import", dir}, map[string]string{"DATA_DIR": to}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a second import into the same database: %v, want a refusal", err)
	}
	if err := cmd([]string{"import"}, map[string]string{"DATA_DIR": to}); err == nil {
		t.Error("import without a directory was accepted")
	}
	// Off a terminal, each command writes one summary line of its progress.
	out, _ := os.ReadFile(logs.Name())
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^exporting documents: [1-9][0-9,]* in [0-9.]+m?s \([0-9,]+/s\)$`),
		regexp.MustCompile(`(?m)^importing documents: ([1-9][0-9,]*)/([0-9,]+) in [0-9.]+m?s \([0-9,]+/s\)$`),
	} {
		if m := re.FindStringSubmatch(string(out)); m == nil || len(m) == 3 && m[1] != m[2] {
			t.Errorf("the commands' output lacks a complete progress line like %s:\n%s", re, out)
		}
	}

	base, stop = start(t, map[string]string{"PORT": strconv.Itoa(freePort(t)), "DATA_DIR": to})
	defer stop()
	var got struct {
		Node       *struct{ Name, CreatedAt string }
		Programmes struct{ TotalCount int }
		Changes    struct{ Nodes []struct{ EntityID string } }
	}
	gqltest.Client{URL: base + "/graphql", Token: testAdminToken}.Must(t, `query($id: ID!) { node(id: $id) { ... on Community { name createdAt } }
		programmes { totalCount } changes { nodes { entityId } } }`, map[string]any{"id": created.CreateCommunity.Community.ID}, &got)
	if got.Node == nil || got.Node.Name != "Backed up" || got.Node.CreatedAt != created.CreateCommunity.Community.CreatedAt {
		t.Errorf("restored community = %+v, want Backed up created at %s", got.Node, created.CreateCommunity.Community.CreatedAt)
	}
	if got.Programmes.TotalCount != 1 {
		t.Errorf("the restored server has %d programmes, want the one restored (not loaded again)", got.Programmes.TotalCount)
	}
	if len(got.Changes.Nodes) != 1 || got.Changes.Nodes[0].EntityID != created.CreateCommunity.Community.ID {
		t.Errorf("restored change feed = %+v, want the community's creation", got.Changes.Nodes)
	}
}
