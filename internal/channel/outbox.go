package channel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/jobs"
)

// SendJob is the kind of the durable job that delivers one outbound message.
const SendJob = "message.send"

type sendPayload struct {
	MessageID string `json:"message_id"`
}

// Outbox queues outbound messages as durable jobs and delivers them through their channel's
// adapter. It implements conversation.Outbox.
type Outbox struct {
	jobs          *jobs.Queue
	registry      *Registry
	channels      *Channels
	conversations *conversation.Service
	customers     *customer.Service
	log           *slog.Logger
}

var _ conversation.Outbox = (*Outbox)(nil)

// NewOutbox returns the outbox and registers its send handler with q.
func NewOutbox(q *jobs.Queue, reg *Registry, channels *Channels, conversations *conversation.Service, customers *customer.Service, log *slog.Logger) *Outbox {
	o := &Outbox{jobs: q, registry: reg, channels: channels, conversations: conversations, customers: customers, log: log}
	q.Register(SendJob, o.send)
	return o
}

// Queue enqueues delivery of m in the transaction that stored it. The job's unique key is the
// message id, so queueing the same message twice sends it once.
func (o *Outbox) Queue(ctx context.Context, m conversation.Message) error {
	_, err := o.jobs.Enqueue(ctx, SendJob, sendPayload{MessageID: m.ID}, jobs.UniqueKey("send:"+m.ID))
	return err
}

// Retry queues a failed message again (an agent pressed "retry").
func (o *Outbox) Retry(ctx context.Context, messageID string) error {
	m, err := o.conversations.Message(ctx, messageID)
	if err != nil {
		return err
	}
	if m.Status != conversation.StatusFailed {
		return fmt.Errorf("channel: message %s is %s: %w", m.ID, m.Status, ErrNotFailed)
	}
	if err := o.conversations.SetMessageStatus(ctx, m.ID, conversation.StatusQueued, "", "retried"); err != nil {
		return err
	}
	_, err = o.jobs.Enqueue(ctx, SendJob, sendPayload{MessageID: m.ID}, jobs.UniqueKey(fmt.Sprintf("send:%s:retry:%d", m.ID, m.UpdatedAt.UnixNano())))
	return err
}

func (o *Outbox) send(ctx context.Context, j jobs.Job) error {
	var p sendPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(fmt.Errorf("channel: send payload: %w", err))
	}
	m, err := o.conversations.Message(ctx, p.MessageID)
	if err != nil {
		return jobs.Permanent(err)
	}
	if m.Status != conversation.StatusQueued {
		return nil // already sent (a retry of a job whose first run succeeded late)
	}
	fail := func(reason string, cause error) error {
		if err := o.conversations.SetMessageStatus(ctx, m.ID, conversation.StatusFailed, "", reason); err != nil {
			return err
		}
		return jobs.Permanent(cause)
	}
	ch, err := o.channels.Get(ctx, m.ChannelID)
	if err != nil {
		return fail("channel not found", err)
	}
	adapter, ok := o.registry.Get(ch.Kind)
	if !ok {
		return fail("no adapter for channel kind "+string(ch.Kind), errors.New("no adapter"))
	}
	cust, err := o.customers.Get(ctx, m.CustomerID)
	if err != nil {
		return fail("customer not found", err)
	}
	out := Outbound{ID: m.ID, ConversationID: m.ConversationID, Text: m.Text, Attachments: m.Attachments, Template: m.Template, Choices: m.Choices, ChoiceKey: m.ChoiceKey}
	for _, id := range cust.Identities {
		out.To = append(out.To, Identity{Kind: id.Kind, Value: id.Value})
	}
	conv, err := o.conversations.Get(ctx, m.ConversationID)
	if err != nil {
		return err
	}
	out.Subject = conv.Subject
	for _, earlier := range conv.Messages {
		// Message ids grow with time, so "before this one" is a comparison.
		if earlier.ChannelID == m.ChannelID && earlier.ID < m.ID {
			out.Thread = append(out.Thread, ThreadMessage{ExternalID: earlier.ExternalID, Inbound: earlier.Direction == conversation.Inbound, Text: earlier.Text})
		}
	}
	receipt, err := adapter.Send(ctx, ch, out)
	if err == nil {
		return o.conversations.SetMessageStatus(ctx, m.ID, conversation.StatusSent, receipt.ExternalID, "")
	}
	var se *SendError
	if errors.As(err, &se) && se.Temporary {
		if j.Attempt >= j.MaxAttempts {
			return fail("gave up after "+fmt.Sprint(j.Attempt)+" attempts: "+se.Reason, err)
		}
		o.log.Warn("send failed, will retry", "message", m.ID, "channel", ch.Name, "attempt", j.Attempt, "err", err)
		if se.RetryAfter > 0 {
			return jobs.RetryAfter(se.RetryAfter, err)
		}
		return err
	}
	if errors.Is(err, ErrNoAddress) {
		return fail(err.Error(), err)
	}
	reason := err.Error()
	if se != nil {
		reason = se.Reason
	}
	return fail(reason, err)
}
