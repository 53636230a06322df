package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
)

// Dialect names the kind of database behind a DB.
type Dialect string

// The two dialects Gesher runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open Gesher database. On SQLite it holds one writer connection and a pool of readers
// on the same file; on PostgreSQL both are the same pool.
type DB struct {
	dialect Dialect
	url     string
	write   *sql.DB
	read    *sql.DB
	batch   *batcher // SQLite only: groups concurrent transactions into one commit
	// SQLite only: prepared statements of the writer and of the readers.
	writeStmts, readStmts *stmtCache

	stmtMu sync.Mutex
	rebind map[string]string
}

// Options tune Open.
type Options struct {
	// ReadConns is the size of the reader pool (SQLite) or the whole pool (PostgreSQL).
	ReadConns int
}

// Open opens the database named by dsn: a postgres:// or postgresql:// URL, or a path to an
// SQLite file (optionally prefixed by "sqlite:"). It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	if opt.ReadConns <= 0 {
		opt.ReadConns = 8
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn, opt)
	}
	return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"), opt)
}

// sqlitePragmas are applied to every connection through the DSN. busy_timeout comes first so
// that the pragmas after it wait for a lock instead of failing while another process (a backup,
// a second CLI command) holds the file. synchronous(FULL) makes every commit durable against
// power loss, not only against a crash of this process; group commit pays for the extra fsync.
var sqlitePragmas = []string{
	"busy_timeout(10000)",
	"journal_mode(WAL)",
	"synchronous(FULL)",
	"foreign_keys(ON)",
}

func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	for _, p := range sqlitePragmas {
		q.Add("_pragma", p)
	}
	if readOnly {
		q.Add("mode", "ro")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

func openSQLite(ctx context.Context, path string, opt Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: empty SQLite path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create data folder: %w", err)
		}
	}
	w, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite writer: %w", err)
	}
	// One writer: SQLite serialises writers anyway, and a single connection turns lock
	// contention into an orderly queue instead of SQLITE_BUSY retries.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite readers: %w", err)
	}
	r.SetMaxOpenConns(opt.ReadConns)
	r.SetMaxIdleConns(opt.ReadConns)
	db := &DB{dialect: SQLite, url: path, write: w, read: r, rebind: map[string]string{}, writeStmts: newStmtCache(w), readStmts: newStmtCache(r)}
	db.batch = newBatcher(db)
	return db, nil
}

func openPostgres(ctx context.Context, dsn string, opt Options) (*DB, error) {
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	p.SetMaxOpenConns(opt.ReadConns + 8)
	p.SetMaxIdleConns(opt.ReadConns + 8)
	p.SetConnMaxIdleTime(5 * time.Minute)
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("store: connect postgres: %w", err)
	}
	return &DB{dialect: Postgres, url: dsn, write: p, read: p, rebind: map[string]string{}}, nil
}

// Dialect reports which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// URL is the DSN the database was opened with (a file path for SQLite).
func (db *DB) URL() string { return db.url }

// Close stops the group committer and closes every connection.
func (db *DB) Close() error {
	if db.batch != nil {
		db.batch.stop()
	}
	db.writeStmts.close()
	db.readStmts.close()
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return err
	}
	return db.read.PingContext(ctx)
}

// Stats are connection-pool figures for /metrics.
func (db *DB) Stats() (write, read sql.DBStats) { return db.write.Stats(), db.read.Stats() }

// Rebind turns '?' placeholders into PostgreSQL's $n. Rebound strings are cached: queries are
// constants, so the cache is bounded by the number of queries in the program.
func (db *DB) Rebind(q string) string {
	if db.dialect != Postgres {
		return q
	}
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	if r, ok := db.rebind[q]; ok {
		return r
	}
	r := rebindDollar(q)
	db.rebind[q] = r
	return r
}

func rebindDollar(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	inString := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inString = !inString
			b.WriteByte(c)
		case c == '?' && !inString:
			n++
			fmt.Fprintf(&b, "$%d", n)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Query runs a read-only query on the reader pool.
func (db *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := db.readStmts.get(q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.read.QueryContext(ctx, db.Rebind(q), args...)
}

// QueryRow runs a read-only single-row query on the reader pool.
func (db *DB) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := db.readStmts.get(q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.read.QueryRowContext(ctx, db.Rebind(q), args...)
}

// Writer is the connection pool that writes. On SQLite it has exactly one connection. Only
// packages that must hold a connection (the PostgreSQL listener, backups) should need it.
func (db *DB) Writer() *sql.DB { return db.write }

// IsUniqueViolation reports whether err is a unique-constraint failure on either database.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		// SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555).
		return sqErr.Code() == 2067 || sqErr.Code() == 1555
	}
	return false
}

// IsSerializationFailure reports whether a PostgreSQL transaction lost a race and may be retried.
func IsSerializationFailure(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40001" || pgErr.Code == "40P01"
	}
	return false
}

var idState struct {
	sync.Mutex
	ms   uint64
	rand [10]byte
}

// NewID returns a new identifier: 26 characters, sortable by creation time (a ULID in
// lower-case Crockford base32), unique across nodes without coordination. Within one process
// IDs strictly increase, even within one millisecond or when the clock steps back, so rows
// created in a burst keep their order.
func NewID(t time.Time) string {
	const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	var b [16]byte
	ms := uint64(max(t.UnixMilli(), 0))
	idState.Lock()
	if ms <= idState.ms {
		ms = idState.ms
		for i := 9; i >= 0; i-- { // add one to the 80-bit random part
			idState.rand[i]++
			if idState.rand[i] != 0 {
				break
			}
		}
	} else {
		idState.ms = ms
		if _, err := rand.Read(idState.rand[:]); err != nil {
			panic("store: no randomness: " + err.Error())
		}
		idState.rand[0] &= 0x7f // headroom, so increments within a millisecond cannot overflow
	}
	copy(b[6:], idState.rand[:])
	idState.Unlock()
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	var out [26]byte
	// 128 bits as 26 base32 digits, most significant first (the top digit holds 3 bits).
	var acc uint64
	bits := 0
	pos := 25
	for i := 15; i >= 0; i-- {
		acc |= uint64(b[i]) << bits
		bits += 8
		for bits >= 5 && pos >= 0 {
			out[pos] = alphabet[acc&31]
			acc >>= 5
			bits -= 5
			pos--
		}
	}
	if pos >= 0 {
		out[pos] = alphabet[acc&31]
	}
	return string(out[:])
}
