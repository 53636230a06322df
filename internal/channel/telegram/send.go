package telegram

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
)

// Telegram's limits, counted as it counts: in UTF-16 code units, the unit of its message
// entities, so an emoji outside the Basic Multilingual Plane counts 2.
const (
	MaxTextChars    = 4096 // sendMessage's text
	MaxCaptionChars = 1024 // sendPhoto's and sendDocument's caption
)

// Send implements channel.Adapter. A text is one sendMessage; an attachment with an http(s)
// URL is a sendPhoto (JPEG, PNG or WebP) or a sendDocument (anything else), which Telegram
// fetches from that URL itself. The text rides as the first attachment's caption when it fits
// in one, and goes ahead as its own message when it does not. The receipt names the first
// message Telegram created, as "<chat_id>:<message_id>".
//
// Refused before calling Telegram, permanently: a channel without a usable bot_token, a
// customer with no Telegram identity (channel.ErrNoAddress), a text over 4,096 characters (it
// is not split: parts of one reply arriving separately, some perhaps refused, would be harder
// for the customer to follow than an agent shortening it), an attachment with no public
// http(s) URL, and nothing to send.
//
// The Bot API has no idempotency key, so "send once" rests on the outbox, which calls Send only
// while the message is queued and records it sent right after. What a retry can still repeat:
// a call Telegram carried out whose answer was lost (a timeout, a reset) is sent again, since a
// duplicate message is a smaller harm than a reply the agent believes sent and the customer
// never gets. A reply of several parts remembers, in this process, the parts Telegram accepted,
// so a retry after a later part failed (flood control, 5xx) does not repeat the earlier ones; a
// retry run by another node, or after a restart, does.
func (a *Adapter) Send(ctx context.Context, ch channel.Channel, m channel.Outbound) (channel.Receipt, error) {
	token, err := botToken(ch)
	if err != nil {
		return channel.Receipt{}, &channel.SendError{Reason: err.Error()}
	}
	var chatID int64
	for _, id := range m.To {
		if id.Kind == customer.Telegram {
			if n, err := strconv.ParseInt(id.Value, 10, 64); err == nil && n > 0 {
				chatID = n
				break
			}
		}
	}
	if chatID == 0 {
		return channel.Receipt{}, channel.ErrNoAddress
	}
	parts, err := plan(chatID, m)
	if err != nil {
		return channel.Receipt{}, &channel.SendError{Reason: err.Error()}
	}
	done := a.parts.get(m.ID)
	for i, p := range parts {
		if i < len(done) {
			continue
		}
		var msg struct {
			MessageID int64 `json:"message_id"`
		}
		if err := a.call(ctx, ch, token, p.method, p.params, &msg); err != nil {
			se := sendError(err)
			if i > 0 && !se.Temporary {
				se.Reason += fmt.Sprintf(" (the first %d of %d parts were delivered)", i, len(parts))
			}
			return channel.Receipt{}, se
		}
		done = a.parts.add(m.ID, msg.MessageID)
	}
	a.parts.forget(m.ID)
	return channel.Receipt{ExternalID: fmt.Sprintf("%d:%d", chatID, done[0])}, nil
}

type part struct {
	method string
	params map[string]any
}

// plan turns a reply into Bot API calls, in the order the customer should see them.
func plan(chatID int64, m channel.Outbound) ([]part, error) {
	n := utf16Len(m.Text)
	if n > MaxTextChars {
		return nil, fmt.Errorf("the text has %d characters; a Telegram message can have at most %d", n, MaxTextChars)
	}
	var parts []part
	text := m.Text
	if strings.TrimSpace(text) == "" {
		text = ""
	}
	if text != "" && (len(m.Attachments) == 0 || n > MaxCaptionChars) {
		parts = append(parts, part{"sendMessage", map[string]any{"chat_id": chatID, "text": text}})
		text = ""
	}
	for _, att := range m.Attachments {
		u, err := url.Parse(att.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("the attachment %q has no public http(s) URL that Telegram could fetch", limit(attachmentName(att)))
		}
		p := part{"sendDocument", map[string]any{"chat_id": chatID, "document": att.URL}}
		if isPhoto(att, u) {
			p = part{"sendPhoto", map[string]any{"chat_id": chatID, "photo": att.URL}}
		}
		if text != "" {
			p.params["caption"] = text
			text = ""
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return nil, errors.New("nothing to send on Telegram: no text and no attachment")
	}
	// The answers ride on the last part, so the buttons sit under everything the reply shows.
	if kb := keyboard(m.Choices, m.ChoiceKey); kb != nil {
		parts[len(parts)-1].params["reply_markup"] = map[string]any{"inline_keyboard": kb}
	}
	return parts, nil
}

// Bounds on the buttons Gesher offers. Telegram takes up to 100 buttons and 64 bytes of
// callback_data; a button's label has no documented limit, but clients cut long ones.
const (
	maxChoices     = 20 // more answers than this are better typed from the numbered text
	maxButtonLabel = 40 // runes, with an ellipsis past it
	pairLabel      = 12 // up to three answers this short ("1. Yes", "2. No") share one row
	scalePerRow    = 6  // answers that are only their own numbers ("1" … "7") fill rows of six
)

// keyboard lays out a reply's answers (Outbound.Choices) as an inline keyboard: one answer per
// row, so long labels in any language stay whole, except two or three short answers, which
// share a row, and a scale of bare numbers, which fills rows of six. A label starts with the
// answer's number, as the text numbers it, and the press arrives as that label (see
// fromCallback), so it reads exactly like the customer typing the number.
//
// callback_data is "<key>:<n>", the message's ChoiceKey and the answer's number, or the number
// alone for a message without a key: Telegram keeps the keyboard on the message for good, and
// the key is what tells a press on it, later, from an answer to the question asked now. Nil
// when there is nothing to offer, or too much, or a key that is not one (it would not fit in
// Telegram's 64 bytes, or could not be read back); the numbered text is still there to answer.
func keyboard(choices []string, key string) [][]map[string]string {
	if len(choices) == 0 || len(choices) > maxChoices || !channel.ValidChoiceKey(key) {
		return nil
	}
	labels := make([]string, len(choices))
	short, bare := len(choices) <= 3, true
	for i, c := range choices {
		labels[i] = buttonLabel(i, c)
		short = short && utf8.RuneCountInString(labels[i]) <= pairLabel
		bare = bare && labels[i] == strconv.Itoa(i+1)
	}
	perRow := 1
	switch {
	case bare:
		perRow = scalePerRow
	case short:
		perRow = len(labels)
	}
	var rows [][]map[string]string
	for i, l := range labels {
		if i%perRow == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], map[string]string{"text": l, "callback_data": channel.ButtonData(key, i+1)})
	}
	return rows
}

// buttonLabel is "2. Theft", cut to maxButtonLabel runes; a choice that is its own number
// already ("3" on a 1–5 scale) stays as it is.
func buttonLabel(i int, choice string) string {
	n := strconv.Itoa(i + 1)
	choice = strings.Join(strings.Fields(choice), " ")
	l := n + ". " + choice
	if choice == n || choice == "" {
		l = n
	}
	if r := []rune(l); len(r) > maxButtonLabel {
		l = string(r[:maxButtonLabel-1]) + "…"
	}
	return l
}

// isPhoto reports whether sendPhoto takes the attachment. Telegram shows a photo inline and
// re-encodes it; GIFs, SVGs and other images go as documents, which keep the file as it is.
func isPhoto(att conversation.Attachment, u *url.URL) bool {
	ct := att.ContentType
	if ct == "" {
		ct = mime.TypeByExtension(strings.ToLower(path.Ext(u.Path)))
	}
	mt, _, _ := mime.ParseMediaType(ct)
	switch mt {
	case "image/jpeg", "image/png", "image/webp":
		return true
	}
	return false
}

func attachmentName(att conversation.Attachment) string {
	if att.Name != "" {
		return att.Name
	}
	if att.URL != "" {
		return att.URL
	}
	return "(unnamed)"
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

// sendError classifies a failed call for the outbox: flood control, timeouts and Telegram's
// own failures are retried (after retry_after when Telegram gave one); every other refusal
// fails the message with Telegram's description, which is what the agent reads.
func sendError(err error) *channel.SendError {
	var ae *apiError
	var ne *netError
	switch {
	case errors.As(err, &ae):
		se := &channel.SendError{Temporary: ae.temporary(), StatusCode: ae.Status, Reason: ae.Description}
		if se.Temporary {
			se.RetryAfter = ae.RetryAfter
		}
		if ae.Status == http.StatusUnauthorized || ae.Code == http.StatusUnauthorized {
			se.Reason += " (Telegram refused the channel's bot_token)"
		}
		return se
	case errors.As(err, &ne):
		return &channel.SendError{Temporary: ne.temporary, Reason: ne.msg}
	}
	return &channel.SendError{Reason: err.Error()}
}

// progress remembers which parts of a multi-part reply Telegram has accepted, by Gesher's
// message id, for the retries of this process. It is bounded: past maxPending replies in
// progress it starts over, at worst repeating a part.
type progress struct {
	mu   sync.Mutex
	sent map[string][]int64
}

const maxPending = 10000

func newProgress() *progress { return &progress{sent: map[string][]int64{}} }

func (p *progress) get(id string) []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]int64(nil), p.sent[id]...)
}

func (p *progress) add(id string, messageID int64) []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.sent[id]; !ok && len(p.sent) >= maxPending {
		clear(p.sent)
	}
	p.sent[id] = append(p.sent[id], messageID)
	return append([]int64(nil), p.sent[id]...)
}

func (p *progress) forget(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.sent, id)
}
