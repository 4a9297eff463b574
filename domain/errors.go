package domain

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write is refused because the record changed since the
// caller read it (a stale expectedVersion) or would duplicate a unique value.
var ErrConflict = errors.New("conflict")

// ErrUnavailable is returned when the database cannot be reached or did not answer in time.
var ErrUnavailable = errors.New("database unavailable")

// FieldError is one problem with one input field. Field is the input's own field name,
// with a path for nested values ("participants[2].personId").
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists everything wrong with an input; nothing was written.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Invalid returns a validation error about one field.
func Invalid(field, format string, args ...any) error {
	return &ValidationError{Fields: []FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}

// NotFound returns ErrNotFound wrapped with what was looked for.
func NotFound(e Entity, id string) error {
	return fmt.Errorf("%s %q: %w", e.Label(), id, ErrNotFound)
}

// InputError is a value the API could not read (a malformed date, an unknown enum value);
// the GraphQL layer reports it against the input field it came from.
type InputError struct {
	Message string
}

func (e *InputError) Error() string { return e.Message }

func InputErr(format string, args ...any) error {
	return &InputError{Message: fmt.Sprintf(format, args...)}
}

// IsNotFound reports whether err means a record does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
