package auth

import (
	"context"
	"encoding/base32"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// RFC 6238 appendix B's SHA-1 vectors, cut to the six digits authenticator apps show.
func TestTOTPCodeMatchesTheRFCVectors(t *testing.T) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	for _, c := range []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"}} {
		got, err := TOTPCode(secret, time.Unix(c.unix, 0))
		if err != nil || got != c.want {
			t.Errorf("code at %d = %q, %v; want %q", c.unix, got, err, c.want)
		}
	}
}

func TestTwoStepSignInIsConfirmedThenAsked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "dana@example.com", RoleAgent)
		noa := event.Actor{Kind: event.ByUser, ID: u.ID}
		if err := f.svc.CheckTOTP(ctx, u.ID, ""); err != nil {
			t.Fatalf("without two-step sign-in any code passes: %v", err)
		}
		setup, err := f.svc.BeginTOTP(ctx, u.ID, "Gesher")
		if err != nil {
			t.Fatal(err)
		}
		link, err := url.Parse(setup.URL)
		if err != nil || link.Scheme != "otpauth" || link.Query().Get("secret") != setup.Secret || !strings.Contains(link.Path, "dana@example.com") {
			t.Errorf("otpauth URL %q; want the secret and the account in it", setup.URL)
		}
		// Not in force until confirmed: a sign-in asks for nothing yet.
		if got, _ := f.svc.GetUser(ctx, u.ID); got.TOTPEnabled {
			t.Fatal("two-step sign-in is on before the first code was confirmed")
		}
		if err := f.svc.ConfirmTOTP(ctx, u.ID, "000000", noa); !errors.Is(err, ErrBadTOTP) {
			t.Errorf("confirming with a wrong code: %v; want ErrBadTOTP", err)
		}
		code, _ := TOTPCode(setup.Secret, f.clock.Now())
		if err := f.svc.ConfirmTOTP(ctx, u.ID, code, noa); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.svc.GetUser(ctx, u.ID); !got.TOTPEnabled {
			t.Fatal("two-step sign-in is off after confirming")
		}
		if n, _ := f.events.Count(ctx, TOTPEnabled); n != 1 {
			t.Errorf("%d %s events; want 1", n, TOTPEnabled)
		}
		// The code that confirmed cannot sign in; the next one can, once.
		if err := f.svc.CheckTOTP(ctx, u.ID, code); !errors.Is(err, ErrBadTOTP) {
			t.Errorf("the confirming code again: %v; want it refused", err)
		}
		f.clock.Advance(30 * time.Second)
		next, _ := TOTPCode(setup.Secret, f.clock.Now())
		if err := f.svc.CheckTOTP(ctx, u.ID, next[:3]+" "+next[3:]); err != nil {
			t.Errorf("the next code, typed with a space: %v", err)
		}
		if err := f.svc.CheckTOTP(ctx, u.ID, next); !errors.Is(err, ErrBadTOTP) {
			t.Errorf("the same code twice: %v; want ErrBadTOTP", err)
		}
		// A phone 30 seconds slow still works; five minutes slow does not.
		f.clock.Advance(60 * time.Second)
		late, _ := TOTPCode(setup.Secret, f.clock.Now().Add(-30*time.Second))
		if err := f.svc.CheckTOTP(ctx, u.ID, late); err != nil {
			t.Errorf("a code one step old: %v", err)
		}
		f.clock.Advance(30 * time.Second)
		stale, _ := TOTPCode(setup.Secret, f.clock.Now().Add(-5*time.Minute))
		if err := f.svc.CheckTOTP(ctx, u.ID, stale); !errors.Is(err, ErrBadTOTP) {
			t.Errorf("a code five minutes old: %v; want ErrBadTOTP", err)
		}
		if _, err := f.svc.BeginTOTP(ctx, u.ID, "Gesher"); !errors.Is(err, ErrTOTPOn) {
			t.Errorf("a second setup while on: %v; want ErrTOTPOn", err)
		}
		if err := f.svc.DisableTOTP(ctx, u.ID, noa); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.CheckTOTP(ctx, u.ID, ""); err != nil {
			t.Errorf("after turning it off: %v; want no code needed", err)
		}
	})
}
