package assist

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/store"
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

// signingKey returns the page key, creating it on first use; every node signs with the same
// one. It is cached only once the transaction that read or made it commits.
func (s *Service) signingKey(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	k := s.key
	s.mu.Unlock()
	if k != nil {
		return k, nil
	}
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var fresh [32]byte
		if _, err := rand.Read(fresh[:]); err != nil {
			return fmt.Errorf("assist: key: %w", err)
		}
		if _, err := tx.Exec(ctx, sqlInsertKey, keyName, hex.EncodeToString(fresh[:]), s.clock.Now().UnixMilli()); err != nil {
			return fmt.Errorf("assist: create key: %w", err)
		}
		var secret string
		if err := tx.QueryRow(ctx, sqlSelectKey, keyName).Scan(&secret); err != nil {
			return fmt.Errorf("assist: read key: %w", err)
		}
		b, err := hex.DecodeString(secret)
		if err != nil || len(b) < 16 {
			return fmt.Errorf("assist: the stored page key is malformed")
		}
		k = b
		tx.AfterCommit(func() {
			s.mu.Lock()
			s.key = b
			s.mu.Unlock()
		})
		return nil
	})
	return k, err
}

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
