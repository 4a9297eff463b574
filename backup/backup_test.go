package backup_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/participation-graph/participation-graph/backup"
	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/internal/progress"
	"github.com/participation-graph/participation-graph/seed"
	"github.com/participation-graph/participation-graph/store"
)

// fill loads the Our Museum and sample data (in bulk, outside the feed), then writes
// through the API so that the feed has entries, some of them trimmed, an erased person
// and an archived museum. It returns that museum's id.
func fill(t *testing.T, s *store.Store) string {
	t.Helper()
	ctx := context.Background()
	if _, err := seed.OurMuseum(ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Sample(ctx, s, 40); err != nil {
		t.Fatal(err)
	}
	m, err := s.CreateMuseum(ctx, domain.CreateMuseumInput{Name: "Backed up", Kind: "GALLERY"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateCommunity(ctx, domain.CreateCommunityInput{Name: "Trimmed away", Kind: "OTHER"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TrimChanges(ctx, time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	city := "Hull"
	if _, err := s.UpdateMuseum(ctx, domain.UpdateMuseumInput{ID: m.ID, City: graphql.OmittableOf(&city)}); err != nil {
		t.Fatal(err)
	}
	p, err := s.CreatePerson(ctx, domain.CreatePersonInput{Pseudonym: "Kept"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ErasePerson(ctx, domain.ErasePersonInput{ID: p.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ArchiveMuseum(ctx, domain.ArchiveInput{ID: m.ID}); err != nil {
		t.Fatal(err)
	}
	return m.ID
}

// contents returns every document of the database as canonical Extended JSON, by
// collection, sorted.
func contents(t *testing.T, s *store.Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	if _, err := s.Dump(context.Background(), func(collection string, doc []byte) error {
		j, err := bson.MarshalExtJSON(bson.Raw(doc), true, false)
		out[collection] = append(out[collection], string(j))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, docs := range out {
		slices.Sort(docs)
	}
	return out
}

// filledBackup fills a database and exports it; it returns the database and the backup.
func filledBackup(t *testing.T) (*store.Store, string) {
	t.Helper()
	s, _ := dbtest.Open(t)
	fill(t, s)
	dir := filepath.Join(t.TempDir(), "backup")
	if _, err := backup.Export(context.Background(), s, dir, backup.Options{}); err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func TestRoundTripIsExact(t *testing.T) {
	ctx := context.Background()
	src, _ := dbtest.Open(t)
	museum := fill(t, src)
	dir := filepath.Join(t.TempDir(), "backup")
	var exported, imported bytes.Buffer
	out := progress.New(&exported, "export", 0)
	if _, err := backup.Export(ctx, src, dir, backup.Options{Progress: out}); err != nil {
		t.Fatal(err)
	}
	out.Done()
	dst, _ := dbtest.Open(t)
	in := progress.New(&imported, "import", 0)
	res, err := backup.Import(ctx, dst, dir, backup.Options{Progress: in})
	if err != nil {
		t.Fatal(err)
	}
	in.Done()
	want, got := contents(t, src), contents(t, dst)
	total := 0
	for _, docs := range want {
		total += len(docs)
	}
	// Both report every document, the import against the total it found in the files.
	if w := fmt.Sprintf("export: %d in ", total); !strings.HasPrefix(exported.String(), w) {
		t.Errorf("export progress %q, want it to start %q", exported.String(), w)
	}
	if w := fmt.Sprintf("import: %d/%d in ", total, total); !strings.HasPrefix(imported.String(), w) {
		t.Errorf("import progress %q, want it to start %q", imported.String(), w)
	}
	if len(want["changes"]) != 4 || len(want["change_feed_state"]) != 1 || len(want["decision_events"]) != 40 {
		t.Fatalf("the source has %d changes, %d feed states and %d events; want 4, 1 and 40 to test with",
			len(want["changes"]), len(want["change_feed_state"]), len(want["decision_events"]))
	}
	for name, docs := range want {
		if res.Written[name] != len(docs) {
			t.Errorf("import wrote %d documents of %s, want %d", res.Written[name], name, len(docs))
		}
		if !slices.Equal(got[name], docs) {
			t.Errorf("%s differs after the round trip:\n got %.600v\nwant %.600v", name, got[name], docs)
		}
	}
	if len(got) != len(want) {
		t.Errorf("the copy has collections %v, want %v", keys(got), keys(want))
	}
	// Timestamps keep their milliseconds, and the restored feed goes on where it was.
	orig, err := src.Museums.Get(ctx, museum)
	if err != nil {
		t.Fatal(err)
	}
	copied, err := dst.Museums.Get(ctx, museum)
	if err != nil || !copied.UpdatedAt.Equal(orig.UpdatedAt) || copied.Version != orig.Version || copied.Version != 3 {
		t.Errorf("museum after the round trip: %+v, %v; want updatedAt %v and version 3", copied, err, orig.UpdatedAt)
	}
	last, _ := src.LastSeq(ctx)
	c, err := dst.CreateCommunity(ctx, domain.CreateCommunityInput{Name: "After restore", Kind: "OTHER"})
	if err != nil {
		t.Fatal(err)
	}
	after, err := dst.ChangesAfter(ctx, last, 10, nil)
	if err != nil || len(after) != 1 || after[0].Seq != last+1 || after[0].EntityID != c.ID {
		t.Errorf("the first write after the restore is %+v, %v; want seq %d", after, err, last+1)
	}
}

func keys(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestBadFileChangesNothing: a fault anywhere stops the import before it writes, naming
// the file and line.
func TestBadFileChangesNothing(t *testing.T) {
	_, dir := filledBackup(t)
	edit := func(t *testing.T, file string, line int, change func(string) string) string {
		t.Helper()
		d := filepath.Join(t.TempDir(), "copy")
		if err := os.CopyFS(d, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(d, file))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		lines[line-1] = change(lines[line-1])
		if err := os.WriteFile(filepath.Join(d, file), []byte(strings.Join(lines, "\n")), 0o600); err != nil {
			t.Fatal(err)
		}
		return d
	}
	noManifest := func(d string) string {
		if err := os.Remove(filepath.Join(d, backup.ManifestFile)); err != nil {
			t.Fatal(err)
		}
		return d
	}
	// Publications come last of the records, so every earlier file is read and found good.
	for name, tc := range map[string]struct {
		dir  string
		file string
		line int
	}{
		"NotJSON": {edit(t, "publications.jsonl", 2, func(l string) string { return l[:len(l)/2] }), "publications.jsonl", 2},
		"WrongIDKind": {noManifest(edit(t, "reflections.jsonl", 3, func(l string) string {
			return strings.Replace(l, `"_id":"ref_`, `"_id":"mus_`, 1)
		})), "reflections.jsonl", 3},
		"WrongType": {noManifest(edit(t, "museums.jsonl", 4, func(l string) string {
			return strings.Replace(l, `"name":"`, `"name":{"$numberInt":"1"},"was":"`, 1)
		})), "museums.jsonl", 4},
		"FeedGap": {noManifest(edit(t, "changes.jsonl", 2, func(string) string { return "" })), "changes.jsonl", 3},
		"DuplicateID": {noManifest(edit(t, "communities.jsonl", 2, func(string) string {
			b, _ := os.ReadFile(filepath.Join(dir, "communities.jsonl"))
			return strings.Split(string(b), "\n")[0]
		})), "communities.jsonl", 2},
	} {
		t.Run(name, func(t *testing.T) {
			dst, _ := dbtest.Open(t)
			_, err := backup.Import(context.Background(), dst, tc.dir, backup.Options{})
			var le *backup.LineError
			if !errors.As(err, &le) || le.File != tc.file || le.Line != tc.line {
				t.Fatalf("import: %v; want an error at %s:%d", err, tc.file, tc.line)
			}
			if !strings.Contains(err.Error(), tc.file+":"+strconv.Itoa(tc.line)+":") {
				t.Errorf("error %q does not name the line as file:line", err)
			}
			if name, err := dst.NonEmpty(context.Background()); err != nil || name != "" {
				t.Errorf("after a refused import the database has documents in %q (%v), want none", name, err)
			}
		})
	}
	t.Run("ChangedFile", func(t *testing.T) {
		d := edit(t, "museums.jsonl", 1, func(l string) string { return strings.Replace(l, `"name":"`, `"name":"X`, 1) })
		dst, _ := dbtest.Open(t)
		if _, err := backup.Import(context.Background(), dst, d, backup.Options{}); err == nil || !strings.Contains(err.Error(), "SHA-256") {
			t.Errorf("import of an edited file under its manifest: %v, want a checksum error", err)
		}
	})
}

// TestImportRefusesNonEmptyDatabase leaves a database with records alone unless asked to
// merge.
func TestImportRefusesNonEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	_, dir := filledBackup(t)
	dst, _ := dbtest.Open(t)
	if _, err := dst.CreateCommunity(ctx, domain.CreateCommunityInput{Name: "Already here", Kind: "OTHER"}); err != nil {
		t.Fatal(err)
	}
	before := contents(t, dst)
	if _, err := backup.Import(ctx, dst, dir, backup.Options{}); err == nil || !strings.Contains(err.Error(), "--merge") {
		t.Fatalf("import into a database with a community: %v, want a refusal mentioning --merge", err)
	}
	if after := contents(t, dst); !equal(after, before) {
		t.Errorf("a refused import changed the database")
	}
}

func idOf(t *testing.T, extJSON string) string {
	t.Helper()
	var doc struct {
		ID bson.RawValue `bson:"_id"`
	}
	if err := bson.UnmarshalExtJSON([]byte(extJSON), true, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.ID.String()
}

func equal(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestMergeAddsAndAnnounces merges a backup into a running database: records it already
// has stay as they are, the others arrive exactly and appear in its change feed as
// CREATED after what it had, with no gap.
func TestMergeAddsAndAnnounces(t *testing.T) {
	ctx := context.Background()
	src, dir := filledBackup(t)
	dst, _ := dbtest.Open(t)
	if _, err := seed.OurMuseum(ctx, dst); err != nil {
		t.Fatal(err)
	}
	own, err := dst.CreateCommunity(ctx, domain.CreateCommunityInput{Name: "Own", Kind: "OTHER"})
	if err != nil {
		t.Fatal(err)
	}
	had := map[string]bool{}
	for _, docs := range contents(t, dst) {
		for _, d := range docs {
			had[idOf(t, d)] = true
		}
	}
	res, err := backup.Import(ctx, dst, dir, backup.Options{Merge: true})
	if err != nil {
		t.Fatal(err)
	}
	want, got := contents(t, src), contents(t, dst)
	if res.Kept["museums"] != 9 || res.Written["museums"] != len(want["museums"])-9 {
		t.Errorf("merge wrote %d and kept %d museums, want %d and the 9 Our Museum ones", res.Written["museums"], res.Kept["museums"], len(want["museums"])-9)
	}
	for _, name := range []string{"museums", "communities", "decision_events", "people"} {
		for _, doc := range want[name] {
			if _, found := slices.BinarySearch(got[name], doc); !found && !had[idOf(t, doc)] {
				t.Errorf("%s: backup document missing or changed after the merge: %.300s", name, doc)
			}
		}
	}
	if _, err := dst.Communities.Get(ctx, own.ID); err != nil {
		t.Errorf("the database's own community after the merge: %v", err)
	}
	feed, err := dst.ChangesAfter(ctx, 0, domain.MaxChangesPage, nil)
	if err != nil {
		t.Fatal(err)
	}
	added := 0
	for name, n := range res.Written {
		if name != "audit_trail" && name != "api_keys" {
			added += n // records only: a merge leaves the feed's collections alone, and the audit trail and keys are not in it
		}
	}
	if len(feed) != 1+added {
		t.Fatalf("the feed has %d changes, want its own 1 and %d added records", len(feed), added)
	}
	for i, c := range feed {
		if c.Seq != int64(i+1) || (i > 0 && c.Op != domain.OpCreated) {
			t.Errorf("change %d is %+v, want seq %d, CREATED", i, c, i+1)
		}
	}
	if len(got["change_intents"]) != 0 {
		t.Errorf("the merge left %d intents", len(got["change_intents"]))
	}
	// A second merge finds everything there and changes nothing.
	res, err = backup.Import(ctx, dst, dir, backup.Options{Merge: true})
	if err != nil {
		t.Fatal(err)
	}
	for name, n := range res.Written {
		if n != 0 {
			t.Errorf("a repeated merge wrote %d documents of %s", n, name)
		}
	}
}
