package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/gesher-cs/gesher/internal/store"
)

// cmdBackup copies an SQLite database, consistently, while the server keeps running. It does
// not migrate: a backup is a copy of what is there. PostgreSQL is pg_dump's job; the error
// says how.
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var out string
	cfg, err := parseConfig("backup", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "the backup file to write; it must not exist (default <data>/backups/gesher-<UTC time>.db)")
	})
	if err != nil {
		return err
	}
	if out == "" {
		out = filepath.Join(cfg.Data, "backups", "gesher-"+time.Now().UTC().Format("20060102T150405Z")+".db")
	}
	db, err := store.Open(ctx, cfg.DB, store.Options{ReadConns: 1})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, out); err != nil {
		if errors.Is(err, store.ErrBackupPostgres) {
			return fmt.Errorf("%w: pg_dump --format=custom --file gesher.dump '%s' (restore with pg_restore --clean --dbname URL gesher.dump)", err, cfg.DB)
		}
		return err
	}
	fmt.Fprintln(stdout, out)
	return nil
}
