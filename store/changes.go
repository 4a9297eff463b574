package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/participation-graph/participation-graph/domain"
)

// The change feed: every committed write appears exactly once, with a strictly increasing
// seq, on MongoDB and FerretDB alike, without multi-document transactions.
//
// Why it holds:
//   - Before writing a record, the writer inserts an intent keyed by (record id, new
//     version) into change_intents. The record write and the intent are two documents, so
//     a process may die between the steps; the intent is what survives it.
//   - After the record write, the writer appends the change and deletes the intent. A
//     change whose (entityId, version) is already in the feed is not appended again (a
//     unique index), so completing an intent twice is harmless.
//   - An intent left behind by a dead writer is completed by the next update of the same
//     record (before it writes, so per-record order is kept) or by the sweeper once it is
//     older than any write can take: appended if the record reached that version, dropped
//     if the write never happened. No committed write is missing, none appears twice.
//   - seq is the _id of the change. A writer takes max+1 and inserts it; a duplicate _id
//     means another writer took that number, so it tries the next. Every seq is taken only
//     after all smaller ones exist, so a reader that sees seq N has seen every seq below N:
//     reading by seq never skips a change that becomes visible later.
//   - Seed and sample data loaded in bulk (Insert) are not in the feed.
//   - Writes of API keys and webhooks take the same steps but append no change: their
//     intents only see them audited exactly once.

const (
	changesCollection = "changes"
	intentsCollection = "change_intents"
	feedState         = "change_feed_state"
	// intentAge is how old an intent must be before the sweeper completes it: longer than
	// any write can take (lockedWork and the operation timeouts).
	intentAge = time.Minute
)

type intentDoc struct {
	ID       string        `bson:"_id"`
	Op       domain.Op     `bson:"op"`
	Entity   domain.Entity `bson:"entity"`
	EntityID string        `bson:"entityId"`
	Version  int           `bson:"version"`
	At       time.Time     `bson:"at"`
	// MuseumID and Restricted are copied into the change.
	MuseumID   string `bson:"museumId,omitempty"`
	Restricted bool   `bson:"restricted,omitempty"`
	// AdminOnly marks a write of an API key or a webhook: audited, never in the feed (see
	// write.adminOnly).
	AdminOnly bool `bson:"adminOnly,omitempty"`
	// Audit is what the audit trail records of the write.
	Audit auditInfo `bson:"audit"`
}

func intentKey(id string, version int) string { return id + "@" + strconv.Itoa(version) }

func (in intentDoc) change() domain.Change {
	return domain.Change{Op: in.Op, Entity: in.Entity, EntityID: in.EntityID, Version: in.Version, At: in.At,
		MuseumID: in.MuseumID, Restricted: in.Restricted}
}

// feedIndexes are the change feed's indexes.
func feedIndexes() map[string][]mongo.IndexModel {
	return map[string][]mongo.IndexModel{
		changesCollection: {
			{Keys: bson.D{{Key: "entityId", Value: 1}, {Key: "version", Value: 1}}, Options: options.Index().SetUnique(true)},
			{Keys: bson.D{{Key: "at", Value: 1}}},
			{Keys: bson.D{{Key: "entity", Value: 1}, {Key: "_id", Value: 1}}},
		},
	}
}

// putIntent records that a write of version is about to happen. A duplicate means another
// writer is writing the same version of the same record: the caller's read is stale.
func (s *Store) putIntent(ctx context.Context, in intentDoc) error {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	_, err := s.db.Collection(intentsCollection).InsertOne(ctx, in)
	if mongo.IsDuplicateKeyError(err) {
		return ErrStale
	}
	return translate(err)
}

func (s *Store) dropIntent(ctx context.Context, key string) error {
	ctx, cancel := s.opCtx(context.WithoutCancel(ctx))
	defer cancel()
	_, err := s.db.Collection(intentsCollection).DeleteOne(ctx, bson.D{{Key: "_id", Value: key}})
	return translate(err)
}

// completeIntent finishes an intent a dead writer left for version of record id, if any:
// the record is at that version (the write happened), so its change is appended.
func (s *Store) completeIntent(ctx context.Context, id string, version int) error {
	octx, cancel := s.opCtx(ctx)
	defer cancel()
	var in intentDoc
	err := s.db.Collection(intentsCollection).FindOne(octx, bson.D{{Key: "_id", Value: intentKey(id, version)}}).Decode(&in)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil
	}
	if err != nil {
		return translate(err)
	}
	return s.finishIntent(ctx, in)
}

// finishIntent appends the change of an intent whose write happened (unless it is
// AdminOnly), audits it and drops the intent.
func (s *Store) finishIntent(ctx context.Context, in intentDoc) error {
	if !in.AdminOnly {
		if err := s.appendChange(ctx, in.change()); err != nil {
			return err
		}
	}
	if err := s.auditIntent(ctx, in); err != nil {
		return err
	}
	return s.dropIntent(ctx, in.ID)
}

// appendChange adds a change at the next free seq, unless the feed already has it.
func (s *Store) appendChange(ctx context.Context, c domain.Change) error {
	s.seqMu.Lock()
	defer s.seqMu.Unlock()
	changes := s.db.Collection(changesCollection)
	if s.nextSeq == 0 {
		last, err := s.LastSeq(ctx)
		if err != nil {
			return err
		}
		s.nextSeq = last + 1
	}
	for tries := 0; tries < 10000; tries++ {
		c.Seq = s.nextSeq
		octx, cancel := s.opCtx(ctx)
		_, err := changes.InsertOne(octx, c)
		cancel()
		if err == nil {
			s.nextSeq++
			if s.onChange != nil {
				s.onChange()
			}
			return nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return translate(err)
		}
		// Either the seq is taken (another process appended) or this change is already in
		// the feed (an intent completed twice). Only contention gets here.
		exists, err := s.hasChange(ctx, c.EntityID, c.Version)
		if err != nil || exists {
			return err
		}
		// Another process took the number, and perhaps many more (an import, a busy
		// second instance): every seq up to the feed's end is taken, so go past it.
		last, err := s.LastSeq(ctx)
		if err != nil {
			return err
		}
		s.nextSeq = max(s.nextSeq+1, last+1)
	}
	return fmt.Errorf("store: no free change-feed position after 10000 tries")
}

func (s *Store) hasChange(ctx context.Context, id string, version int) (bool, error) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	err := s.db.Collection(changesCollection).FindOne(ctx, bson.D{{Key: "entityId", Value: id}, {Key: "version", Value: version}}).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	return err == nil, translate(err)
}

type feedStateDoc struct {
	ID string `bson:"_id"`
	// TrimmedThrough is the highest seq ever removed by retention.
	TrimmedThrough int64 `bson:"trimmedThrough"`
}

// LastSeq returns the highest seq ever taken, including ones retention removed (0 for an
// empty feed).
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	var last domain.Change
	err := s.db.Collection(changesCollection).FindOne(ctx, bson.D{}, options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}})).Decode(&last)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, translate(err)
	}
	st, err := s.feedState(ctx)
	return max(last.Seq, st.TrimmedThrough), err
}

func (s *Store) feedState(ctx context.Context) (feedStateDoc, error) {
	var st feedStateDoc
	err := s.db.Collection(feedState).FindOne(ctx, bson.D{{Key: "_id", Value: "seq"}}).Decode(&st)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return st, nil
	}
	return st, translate(err)
}

// ChangesAfter returns up to limit changes with a seq above after, oldest first, of the
// given entities (all when empty). A position older than what retention kept is
// ErrCursorExpired.
func (s *Store) ChangesAfter(ctx context.Context, after int64, limit int, entities []domain.Entity) ([]domain.Change, error) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	if err := s.CheckChangeCursor(ctx, after); err != nil {
		return nil, err
	}
	q := bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}}}
	if len(entities) > 0 {
		q = append(q, bson.E{Key: "entity", Value: bson.D{{Key: "$in", Value: entities}}})
	}
	q = and(q, changeVisibility(ctx))
	cur, err := s.db.Collection(changesCollection).Find(ctx, q, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)).SetBatchSize(s.batchSize(int64(limit))))
	if err != nil {
		return nil, translate(err)
	}
	out := []domain.Change{}
	return out, translate(cur.All(ctx, &out))
}

// CheckChangeCursor returns ErrCursorExpired when position after is older than what
// retention kept. It reads one small document, not the feed.
func (s *Store) CheckChangeCursor(ctx context.Context, after int64) error {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	st, err := s.feedState(ctx)
	if err != nil {
		return err
	}
	if after < st.TrimmedThrough {
		return fmt.Errorf("%w: position %d is older than the oldest change kept (%d)", domain.ErrCursorExpired, after, st.TrimmedThrough+1)
	}
	return nil
}

// TrimChanges removes changes older than before, keeping the feed's numbering: a cursor
// at or below the removed ones then fails with ErrCursorExpired.
func (s *Store) TrimChanges(ctx context.Context, before time.Time) (int, error) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	changes := s.db.Collection(changesCollection)
	var newest domain.Change
	err := changes.FindOne(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: before}}}},
		options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}})).Decode(&newest)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, translate(err)
	}
	// Record the boundary first: should the delete fail half-way, cursors below it are
	// refused rather than silently missing changes.
	if _, err := s.db.Collection(feedState).UpdateOne(ctx, bson.D{{Key: "_id", Value: "seq"}},
		bson.D{{Key: "$max", Value: bson.D{{Key: "trimmedThrough", Value: newest.Seq}}}}, options.UpdateOne().SetUpsert(true)); err != nil {
		return 0, translate(err)
	}
	res, err := changes.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$lte", Value: newest.Seq}}}})
	if err != nil {
		return 0, translate(err)
	}
	return int(res.DeletedCount), nil
}

// SweepIntents completes the intents that dead writers left more than intentAge ago: the
// change is appended when the record reached the intent's version, and the intent is
// dropped either way. It returns how many intents it handled.
func (s *Store) SweepIntents(ctx context.Context) (int, error) {
	octx, cancel := s.opCtx(ctx)
	defer cancel()
	cur, err := s.db.Collection(intentsCollection).Find(octx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: s.clock().Add(-intentAge)}}}})
	if err != nil {
		return 0, translate(err)
	}
	var stale []intentDoc
	if err := cur.All(octx, &stale); err != nil {
		return 0, translate(err)
	}
	handled := 0
	for _, in := range stale {
		if _, record := collections[in.Entity]; !record {
			if _, ok := s.documentCollection(in.Entity); !ok {
				continue // documents this process does not open: left for one that does
			}
		}
		done, err := s.intentWritten(ctx, in)
		switch {
		case err != nil:
			return 0, err
		case done:
			err = s.finishIntent(ctx, in)
		default:
			err = s.dropIntent(ctx, in.ID)
		}
		if err != nil {
			return 0, err
		}
		handled++
	}
	return handled, nil
}

// intentWritten reports whether the write an intent announced happened: the record
// reached the intent's version or, for a webhook's deletion, is gone.
func (s *Store) intentWritten(ctx context.Context, in intentDoc) (bool, error) {
	if !in.AdminOnly {
		recs, errs := s.byEntity[in.Entity].getAny(ctx, []string{in.EntityID})
		if errs[0] != nil {
			return false, ignoreNotFound(errs[0])
		}
		return recs[0].(interface{ Base() *domain.Meta }).Base().Version >= in.Version, nil
	}
	coll := s.coll(in.Entity)
	if c, ok := s.documentCollection(in.Entity); ok {
		coll = c
	}
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	var rec struct {
		Version int `bson:"version"`
	}
	err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: in.EntityID}}, options.FindOne().SetProjection(bson.D{{Key: "version", Value: 1}})).Decode(&rec)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return in.Op == domain.OpDeleted, nil
	}
	if err != nil {
		return false, translate(err)
	}
	return in.Op != domain.OpDeleted && rec.Version >= in.Version, nil
}

func ignoreNotFound(err error) error {
	if domain.IsNotFound(err) {
		return nil
	}
	return err
}

// ChangeAt returns the change at seq, or ErrNotFound. It reads by _id alone, which every
// server answers from its primary key, so tailing the feed stays cheap as it grows.
func (s *Store) ChangeAt(ctx context.Context, seq int64) (*domain.Change, error) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	var c domain.Change
	if err := s.db.Collection(changesCollection).FindOne(ctx, bson.D{{Key: "_id", Value: seq}}).Decode(&c); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, fmt.Errorf("change %d: %w", seq, domain.ErrNotFound)
		}
		return nil, translate(err)
	}
	return &c, nil
}

// OnChange sets a function called after each change this process appends to the feed, so
// live subscribers hear of it at once. Set it before serving.
func (s *Store) OnChange(f func()) { s.onChange = f }
