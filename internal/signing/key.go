package signing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/store"
)

// Key is one named signing key, read from the database once.
type Key struct {
	db    *store.DB
	clock clock.Clock
	name  string

	mu  sync.Mutex
	key []byte
}

// NewKey returns the key called name (its purpose: "tracker", "menu", …).
func NewKey(db *store.DB, clk clock.Clock, name string) *Key {
	return &Key{db: db, clock: clk, name: name}
}

// Bytes returns the key, creating it on first use; when two nodes create it at once, the first
// stored wins and both use it. It is cached only once the transaction that read or made it
// commits, so a key from a rolled-back transaction is never used.
func (k *Key) Bytes(ctx context.Context) ([]byte, error) {
	k.mu.Lock()
	cached := k.key
	k.mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	var out []byte
	err := k.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var fresh [32]byte
		if _, err := rand.Read(fresh[:]); err != nil {
			return fmt.Errorf("signing: %s key: %w", k.name, err)
		}
		if _, err := tx.Exec(ctx, sqlInsertKey, k.name, hex.EncodeToString(fresh[:]), k.clock.Now().UnixMilli()); err != nil {
			return fmt.Errorf("signing: create the %s key: %w", k.name, err)
		}
		var secret string
		if err := tx.QueryRow(ctx, sqlSelectKey, k.name).Scan(&secret); err != nil {
			return fmt.Errorf("signing: read the %s key: %w", k.name, err)
		}
		b, err := hex.DecodeString(secret)
		if err != nil || len(b) < 16 {
			return fmt.Errorf("signing: the stored %s key is malformed", k.name)
		}
		out = b
		tx.AfterCommit(func() {
			k.mu.Lock()
			k.key = b
			k.mu.Unlock()
		})
		return nil
	})
	return out, err
}
