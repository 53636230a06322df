package selfservice

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
)

// A tracker token is "<case id>.<expiry>.<mac>": the case's random id, the Unix second after
// which the link no longer opens (base 36), and the first 128 bits of an HMAC-SHA256 over
// both under the server's key, base64url. Nothing in it can be changed without the key, and
// the id alone opens nothing.
const (
	keyName = "tracker"
	macLen  = 16
)

func eventFor(kind event.Kind, c Case) event.Event {
	return event.Event{Kind: kind, CustomerID: c.CustomerID, Actor: event.System}
}

// signingKey returns the tracker key (internal/signing), made on first use.
func (d *Desk) signingKey(ctx context.Context) ([]byte, error) { return d.key.Bytes(ctx) }

// mac is the tracker MAC. Its input starts with its purpose, so a value signed for a flow's
// draft under the same key can never pass for a tracker token, nor the other way round.
func mac(key []byte, id, exp string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("gesher tracker\x00" + id + "\x00" + exp))
	return m.Sum(nil)[:macLen]
}

// Token is a tracker token for case id that opens until exp.
func (d *Desk) Token(ctx context.Context, id string, exp time.Time) (string, error) {
	key, err := d.signingKey(ctx)
	if err != nil {
		return "", err
	}
	e := strconv.FormatInt(exp.Unix(), 36)
	return id + "." + e + "." + base64.RawURLEncoding.EncodeToString(mac(key, id, e)), nil
}

// TrackerExpiry is how long a link issued now for c stays good: the case's expected remaining
// life (the expected hours of its stages from the current one on) and the grace after it.
// Every notification carries a fresh link, so a customer always holds one good for the grace
// period after the latest news.
func (d *Desk) TrackerExpiry(c Case, svc Service) time.Time {
	var hours int
	_, pos, ok := svc.Stage(c.Stage)
	if ok {
		for _, st := range svc.Stages[pos:] {
			hours += st.ExpectedHours
		}
	}
	return d.clock.Now().Add(time.Duration(hours)*time.Hour + d.opt.TrackerGrace)
}

// TrackerURL is the tracker link of c, issued now: the public URL and /s/{token}, or the path
// alone when the public URL is not known.
func (d *Desk) TrackerURL(ctx context.Context, c Case, svc Service) (string, time.Time, error) {
	exp := d.TrackerExpiry(c, svc)
	tok, err := d.Token(ctx, c.ID, exp)
	if err != nil {
		return "", exp, err
	}
	return d.base() + "/s/" + tok, exp, nil
}

// ParseToken splits a token into the case id and expiry it claims, without checking the MAC.
// ok is false for anything not shaped like a token.
func ParseToken(tok string) (id string, exp time.Time, sig []byte, ok bool) {
	if len(tok) > 128 {
		return "", time.Time{}, nil, false
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || len(parts[0]) != 26 || len(parts[1]) == 0 || len(parts[1]) > 13 {
		return "", time.Time{}, nil, false
	}
	for _, r := range parts[0] {
		if !strings.ContainsRune("0123456789abcdefghjkmnpqrstvwxyz", r) {
			return "", time.Time{}, nil, false
		}
	}
	for _, r := range parts[1] {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z') {
			return "", time.Time{}, nil, false
		}
	}
	secs, err := strconv.ParseInt(parts[1], 36, 64)
	if err != nil || secs <= 0 || secs > 1<<40 {
		return "", time.Time{}, nil, false
	}
	sig, err = base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil || len(sig) != macLen {
		return "", time.Time{}, nil, false
	}
	return parts[0], time.Unix(secs, 0).UTC(), sig, true
}

// Track opens the case a tracker token leads to. A token that is malformed, tampered with,
// expired or for a case that does not exist is ErrNotFound, every one the same.
func (d *Desk) Track(ctx context.Context, tok string) (Case, Service, error) {
	id, exp, sig, ok := ParseToken(tok)
	if !ok {
		return Case{}, Service{}, ErrNotFound
	}
	key, err := d.signingKey(ctx)
	if err != nil {
		return Case{}, Service{}, err
	}
	// The MAC covers the expiry exactly as written, so a token re-spelt with the same
	// time (a leading zero) is refused like any other change. Both checks fail the same way.
	e := strings.Split(tok, ".")[1]
	if !hmac.Equal(sig, mac(key, id, e)) || !d.clock.Now().Before(exp) {
		return Case{}, Service{}, ErrNotFound
	}
	c, err := d.Case(ctx, id)
	if err != nil {
		return Case{}, Service{}, err
	}
	svc, err := d.GetService(ctx, c.ServiceID)
	return c, svc, err
}

// Viewed records that the customer opened the tracker, in lang.
func (d *Desk) Viewed(ctx context.Context, c Case, lang string) error {
	e := eventFor(CaseTrackerViewed, c)
	e.Actor = event.Actor{Kind: event.ByCustomer, ID: c.CustomerID}
	_, err := d.events.Append(ctx, e, map[string]any{"case_id": c.ID, "stage": c.Stage, "lang": lang})
	return err
}

// Progress is a stage as the tracker shows it.
type Progress struct {
	Stage Stage
	// State is done, current or next.
	State string
	// At is when the case last entered the stage, for stages it has been in.
	At *time.Time
}

// Progress states.
const (
	StateDone    = "done"
	StateCurrent = "current"
	StateNext    = "next"
)

// Timeline is the service's stages with where the case stands on each, and when the next
// stage is expected (zero when the current stage has no estimate or is the last).
func (d *Desk) Timeline(c Case, svc Service) ([]Progress, time.Time) {
	_, pos, _ := svc.Stage(c.Stage)
	entered := map[string]time.Time{}
	for _, h := range c.History {
		entered[h.Stage] = h.At
	}
	out := make([]Progress, len(svc.Stages))
	for i, st := range svc.Stages {
		p := Progress{Stage: st, State: StateNext}
		switch {
		case i < pos:
			p.State = StateDone
		case i == pos:
			p.State = StateCurrent
		}
		if t, ok := entered[st.ID]; ok && i <= pos {
			p.At = &t
		}
		out[i] = p
	}
	var next time.Time
	if pos >= 0 && pos < len(svc.Stages)-1 && svc.Stages[pos].ExpectedHours > 0 {
		next = c.StageAt.Add(time.Duration(svc.Stages[pos].ExpectedHours) * time.Hour)
	}
	return out, next
}
