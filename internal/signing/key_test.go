package signing_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/signing"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// A key is made once and then the same for every holder of its name — another node, or this
// one after a restart — while another name has a key of its own; a malformed stored key is
// refused, never used.
func TestKeysAreMadeOnceAndShared(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewManual(time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC))
		a, err := signing.NewKey(db, clk, "tracker").Bytes(ctx)
		if err != nil || len(a) != 32 {
			t.Fatalf("key %x, %v; want 32 random bytes", a, err)
		}
		again, err := signing.NewKey(db, clk, "tracker").Bytes(ctx)
		if err != nil || !bytes.Equal(a, again) {
			t.Errorf("a second holder got %x, %v; want the stored key", again, err)
		}
		other, err := signing.NewKey(db, clk, "menu").Bytes(ctx)
		if err != nil || bytes.Equal(a, other) {
			t.Errorf("another purpose got %x, %v; want a key of its own", other, err)
		}
		if err := db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO signing_keys (name, secret, created_at) VALUES ('broken', 'not hex', 0)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := signing.NewKey(db, clk, "broken").Bytes(ctx); err == nil {
			t.Error("a malformed stored key was used")
		}
	})
}
