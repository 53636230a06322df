package assist

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// PageKind is what a page a visitor is on shows.
type PageKind string

// The pages the server signs for the widget.
const (
	PageSearch  PageKind = "search"  // the help centre's answer page for one recorded search
	PageArticle PageKind = "article" // a help article
	PageFlow    PageKind = "flow"    // a step of a guided flow (or its end)
	PageOther   PageKind = "page"    // any other page of the help centre
)

// Page is what the server knew when it rendered a page: the widget carries it back, signed,
// with each signal from that page. Nothing in it can be changed without the key.
type Page struct {
	Kind     PageKind `json:"k"`
	Ref      string   `json:"r,omitempty"` // the search id, the article id, the service id
	Query    string   `json:"q,omitempty"` // the search's words
	Results  int      `json:"n,omitempty"` // how many articles the search found
	Category string   `json:"c,omitempty"` // the article's topic
	Step     string   `json:"s,omitempty"` // the flow step's id
	Error    bool     `json:"e,omitempty"` // the flow step refused the answer just sent
	Done     bool     `json:"d,omitempty"` // the flow finished (or stopped at a limit) and opened a case
	Nonce    string   `json:"o"`           // one per rendering, so a page counts once however often its widget reports it
	Issued   int64    `json:"t"`           // Unix seconds
}

// PageTTL is how long a page token is good for: a tab left open longer reports nothing more.
const PageTTL = 2 * time.Hour

// maxPageToken bounds the token the widget may send back (a search's words are at most 300
// bytes).
const maxPageToken = 2048

const keyName = "assist-page"

// signingKey returns the page key (internal/signing), made on first use; every node signs
// with the same one.
func (s *Service) signingKey(ctx context.Context) ([]byte, error) { return s.key.Bytes(ctx) }

func pageMAC(key, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("gesher assist page\x00"))
	m.Write(payload)
	return m.Sum(nil)[:16]
}

// PageToken signs what a page shows, for the widget on it.
func (s *Service) PageToken(ctx context.Context, p Page) (string, error) {
	key, err := s.signingKey(ctx)
	if err != nil {
		return "", err
	}
	if p.Nonce == "" {
		var b [9]byte
		_, _ = rand.Read(b[:])
		p.Nonce = base64.RawURLEncoding.EncodeToString(b[:])
	}
	p.Issued = s.clock.Now().Unix()
	p.Query = clip(p.Query, 300)
	payload, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("assist: page token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(pageMAC(key, payload)), nil
}

// OpenPage returns the page a token describes. A token that is malformed, tampered with or
// expired is ErrBadPage, every one the same.
func (s *Service) OpenPage(ctx context.Context, tok string) (Page, error) {
	var p Page
	body, sig, ok := strings.Cut(tok, ".")
	if !ok || len(tok) > maxPageToken {
		return p, ErrBadPage
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(body)
	mac, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil {
		return p, ErrBadPage
	}
	key, err := s.signingKey(ctx)
	if err != nil {
		return p, err
	}
	if !hmac.Equal(mac, pageMAC(key, payload)) {
		return p, ErrBadPage
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		return p, ErrBadPage
	}
	issued := time.Unix(p.Issued, 0)
	if now := s.clock.Now(); now.Sub(issued) > PageTTL || issued.Sub(now) > time.Minute {
		return p, ErrBadPage
	}
	switch p.Kind {
	case PageSearch, PageArticle, PageFlow, PageOther:
	default:
		return p, ErrBadPage
	}
	return p, nil
}

// clip cuts s to at most n bytes, on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
