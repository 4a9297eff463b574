package domain

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
)

func Unique(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Limits on text fields, generous for real records and small enough to keep documents
// well under the database's size limit.
const (
	MaxName  = 200
	maxText  = 20000
	maxItems = 200
)

// Records gives validation the records an input refers to: for each id the record (a
// pointer to one of the record types) or an error, ErrNotFound when there is none.
type Records interface {
	Records(ctx context.Context, e Entity, ids []string) ([]any, []error)
}

// Validator collects every problem with an input before anything is written, so a client
// learns all it must fix at once. Checks of single fields are pure; references are
// resolved through Records when Err is called.
type Validator struct {
	// Records looks up referenced records.
	Records Records
	// Now is the time the write happens, for checks of dates not in the future.
	Now    time.Time
	fields []FieldError
	refs   []validatorRef
	// afters are checks that need referenced records; they run once every reference is
	// known to exist.
	afters []func(ctx context.Context) error
	// Kept holds the ids the record already referred to before an update. Those need only
	// still exist: a link made before its target was archived, or a participant recorded
	// before they withdrew consent, stays valid, and the record stays editable.
	Kept map[string]bool
}

type validatorRef struct {
	field  string
	entity Entity
	id     string
}

func (v *Validator) Add(field, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Name checks a required short text and trims it in place.
func (v *Validator) Name(field string, s *string) {
	*s = strings.TrimSpace(*s)
	switch {
	case *s == "":
		v.Add(field, "is required and must not be blank")
	case utf8.RuneCountInString(*s) > MaxName:
		v.Add(field, "must be at most %d characters", MaxName)
	}
}

// Text checks an optional long text, trimming it; a blank one becomes null.
func (v *Validator) Text(field string, s **string) {
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
		v.Add(field, "must be at most %d characters", maxText)
	}
}

// RequiredText checks a required long text and trims it in place.
func (v *Validator) RequiredText(field string, s *string) {
	*s = strings.TrimSpace(*s)
	switch {
	case *s == "":
		v.Add(field, "is required and must not be blank")
	case utf8.RuneCountInString(*s) > maxText:
		v.Add(field, "must be at most %d characters", maxText)
	}
}

// ShortText checks an optional short text, trimming it; a blank one becomes null.
func (v *Validator) ShortText(field string, s **string) { v.TextUpTo(field, s, MaxName) }

// List checks a list of short texts: each trimmed and not blank, no duplicates kept.
func (v *Validator) List(field string, items *[]string) {
	if len(*items) > maxItems {
		v.Add(field, "must have at most %d items", maxItems)
		return
	}
	out := make([]string, 0, len(*items))
	seen := map[string]bool{}
	for i, it := range *items {
		it = strings.TrimSpace(it)
		switch {
		case it == "":
			v.Add(fmt.Sprintf("%s[%d]", field, i), "must not be blank")
		case utf8.RuneCountInString(it) > maxText:
			v.Add(fmt.Sprintf("%s[%d]", field, i), "must be at most %d characters", maxText)
		case !seen[it]:
			seen[it] = true
			out = append(out, it)
		}
	}
	*items = out
}

// URL checks an optional absolute http(s) URL.
func (v *Validator) URL(field string, s **string) {
	v.TextUpTo(field, s, 2000)
	if *s == nil {
		return
	}
	u, err := url.Parse(**s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.Add(field, "must be an absolute http or https URL, for example https://example.org/report.pdf")
	}
}

// TextUpTo checks an optional text of at most n characters, trimming it; a blank one
// becomes null.
func (v *Validator) TextUpTo(field string, s **string, n int) {
	v.Text(field, s)
	if *s != nil && utf8.RuneCountInString(**s) > n {
		v.Add(field, "must be at most %d characters", n)
	}
}

// Email checks an optional e-mail address.
func (v *Validator) Email(field string, s **string) {
	v.ShortText(field, s)
	if *s == nil {
		return
	}
	a, err := mail.ParseAddress(**s)
	if err != nil || a.Address != **s {
		v.Add(field, "must be an e-mail address such as name@example.org")
	}
}

// enum checks a required enum value.
func EnumField[E ~string](v *Validator, field string, vals EnumValues[E], e E) {
	if !vals.Valid(e) {
		v.Add(field, "must be one of %v", []E(vals))
	}
}

// OptEnum checks an optional enum value.
func OptEnum[E ~string](v *Validator, field string, vals EnumValues[E], e *E) {
	if e != nil {
		EnumField(v, field, vals, *e)
	}
}

// Date checks a date is a real YYYY-MM-DD date (values built in Go, not read from GraphQL,
// have not been checked yet).
func (v *Validator) Date(field string, d *Date) bool {
	if d == nil {
		return true
	}
	if _, err := ParseDate(string(*d)); err != nil {
		v.Add(field, "%s", err.Error())
		return false
	}
	return true
}

// RequiredDate checks a required date.
func (v *Validator) RequiredDate(field string, d Date) {
	if d == "" {
		v.Add(field, "is required")
		return
	}
	v.Date(field, &d)
}

// Dates checks both dates and that the end is not before the start.
func (v *Validator) Dates(startField string, start *Date, endField string, end *Date) {
	okStart, okEnd := v.Date(startField, start), v.Date(endField, end)
	if okStart && okEnd && start != nil && end != nil && *end < *start {
		v.Add(endField, "must not be before %s (%s)", startField, *start)
	}
}

// Count checks an optional non-negative number.
func (v *Validator) Count(field string, n *int) {
	if n != nil && *n < 0 {
		v.Add(field, "must not be negative")
	}
}

// Ref records a reference to check against the database in err.
func (v *Validator) Ref(field string, e Entity, id string) {
	v.refs = append(v.refs, validatorRef{field, e, id})
}

// OptRef records an optional reference.
func (v *Validator) OptRef(field string, e Entity, id *string) {
	if id != nil {
		v.Ref(field, e, *id)
	}
}

// RefList records a list of references, dropping duplicates in place.
func (v *Validator) RefList(field string, e Entity, ids *[]string) {
	*ids = Unique(*ids)
	if len(*ids) > maxItems {
		v.Add(field, "must have at most %d items", maxItems)
		return
	}
	for i, id := range *ids {
		v.Ref(fmt.Sprintf("%s[%d]", field, i), e, id)
	}
}

// FieldErrors returns a *ValidationError listing the problems with the fields themselves,
// without looking references up, or nil.
func (v *Validator) FieldErrors() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: slices.Clone(v.fields)}
}

// Err checks the recorded references, one database command per referenced entity, and
// returns a *ValidationError listing every problem, or nil.
func (v *Validator) Err(ctx context.Context) error {
	byEntity := map[Entity][]validatorRef{}
	for _, r := range v.refs {
		if e, ok := EntityOf(r.id); !ok || e != r.entity {
			v.Add(r.field, "%q is not the id of a %s", r.id, r.entity.Label())
			continue
		}
		byEntity[r.entity] = append(byEntity[r.entity], r)
	}
	for e, refs := range byEntity {
		ids := make([]string, len(refs))
		for i, r := range refs {
			ids[i] = r.id
		}
		recs, errs := v.Records.Records(ctx, e, ids)
		for i, r := range refs {
			switch {
			case errs[i] != nil && !errors.Is(errs[i], ErrNotFound):
				return errs[i]
			case errs[i] != nil:
				v.Add(r.field, "no %s has the id %q", e.Label(), r.id)
			case recs[i].(interface{ Base() *Meta }).Base().Archived && !v.Kept[r.id]:
				v.Add(r.field, "the %s %q is archived", e.Label(), r.id)
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

// After adds a check to run once all references are known to exist.
func (v *Validator) After(check func(ctx context.Context) error) {
	v.afters = append(v.afters, check)
}

// SameMuseum checks, once references are resolved, that the optional record id of entity
// e (a partnership or decision event) belongs to museumID.
func (v *Validator) SameMuseum(field string, e Entity, id *string, museumID string) {
	if id == nil {
		return
	}
	v.After(func(ctx context.Context) error {
		recs, errs := v.Records.Records(ctx, e, []string{*id})
		if errs[0] != nil {
			return errs[0]
		}
		if m := recs[0].(interface{ OwnerMuseum() string }).OwnerMuseum(); m != museumID {
			v.Add(field, "the %s %q belongs to another museum (%s)", e.Label(), *id, m)
		}
		return nil
	})
}

// Patch applies an optional update of a nullable field: absent leaves it, null clears it.
func Patch[T any](dst *T, o graphql.Omittable[T]) {
	if val, ok := o.ValueOK(); ok {
		*dst = val
	}
}

// PatchValue applies an optional update of a required field: absent leaves it, null sets
// the zero value, which validation then rejects with a message naming the field.
func PatchValue[T any](dst *T, o graphql.Omittable[*T]) {
	if val, ok := o.ValueOK(); ok {
		var zero T
		if val != nil {
			zero = *val
		}
		*dst = zero
	}
}
