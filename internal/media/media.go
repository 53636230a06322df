package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/store"
)

// MaxSize is the largest file stored: WhatsApp's own limit for documents is 100 MB, but a
// service conversation rarely needs more than a scanned form or a photo of a damaged car, and
// every byte here lives in the database and its backups. Adapters keep bigger files as links.
const MaxSize = 16 << 20

// ErrNotFound is returned for an unknown media id.
var ErrNotFound = errors.New("media not found")

// ErrTooLarge is returned for a file over MaxSize.
var ErrTooLarge = fmt.Errorf("media: file over %d bytes", MaxSize)

// File is one stored file.
type File struct {
	ID          string
	Name        string
	ContentType string
	Size        int64
	SHA256      string
	Data        []byte
	CreatedAt   time.Time
}

// Store keeps files.
type Store struct {
	db    *store.DB
	clock clock.Clock
}

// NewStore returns the media store.
func NewStore(db *store.DB, clk clock.Clock) *Store { return &Store{db: db, clock: clk} }

// Put stores data and returns the stored file (without its bytes). Within a transaction in
// ctx it joins that transaction. The same bytes under the same name and type are stored once:
// a provider that sends one photo to two conversations, or a re-fetch, costs no space.
func (s *Store) Put(ctx context.Context, name, contentType string, data []byte) (File, error) {
	if len(data) > MaxSize {
		return File{}, ErrTooLarge
	}
	sum := sha256.Sum256(data)
	f := File{Name: cleanName(name), ContentType: cleanType(contentType), Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var id string
		var created int64
		err := tx.QueryRow(ctx, sqlFindSame, f.SHA256, f.Name, f.ContentType).Scan(&id, &created)
		if err == nil {
			f.ID, f.CreatedAt = id, time.UnixMilli(created)
			return nil
		}
		if !store.IsNoRows(err) {
			return err
		}
		now := s.clock.Now()
		f.ID, f.CreatedAt = store.NewID(now), now
		_, err = tx.Exec(ctx, sqlInsert, f.ID, f.SHA256, f.Name, f.ContentType, f.Size, data, now.UnixMilli())
		return err
	})
	if err != nil {
		return File{}, fmt.Errorf("media: put %q: %w", f.Name, err)
	}
	return f, nil
}

// Get returns a file with its bytes.
func (s *Store) Get(ctx context.Context, id string) (File, error) {
	var f File
	var created int64
	err := s.db.Q(ctx).QueryRow(ctx, sqlGet, id).Scan(&f.ID, &f.SHA256, &f.Name, &f.ContentType, &f.Size, &f.Data, &created)
	if store.IsNoRows(err) {
		return File{}, ErrNotFound
	}
	if err != nil {
		return File{}, fmt.Errorf("media: get %s: %w", id, err)
	}
	f.CreatedAt = time.UnixMilli(created)
	return f, nil
}

// URL is where an agent downloads the file.
func URL(id string) string { return "/api/v1/media/" + id }

// cleanName keeps a file name a customer chose readable but harmless: no path, no control
// characters, not absurdly long.
func cleanName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}

// cleanType keeps a well-formed media type and its parameters, or says the bytes are opaque.
func cleanType(ct string) string {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || !strings.Contains(mt, "/") {
		return "application/octet-stream"
	}
	return mime.FormatMediaType(mt, params)
}
