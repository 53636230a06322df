package assist

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/i18n"
	"github.com/gesher-cs/gesher/internal/signing"
	"github.com/gesher-cs/gesher/internal/store"
)

// Event kinds this package writes.
const (
	SignalRecorded event.Kind = "assist.signal"
	OfferMade      event.Kind = "assist.offer-made"
	OfferAccepted  event.Kind = "assist.offer-accepted"
	OfferDismissed event.Kind = "assist.offer-dismissed"
	OfferCompleted event.Kind = "assist.offer-completed" // the outcome: the chat resolved, the article read
	VisitLinked    event.Kind = "assist.visit-linked"    // the visitor became a customer: what they searched and tried
	RuleSaved      event.Kind = "assist.rule-saved"
	RuleDeleted    event.Kind = "assist.rule-deleted"
)

// Errors, mapped to statuses in internal/web/errors.go.
var (
	ErrNotFound = errors.New("assist: not found")
	// ErrBadPage is a page token that is malformed, tampered with or expired.
	ErrBadPage = errors.New("assist: bad page token")
	// ErrDecided is an offer accepted or dismissed already (in this tab or another).
	ErrDecided = errors.New("assist: the offer was answered already")
)

// InputError names a field of a signal, a decision or a rule that is wrong.
type InputError struct{ Field, Reason string }

func (e *InputError) Error() string { return "assist: " + e.Field + ": " + e.Reason }

// VisitIdle is how long a visitor may be silent before their next signal starts a new visit
// (and so may earn a new offer).
const VisitIdle = 30 * time.Minute

// Clicks tells which recorded help-centre searches had a result opened from them. The help
// centre is one; the browser is never asked.
type Clicks interface {
	Clicked(ctx context.Context, searchIDs []string) (map[string]bool, error)
}

// Service records signals, keeps the rules and makes, and answers, the offers.
type Service struct {
	db        *store.DB
	clock     clock.Clock
	events    *event.Log
	customers *customer.Service
	convs     *conversation.Service
	clicks    Clicks
	catalogs  *i18n.Bundle
	log       *slog.Logger

	key *signing.Key // signs the widget's page tokens
}

// NewService returns the service.
func NewService(db *store.DB, clk clock.Clock, events *event.Log, customers *customer.Service, convs *conversation.Service, clicks Clicks, log *slog.Logger) (*Service, error) {
	b, err := i18n.Load()
	if err != nil {
		return nil, fmt.Errorf("assist: catalogs: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, clock: clk, events: events, customers: customers, convs: convs, clicks: clicks, catalogs: b, log: log, key: signing.NewKey(db, clk, keyName)}, nil
}

// OfferKind is the help an offer brings.
type OfferKind string

// The offers.
const (
	OfferChat     OfferKind = "chat"     // a chat with an agent, opened with what the visitor tried
	OfferArticle  OfferKind = "article"  // one article of the help centre
	OfferCallback OfferKind = "callback" // an agent calls the visitor back
)

// Valid reports whether k is one of the offers.
func (k OfferKind) Valid() bool { return k == OfferChat || k == OfferArticle || k == OfferCallback }

// Offer statuses.
const (
	StatusMade      = "made"
	StatusAccepted  = "accepted"
	StatusDismissed = "dismissed"
)

// Offer is the one offer of help of a visit.
type Offer struct {
	ID             string    `json:"id"`
	VisitID        string    `json:"visit_id"`
	RuleID         string    `json:"rule_id"`
	Kind           OfferKind `json:"kind"`
	ArticleID      string    `json:"article_id,omitempty"`
	Status         string    `json:"status"`
	Outcome        string    `json:"outcome,omitempty"`
	ConversationID string    `json:"conversation_id,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// visit is a visitor's current visit.
type visit struct {
	ID, ChannelID, VisitorID, CustomerID, Lang string
}

// signal is one stored signal of a visit.
type signal struct {
	ID, Kind, Ref, Detail, Category string
	Value                           int64
	Dedupe                          string
	At                              time.Time
}

// Signal kinds as stored.
const (
	sigSearch    = "search"
	sigArticle   = "article"
	sigPage      = "page"
	sigFlowStep  = "flow-step"
	sigFlowDone  = "flow-done"
	sigAbandoned = "flow-abandoned"
	sigDwell     = "dwell"
)

// signalData is the data of an assist.signal event.
type signalData struct {
	VisitID  string `json:"visit_id"`
	Visitor  string `json:"visitor"`
	Signal   string `json:"signal"`
	Ref      string `json:"ref,omitempty"`
	Detail   string `json:"detail,omitempty"`
	Category string `json:"category,omitempty"`
	Value    int64  `json:"value,omitempty"`
}

func customerActor(id string) event.Actor { return event.Actor{Kind: event.ByCustomer, ID: id} }
