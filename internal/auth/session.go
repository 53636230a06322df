package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/gesher-cs/gesher/internal/store"
)

// CreateSession signs userID in and returns the session's secret token, for the cookie, and
// the time the session ends at the latest (SessionMaxAge from now; use it as the cookie's
// expiry). It ends sooner if unused for SessionIdle. Only the token's SHA-256 is stored.
// An unknown user is ErrNotFound, a disabled one ErrUnauthenticated.
func (s *Service) CreateSession(ctx context.Context, userID string) (token string, expires time.Time, err error) {
	token = randomString(32)
	now := s.clock.Now()
	exp := now.Add(s.opt.SessionMaxAge)
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var disabled int64
		err := tx.QueryRow(ctx, sqlUserDisabled, userID).Scan(&disabled)
		if store.IsNoRows(err) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("auth: create session: %w", err)
		}
		if disabled != 0 {
			return ErrUnauthenticated
		}
		if _, err := tx.Exec(ctx, sqlInsertSession, digest(token), userID, ms(now), ms(exp), ms(now)); err != nil {
			return fmt.Errorf("auth: create session: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return token, fromMS(ms(exp)), nil
}

// SessionUser returns the user signed in with token. A missing, unknown, expired or idle
// session, or a disabled user, is ErrUnauthenticated. Each use keeps the session alive for
// another SessionIdle, but the store is written at most once a minute per session.
func (s *Service) SessionUser(ctx context.Context, token string) (User, error) {
	if token == "" {
		return User{}, ErrUnauthenticated
	}
	h := digest(token)
	var u User
	var langs string
	var expires, lastSeen, disabled, created, updated int64
	dest := append([]any{&expires, &lastSeen}, userCols(&u, &langs, &disabled, &created, &updated)...)
	err := s.db.Q(ctx).QueryRow(ctx, sqlSessionUser, h).Scan(dest...)
	if store.IsNoRows(err) {
		return User{}, ErrUnauthenticated
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: session: %w", err)
	}
	finishUser(&u, langs, disabled, created, updated)
	now := ms(s.clock.Now())
	// Expired sessions are deleted when met, so that a clock stepped back (NTP, a restored
	// VM snapshot) cannot bring one back.
	if now >= expires || now >= lastSeen+s.opt.SessionIdle.Milliseconds() {
		if _, err := s.exec(ctx, sqlDeleteSession, h); err != nil {
			return User{}, fmt.Errorf("auth: end expired session: %w", err)
		}
		return User{}, ErrUnauthenticated
	}
	// Disabling a user deletes their sessions; this check also covers a user disabled by
	// other means (by hand in SQL, a restore).
	if u.Disabled {
		return User{}, ErrUnauthenticated
	}
	if now-lastSeen >= touchEvery.Milliseconds() {
		// Conditional, so that concurrent requests of one session write at most once.
		if _, err := s.exec(ctx, sqlTouchSession, now, h, now-touchEvery.Milliseconds()); err != nil {
			return User{}, fmt.Errorf("auth: touch session: %w", err)
		}
	}
	return u, nil
}

// DeleteSession signs a session out. Signing out a session that does not exist is not an error.
func (s *Service) DeleteSession(ctx context.Context, token string) error {
	if _, err := s.exec(ctx, sqlDeleteSession, digest(token)); err != nil {
		return fmt.Errorf("auth: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions signs a user out everywhere.
func (s *Service) DeleteUserSessions(ctx context.Context, userID string) error {
	if _, err := s.exec(ctx, sqlDeleteUserSessions, userID); err != nil {
		return fmt.Errorf("auth: delete sessions of %s: %w", userID, err)
	}
	return nil
}

// PurgeSessions deletes expired and idle sessions and says how many. They already fail
// SessionUser; this only keeps the table small, and is meant for a periodic job.
func (s *Service) PurgeSessions(ctx context.Context) (int64, error) {
	now := s.clock.Now()
	n, err := s.exec(ctx, sqlPurgeSessions, ms(now), ms(now.Add(-s.opt.SessionIdle)))
	if err != nil {
		return 0, fmt.Errorf("auth: purge sessions: %w", err)
	}
	return n, nil
}
