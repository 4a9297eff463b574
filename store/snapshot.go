package store

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/participation-graph/participation-graph/domain"
)

// The read model's snapshot. Reading the model from the embedded database decodes every
// document through FerretDB v1 (about a millisecond each: over a minute and a half at a
// hundred thousand decision events), while the same records decode from a file of BSON
// in a second or two. So a server on the embedded database writes its model to
// DATA_DIR when it stops, and reads it back at the next start instead of the database.
//
// A snapshot is used only if it still describes the database, and is otherwise ignored
// (the model is then read from the database as without one):
//   - it names the same database, and its feed position is still kept by the feed;
//   - each collection holds the snapshot's records plus those created in the feed since
//     (a bulk load, such as `seed`, writes no feed entries, so it shows here);
//   - a sample of its records, read again by id, are at the snapshot's version or later.
//
// Then every change after the snapshot's position is applied, as the feed delivers it,
// before reads are answered. The file holds personal data, like the database: it is
// readable by its owner only, and it is deleted as soon as it has been read, so that a
// name erased while the server runs is never in a snapshot. A server killed without
// stopping leaves none, and the next start reads the database.

// snapshotMagic starts every snapshot file; a new layout takes a new one.
const snapshotMagic = "participation-graph read model 1\n"

type snapshotHeader struct {
	Database string           `bson:"database"`
	Seq      int64            `bson:"seq"`
	Counts   map[string]int64 `bson:"counts"`
	At       time.Time        `bson:"at"`
}

// spotChecks is how many records of each collection a restore reads again by id.
const spotChecks = 16

// WriteSnapshot reads the model from the database and writes its snapshot, for a
// command that changed the database in bulk while no server runs (such as loading the
// sample data): the next start then reads the snapshot instead of the database. It does
// nothing when the model keeps no snapshot. Errors are the store's.
func (m *ReadModel) WriteSnapshot(ctx context.Context, log *slog.Logger) error {
	if m.snapshot == "" {
		return nil
	}
	if _, err := m.load(ctx, log); err != nil {
		return err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.write(); err != nil {
		_ = os.Remove(m.snapshot + ".tmp")
		return fmt.Errorf("read model: writing the snapshot: %w", err)
	}
	return nil
}

// save writes the model to its snapshot file, for the next start. Failures are logged:
// without a snapshot the next start reads the database.
func (m *ReadModel) save(log *slog.Logger) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if !m.hasLoaded {
		return
	}
	start := time.Now()
	if err := m.write(); err != nil {
		log.Warn("read model: writing the snapshot failed; the next start reads the database", "err", err)
		_ = os.Remove(m.snapshot + ".tmp")
		return
	}
	log.Info("read model: snapshot written", "file", m.snapshot, "seq", m.after, "took", time.Since(start).Round(time.Millisecond))
}

// write writes the snapshot; the caller holds a lock.
func (m *ReadModel) write() error {
	tmp := m.snapshot + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	h := snapshotHeader{Database: m.s.Name(), Seq: m.after, Counts: map[string]int64{}, At: time.Now().UTC()}
	for _, e := range m.entities {
		h.Counts[string(e)] = int64(m.tables[e].size())
	}
	raw, err := bson.Marshal(h)
	if err != nil {
		return err
	}
	if _, err := w.WriteString(snapshotMagic); err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	for _, e := range m.entities {
		i := slices.Index(modelEntities, e)
		var werr error
		m.tables[e].each(func(rec any) {
			if werr != nil {
				return
			}
			doc, err := bson.Marshal(rec)
			if err == nil {
				err = w.WriteByte(byte(i))
			}
			if err == nil {
				_, err = w.Write(doc)
			}
			werr = err
		})
		if werr != nil {
			return werr
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, m.snapshot)
}

// restore reads the model from its snapshot when there is one that still describes the
// database (see above), and returns the feed position it holds every change up to. Not
// ok with a nil error means there was no snapshot.
func (m *ReadModel) restore(ctx context.Context, log *slog.Logger) (int64, bool, error) {
	f, err := os.Open(m.snapshot)
	if errors.Is(err, os.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	// Whatever happens next, the file is read once only.
	defer os.Remove(m.snapshot)
	m.mu.Lock()
	m.loading, m.pending = true, nil
	m.progress = LoadProgress{Collection: "snapshot"}
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.loading, m.pending = false, nil
		m.mu.Unlock()
	}()
	r := bufio.NewReaderSize(f, 1<<20)
	magic := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != snapshotMagic {
		return 0, false, errors.New("not a snapshot of this version")
	}
	var h snapshotHeader
	raw, err := readDoc(r)
	if err == nil {
		err = bson.Unmarshal(raw, &h)
	}
	if err != nil {
		return 0, false, fmt.Errorf("header: %w", err)
	}
	if h.Database != m.s.Name() {
		return 0, false, fmt.Errorf("it is of database %q", h.Database)
	}
	fresh := map[domain.Entity]modelTable{}
	for _, e := range m.entities {
		fresh[e] = m.tables[e].fresh()
	}
	for {
		i, err := r.ReadByte()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || int(i) >= len(modelEntities) {
			return 0, false, fmt.Errorf("damaged: %v", err)
		}
		raw, err := readDoc(r)
		if err != nil {
			return 0, false, fmt.Errorf("damaged: %w", err)
		}
		t := fresh[modelEntities[i]]
		if t == nil {
			return 0, false, errors.New("it holds collections this model does not")
		}
		rec, err := t.decode(raw)
		if err != nil {
			return 0, false, fmt.Errorf("damaged: %w", err)
		}
		t.putAny(rec, false)
	}
	if err := m.current(ctx, h, fresh); err != nil {
		return 0, false, err
	}
	for _, t := range fresh {
		t.sortAll()
	}
	m.install(fresh, h.Seq)
	log.Info("read model: read the snapshot", "written", h.At.Format(time.RFC3339), "seq", h.Seq)
	return h.Seq, true, nil
}

// current returns an error saying why the snapshot's tables no longer describe the
// database, or nil when they do (see above).
func (m *ReadModel) current(ctx context.Context, h snapshotHeader, fresh map[domain.Entity]modelTable) error {
	if err := m.s.CheckChangeCursor(ctx, h.Seq); err != nil {
		return err
	}
	last, err := m.s.LastSeq(ctx)
	if err != nil {
		return err
	}
	if last < h.Seq {
		return fmt.Errorf("the change feed ends at %d, before the snapshot's %d", last, h.Seq)
	}
	created := map[domain.Entity]int64{}
	for after := h.Seq; after < last; {
		changes, err := m.s.ChangesAfter(ctx, after, domain.MaxChangesPage, m.entities)
		if err != nil {
			return err
		}
		if len(changes) == 0 {
			break
		}
		for _, c := range changes {
			if c.Op == domain.OpCreated {
				created[c.Entity]++
			}
		}
		after = changes[len(changes)-1].Seq
	}
	for _, e := range m.entities {
		t := fresh[e]
		n, err := m.s.count(ctx, e)
		if err != nil {
			return err
		}
		if want := h.Counts[string(e)] + created[e]; n != want || int64(t.size()) != h.Counts[string(e)] {
			return fmt.Errorf("%s holds %d records, the snapshot and the feed account for %d", collections[e], n, want)
		}
		// A sample of the records, read again by id.
		want := map[string]int{}
		t.each(func(rec any) {
			if id, v := t.versionOf(rec); len(want) < spotChecks || rand.IntN(t.size()) < spotChecks {
				want[id] = v
			}
		})
		ids := slices.Collect(maps.Keys(want))
		if len(ids) > 2*spotChecks {
			ids = ids[:2*spotChecks]
		}
		stored, err := t.readAgain(ctx, ids)
		if err != nil {
			return err
		}
		for _, rec := range stored {
			if id, v := t.versionOf(rec); v < want[id] {
				return fmt.Errorf("record %s is at version %d, older than the snapshot's %d", id, v, want[id])
			}
		}
		if len(stored) != len(ids) {
			return fmt.Errorf("%d of %d sampled records of the snapshot are not in the database", len(ids)-len(stored), len(ids))
		}
	}
	return nil
}

// readDoc reads one BSON document: its length, then the rest.
func readDoc(r *bufio.Reader) ([]byte, error) {
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint32(size[:])
	if n < 5 || n > 16<<20 {
		return nil, fmt.Errorf("a document of %d bytes", n)
	}
	doc := make([]byte, n)
	copy(doc, size[:])
	if _, err := io.ReadFull(r, doc[4:]); err != nil {
		return nil, err
	}
	return doc, nil
}
