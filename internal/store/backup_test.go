package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// A backup taken while writes continue opens as a database holding a consistent prefix of
// them (every row of each committed transaction, or none), and migrated like the original.
func TestBackupWhileWritingRestoresConsistently(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	if err := db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Exec(ctx, `CREATE TABLE pairs (n INTEGER NOT NULL, half TEXT NOT NULL)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	write := func(n int) error {
		// Two rows per transaction: a backup holding one without the other would be torn.
		return db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			for _, half := range []string{"a", "b"} {
				if _, err := tx.Exec(ctx, `INSERT INTO pairs (n, half) VALUES (?, ?)`, n, half); err != nil {
					return err
				}
			}
			return nil
		})
	}
	for n := range 200 {
		if err := write(n); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for n := 200; n < 20000; n++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := write(n); err != nil {
				t.Error(err)
				return
			}
		}
	})
	path := filepath.Join(t.TempDir(), "backup", "gesher-backup.db")
	err := db.Backup(ctx, path)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}

	restored, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	var rows, pairs, torn int
	if err := restored.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT n) FROM pairs`).Scan(&rows, &pairs); err != nil {
		t.Fatal(err)
	}
	if err := restored.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT n FROM pairs GROUP BY n HAVING COUNT(*) <> 2) d`).Scan(&torn); err != nil {
		t.Fatal(err)
	}
	if pairs < 200 || rows != 2*pairs || torn != 0 {
		t.Errorf("restored %d rows in %d pairs, %d torn; want at least the 200 pairs written before, none torn", rows, pairs, torn)
	}
	v1, err := db.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v2, err := restored.Version(ctx); err != nil || v2 != v1 {
		t.Errorf("restored schema version %d (%v), want %d", v2, err, v1)
	}

	// Never over an existing file: an old backup is not silently replaced.
	if err := db.Backup(ctx, path); !errors.Is(err, store.ErrBackupExists) {
		t.Errorf("backup over an existing file: %v, want ErrBackupExists", err)
	}
}

// PostgreSQL is not copied by gesher: the error says to use pg_dump.
func TestBackupOfPostgresPointsToPgDump(t *testing.T) {
	db := storetest.Postgres(t)
	err := db.Backup(context.Background(), filepath.Join(t.TempDir(), "x.db"))
	if !errors.Is(err, store.ErrBackupPostgres) {
		t.Fatalf("got %v, want ErrBackupPostgres", err)
	}
	if !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("error %q does not say what to use instead", err)
	}
}
