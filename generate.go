package main

// The GraphQL executor, models and resolver stubs are generated from schema/*.graphqls;
// schema.graphql, the whole schema in one file for client generators, is printed from
// the executor.
//go:generate go run ./internal/cmd/gqlgen
//go:generate go run ./internal/cmd/printschema -o schema.graphql
