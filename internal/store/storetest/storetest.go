// Package storetest runs tests against real databases: a fresh SQLite file in a temporary
// folder, and a fresh PostgreSQL database cloned from a migrated template on a real server
// listening on loopback.
//
// The PostgreSQL server is the one named by GESHER_TEST_PG_URL (an admin URL such as
// postgres://postgres@127.0.0.1:55432/postgres; `make test` starts one for the whole run), or,
// when that is unset, one this package starts itself with Debian's initdb and pg_ctl and stops
// when the test process exits. Nothing here skips: a machine without PostgreSQL fails loudly.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/store"
)

// Each runs fn once on SQLite and once on PostgreSQL, as subtests named after the dialect.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// EachURL is Each for tests that start servers themselves: fn gets a database URL (an SQLite
// file path or a PostgreSQL URL) of a fresh, migrated database.
func EachURL(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLitePath(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, PostgresURL(t)) })
}

// SQLitePath returns the path of a fresh, migrated SQLite database in a temporary folder.
func SQLitePath(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gesher.db")
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return path
}

// SQLite opens a fresh, migrated SQLite database, closed when the test ends.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return open(t, SQLitePath(t))
}

// Postgres opens a fresh, migrated PostgreSQL database, dropped when the test ends.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	return open(t, PostgresURL(t))
}

func open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL creates a fresh database cloned from the migrated template and returns its URL.
// The database is dropped when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	srv, err := server()
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	name := fmt.Sprintf("t_%d_%s", os.Getpid(), strings.ToLower(store.NewID(time.Now())[16:]))
	if _, err := srv.admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + srv.template); err != nil {
		t.Fatalf("postgres: create test database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = srv.admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	return srv.url(name)
}

type pgServer struct {
	base     string // URL of the server without a database name
	admin    *sql.DB
	template string
}

func (s *pgServer) url(dbname string) string { return s.base + "/" + dbname + "?sslmode=disable" }

var (
	serverOnce sync.Once
	serverVal  *pgServer
	serverErr  error
)

func server() (*pgServer, error) {
	serverOnce.Do(func() { serverVal, serverErr = startServer() })
	return serverVal, serverErr
}

func startServer() (*pgServer, error) {
	adminURL := os.Getenv("GESHER_TEST_PG_URL")
	if adminURL == "" {
		var err error
		if adminURL, err = startCluster(); err != nil {
			return nil, err
		}
	}
	base := adminURL
	if i := strings.LastIndex(base, "/"); i > len("postgres://") {
		base = base[:i]
	}
	admin, err := sql.Open("pgx", base+"/postgres?sslmode=disable")
	if err != nil {
		return nil, err
	}
	admin.SetMaxOpenConns(4)
	if err := waitPing(admin, 15*time.Second); err != nil {
		return nil, fmt.Errorf("connect to %s: %w", base, err)
	}
	s := &pgServer{base: base, admin: admin}
	s.template = fmt.Sprintf("tmpl_%d_%s", os.Getpid(), strings.ToLower(store.NewID(time.Now())[16:]))
	if _, err := admin.Exec(`CREATE DATABASE ` + s.template); err != nil {
		return nil, fmt.Errorf("create template: %w", err)
	}
	db, err := store.Open(context.Background(), s.url(s.template), store.Options{ReadConns: 1})
	if err != nil {
		return nil, err
	}
	_, err = db.Migrate(context.Background())
	db.Close()
	if err != nil {
		return nil, fmt.Errorf("migrate template: %w", err)
	}
	return s, nil
}

func waitPing(db *sql.DB, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		err := db.Ping()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// PGBin returns the folder holding Debian's PostgreSQL server programs (the newest installed).
func PGBin() (string, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		if p, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
		return "", fmt.Errorf("PostgreSQL server programs not found: install Debian's postgresql (make test does)")
	}
	sort.Slice(matches, func(i, j int) bool { return versionOf(matches[i]) > versionOf(matches[j]) })
	return filepath.Dir(matches[0]), nil
}

func versionOf(p string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(p))))
	return v
}

// startCluster creates a throwaway cluster in a temporary folder and starts it on a free
// loopback port. A watcher process stops the server and removes the folder when this test
// process exits, however it exits.
func startCluster() (string, error) {
	bin, err := PGBin()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "gesher-pg-")
	if err != nil {
		return "", err
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	asPostgres := os.Geteuid() == 0
	if asPostgres {
		// initdb refuses to run as root; the cluster belongs to the postgres user.
		u, err := user.Lookup("postgres")
		if err != nil {
			return "", fmt.Errorf("running as root needs the postgres user (Debian's postgresql package creates it): %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", err
		}
	}
	data := filepath.Join(dir, "data")
	run := func(script string) error {
		var cmd *exec.Cmd
		if asPostgres {
			cmd = exec.Command("su", "postgres", "-s", "/bin/sh", "-c", script)
		} else {
			cmd = exec.Command("/bin/sh", "-c", script)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v\n%s", script, err, out)
		}
		return nil
	}
	if err := run(fmt.Sprintf("%s/initdb -D %s -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null", bin, data)); err != nil {
		return "", err
	}
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300", port, dir)
	if err := run(fmt.Sprintf("%s/pg_ctl -D %s -l %s/server.log -w -o '%s' start >/dev/null", bin, data, dir, opts)); err != nil {
		return "", err
	}
	stop := fmt.Sprintf("%s/pg_ctl -D %s -m immediate -w stop >/dev/null 2>&1", bin, data)
	if asPostgres {
		stop = "su postgres -s /bin/sh -c '" + stop + "'"
	}
	watcher := exec.Command("/bin/sh", "-c", fmt.Sprintf("while kill -0 %d 2>/dev/null; do sleep 1; done; %s; rm -rf %s", os.Getpid(), stop, dir))
	watcher.SysProcAttr = detached()
	if err := watcher.Start(); err != nil {
		return "", err
	}
	go func() { _ = watcher.Wait() }()
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres", port), nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Prepare prepares every named query on a fresh SQLite and a fresh PostgreSQL database, so a
// typo or a construct one dialect lacks fails the package's tests rather than a customer's
// installation. Domain packages call it with the constants of their queries.go.
func Prepare(t *testing.T, queries map[string]string) {
	t.Helper()
	Each(t, func(t *testing.T, db *store.DB) {
		for name, q := range queries {
			st, err := db.Writer().PrepareContext(context.Background(), db.Rebind(q))
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			st.Close()
		}
	})
}
