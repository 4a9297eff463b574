package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// scanTimeout bounds a whole-collection read that has no earlier deadline: reading every
// record of a large collection takes longer than an interactive request may.
const scanTimeout = 5 * time.Minute

// scanBatch is how many records one reply of a scan carries. FerretDB v1 takes time
// growing faster than the batch to build one reply: reading 100,000 decision events took
// over four minutes in one batch and 18 s in batches of 10,000.
const scanBatch = 10_000

// Scan calls fn for every record of the collection, archived ones included, in no
// particular order. Only _id and the named document fields (the names the records are
// stored under, such as "museumId") are read; the other fields of the records fn gets are
// left zero. Records arrive in batches of scanBatch (one command per server reply), and
// fn may keep them. An error from fn stops the scan and is returned; database errors are the
// store's.
func (c *Collection[T, F]) Scan(ctx context.Context, fields []string, fn func(*T) error) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, scanTimeout)
		defer cancel()
	}
	proj := bson.D{{Key: "_id", Value: 1}}
	for _, f := range fields {
		proj = append(proj, bson.E{Key: f, Value: 1})
	}
	cur, err := c.c.Find(ctx, bson.D{}, options.Find().SetProjection(proj).SetBatchSize(scanBatch))
	if err != nil {
		return translate(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		rec := new(T)
		if err := cur.Decode(rec); err != nil {
			return translate(err)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return translate(cur.Err())
}

// IDs returns the ids of every record matching f (archived ones only when f asks for
// them), reading nothing else. It is for callers that answer the rest of a question
// from memory. Errors are the store's.
func (c *Collection[T, F]) IDs(ctx context.Context, f *F) ([]string, error) {
	q, err := c.query(ctx, f)
	if err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, scanTimeout)
		defer cancel()
	}
	cur, err := c.c.Find(ctx, q, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(oneBatch))
	if err != nil {
		return nil, translate(err)
	}
	defer cur.Close(ctx)
	ids := []string{}
	for cur.Next(ctx) {
		if id, ok := cur.Current.Lookup("_id").StringValueOK(); ok {
			ids = append(ids, id)
		}
	}
	return ids, translate(cur.Err())
}
