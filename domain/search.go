package domain

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxSearch bounds the length of a search text.
const MaxSearch = 200

// SearchPattern returns the pattern that matches a search text literally, and false when
// the text searches for nothing. Both the database query and the read model's search
// (Match) use it, with the case-insensitive option, so that they match the same records.
func SearchPattern(q *string) (string, bool) {
	if q == nil || strings.TrimSpace(*q) == "" {
		return "", false
	}
	text := []rune(strings.TrimSpace(SearchText(*q)))
	if len(text) == 0 {
		return "", false
	}
	return regexp.QuoteMeta(string(text[:min(len(text), MaxSearch)])), true
}

// SearchText drops control characters (a NUL byte is not allowed in a database pattern)
// and invalid UTF-8 from a search text.
func SearchText(q string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, q)
}

// Searched is a record a list's search looks into: it yields the texts searched, in
// order, and stops when yield returns false. The lists' Match and the read model's
// search index both read them here.
type Searched interface {
	Searched(yield func(string) bool)
}

// texts yields the values that are present.
func texts(yield func(string) bool, vals ...*string) {
	for _, v := range vals {
		if v != nil && !yield(*v) {
			return
		}
	}
}

// Searched yields the programme's name and description.
func (p *Programme) Searched(yield func(string) bool) { texts(yield, &p.Name, p.Description) }

// Searched yields the museum's name and description.
func (m *Museum) Searched(yield func(string) bool) { texts(yield, &m.Name, m.Description) }

// Searched yields the community's name, description and area.
func (c *Community) Searched(yield func(string) bool) {
	texts(yield, &c.Name, c.Description, c.Area)
}

// Searched yields the person's pseudonym, never their personal data.
func (p *Person) Searched(yield func(string) bool) { texts(yield, &p.Pseudonym) }

// Searched yields the partnership's title and purpose.
func (p *Partnership) Searched(yield func(string) bool) { texts(yield, &p.Title, p.Purpose) }

// Searched yields the decision event's title and description.
func (e *DecisionEvent) Searched(yield func(string) bool) { texts(yield, &e.Title, e.Description) }

// Searched yields the activity's title and description.
func (a *Activity) Searched(yield func(string) bool) { texts(yield, &a.Title, a.Description) }

// Searched yields the reflection's text.
func (r *Reflection) Searched(yield func(string) bool) { texts(yield, &r.Text) }

// Searched yields the publication's title and its authors.
func (p *Publication) Searched(yield func(string) bool) {
	if !yield(p.Title) {
		return
	}
	for _, a := range p.Authors {
		if !yield(a) {
			return
		}
	}
}

// A Search is a list's search text made ready to test records (see text).
type Search struct{ t text }

// NewSearch makes q ready; a nil or blank q searches for nothing and matches everything.
func NewSearch(q *string) Search { return Search{newText(q)} }

// Active reports whether the search selects records at all.
func (s Search) Active() bool { return s.t.re != nil }

// Key returns the search as SearchKey writes texts, and whether a text's key containing
// it says that the text matches: true for an ASCII search, except on the texts
// FoldsToASCII reports when Folds is true, which must be tested with In.
func (s Search) Key() (string, bool) { return s.t.lower, s.t.ascii }

// Folds reports whether the texts FoldsToASCII reports must be tested with In.
func (s Search) Folds() bool { return s.t.ks }

// In reports whether a record's texts match the search.
func (s Search) In(texts func(yield func(string) bool)) bool { return s.t.over(texts) }

// AppendSearchKey appends to dst the text v as a search key: its ASCII letters in lower
// case, every other byte as it is. An ASCII search matches a text exactly when the
// text's key contains the search's key (but see Search.Key).
func AppendSearchKey(dst []byte, v string) []byte {
	for i := range len(v) {
		dst = append(dst, lowerASCII(v[i]))
	}
	return dst
}
