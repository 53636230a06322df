package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func TestAPIToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "bot@example.com", RoleAgent)
		admin := event.Actor{Kind: event.ByUser, ID: "01admin"}
		plain, tok, err := f.svc.CreateToken(ctx, u.ID, " CRM sync ", admin)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(plain, "gsr_") || len(plain) != len("gsr_")+43 {
			t.Errorf("plaintext %q: want gsr_ and 32 random bytes in base64url", plain)
		}
		if tok.UserID != u.ID || tok.Name != "CRM sync" || tok.RevokedAt != nil || tok.LastUsedAt != nil || !tok.CreatedAt.Equal(start) {
			t.Errorf("got %+v", tok)
		}
		got, err := f.svc.TokenUser(ctx, plain)
		if err != nil || got.ID != u.ID {
			t.Errorf("TokenUser: got %+v, %v", got, err)
		}
		// A session token is not an API token, nor the other way round.
		sess, _, _ := f.svc.CreateSession(ctx, u.ID)
		for _, bad := range []string{"", "gsr_", sess, "gsr_" + sess, strings.TrimPrefix(plain, "gsr_"), plain + "x"} {
			if _, err := f.svc.TokenUser(ctx, bad); !errors.Is(err, ErrUnauthenticated) {
				t.Errorf("TokenUser(%q): got %v, want ErrUnauthenticated", bad, err)
			}
		}
		if _, err := f.svc.SessionUser(ctx, plain); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("SessionUser(API token): got %v, want ErrUnauthenticated", err)
		}

		es := f.eventsOf(t, event.TokenCreated)
		if len(es) != 1 || es[0].Actor != admin || !strings.Contains(string(es[0].Data), tok.ID) {
			t.Errorf("got %+v, want one token-created event by the admin naming the token", es)
		}
		secret := strings.TrimPrefix(plain, "gsr_")
		for _, row := range f.dumpTables(t, "api_tokens", "events", "sessions", "users") {
			if strings.Contains(row, secret) {
				t.Errorf("the token's secret is stored: %s", row)
			}
		}

		if err := f.svc.RevokeToken(ctx, tok.ID, admin); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.TokenUser(ctx, plain); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("revoked token: got %v, want ErrUnauthenticated", err)
		}
		if err := f.svc.RevokeToken(ctx, tok.ID, admin); err != nil {
			t.Errorf("revoking twice: %v", err)
		}
		if n := len(f.eventsOf(t, TokenRevoked)); n != 1 {
			t.Errorf("got %d token-revoked events, want 1", n)
		}
		if err := f.svc.RevokeToken(ctx, "nope", admin); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown token: got %v, want ErrNotFound", err)
		}
	})
}

func TestTokenOfDisabledUserStopsWorking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "bot@example.com", RoleAgent)
		plain, _, err := f.svc.CreateToken(ctx, u.ID, "bot", event.System)
		if err != nil {
			t.Fatal(err)
		}
		yes := true
		if _, err := f.svc.UpdateUser(ctx, u.ID, UserPatch{Disabled: &yes}, event.System); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.TokenUser(ctx, plain); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("token of a disabled user: got %v, want ErrUnauthenticated", err)
		}
		var ve *ValidationError
		if _, _, err := f.svc.CreateToken(ctx, u.ID, "another", event.System); !errors.As(err, &ve) {
			t.Errorf("new token for a disabled user: got %v, want a ValidationError", err)
		}
	})
}

func TestListTokensAndLastUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "bot@example.com", RoleAgent)
		v := f.user(t, "other@example.com", RoleAgent)
		plain1, t1, _ := f.svc.CreateToken(ctx, u.ID, "first", event.System)
		f.clock.Advance(time.Second)
		_, t2, _ := f.svc.CreateToken(ctx, u.ID, "second", event.System)
		if _, _, err := f.svc.CreateToken(ctx, v.ID, "theirs", event.System); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.CreateToken(ctx, "nobody", "x", event.System); !errors.Is(err, ErrNotFound) {
			t.Errorf("token for an unknown user: got %v, want ErrNotFound", err)
		}
		var ve *ValidationError
		if _, _, err := f.svc.CreateToken(ctx, u.ID, "  ", event.System); !errors.As(err, &ve) {
			t.Errorf("token without a name: got %v, want a ValidationError", err)
		}

		f.clock.Advance(time.Minute)
		usedAt := f.clock.Now()
		if _, err := f.svc.TokenUser(ctx, plain1); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(30 * time.Second) // within the minute: not written again
		if _, err := f.svc.TokenUser(ctx, plain1); err != nil {
			t.Fatal(err)
		}
		_ = f.svc.RevokeToken(ctx, t2.ID, event.System)

		list, err := f.svc.ListTokens(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != t2.ID || list[1].ID != t1.ID {
			t.Fatalf("got %+v, want the second then the first token", list)
		}
		if list[1].LastUsedAt == nil || !list[1].LastUsedAt.Equal(usedAt) {
			t.Errorf("first token last used: got %v, want %v", list[1].LastUsedAt, usedAt)
		}
		if list[0].RevokedAt == nil || list[0].LastUsedAt != nil {
			t.Errorf("second token: got %+v, want revoked and never used", list[0])
		}
		if got, err := f.svc.GetToken(ctx, t1.ID); err != nil || got.UserID != u.ID || got.Name != "first" {
			t.Errorf("GetToken: got %+v, %v", got, err)
		}
		if none, err := f.svc.ListTokens(ctx, "nobody"); err != nil || none == nil || len(none) != 0 {
			t.Errorf("no tokens: got %#v, %v; want an empty list", none, err)
		}
	})
}
