package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph"
)

// PersistedOperations is an allow-list of operations, by the SHA-256 (hex) of their text.
// A client may send just the hash (as in automatic persisted queries,
// extensions.persistedQuery.sha256Hash) and the server fills in the text. With Only set,
// non-administrators may run only the listed operations.
type PersistedOperations struct {
	byHash map[string]string
	Only   bool
}

// LoadPersistedOperations reads an allow-list file: a JSON object from SHA-256 hash to
// operation text (the format Apollo's and Relay's persisted-query tooling produce), or a
// JSON array of operation texts. A hash that does not match its text is an error.
func LoadPersistedOperations(path string, only bool) (*PersistedOperations, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p := &PersistedOperations{byHash: map[string]string{}, Only: only}
	var texts []string
	var byHash map[string]string
	switch {
	case json.Unmarshal(raw, &byHash) == nil:
		for h, q := range byHash {
			if hashOf(q) != h {
				return nil, fmt.Errorf("%s: the operation listed under %s does not have that SHA-256 hash", path, h)
			}
			p.byHash[h] = q
		}
	case json.Unmarshal(raw, &texts) == nil:
		for _, q := range texts {
			p.byHash[hashOf(q)] = q
		}
	default:
		return nil, fmt.Errorf("%s: want a JSON object from SHA-256 hash to operation, or an array of operations", path)
	}
	return p, nil
}

func hashOf(q string) string {
	sum := sha256.Sum256([]byte(q))
	return hex.EncodeToString(sum[:])
}

// ExtensionName names the extension for gqlgen.
func (p *PersistedOperations) ExtensionName() string { return "PersistedOperations" }

// Validate accepts every schema.
func (p *PersistedOperations) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters fills in a listed operation sent by hash, and refuses an
// unlisted one when only listed operations may run. It runs before the automatic persisted
// queries extension, whose cache anyone (an administrator included) fills by sending an
// operation with its hash: a hash it does not list is refused here, so that cache never
// widens the list.
func (p *PersistedOperations) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	_, sentHash := params.Extensions["persistedQuery"]
	if params.Query == "" && sentHash {
		if ext, ok := params.Extensions["persistedQuery"].(map[string]any); ok {
			if h, _ := ext["sha256Hash"].(string); p.byHash[h] != "" {
				params.Query = p.byHash[h]
				// The automatic persisted queries extension, which runs next, must not
				// look the hash up again.
				delete(params.Extensions, "persistedQuery")
			}
		}
	}
	if !p.Only || domain.CallerOf(ctx).Trusted() {
		return nil
	}
	if params.Query == "" && !sentHash {
		return nil // no operation at all, which the executor reports
	}
	if _, ok := p.byHash[hashOf(params.Query)]; params.Query == "" || !ok {
		err := gqlerror.Errorf("this server runs only its registered operations, and this one is not among them; send the sha256Hash of a registered operation")
		err.Extensions = map[string]any{"code": graph.CodeForbidden}
		return err
	}
	return nil
}
