package canned

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// Event kinds this package appends.
const (
	Created event.Kind = "canned.created"
	Updated event.Kind = "canned.updated"
	Deleted event.Kind = "canned.deleted"
)

// Response is one canned response.
type Response struct {
	ID string `json:"id"`
	// Shortcut is what an agent types after "/" to find it: lower-case letters, digits and
	// dashes ("claim-received").
	Shortcut string `json:"shortcut"`
	Title    string `json:"title"`
	Body     string `json:"body"`
	// Language is the language the body is written in ("he"); empty means any.
	Language string `json:"language"`
	// Channels are the kinds of channel it may be sent on ("whatsapp", "sms"); empty means
	// every channel.
	Channels []string `json:"channels"`
	// ApprovedTemplate says the body is a WhatsApp message template Meta approved, with the
	// same text: it may be sent after the customer's 24-hour window has closed.
	ApprovedTemplate bool      `json:"approved_template"`
	UpdatedBy        string    `json:"updated_by,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Input is what creating or changing a response takes.
type Input struct {
	Shortcut         string   `json:"shortcut"`
	Title            string   `json:"title"`
	Body             string   `json:"body"`
	Language         string   `json:"language"`
	Channels         []string `json:"channels"`
	ApprovedTemplate bool     `json:"approved_template"`
}

// Filter narrows a listing: what the composer offers for this conversation.
type Filter struct {
	Query       string // words in the shortcut, title or body
	Language    string // responses in this language or in none
	ChannelKind string // responses allowed on this kind of channel
}

// ErrNotFound is returned for an unknown id.
var ErrNotFound = errors.New("canned response not found")

// ValidationError names the field that is wrong.
type ValidationError struct{ Field, Reason string }

func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

// Service stores canned responses.
type Service struct {
	db     *store.DB
	clock  clock.Clock
	events *event.Log
}

// NewService returns the canned-response service.
func NewService(db *store.DB, clk clock.Clock, events *event.Log) *Service {
	return &Service{db: db, clock: clk, events: events}
}

var (
	shortcutRE = regexp.MustCompile(`^[\p{Ll}\p{Lo}\p{Nd}][\p{Ll}\p{Lo}\p{Nd}-]{0,39}$`)
	languageRE = regexp.MustCompile(`^[a-z]{2,3}$`)
)

// channelKinds are the kinds a response may be limited to.
var channelKinds = []string{"whatsapp", "sms", "email", "telegram", "webchat", "voice", "api"}

func (in *Input) validate() error {
	in.Shortcut = strings.ToLower(strings.TrimSpace(in.Shortcut))
	in.Title = strings.TrimSpace(in.Title)
	in.Body = strings.TrimSpace(in.Body)
	in.Language = strings.ToLower(strings.TrimSpace(in.Language))
	switch {
	case !shortcutRE.MatchString(in.Shortcut):
		return &ValidationError{"shortcut", "1 to 40 lower-case letters, digits or dashes, starting with a letter or digit"}
	case in.Title == "" || len([]rune(in.Title)) > 120:
		return &ValidationError{"title", "a title of 1 to 120 characters is required"}
	case in.Body == "" || len(in.Body) > 4096:
		return &ValidationError{"body", "a body of 1 to 4096 bytes is required"}
	case in.Language != "" && !languageRE.MatchString(in.Language):
		return &ValidationError{"language", "a language code such as he, ar, en or ru, or empty for any"}
	}
	if err := Check(in.Body); err != nil {
		return &ValidationError{"body", err.Error()}
	}
	kinds := []string{}
	for _, k := range in.Channels {
		k = strings.ToLower(strings.TrimSpace(k))
		if !slices.Contains(channelKinds, k) {
			return &ValidationError{"channels", fmt.Sprintf("%q is not a kind of channel (%s)", k, strings.Join(channelKinds, ", "))}
		}
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	slices.Sort(kinds)
	in.Channels = kinds
	if in.ApprovedTemplate && len(kinds) > 0 && !slices.Contains(kinds, "whatsapp") {
		return &ValidationError{"approved_template", "only a response sent on WhatsApp can be an approved WhatsApp template"}
	}
	return nil
}

// Create stores a new response.
func (s *Service) Create(ctx context.Context, in Input, actor event.Actor) (Response, error) {
	if err := in.validate(); err != nil {
		return Response{}, err
	}
	now := s.clock.Now()
	r := Response{ID: store.NewID(now), CreatedAt: now, UpdatedAt: now, UpdatedBy: actor.ID}
	r.apply(in)
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if err := s.shortcutFree(ctx, tx, r.Shortcut, ""); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlInsert, r.ID, r.Shortcut, r.Title, r.Body, r.Language, strings.Join(r.Channels, ","), boolInt(r.ApprovedTemplate), r.UpdatedBy, now.UnixMilli(), now.UnixMilli()); err != nil {
			return err
		}
		_, err := s.events.Append(ctx, event.Event{Kind: Created, Actor: actor}, map[string]any{"id": r.ID, "shortcut": r.Shortcut})
		return err
	})
	if err != nil {
		return Response{}, fmt.Errorf("canned: create %q: %w", in.Shortcut, err)
	}
	return r, nil
}

// Update changes a response.
func (s *Service) Update(ctx context.Context, id string, in Input, actor event.Actor) (Response, error) {
	if err := in.validate(); err != nil {
		return Response{}, err
	}
	var r Response
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if r, err = s.Get(ctx, id); err != nil {
			return err
		}
		if err := s.shortcutFree(ctx, tx, in.Shortcut, id); err != nil {
			return err
		}
		r.apply(in)
		r.UpdatedAt, r.UpdatedBy = s.clock.Now(), actor.ID
		if _, err := tx.Exec(ctx, sqlUpdate, r.Shortcut, r.Title, r.Body, r.Language, strings.Join(r.Channels, ","), boolInt(r.ApprovedTemplate), r.UpdatedBy, r.UpdatedAt.UnixMilli(), id); err != nil {
			return err
		}
		_, err = s.events.Append(ctx, event.Event{Kind: Updated, Actor: actor}, map[string]any{"id": r.ID, "shortcut": r.Shortcut})
		return err
	})
	if err != nil {
		return Response{}, fmt.Errorf("canned: update %s: %w", id, err)
	}
	return r, nil
}

// Delete removes a response.
func (s *Service) Delete(ctx context.Context, id string, actor event.Actor) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		res, err := tx.Exec(ctx, sqlDelete, id)
		if err != nil {
			return fmt.Errorf("canned: delete %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		_, err = s.events.Append(ctx, event.Event{Kind: Deleted, Actor: actor}, map[string]any{"id": id})
		return err
	})
}

// Get returns one response.
func (s *Service) Get(ctx context.Context, id string) (Response, error) {
	r, err := scan(s.db.Q(ctx).QueryRow(ctx, sqlSelect+` WHERE id = ?`, id))
	if store.IsNoRows(err) {
		return Response{}, ErrNotFound
	}
	return r, err
}

// List returns the responses that match f, by shortcut. A response in the filter's language
// comes before one written for any language.
func (s *Service) List(ctx context.Context, f Filter) ([]Response, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlSelect+` ORDER BY shortcut`)
	if err != nil {
		return nil, fmt.Errorf("canned: list: %w", err)
	}
	defer rows.Close()
	words := strings.Fields(strings.ToLower(f.Query))
	out := []Response{}
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, err
		}
		if f.Language != "" && r.Language != "" && r.Language != f.Language {
			continue
		}
		if f.ChannelKind != "" && len(r.Channels) > 0 && !slices.Contains(r.Channels, f.ChannelKind) {
			continue
		}
		hay := strings.ToLower(r.Shortcut + " " + r.Title + " " + r.Body)
		if !allIn(words, hay) {
			continue
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The agent's own language first: the stable sort keeps shortcut order within each group.
	slices.SortStableFunc(out, func(a, b Response) int {
		return boolInt(a.Language == "") - boolInt(b.Language == "")
	})
	return out, nil
}

func allIn(words []string, hay string) bool {
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

func (s *Service) shortcutFree(ctx context.Context, tx *store.Tx, shortcut, except string) error {
	var id string
	err := tx.QueryRow(ctx, `SELECT id FROM canned_responses WHERE shortcut = ?`, shortcut).Scan(&id)
	if err == nil && id != except {
		return &ValidationError{"shortcut", fmt.Sprintf("/%s is taken by another response", shortcut)}
	}
	if err != nil && !store.IsNoRows(err) {
		return err
	}
	return nil
}

func (r *Response) apply(in Input) {
	r.Shortcut, r.Title, r.Body, r.Language, r.Channels, r.ApprovedTemplate = in.Shortcut, in.Title, in.Body, in.Language, in.Channels, in.ApprovedTemplate
}

type scanner interface{ Scan(dest ...any) error }

func scan(row scanner) (Response, error) {
	var r Response
	var kinds string
	var approved int
	var created, updated int64
	if err := row.Scan(&r.ID, &r.Shortcut, &r.Title, &r.Body, &r.Language, &kinds, &approved, &r.UpdatedBy, &created, &updated); err != nil {
		return r, err
	}
	r.Channels = []string{}
	if kinds != "" {
		r.Channels = strings.Split(kinds, ",")
	}
	r.ApprovedTemplate = approved != 0
	r.CreatedAt, r.UpdatedAt = time.UnixMilli(created), time.UnixMilli(updated)
	return r, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
