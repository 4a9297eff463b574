// Package domain is the vocabulary of Participation Graph, with no storage in it: the
// records (programmes, museums, communities, people, partnerships, decision events,
// activities, reflections, publications) and their enums, Date, ids and entities, the
// inputs of every mutation with their field validation, the filters of every list with
// the one Match that decides which records a filter selects, and the caller with the
// access rules as pure predicates (who may see RESTRICTED records and personal data, who
// may write a museum's records).
//
// The store implements storage for these types and the read model answers lists with
// Match; the GraphQL layer binds them directly. Nothing here imports a database driver.
//
// A context without a caller belongs to the server itself (seeding, the change-feed
// broker, maintenance): it may read and write everything. Every request that arrives over
// HTTP or WebSocket carries a caller, anonymous when it presented no credentials.
package domain
