package conversation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/store"
)

// Status is where a conversation stands.
type Status string

// Conversation statuses. Open and pending both count as "open" for the one-conversation rule:
// pending only means the ball is in the customer's court.
const (
	Open     Status = "open"
	Pending  Status = "pending"
	Resolved Status = "resolved"
	Merged   Status = "merged" // folded into another conversation when two customers merged
)

// ParseStatus checks s.
func ParseStatus(s string) (Status, error) {
	switch Status(s) {
	case Open, Pending, Resolved:
		return Status(s), nil
	}
	return "", &ValidationError{Field: "status", Reason: "must be open, pending or resolved"}
}

// Direction says whether a message came from the customer or went to them.
type Direction string

// Message directions.
const (
	Inbound  Direction = "in"
	Outbound Direction = "out"
)

// Delivery statuses of a message.
const (
	StatusReceived  = "received"
	StatusQueued    = "queued"
	StatusSent      = "sent"
	StatusDelivered = "delivered"
	StatusRead      = "read"
	StatusFailed    = "failed"
)

// Errors.
var (
	ErrNotFound   = errors.New("conversation not found")
	ErrOpenExists = errors.New("the customer already has an open conversation")
	ErrNoAssignee = errors.New("no such user to assign")
	ErrEmptyText  = errors.New("message text is empty")
)

// ValidationError names a field that is wrong.
type ValidationError struct{ Field, Reason string }

func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

// Conversation is one customer's thread with the service, across every channel.
type Conversation struct {
	ID            string     `json:"id"`
	CustomerID    string     `json:"customer_id"`
	Status        Status     `json:"status"`
	AssigneeID    string     `json:"assignee_id,omitempty"`
	ChannelID     string     `json:"channel_id,omitempty"` // the channel the customer last used
	Subject       string     `json:"subject,omitempty"`
	Priority      int        `json:"priority"`
	MergedInto    string     `json:"merged_into,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	LastMessageAt time.Time  `json:"last_message_at"`
	ResolvedAt    *time.Time `json:"resolved_at,omitempty"`
	// QueueID, SnoozedUntil and Labels are filled in by Get (the console's header shows them).
	QueueID      string     `json:"queue_id,omitempty"`
	SnoozedUntil *time.Time `json:"snoozed_until,omitempty"`
	Labels       []Label    `json:"labels,omitempty"`
	Messages     []Message  `json:"messages,omitempty"`
	Notes        []Note     `json:"notes,omitempty"`
}

// Attachment is a file sent with a message. Gesher keeps its metadata; the bytes live where
// the provider or the media store put them.
type Attachment struct {
	Name        string `json:"name,omitempty"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size,omitempty"`
	URL         string `json:"url,omitempty"`
}

// Message is one message in a conversation, in either direction, on any channel.
type Message struct {
	ID             string       `json:"id"`
	ConversationID string       `json:"conversation_id"`
	CustomerID     string       `json:"customer_id"`
	ChannelID      string       `json:"channel_id,omitempty"`
	Direction      Direction    `json:"direction"`
	AuthorID       string       `json:"author_id,omitempty"`
	ExternalID     string       `json:"external_id,omitempty"`
	Text           string       `json:"text"`
	Attachments    []Attachment `json:"attachments"`
	Status         string       `json:"status"`
	StatusReason   string       `json:"status_reason,omitempty"`
	Template       bool         `json:"template,omitempty"` // sent as an approved WhatsApp template
	Bot            bool         `json:"bot,omitempty"`      // written by the help bot, not an agent
	// Secret marks a message whose text is a secret for the customer alone (a one-time code):
	// it is delivered, but agents' views show that it was sent, not what it said.
	Secret  bool     `json:"secret,omitempty"`
	Choices []string `json:"choices,omitempty"` // answers offered as buttons, numbered in Text too
	// ChoiceKey names the question Choices answer (see ReplyInput.ChoiceKey); "" for none.
	ChoiceKey string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Note is an internal note: agents see it, customers never do.
type Note struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	AuthorID       string    `json:"author_id"`
	Text           string    `json:"text"`
	Mentions       []string  `json:"mentions"`
	CreatedAt      time.Time `json:"created_at"`
}

// Assigner chooses the owner of a newly opened conversation. The routing package is one.
type Assigner interface {
	Route(ctx context.Context, req routing.Request) (routing.Decision, error)
}

// Outbox takes an outbound message for delivery, in the transaction that created it, so that
// a reply is sent if and only if it was stored. The channel package's outbox is one.
type Outbox interface {
	Queue(ctx context.Context, m Message) error
}

// ChannelGuard says whether a message may go to a customer on a channel (the channel
// package's fit rules: consent, device, WhatsApp's window). template says the text is an
// approved template, which WhatsApp accepts outside its window.
type ChannelGuard interface {
	CheckReply(ctx context.Context, customerID, channelID string, template bool) error
}

// Clocks keeps the service-level clocks of conversations (the policy package's service is
// one). The service tells it of every change that starts, pauses, resumes or stops a clock,
// inside the transaction of the change, so that a clock and its cause commit together or not
// at all. Each call comes after the conversation's row was written, so a clock is always
// locked after its conversation, never before.
type Clocks interface {
	// MessageReceived is a customer's message; opened says it started the conversation.
	MessageReceived(ctx context.Context, c Conversation, m Message, opened bool) error
	// MessageSent is an outbound message: an agent's reply, or one the system sent (no
	// AuthorID).
	MessageSent(ctx context.Context, c Conversation, m Message) error
	// StatusChanged is a change of status; c carries the new one.
	StatusChanged(ctx context.Context, c Conversation, from Status) error
}

// Options tune the service.
type Options struct {
	// ReopenWithin is how long after being resolved a conversation is reopened by a new
	// inbound message instead of a new one being started.
	ReopenWithin time.Duration
}

// Service runs conversations.
type Service struct {
	db       *store.DB
	clock    clock.Clock
	events   *event.Log
	assigner Assigner
	outbox   Outbox
	guard    ChannelGuard
	clocks   Clocks
	jobs     *jobs.Queue // wakes snoozed conversations; nil until SetJobs
	opt      Options
}

// NewService returns the conversation service. assigner and outbox may be nil (nothing is
// assigned automatically; replies are stored but not sent).
func NewService(db *store.DB, clk clock.Clock, events *event.Log, assigner Assigner, outbox Outbox, opt Options) *Service {
	if opt.ReopenWithin == 0 {
		opt.ReopenWithin = 72 * time.Hour
	}
	return &Service{db: db, clock: clk, events: events, assigner: assigner, outbox: outbox, opt: opt}
}

// SetGuard sets the channel-fit check every reply passes.
func (s *Service) SetGuard(g ChannelGuard) { s.guard = g }

// SetClocks sets what keeps the conversations' service-level clocks.
func (s *Service) SetClocks(c Clocks) { s.clocks = c }

// SetOutbox sets the outbox after construction; the channel package's outbox needs the
// conversation service itself, so one of the two is wired late.
func (s *Service) SetOutbox(o Outbox) { s.outbox = o }

// InboundMessage is a customer's message as the ingest pipeline hands it over.
type InboundMessage struct {
	CustomerID  string
	ChannelID   string
	ExternalID  string
	Text        string
	Attachments []Attachment
	At          time.Time // when the provider says it was sent; zero means now
}

// Received is what Receive did.
type Received struct {
	Conversation Conversation
	Message      Message
	Event        event.Event
	Opened       bool // a new conversation was started
	Reopened     bool // a resolved conversation was reopened
}

// Receive files an inbound message: it joins the customer's open conversation, reopens one
// resolved recently, or opens a new one and has it assigned. It runs in the transaction
// carried by ctx, if any.
func (s *Service) Receive(ctx context.Context, in InboundMessage) (Received, error) {
	var res Received
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := s.clock.Now()
		conv, err := s.openFor(ctx, tx, in.CustomerID)
		switch {
		case err == nil:
			if conv.Status == Pending {
				if err := s.setStatus(ctx, tx, &conv, Open, event.Actor{Kind: event.ByCustomer, ID: in.CustomerID}, "customer replied"); err != nil {
					return err
				}
			}
		case errors.Is(err, ErrNotFound):
			conv, err = s.recentlyResolved(ctx, tx, in.CustomerID, now)
			if err == nil {
				if err := s.setStatus(ctx, tx, &conv, Open, event.Actor{Kind: event.ByCustomer, ID: in.CustomerID}, "customer wrote again"); err != nil {
					return err
				}
				res.Reopened = true
			} else if errors.Is(err, ErrNotFound) {
				if conv, err = s.open(ctx, tx, in.CustomerID, in.ChannelID, now); err != nil {
					return err
				}
				res.Opened = true
			} else {
				return err
			}
		default:
			return err
		}
		msg := Message{
			ID: store.NewID(now), ConversationID: conv.ID, CustomerID: in.CustomerID, ChannelID: in.ChannelID,
			Direction: Inbound, ExternalID: in.ExternalID, Text: in.Text, Attachments: in.Attachments,
			Status: StatusReceived, CreatedAt: now, UpdatedAt: now,
		}
		if err := insertMessage(ctx, tx, msg); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlTouch, null(in.ChannelID), now.UnixMilli(), now.UnixMilli(), conv.ID); err != nil {
			return fmt.Errorf("conversation: touch: %w", err)
		}
		conv.ChannelID, conv.LastMessageAt, conv.UpdatedAt = in.ChannelID, now, now
		if err := s.wakeOnMessage(ctx, tx, conv); err != nil {
			return err
		}
		// The clocks' events come before the message's, so that the message stays the newest
		// entry of the customer's timeline.
		if s.clocks != nil {
			if err := s.clocks.MessageReceived(ctx, conv, msg, res.Opened); err != nil {
				return err
			}
		}
		ev, err := s.events.Append(ctx, event.Event{
			Kind: event.MessageReceived, CustomerID: in.CustomerID, ConversationID: conv.ID, ChannelID: in.ChannelID,
			Actor: event.Actor{Kind: event.ByCustomer, ID: in.CustomerID},
		}, messageData(msg))
		if err != nil {
			return err
		}
		res.Conversation, res.Message, res.Event = conv, msg, ev
		return nil
	})
	return res, err
}

// messageData is what a message event carries: enough for a live console to show the message
// without another request.
func messageData(m Message) map[string]any {
	return map[string]any{
		"message_id": m.ID, "direction": m.Direction, "text": m.Text, "status": m.Status,
		"attachments": len(m.Attachments), "author_id": m.AuthorID, "external_id": m.ExternalID, "bot": m.Bot,
	}
}

func (s *Service) open(ctx context.Context, tx *store.Tx, customerID, channelID string, now time.Time) (Conversation, error) {
	c := Conversation{
		ID: store.NewID(now), CustomerID: customerID, Status: Open, ChannelID: channelID,
		CreatedAt: now, UpdatedAt: now, LastMessageAt: now,
	}
	// The partial unique index makes a concurrent second open fail here; the store retries
	// the whole transaction, which then finds this one.
	if _, err := tx.Exec(ctx, sqlInsertConversation, c.ID, customerID, customerID, string(Open), null(channelID),
		now.UnixMilli(), now.UnixMilli(), now.UnixMilli()); err != nil {
		return c, fmt.Errorf("conversation: open: %w", err)
	}
	if _, err := s.events.Append(ctx, event.Event{
		Kind: event.ConversationOpened, CustomerID: customerID, ConversationID: c.ID, ChannelID: channelID,
		Actor: event.Actor{Kind: event.ByCustomer, ID: customerID},
	}, nil); err != nil {
		return c, err
	}
	if err := s.route(ctx, tx, &c, routing.Request{CustomerID: customerID, ChannelID: channelID}, ""); err != nil {
		return c, err
	}
	return c, nil
}

// route gives a conversation its place: it asks routing for an owner, records the queue and
// the weight routing chose, and assigns the owner it found (the reason prefixed by prefix). A
// digital conversation that waits because the agents with room are the last ones of a
// traditional queue says so with conversation.held: supervisors see why on the timeline and
// the live feed. Every path that routes a conversation (a new one, one the system opens, a
// transfer to a queue) goes through here, so none forgets the event.
func (s *Service) route(ctx context.Context, tx *store.Tx, c *Conversation, req routing.Request, prefix string) error {
	if s.assigner == nil {
		return nil
	}
	d, err := s.assigner.Route(ctx, req)
	if err != nil {
		return fmt.Errorf("conversation: choose owner: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE conversations SET queue_id = ?, weight = ? WHERE id = ?`, null(d.QueueID), d.Weight, c.ID); err != nil {
		return fmt.Errorf("conversation: record route: %w", err)
	}
	if d.UserID != "" {
		return s.assign(ctx, tx, c, d.UserID, event.System, prefix+d.Reason)
	}
	if d.Reason == routing.ReasonHybridReserve {
		if _, err := s.events.Append(ctx, event.Event{
			Kind: ConversationHeld, CustomerID: c.CustomerID, ConversationID: c.ID, ChannelID: c.ChannelID, Actor: event.System,
		}, map[string]any{"reason": d.Reason, "queue_id": d.QueueID, "reserved_queues": d.Reserved, "hybrid_segments": d.Hybrid}); err != nil {
			return err
		}
	}
	return nil
}

// ConversationHeld is a new digital conversation left waiting so that traditional queues keep
// their last agents while a segment is in the hybrid phase (routing.ReasonHybridReserve).
const ConversationHeld event.Kind = "conversation.held"

func (s *Service) openFor(ctx context.Context, tx *store.Tx, customerID string) (Conversation, error) {
	return scanConversation(tx.QueryRow(ctx, sqlSelectConversation+` WHERE customer_id = ? AND status IN ('open', 'pending')`, customerID))
}

func (s *Service) recentlyResolved(ctx context.Context, tx *store.Tx, customerID string, now time.Time) (Conversation, error) {
	return scanConversation(tx.QueryRow(ctx, sqlSelectConversation+` WHERE customer_id = ? AND status = 'resolved' AND resolved_at >= ? ORDER BY resolved_at DESC LIMIT 1`,
		customerID, now.Add(-s.opt.ReopenWithin).UnixMilli()))
}

// Get returns a conversation with its messages (including those of conversations merged into
// it) and notes, oldest first.
func (s *Service) Get(ctx context.Context, id string) (Conversation, error) {
	q := s.db.Q(ctx)
	c, err := scanConversation(q.QueryRow(ctx, sqlSelectConversation+` WHERE id = ?`, id))
	if err != nil {
		return c, err
	}
	if err := s.fillConsole(ctx, &c); err != nil {
		return c, err
	}
	rows, err := q.Query(ctx, sqlSelectMessage+` WHERE conversation_id = ? OR conversation_id IN (SELECT id FROM conversations WHERE merged_into = ?) ORDER BY id`, id, id)
	if err != nil {
		return c, fmt.Errorf("conversation: messages: %w", err)
	}
	c.Messages, err = scanMessages(rows)
	if err != nil {
		return c, err
	}
	if c.Messages == nil {
		c.Messages = []Message{}
	}
	nrows, err := q.Query(ctx, sqlSelectNotes, id)
	if err != nil {
		return c, fmt.Errorf("conversation: notes: %w", err)
	}
	defer nrows.Close()
	c.Notes = []Note{}
	for nrows.Next() {
		var n Note
		var mentions string
		var at int64
		if err := nrows.Scan(&n.ID, &n.ConversationID, &n.AuthorID, &n.Text, &mentions, &at); err != nil {
			return c, err
		}
		_ = json.Unmarshal([]byte(mentions), &n.Mentions)
		n.CreatedAt = time.UnixMilli(at).UTC()
		c.Notes = append(c.Notes, n)
	}
	return c, nrows.Err()
}

// Filter selects conversations for a list. Empty fields do not filter.
type Filter struct {
	CustomerID string
	Status     []Status
	AssigneeID string
	Unassigned bool
	ChannelID  string
	Before     time.Time // paging: last_message_at strictly before
	Limit      int
}

// List returns conversations, most recently active first.
func (s *Service) List(ctx context.Context, f Filter) ([]Conversation, error) {
	var where []string
	var args []any
	if f.CustomerID != "" {
		where = append(where, "customer_id = ?")
		args = append(args, f.CustomerID)
	}
	if len(f.Status) > 0 {
		where = append(where, "status IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.Status)), ",")+")")
		for _, st := range f.Status {
			args = append(args, string(st))
		}
	} else {
		where = append(where, "status <> 'merged'")
	}
	if f.AssigneeID != "" {
		where = append(where, "assignee_id = ?")
		args = append(args, f.AssigneeID)
	}
	if f.Unassigned {
		where = append(where, "assignee_id IS NULL")
	}
	if f.ChannelID != "" {
		where = append(where, "channel_id = ?")
		args = append(args, f.ChannelID)
	}
	if !f.Before.IsZero() {
		where = append(where, "last_message_at < ?")
		args = append(args, f.Before.UnixMilli())
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	q := sqlSelectConversation + " WHERE " + strings.Join(where, " AND ") + fmt.Sprintf(" ORDER BY last_message_at DESC, id DESC LIMIT %d", f.Limit)
	rows, err := s.db.Q(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("conversation: list: %w", err)
	}
	defer rows.Close()
	out := []Conversation{}
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Assign makes userID the owner ("" unassigns).
func (s *Service) Assign(ctx context.Context, id, userID string, actor event.Actor) (Conversation, error) {
	var c Conversation
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if c, err = s.lock(ctx, tx, id); err != nil {
			return err
		}
		if c.AssigneeID == userID {
			return nil
		}
		if userID != "" {
			var disabled int
			err := tx.QueryRow(ctx, `SELECT disabled FROM users WHERE id = ?`, userID).Scan(&disabled)
			if store.IsNoRows(err) || disabled != 0 {
				return ErrNoAssignee
			}
			if err != nil {
				return err
			}
		}
		return s.assign(ctx, tx, &c, userID, actor, "manual")
	})
	return c, err
}

func (s *Service) assign(ctx context.Context, tx *store.Tx, c *Conversation, userID string, actor event.Actor, reason string) error {
	now := s.clock.Now()
	if _, err := tx.Exec(ctx, `UPDATE conversations SET assignee_id = ?, updated_at = ? WHERE id = ?`, null(userID), now.UnixMilli(), c.ID); err != nil {
		return fmt.Errorf("conversation: assign: %w", err)
	}
	from := c.AssigneeID
	c.AssigneeID, c.UpdatedAt = userID, now
	_, err := s.events.Append(ctx, event.Event{
		Kind: event.ConversationAssigned, CustomerID: c.CustomerID, ConversationID: c.ID, Actor: actor,
	}, map[string]string{"from": from, "to": userID, "reason": reason})
	return err
}

// SetStatus resolves, reopens or pends a conversation.
func (s *Service) SetStatus(ctx context.Context, id string, st Status, actor event.Actor) (Conversation, error) {
	var c Conversation
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if c, err = s.lock(ctx, tx, id); err != nil {
			return err
		}
		if c.Status == st {
			return nil
		}
		if c.Status == Merged {
			return &ValidationError{Field: "status", Reason: "a merged conversation continues in " + c.MergedInto}
		}
		if c.Status == Resolved && st != Resolved {
			if other, err := s.openFor(ctx, tx, c.CustomerID); err == nil && other.ID != c.ID {
				return ErrOpenExists
			}
		}
		return s.setStatus(ctx, tx, &c, st, actor, "")
	})
	return c, err
}

func (s *Service) setStatus(ctx context.Context, tx *store.Tx, c *Conversation, st Status, actor event.Actor, reason string) error {
	now := s.clock.Now()
	var resolvedAt any
	if st == Resolved {
		resolvedAt = now.UnixMilli()
	}
	// Resolving ends a snooze: a conversation reopened later must not stay hidden until then.
	if _, err := tx.Exec(ctx, `UPDATE conversations SET status = ?, resolved_at = ?, updated_at = ?, snoozed_until = CASE WHEN ? THEN NULL ELSE snoozed_until END WHERE id = ?`,
		string(st), resolvedAt, now.UnixMilli(), st == Resolved, c.ID); err != nil {
		if store.IsUniqueViolation(err) {
			return ErrOpenExists
		}
		return fmt.Errorf("conversation: set status: %w", err)
	}
	from := c.Status
	c.Status, c.UpdatedAt = st, now
	c.ResolvedAt = nil
	if st == Resolved {
		c.ResolvedAt = &now
	}
	if _, err := s.events.Append(ctx, event.Event{
		Kind: event.ConversationStatus, CustomerID: c.CustomerID, ConversationID: c.ID, Actor: actor,
	}, map[string]string{"from": string(from), "to": string(st), "reason": reason}); err != nil {
		return err
	}
	if s.clocks != nil {
		return s.clocks.StatusChanged(ctx, *c, from)
	}
	return nil
}

// ReplyInput is an agent's message to a customer.
type ReplyInput struct {
	ConversationID string
	AuthorID       string
	Text           string
	// ChannelID picks the channel; empty means the one the customer last used.
	ChannelID   string
	Attachments []Attachment
	// Template says Text is an approved template (WhatsApp outside its 24-hour window).
	Template bool
	// Bot says the help bot writes it (AuthorID is then empty): the message is marked as the
	// bot's, for the agent who takes over.
	Bot bool
	// Secret keeps Text out of the message's event (a one-time code): the event log is read
	// by far more than the customer's own thread.
	Secret bool
	// Choices are the answers the message offers, already numbered in Text; adapters whose
	// provider has buttons send them as buttons too.
	Choices []string
	// ChoiceKey names the question Choices answer, short (channel.MaxChoiceKey bytes of
	// letters, digits, '-' and '_' at most): adapters whose buttons carry data send it with each
	// press (channel.Press), so whoever asked can tell an answer to this question from a
	// press on an older message's buttons. "" when the buttons name no question.
	ChoiceKey string
}

// Reply stores an agent's message to the customer and queues it for delivery in the same
// transaction, after checking that the channel fits the customer.
func (s *Service) Reply(ctx context.Context, in ReplyInput) (Message, error) {
	var msg Message
	id, authorID, channelID, attachments := in.ConversationID, in.AuthorID, in.ChannelID, in.Attachments
	text := strings.TrimSpace(in.Text)
	if text == "" && len(attachments) == 0 {
		return msg, ErrEmptyText
	}
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		c, err := s.lock(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.Status == Merged {
			return &ValidationError{Field: "conversation", Reason: "merged into " + c.MergedInto}
		}
		if channelID == "" {
			channelID = c.ChannelID
		}
		if channelID == "" {
			return &ValidationError{Field: "channel_id", Reason: "the customer has not written on any channel yet; choose one"}
		}
		if s.guard != nil {
			if err := s.guard.CheckReply(ctx, c.CustomerID, channelID, in.Template); err != nil {
				return err
			}
		}
		now := s.clock.Now()
		msg = Message{
			ID: store.NewID(now), ConversationID: c.ID, CustomerID: c.CustomerID, ChannelID: channelID,
			Direction: Outbound, AuthorID: authorID, Text: text, Attachments: attachments,
			Status: StatusQueued, CreatedAt: now, UpdatedAt: now, Template: in.Template, Bot: in.Bot, Choices: in.Choices, ChoiceKey: in.ChoiceKey, Secret: in.Secret,
		}
		if msg.Attachments == nil {
			msg.Attachments = []Attachment{}
		}
		if err := insertMessage(ctx, tx, msg); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE conversations SET updated_at = ?, last_message_at = ? WHERE id = ?`, now.UnixMilli(), now.UnixMilli(), c.ID); err != nil {
			return err
		}
		// A message without an author is the system's own (a reminder to the customer).
		actor := event.Actor{Kind: event.ByUser, ID: authorID}
		if authorID == "" {
			actor = event.System
		}
		data := messageData(msg)
		if in.Secret {
			data["text"], data["secret"] = "", true
		}
		if _, err := s.events.Append(ctx, event.Event{
			Kind: event.MessageQueued, CustomerID: c.CustomerID, ConversationID: c.ID, ChannelID: channelID,
			Actor: actor,
		}, data); err != nil {
			return err
		}
		if s.clocks != nil {
			c.LastMessageAt, c.UpdatedAt = now, now
			if err := s.clocks.MessageSent(ctx, c, msg); err != nil {
				return err
			}
		}
		if s.outbox != nil {
			return s.outbox.Queue(ctx, msg)
		}
		return nil
	})
	return msg, err
}

// AddNote adds an internal note.
func (s *Service) AddNote(ctx context.Context, id, authorID, text string, mentions []string) (Note, error) {
	var n Note
	text = strings.TrimSpace(text)
	if text == "" {
		return n, ErrEmptyText
	}
	if mentions == nil {
		mentions = []string{}
	}
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		c, err := s.lock(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		n = Note{ID: store.NewID(now), ConversationID: c.ID, AuthorID: authorID, Text: text, Mentions: mentions, CreatedAt: now}
		m, _ := json.Marshal(mentions)
		if _, err := tx.Exec(ctx, `INSERT INTO notes (id, conversation_id, author_id, text, mentions, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			n.ID, c.ID, authorID, text, string(m), now.UnixMilli()); err != nil {
			return fmt.Errorf("conversation: note: %w", err)
		}
		_, err = s.events.Append(ctx, event.Event{
			Kind: event.NoteAdded, CustomerID: c.CustomerID, ConversationID: c.ID, Actor: event.Actor{Kind: event.ByUser, ID: authorID},
		}, map[string]any{"note_id": n.ID, "text": text, "mentions": mentions})
		return err
	})
	return n, err
}

// Message returns one message.
func (s *Service) Message(ctx context.Context, id string) (Message, error) {
	return s.oneMessage(ctx, ` WHERE id = ?`, id)
}

func (s *Service) oneMessage(ctx context.Context, where string, args ...any) (Message, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlSelectMessage+where, args...)
	if err != nil {
		return Message{}, err
	}
	ms, err := scanMessages(rows)
	if err != nil {
		return Message{}, err
	}
	if len(ms) == 0 {
		return Message{}, ErrNotFound
	}
	return ms[0], nil
}

// SetMessageStatus records a delivery status for a message: sent (with the provider's id),
// delivered, read or failed (with the provider's reason). A status never moves backwards
// (a late "delivered" does not undo "read").
func (s *Service) SetMessageStatus(ctx context.Context, messageID, status, externalID, reason string) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		m, err := s.Message(ctx, messageID)
		if err != nil {
			return err
		}
		if rank(status) < rank(m.Status) && status != StatusFailed {
			return nil
		}
		now := s.clock.Now()
		if externalID == "" {
			externalID = m.ExternalID
		}
		if _, err := tx.Exec(ctx, `UPDATE messages SET status = ?, status_reason = ?, external_id = ?, updated_at = ? WHERE id = ?`,
			status, reason, null(externalID), now.UnixMilli(), m.ID); err != nil {
			return fmt.Errorf("conversation: message status: %w", err)
		}
		_, err = s.events.Append(ctx, event.Event{
			Kind: event.MessageStatus, CustomerID: m.CustomerID, ConversationID: m.ConversationID, ChannelID: m.ChannelID, Actor: event.System,
		}, map[string]string{"message_id": m.ID, "from": m.Status, "to": status, "reason": reason, "external_id": externalID})
		return err
	})
}

// MessageByExternalID finds an outbound message by the provider's id on a channel, for status
// callbacks.
func (s *Service) MessageByExternalID(ctx context.Context, channelID, externalID string) (Message, error) {
	return s.oneMessage(ctx, ` WHERE channel_id = ? AND external_id = ? AND direction = 'out'`, channelID, externalID)
}

func rank(status string) int {
	switch status {
	case StatusQueued:
		return 1
	case StatusSent:
		return 2
	case StatusDelivered:
		return 3
	case StatusRead:
		return 4
	}
	return 0
}

// lock reads a conversation inside a transaction. On PostgreSQL it takes a row lock, so two
// agents assigning the same conversation at once are serialised instead of interleaved.
func (s *Service) lock(ctx context.Context, tx *store.Tx, id string) (Conversation, error) {
	q := sqlSelectConversation + ` WHERE id = ?`
	if tx.Dialect() == store.Postgres {
		q += ` FOR UPDATE`
	}
	return scanConversation(tx.QueryRow(ctx, q, id))
}

type scanner interface{ Scan(dest ...any) error }

func scanConversation(r scanner) (Conversation, error) {
	var c Conversation
	var assignee, channel, merged sql.NullString
	var created, updated, last int64
	var resolved sql.NullInt64
	err := r.Scan(&c.ID, &c.CustomerID, &c.Status, &assignee, &channel, &c.Subject, &c.Priority, &merged, &created, &updated, &last, &resolved)
	if store.IsNoRows(err) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("conversation: scan: %w", err)
	}
	c.AssigneeID, c.ChannelID, c.MergedInto = assignee.String, channel.String, merged.String
	c.CreatedAt, c.UpdatedAt, c.LastMessageAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC(), time.UnixMilli(last).UTC()
	if resolved.Valid {
		t := time.UnixMilli(resolved.Int64).UTC()
		c.ResolvedAt = &t
	}
	return c, nil
}

func scanMessages(rows *sql.Rows) ([]Message, error) {
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		var channel, author, ext sql.NullString
		var att string
		var created, updated, template, bot, secret int64
		var choices string
		if err := rows.Scan(&m.ID, &m.ConversationID, &m.CustomerID, &channel, &m.Direction, &author, &ext, &m.Text, &att, &m.Status, &m.StatusReason, &created, &updated, &template, &bot, &choices, &secret, &m.ChoiceKey); err != nil {
			return nil, fmt.Errorf("conversation: scan message: %w", err)
		}
		m.ChannelID, m.AuthorID, m.ExternalID, m.Template, m.Bot, m.Secret = channel.String, author.String, ext.String, template != 0, bot != 0, secret != 0
		m.Attachments = []Attachment{}
		_ = json.Unmarshal([]byte(att), &m.Attachments)
		_ = json.Unmarshal([]byte(choices), &m.Choices)
		m.CreatedAt, m.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

func insertMessage(ctx context.Context, tx *store.Tx, m Message) error {
	att := m.Attachments
	if att == nil {
		att = []Attachment{}
	}
	b, _ := json.Marshal(att)
	choices := []byte("[]")
	if len(m.Choices) > 0 {
		choices, _ = json.Marshal(m.Choices)
	}
	template, bot, secret := 0, 0, 0
	if m.Template {
		template = 1
	}
	if m.Bot {
		bot = 1
	}
	if m.Secret {
		secret = 1
	}
	_, err := tx.Exec(ctx, sqlInsertMessage, m.ID, m.ConversationID, m.CustomerID, null(m.ChannelID), string(m.Direction),
		null(m.AuthorID), null(m.ExternalID), m.Text, string(b), m.Status, m.StatusReason, m.CreatedAt.UnixMilli(), m.UpdatedAt.UnixMilli(), template, bot, string(choices), secret, m.ChoiceKey)
	if err != nil {
		return fmt.Errorf("conversation: insert message: %w", err)
	}
	return nil
}

func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}
