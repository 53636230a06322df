package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/customer"
)

// Limits of the Messages API: a text body has at most 4,096 characters, a media caption
// 1,024.
const (
	MaxTextChars    = 4096
	MaxCaptionChars = 1024
)

// codeReengagement is Meta's error for a free-form message outside the 24-hour customer
// service window.
const codeReengagement = 131047

const reengagementReason = "Re-engagement message: more than 24 hours have passed since the customer last wrote, so WhatsApp accepts only an approved template (WhatsApp error 131047)"

// errNoTemplate is the reason a template message fails when no approved template has its
// text.
const errNoTemplate = "no approved template matches this text"

// temporaryCodes are Graph API error codes another attempt can get past, whatever the HTTP
// status says: Meta's temporary API errors, service unavailability and rate limits.
var temporaryCodes = map[int]bool{
	1: true, 2: true, 4: true, 17: true, 341: true, 80007: true,
	130429: true, 131000: true, 131016: true, 131056: true, 133004: true,
}

// Send implements channel.Adapter: it posts the message to the Messages API of the channel's
// business number. An agent's template reply goes as the approved template its text matches;
// any other reply goes as text, and each attachment with an http(s) URL as a media message
// that WhatsApp fetches from that link (the first one carrying the text as its caption when
// there is a single attachment that can have one).
//
// The Messages API has no idempotency key. "Send once" rests on two things: the outbox calls
// Send only while the message is queued and records "sent" with Meta's wamid right after, and
// this adapter remembers, in memory, each part of a message Meta accepted, so a retry after a
// later part failed does not send the earlier ones again. What a retry can still duplicate: a
// request Meta accepted whose answer never arrived (a timeout or reset after the body was
// written), and, after a restart, the parts of a multi-part message that went out before a
// later part failed. A duplicate WhatsApp message was judged a smaller harm than a reply the
// agent believes sent and the customer never gets. Errors before the request reached Meta (a
// refused connection) cannot duplicate.
func (a *Adapter) Send(ctx context.Context, ch channel.Channel, m channel.Outbound) (channel.Receipt, error) {
	token, pnid := ch.Settings[SettingAccessToken], ch.Settings[SettingPhoneNumberID]
	if token == "" || pnid == "" {
		return channel.Receipt{}, &channel.SendError{Reason: "the WhatsApp channel has no access_token or phone_number_id configured"}
	}
	to := recipient(m.To)
	if to == "" {
		return channel.Receipt{}, channel.ErrNoAddress
	}
	parts, err := messageParts(ch, m, to)
	if err != nil {
		return channel.Receipt{}, err
	}
	endpoint := apiBase(ch) + "/" + url.PathEscape(pnid) + "/messages"
	var first string
	for i, p := range parts {
		key := ch.ID + "\x00" + m.ID + "\x00" + strconv.Itoa(i)
		id, ok := a.sent.get(key)
		if !ok {
			if id, err = a.post(ctx, endpoint, token, p); err != nil {
				return channel.Receipt{}, err
			}
			a.sent.put(key, id)
		}
		if i == 0 {
			first = id
		}
	}
	return channel.Receipt{ExternalID: first}, nil
}

// recipient is the customer's wa_id, else their phone number without "+": the Messages API
// takes either as "to".
func recipient(ids []channel.Identity) string {
	for _, id := range ids {
		if id.Kind == customer.WhatsApp && id.Value != "" {
			return id.Value
		}
	}
	for _, id := range ids {
		if id.Kind == customer.Phone && id.Value != "" {
			return strings.TrimPrefix(id.Value, "+")
		}
	}
	return ""
}

// payload is one Messages API request body.
type payload map[string]any

func base(to, kind string) payload {
	return payload{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": kind}
}

// messageParts builds the requests that deliver m, refusing what cannot be sent before any
// request is made.
func messageParts(ch channel.Channel, m channel.Outbound, to string) ([]payload, error) {
	permanent := func(format string, args ...any) error {
		return &channel.SendError{Reason: fmt.Sprintf(format, args...)}
	}
	text := strings.TrimSpace(m.Text)
	if m.Template {
		if len(m.Attachments) > 0 {
			return nil, permanent("a template message cannot carry attachments")
		}
		templates, err := ParseTemplates(ch.Settings[SettingTemplates])
		if err != nil {
			return nil, permanent("%v", err)
		}
		t, params, ok := MatchTemplate(templates, text)
		if !ok {
			return nil, permanent(errNoTemplate)
		}
		tpl := payload{"name": t.Name, "language": payload{"code": t.Language}}
		if len(params) > 0 {
			ps := make([]payload, len(params))
			for i, v := range params {
				ps[i] = payload{"type": "text", "text": v}
			}
			tpl["components"] = []payload{{"type": "body", "parameters": ps}}
		}
		p := base(to, "template")
		p["template"] = tpl
		return []payload{p}, nil
	}
	if n := utf8.RuneCountInString(text); n > MaxTextChars {
		return nil, permanent("the text has %d characters; a WhatsApp message can have at most %d", n, MaxTextChars)
	}
	if p, ok := interactive(to, text, m); ok {
		return []payload{p}, nil
	}
	var media []payload
	var kinds []string
	for _, att := range m.Attachments {
		if !httpURL(att.URL) {
			name := att.Name
			if name == "" {
				name = "an attachment"
			}
			return nil, permanent("%s has no http(s) URL; WhatsApp can send only files it can fetch from a link", name)
		}
		kind := mediaKind(att.ContentType)
		obj := payload{"link": att.URL}
		if kind == "document" && att.Name != "" {
			obj["filename"] = att.Name
		}
		p := base(to, kind)
		p[kind] = obj
		media, kinds = append(media, p), append(kinds, kind)
	}
	if text == "" && len(media) == 0 {
		return nil, permanent("nothing to send by WhatsApp: no text and no attachment")
	}
	if len(media) == 1 && text != "" && kinds[0] != "audio" && utf8.RuneCountInString(text) <= MaxCaptionChars {
		media[0][kinds[0]].(payload)["caption"] = text
		return media, nil
	}
	var parts []payload
	if text != "" {
		p := base(to, "text")
		p["text"] = payload{"body": text}
		parts = append(parts, p)
	}
	return append(parts, media...), nil
}

// mediaKind picks the media message type WhatsApp shows a file as. Images other than JPEG and
// PNG, and anything else WhatsApp would refuse to play, go as documents, which take any type.
func mediaKind(contentType string) string {
	mt, _, _ := strings.Cut(strings.ToLower(contentType), ";")
	mt = strings.TrimSpace(mt)
	switch {
	case mt == "image/jpeg" || mt == "image/png":
		return "image"
	case mt == "video/mp4" || mt == "video/3gpp":
		return "video"
	case strings.HasPrefix(mt, "audio/"):
		return "audio"
	}
	return "document"
}

// post sends one request and returns the wamid Meta gave the message.
func (a *Adapter) post(ctx context.Context, endpoint, token string, p payload) (string, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return "", &channel.SendError{Reason: "encode the request: " + err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "", &channel.SendError{Reason: "bad api_base: " + err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := a.client.Do(req)
	if err != nil {
		// Timeouts are retried too; Send's comment says why.
		return "", channel.TransportError(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64*1024))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		var ok struct {
			Messages []struct {
				ID string `json:"id"`
			} `json:"messages"`
		}
		_ = json.Unmarshal(raw, &ok)
		if len(ok.Messages) > 0 {
			return ok.Messages[0].ID, nil
		}
		// A 2xx without an id still means Meta took the message: retrying would send it
		// twice. Status reports cannot be matched to it, which is the lesser loss.
		return "", nil
	}
	now := time.Now()
	se := channel.HTTPFailure(resp.StatusCode, resp.Header, graphReason(resp.StatusCode, raw), now)
	// Meta's error code says more than the HTTP status.
	switch code := graphCode(raw); {
	case code == codeReengagement: // only a template gets through, however often it is tried
		se.Temporary, se.RetryAfter = false, 0
	case temporaryCodes[code]:
		se.Temporary, se.RetryAfter = true, channel.RetryAfter(resp.Header.Get("Retry-After"), now)
	}
	return "", se
}

type graphError struct {
	Error struct {
		Message      string `json:"message"`
		Type         string `json:"type"`
		Code         int    `json:"code"`
		ErrorSubcode int    `json:"error_subcode"`
		ErrorData    struct {
			Details string `json:"details"`
		} `json:"error_data"`
		FBTraceID string `json:"fbtrace_id"`
	} `json:"error"`
}

func graphCode(raw []byte) int {
	var g graphError
	_ = json.Unmarshal(raw, &g)
	return g.Error.Code
}

// graphReason reads the Graph API's error document ({"error": {"message", "type", "code",
// "error_subcode", "fbtrace_id"}}) into what the agent sees on the failed message.
func graphReason(status int, raw []byte) string {
	var g graphError
	if err := json.Unmarshal(raw, &g); err == nil && (g.Error.Message != "" || g.Error.Code != 0) {
		if g.Error.Code == codeReengagement {
			return reengagementReason
		}
		msg := channel.StorableText(g.Error.Message, 500)
		if d := channel.StorableText(g.Error.ErrorData.Details, 500); d != "" && !strings.Contains(msg, d) {
			msg += ": " + d
		}
		if msg == "" {
			msg = http.StatusText(status)
		}
		return fmt.Sprintf("%s (WhatsApp error %d)", msg, g.Error.Code)
	}
	if s := strings.TrimSpace(channel.StorableText(string(raw), 500)); s != "" && !strings.HasPrefix(s, "<") {
		return s
	}
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "HTTP " + itoa(status)
}

func itoa(n int) string { return strconv.Itoa(n) }

// sentParts remembers the wamid of each part of a message Meta accepted, so that a retry
// sends only what did not go out. It is bounded: the oldest entries are forgotten first.
type sentParts struct {
	mu    sync.Mutex
	max   int
	ids   map[string]string
	order []string
}

func newSentParts(max int) *sentParts {
	return &sentParts{max: max, ids: map[string]string{}}
}

func (s *sentParts) get(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.ids[key]
	return id, ok
}

func (s *sentParts) put(key, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[key]; ok {
		return
	}
	if len(s.order) >= s.max {
		delete(s.ids, s.order[0])
		s.order = s.order[1:]
	}
	s.ids[key] = id
	s.order = append(s.order, key)
}
