package auth

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// TokenPrefix starts every API token, so that secret scanners (GitHub's, gitleaks) can
// recognise a leaked one, and so that a token is never mistaken for a session.
const TokenPrefix = "gsr_"

// Token describes an API token. The secret itself is shown once, by CreateToken, and never
// stored.
type Token struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"` // to the minute
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// CreateToken issues an API token acting as userID, named so its owner can tell tokens apart,
// and records event.TokenCreated. It returns the plaintext, which cannot be recovered later.
func (s *Service) CreateToken(ctx context.Context, userID, name string, actor event.Actor) (string, Token, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 || !utf8.ValidString(name) {
		return "", Token{}, &ValidationError{Field: "name", Reason: "must be 1 to 100 characters"}
	}
	plain := TokenPrefix + randomString(32)
	now := s.clock.Now()
	t := Token{ID: store.NewID(now), UserID: userID, Name: name, CreatedAt: fromMS(ms(now))}
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var disabled int64
		err := tx.QueryRow(ctx, sqlUserDisabled, userID).Scan(&disabled)
		if store.IsNoRows(err) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("auth: create token: %w", err)
		}
		if disabled != 0 {
			return &ValidationError{Field: "user_id", Reason: "the user is disabled"}
		}
		if _, err := tx.Exec(ctx, sqlInsertToken, t.ID, userID, name, digest(plain), ms(now)); err != nil {
			return fmt.Errorf("auth: create token: %w", err)
		}
		_, err = s.events.Append(ctx, event.Event{Kind: event.TokenCreated, Actor: actorOr(actor)},
			map[string]any{"token_id": t.ID, "user_id": userID, "name": name})
		return err
	})
	if err != nil {
		return "", Token{}, err
	}
	return plain, t, nil
}

// TokenUser returns the user an API token acts as. An unknown or revoked token, or a disabled
// user, is ErrUnauthenticated. The token's last use is recorded to the minute.
func (s *Service) TokenUser(ctx context.Context, plaintext string) (User, error) {
	// Without the prefix it is not one of ours; no need to ask the database.
	if !strings.HasPrefix(plaintext, TokenPrefix) {
		return User{}, ErrUnauthenticated
	}
	var id string
	var lastUsed, revoked sql.NullInt64
	var u User
	var langs string
	var disabled, created, updated int64
	dest := append([]any{&id, &lastUsed, &revoked}, userCols(&u, &langs, &disabled, &created, &updated)...)
	err := s.db.Q(ctx).QueryRow(ctx, sqlTokenUser, digest(plaintext)).Scan(dest...)
	if store.IsNoRows(err) {
		return User{}, ErrUnauthenticated
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: token: %w", err)
	}
	finishUser(&u, langs, disabled, created, updated)
	if revoked.Valid || u.Disabled {
		return User{}, ErrUnauthenticated
	}
	now := ms(s.clock.Now())
	if !lastUsed.Valid || now-lastUsed.Int64 >= touchEvery.Milliseconds() {
		if _, err := s.exec(ctx, sqlTouchToken, now, id, now-touchEvery.Milliseconds()); err != nil {
			return User{}, fmt.Errorf("auth: touch token: %w", err)
		}
	}
	return u, nil
}

// GetToken returns the token with id, revoked or not, or ErrNotFound; the web layer uses it to
// check whose token a caller is about to revoke.
func (s *Service) GetToken(ctx context.Context, id string) (Token, error) {
	t, err := scanToken(s.db.Q(ctx).QueryRow(ctx, sqlTokenByID, id))
	if store.IsNoRows(err) {
		return Token{}, ErrNotFound
	}
	if err != nil {
		return Token{}, fmt.Errorf("auth: get token %s: %w", id, err)
	}
	return t, nil
}

// RevokeToken stops a token from working, at once and for good, and records TokenRevoked.
// Revoking a revoked token changes nothing and is not an error.
func (s *Service) RevokeToken(ctx context.Context, id string, actor event.Actor) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		t, err := scanToken(tx.QueryRow(ctx, sqlTokenByID, id))
		if store.IsNoRows(err) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("auth: revoke token %s: %w", id, err)
		}
		if t.RevokedAt != nil {
			return nil
		}
		if _, err := tx.Exec(ctx, sqlRevokeToken, ms(s.clock.Now()), id); err != nil {
			return fmt.Errorf("auth: revoke token %s: %w", id, err)
		}
		_, err = s.events.Append(ctx, event.Event{Kind: TokenRevoked, Actor: actorOr(actor)},
			map[string]any{"token_id": id, "user_id": t.UserID, "name": t.Name})
		return err
	})
}

// ListTokens returns a user's tokens, newest first, revoked ones included.
func (s *Service) ListTokens(ctx context.Context, userID string) ([]Token, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlListTokens, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: list tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("auth: list tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func scanToken(r scanner) (Token, error) {
	var t Token
	var created int64
	var lastUsed, revoked sql.NullInt64
	if err := r.Scan(&t.ID, &t.UserID, &t.Name, &created, &lastUsed, &revoked); err != nil {
		return Token{}, err
	}
	t.CreatedAt = fromMS(created)
	t.LastUsedAt, t.RevokedAt = optTime(lastUsed), optTime(revoked)
	return t, nil
}

func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}
