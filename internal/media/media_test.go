package media_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/media"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func TestPutGetKeepsTheBytesAndStoresDuplicatesOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := media.NewStore(db, clock.NewManual(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)))
		// Bytes that are not valid UTF-8 and contain NULs: a database that stored them as text
		// would change them.
		data := append([]byte{0x89, 'P', 'N', 'G', 0, 0, 0xff, 0xfe}, bytes.Repeat([]byte{0, 1, 2, 0xc3}, 1000)...)
		f, err := s.Put(ctx, "../../etc/תמונה\x00 של הרכב.png", "image/png", data)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name != "תמונה של הרכב.png" || f.Size != int64(len(data)) || f.ContentType != "image/png" {
			t.Errorf("stored %+v; want the name without its path and control characters, size %d", f, len(data))
		}
		got, err := s.Get(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Data, data) {
			t.Fatalf("got %d bytes back, not the %d stored", len(got.Data), len(data))
		}
		again, err := s.Put(ctx, "תמונה של הרכב.png", "image/png", data)
		if err != nil || again.ID != f.ID {
			t.Errorf("the same file again: %v, id %s; want the first id %s", err, again.ID, f.ID)
		}
		other, err := s.Put(ctx, "scan.pdf", "not a type", []byte("%PDF-1.4"))
		if err != nil || other.ID == f.ID || other.ContentType != "application/octet-stream" {
			t.Errorf("another file: %+v, %v; want a new id and an opaque type for a malformed one", other, err)
		}
		if _, err := s.Get(ctx, "nope"); !errors.Is(err, media.ErrNotFound) {
			t.Errorf("unknown id: %v; want ErrNotFound", err)
		}
		if _, err := s.Put(ctx, "big.bin", "application/octet-stream", make([]byte, media.MaxSize+1)); !errors.Is(err, media.ErrTooLarge) {
			t.Errorf("a file over the limit: %v; want ErrTooLarge", err)
		}
	})
}

func TestPutJoinsTheCallersTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := media.NewStore(db, clock.System{})
		var id string
		boom := errors.New("the message insert failed")
		err := db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			f, err := s.Put(ctx, "a.txt", "text/plain", []byte("hello"))
			id = f.ID
			if err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx: %v", err)
		}
		if _, err := s.Get(ctx, id); !errors.Is(err, media.ErrNotFound) {
			t.Errorf("after the rollback the file is %v; want it gone with the transaction", err)
		}
	})
}
