package channel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/media"
	"github.com/gesher-cs/gesher/internal/store"
)

// Result is what became of one inbound item.
type Result struct {
	ExternalID     string `json:"id"`
	EventID        string `json:"event_id,omitempty"`
	CustomerID     string `json:"customer_id,omitempty"`
	ConversationID string `json:"conversation_id,omitempty"`
	MessageID      string `json:"message_id,omitempty"`
	Duplicate      bool   `json:"duplicate,omitempty"`
	Ignored        string `json:"ignored,omitempty"` // why a status update was not applied
}

// Ingester is the one transaction every inbound delivery goes through: identity → customer,
// de-duplication, message and event, conversation and owner.
type Ingester struct {
	db            *store.DB
	clock         clock.Clock
	customers     *customer.Service
	conversations *conversation.Service
	files         *media.Store
	log           *slog.Logger
	responder     Responder
	answers       AnswerTaker
}

// Responder answers a customer's new message from inside the ingest transaction that stored
// it — the help bot, a guided flow run as a conversation. It is called once per message that
// was not stored before: a provider's retry of the same message finds its receipt and never
// reaches it, so nothing it does happens twice.
type Responder interface {
	Respond(ctx context.Context, ch Channel, item Inbound, rec conversation.Received) error
}

// SetResponder sets what answers new messages; nil answers none.
func (in *Ingester) SetResponder(r Responder) { in.responder = r }

// AnswerTaker recognises a customer's message that answers something they were asked outside
// the conversation (a survey's "reply 1 to 5"), inside the ingest transaction. When it takes
// the message it records what it means and returns its event; the message then opens or
// reopens no conversation and reaches no responder. The survey package's service is one.
type AnswerTaker interface {
	Take(ctx context.Context, customerID, channelID, text string) (eventID string, taken bool, err error)
}

// SetAnswerTaker sets what is asked first about every inbound text; wired once at start-up.
func (in *Ingester) SetAnswerTaker(a AnswerTaker) { in.answers = a }

// NewIngester returns the ingest pipeline.
func NewIngester(db *store.DB, clk clock.Clock, customers *customer.Service, conversations *conversation.Service, files *media.Store, log *slog.Logger) *Ingester {
	return &Ingester{db: db, clock: clk, customers: customers, conversations: conversations, files: files, log: log}
}

// Ingest stores every item of one provider delivery in a single transaction and returns only
// once it has committed, so the caller may then acknowledge. A replayed item (same channel
// and provider id) is recognised and stores nothing; its result names the first event.
func (in *Ingester) Ingest(ctx context.Context, ch Channel, items []Inbound) ([]Result, error) {
	var results []Result
	err := in.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		results = results[:0]
		for _, item := range items {
			r, err := in.one(ctx, tx, ch, item)
			if err != nil {
				return err
			}
			results = append(results, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

func (in *Ingester) one(ctx context.Context, tx *store.Tx, ch Channel, item Inbound) (Result, error) {
	r := Result{ExternalID: item.ExternalID}
	if item.ExternalID == "" {
		return r, Payloadf("a provider message id is required")
	}
	key := item.ExternalID
	if item.Status != nil {
		// A message and its status reports share the provider's id; each report is its own
		// delivery.
		key = "status:" + item.Status.ExternalID + ":" + item.Status.Status
	}
	var eventID string
	var messageID sql.NullString
	err := tx.QueryRow(ctx, `SELECT event_id, message_id FROM channel_receipts WHERE channel_id = ? AND external_id = ?`, ch.ID, key).Scan(&eventID, &messageID)
	if err == nil {
		r.EventID, r.MessageID, r.Duplicate = eventID, messageID.String, true
		return r, nil
	}
	if !store.IsNoRows(err) {
		return r, fmt.Errorf("channel: look up receipt: %w", err)
	}
	if item.Status != nil {
		return in.status(ctx, tx, ch, item, key, r)
	}
	if len(item.From.Identities) == 0 {
		return r, Payloadf("the sender has no identity")
	}
	actor := event.Actor{Kind: event.BySystem, ID: "channel:" + ch.Name}
	first := item.From.Identities[0]
	cust, _, err := in.customers.Resolve(ctx, first.Kind, first.Value, item.From.Name, actor)
	if err != nil {
		var invalid *customer.InvalidIdentityError
		if errors.As(err, &invalid) {
			return r, Payloadf("%v", err)
		}
		return r, err
	}
	for _, id := range item.From.Identities[1:] {
		// Extra identities (a WhatsApp id beside its phone number) join the customer unless
		// they already belong to someone else, which an agent resolves by merging.
		if _, err := in.customers.AddIdentity(ctx, cust.ID, id.Kind, id.Value, actor); err != nil {
			var taken *customer.IdentityTakenError
			var invalid *customer.InvalidIdentityError
			switch {
			case errors.As(err, &taken) && item.From.Proven && taken.CustomerID != cust.ID:
				// The provider proved both identities are this person: the other customer is
				// them too. Merged here, in the same transaction, their conversations join.
				if err := in.customers.Merge(ctx, taken.CustomerID, cust.ID, actor); err != nil && !errors.Is(err, customer.ErrAlreadyMerged) {
					return r, fmt.Errorf("channel: merge the customer proven to be %s: %w", cust.ID, err)
				}
			case errors.As(err, &taken), errors.As(err, &invalid):
			default:
				return r, err
			}
		}
	}
	// A press on a keyed button (a flow's step) answers that step, never a survey pending
	// meanwhile: "1. Accident" is no score of 1. Surveys' own buttons carry no key.
	keyed := item.Press != nil && item.Press.Key != ""
	if in.answers != nil && len(item.Files) == 0 && len(item.Attachments) == 0 && !keyed {
		id, taken, err := in.answers.Take(ctx, cust.ID, ch.ID, item.Text)
		if err != nil {
			return r, err
		}
		if taken {
			if _, err := tx.Exec(ctx, `INSERT INTO channel_receipts (channel_id, external_id, event_id, created_at) VALUES (?, ?, ?, ?)`,
				ch.ID, key, id, in.clock.Now().UnixMilli()); err != nil {
				return r, fmt.Errorf("channel: record answer receipt: %w", err)
			}
			r.EventID, r.CustomerID = id, cust.ID
			return r, nil
		}
	}
	attachments := item.Attachments
	for _, f := range item.Files {
		stored, err := in.files.Put(ctx, f.Name, f.ContentType, f.Data)
		if errors.Is(err, media.ErrTooLarge) {
			return r, Payloadf("the file %q is over %d bytes", f.Name, media.MaxSize)
		}
		if err != nil {
			return r, err
		}
		attachments = append(attachments, conversation.Attachment{Name: stored.Name, ContentType: stored.ContentType, Size: stored.Size, URL: media.URL(stored.ID)})
	}
	rec, err := in.conversations.Receive(ctx, conversation.InboundMessage{
		CustomerID: cust.ID, ChannelID: ch.ID, ExternalID: item.ExternalID, Text: item.Text,
		Attachments: attachments, At: item.At,
	})
	if err != nil {
		return r, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO channel_receipts (channel_id, external_id, event_id, message_id, created_at) VALUES (?, ?, ?, ?, ?)`,
		ch.ID, key, rec.Event.ID, rec.Message.ID, in.clock.Now().UnixMilli()); err != nil {
		return r, fmt.Errorf("channel: record receipt: %w", err)
	}
	r.EventID, r.CustomerID, r.ConversationID, r.MessageID = rec.Event.ID, cust.ID, rec.Conversation.ID, rec.Message.ID
	if in.responder != nil {
		if err := in.respond(ctx, tx, ch, item, rec); err != nil {
			return r, err
		}
	}
	return r, nil
}

// respond runs the responder inside a savepoint: what it writes commits with the message, and
// if it fails, only its own writes are undone. The customer's message is kept either way, and
// the agents answer it — a failing bot must not make the provider deliver it forever. Only a
// conflict with a concurrent transaction, which the store retries whole, is passed on.
func (in *Ingester) respond(ctx context.Context, tx *store.Tx, ch Channel, item Inbound, rec conversation.Received) error {
	if _, err := tx.Exec(ctx, `SAVEPOINT responder`); err != nil {
		return fmt.Errorf("channel: responder savepoint: %w", err)
	}
	err := in.responder.Respond(ctx, ch, item, rec)
	if err != nil && (store.IsUniqueViolation(err) || store.IsSerializationFailure(err)) {
		return err
	}
	if err != nil {
		in.log.Error("responder failed; the message is kept for the agents", "channel", ch.Name, "message_id", rec.Message.ID, "err", err)
		if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT responder`); err != nil {
			return fmt.Errorf("channel: responder roll back: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `RELEASE SAVEPOINT responder`); err != nil {
		return fmt.Errorf("channel: responder release: %w", err)
	}
	return nil
}

func (in *Ingester) status(ctx context.Context, tx *store.Tx, ch Channel, item Inbound, key string, r Result) (Result, error) {
	m, err := in.conversations.MessageByExternalID(ctx, ch.ID, item.Status.ExternalID)
	if errors.Is(err, conversation.ErrNotFound) {
		// Providers report on messages sent by other systems sharing the number; there is
		// nothing to update, and retrying would not change that.
		r.Ignored = "unknown message"
		return r, nil
	}
	if err != nil {
		return r, err
	}
	if err := in.conversations.SetMessageStatus(ctx, m.ID, item.Status.Status, "", item.Status.Reason); err != nil {
		return r, err
	}
	r.MessageID, r.ConversationID, r.CustomerID = m.ID, m.ConversationID, m.CustomerID
	r.EventID = "status:" + m.ID
	if _, err := tx.Exec(ctx, `INSERT INTO channel_receipts (channel_id, external_id, event_id, message_id, created_at) VALUES (?, ?, ?, ?, ?)`,
		ch.ID, key, r.EventID, m.ID, in.clock.Now().UnixMilli()); err != nil {
		return r, fmt.Errorf("channel: record status receipt: %w", err)
	}
	return r, nil
}
