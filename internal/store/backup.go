package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrBackupPostgres means Backup was asked to copy a PostgreSQL database: pg_dump does that
// better than Gesher could (consistent snapshot, custom format, parallel restore).
var ErrBackupPostgres = errors.New("store: a PostgreSQL database is backed up with pg_dump, not by gesher")

// ErrBackupExists means the backup file is already there; Backup never overwrites.
var ErrBackupExists = errors.New("store: the backup file already exists")

// Backup writes a consistent copy of an SQLite database to path while the server keeps
// running. VACUUM INTO reads one snapshot on a reader connection — in WAL mode readers never
// block the writer, so webhooks keep being acknowledged meanwhile — and writes a compacted
// file that opens as an ordinary database: restoring is copying it back as gesher.db.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return ErrBackupPostgres
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%w: %s", ErrBackupExists, path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("store: backup folder: %w", err)
		}
	}
	if _, err := db.read.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path) // a partial file must not pass for a backup
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	return nil
}
