package store

import (
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/participation-graph/participation-graph/domain"
)

// filterBuilder collects the conditions of a query. It keeps them as top-level fields
// where it can, because FerretDB pushes simple top-level equality down to its backend and
// MongoDB plans such queries best.
type filterBuilder struct {
	parts []bson.E
}

// common starts a filter with the conditions every list shares.
func common(sample, includeArchived *bool) *filterBuilder {
	b := &filterBuilder{}
	if includeArchived == nil || !*includeArchived {
		b.add("archived", false)
	}
	if sample != nil {
		b.add("sample", *sample)
	}
	return b
}

func (b *filterBuilder) add(field string, v any) {
	b.parts = append(b.parts, bson.E{Key: field, Value: v})
}

// eq adds field == *v when v is set.
func eq[V any](b *filterBuilder, field string, v *V) {
	if v != nil {
		b.add(field, *v)
	}
}

// in adds "field is one of vals" when vals is not empty.
func in[V any](b *filterBuilder, field string, vals []V) {
	if len(vals) > 0 {
		b.add(field, bson.D{{Key: "$in", Value: vals}})
	}
}

// cmp adds field op *v (op is $gt, $gte, $lt or $lte) when v is set.
func cmpOp[V any](b *filterBuilder, field, op string, v *V) {
	if v != nil {
		b.add(field, bson.D{{Key: op, Value: *v}})
	}
}

// search adds a case-insensitive substring match on any of the fields. The text is matched
// literally (never as a pattern); an overlong one is cut to maxSearch characters.
func (b *filterBuilder) search(q *string, fields ...string) {
	pattern, ok := domain.SearchPattern(q)
	if !ok {
		return
	}
	var or bson.A
	for _, f := range fields {
		or = append(or, bson.D{{Key: f, Value: bson.D{{Key: "$regex", Value: pattern}, {Key: "$options", Value: "i"}}}})
	}
	b.add("$or", or)
}

// activeOn adds "started on or before d and not ended before d" for optional dates.
func (b *filterBuilder) activeOn(d *domain.Date, start, end string) {
	if d == nil {
		return
	}
	b.add(start, bson.D{{Key: "$lte", Value: *d}})
	b.add("$or", bson.A{
		bson.D{{Key: end, Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: end, Value: bson.D{{Key: "$gte", Value: *d}}}},
	})
}

// none makes the filter match nothing (a reference to nothing, such as an outcome code no
// outcome has).
func (b *filterBuilder) none() { b.add("_id", bson.D{{Key: "$in", Value: bson.A{}}}) }

// build returns the query: one document with each field once; repeated fields (two ranges
// on one field, two $or) go into an $and.
func (b *filterBuilder) build() bson.D {
	out := bson.D{}
	seen := map[string]bool{}
	var rest bson.A
	for _, p := range b.parts {
		if seen[p.Key] {
			rest = append(rest, bson.D{p})
			continue
		}
		seen[p.Key] = true
		out = append(out, p)
	}
	if len(rest) > 0 {
		out = append(out, bson.E{Key: "$and", Value: rest})
	}
	return out
}
