package channel

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/store"
)

// Channel is one configured channel of the organisation: "demo-api" of kind "api", say.
type Channel struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Kind      Kind              `json:"kind"`
	Secret    string            `json:"-"`
	Settings  map[string]string `json:"settings"`
	Enabled   bool              `json:"enabled"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// Channels stores channel configuration.
type Channels struct {
	db    *store.DB
	clock clock.Clock
}

// NewChannels returns the channel store.
func NewChannels(db *store.DB, clk clock.Clock) *Channels { return &Channels{db: db, clock: clk} }

// ByName returns the channel with the name used in webhook URLs.
func (c *Channels) ByName(ctx context.Context, name string) (Channel, error) {
	return scanChannel(c.db.Q(ctx).QueryRow(ctx, sqlSelectChannel+` WHERE name = ?`, name))
}

// Get returns a channel by id.
func (c *Channels) Get(ctx context.Context, id string) (Channel, error) {
	return scanChannel(c.db.Q(ctx).QueryRow(ctx, sqlSelectChannel+` WHERE id = ?`, id))
}

// List returns every channel, by name.
func (c *Channels) List(ctx context.Context) ([]Channel, error) {
	rows, err := c.db.Q(ctx).Query(ctx, sqlSelectChannel+` ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Channel{}
	for rows.Next() {
		ch, err := scanChannel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, rows.Err()
}

// Ensure creates the channel, or updates the one with the same name, and returns it. Demo
// seeding and configuration files use it, so running them twice changes nothing.
func (c *Channels) Ensure(ctx context.Context, ch Channel) (Channel, error) {
	ch.Name = strings.TrimSpace(ch.Name)
	if ch.Name == "" || ch.Kind == "" {
		return ch, fmt.Errorf("channel: name and kind are required")
	}
	if ch.Settings == nil {
		ch.Settings = map[string]string{}
	}
	settings, _ := json.Marshal(ch.Settings)
	err := c.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := c.clock.Now()
		existing, err := c.ByName(ctx, ch.Name)
		if err == nil {
			ch.ID, ch.CreatedAt, ch.UpdatedAt = existing.ID, existing.CreatedAt, now
			_, err = tx.Exec(ctx, `UPDATE channels SET kind = ?, secret = ?, settings = ?, enabled = ?, updated_at = ? WHERE id = ?`,
				string(ch.Kind), ch.Secret, string(settings), boolInt(ch.Enabled), now.UnixMilli(), ch.ID)
			return err
		}
		if err != ErrNotFound {
			return err
		}
		ch.ID, ch.CreatedAt, ch.UpdatedAt = store.NewID(now), now, now
		_, err = tx.Exec(ctx, `INSERT INTO channels (id, name, kind, secret, settings, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			ch.ID, ch.Name, string(ch.Kind), ch.Secret, string(settings), boolInt(ch.Enabled), now.UnixMilli(), now.UnixMilli())
		return err
	})
	if err != nil {
		return ch, fmt.Errorf("channel: ensure %s: %w", ch.Name, err)
	}
	return ch, nil
}

// Patch is a change to a channel: nil fields stay as they are.
type Patch struct {
	Secret   *string
	Settings map[string]string // replaces the settings; a value of KeepValue keeps the stored one
	Enabled  *bool
}

// KeepValue, as a setting's value in a Patch, keeps what is stored: the console shows secret
// settings masked, and sends the mask back for those the admin did not retype.
const KeepValue = "••••••"

// Update changes a channel.
func (c *Channels) Update(ctx context.Context, id string, p Patch) (Channel, error) {
	var ch Channel
	err := c.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if ch, err = c.Get(ctx, id); err != nil {
			return err
		}
		if p.Secret != nil {
			ch.Secret = *p.Secret
		}
		if p.Enabled != nil {
			ch.Enabled = *p.Enabled
		}
		if p.Settings != nil {
			next := make(map[string]string, len(p.Settings))
			for k, v := range p.Settings {
				if k = strings.TrimSpace(k); k == "" {
					continue
				}
				if v == KeepValue {
					old, ok := ch.Settings[k]
					if !ok {
						continue
					}
					v = old
				}
				next[k] = v
			}
			ch.Settings = next
		}
		ch.UpdatedAt = c.clock.Now()
		settings, _ := json.Marshal(ch.Settings)
		_, err = tx.Exec(ctx, `UPDATE channels SET secret = ?, settings = ?, enabled = ?, updated_at = ? WHERE id = ?`,
			ch.Secret, string(settings), boolInt(ch.Enabled), ch.UpdatedAt.UnixMilli(), ch.ID)
		return err
	})
	if err != nil {
		return Channel{}, fmt.Errorf("channel: update %s: %w", id, err)
	}
	return ch, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

type scanner interface{ Scan(dest ...any) error }

func scanChannel(r scanner) (Channel, error) {
	var ch Channel
	var settings string
	var enabled int
	var created, updated int64
	err := r.Scan(&ch.ID, &ch.Name, &ch.Kind, &ch.Secret, &settings, &enabled, &created, &updated)
	if store.IsNoRows(err) {
		return ch, ErrNotFound
	}
	if err != nil {
		return ch, fmt.Errorf("channel: scan: %w", err)
	}
	ch.Settings = map[string]string{}
	_ = json.Unmarshal([]byte(settings), &ch.Settings)
	ch.Enabled = enabled != 0
	ch.CreatedAt, ch.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return ch, nil
}

const sqlSelectChannel = `SELECT id, name, kind, secret, settings, enabled, created_at, updated_at FROM channels`
