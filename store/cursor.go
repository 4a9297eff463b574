package store

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/participation-graph/participation-graph/domain"
)

// valueKind is the type of a sort key's values, which cursors must restore exactly.
type valueKind int

const (
	kindString valueKind = iota
	kindTime
	kindInt
)

// pos is a record's position in an order: its sort value, then its id to break ties.
type pos struct {
	v  any
	id string
}

// compare orders two positions ascending.
func (a pos) compare(b pos) int {
	var c int
	switch av := a.v.(type) {
	case string:
		c = cmp.Compare(av, b.v.(string))
	case time.Time:
		c = av.Compare(b.v.(time.Time))
	case int:
		c = cmp.Compare(av, b.v.(int))
	}
	if c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

type cursorJSON struct {
	F string          `json:"f"`
	V json.RawMessage `json:"v"`
	I string          `json:"i"`
}

// encodeCursor makes the opaque cursor of a position in an order.
func encodeCursor(field domain.OrderField, p pos) string {
	var v any = p.v
	if t, ok := v.(time.Time); ok {
		v = t.UTC().Format(time.RFC3339Nano)
	}
	raw, _ := json.Marshal(v)
	b, _ := json.Marshal(cursorJSON{F: string(field), V: raw, I: p.id})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor made by encodeCursor for the same order field. The argument
// name is used in the error, which is a *ValidationError.
func decodeCursor(arg string, field domain.OrderField, kind valueKind, s string) (pos, error) {
	bad := func(why string) (pos, error) {
		return pos{}, domain.Invalid(arg, "is not a cursor of this list (%s): pass a cursor this list returned", why)
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return bad("not base64url")
	}
	var c cursorJSON
	if err := json.Unmarshal(b, &c); err != nil || c.I == "" || len(c.V) == 0 {
		return bad("malformed")
	}
	if c.F != string(field) {
		return pos{}, domain.Invalid(arg, "is a cursor for ordering by %s, but the list is ordered by %s", c.F, field)
	}
	p := pos{id: c.I}
	switch kind {
	case kindString:
		var v string
		if json.Unmarshal(c.V, &v) != nil {
			return bad("wrong value type")
		}
		p.v = v
	case kindTime:
		var v string
		if json.Unmarshal(c.V, &v) != nil {
			return bad("wrong value type")
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return bad("bad time")
		}
		p.v = t.UTC()
	case kindInt:
		var v int
		if json.Unmarshal(c.V, &v) != nil {
			return bad("wrong value type")
		}
		p.v = v
	}
	return p, nil
}

// plan is a page request checked and resolved against an order.
type plan struct {
	field    domain.OrderField
	desc     bool // the order's direction
	n        int  // page size
	backward bool // last/before: read against the order, then reverse
	cursor   *pos // after (forward) or before (backward)
}

// newPlan validates paging arguments. Asking for both directions at once, a negative or
// too large page, or a cursor from another list is a *ValidationError naming the argument.
func newPlan(args PageArgs, field domain.OrderField, desc bool, kind valueKind) (plan, error) {
	p := plan{field: field, desc: desc, n: DefaultPageSize}
	var fields []domain.FieldError
	size := func(name string, v *int) {
		if v == nil {
			return
		}
		switch {
		case *v < 0:
			fields = append(fields, domain.FieldError{Field: name, Message: "must not be negative"})
		case *v > MaxPageSize:
			fields = append(fields, domain.FieldError{Field: name, Message: fmt.Sprintf("must be at most %d; page through the rest with cursors", MaxPageSize)})
		default:
			p.n = *v
		}
	}
	size("first", args.First)
	size("last", args.Last)
	if args.First != nil && args.Last != nil {
		fields = append(fields, domain.FieldError{Field: "last", Message: "give first (with after) or last (with before), not both"})
	}
	if args.After != nil && args.Before != nil {
		fields = append(fields, domain.FieldError{Field: "before", Message: "give after or before, not both"})
	}
	p.backward = args.Last != nil || (args.Before != nil && args.First == nil)
	arg, cur := "after", args.After
	switch {
	case p.backward && args.After != nil:
		fields = append(fields, domain.FieldError{Field: "after", Message: "use after with first"})
	case p.backward:
		arg, cur = "before", args.Before
	case args.Before != nil:
		fields = append(fields, domain.FieldError{Field: "before", Message: "use before with last"})
	}
	if len(fields) > 0 {
		return p, &domain.ValidationError{Fields: fields}
	}
	if cur != nil {
		c, err := decodeCursor(arg, field, kind, *cur)
		if err != nil {
			return p, err
		}
		p.cursor = &c
	}
	return p, nil
}

// readDesc reports whether rows are read in descending order: the order's direction,
// flipped when reading backward.
func (p plan) readDesc() bool { return p.desc != p.backward }

// window picks the page from positions sorted in the order's direction (not the read
// direction), the way the database query does for top-level lists.
func (p plan) window(sorted []pos) (page []pos, hasNext, hasPrev bool) {
	rows := sorted
	if p.backward {
		rows = make([]pos, len(sorted))
		for i, s := range sorted {
			rows[len(sorted)-1-i] = s
		}
	}
	start := 0
	if p.cursor != nil {
		for start < len(rows) && !p.beyond(rows[start]) {
			start++
		}
	}
	rows = rows[start:]
	return p.finish(rows)
}

// beyond reports whether r lies past the cursor in the read direction.
func (p plan) beyond(r pos) bool {
	c := r.compare(*p.cursor)
	if p.readDesc() {
		return c < 0
	}
	return c > 0
}

// finish trims rows read in the read direction (at most n+1 of them) to the page and
// returns it in the order's direction with Relay's page flags.
func (p plan) finish(rows []pos) (page []pos, hasNext, hasPrev bool) {
	more := len(rows) > p.n
	if more {
		rows = rows[:p.n]
	}
	if p.backward {
		out := make([]pos, len(rows))
		for i, r := range rows {
			out[len(rows)-1-i] = r
		}
		return out, p.cursor != nil, more
	}
	return rows, more, p.cursor != nil
}
