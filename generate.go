package main

// The GraphQL executor, models and resolver stubs are generated from schema/*.graphqls.
//go:generate go tool gqlgen generate
