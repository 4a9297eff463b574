package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"
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

// invalid returns a validation error about one field.
func invalid(field, format string, args ...any) error {
	return &ValidationError{Fields: []FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}

// notFound returns ErrNotFound wrapped with what was looked for.
func notFound(e Entity, id string) error {
	return fmt.Errorf("%s %q: %w", e.label(), id, ErrNotFound)
}

// translate turns driver errors into the store's errors, so that callers never see the
// driver's types: a missing document is ErrNotFound, a duplicate key ErrConflict, a
// network failure or timeout ErrUnavailable. Anything else is returned wrapped, for the
// caller to treat as internal.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var se topology.ServerSelectionError
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("%w", ErrNotFound)
	case mongo.IsDuplicateKeyError(err):
		return fmt.Errorf("%w: duplicate value", ErrConflict)
	case errors.Is(err, context.Canceled):
		return err
	case mongo.IsTimeout(err), mongo.IsNetworkError(err), errors.As(err, &se),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, mongo.ErrClientDisconnected):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return fmt.Errorf("database: %w", err)
}

// InputError is a value the API could not read (a malformed date, an unknown enum value);
// the GraphQL layer reports it against the input field it came from.
type InputError struct {
	Message string
}

func (e *InputError) Error() string { return e.Message }

func inputErr(format string, args ...any) error {
	return &InputError{Message: fmt.Sprintf(format, args...)}
}

// IsNotFound reports whether err means a record does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
