package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/participation-graph/participation-graph/domain"
)

// internalFields are stored only so the database can sort and filter on them; they are
// not part of the API.
var internalFields = map[string]bool{"sortStart": true, "levelRank": true, "rungRank": true, "skillKeys": true}

// RecordJSON returns rec, a pointer to one of the store's records, as a JSON object with
// the API's field names: "__typename" (the GraphQL type) first, then "id", references as
// "<field>Id", dates as YYYY-MM-DD and instants as RFC 3339 strings in UTC; unset optional
// fields are absent. Fields kept only for sorting and filtering are left out, and a Person
// is reduced to what is never personal data (id, pseudonym, community, archived and erased
// flags, timestamps): never its display name, e-mail or consent. Anything that is not a
// record is an error.
func RecordJSON(rec any) ([]byte, error) {
	if _, ok := rec.(interface{ Base() *domain.Meta }); !ok {
		return nil, fmt.Errorf("record json: %T is not a record", rec)
	}
	raw, err := bson.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("record json: %w", err)
	}
	elems, err := bson.Raw(raw).Elements()
	if err != nil {
		return nil, fmt.Errorf("record json: %w", err)
	}
	_, person := rec.(*domain.Person)
	var b bytes.Buffer
	b.WriteString(`{"__typename":`)
	writeJSONValue(&b, reflect.TypeOf(rec).Elem().Name())
	for _, e := range elems {
		key := e.Key()
		if internalFields[key] || (person && !domain.PersonNotPersonal[key]) {
			continue
		}
		if key == "_id" {
			key = "id"
		}
		b.WriteByte(',')
		writeJSONValue(&b, key)
		b.WriteByte(':')
		if err := writeBSONAsJSON(&b, e.Value()); err != nil {
			return nil, fmt.Errorf("record json: %s: %w", key, err)
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeJSONValue(b *bytes.Buffer, v any) {
	out, _ := json.Marshal(v) // strings, numbers and booleans always marshal
	b.Write(out)
}

// writeBSONAsJSON writes one stored value as JSON. Records hold only strings, numbers,
// booleans, instants, nulls, and documents and arrays of those.
func writeBSONAsJSON(b *bytes.Buffer, v bson.RawValue) error {
	switch v.Type {
	case bson.TypeString:
		writeJSONValue(b, v.StringValue())
	case bson.TypeInt32:
		writeJSONValue(b, v.Int32())
	case bson.TypeInt64:
		writeJSONValue(b, v.Int64())
	case bson.TypeDouble:
		writeJSONValue(b, v.Double())
	case bson.TypeBoolean:
		writeJSONValue(b, v.Boolean())
	case bson.TypeNull:
		b.WriteString("null")
	case bson.TypeDateTime:
		writeJSONValue(b, time.UnixMilli(v.DateTime()).UTC().Format(time.RFC3339Nano))
	case bson.TypeEmbeddedDocument:
		elems, err := v.Document().Elements()
		if err != nil {
			return err
		}
		b.WriteByte('{')
		for i, e := range elems {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONValue(b, e.Key())
			b.WriteByte(':')
			if err := writeBSONAsJSON(b, e.Value()); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case bson.TypeArray:
		vals, err := v.Array().Values()
		if err != nil {
			return err
		}
		b.WriteByte('[')
		for i, e := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeBSONAsJSON(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	default:
		return fmt.Errorf("unexpected stored type %v", v.Type)
	}
	return nil
}
