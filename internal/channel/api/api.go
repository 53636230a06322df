// Package api is the generic HTTP API channel: an integrator posts customers' messages as JSON
// signed with the channel secret, and Gesher posts replies back to the integrator's URL, signed
// the same way. It is the channel for anything without a dedicated adapter: a CRM, a kiosk, an
// in-house app.
package api

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
)

// Kind is the channel kind served here.
const Kind channel.Kind = "api"

// SignatureHeader carries "sha256=<hex HMAC-SHA256 of the raw body with the channel secret>",
// both on requests to Gesher and on Gesher's callbacks.
const SignatureHeader = "X-Gesher-Signature"

// OutboundURLSetting is the channel setting naming where replies are posted.
const OutboundURLSetting = "outbound_url"

// Adapter is the API channel.
type Adapter struct {
	client *http.Client
}

var (
	_ channel.Adapter      = (*Adapter)(nil)
	_ channel.SecretHolder = (*Adapter)(nil)
)

// New returns the adapter. client may be nil for a default with a 15-second timeout.
func New(client *http.Client) *Adapter {
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	return &Adapter{client: client}
}

// Kind implements channel.Adapter.
func (a *Adapter) Kind() channel.Kind { return Kind }

// Secrets implements channel.SecretHolder.
func (a *Adapter) Secrets(ch channel.Channel) []string { return []string{ch.Secret} }

// Sign returns the signature header value for body.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify implements channel.Adapter: the signature must match the raw body. A channel without
// a secret accepts nothing, rather than everything.
func (a *Adapter) Verify(ch channel.Channel, r *http.Request, body []byte) error {
	got := r.Header.Get(SignatureHeader)
	if ch.Secret == "" || got == "" {
		return channel.ErrSignature
	}
	if !hmac.Equal([]byte(got), []byte(Sign(ch.Secret, body))) {
		return channel.ErrSignature
	}
	return nil
}

// Payload is the body of an inbound request.
type Payload struct {
	ID          string                    `json:"id"`
	From        From                      `json:"from"`
	Text        string                    `json:"text"`
	Attachments []conversation.Attachment `json:"attachments,omitempty"`
	Timestamp   *time.Time                `json:"timestamp,omitempty"`
}

// From names the sender: at least one of phone, email or external_id.
type From struct {
	Phone      string `json:"phone,omitempty"`
	Email      string `json:"email,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
	Name       string `json:"name,omitempty"`
}

// Parse decodes and checks a body. It is the whole parser, so it is what the fuzz test drives.
func Parse(body []byte) (Payload, error) {
	var p Payload
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, channel.Payloadf("not valid JSON for this channel: %v", err)
	}
	if dec.More() {
		return p, channel.Payloadf("more than one JSON value in the body")
	}
	p.ID = strings.TrimSpace(p.ID)
	switch {
	case p.ID == "":
		return p, channel.Payloadf(`"id" (the message id in your system) is required`)
	case len(p.ID) > 200:
		return p, channel.Payloadf(`"id" is longer than 200 characters`)
	case p.From.Phone == "" && p.From.Email == "" && p.From.ExternalID == "":
		return p, channel.Payloadf(`"from" needs a phone, an email or an external_id`)
	case strings.TrimSpace(p.Text) == "" && len(p.Attachments) == 0:
		return p, channel.Payloadf(`"text" is empty and there are no attachments`)
	case len(p.Text) > 64*1024:
		return p, channel.Payloadf(`"text" is longer than 64 KiB`)
	}
	if len(p.From.Name) > 200 {
		p.From.Name = p.From.Name[:200]
	}
	return p, nil
}

// Receive implements channel.Adapter.
func (a *Adapter) Receive(ctx context.Context, ch channel.Channel, r *http.Request, body []byte) ([]channel.Inbound, error) {
	p, err := Parse(body)
	if err != nil {
		return nil, err
	}
	in := channel.Inbound{ExternalID: p.ID, Text: p.Text, Attachments: p.Attachments, From: channel.Contact{Name: p.From.Name}}
	if p.Timestamp != nil {
		in.At = *p.Timestamp
	}
	// Each identity is checked here, so a malformed one is the sender's 400, not our 500.
	add := func(kind customer.IdentityKind, raw string) error {
		if raw == "" {
			return nil
		}
		v, err := customer.Normalize(kind, raw)
		if err != nil {
			return channel.Payloadf("from.%s: %v", kind, err)
		}
		in.From.Identities = append(in.From.Identities, channel.Identity{Kind: kind, Value: v})
		return nil
	}
	if err := errors.Join(add(customer.Phone, p.From.Phone), add(customer.Email, p.From.Email), add(customer.External, p.From.ExternalID)); err != nil {
		return nil, err
	}
	return []channel.Inbound{in}, nil
}

// Callback is the body Gesher posts to the integrator for a reply.
type Callback struct {
	ID             string                    `json:"id"`
	ConversationID string                    `json:"conversation_id"`
	To             From                      `json:"to"`
	Text           string                    `json:"text"`
	Attachments    []conversation.Attachment `json:"attachments,omitempty"`
}

// Send implements channel.Adapter: it posts the reply to the channel's outbound URL with the
// message id as Idempotency-Key, so the integrator can drop a retried duplicate.
func (a *Adapter) Send(ctx context.Context, ch channel.Channel, m channel.Outbound) (channel.Receipt, error) {
	target := ch.Settings[OutboundURLSetting]
	if target == "" {
		return channel.Receipt{}, &channel.SendError{Reason: "the channel has no outbound URL configured"}
	}
	cb := Callback{ID: m.ID, ConversationID: m.ConversationID, Text: m.Text, Attachments: m.Attachments}
	for _, id := range m.To {
		switch id.Kind {
		case customer.Phone:
			cb.To.Phone = id.Value
		case customer.Email:
			cb.To.Email = id.Value
		case customer.External:
			cb.To.ExternalID = id.Value
		}
	}
	if cb.To.Phone == "" && cb.To.Email == "" && cb.To.ExternalID == "" {
		return channel.Receipt{}, channel.ErrNoAddress
	}
	body, _ := json.Marshal(cb)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return channel.Receipt{}, &channel.SendError{Reason: "bad outbound URL: " + err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", m.ID)
	req.Header.Set(SignatureHeader, Sign(ch.Secret, body))
	resp, err := a.client.Do(req)
	if err != nil {
		// A timeout may come after the integrator took the reply: retrying is safe, because
		// the retry carries the same Idempotency-Key.
		return channel.Receipt{}, channel.TransportError(err)
	}
	defer resp.Body.Close()
	respBody, _ := io.ReadAll(io.LimitReader(resp.Body, 64*1024))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		var ack struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(respBody, &ack)
		if ack.ID == "" {
			ack.ID = m.ID
		}
		return channel.Receipt{ExternalID: ack.ID}, nil
	}
	reason := strings.TrimSpace(string(respBody))
	if reason == "" {
		reason = http.StatusText(resp.StatusCode)
	}
	return channel.Receipt{}, channel.HTTPFailure(resp.StatusCode, resp.Header, reason, time.Now())
}

// String describes the adapter in logs.
func (a *Adapter) String() string { return fmt.Sprintf("channel adapter %q", Kind) }
