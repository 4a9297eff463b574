package store

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestIsFerretDBv1(t *testing.T) {
	for _, tc := range []struct {
		name string
		info bson.D
		want bool
	}{
		{"MongoDB", bson.D{{Key: "version", Value: "8.0.4"}, {Key: "gitVersion", Value: "bc35ab4"}, {Key: "ok", Value: 1.0}}, false},
		{"FerretDB v1", bson.D{
			{Key: "version", Value: "7.0.77"},
			{Key: "ferretdbVersion", Value: "v1.24.2"},
			{Key: "ferretdbFeatures", Value: bson.D{{Key: "aggregationStages", Value: bson.A{"$match"}}}},
			{Key: "ok", Value: 1.0},
		}, true},
		{"FerretDB 2", bson.D{
			{Key: "version", Value: "7.0.77"},
			{Key: "ferretdb", Value: bson.D{{Key: "version", Value: "v2.5.0"}, {Key: "package", Value: "deb"}}},
			{Key: "ok", Value: 1.0},
		}, false},
		// Should a later version report both, the newer shape wins.
		{"both shapes", bson.D{
			{Key: "ferretdbVersion", Value: "v2.5.0"},
			{Key: "ferretdb", Value: bson.D{{Key: "version", Value: "v2.5.0"}}},
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := bson.Marshal(tc.info)
			if err != nil {
				t.Fatal(err)
			}
			if got := isFerretDBv1(raw); got != tc.want {
				t.Errorf("isFerretDBv1(%v) = %v, want %v", tc.info, got, tc.want)
			}
		})
	}
}
