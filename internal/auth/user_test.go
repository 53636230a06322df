package auth

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func TestCreateUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		admin := event.Actor{Kind: event.ByUser, ID: "01admin"}
		u, err := f.svc.CreateUser(ctx, NewUser{Email: "  Dana@Example.com ", Name: " Dana Levi ", Role: RoleAgent,
			Password: "0123456789", Languages: []string{"he", "EN"}, Actor: admin})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "dana@example.com" || u.Name != "Dana Levi" || u.Role != RoleAgent || u.Availability != AvailabilityOffline ||
			!slices.Equal(u.Languages, []string{"he", "en"}) || len(u.ID) != 26 || !u.CreatedAt.Equal(start) {
			t.Errorf("got %+v", u)
		}
		got, err := f.svc.GetUser(ctx, u.ID)
		if err != nil || got.Email != u.Email || !slices.Equal(got.Languages, u.Languages) || !got.CreatedAt.Equal(u.CreatedAt) {
			t.Errorf("GetUser: got %+v, %v; want %+v", got, err, u)
		}
		if got, err := f.svc.UserByEmail(ctx, "DANA@example.COM"); err != nil || got.ID != u.ID {
			t.Errorf("UserByEmail in other case: got %+v, %v", got, err)
		}

		es := f.eventsOf(t, event.UserCreated)
		if len(es) != 1 || es[0].Actor != admin {
			t.Fatalf("got %d user.created events (%+v), want 1 by the admin", len(es), es)
		}
		var data map[string]any
		_ = json.Unmarshal(es[0].Data, &data)
		if data["user_id"] != u.ID || data["role"] != "agent" {
			t.Errorf("event data: got %s", es[0].Data)
		}
		if strings.Contains(string(es[0].Data), "argon2") || strings.Contains(string(es[0].Data), "0123456789") {
			t.Errorf("event data holds the password or its hash: %s", es[0].Data)
		}

		for _, email := range []string{"dana@example.com", "DANA@EXAMPLE.COM", " dana@Example.Com"} {
			if _, err := f.svc.CreateUser(ctx, NewUser{Email: email, Role: RoleAdmin, Password: "0123456789"}); !errors.Is(err, ErrEmailTaken) {
				t.Errorf("duplicate %q: got %v, want ErrEmailTaken", email, err)
			}
		}
		if n := f.count(t, `SELECT COUNT(*) FROM users`); n != 1 {
			t.Errorf("got %d users, want 1", n)
		}
		if n := len(f.eventsOf(t, event.UserCreated)); n != 1 {
			t.Errorf("got %d user.created events after refused duplicates, want 1", n)
		}
	})
}

func TestCreateUserValidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ok := NewUser{Email: "a@example.com", Role: RoleAgent, Password: "0123456789"}
		for _, c := range []struct {
			field string
			edit  func(*NewUser)
		}{
			{"email", func(n *NewUser) { n.Email = "not an email" }},
			{"role", func(n *NewUser) { n.Role = "owner" }},
			{"role", func(n *NewUser) { n.Role = "" }},
			{"password", func(n *NewUser) { n.Password = "short" }},
			{"languages", func(n *NewUser) { n.Languages = []string{"klingon!"} }},
			{"name", func(n *NewUser) { n.Name = strings.Repeat("x", 201) }},
		} {
			nu := ok
			c.edit(&nu)
			_, err := f.svc.CreateUser(context.Background(), nu)
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != c.field {
				t.Errorf("%+v: got %v, want a ValidationError on %s", nu, err, c.field)
			}
		}
		if n := f.count(t, `SELECT COUNT(*) FROM users`); n != 0 {
			t.Errorf("got %d users, want none", n)
		}
	})
}

func TestAuthenticate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "dana@example.com", RoleAgent)

		got, err := f.svc.Authenticate(ctx, " DANA@example.com", "password-agent")
		if err != nil || got.ID != u.ID {
			t.Errorf("right password: got %+v, %v", got, err)
		}
		for _, c := range []struct{ email, pw string }{
			{"dana@example.com", "password-Agent"},
			{"dana@example.com", ""},
			{"nobody@example.com", "password-agent"},
			{"not an email", "password-agent"},
			{"", ""},
		} {
			if got, err := f.svc.Authenticate(ctx, c.email, c.pw); !errors.Is(err, ErrBadCredentials) || got.ID != "" {
				t.Errorf("Authenticate(%q, %q): got %+v, %v; want ErrBadCredentials", c.email, c.pw, got, err)
			}
		}
		// An unknown email is checked against a real hash, so it costs what a wrong password costs.
		if f.svc.dummy == "" {
			t.Error("no dummy hash was computed for the unknown email")
		}

		disabled := true
		if _, err := f.svc.UpdateUser(ctx, u.ID, UserPatch{Disabled: &disabled}, event.System); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Authenticate(ctx, "dana@example.com", "password-agent"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("disabled user: got %v, want ErrBadCredentials", err)
		}
	})
}

func TestAuthenticateRehashesWithNewParameters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "dana@example.com", RoleAgent)
		stored := func() string {
			var h string
			if err := db.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = ?`, u.ID).Scan(&h); err != nil {
				t.Fatal(err)
			}
			return h
		}
		before := stored()

		// The operator raises the cost; existing hashes keep working and are upgraded on sign-in.
		raised := CheapArgon()
		raised.Memory, raised.Time = 128, 2
		svc := NewService(db, clock.NewManual(start), f.events, Options{Argon: raised})
		if _, err := svc.Authenticate(ctx, "dana@example.com", "wrong password"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("got %v", err)
		}
		if stored() != before {
			t.Error("a failed sign-in changed the stored hash")
		}
		if _, err := svc.Authenticate(ctx, "dana@example.com", "password-agent"); err != nil {
			t.Fatal(err)
		}
		after := stored()
		if !strings.Contains(after, "$m=128,t=2,p=1$") {
			t.Errorf("got %q, want it re-hashed with m=128,t=2,p=1", after)
		}
		if _, err := svc.Authenticate(ctx, "dana@example.com", "password-agent"); err != nil {
			t.Errorf("after re-hash: %v", err)
		}
		if stored() != after {
			t.Error("signing in again re-hashed a hash that already had the current parameters")
		}
	})
}

func TestEnsureUserIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		nu := NewUser{Email: "admin@example.com", Name: "Admin", Role: RoleAdmin, Password: "first password", Languages: []string{"en"}}
		u, err := f.svc.EnsureUser(ctx, nu)
		if err != nil {
			t.Fatal(err)
		}
		events := func() int {
			n, err := f.events.Count(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		n := events()
		again, err := f.svc.EnsureUser(ctx, nu)
		if err != nil || again.ID != u.ID {
			t.Fatalf("second EnsureUser: got %+v, %v", again, err)
		}
		if events() != n {
			t.Errorf("an EnsureUser that changed nothing appended %d events", events()-n)
		}
		if _, err := f.svc.CreateUser(ctx, NewUser{Email: "other-admin@example.com", Role: RoleAdmin, Password: "0123456789"}); err != nil {
			t.Fatal(err)
		}

		nu.Password, nu.Role, nu.Email = "second password", RoleSupervisor, "ADMIN@example.com"
		changed, err := f.svc.EnsureUser(ctx, nu)
		if err != nil || changed.ID != u.ID || changed.Role != RoleSupervisor {
			t.Fatalf("got %+v, %v; want the same user, now a supervisor", changed, err)
		}
		if _, err := f.svc.Authenticate(ctx, "admin@example.com", "first password"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("old password: got %v, want ErrBadCredentials", err)
		}
		if _, err := f.svc.Authenticate(ctx, "admin@example.com", "second password"); err != nil {
			t.Errorf("new password: %v", err)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM users`); n != 2 {
			t.Errorf("got %d users, want 2", n)
		}
	})
}

func TestUpdateUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "dana@example.com", RoleAgent)
		f.clock.Advance(time.Hour)
		name, role, langs, avail := "Dana L.", RoleSupervisor, []string{"ar", "HE"}, AvailabilityOnline
		actor := event.Actor{Kind: event.ByUser, ID: "01admin"}
		got, err := f.svc.UpdateUser(ctx, u.ID, UserPatch{Name: &name, Role: &role, Languages: &langs, Availability: &avail}, actor)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != name || got.Role != role || !slices.Equal(got.Languages, []string{"ar", "he"}) || got.Availability != avail ||
			!got.UpdatedAt.Equal(start.Add(time.Hour)) || !got.CreatedAt.Equal(start) {
			t.Errorf("got %+v", got)
		}
		if again, _ := f.svc.GetUser(ctx, u.ID); again.Name != name || again.Role != role {
			t.Errorf("stored: got %+v", again)
		}
		es := f.eventsOf(t, UserUpdated)
		if len(es) != 1 || es[0].Actor != actor {
			t.Fatalf("got %+v, want one user.updated by the admin", es)
		}
		var data struct {
			UserID  string         `json:"user_id"`
			Changes map[string]any `json:"changes"`
		}
		_ = json.Unmarshal(es[0].Data, &data)
		if data.UserID != u.ID || data.Changes["role"] != "supervisor" || data.Changes["availability"] != "online" || len(data.Changes) != 4 {
			t.Errorf("event data: got %s", es[0].Data)
		}

		// A patch that changes nothing writes nothing.
		if _, err := f.svc.UpdateUser(ctx, u.ID, UserPatch{Name: &name}, actor); err != nil {
			t.Fatal(err)
		}
		if n := len(f.eventsOf(t, UserUpdated)); n != 1 {
			t.Errorf("got %d user.updated events after a no-op patch, want 1", n)
		}

		bad := "busy"
		var ve *ValidationError
		if _, err := f.svc.UpdateUser(ctx, u.ID, UserPatch{Availability: &bad}, actor); !errors.As(err, &ve) || ve.Field != "availability" {
			t.Errorf("availability %q: got %v, want a ValidationError", bad, err)
		}
		badRole := Role("root")
		if _, err := f.svc.UpdateUser(ctx, u.ID, UserPatch{Role: &badRole}, actor); !errors.As(err, &ve) || ve.Field != "role" {
			t.Errorf("role %q: got %v, want a ValidationError", badRole, err)
		}
		if _, err := f.svc.UpdateUser(ctx, "nobody", UserPatch{Name: &name}, actor); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown user: got %v, want ErrNotFound", err)
		}
	})
}

func TestTheLastAdminStays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		a := f.user(t, "a@example.com", RoleAdmin)
		agent, yes := RoleAgent, true
		var ve *ValidationError
		if _, err := f.svc.UpdateUser(ctx, a.ID, UserPatch{Role: &agent}, event.System); !errors.As(err, &ve) {
			t.Errorf("demoting the only admin: got %v, want a ValidationError", err)
		}
		if _, err := f.svc.UpdateUser(ctx, a.ID, UserPatch{Disabled: &yes}, event.System); !errors.As(err, &ve) {
			t.Errorf("disabling the only admin: got %v, want a ValidationError", err)
		}
		if got, _ := f.svc.GetUser(ctx, a.ID); got.Role != RoleAdmin || got.Disabled {
			t.Errorf("got %+v, want an enabled admin still", got)
		}
		b := f.user(t, "b@example.com", RoleAdmin)
		if _, err := f.svc.UpdateUser(ctx, a.ID, UserPatch{Role: &agent}, event.System); err != nil {
			t.Errorf("demoting one of two admins: %v", err)
		}
		if _, err := f.svc.UpdateUser(ctx, b.ID, UserPatch{Disabled: &yes}, event.System); !errors.As(err, &ve) {
			t.Errorf("disabling the remaining admin: got %v, want a ValidationError", err)
		}
	})
}

func TestSetPassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		u := f.user(t, "dana@example.com", RoleAgent)
		token, _, err := f.svc.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ve *ValidationError
		if err := f.svc.SetPassword(ctx, u.ID, "too short", event.System); !errors.As(err, &ve) {
			t.Errorf("short password: got %v, want a ValidationError", err)
		}
		if err := f.svc.SetPassword(ctx, u.ID, "a brand new password", event.System); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Authenticate(ctx, "dana@example.com", "password-agent"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("old password: got %v", err)
		}
		if _, err := f.svc.Authenticate(ctx, "dana@example.com", "a brand new password"); err != nil {
			t.Errorf("new password: %v", err)
		}
		if _, err := f.svc.SessionUser(ctx, token); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("session from before the change: got %v, want ErrUnauthenticated", err)
		}
		if n := len(f.eventsOf(t, PasswordChanged)); n != 1 {
			t.Errorf("got %d password-changed events, want 1", n)
		}
		if err := f.svc.SetPassword(ctx, "nobody", "a brand new password", event.System); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown user: got %v, want ErrNotFound", err)
		}
	})
}

func TestListUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		if got, err := f.svc.ListUsers(ctx); err != nil || got == nil || len(got) != 0 {
			t.Errorf("empty: got %#v, %v; want an empty, non-nil list", got, err)
		}
		// By name, ignoring case, then by email; the same on both databases.
		for _, nu := range []NewUser{
			{Email: "z@example.com", Name: "bob"},
			{Email: "y@example.com", Name: "Alice"},
			{Email: "x@example.com", Name: "carol"},
			{Email: "w@example.com", Name: "Bob"},
		} {
			nu.Role, nu.Password = RoleAgent, "0123456789"
			if _, err := f.svc.CreateUser(ctx, nu); err != nil {
				t.Fatal(err)
			}
		}
		got, err := f.svc.ListUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var emails []string
		for _, u := range got {
			emails = append(emails, u.Email)
		}
		if want := []string{"y@example.com", "w@example.com", "z@example.com", "x@example.com"}; !slices.Equal(emails, want) {
			t.Errorf("got %q, want %q", emails, want)
		}
	})
}
