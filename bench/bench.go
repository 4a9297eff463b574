// Package bench holds the end-to-end benchmarks of Participation Graph: whole GraphQL
// requests through the HTTP handler against a real database loaded with the sample data,
// reporting time, allocations and database commands per request. Results and the
// commands that produced them are in README.md.
package bench
