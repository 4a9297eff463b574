package domain

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// Date is a calendar date, YYYY-MM-DD. It is stored as that string, so dates compare and
// sort correctly as strings in the database.
type Date string

const dateLayout = "2006-01-02"

// ParseDate checks s is a real calendar date in YYYY-MM-DD form.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil || t.Format(dateLayout) != s {
		return "", fmt.Errorf("%q is not a date: use YYYY-MM-DD, for example 2014-06-30", s)
	}
	return Date(s), nil
}

// DateOf returns the calendar date of t in UTC.
func DateOf(t time.Time) Date { return Date(t.UTC().Format(dateLayout)) }

// Time returns midnight UTC at the start of the date.
func (d Date) Time() time.Time {
	t, _ := time.Parse(dateLayout, string(d))
	return t
}

// Year returns the date's year.
func (d Date) Year() int { return d.Time().Year() }

// MarshalGQL writes the date as a GraphQL string.
func (d Date) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(d))) }

// UnmarshalGQL reads a YYYY-MM-DD string, refusing anything that is not a real date.
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return InputErr("must be a date string in YYYY-MM-DD form")
	}
	p, err := ParseDate(s)
	if err != nil {
		return &InputError{Message: err.Error()}
	}
	*d = p
	return nil
}

// MarshalDateTime writes an instant as an RFC 3339 string in UTC (the GraphQL DateTime).
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(time.RFC3339Nano)))
	})
}

// UnmarshalDateTime reads an RFC 3339 instant such as 2014-03-05T18:30:00Z; anything else
// is an *InputError.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, InputErr("must be a date-time string in RFC 3339 form, for example 2014-03-05T18:30:00Z")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, InputErr("%q is not a date-time: use RFC 3339, for example 2014-03-05T18:30:00Z", s)
	}
	return t.UTC(), nil
}
