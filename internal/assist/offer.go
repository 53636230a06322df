package assist

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/bus"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// offerData is the data of the assist.offer-* events.
type offerData struct {
	OfferID   string    `json:"offer_id"`
	VisitID   string    `json:"visit_id"`
	Visitor   string    `json:"visitor,omitempty"`
	RuleID    string    `json:"rule_id,omitempty"`
	Offer     OfferKind `json:"offer"`
	ArticleID string    `json:"article_id,omitempty"`
	Phone     string    `json:"phone,omitempty"`
	Outcome   string    `json:"outcome,omitempty"`
}

// decide evaluates the enabled rules, highest priority first, over the visit's facts, and
// makes the offer of the first that holds. The unique visit_id of assist_offers is the last
// word: a second offer for a visit cannot be stored, whatever raced.
func (s *Service) decide(ctx context.Context, tx *store.Tx, v visit, sigs []signal) (*Offer, error) {
	rules, err := s.rules(ctx, tx, true)
	if err != nil || len(rules) == 0 {
		return nil, err
	}
	f, err := s.factsOf(ctx, sigs)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		if !r.cond.Holds(f) {
			continue
		}
		now := s.clock.Now()
		o := Offer{ID: store.NewID(now), VisitID: v.ID, RuleID: r.ID, Kind: r.Offer, ArticleID: r.ArticleID, Status: StatusMade, CreatedAt: time.UnixMilli(now.UnixMilli()).UTC()}
		if _, err := tx.Exec(ctx, sqlInsertOffer, o.ID, o.VisitID, o.RuleID, string(o.Kind), o.ArticleID, o.Status, now.UnixMilli()); err != nil {
			return nil, fmt.Errorf("assist: make offer: %w", err)
		}
		if _, err := s.events.Append(ctx, event.Event{Kind: OfferMade, CustomerID: v.CustomerID, ChannelID: v.ChannelID, Actor: event.System},
			offerData{OfferID: o.ID, VisitID: v.ID, Visitor: v.VisitorID, RuleID: r.ID, Offer: o.Kind, ArticleID: o.ArticleID}); err != nil {
			return nil, err
		}
		return &o, nil
	}
	return nil, nil
}

func (s *Service) offerOf(ctx context.Context, q store.Querier, visitID string) (Offer, error) {
	return scanOffer(q.QueryRow(ctx, sqlSelectOffer+` WHERE o.visit_id = ?`, visitID))
}

func scanOffer(r interface{ Scan(...any) error }) (Offer, error) {
	var o Offer
	var at int64
	if err := r.Scan(&o.ID, &o.VisitID, &o.RuleID, &o.Kind, &o.ArticleID, &o.Status, &o.Outcome, &o.ConversationID, &at); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return o, ErrNotFound
		}
		return o, fmt.Errorf("assist: read offer: %w", err)
	}
	o.CreatedAt = time.UnixMilli(at).UTC()
	return o, nil
}

// noteOutcome records the outcome of an accepted article offer: the visitor opened it.
func (s *Service) noteOutcome(ctx context.Context, tx *store.Tx, v visit, o Offer, p Page) error {
	if o.Kind != OfferArticle || o.Status != StatusAccepted || o.Outcome != "" || p.Kind != PageArticle || p.Ref != o.ArticleID {
		return nil
	}
	return s.complete(ctx, tx, v.CustomerID, v.ChannelID, o, "article-opened")
}

func (s *Service) complete(ctx context.Context, tx *store.Tx, customerID, channelID string, o Offer, outcome string) error {
	res, err := tx.Exec(ctx, sqlSetOutcome, outcome, o.ID)
	if err != nil {
		return fmt.Errorf("assist: outcome: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	_, err = s.events.Append(ctx, event.Event{Kind: OfferCompleted, CustomerID: customerID, ChannelID: channelID, ConversationID: o.ConversationID, Actor: event.System},
		offerData{OfferID: o.ID, VisitID: o.VisitID, Offer: o.Kind, ArticleID: o.ArticleID, Outcome: outcome})
	return err
}

// Decision is the visitor's answer to an offer.
type Decision struct {
	Action string `json:"action"` // accept or dismiss
	Phone  string `json:"phone,omitempty"`
	Lang   string `json:"lang,omitempty"`
}

// Decided is what an answer did.
type Decided struct {
	Offer Offer
	// ConversationID is the chat (or callback request) the acceptance opened.
	ConversationID string
}

// Decide answers the visitor's offer. Accepting a chat or a callback makes the visitor a
// customer (their visitor identity), puts what the visit searched and tried on that
// customer's timeline, and opens the conversation with a first line that says it — so the
// agent who takes it starts from what the customer already tried. One answer per offer: a
// second, from another tab, is ErrDecided.
func (s *Service) Decide(ctx context.Context, channelID, visitorID, offerID string, d Decision) (Decided, error) {
	var out Decided
	var phone string
	switch d.Action {
	case "accept", "dismiss":
	default:
		return out, &InputError{"action", "accept or dismiss"}
	}
	if !validLang(d.Lang) {
		return out, &InputError{"lang", "a language code such as he or en"}
	}
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		out = Decided{}
		now := s.clock.Now()
		var v visit
		o, err := scanOffer(tx.QueryRow(ctx, sqlSelectOffer+` WHERE o.id = ?`, offerID))
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, sqlSelectVisitFull, o.VisitID).Scan(&v.ID, &v.ChannelID, &v.VisitorID, &v.CustomerID, &v.Lang); err != nil {
			return fmt.Errorf("assist: read visit: %w", err)
		}
		if v.ChannelID != channelID || v.VisitorID != visitorID {
			return ErrNotFound // another visitor's offer is no offer of this one's
		}
		if o.Status != StatusMade {
			return ErrDecided
		}
		if d.Lang != "" {
			v.Lang = d.Lang
		}
		if o.Kind == OfferCallback && d.Action == "accept" {
			if phone, err = customer.Normalize(customer.Phone, d.Phone); err != nil || strings.TrimSpace(d.Phone) == "" {
				return &InputError{"phone", "a phone number, such as 050-1234567"}
			}
		}
		status, kind := StatusAccepted, OfferAccepted
		if d.Action == "dismiss" {
			status, kind = StatusDismissed, OfferDismissed
		}
		if d.Action == "accept" && o.Kind != OfferArticle {
			if err := s.link(ctx, tx, &v); err != nil {
				return err
			}
			m, err := s.convs.SendSystem(ctx, conversation.SystemMessage{CustomerID: v.CustomerID, ChannelID: channelID, Text: s.firstLine(ctx, tx, v, o.Kind, phone)})
			if err != nil {
				return err
			}
			out.ConversationID = m.ConversationID
		}
		res, err := tx.Exec(ctx, sqlDecideOffer, status, out.ConversationID, phone, now.UnixMilli(), o.ID)
		if err != nil {
			return fmt.Errorf("assist: answer offer: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrDecided
		}
		o.Status, o.ConversationID = status, out.ConversationID
		if _, err := s.events.Append(ctx, event.Event{Kind: kind, CustomerID: v.CustomerID, ChannelID: channelID, ConversationID: out.ConversationID, Actor: customerActor(v.CustomerID)},
			offerData{OfferID: o.ID, VisitID: v.ID, Visitor: v.VisitorID, RuleID: o.RuleID, Offer: o.Kind, ArticleID: o.ArticleID, Phone: phone}); err != nil {
			return err
		}
		out.Offer = o
		return nil
	})
	return out, err
}

// Tried is one thing the visitor did before asking, as the agent reads it.
type Tried struct {
	Signal   string    `json:"signal"`
	Query    string    `json:"query,omitempty"`
	Results  *int64    `json:"results,omitempty"`
	Clicked  *bool     `json:"clicked,omitempty"`
	Ref      string    `json:"ref,omitempty"`
	Step     string    `json:"step,omitempty"`
	Category string    `json:"category,omitempty"`
	Seconds  int64     `json:"seconds,omitempty"`
	At       time.Time `json:"at"`
}

// linkData is the data of assist.visit-linked.
type linkData struct {
	VisitID string  `json:"visit_id"`
	Visitor string  `json:"visitor"`
	Tried   []Tried `json:"tried"`
}

// link makes the visitor a customer, if they are not one yet, and puts what the visit did so
// far on that customer's timeline in one entry; from then on each signal carries the customer.
// The log is append-only, so the earlier signals stay as they were recorded.
func (s *Service) link(ctx context.Context, tx *store.Tx, v *visit) error {
	if v.CustomerID != "" {
		return nil
	}
	c, _, err := s.customers.Resolve(ctx, customer.Visitor, v.VisitorID, "", customerActor(""))
	if err != nil {
		return err
	}
	v.CustomerID = c.ID
	if _, err := tx.Exec(ctx, sqlLinkVisit, c.ID, v.ID); err != nil {
		return fmt.Errorf("assist: link visit: %w", err)
	}
	tried, err := s.tried(ctx, tx, v.ID)
	if err != nil {
		return err
	}
	_, err = s.events.Append(ctx, event.Event{Kind: VisitLinked, CustomerID: c.ID, ChannelID: v.ChannelID, Actor: customerActor(c.ID)},
		linkData{VisitID: v.ID, Visitor: v.VisitorID, Tried: tried})
	return err
}

// tried is the visit's signals as the agent reads them: the searches with their words and
// whether anything was opened, the articles, the flow steps refused or left, the long reads.
func (s *Service) tried(ctx context.Context, q store.Querier, visitID string) ([]Tried, error) {
	sigs, err := s.signalsOf(ctx, q, visitID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, sg := range sigs {
		if sg.Kind == sigSearch {
			ids = append(ids, sg.Ref)
		}
	}
	clicked := map[string]bool{}
	if len(ids) > 0 && s.clicks != nil {
		if clicked, err = s.clicks.Clicked(ctx, ids); err != nil {
			return nil, err
		}
	}
	out := []Tried{}
	for _, sg := range sigs {
		t := Tried{Signal: sg.Kind, At: sg.At}
		switch sg.Kind {
		case sigSearch:
			n, c := sg.Value, clicked[sg.Ref]
			t.Query, t.Results, t.Clicked = sg.Detail, &n, &c
		case sigArticle:
			t.Ref, t.Category = sg.Ref, sg.Category
		case sigFlowStep:
			if sg.Value == 0 {
				continue // a step answered is no trouble worth telling
			}
			t.Signal, t.Ref, t.Step = "form-error", sg.Ref, sg.Detail
		case sigAbandoned:
			t.Ref, t.Step = sg.Ref, sg.Detail
		case sigDwell:
			t.Ref, t.Category, t.Seconds = sg.Ref, sg.Category, sg.Value
		default:
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

// firstLine is the conversation's first line, in the visitor's language: what they searched
// for, so that neither they nor the agent start from nothing.
func (s *Service) firstLine(ctx context.Context, q store.Querier, v visit, kind OfferKind, phone string) string {
	cat, err := s.catalogs.Catalog(v.Lang)
	if err != nil {
		cat, _ = s.catalogs.Catalog("he")
	}
	if kind == OfferCallback {
		return cat.T("assist.line.callback", "phone", phone)
	}
	sigs, err := s.signalsOf(ctx, q, v.ID)
	if err != nil {
		s.log.Warn("assist: first line", "err", err)
	}
	var queries []string
	seen := map[string]bool{}
	for _, sg := range sigs {
		if sg.Kind == sigSearch && !seen[sg.Detail] && len(queries) < 5 {
			seen[sg.Detail] = true
			queries = append(queries, "“"+sg.Detail+"”")
		}
	}
	if len(queries) == 0 {
		return cat.T("assist.line.chat")
	}
	return cat.T("assist.line.chat_searched", "searches", strings.Join(queries, ", "))
}

// Follow records the outcome of accepted chats and callbacks: the conversation they opened
// was resolved. Every node follows the bus; the update that sets the outcome only once makes
// the event appear once.
func (s *Service) Follow(ctx context.Context, b *bus.Bus) {
	filter := func(e event.Event) bool {
		return e.Kind == event.ConversationStatus && e.ConversationID != "" && strings.Contains(string(e.Data), `"to":"resolved"`)
	}
	go func() {
		for {
			sub := b.Subscribe(filter, 256)
			for d := range sub.C() {
				if d.Resync {
					continue
				}
				if err := s.resolved(ctx, d.Event); err != nil && !errors.Is(err, ErrNotFound) {
					s.log.Warn("assist: outcome", "conversation", d.Event.ConversationID, "err", err)
				}
			}
			if !sub.Overflowed() || ctx.Err() != nil {
				return
			}
		}
	}()
}

func (s *Service) resolved(ctx context.Context, e event.Event) error {
	var data struct {
		To string `json:"to"`
	}
	if json.Unmarshal(e.Data, &data) != nil || data.To != "resolved" {
		return nil
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		o, err := scanOffer(tx.QueryRow(ctx, sqlSelectOffer+` WHERE o.conversation_id = ? AND o.status = 'accepted' AND o.outcome = ''`, e.ConversationID))
		if err != nil {
			return err
		}
		return s.complete(ctx, tx, e.CustomerID, e.ChannelID, o, "resolved")
	})
}

// DecisionInput is the widget's answer to an offer, with the visitor's credentials.
type DecisionInput struct {
	VisitorID string `json:"visitor_id"`
	Token     string `json:"token"`
	Decision
}

// MaxDecisionBody bounds an answer's body.
const MaxDecisionBody = 2 << 10

// ParseDecision reads the widget's answer: one JSON object of known fields.
func ParseDecision(body []byte) (DecisionInput, error) {
	var in DecisionInput
	if len(body) > MaxDecisionBody {
		return in, &InputError{"body", "larger than 2048 bytes"}
	}
	var raw struct {
		VisitorID string `json:"visitor_id"`
		Token     string `json:"token"`
		Action    string `json:"action"`
		Phone     string `json:"phone"`
		Lang      string `json:"lang"`
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return in, &InputError{"body", "not a JSON object of visitor_id, token, action, phone, lang"}
	}
	if dec.More() {
		return in, &InputError{"body", "one JSON object only"}
	}
	if raw.VisitorID == "" || raw.Token == "" {
		return in, &InputError{"token", "visitor_id and token are required"}
	}
	if raw.Action != "accept" && raw.Action != "dismiss" {
		return in, &InputError{"action", "accept or dismiss"}
	}
	if len(raw.Phone) > 32 {
		return in, &InputError{"phone", "at most 32 characters"}
	}
	if !validLang(raw.Lang) {
		return in, &InputError{"lang", "a language code such as he or en"}
	}
	return DecisionInput{VisitorID: raw.VisitorID, Token: raw.Token, Decision: Decision{Action: raw.Action, Phone: raw.Phone, Lang: raw.Lang}}, nil
}
