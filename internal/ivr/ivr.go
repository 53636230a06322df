package ivr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/helpcenter"
	"github.com/gesher-cs/gesher/internal/i18n"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/signing"
	"github.com/gesher-cs/gesher/internal/store"
)

// Event kinds this package writes: together they are the menu path on the customer's timeline.
const (
	TreeSaved      event.Kind = "menu.saved"
	CallStarted    event.Kind = "menu.call-started"
	LanguageChosen event.Kind = "menu.language-chosen"
	OptionChosen   event.Kind = "menu.option-chosen"
	InputMissed    event.Kind = "menu.input-missed" // nothing heard, or not an option
	ActionDone     event.Kind = "menu.action"       // an action ran: said, sent, or refused and why
	CallQueued     event.Kind = "menu.queued"
	CallbackBooked event.Kind = "menu.callback-booked"
	VisualOpened   event.Kind = "menu.visual-opened"
	VisualStep     event.Kind = "menu.visual-step"
	CallContained  event.Kind = "menu.contained" // the caller finished on the visual menu
	CallHandedOver event.Kind = "menu.handed-over"
	CallEnded      event.Kind = "menu.call-ended"
)

// Settings a voice channel holds for its menu.
const (
	// SettingMenu names the menu tree that answers the channel's calls; without it calls go
	// straight to the line, as before menus existed.
	SettingMenu = "menu"
	// SettingSMSChannel names the SMS channel that texts links; empty: the first enabled one.
	SettingSMSChannel = "sms_channel"
	// SettingWhatsAppChannel names the WhatsApp channel; empty: the first enabled one.
	SettingWhatsAppChannel = "whatsapp_channel"
	// SettingQueue is the line callers wait in when a node names none (the voice adapter's
	// own setting); empty: the channel's name.
	SettingQueue = "queue"
)

// Errors.
var (
	ErrNotFound = errors.New("menu: not found")
	// ErrNotWaiting is a visual-menu action that needs a waiting call (a callback instead of
	// waiting) on a call that is no longer in line.
	ErrNotWaiting = errors.New("menu: the call is no longer waiting")
)

// maxTries is how many times a node is asked before the caller goes to an agent: a caller who
// cannot use the menu is not hung up on.
const maxTries = 3

// Releaser ends a waiting call with a short goodbye, through the provider's API. The voice
// adapter is one.
type Releaser interface {
	Release(ctx context.Context, ch channel.Channel, callSid string, goodbye Say) error
}

// Options tune the service.
type Options struct {
	Log *slog.Logger
	// LinkTTL is how long a visual-menu link opens; 2 hours when zero (a wait, and a while
	// after it).
	LinkTTL time.Duration
}

// Service runs menus: trees, calls through them, the visual menu and hand-over context.
type Service struct {
	db        *store.DB
	clock     clock.Clock
	events    *event.Log
	customers *customer.Service
	convs     *conversation.Service
	channels  *channel.Channels
	fitter    *channel.Fitter
	mover     *channel.Mover
	desk      *selfservice.Desk
	help      *helpcenter.Service
	catalogs  *i18n.Bundle
	opt       Options

	mu        sync.Mutex
	releaser  Releaser
	publicURL string
	key       *signing.Key // signs the visual-menu links
}

// Deps are the services a menu acts through.
type Deps struct {
	DB        *store.DB
	Clock     clock.Clock
	Events    *event.Log
	Customers *customer.Service
	Convs     *conversation.Service
	Channels  *channel.Channels
	Fitter    *channel.Fitter
	Mover     *channel.Mover
	Desk      *selfservice.Desk
	Help      *helpcenter.Service
}

// New returns the menu service.
func New(d Deps, opt Options) (*Service, error) {
	b, err := i18n.Load()
	if err != nil {
		return nil, fmt.Errorf("ivr: catalogs: %w", err)
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.LinkTTL == 0 {
		opt.LinkTTL = 2 * time.Hour
	}
	return &Service{db: d.DB, clock: d.Clock, events: d.Events, customers: d.Customers, convs: d.Convs, channels: d.Channels,
		fitter: d.Fitter, mover: d.Mover, desk: d.Desk, help: d.Help, catalogs: b, opt: opt, key: signing.NewKey(d.DB, d.Clock, keyName)}, nil
}

// SetReleaser sets what releases waiting calls (the voice adapter); wired once at start-up.
func (s *Service) SetReleaser(r Releaser) {
	s.mu.Lock()
	s.releaser = r
	s.mu.Unlock()
}

// SetPublicURL sets what visual-menu links start with.
func (s *Service) SetPublicURL(u string) {
	for len(u) > 0 && u[len(u)-1] == '/' {
		u = u[:len(u)-1]
	}
	s.mu.Lock()
	s.publicURL = u
	s.mu.Unlock()
}

func (s *Service) base() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.publicURL
}

// Catalogs are the texts the menus speak and show.
func (s *Service) Catalogs() *i18n.Bundle { return s.catalogs }

// t is key in lang, from the catalogs (Hebrew when lang has none).
func (s *Service) t(lang, key string, vars ...string) string {
	c, err := s.catalogs.Catalog(lang)
	if err != nil {
		c, _ = s.catalogs.Catalog("he")
	}
	return c.T(key, vars...)
}

// Trees lists the menu trees.
func (s *Service) Trees(ctx context.Context) ([]Tree, error) {
	rows, err := s.db.Query(ctx, sqlSelectTree+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("ivr: trees: %w", err)
	}
	defer rows.Close()
	var out []Tree
	for rows.Next() {
		t, err := scanTree(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Tree returns the tree with id, or ErrNotFound.
func (s *Service) Tree(ctx context.Context, id string) (Tree, error) {
	return scanTree(s.db.Q(ctx).QueryRow(ctx, sqlSelectTree+` WHERE id = ?`, id))
}

type scanner interface{ Scan(dest ...any) error }

func scanTree(r scanner) (Tree, error) {
	var (
		t              Tree
		data           string
		created, updat int64
	)
	if err := r.Scan(&t.ID, &data, &t.UpdatedBy, &created, &updat); err != nil {
		if store.IsNoRows(err) {
			return t, ErrNotFound
		}
		return t, fmt.Errorf("ivr: read tree: %w", err)
	}
	id := t.ID
	if err := json.Unmarshal([]byte(data), &t); err != nil {
		return t, fmt.Errorf("ivr: decode tree %s: %w", id, err)
	}
	t.ID, t.CreatedAt, t.UpdatedAt = id, time.UnixMilli(created).UTC(), time.UnixMilli(updat).UTC()
	return t, nil
}

// PutTree creates or replaces a tree after validating it. Calls in a menu go on in the new
// tree from the node they are at (a node that is gone sends them back to the start).
func (s *Service) PutTree(ctx context.Context, t Tree, by event.Actor) (Tree, error) {
	if err := Validate(t); err != nil {
		return t, err
	}
	now := s.clock.Now()
	t.UpdatedBy, t.UpdatedAt = by.ID, now.UTC()
	data, err := json.Marshal(struct {
		Name      string   `json:"name"`
		Languages []string `json:"languages"`
		Screen    []string `json:"screen_languages,omitempty"`
		Start     string   `json:"start"`
		Nodes     []Node   `json:"nodes"`
	}{t.Name, t.Languages, t.Screen, t.Start, t.Nodes})
	if err != nil {
		return t, fmt.Errorf("ivr: encode tree: %w", err)
	}
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var created int64
		err := tx.QueryRow(ctx, sqlTreeExists, t.ID).Scan(&created)
		switch {
		case store.IsNoRows(err):
			t.CreatedAt = now.UTC()
			if _, err := tx.Exec(ctx, sqlInsertTree, t.ID, string(data), by.ID, now.UnixMilli(), now.UnixMilli()); err != nil {
				return fmt.Errorf("ivr: insert tree: %w", err)
			}
		case err != nil:
			return fmt.Errorf("ivr: find tree: %w", err)
		default:
			t.CreatedAt = time.UnixMilli(created).UTC()
			if _, err := tx.Exec(ctx, sqlUpdateTree, string(data), by.ID, now.UnixMilli(), t.ID); err != nil {
				return fmt.Errorf("ivr: update tree: %w", err)
			}
		}
		_, err = s.events.Append(ctx, event.Event{Kind: TreeSaved, Actor: by}, map[string]any{"tree": t.ID, "nodes": len(t.Nodes), "languages": t.Languages})
		return err
	})
	return t, err
}
