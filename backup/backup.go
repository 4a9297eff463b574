// Package backup exports the database to a directory of MongoDB Extended JSON files and
// imports such a directory back. It owns the file format; the store owns reading and
// writing the database, and keeps the change feed consistent with the records.
//
// A backup is a directory with one file per collection, <collection>.jsonl, holding one
// document per line in canonical Extended JSON v2 (every number and date keeps its exact
// BSON type; dates are milliseconds since the epoch, the precision BSON keeps), and a
// manifest.json that lists the files with their document counts and SHA-256 sums. Each
// file is what `mongoexport --jsonFormat=canonical` writes for that collection and what
// `mongoimport` reads; a directory of mongoexport files without a manifest can be imported
// too (the collection is the file's name).
package backup

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/participation-graph/participation-graph/internal/progress"
	"github.com/participation-graph/participation-graph/store"
)

// ManifestFile is the name of a backup's manifest.
const ManifestFile = "manifest.json"

// Format names the manifest's format; FormatVersion is its version.
const (
	Format        = "participation-graph-backup"
	FormatVersion = 1
)

// maxLine bounds one line of a backup file: a BSON document is at most 16 MiB, and its
// Extended JSON a few times that at worst.
const maxLine = 64 << 20

// batchSize is how many documents one write of an import carries.
const batchSize = 1000

// Manifest describes a backup.
type Manifest struct {
	Format        string `json:"format"`
	FormatVersion int    `json:"formatVersion"`
	// Database is the database the backup was taken from.
	Database   string    `json:"database"`
	ExportedAt time.Time `json:"exportedAt"`
	// FeedPosition is the last change-feed seq the backup holds.
	FeedPosition int64 `json:"feedPosition"`
	// ExtendedJSON is the Extended JSON mode of the files: always "canonical".
	ExtendedJSON string           `json:"extendedJSON"`
	Collections  []CollectionFile `json:"collections"`
}

// CollectionFile is one collection's file in a backup.
type CollectionFile struct {
	Name      string `json:"name"`
	File      string `json:"file"`
	Documents int    `json:"documents"`
	SHA256    string `json:"sha256"`
}

// LineError is a problem with one line of a backup file.
type LineError struct {
	File string
	Line int
	Err  error
}

// Error says file:line: problem.
func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }

// Unwrap returns the problem.
func (e *LineError) Unwrap() error { return e.Err }

// collectionName is what a collection must be called to be a file name too.
var collectionName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// Database is what a backup needs of the database, which *store.Store provides: a
// consistent dump of every collection, the checks of documents to restore, and the
// writes of an import.
type Database interface {
	// Name is the database's name, recorded in the manifest.
	Name() string
	// Dump emits every document of every collection, consistent with the change feed.
	Dump(ctx context.Context, emit func(collection string, doc []byte) error) (store.Dump, error)
	// NonEmpty names a collection that holds documents, or "" for an empty database.
	NonEmpty(ctx context.Context) (string, error)
	// CheckDocument reports what makes doc unfit to be restored into collection.
	CheckDocument(collection string, doc []byte) error
	// Restore inserts documents exactly as they are; DropCollections removes collections.
	Restore(ctx context.Context, collection string, docs [][]byte) error
	DropCollections(ctx context.Context, names []string) error
	// Merge adds the records that are missing or newer, and returns how many it wrote.
	Merge(ctx context.Context, collection string, docs [][]byte) (int, error)
}

// Export writes the whole database to a new directory dir (which must not exist, or be
// empty). It writes into a temporary directory beside dir and renames it at the end, so
// an export that fails leaves nothing behind. It is safe while servers write to the
// database: see store.Dump for how the backup stays consistent with the change feed.
// o.Progress, when set, counts the documents written (their total is not known ahead).
func Export(ctx context.Context, s Database, dir string, o Options) (*Manifest, error) {
	dir = filepath.Clean(dir)
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("backup: %s exists and is not empty; export into a new directory", dir)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".partial-")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp) // gone already when the export succeeded
	files := map[string]*fileWriter{}
	defer func() {
		for _, f := range files {
			_ = f.f.Close()
		}
	}()
	m := &Manifest{Format: Format, FormatVersion: FormatVersion, Database: s.Name(),
		ExportedAt: time.Now().UTC().Truncate(time.Millisecond), ExtendedJSON: "canonical"}
	dump, err := s.Dump(ctx, func(collection string, doc []byte) error {
		f, ok := files[collection]
		if !ok {
			if !collectionName.MatchString(collection) {
				return fmt.Errorf("backup: collection %q cannot be written to a file of that name", collection)
			}
			if f, err = newFileWriter(filepath.Join(tmp, collection+".jsonl")); err != nil {
				return err
			}
			files[collection] = f
		}
		line, err := bson.MarshalExtJSON(bson.Raw(doc), true, false)
		if err != nil {
			return fmt.Errorf("backup: %s: %w", collection, err)
		}
		f.docs++
		o.Progress.Add(1)
		return f.writeLine(line)
	})
	if err != nil {
		return nil, err
	}
	m.FeedPosition = dump.FeedPosition
	for name, f := range files {
		if err := f.close(); err != nil {
			return nil, err
		}
		m.Collections = append(m.Collections, CollectionFile{Name: name, File: name + ".jsonl", Documents: f.docs,
			SHA256: hex.EncodeToString(f.sum.Sum(nil))})
	}
	slices.SortFunc(m.Collections, func(a, b CollectionFile) int { return strings.Compare(a.Name, b.Name) })
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := writeSynced(filepath.Join(tmp, ManifestFile), append(mb, '\n')); err != nil {
		return nil, err
	}
	_ = os.Remove(dir) // an empty directory given as the target
	if err := os.Rename(tmp, dir); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	syncDir(filepath.Dir(dir))
	return m, nil
}

// fileWriter writes one collection's file, summing it as it goes.
type fileWriter struct {
	f    *os.File
	w    *bufio.Writer
	sum  hash.Hash
	docs int
}

func newFileWriter(path string) (*fileWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	sum := sha256.New()
	return &fileWriter{f: f, w: bufio.NewWriterSize(io.MultiWriter(f, sum), 1<<16), sum: sum}, nil
}

func (fw *fileWriter) writeLine(line []byte) error {
	if _, err := fw.w.Write(line); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := fw.w.WriteByte('\n'); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// close flushes the file to disk and closes it.
func (fw *fileWriter) close() error {
	err := errors.Join(fw.w.Flush(), fw.f.Sync(), fw.f.Close())
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	_, err = f.Write(b)
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// syncDir makes a rename in dir durable; file systems that cannot sync a directory are
// left to do their best.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// Options configure an import.
type Options struct {
	// Merge adds the backup's records to a database that already has some, instead of
	// refusing it: records whose id exists are left as they are, new ones are added with
	// their ids, versions and timestamps and announced in the change feed as CREATED. The
	// backup's own change feed is not imported. It applies to Import only.
	Merge bool
	// Progress, when set, counts the documents exported, or imported (written or, in a
	// merge, found there already), with the import's total set once the files are
	// checked. Export and Import do not call its Done.
	Progress *progress.Reporter
}

// Result counts what an import did, by collection.
type Result struct {
	// Written is how many documents were written.
	Written map[string]int
	// Kept is how many documents of a merge were already there (by id) and left alone.
	Kept map[string]int
}

// Import reads the backup in dir into the database. It first reads and checks every file
// whole (Extended JSON, each document against its collection, the change feed's order,
// the manifest's counts and sums) and writes nothing if anything is wrong: the error is a
// *LineError naming the file and line when one line is at fault. Without Merge the
// database must be empty, and the backup is restored exactly, change feed included; an
// import that fails while writing then drops what it wrote.
func Import(ctx context.Context, s Database, dir string, o Options) (Result, error) {
	res := Result{Written: map[string]int{}, Kept: map[string]int{}}
	files, err := listFiles(dir)
	if err != nil {
		return res, err
	}
	order := store.RestoreOrder(collectionsOf(files))
	byName := map[string]CollectionFile{}
	for _, f := range files {
		byName[f.Name] = f
	}
	var feed store.FeedCheck
	var total int64
	for _, name := range order {
		n, err := check(s, dir, byName[name], &feed)
		if err != nil {
			return res, err
		}
		if !o.Merge || !store.IsFeedCollection(name) {
			total += int64(n)
		}
	}
	if !o.Merge {
		if name, err := s.NonEmpty(ctx); err != nil {
			return res, fmt.Errorf("backup: %w", err)
		} else if name != "" {
			return res, fmt.Errorf("backup: database %s is not empty (%s has documents): import into an empty database to restore it exactly, or merge the backup's records into it with --merge", s.Name(), name)
		}
	}
	o.Progress.SetTotal(total)
	var written []string
	for _, name := range order {
		if o.Merge && store.IsFeedCollection(name) {
			continue
		}
		written = append(written, name)
		err := eachBatch(dir, byName[name], func(docs [][]byte) error {
			if !o.Merge {
				res.Written[name] += len(docs)
				err := s.Restore(ctx, name, docs)
				o.Progress.Add(len(docs))
				return err
			}
			n, err := s.Merge(ctx, name, docs)
			res.Written[name] += n
			res.Kept[name] += len(docs) - n
			o.Progress.Add(len(docs))
			return err
		})
		if err != nil && !o.Merge {
			if derr := s.DropCollections(context.WithoutCancel(ctx), written); derr != nil {
				return res, fmt.Errorf("backup: the import failed and what it wrote could not be removed (drop the database before trying again): %w", errors.Join(err, derr))
			}
			return res, fmt.Errorf("backup: the import failed and what it wrote was removed: %w", err)
		}
		if err != nil {
			return res, fmt.Errorf("backup: the merge stopped part-way (the records added so far are complete and announced; run it again to add the rest): %w", err)
		}
	}
	return res, nil
}

// listFiles returns the backup's files: the manifest's, or every *.jsonl and *.json file
// of the directory when it has none.
func listFiles(dir string) ([]CollectionFile, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err == nil {
		var m Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("backup: %s: %w", ManifestFile, err)
		}
		if m.Format != Format || m.FormatVersion != FormatVersion {
			return nil, fmt.Errorf("backup: %s is not a %s manifest of version %d", ManifestFile, Format, FormatVersion)
		}
		for _, c := range m.Collections {
			if !collectionName.MatchString(c.Name) || c.File != filepath.Base(c.File) {
				return nil, fmt.Errorf("backup: %s lists an unusable collection %q in file %q", ManifestFile, c.Name, c.File)
			}
		}
		return m.Collections, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("backup: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	var out []CollectionFile
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		name := strings.TrimSuffix(e.Name(), ext)
		if e.IsDir() || (ext != ".jsonl" && ext != ".json") || !collectionName.MatchString(name) {
			continue
		}
		out = append(out, CollectionFile{Name: name, File: e.Name(), Documents: -1})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("backup: %s has neither a %s nor any .jsonl file", dir, ManifestFile)
	}
	return out, nil
}

func collectionsOf(files []CollectionFile) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.Name
	}
	return out
}

// check reads one file whole and reports its first problem, or how many documents it
// holds. feed sees every document, in RestoreOrder, to check the change feed's order.
func check(s Database, dir string, f CollectionFile, feed *store.FeedCheck) (int, error) {
	ids := map[string]int{}
	sum := sha256.New()
	n := 0
	err := eachLine(dir, f, sum, func(line int, doc []byte) error {
		n++
		if err := s.CheckDocument(f.Name, doc); err != nil {
			return err
		}
		id := bson.Raw(doc).Lookup("_id")
		key := string(rune(id.Type)) + string(id.Value)
		if first, dup := ids[key]; dup {
			return fmt.Errorf("_id %s appears again (first on line %d)", id, first)
		}
		ids[key] = line
		return feed.Check(f.Name, doc)
	})
	if err != nil {
		return 0, err
	}
	if f.Documents >= 0 && n != f.Documents {
		return 0, fmt.Errorf("backup: %s has %d documents, the manifest says %d: the file is incomplete or was changed", f.File, n, f.Documents)
	}
	if f.SHA256 != "" && hex.EncodeToString(sum.Sum(nil)) != f.SHA256 {
		return 0, fmt.Errorf("backup: %s does not match the manifest's SHA-256: the file was changed or damaged since the export (remove %s to import the files as they are)", f.File, ManifestFile)
	}
	return n, nil
}

// eachBatch passes the file's documents to f, batchSize at a time.
func eachBatch(dir string, cf CollectionFile, f func(docs [][]byte) error) error {
	var batch [][]byte
	err := eachLine(dir, cf, io.Discard, func(_ int, doc []byte) error {
		batch = append(batch, doc)
		if len(batch) < batchSize {
			return nil
		}
		err := f(batch)
		batch = nil
		return err
	})
	if err == nil && len(batch) > 0 {
		err = f(batch)
	}
	return err
}

// eachLine reads a file line by line, copying its bytes to sum, and passes each non-blank
// line's document (as BSON) to f with its line number. An error about a line, from
// reading it or from f, comes back as a *LineError.
func eachLine(dir string, cf CollectionFile, sum io.Writer, f func(line int, doc []byte) error) error {
	file, err := os.Open(filepath.Join(dir, cf.File))
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer file.Close()
	r := bufio.NewReaderSize(io.TeeReader(file, sum), 1<<16)
	for line := 1; ; line++ {
		b, err := readLine(r)
		if len(bytes.TrimSpace(b)) > 0 {
			var doc bson.Raw
			if perr := bson.UnmarshalExtJSON(b, false, &doc); perr != nil {
				return &LineError{File: cf.File, Line: line, Err: fmt.Errorf("not an Extended JSON document: %w", perr)}
			}
			if ferr := f(line, doc); ferr != nil {
				return &LineError{File: cf.File, Line: line, Err: ferr}
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &LineError{File: cf.File, Line: line, Err: err}
		}
	}
}

// readLine reads one line without its end, refusing lines longer than maxLine.
func readLine(r *bufio.Reader) ([]byte, error) {
	var out []byte
	for {
		chunk, err := r.ReadSlice('\n')
		out = append(out, chunk...)
		if len(out) > maxLine {
			return nil, fmt.Errorf("line longer than %d bytes", maxLine)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(out, "\r\n"), err
	}
}
