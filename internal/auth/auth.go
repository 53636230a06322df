package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// Event kinds auth writes besides event.UserCreated and event.TokenCreated, so that the log is
// also the audit trail of who changed whose access.
const (
	UserUpdated     event.Kind = "user.updated"
	PasswordChanged event.Kind = "user.password-changed"
	TokenRevoked    event.Kind = "user.token-revoked"
)

// Errors. The web layer maps them to statuses; their text is safe to show.
var (
	ErrNotFound        = errors.New("not found")
	ErrEmailTaken      = errors.New("a user with this email address already exists")
	ErrBadCredentials  = errors.New("wrong email or password")
	ErrUnauthenticated = errors.New("not signed in, or the session has expired")
)

// ValidationError names a field that is wrong.
type ValidationError struct{ Field, Reason string }

func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

// Options tune the service. Zero values take the defaults.
type Options struct {
	// Argon is the cost of new password hashes; DefaultArgon when zero.
	Argon ArgonParams
	// SessionIdle ends a session nobody has used for this long (12 hours).
	SessionIdle time.Duration
	// SessionMaxAge ends a session this long after sign-in, however busy (7 days).
	SessionMaxAge time.Duration
	// MaxHashes bounds how many password hashes run at once (GOMAXPROCS). Each holds
	// Argon.Memory, so without a bound a burst of sign-ins could exhaust the machine's memory.
	MaxHashes int
	// Logger receives what the service cannot return: a failed re-hash after a good sign-in.
	Logger *slog.Logger
}

// touchEvery is how stale a session's last_seen_at or a token's last_used_at may be before a
// request writes it again. Writing on every request would put a write behind every read;
// the price is that idle expiry may come up to this much early.
const touchEvery = time.Minute

// Service manages users, sessions and API tokens.
type Service struct {
	db     *store.DB
	clock  clock.Clock
	events *event.Log
	opt    Options
	sem    chan struct{}

	dummyOnce sync.Once
	dummy     string
	dummyErr  error
}

// NewService returns the auth service. It panics if opt.Argon is set and invalid, which is a
// programming or configuration error; check it first with ArgonParams.Validate.
func NewService(db *store.DB, clk clock.Clock, events *event.Log, opt Options) *Service {
	if opt.Argon == (ArgonParams{}) {
		opt.Argon = DefaultArgon()
	}
	if err := opt.Argon.Validate(); err != nil {
		panic("auth: " + err.Error())
	}
	if opt.SessionIdle <= 0 {
		opt.SessionIdle = 12 * time.Hour
	}
	if opt.SessionMaxAge <= 0 {
		opt.SessionMaxAge = 7 * 24 * time.Hour
	}
	if opt.MaxHashes <= 0 {
		opt.MaxHashes = runtime.GOMAXPROCS(0)
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	return &Service{db: db, clock: clk, events: events, opt: opt, sem: make(chan struct{}, opt.MaxHashes)}
}

// hash hashes pw with the service's parameters, waiting for a free hashing slot.
func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	if err := s.acquire(ctx); err != nil {
		return "", err
	}
	defer s.release()
	return HashPassword(pw, s.opt.Argon)
}

// verify checks pw against encoded, waiting for a free hashing slot.
func (s *Service) verify(ctx context.Context, encoded, pw string) (bool, error) {
	if err := s.acquire(ctx); err != nil {
		return false, err
	}
	defer s.release()
	return VerifyPassword(encoded, pw)
}

func (s *Service) acquire(ctx context.Context) error {
	select {
	case s.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("auth: waiting to hash a password: %w", ctx.Err())
	}
}

func (s *Service) release() { <-s.sem }

// dummyHash is a hash of a random password with the current parameters. Checking a password
// against it for an unknown email makes that answer take as long as a wrong password does, so
// response times do not reveal which emails have accounts.
func (s *Service) dummyHash() (string, error) {
	s.dummyOnce.Do(func() {
		s.dummy, s.dummyErr = HashPassword(randomString(16), s.opt.Argon)
	})
	return s.dummy, s.dummyErr
}

// randomString returns n random bytes in unpadded base64url.
func randomString(n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never fails on supported platforms; it crashes the program instead.
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// digest is how a bearer secret is stored and looked up: its SHA-256, in hex. The secrets are
// 256 random bits, so a fast hash suffices; a stolen table yields nothing usable.
func digest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// actorOr returns a, or the system when a is unset (seeding, the command line).
func actorOr(a event.Actor) event.Actor {
	if a.Kind == "" {
		return event.System
	}
	return a
}

// exec runs one statement in the transaction carried by ctx, or a new one, and returns how many
// rows it changed.
func (s *Service) exec(ctx context.Context, q string, args ...any) (int64, error) {
	var n int64
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		res, err := tx.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }
