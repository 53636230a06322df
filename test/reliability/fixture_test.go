package reliability

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/event"
)

const secret = "reliability-secret"

// world is one Gesher over a real database with a manual clock, two online agents and one API
// channel.
type world struct {
	app   *app.App
	clock *clock.Manual
	ch    channel.Channel
	agent auth.User
}

func newWorld(t *testing.T, dsn string, client *http.Client) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{clock: clock.NewManual(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))}
	a, err := app.Open(ctx, app.Options{DSN: dsn, Clock: w.clock, Argon: auth.CheapArgon(), NodeID: "test", HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	w.app = a
	online := "online"
	for i := range 2 {
		u, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: fmt.Sprintf("agent%d@test.example", i), Name: "Agent", Role: auth.RoleAgent, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		if w.agent, err = a.Auth.UpdateUser(ctx, u.ID, auth.UserPatch{Availability: &online}, event.System); err != nil {
			t.Fatal(err)
		}
	}
	w.ch, err = a.Channels.Ensure(ctx, channel.Channel{Name: "partner", Kind: api.Kind, Secret: secret, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := w.app.DB.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
