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
