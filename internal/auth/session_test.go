package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func TestSessionSignsIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "dana@example.com", RoleAgent)
		token, expires, err := f.svc.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if raw, err := base64.RawURLEncoding.DecodeString(token); err != nil || len(raw) != 32 {
			t.Errorf("token %q: want 32 random bytes in base64url", token)
		}
		if want := start.Add(7 * 24 * time.Hour); !expires.Equal(want) {
			t.Errorf("expires: got %v, want %v (the absolute limit, for the cookie)", expires, want)
		}
		got, err := f.svc.SessionUser(ctx, token)
		if err != nil || got.ID != u.ID || got.Email != u.Email {
			t.Errorf("got %+v, %v; want %s", got, err, u.ID)
		}
		other, _, _ := f.svc.CreateSession(ctx, u.ID)
		if other == token {
			t.Error("two sessions got the same token")
		}
		for _, bad := range []string{"", token + "x", strings.ToUpper(token), "gsr_" + token} {
			if _, err := f.svc.SessionUser(ctx, bad); !errors.Is(err, ErrUnauthenticated) {
				t.Errorf("token %q: got %v, want ErrUnauthenticated", bad, err)
			}
		}
		for _, row := range f.dumpTables(t, "sessions", "events") {
			if strings.Contains(row, token) || strings.Contains(row, other) {
				t.Errorf("a session token is stored in plain: %s", row)
			}
		}
		if _, _, err := f.svc.CreateSession(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown user: got %v, want ErrNotFound", err)
		}
	})
}

func TestSessionIdleExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "dana@example.com", RoleAgent)
		token, _, err := f.svc.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Used every 11 hours, the session lives on past the 12-hour idle limit…
		for i := 0; i < 3; i++ {
			f.clock.Advance(11 * time.Hour)
			if _, err := f.svc.SessionUser(ctx, token); err != nil {
				t.Fatalf("after %dh of regular use: %v", 11*(i+1), err)
			}
		}
		// …and ends once unused for 12 hours.
		f.clock.Advance(12 * time.Hour)
		if _, err := f.svc.SessionUser(ctx, token); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("after 12h idle: got %v, want ErrUnauthenticated", err)
		}
		// The expired session is gone, so turning the clock back does not revive it.
		f.clock.Advance(-12 * time.Hour)
		if _, err := f.svc.SessionUser(ctx, token); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("after expiry, clock turned back: got %v, want ErrUnauthenticated", err)
		}
	})
}

func TestSessionAbsoluteExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "dana@example.com", RoleAgent)
		token, expires, err := f.svc.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		// However busy, a session ends 7 days after sign-in.
		for f.clock.Now().Add(time.Hour).Before(expires) {
			f.clock.Advance(time.Hour)
			if _, err := f.svc.SessionUser(ctx, token); err != nil {
				t.Fatalf("at %v, before the absolute limit: %v", f.clock.Now(), err)
			}
		}
		f.clock.Set(expires)
		if _, err := f.svc.SessionUser(ctx, token); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("at the absolute limit: got %v, want ErrUnauthenticated", err)
		}
	})
}

func TestSessionWritesAtMostOncePerMinute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "dana@example.com", RoleAgent)
		token, _, err := f.svc.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		lastSeen := func() time.Time {
			var v int64
			if err := db.QueryRow(ctx, `SELECT last_seen_at FROM sessions WHERE token_hash = ?`, digest(token)).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return fromMS(v)
		}
		f.clock.Advance(59 * time.Second)
		if _, err := f.svc.SessionUser(ctx, token); err != nil {
			t.Fatal(err)
		}
		if got := lastSeen(); !got.Equal(start) {
			t.Errorf("59s after sign-in: last_seen_at %v, want unchanged %v", got, start)
		}
		f.clock.Advance(time.Second)
		if _, err := f.svc.SessionUser(ctx, token); err != nil {
			t.Fatal(err)
		}
		if got, want := lastSeen(), start.Add(time.Minute); !got.Equal(want) {
			t.Errorf("60s after sign-in: last_seen_at %v, want %v", got, want)
		}
	})
}

func TestSessionDeletion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "dana@example.com", RoleAgent)
		v := f.user(t, "yossi@example.com", RoleAgent)
		t1, _, _ := f.svc.CreateSession(ctx, u.ID)
		t2, _, _ := f.svc.CreateSession(ctx, u.ID)
		t3, _, _ := f.svc.CreateSession(ctx, v.ID)

		if err := f.svc.DeleteSession(ctx, t1); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SessionUser(ctx, t1); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("signed-out session: got %v, want ErrUnauthenticated", err)
		}
		if _, err := f.svc.SessionUser(ctx, t2); err != nil {
			t.Errorf("signing one session out ended another: %v", err)
		}
		if err := f.svc.DeleteSession(ctx, t1); err != nil {
			t.Errorf("signing out twice: %v", err)
		}

		if err := f.svc.DeleteUserSessions(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SessionUser(ctx, t2); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("after signing out everywhere: got %v, want ErrUnauthenticated", err)
		}
		if got, err := f.svc.SessionUser(ctx, t3); err != nil || got.ID != v.ID {
			t.Errorf("another user's session: got %+v, %v", got, err)
		}
	})
}

func TestDisabledUsersSessionsEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "dana@example.com", RoleAgent)
		token, _, _ := f.svc.CreateSession(ctx, u.ID)
		yes, no := true, false
		if _, err := f.svc.UpdateUser(ctx, u.ID, UserPatch{Disabled: &yes}, event.System); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SessionUser(ctx, token); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("disabled user's session: got %v, want ErrUnauthenticated", err)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM sessions WHERE user_id = ?`, u.ID); n != 0 {
			t.Errorf("got %d sessions left for a disabled user, want 0", n)
		}
		if _, _, err := f.svc.CreateSession(ctx, u.ID); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("new session for a disabled user: got %v, want ErrUnauthenticated", err)
		}
		// Re-enabled, the user signs in afresh; the old session stays dead.
		if _, err := f.svc.UpdateUser(ctx, u.ID, UserPatch{Disabled: &no}, event.System); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SessionUser(ctx, token); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("old session after re-enabling: got %v, want ErrUnauthenticated", err)
		}

		// Even a session left behind (a user disabled by hand in SQL) is refused.
		token, _, _ = f.svc.CreateSession(ctx, u.ID)
		if _, err := db.Writer().ExecContext(ctx, db.Rebind(`UPDATE users SET disabled = 1 WHERE id = ?`), u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SessionUser(ctx, token); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("session of a user disabled in SQL: got %v, want ErrUnauthenticated", err)
		}
	})
}

func TestPurgeSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "dana@example.com", RoleAgent)
		old, _, _ := f.svc.CreateSession(ctx, u.ID)
		f.clock.Advance(6 * time.Hour)
		fresh, _, _ := f.svc.CreateSession(ctx, u.ID)
		f.clock.Advance(6 * time.Hour)
		n, err := f.svc.PurgeSessions(ctx)
		if err != nil || n != 1 {
			t.Errorf("got %d, %v; want 1 idle session purged", n, err)
		}
		if _, err := f.svc.SessionUser(ctx, fresh); err != nil {
			t.Errorf("the fresh session: %v", err)
		}
		if _, err := f.svc.SessionUser(ctx, old); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("the purged session: got %v", err)
		}
	})
}
