package ivr

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/store"
)

// A visual-menu token is "<call id>.<expiry>.<mac>", shaped like the status tracker's and
// signed with a key of its own in the same signing_keys table: the call's random id, the Unix
// second after which the link no longer opens (base 36), and the first 128 bits of an
// HMAC-SHA256 over both, base64url. The MAC's input starts with its purpose, so no tracker
// token or flow draft can pass for a menu link.
const (
	keyName = "menu"
	macLen  = 16
)

// signingKey returns the menu key (internal/signing), made on first use.
func (s *Service) signingKey(ctx context.Context) ([]byte, error) { return s.key.Bytes(ctx) }

func mac(key []byte, id, exp string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("gesher menu\x00" + id + "\x00" + exp))
	return m.Sum(nil)[:macLen]
}

// Token is a visual-menu token for call id that opens until exp.
func (s *Service) Token(ctx context.Context, id string, exp time.Time) (string, error) {
	key, err := s.signingKey(ctx)
	if err != nil {
		return "", err
	}
	e := strconv.FormatInt(exp.Unix(), 36)
	return id + "." + e + "." + base64.RawURLEncoding.EncodeToString(mac(key, id, e)), nil
}

// Link is the visual menu's link for c, good for the link lifetime from now.
func (s *Service) Link(ctx context.Context, c Call) (string, error) {
	tok, err := s.Token(ctx, c.ID, s.clock.Now().Add(s.opt.LinkTTL))
	if err != nil {
		return "", err
	}
	return s.base() + "/m/" + tok, nil
}

// ParseToken splits a token into the call id and expiry it claims, without checking the MAC;
// ok is false for anything not shaped like a token. It is what the fuzz test drives.
func ParseToken(tok string) (id, exp string, sig []byte, ok bool) {
	if len(tok) > 128 {
		return "", "", nil, false
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || len(parts[0]) != 26 || len(parts[1]) == 0 || len(parts[1]) > 13 {
		return "", "", nil, false
	}
	for _, r := range parts[0] {
		if !strings.ContainsRune("0123456789abcdefghjkmnpqrstvwxyz", r) {
			return "", "", nil, false
		}
	}
	for _, r := range parts[1] {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z') {
			return "", "", nil, false
		}
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil || len(sig) != macLen {
		return "", "", nil, false
	}
	return parts[0], parts[1], sig, true
}

// Visit is an opened visual menu: the call it belongs to and its tree.
type Visit struct {
	Call Call
	Tree Tree
}

// Open opens the call a visual-menu token leads to. A malformed, tampered or expired token,
// or one for a call that does not exist, is ErrNotFound, every one the same.
func (s *Service) Open(ctx context.Context, tok string) (Visit, error) {
	id, e, sig, ok := ParseToken(tok)
	if !ok {
		return Visit{}, ErrNotFound
	}
	secs, err := strconv.ParseInt(e, 36, 64)
	if err != nil || secs <= 0 || secs > 1<<40 {
		return Visit{}, ErrNotFound
	}
	key, err := s.signingKey(ctx)
	if err != nil {
		return Visit{}, err
	}
	if !hmac.Equal(sig, mac(key, id, e)) || !s.clock.Now().Before(time.Unix(secs, 0)) {
		return Visit{}, ErrNotFound
	}
	c, err := scanCall(s.db.Q(ctx).QueryRow(ctx, sqlSelectCall+` WHERE id = ?`, id))
	if err != nil {
		return Visit{}, err
	}
	t, err := s.Tree(ctx, c.TreeID)
	return Visit{Call: c, Tree: t}, err
}

// Viewed records what the caller looked at on the visual menu: a node (opened is true for
// the first page of a visit), in lang. These events are "what was tried on the visual menu"
// in the agent's hand-over.
func (s *Service) Viewed(ctx context.Context, v Visit, node, lang string, opened bool) error {
	kind := VisualStep
	if opened {
		kind = VisualOpened
	}
	n, _ := v.Tree.Node(node)
	data := map[string]any{"node": n.ID, "title": n.Title[lang], "lang": lang}
	if n.Action != nil {
		data["action"] = n.Action.Kind
	}
	return s.record(ctx, v.Call, kind, data)
}

// Tried records a self-service action done on the visual menu (a case's status read, an
// article, a branch looked up).
func (s *Service) Tried(ctx context.Context, v Visit, what string, data map[string]any) error {
	if data == nil {
		data = map[string]any{}
	}
	data["action"] = what
	return s.record(ctx, v.Call, VisualStep, data)
}

// CaseLines are the caller's open cases as the visual menu lists them.
func (s *Service) CaseLines(ctx context.Context, v Visit, lang string) ([]CaseLine, error) {
	return s.caseLines(ctx, v.Call.CustomerID, lang)
}

// Article is an article group's text in lang, for the visual menu: its title and body
// (Markdown), or empty when the group has none published in lang.
func (s *Service) Article(ctx context.Context, group, lang string) (title, body string, err error) {
	vs, err := s.help.Variants(ctx, group)
	if err != nil {
		return "", "", err
	}
	for _, a := range vs {
		if a.Lang == lang && a.Status == "published" {
			return a.DisplayTitle(), a.Body, nil
		}
	}
	return "", "", nil
}

// Visual-menu endings.
const (
	EndCallback = "callback" // call me back instead of waiting
	EndDone     = "done"     // I am done, thanks
)

// Finish ends a waiting call from the visual menu: a callback instead of waiting, or "done"
// (the caller served themself: the call is recorded as contained). The call is first
// released through the provider with a short goodbye in the caller's language, and recorded
// only once the provider has let it go, so a caller is never told "we will call you back"
// while they in fact still wait — if the provider refuses, nothing changes and the page says
// so.
func (s *Service) Finish(ctx context.Context, v Visit, how string) (Call, error) {
	c := v.Call
	if c.State != StateQueued {
		return c, ErrNotWaiting
	}
	if how == EndCallback && (c.Caller == "" || c.ConversationID == "") {
		return c, &ValidationError{Field: "action", Reason: "this call has no number to call back"}
	}
	ch, err := s.channels.Get(ctx, c.ChannelID)
	if err != nil {
		return c, err
	}
	lang := c.Lang
	if lang == "" {
		lang = "he"
	}
	key := "menu.phone.goodbye"
	if how == EndCallback {
		key = "menu.phone.goodbye_callback"
	}
	s.mu.Lock()
	rel := s.releaser
	s.mu.Unlock()
	if rel == nil {
		return c, fmt.Errorf("ivr: no releaser wired for %s", ch.Kind)
	}
	if err := rel.Release(ctx, ch, c.CallSid, Say{Lang: lang, Text: s.t(lang, key)}); err != nil {
		return c, fmt.Errorf("ivr: release call: %w", err)
	}
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		cur, err := s.callBySid(ctx, ch.ID, c.CallSid)
		if err != nil {
			return err
		}
		if cur.State != StateQueued {
			c = cur
			return ErrNotWaiting
		}
		before := cur
		c = cur
		c.Step++
		switch how {
		case EndCallback:
			ok, err := s.bookCallback(ctx, &c, "visual-menu")
			if err != nil {
				return err
			}
			if !ok {
				return &ValidationError{Field: "action", Reason: "this call has no number to call back"}
			}
		default:
			now := s.clock.Now()
			c.State, c.EndedAt = StateContained, &now
			if err := s.record(ctx, c, CallContained, map[string]any{"reason": c.Reason}); err != nil {
				return err
			}
		}
		return s.save(ctx, tx, before, &c, Reply{Hangup: true})
	})
	return c, err
}

// WhatsApp sends the template of a WhatsApp node to the caller from the visual menu, where
// WhatsApp fits them; why says why not.
func (s *Service) WhatsApp(ctx context.Context, v Visit, node, lang string) (why string, err error) {
	n, ok := v.Tree.Node(node)
	if !ok || n.Action == nil || n.Action.Kind != ActWhatsApp {
		return "", ErrNotFound
	}
	ch, err := s.channels.Get(ctx, v.Call.ChannelID)
	if err != nil {
		return "", err
	}
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		why, err = s.whatsApp(ctx, ch, v.Call, n.Action.Text[lang])
		if err != nil {
			return err
		}
		result := "sent"
		if why != "" {
			result = "refused"
		}
		return s.record(ctx, v.Call, VisualStep, map[string]any{"node": n.ID, "action": ActWhatsApp, "result": result, "reason": why})
	})
	return why, err
}
