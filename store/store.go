// Package store owns the domain types of Participation Graph and all access to MongoDB: the
// records, their validation, their indexes, paging with cursors, and the single write path
// that keeps version, timestamps and references right. Driver types never leave it: callers
// see plain structs, opaque string ids and the store's own errors (ErrNotFound, ErrConflict,
// ErrUnavailable, *ValidationError).
//
// Everything here works on MongoDB 7/8, FerretDB 2 and FerretDB v1 alike: no $lookup, no
// change streams, no multi-document transactions.
package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/participation-graph/participation-graph/auth"
	"github.com/participation-graph/participation-graph/domain"
)

// Options configure a Store.
type Options struct {
	// URI is the MongoDB connection string.
	URI string
	// Database is the database name.
	Database string
	// OpTimeout bounds every database operation that has no earlier deadline (default 10s).
	OpTimeout time.Duration
	// OnCommand, when set, is called for every command sent to the database, with the
	// database and command names (used for metrics and for counting round trips in tests).
	OnCommand func(database, command string)
	// OnReply, when set, is called for every command the database answered, with the
	// database and command names and the size in bytes of the reply document (used for
	// counting the bytes read in benchmarks).
	OnReply func(database, command string, size int)
	// Observe, when set, is called as each command is sent, with the context of the
	// operation that sends it and the database and command names. The function it returns
	// (which may be nil) is called once the command has finished, with how long the server
	// took and whether it failed. Latency metrics and traces use it.
	Observe func(ctx context.Context, database, command string) func(took time.Duration, failed bool)
	// Now returns the current time (default time.Now); tests may fix it.
	Now func() time.Time
	// ReadModel says whether lists and lookups are answered from the in-memory read model
	// (see readmodel.go) once it has loaded. The default, ReadModelAuto, does so on
	// FerretDB v1, which scans its collections for every filter but _id equality.
	ReadModel ReadModelMode
	// ReadModelSnapshot, when set, is the file the read model is written to when it stops
	// and read from at the next start (see snapshot.go).
	ReadModelSnapshot string
}

// DefaultSelectionTimeout is how long an operation waits for a reachable server, and a
// connection attempt for an answer, unless the connection string says otherwise.
const DefaultSelectionTimeout = 3 * time.Second

// commandMonitor tells on and observe of each command the driver sends, and reply of
// each reply it receives.
func commandMonitor(
	on func(database, command string),
	observe func(ctx context.Context, database, command string) func(time.Duration, bool),
	reply func(database, command string, size int),
) *event.CommandMonitor {
	// A command's start and end events share its connection and request id; finishers
	// holds the observer's function between the two.
	type key struct {
		conn string
		req  int64
	}
	var finishers sync.Map
	finish := func(conn string, req int64, took time.Duration, failed bool) {
		if f, ok := finishers.LoadAndDelete(key{conn, req}); ok {
			f.(func(time.Duration, bool))(took, failed)
		}
	}
	return &event.CommandMonitor{
		Started: func(ctx context.Context, e *event.CommandStartedEvent) {
			if on != nil {
				on(e.DatabaseName, e.CommandName)
			}
			if observe != nil {
				if f := observe(ctx, e.DatabaseName, e.CommandName); f != nil {
					finishers.Store(key{e.ConnectionID, e.RequestID}, f)
				}
			}
		},
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			if reply != nil {
				reply(e.DatabaseName, e.CommandName, len(e.Reply))
			}
			finish(e.ConnectionID, e.RequestID, e.Duration, false)
		},
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			finish(e.ConnectionID, e.RequestID, e.Duration, true)
		},
	}
}

// Store is the database of record. It is safe for concurrent use.
type Store struct {
	client    *mongo.Client
	db        *mongo.Database
	opTimeout time.Duration
	now       func() time.Time
	// needsLocks is set when the server's conditional writes are not atomic (FerretDB v1).
	needsLocks bool
	// scans is set when the server reads the whole collection for any filter other than
	// a lone _id equality (FerretDB v1).
	scans bool
	// model is the in-memory read model (see readmodel.go).
	model *ReadModel
	// reachable says whether the driver sees a server it can use.
	reachable *atomic.Bool

	seqMu   sync.Mutex
	nextSeq int64 // the change feed's next seq; 0 until read from the database

	onChange func() // told of each appended change (see OnChange)
	// documents names the collection of each kind of administrative document (see
	// documents.go).
	documentsMu sync.Mutex
	documents   map[domain.Entity]string
	// auditFault, set only by tests, fails audit writes, as a database that stores a record
	// and then refuses its audit entry would.
	auditFault func() error

	Programmes   *Collection[domain.Programme, domain.ProgrammeFilter]
	Outcomes     *Collection[domain.Outcome, struct{}]
	Memberships  *Collection[domain.ProgrammeMembership, struct{}]
	Museums      *Collection[domain.Museum, domain.MuseumFilter]
	Communities  *Collection[domain.Community, domain.CommunityFilter]
	People       *Collection[domain.Person, domain.PersonFilter]
	Partnerships *Collection[domain.Partnership, domain.PartnershipFilter]
	Events       *Collection[domain.DecisionEvent, domain.DecisionEventFilter]
	Activities   *Collection[domain.Activity, domain.ActivityFilter]
	Reflections  *Collection[domain.Reflection, domain.ReflectionFilter]
	Publications *Collection[domain.Publication, domain.PublicationFilter]
	// APIKeys and Audit are read by administrators only (see access.go).
	APIKeys *Collection[auth.APIKey, auth.APIKeyFilter]
	Audit   *Collection[domain.AuditEntry, domain.AuditFilter]

	byEntity map[domain.Entity]getter
}

// getter fetches any record by id, for node(), and reads one from BSON, for backups.
type getter interface {
	getAny(ctx context.Context, ids []string) ([]any, []error)
	decodeMeta(raw bson.Raw) (*domain.Meta, error)
	scopeOf(raw bson.Raw) (museum string, restricted bool, err error)
}

// Open connects to the database, checks it answers, and prepares the collections. It does
// not create indexes: call EnsureIndexes.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.OpTimeout <= 0 {
		o.OpTimeout = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Database == "" {
		return nil, errors.New("store: no database name")
	}
	co := options.Client().ApplyURI(o.URI).
		SetRetryWrites(true).
		SetRetryReads(true).
		SetAppName("participation-graph")
	// An operation waits at most this long for a server before failing with
	// ErrUnavailable, so that requests fail fast while the database is down instead of
	// hanging; the connection string's serverSelectionTimeoutMS and connectTimeoutMS
	// override it (a replica set that takes longer to elect a primary may want more).
	if co.ServerSelectionTimeout == nil {
		co.SetServerSelectionTimeout(DefaultSelectionTimeout)
	}
	if co.ConnectTimeout == nil {
		co.SetConnectTimeout(DefaultSelectionTimeout)
	}
	if cs := co.WriteConcern; cs == nil {
		co.SetWriteConcern(writeconcern.Majority())
	}
	if o.OnCommand != nil || o.Observe != nil || o.OnReply != nil {
		co.SetMonitor(commandMonitor(o.OnCommand, o.Observe, o.OnReply))
	}
	// The read model answers only while a server is reachable: the driver's monitoring
	// notices a lost server at once (its connection closes), long before an operation's
	// timeout would.
	reachable := &atomic.Bool{}
	reachable.Store(true)
	co.SetServerMonitor(&event.ServerMonitor{TopologyDescriptionChanged: func(e *event.TopologyDescriptionChangedEvent) {
		reachable.Store(slices.ContainsFunc(e.NewDescription.Servers, func(d event.ServerDescription) bool {
			return d.Kind != "" && d.Kind != "Unknown"
		}))
	}})
	client, err := mongo.Connect(co)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	s := &Store{client: client, db: client.Database(o.Database), opTimeout: o.OpTimeout, now: o.Now, reachable: reachable,
		documents: map[domain.Entity]string{}}
	if err := s.Ping(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := s.detectAtomicWrites(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("store: %w", err)
	}
	s.setup()
	var serve bool
	switch o.ReadModel {
	case ReadModelOn:
		serve = true
	case "", ReadModelAuto:
		serve = s.scans
	case ReadModelOff:
	default:
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("store: read model mode %q is not one of auto, on, off", o.ReadModel)
	}
	s.model = newReadModel(s, serve)
	s.model.snapshot = o.ReadModelSnapshot
	return s, nil
}

// Ping checks the database answers; it returns ErrUnavailable when it does not.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	return translate(s.client.Ping(ctx, readpref.Primary()))
}

// Close disconnects from the database.
func (s *Store) Close(ctx context.Context) error {
	s.model.close()
	return s.client.Disconnect(ctx)
}

// DropDatabase removes the store's whole database. Tests use it to clean up.
func (s *Store) DropDatabase(ctx context.Context) error {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	return translate(s.db.Drop(ctx))
}

// opCtx bounds an operation by the store's timeout unless ctx already ends sooner.
func (s *Store) opCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < s.opTimeout {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, s.opTimeout)
}

// clock returns the current time at the precision the database keeps (milliseconds, UTC),
// so that what a write returns equals what a later read returns.
func (s *Store) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

func (s *Store) coll(e domain.Entity) *mongo.Collection {
	return s.db.Collection(collections[e])
}

// Node fetches records of any type by id, in the order given. A malformed or unknown id
// gives ErrNotFound in its place.
func (s *Store) Node(ctx context.Context, ids []string) ([]any, []error) {
	out, errs := make([]any, len(ids)), make([]error, len(ids))
	byEntity := map[domain.Entity][]int{}
	for i, id := range ids {
		e, ok := domain.EntityOf(id)
		if _, record := s.byEntity[e]; !ok || !record {
			errs[i] = fmt.Errorf("id %q: %w", id, domain.ErrNotFound)
			continue
		}
		byEntity[e] = append(byEntity[e], i)
	}
	for e, idx := range byEntity {
		want := make([]string, len(idx))
		for j, i := range idx {
			want[j] = ids[i]
		}
		recs, es := s.byEntity[e].getAny(ctx, want)
		for j, i := range idx {
			out[i], errs[i] = recs[j], es[j]
		}
	}
	return out, errs
}

// Name returns the database's name.
func (s *Store) Name() string { return s.db.Name() }
