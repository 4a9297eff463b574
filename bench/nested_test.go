package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/participation-graph/participation-graph/api"
	"github.com/participation-graph/participation-graph/internal/dbtest"
	"github.com/participation-graph/participation-graph/seed"
)

// queryNested is the nested page the API bounds to 8 database commands: a page of museums,
// their partnerships, each one's decision events and those events' communities.
const queryNested = `{
  museums(first: 10, filter: {sample: true}) {
    totalCount
    nodes {
      name
      partnerships(first: 5) {
        totalCount
        nodes {
          title
          community { name }
          decisionEvents(first: 5) {
            totalCount
            nodes { title occurredAt participationLevel empowermentGap communities { name kind } }
          }
        }
      }
    }
  }
}`

// queryFiltered is a filtered top-level list.
const queryFiltered = `{
  decisionEvents(first: 20, filter: {empowermentGap: true, minLevel: COLLABORATE}) {
    totalCount
    nodes { title occurredAt museum { name } decisions { result implemented } }
  }
}`

func BenchmarkQueries(b *testing.B) {
	for _, scale := range []int{1000, 10000} {
		s, counter := dbtest.Open(b)
		ctx := context.Background()
		if _, err := seed.OurMuseum(ctx, s); err != nil {
			b.Fatal(err)
		}
		if _, err := seed.Sample(ctx, s, scale); err != nil {
			b.Fatal(err)
		}
		h := api.New(api.Options{Store: s}) // as the server on the embedded database
		b.Run(fmt.Sprintf("RawFiltered/events=%d", scale), func(b *testing.B) { rawFiltered(b, s.Name()) })
		for _, q := range []struct{ name, query string }{{"Nested", queryNested}, {"Filtered", queryFiltered}} {
			b.Run(fmt.Sprintf("%s/events=%d", q.name, scale), func(b *testing.B) {
				body, _ := json.Marshal(map[string]string{"query": q.query})
				run := func() { _ = post(b, h, body) }
				run() // warm the query cache
				before := counter.Total()
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					run()
				}
				b.StopTimer()
				b.ReportMetric(float64(counter.Total()-before)/float64(b.N), "commands/op")
			})
		}
	}
}

// rawFiltered sends the two commands that answer queryFiltered straight through the driver
// (the page with one more record to know whether there is a next page, and the count),
// without GraphQL, loaders or decoding into domain types: the floor under queryFiltered.
func rawFiltered(b *testing.B, database string) {
	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI(dbtest.URI(b)))
	if err != nil {
		b.Fatal(err)
	}
	defer client.Disconnect(ctx)
	events := client.Database(database).Collection("decision_events")
	filter := bson.D{{Key: "archived", Value: false}, {Key: "levelRank", Value: bson.D{{Key: "$gte", Value: 4}}}, {Key: "empowermentGap", Value: true}}
	b.ReportAllocs()
	for b.Loop() {
		cur, err := events.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "occurredAt", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(21))
		if err != nil {
			b.Fatal(err)
		}
		var docs []bson.Raw
		if err := cur.All(ctx, &docs); err != nil || len(docs) == 0 {
			b.Fatalf("%d documents, %v", len(docs), err)
		}
		if _, err := events.CountDocuments(ctx, filter); err != nil {
			b.Fatal(err)
		}
	}
}
