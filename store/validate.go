package store

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
)

// Limits on text fields, generous for real records and small enough to keep documents
// well under the database's size limit.
const (
	maxName  = 200
	maxText  = 20000
	maxItems = 200
)

// validator collects every problem with an input before anything is written, so a client
// learns all it must fix at once.
type validator struct {
	s      *Store
	fields []FieldError
	refs   []ref
	// afters are checks that need referenced records; they run once every reference is
	// known to exist.
	afters []func(ctx context.Context) error
	// kept holds the ids the record already referred to before an update. Those need only
	// still exist: a link made before its target was archived, or a participant recorded
	// before they withdrew consent, stays valid, and the record stays editable.
	kept map[string]bool
}

type ref struct {
	field  string
	entity Entity
	id     string
}

func (s *Store) validator() *validator { return &validator{s: s} }

func (v *validator) add(field, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// name checks a required short text and trims it in place.
func (v *validator) name(field string, s *string) {
	*s = strings.TrimSpace(*s)
	switch {
	case *s == "":
		v.add(field, "is required and must not be blank")
	case utf8.RuneCountInString(*s) > maxName:
		v.add(field, "must be at most %d characters", maxName)
	}
}

// text checks an optional long text, trimming it; a blank one becomes null.
func (v *validator) text(field string, s **string) {
	if *s == nil {
		return
	}
	t := strings.TrimSpace(**s)
	if t == "" {
		*s = nil
		return
	}
	*s = &t
	if utf8.RuneCountInString(t) > maxText {
		v.add(field, "must be at most %d characters", maxText)
	}
}

// requiredText checks a required long text and trims it in place.
func (v *validator) requiredText(field string, s *string) {
	*s = strings.TrimSpace(*s)
	switch {
	case *s == "":
		v.add(field, "is required and must not be blank")
	case utf8.RuneCountInString(*s) > maxText:
		v.add(field, "must be at most %d characters", maxText)
	}
}

// shortText checks an optional short text, trimming it; a blank one becomes null.
func (v *validator) shortText(field string, s **string) { v.textUpTo(field, s, maxName) }

// list checks a list of short texts: each trimmed and not blank, no duplicates kept.
func (v *validator) list(field string, items *[]string) {
	if len(*items) > maxItems {
		v.add(field, "must have at most %d items", maxItems)
		return
	}
	out := make([]string, 0, len(*items))
	seen := map[string]bool{}
	for i, it := range *items {
		it = strings.TrimSpace(it)
		switch {
		case it == "":
			v.add(fmt.Sprintf("%s[%d]", field, i), "must not be blank")
		case utf8.RuneCountInString(it) > maxText:
			v.add(fmt.Sprintf("%s[%d]", field, i), "must be at most %d characters", maxText)
		case !seen[it]:
			seen[it] = true
			out = append(out, it)
		}
	}
	*items = out
}

// url checks an optional absolute http(s) URL.
func (v *validator) url(field string, s **string) {
	v.textUpTo(field, s, 2000)
	if *s == nil {
		return
	}
	u, err := url.Parse(**s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.add(field, "must be an absolute http or https URL, for example https://example.org/report.pdf")
	}
}

// textUpTo checks an optional text of at most n characters, trimming it; a blank one
// becomes null.
func (v *validator) textUpTo(field string, s **string, n int) {
	v.text(field, s)
	if *s != nil && utf8.RuneCountInString(**s) > n {
		v.add(field, "must be at most %d characters", n)
	}
}

// email checks an optional e-mail address.
func (v *validator) email(field string, s **string) {
	v.shortText(field, s)
	if *s == nil {
		return
	}
	a, err := mail.ParseAddress(**s)
	if err != nil || a.Address != **s {
		v.add(field, "must be an e-mail address such as name@example.org")
	}
}

// enum checks a required enum value.
func enumField[E ~string](v *validator, field string, vals EnumValues[E], e E) {
	if !vals.valid(e) {
		v.add(field, "must be one of %v", []E(vals))
	}
}

// optEnum checks an optional enum value.
func optEnum[E ~string](v *validator, field string, vals EnumValues[E], e *E) {
	if e != nil {
		enumField(v, field, vals, *e)
	}
}

// date checks a date is a real YYYY-MM-DD date (values built in Go, not read from GraphQL,
// have not been checked yet).
func (v *validator) date(field string, d *Date) bool {
	if d == nil {
		return true
	}
	if _, err := ParseDate(string(*d)); err != nil {
		v.add(field, "%s", err.Error())
		return false
	}
	return true
}

// requiredDate checks a required date.
func (v *validator) requiredDate(field string, d Date) {
	if d == "" {
		v.add(field, "is required")
		return
	}
	v.date(field, &d)
}

// dates checks both dates and that the end is not before the start.
func (v *validator) dates(startField string, start *Date, endField string, end *Date) {
	okStart, okEnd := v.date(startField, start), v.date(endField, end)
	if okStart && okEnd && start != nil && end != nil && *end < *start {
		v.add(endField, "must not be before %s (%s)", startField, *start)
	}
}

// count checks an optional non-negative number.
func (v *validator) count(field string, n *int) {
	if n != nil && *n < 0 {
		v.add(field, "must not be negative")
	}
}

// ref records a reference to check against the database in err.
func (v *validator) ref(field string, e Entity, id string) {
	v.refs = append(v.refs, ref{field, e, id})
}

// optRef records an optional reference.
func (v *validator) optRef(field string, e Entity, id *string) {
	if id != nil {
		v.ref(field, e, *id)
	}
}

// refList records a list of references, dropping duplicates in place.
func (v *validator) refList(field string, e Entity, ids *[]string) {
	*ids = uniq(*ids)
	if len(*ids) > maxItems {
		v.add(field, "must have at most %d items", maxItems)
		return
	}
	for i, id := range *ids {
		v.ref(fmt.Sprintf("%s[%d]", field, i), e, id)
	}
}

// err checks the recorded references, one database command per referenced entity, and
// returns a *ValidationError listing every problem, or nil.
func (v *validator) err(ctx context.Context) error {
	byEntity := map[Entity][]ref{}
	for _, r := range v.refs {
		if e, ok := EntityOf(r.id); !ok || e != r.entity {
			v.add(r.field, "%q is not the id of a %s", r.id, r.entity.label())
			continue
		}
		byEntity[r.entity] = append(byEntity[r.entity], r)
	}
	for e, refs := range byEntity {
		ids := make([]string, len(refs))
		for i, r := range refs {
			ids[i] = r.id
		}
		recs, errs := v.s.byEntity[e].getAny(ctx, ids)
		for i, r := range refs {
			switch {
			case errs[i] != nil && !errors.Is(errs[i], ErrNotFound):
				return errs[i]
			case errs[i] != nil:
				v.add(r.field, "no %s has the id %q", e.label(), r.id)
			case recs[i].(interface{ meta() *Meta }).meta().Archived && !v.kept[r.id]:
				v.add(r.field, "the %s %q is archived", e.label(), r.id)
			}
		}
	}
	if len(v.fields) == 0 {
		for _, after := range v.afters {
			if err := after(ctx); err != nil {
				return err
			}
		}
	}
	if len(v.fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: v.fields}
}

// after adds a check to run once all references are known to exist.
func (v *validator) after(check func(ctx context.Context) error) {
	v.afters = append(v.afters, check)
}

// sameMuseum checks, once references are resolved, that the optional record id of entity
// e (a partnership or decision event) belongs to museumID.
func (v *validator) sameMuseum(field string, e Entity, id *string, museumID string) {
	if id == nil {
		return
	}
	v.after(func(ctx context.Context) error {
		recs, errs := v.s.byEntity[e].getAny(ctx, []string{*id})
		if errs[0] != nil {
			return errs[0]
		}
		if m := recs[0].(interface{ museum() string }).museum(); m != museumID {
			v.add(field, "the %s %q belongs to another museum (%s)", e.label(), *id, m)
		}
		return nil
	})
}

// patch applies an optional update of a nullable field: absent leaves it, null clears it.
func patch[T any](dst *T, o graphql.Omittable[T]) {
	if val, ok := o.ValueOK(); ok {
		*dst = val
	}
}

// patchValue applies an optional update of a required field: absent leaves it, null sets
// the zero value, which validation then rejects with a message naming the field.
func patchValue[T any](dst *T, o graphql.Omittable[*T]) {
	if val, ok := o.ValueOK(); ok {
		var zero T
		if val != nil {
			zero = *val
		}
		*dst = zero
	}
}
