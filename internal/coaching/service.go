package coaching

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/bus"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/i18n"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store"
)

// SweepJob refreshes the stage of every customer active lately, so a stage converges even
// when the node that committed an event died before following it.
const SweepJob = "coaching.sweep"

// SessionTTL is how long a guided session's link opens, and how long a completion of its flow
// counts as done within the session.
const SessionTTL = 2 * time.Hour

// linkPurpose is what the signed session links are for: no other link opens one.
const linkPurpose = "guided-session"

// Errors.
var ErrNotFound = errors.New("coaching: not found")

// ValidationError names a field that is wrong.
type ValidationError struct{ Field, Reason string }

func (e *ValidationError) Error() string { return "coaching: " + e.Field + ": " + e.Reason }

// Service runs coaching.
type Service struct {
	db        *store.DB
	clock     clock.Clock
	events    *event.Log
	customers *customer.Service
	convs     *conversation.Service
	fitter    *channel.Fitter
	desk      *selfservice.Desk
	jobs      *jobs.Queue
	catalogs  *i18n.Bundle
	log       *slog.Logger

	mu        sync.Mutex
	publicURL string
}

// Deps are the services coaching works through.
type Deps struct {
	DB        *store.DB
	Clock     clock.Clock
	Events    *event.Log
	Customers *customer.Service
	Convs     *conversation.Service
	Fitter    *channel.Fitter
	Desk      *selfservice.Desk
	Jobs      *jobs.Queue
	Log       *slog.Logger
}

// NewService returns the coaching service and registers its sweep job.
func NewService(d Deps) (*Service, error) {
	b, err := i18n.Load()
	if err != nil {
		return nil, fmt.Errorf("coaching: catalogs: %w", err)
	}
	s := &Service{db: d.DB, clock: d.Clock, events: d.Events, customers: d.Customers, convs: d.Convs, fitter: d.Fitter,
		desk: d.Desk, jobs: d.Jobs, catalogs: b, log: d.Log}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	d.Jobs.Register(SweepJob, s.sweepJob)
	return s, nil
}

// SetPublicURL sets the address customers open guided-session links at.
func (s *Service) SetPublicURL(u string) {
	s.mu.Lock()
	s.publicURL = strings.TrimRight(u, "/")
	s.mu.Unlock()
}

func (s *Service) base() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.publicURL
}

// Follow refreshes the stage of the customer of every guided session and web case, after it
// commits, until the bus closes. An overflow enqueues a sweep and subscribes again.
func (s *Service) Follow(ctx context.Context, b *bus.Bus) {
	filter := func(e event.Event) bool {
		return e.CustomerID != "" && (e.Kind == SessionStarted || e.Kind == "case.opened")
	}
	go func() {
		for {
			sub := b.Subscribe(filter, 1024)
			for d := range sub.C() {
				if d.Resync {
					s.catchUp(ctx)
					continue
				}
				if _, err := s.Refresh(ctx, d.Event.CustomerID); err != nil {
					s.log.Error("coaching: refresh after event", "customer", d.Event.CustomerID, "event", d.Event.ID, "err", err)
				}
			}
			if !sub.Overflowed() || ctx.Err() != nil {
				return
			}
			s.catchUp(ctx)
		}
	}()
}

func (s *Service) catchUp(ctx context.Context) {
	key := fmt.Sprintf("coaching.sweep:catch-up:%d", s.clock.Now().Truncate(time.Minute).UnixMilli())
	if _, err := s.jobs.Enqueue(ctx, SweepJob, nil, jobs.UniqueKey(key)); err != nil {
		s.log.Error("coaching: enqueue catch-up sweep", "err", err)
	}
}

// sweepEvery is how often the sweep runs, and sweepBack how far back it looks for activity.
const (
	sweepEvery = time.Hour
	sweepBack  = 2 * sweepEvery
)

// Start makes sure the periodic sweep is due. Every node calls it when it starts.
func (s *Service) Start(ctx context.Context) error { return s.scheduleSweep(ctx, s.clock.Now()) }

func (s *Service) scheduleSweep(ctx context.Context, at time.Time) error {
	slot := at.Truncate(sweepEvery)
	if slot.Before(at) {
		slot = slot.Add(sweepEvery)
	}
	_, err := s.jobs.Enqueue(ctx, SweepJob, nil, jobs.RunAt(slot), jobs.UniqueKey(fmt.Sprintf("coaching.sweep:%d", slot.UnixMilli())), jobs.MaxAttempts(3))
	return err
}

func (s *Service) sweepJob(ctx context.Context, _ jobs.Job) error {
	if _, err := s.Sweep(ctx, s.clock.Now().Add(-sweepBack)); err != nil {
		return err
	}
	return s.scheduleSweep(ctx, s.clock.Now().Add(sweepEvery))
}

// Sweep refreshes every customer with a guided session or a web case since since, and
// returns how many it looked at.
func (s *Service) Sweep(ctx context.Context, since time.Time) (int, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlRecentlyActive, since.UnixMilli(), since.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("coaching: sweep: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := s.Refresh(ctx, id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// Session is a guided session.
type Session struct {
	ID          string     `json:"id"`
	CustomerID  string     `json:"customer_id"`
	UserID      string     `json:"user_id"`
	ServiceID   string     `json:"service_id"`
	ChannelID   string     `json:"channel_id"`
	StartedAt   time.Time  `json:"started_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	CaseID      string     `json:"case_id,omitempty"`
	// Link is the signed link sent to the customer; only in the answer to StartSession.
	Link string `json:"link,omitempty"`
}

type scanner interface{ Scan(dest ...any) error }

func scanSession(r scanner) (Session, error) {
	var ss Session
	var started, expires int64
	var done sql.NullInt64
	if err := r.Scan(&ss.ID, &ss.CustomerID, &ss.UserID, &ss.ServiceID, &ss.ChannelID, &started, &expires, &done, &ss.CaseID); err != nil {
		if store.IsNoRows(err) {
			return ss, ErrNotFound
		}
		return ss, fmt.Errorf("coaching: scan session: %w", err)
	}
	ss.StartedAt, ss.ExpiresAt = time.UnixMilli(started).UTC(), time.UnixMilli(expires).UTC()
	if done.Valid {
		t := time.UnixMilli(done.Int64).UTC()
		ss.CompletedAt = &t
	}
	return ss, nil
}

// textKinds are the channels a written message (a link, a tutorial) can go on.
var textKinds = []channel.Kind{"sms", "whatsapp", "email", "telegram", "webchat", "api"}

// StartSession starts a guided session: the agent, on a call with the customer, sends them by
// SMS a signed link to the service's flow, which the customer opens on their own phone while
// the agent walks them through it. The session, its event and the SMS are one transaction.
// A customer whose phone cannot open links (a kosher phone) is refused with the
// *channel.NotFitError that says so.
func (s *Service) StartSession(ctx context.Context, customerID, serviceID string, actor event.Actor) (Session, error) {
	var ss Session
	if actor.Kind != event.ByUser || actor.ID == "" {
		return ss, &ValidationError{Field: "actor", Reason: "a guided session is started by an agent"}
	}
	svc, err := s.desk.GetService(ctx, serviceID)
	if err != nil {
		return ss, &ValidationError{Field: "service_id", Reason: "no such service"}
	}
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		cust, err := s.customers.Get(ctx, customerID)
		if err != nil {
			return err
		}
		// SMS first: the customer is on the phone with the agent, and a text arrives on the
		// same device without an app. The link purpose is what keeps a kosher phone out.
		ch, err := s.pick(ctx, cust.ID, channel.Purpose{WebLink: true}, "sms")
		if err != nil {
			return err
		}
		now := s.clock.Now()
		ss = Session{ID: store.NewID(now), CustomerID: cust.ID, UserID: actor.ID, ServiceID: svc.ID, ChannelID: ch.ID,
			StartedAt: time.UnixMilli(now.UnixMilli()).UTC(), ExpiresAt: time.UnixMilli(now.Add(SessionTTL).UnixMilli()).UTC()}
		if _, err := tx.Exec(ctx, sqlInsertSession, ss.ID, ss.CustomerID, ss.UserID, ss.ServiceID, ss.ChannelID, ss.StartedAt.UnixMilli(), ss.ExpiresAt.UnixMilli()); err != nil {
			return fmt.Errorf("coaching: start session: %w", err)
		}
		// The desk's key signs every customer link, so all nodes verify it; the purpose keeps
		// a session link from opening a tracker or an appointment.
		tok, err := s.desk.SignLink(ctx, linkPurpose, ss.ID, ss.ExpiresAt)
		if err != nil {
			return err
		}
		ss.Link = s.base() + "/f/" + svc.ID + "?guided=" + tok
		cat := s.catalog(cust.Languages...)
		text := cat.T("flow.guided.sms", "service", selfservice.Text(svc.Name, cat.Lang), "link", ss.Link)
		msg, err := s.convs.SendSystem(ctx, conversation.SystemMessage{CustomerID: cust.ID, ChannelID: ch.ID, Text: text})
		if err != nil {
			return err
		}
		_, err = s.events.Append(ctx, event.Event{Kind: SessionStarted, CustomerID: cust.ID, ChannelID: ch.ID, Actor: actor}, map[string]any{
			"session_id": ss.ID, "service_id": svc.ID, "expires_at": ss.ExpiresAt.UnixMilli(), "message_id": msg.ID,
		})
		return err
	})
	return ss, err
}

// OpenSessionLink returns the session a guided link names, when it is genuine and unexpired.
func (s *Service) OpenSessionLink(ctx context.Context, tok string) (Session, error) {
	id, err := s.desk.OpenLink(ctx, linkPurpose, tok)
	if err != nil {
		return Session{}, ErrNotFound
	}
	return scanSession(s.db.Q(ctx).QueryRow(ctx, sqlSelectSession, id))
}

// Sessions lists a customer's guided sessions, oldest first.
func (s *Service) Sessions(ctx context.Context, customerID string) ([]Session, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlSessionsOf, customerID)
	if err != nil {
		return nil, fmt.Errorf("coaching: sessions: %w", err)
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		ss, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ss)
	}
	return out, rows.Err()
}

// pick returns the customer's first fitting channel for purpose among the text channels, a
// kind in prefer first (in FitAll's order, which puts the segment's offer-first kinds first).
func (s *Service) pick(ctx context.Context, customerID string, purpose channel.Purpose, prefer ...channel.Kind) (channel.Channel, error) {
	fits, err := s.fitter.FitAll(ctx, customerID, purpose)
	if err != nil {
		return channel.Channel{}, err
	}
	for _, pass := range [][]channel.Kind{prefer, textKinds} {
		for _, f := range fits {
			if f.Fits && slices.Contains(pass, f.Channel.Kind) {
				return f.Channel, nil
			}
		}
	}
	// Say why the preferred kind does not fit, or else the first reason there is.
	for _, pass := range [][]channel.Kind{prefer, textKinds} {
		for _, f := range fits {
			if slices.Contains(pass, f.Channel.Kind) {
				return channel.Channel{}, &channel.NotFitError{Reason: f.Reason, Channel: f.Channel.Name, Message: f.Message}
			}
		}
	}
	return channel.Channel{}, &channel.NotFitError{Reason: channel.UnfitNoAddress, Message: "no text channel is set up"}
}

func (s *Service) catalog(langs ...string) *i18n.Catalog {
	for _, l := range append(langs, "he", "en") {
		if c, err := s.catalogs.Catalog(l); err == nil {
			return c
		}
	}
	c, _ := s.catalogs.Catalog(s.catalogs.Languages()[0])
	return c
}

// Tutorial is a short guide to one task in one language.
type Tutorial struct {
	ID        string    `json:"id"`
	Task      string    `json:"task"`
	Lang      string    `json:"lang"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	VideoURL  string    `json:"video_url,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func scanTutorial(r scanner) (Tutorial, error) {
	var t Tutorial
	var created, updated int64
	if err := r.Scan(&t.ID, &t.Task, &t.Lang, &t.Title, &t.Body, &t.VideoURL, &created, &updated); err != nil {
		if store.IsNoRows(err) {
			return t, ErrNotFound
		}
		return t, fmt.Errorf("coaching: scan tutorial: %w", err)
	}
	t.CreatedAt, t.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return t, nil
}

// PutTutorial writes the tutorial of a task in a language, creating or replacing it.
func (s *Service) PutTutorial(ctx context.Context, t Tutorial, actor event.Actor) (Tutorial, error) {
	t.Task, t.Lang, t.Title, t.VideoURL = strings.TrimSpace(t.Task), strings.TrimSpace(t.Lang), strings.TrimSpace(t.Title), strings.TrimSpace(t.VideoURL)
	switch {
	case t.Task == "" || len(t.Task) > 60 || strings.ContainsAny(t.Task, " /?#"):
		return t, &ValidationError{Field: "task", Reason: "a short name without spaces, such as book-appointment"}
	case t.Lang == "" || len(t.Lang) > 12:
		return t, &ValidationError{Field: "lang", Reason: "a language tag such as he"}
	case t.Title == "" || utf8.RuneCountInString(t.Title) > 120:
		return t, &ValidationError{Field: "title", Reason: "1 to 120 characters"}
	case strings.TrimSpace(t.Body) == "" || utf8.RuneCountInString(t.Body) > 1000:
		// A tutorial travels by SMS too: ten segments are the most anyone reads.
		return t, &ValidationError{Field: "body", Reason: "1 to 1000 characters"}
	case t.VideoURL != "" && !strings.HasPrefix(t.VideoURL, "https://"):
		return t, &ValidationError{Field: "video_url", Reason: "an https:// address"}
	}
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := s.clock.Now()
		old, err := scanTutorial(tx.QueryRow(ctx, sqlSelectTutorial, t.Task, t.Lang))
		switch {
		case errors.Is(err, ErrNotFound):
			t.ID, t.CreatedAt = store.NewID(now), time.UnixMilli(now.UnixMilli()).UTC()
			t.UpdatedAt = t.CreatedAt
			if _, err := tx.Exec(ctx, sqlInsertTutorial, t.ID, t.Task, t.Lang, t.Title, t.Body, t.VideoURL, now.UnixMilli(), now.UnixMilli()); err != nil {
				return fmt.Errorf("coaching: create tutorial: %w", err)
			}
		case err != nil:
			return err
		default:
			t.ID, t.CreatedAt, t.UpdatedAt = old.ID, old.CreatedAt, time.UnixMilli(now.UnixMilli()).UTC()
			if _, err := tx.Exec(ctx, sqlUpdateTutorial, t.Title, t.Body, t.VideoURL, now.UnixMilli(), t.Task, t.Lang); err != nil {
				return fmt.Errorf("coaching: update tutorial: %w", err)
			}
		}
		_, err = s.events.Append(ctx, event.Event{Kind: TutorialSaved, Actor: actor}, map[string]string{"tutorial_id": t.ID, "task": t.Task, "lang": t.Lang})
		return err
	})
	return t, err
}

// Tutorials lists every tutorial, by task and language.
func (s *Service) Tutorials(ctx context.Context) ([]Tutorial, error) {
	return s.tutorials(ctx, sqlSelectTutorials)
}

func (s *Service) tutorials(ctx context.Context, q string, args ...any) ([]Tutorial, error) {
	rows, err := s.db.Q(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("coaching: tutorials: %w", err)
	}
	defer rows.Close()
	out := []Tutorial{}
	for rows.Next() {
		t, err := scanTutorial(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Sent is what SendTutorial did.
type Sent struct {
	Tutorial  Tutorial `json:"tutorial"`
	ChannelID string   `json:"channel_id"`
	MessageID string   `json:"message_id"`
	WithVideo bool     `json:"with_video"`
}

// SendTutorial sends the task's tutorial to the customer, in the first of their languages it
// is written in (else Hebrew, else English, else any), on the first text channel that fits
// them. The video link goes only where the customer can open links; a kosher phone gets the
// words alone.
func (s *Service) SendTutorial(ctx context.Context, customerID, task string, actor event.Actor) (Sent, error) {
	var out Sent
	ts, err := s.tutorials(ctx, sqlTutorialsOfTask, task)
	if err != nil {
		return out, err
	}
	if len(ts) == 0 {
		return out, ErrNotFound
	}
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		cust, err := s.customers.Get(ctx, customerID)
		if err != nil {
			return err
		}
		t := ts[0]
		for _, l := range append(slices.Clone(cust.Languages), "he", "en") {
			if i := slices.IndexFunc(ts, func(t Tutorial) bool { return t.Lang == l }); i >= 0 {
				t = ts[i]
				break
			}
		}
		ch, withVideo := channel.Channel{}, false
		if t.VideoURL != "" {
			if ch, err = s.pick(ctx, cust.ID, channel.Purpose{WebLink: true}); err == nil {
				withVideo = true
			}
		}
		if !withVideo {
			if ch, err = s.pick(ctx, cust.ID, channel.Purpose{}); err != nil {
				return err
			}
		}
		// Plain text: the same tutorial goes by SMS, WhatsApp or email, and SMS has no markup.
		text := t.Title + "\n" + t.Body
		if withVideo {
			text += "\n" + t.VideoURL
		}
		msg, err := s.convs.SendSystem(ctx, conversation.SystemMessage{CustomerID: cust.ID, ChannelID: ch.ID, Text: text})
		if err != nil {
			return err
		}
		out = Sent{Tutorial: t, ChannelID: ch.ID, MessageID: msg.ID, WithVideo: withVideo}
		_, err = s.events.Append(ctx, event.Event{Kind: TutorialSent, CustomerID: cust.ID, ChannelID: ch.ID, Actor: actor},
			map[string]any{"tutorial_id": t.ID, "task": t.Task, "lang": t.Lang, "message_id": msg.ID, "with_video": withVideo})
		return err
	})
	return out, err
}
