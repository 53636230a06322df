package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/demo"
	"github.com/gesher-cs/gesher/internal/policy"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// The demo's channels promise different service levels on the Israeli calendar, and its
// console opens on conversations whose clocks are running, warned, breached and paused.
func TestDemoServiceLevels(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		loc, _ := time.LoadLocation("Asia/Jerusalem")
		clk := clock.NewManual(time.Date(2026, 11, 23, 14, 0, 0, 0, loc)) // a Monday afternoon
		a, err := app.Open(ctx, app.Options{DSN: dsn, Argon: auth.CheapArgon(), Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		svc := demo.Services{DB: a.DB, Clock: a.Clock, Auth: a.Auth, Customers: a.Customers, Conversations: a.Conversations, Channels: a.Channels, Ingester: a.Ingester, Canned: a.Canned}
		if _, err := demo.Seed(ctx, svc); err != nil {
			t.Fatal(err)
		}
		cal, err := a.Policy.Calendar(ctx, demo.CalendarID)
		if err != nil || cal.BuiltIn || len(cal.Days) != 34 || cal.TimeZone != "Asia/Jerusalem" {
			t.Fatalf("demo calendar %+v (%v), want the stored Israeli one", cal, err)
		}
		pols, err := a.Policy.Policies(ctx)
		if err != nil {
			t.Fatal(err)
		}
		reminders := map[string]int{}
		for _, p := range pols {
			if p.Default || p.CalendarID != demo.CalendarID {
				t.Errorf("%s (%s): default %v, calendar %s; want the demo's own on %s", p.ChannelID, p.ChannelKind, p.Default, p.CalendarID, demo.CalendarID)
			}
			reminders[p.ChannelKind] = p.CustomerReminderMinutes
		}
		if reminders["webchat"] != 5 || reminders["whatsapp"] != 240 || reminders["sms"] != 240 || reminders["email"] != policy.BusinessDay || reminders["voice"] != 30 {
			t.Errorf("reminders by kind %v; want chat 5 min, WhatsApp and SMS 4 h, email a business day, voice 30 min", reminders)
		}

		if _, err := a.Policy.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		byName := map[string]string{}
		rows, err := a.DB.Query(ctx, `SELECT cu.name, c.id FROM conversations c JOIN customers cu ON cu.id = c.customer_id WHERE c.status IN ('open', 'pending')`)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for rows.Next() {
			var name, id string
			_ = rows.Scan(&name, &id)
			byName[name] = id
			ids = append(ids, id)
		}
		rows.Close()
		sums, err := a.Policy.Summaries(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]string{
			"Avi Ben-Haim": "running", "Yael Katz": "warned", "Moshe Azulay": "breached", "Lina Haddad": "breached", "Sergei Volkov": "paused",
		} {
			ck, ok := sums[byName[name]]
			if !ok {
				t.Errorf("%s: no clock", name)
				continue
			}
			got := ck.State
			switch {
			case ck.Breached:
				got = "breached"
			case ck.Warned:
				got = "warned"
			}
			if got != want {
				t.Errorf("%s: %s clock %s (%+v), want %s", name, ck.Kind, got, ck, want)
			}
		}
		if ck := sums[byName["Avi Ben-Haim"]]; ck.RemainingMS > 20*60_000 || ck.RemainingMS < 19*60_000 {
			t.Errorf("Avi's first response: %d ms left, want 20 minutes of the 30", ck.RemainingMS)
		}
		if n, _ := a.Events.Count(ctx, policy.SLAEscalated); n < 2 {
			t.Errorf("%d escalations after the first scan, want the breached ones'", n)
		}
		var clocks int
		_ = a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM sla_clocks`).Scan(&clocks)
		if _, err := demo.Seed(ctx, svc); err != nil {
			t.Fatal(err)
		}
		var again int
		_ = a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM sla_clocks`).Scan(&again)
		if again != clocks {
			t.Errorf("%d clocks after a second seed, %d after the first", again, clocks)
		}
	})
}
