package channel_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// benchApp is a wired app with four online agents and one API channel: what a webhook meets.
func benchApp(b *testing.B, dsn string) (*app.App, channel.Channel) {
	b.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Options{DSN: dsn, Argon: auth.CheapArgon()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(a.Close)
	online := "online"
	for i := range 4 {
		u, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: fmt.Sprintf("agent%d@bench.example", i), Role: auth.RoleAgent, Password: "correct horse battery"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.Auth.UpdateUser(ctx, u.ID, auth.UserPatch{Availability: &online}, event.System); err != nil {
			b.Fatal(err)
		}
	}
	ch, err := a.Channels.Ensure(ctx, channel.Channel{Name: "bench", Kind: "api", Secret: "s", Enabled: true})
	if err != nil {
		b.Fatal(err)
	}
	return a, ch
}

func inbound(n int64, customers int64) []channel.Inbound {
	return []channel.Inbound{{
		ExternalID: fmt.Sprintf("bench-%d", n), Text: "my claim number is " + fmt.Sprint(n),
		From: channel.Contact{Identities: []channel.Identity{{Kind: "phone", Value: fmt.Sprintf("+97250%07d", n%customers)}}},
	}}
}

// BenchmarkIngest stores one inbound message per operation through the whole ingest
// transaction (customer, conversation, owner, message, event, receipt), committed durably.
// "serial" is one webhook at a time: the commit's fsync is the floor. "parallel" is many at
// once, where SQLite's group commit shares one fsync among many transactions.
func BenchmarkIngest(b *testing.B) {
	for _, db := range []struct {
		name string
		dsn  func(testing.TB) string
	}{{"sqlite", storetest.SQLitePath}, {"postgres", storetest.PostgresURL}} {
		for _, mode := range []string{"serial", "parallel"} {
			b.Run(db.name+"/"+mode, func(b *testing.B) {
				a, ch := benchApp(b, db.dsn(b))
				ctx := context.Background()
				var seq atomic.Int64
				b.ReportAllocs()
				if mode == "serial" {
					for b.Loop() {
						if _, err := a.Ingester.Ingest(ctx, ch, inbound(seq.Add(1), 1_000_000)); err != nil {
							b.Fatal(err)
						}
					}
					return
				}
				b.SetParallelism(16)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := a.Ingester.Ingest(ctx, ch, inbound(seq.Add(1), 1_000_000)); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}
