package channel_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func openApp(t *testing.T, dsn string) *app.App {
	t.Helper()
	a, err := app.Open(context.Background(), app.Options{DSN: dsn, Clock: clock.NewManual(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)), Argon: auth.CheapArgon()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// The one-owner rule under concurrency: a customer who writes on two channels at the same
// instant — a thousand such customers at once — gets one conversation with one owner.
func TestOneConversationOneOwnerUnderConcurrency(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := context.Background()
		online := "online"
		for i := range 4 {
			u, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: fmt.Sprintf("agent%d@test.example", i), Role: auth.RoleAgent, Password: "correct horse battery"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Auth.UpdateUser(ctx, u.ID, auth.UserPatch{Availability: &online}, event.System); err != nil {
				t.Fatal(err)
			}
			// Room for every customer: this test is about the one-owner rule, not capacity.
			if err := a.Router.SetCapacity(ctx, u.ID, 100); err != nil {
				t.Fatal(err)
			}
		}
		sms, err := a.Channels.Ensure(ctx, channel.Channel{Name: "sms-like", Kind: "api", Secret: "s1", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		wa, err := a.Channels.Ensure(ctx, channel.Channel{Name: "whatsapp-like", Kind: "api", Secret: "s2", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		const pairs = 1000
		start := make(chan struct{})
		errs := make(chan error, 2*pairs)
		var wg sync.WaitGroup
		for i := range pairs {
			phone := fmt.Sprintf("+97250%07d", i)
			for _, ch := range []channel.Channel{sms, wa} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, err := a.Ingester.Ingest(ctx, ch, []channel.Inbound{{
						ExternalID: fmt.Sprintf("%s-%d", ch.Name, i), Text: "hello from " + ch.Name,
						From: channel.Contact{Identities: []channel.Identity{{Kind: "phone", Value: phone}}},
					}})
					if err != nil {
						errs <- err
					}
				}()
			}
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("ingest: %v", err)
		}
		var customers, convs, msgs, owners, unowned int
		q := func(sql string, dst *int) {
			if err := a.DB.QueryRow(ctx, sql).Scan(dst); err != nil {
				t.Fatal(err)
			}
		}
		q(`SELECT COUNT(*) FROM customers`, &customers)
		q(`SELECT COUNT(*) FROM conversations`, &convs)
		q(`SELECT COUNT(*) FROM messages`, &msgs)
		q(`SELECT COUNT(DISTINCT assignee_id) FROM conversations`, &owners)
		q(`SELECT COUNT(*) FROM conversations WHERE assignee_id IS NULL`, &unowned)
		if customers != pairs || convs != pairs || msgs != 2*pairs {
			t.Errorf("%d customers, %d conversations, %d messages; want %d, %d, %d", customers, convs, msgs, pairs, pairs, 2*pairs)
		}
		if unowned != 0 || owners != 4 {
			t.Errorf("%d conversations without an owner, %d distinct owners; want 0 and all 4 agents", unowned, owners)
		}
		// Each conversation holds both of its customer's messages, from both channels.
		var split int
		q(`SELECT COUNT(*) FROM (SELECT conversation_id FROM messages GROUP BY conversation_id HAVING COUNT(DISTINCT channel_id) <> 2) s`, &split)
		if split != 0 {
			t.Errorf("%d conversations do not hold both channels' messages", split)
		}
		var assignEvents int
		q(`SELECT COUNT(*) FROM events WHERE kind = 'conversation.assigned'`, &assignEvents)
		if assignEvents != pairs {
			t.Errorf("%d assignment events, want exactly one per conversation (%d)", assignEvents, pairs)
		}
	})
}

// Someone writes on Telegram, then by SMS, then shares their own number on Telegram: the
// provider proves the two identities are one person, so the two customers become one, with one
// open conversation — not a thread split in two.
func TestProvenIdentitiesMergeTheirCustomers(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := context.Background()
		tg, err := a.Channels.Ensure(ctx, channel.Channel{Name: "tg", Kind: "telegram", Secret: "s", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		sms, err := a.Channels.Ensure(ctx, channel.Channel{Name: "sms", Kind: "sms", Secret: "s", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		tgID := channel.Identity{Kind: customer.Telegram, Value: "5012345678"}
		phone := channel.Identity{Kind: customer.Phone, Value: "+972501234567"}
		ingest := func(ch channel.Channel, id, text string, from channel.Contact) channel.Result {
			res, err := a.Ingester.Ingest(ctx, ch, []channel.Inbound{{ExternalID: id, Text: text, From: from}})
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			return res[0]
		}
		first := ingest(tg, "tg-1", "hello from Telegram", channel.Contact{Identities: []channel.Identity{tgID}})
		second := ingest(sms, "sms-1", "and by SMS", channel.Contact{Identities: []channel.Identity{phone}})
		if first.CustomerID == second.CustomerID {
			t.Fatal("two unrelated identities made one customer before anything linked them")
		}
		// Not proven: the phone's customer takes on a free identity, but the one holding the
		// Telegram id stays apart.
		ingest(tg, "tg-2", "is this the right number?", channel.Contact{Identities: []channel.Identity{phone, tgID}})
		if n := count(t, a, `SELECT COUNT(*) FROM customers WHERE merged_into IS NULL`); n != 2 {
			t.Fatalf("%d customers after an unproven link; want 2 (nothing merged)", n)
		}
		shared := ingest(tg, "tg-3", "Shared their phone number", channel.Contact{Identities: []channel.Identity{phone, tgID}, Proven: true})
		if shared.CustomerID != second.CustomerID {
			t.Errorf("the share went to customer %s; want the phone's customer %s", shared.CustomerID, second.CustomerID)
		}
		if n := count(t, a, `SELECT COUNT(*) FROM customers WHERE merged_into IS NULL AND id IN (?, ?)`, first.CustomerID, second.CustomerID); n != 1 {
			t.Errorf("%d customers left of the Telegram one and the SMS one; want them merged into 1", n)
		}
		if n := count(t, a, `SELECT COUNT(*) FROM conversations WHERE customer_id = ? AND status = 'open'`, second.CustomerID); n != 1 {
			t.Errorf("%d open conversations for the merged customer; want 1", n)
		}
		// And later Telegram messages land with them.
		later := ingest(tg, "tg-4", "thanks", channel.Contact{Identities: []channel.Identity{tgID}})
		if later.CustomerID != second.CustomerID || later.ConversationID != shared.ConversationID {
			t.Errorf("a later Telegram message went to customer %s, conversation %s; want %s, %s", later.CustomerID, later.ConversationID, second.CustomerID, shared.ConversationID)
		}
	})
}

func count(t *testing.T, a *app.App, q string, args ...any) int {
	t.Helper()
	var n int
	if err := a.DB.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
