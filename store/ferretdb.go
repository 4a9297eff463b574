package store

// Everything specific to one database engine is here: FerretDB v1, the embedded database,
// detected once at Open from buildInfo (detectAtomicWrites). FerretDB 2 and MongoDB need
// none of it. On FerretDB v1:
//   - updates take a record lock (lockRecord), since its conditional writes are not atomic;
//   - reads by several ids send one _id equality each (byIDs), since a $in scans;
//   - a nested list's records come with its ranking, in one read (Children), since each
//     read scans;
//   - counts come from collStats (count), since the count command decodes every document;
//   - the read model answers reads (ReadModelAuto, in Open), since every other filter scans.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/participation-graph/participation-graph/domain"
)

// Record locks make read-check-write updates safe on servers whose conditional writes are
// not atomic. MongoDB applies ReplaceOne({_id, version}) atomically, so two writers can
// never both succeed from the same version; FerretDB v1 evaluates the filter first and
// writes by _id afterwards, so both would, and one change would be lost silently. There,
// each update first inserts a lock document whose _id is the record's id: an insert with
// an existing _id fails atomically (the primary key), across every process that shares the
// database. A lock left by a crashed process expires after lockTTL.

const (
	locksCollection = "record_locks"
	lockTTL         = 30 * time.Second
	lockWait        = 5 * time.Second
	// lockedWork bounds the work done under a lock, well inside lockTTL, so a lock never
	// expires while its owner still writes.
	lockedWork = 20 * time.Second
)

type lockDoc struct {
	ID        string    `bson:"_id"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

// detectAtomicWrites asks the server what it is: FerretDB says so in buildInfo. Only
// FerretDB v1 needs the workarounds (record locks, reads that avoid its scans); FerretDB 2
// runs on PostgreSQL with DocumentDB, whose writes are atomic and whose indexes answer
// every filter, so it is treated as MongoDB.
func (s *Store) detectAtomicWrites(ctx context.Context) error {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	info, err := s.client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	if err != nil {
		return translate(err)
	}
	v1 := isFerretDBv1(info)
	s.needsLocks, s.scans = v1, v1
	return nil
}

// isFerretDBv1 reports whether a buildInfo reply comes from FerretDB v1, which names its
// version in the top-level field ferretdbVersion. FerretDB 2 names it in ferretdb.version
// instead, and MongoDB in neither.
func isFerretDBv1(info bson.Raw) bool {
	if _, err := info.LookupErr("ferretdb", "version"); err == nil {
		return false
	}
	_, err := info.LookupErr("ferretdbVersion")
	return err == nil
}

// lockRecord takes the update lock of record id when the server needs it, waiting up to
// lockWait for another writer to finish. The returned function releases it.
func (s *Store) lockRecord(ctx context.Context, id string) (func(), error) {
	if !s.needsLocks {
		return func() {}, nil
	}
	locks := s.db.Collection(locksCollection)
	deadline := time.Now().Add(lockWait)
	for delay := time.Millisecond; ; delay = min(delay*2, 50*time.Millisecond) {
		now := s.clock()
		mine := lockDoc{ID: id, ExpiresAt: now.Add(lockTTL)}
		octx, cancel := s.opCtx(ctx)
		_, err := locks.InsertOne(octx, mine)
		cancel()
		if err == nil {
			return func() {
				// Released even when the request was cancelled, or the record would stay
				// locked until the lock expires. Only this lock is removed: had it expired
				// and been taken over, the new owner's lock carries another expiry.
				rctx, cancel := s.opCtx(context.WithoutCancel(ctx))
				defer cancel()
				_, _ = locks.DeleteOne(rctx, bson.D{{Key: "_id", Value: id}, {Key: "expiresAt", Value: mine.ExpiresAt}})
			}, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, translate(err)
		}
		if err := s.breakExpiredLock(ctx, locks, id, now); err != nil {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: %s is being changed by another request; try again", domain.ErrConflict, id)
		}
		select {
		case <-ctx.Done():
			return nil, translate(ctx.Err())
		case <-time.After(delay):
		}
	}
}

// breakExpiredLock removes a lock its owner never released (the process died).
func (s *Store) breakExpiredLock(ctx context.Context, locks *mongo.Collection, id string, now time.Time) error {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	var l lockDoc
	err := locks.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&l)
	if errors.Is(err, mongo.ErrNoDocuments) || (err == nil && l.ExpiresAt.After(now)) {
		return nil
	}
	if err != nil {
		return translate(err)
	}
	_, err = locks.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "expiresAt", Value: l.ExpiresAt}})
	return translate(err)
}

// byIDs reads the records with the given ids; ids without a record are left out. Where
// the database looks up only a lone _id equality by key (FerretDB), it sends one such
// command per id, a few at a time, since a $in would read the whole collection; otherwise
// it sends one $in.
func (c *Collection[T, F]) byIDs(ctx context.Context, ids []string) (map[string]*T, error) {
	if !c.s.scans {
		return c.fetchIn(ctx, ids, nil)
	}
	out := make(map[string]*T, len(ids))
	ctx, cancel := c.s.opCtx(ctx)
	defer cancel()
	recs := make([]*T, len(ids))
	errs := make([]error, len(ids))
	sem := make(chan struct{}, parallelReads)
	var wg sync.WaitGroup
	for i, id := range ids {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			var rec T
			err := c.c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&rec)
			switch {
			case errors.Is(err, mongo.ErrNoDocuments):
			case err != nil:
				errs[i] = translate(err)
			default:
				recs[i] = &rec
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i, r := range recs {
		if r != nil {
			out[ids[i]] = r
		}
	}
	return out, nil
}

// parallelReads bounds the reads by id byIDs has in flight at once.
const parallelReads = 8

// count returns how many documents entity e's collection holds. FerretDB v1 answers the
// count command by decoding every document (2.3 s at ten thousand decision events) and
// collStats from its SQLite tables (0.14 s), so it is asked that way there.
func (s *Store) count(ctx context.Context, e domain.Entity) (int64, error) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	if !s.scans {
		n, err := s.coll(e).EstimatedDocumentCount(ctx)
		return n, translate(err)
	}
	var stats struct {
		Count int64 `bson:"count"`
	}
	err := s.db.RunCommand(ctx, bson.D{{Key: "collStats", Value: collections[e]}}).Decode(&stats)
	return stats.Count, translate(err)
}

// ferretBatch is the batch FerretDB v1 is asked for when a result's size is not known: it
// makes room for a whole batch before it reads the first document (8 MiB for oneBatch, on
// every find), so a batch as large as MongoDB's would cost more than the round trips it
// saves.
const ferretBatch = 1000

// batchSize is the batch to ask for a result of at most limit documents (0: unknown).
func (s *Store) batchSize(limit int64) int32 {
	n := int64(oneBatch)
	if s.scans {
		n = ferretBatch
	}
	if limit > 0 {
		// One more than the limit, so that the server sees the result end in this batch
		// and closes the cursor instead of leaving a getMore to find nothing.
		n = min(n, limit+1)
	}
	return int32(n)
}
