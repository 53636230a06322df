package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// Two-step sign-in with time-based one-time codes (RFC 6238): the parameters every
// authenticator app understands — HMAC-SHA1, six digits, a 30-second step.
const (
	totpDigits = 6
	totpStep   = 30 * time.Second
	// totpSkew is how many steps either side of now a code may be from: a phone whose clock
	// is a little off still signs in.
	totpSkew = 1
)

// Event kinds of two-step sign-in.
const (
	TOTPEnabled  event.Kind = "user.totp-enabled"
	TOTPDisabled event.Kind = "user.totp-disabled"
)

// Errors of two-step sign-in.
var (
	// ErrTOTPRequired: the password was right, and the user has two-step sign-in on.
	ErrTOTPRequired = errors.New("this account signs in with a code from an authenticator app too")
	// ErrBadTOTP: the code is wrong, expired or already used.
	ErrBadTOTP = errors.New("the code is wrong or has expired")
	// ErrTOTPOn: setting up a second secret while one is in force.
	ErrTOTPOn = errors.New("two-step sign-in is on: turn it off first")
	// ErrTOTPNotStarted: confirming a code before asking for a secret.
	ErrTOTPNotStarted = errors.New("start setting up two-step sign-in first")
)

// TOTPSetup is what an authenticator app needs: the secret, and the otpauth:// link a QR code
// carries.
type TOTPSetup struct {
	Secret string `json:"secret"`
	URL    string `json:"otpauth_url"`
}

// BeginTOTP gives the user a new secret, not yet in force: it takes effect when ConfirmTOTP
// sees a code made from it, so a mistyped secret never locks anyone out. Beginning again
// replaces a secret not yet confirmed; one in force must be turned off first (which takes the
// password), so a stolen session alone cannot move someone's second step to another phone.
func (s *Service) BeginTOTP(ctx context.Context, userID, issuer string) (TOTPSetup, error) {
	u, err := s.GetUser(ctx, userID)
	if err != nil {
		return TOTPSetup{}, err
	}
	raw := make([]byte, 20)
	if _, err := rand.Read(raw); err != nil {
		return TOTPSetup{}, fmt.Errorf("auth: totp secret: %w", err)
	}
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)
	if u.TOTPEnabled {
		return TOTPSetup{}, ErrTOTPOn
	}
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Exec(ctx, sqlSetTOTPSecret, secret, ms(s.clock.Now()), userID)
		return err
	})
	if err != nil {
		return TOTPSetup{}, fmt.Errorf("auth: begin totp %s: %w", userID, err)
	}
	label := url.PathEscape(issuer + ":" + u.Email)
	q := url.Values{"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return TOTPSetup{Secret: secret, URL: "otpauth://totp/" + label + "?" + q.Encode()}, nil
}

// ConfirmTOTP turns two-step sign-in on once the user shows a code from the new secret.
func (s *Service) ConfirmTOTP(ctx context.Context, userID, code string, actor event.Actor) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var secret string
		var enabled int
		var last int64
		err := tx.QueryRow(ctx, sqlTOTPState, userID).Scan(&secret, &enabled, &last)
		if store.IsNoRows(err) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("auth: confirm totp: %w", err)
		}
		if secret == "" {
			return ErrTOTPNotStarted
		}
		step, ok := matchTOTP(secret, code, s.clock.Now(), 0)
		if !ok {
			return ErrBadTOTP
		}
		if _, err := tx.Exec(ctx, sqlEnableTOTP, step, ms(s.clock.Now()), userID, secret); err != nil {
			return fmt.Errorf("auth: confirm totp: %w", err)
		}
		_, err = s.events.Append(ctx, event.Event{Kind: TOTPEnabled, Actor: actorOr(actor)}, map[string]any{"user_id": userID})
		return err
	})
}

// DisableTOTP turns two-step sign-in off (the user, with their password checked by the
// caller, or an admin for someone who lost their phone).
func (s *Service) DisableTOTP(ctx context.Context, userID string, actor event.Actor) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		res, err := tx.Exec(ctx, sqlDisableTOTP, ms(s.clock.Now()), userID)
		if err != nil {
			return fmt.Errorf("auth: disable totp: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		_, err = s.events.Append(ctx, event.Event{Kind: TOTPDisabled, Actor: actorOr(actor)}, map[string]any{"user_id": userID})
		return err
	})
}

// CheckTOTP accepts a code for a user with two-step sign-in on, once: the same code (or an
// older one) is refused afterwards, even within its 30 seconds.
func (s *Service) CheckTOTP(ctx context.Context, userID, code string) error {
	var secret string
	var enabled int
	var last int64
	if err := s.db.Q(ctx).QueryRow(ctx, sqlTOTPState, userID).Scan(&secret, &enabled, &last); err != nil {
		if store.IsNoRows(err) {
			return ErrNotFound
		}
		return fmt.Errorf("auth: check totp: %w", err)
	}
	if enabled == 0 {
		return nil
	}
	step, ok := matchTOTP(secret, code, s.clock.Now(), last)
	if !ok {
		return ErrBadTOTP
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		res, err := tx.Exec(ctx, sqlUseTOTPStep, step, userID, step)
		if err != nil {
			return fmt.Errorf("auth: check totp: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrBadTOTP // another sign-in took this code a moment ago
		}
		return nil
	})
}

// matchTOTP finds the step, within the skew of now and after the last one used, whose code is
// code.
func matchTOTP(secret, code string, now time.Time, after int64) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != totpDigits {
		return 0, false
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(secret))
	if err != nil {
		return 0, false
	}
	current := now.Unix() / int64(totpStep/time.Second)
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		step := current + d
		if step <= after {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(totpCode(key, step)), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// totpCode is RFC 4226's HOTP value for the counter, as six digits.
func totpCode(key []byte, counter int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, v%1_000_000)
}

// TOTPCode returns the code for secret at t, as an authenticator app would show it. Tests and
// the command line use it; the server only ever checks codes.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(secret))
	if err != nil {
		return "", fmt.Errorf("auth: totp secret: %w", err)
	}
	return totpCode(key, t.Unix()/int64(totpStep/time.Second)), nil
}
