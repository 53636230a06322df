// Package demo seeds the demo organisation: "Gesher Insurance", an Israeli insurer with three
// branches, agents who between them speak Hebrew, Arabic, Russian, English, Amharic and
// French, the channels they answer, and customers of every kind — digital and not — with
// weeks of history. Seeding is idempotent: running it again adds nothing.
//
// The credentials here are public on purpose (docs/demo.md lists them); a real deployment
// never runs Seed.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/canned"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/media"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/store"
)

// The demo's fixed credentials.
const (
	AdminEmail = "admin@demo.example"
	AgentEmail = "dana@demo.example"
	Password   = "gesher-demo"
	APIChannel = "demo-api"
	APISecret  = "demo-api-secret"
)

// Services are what seeding writes through.
type Services struct {
	DB            *store.DB
	Clock         clock.Clock
	Auth          *auth.Service
	Customers     *customer.Service
	Conversations *conversation.Service
	Channels      *channel.Channels
	Ingester      *channel.Ingester
	Canned        *canned.Service
}

// Summary counts what the demo holds after seeding.
type Summary struct {
	Users, Customers, Conversations int
	AlreadySeeded                   bool
}

type demoUser struct {
	email, name string
	role        auth.Role
	langs       []string
}

var users = []demoUser{
	{AdminEmail, "Noa Admin", auth.RoleAdmin, []string{"he", "en"}},
	{"michal@demo.example", "Michal Ben-David", auth.RoleSupervisor, []string{"he", "en"}},
	{AgentEmail, "Dana Levi", auth.RoleAgent, []string{"he", "en"}},
	{"omar@demo.example", "Omar Haddad", auth.RoleAgent, []string{"ar", "he", "en"}},
	{"olga@demo.example", "Olga Petrova", auth.RoleAgent, []string{"ru", "he"}},
	{"tigist@demo.example", "Tigist Alemu", auth.RoleAgent, []string{"am", "he"}},
	{"pierre@demo.example", "Pierre Cohen", auth.RoleAgent, []string{"fr", "he", "en"}},
	{"yossi@demo.example", "Yossi Mizrahi", auth.RoleAgent, []string{"he"}},
	{"rana@demo.example", "Rana Khoury", auth.RoleAgent, []string{"ar", "en"}},
}

var branches = []struct{ name, city, address, phone string }{
	{"Tel Aviv — Azrieli", "Tel Aviv", "Derech Menachem Begin 132, Tel Aviv", "+97235550100"},
	{"Haifa — Hadar", "Haifa", "Herzl 20, Haifa", "+97245550200"},
	{"Beersheba — Old City", "Beersheba", "Herzl 41, Beersheba", "+97285550300"},
}

// Seed creates the demo organisation if it is not there yet.
func Seed(ctx context.Context, s Services) (Summary, error) {
	var sum Summary
	for _, u := range users {
		if _, err := s.Auth.EnsureUser(ctx, auth.NewUser{
			Email: u.email, Name: u.name, Role: u.role, Password: Password, Languages: u.langs,
			Actor: event.Actor{Kind: event.BySystem, ID: "demo"},
		}); err != nil {
			return sum, fmt.Errorf("demo user %s: %w", u.email, err)
		}
	}
	online := "online"
	all, err := s.Auth.ListUsers(ctx)
	if err != nil {
		return sum, err
	}
	for _, u := range all {
		if u.Role == auth.RoleAgent && u.Availability != online {
			if _, err := s.Auth.UpdateUser(ctx, u.ID, auth.UserPatch{Availability: &online}, event.Actor{Kind: event.BySystem, ID: "demo"}); err != nil {
				return sum, err
			}
		}
	}
	sum.Users = len(all)
	ch, err := s.Channels.Ensure(ctx, channel.Channel{Name: APIChannel, Kind: "api", Secret: APISecret, Enabled: true,
		Settings: map[string]string{"description": "Generic API channel: the insurer's website and app post here"}})
	if err != nil {
		return sum, err
	}
	for _, c := range demoChannels {
		if _, err := s.Channels.Ensure(ctx, c); err != nil {
			return sum, err
		}
	}
	if err := seedCanned(ctx, s.Canned); err != nil {
		return sum, err
	}
	if err := seedBranches(ctx, s); err != nil {
		return sum, err
	}
	if err := seedServiceLevels(ctx, s); err != nil {
		return sum, err
	}
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM channel_receipts WHERE channel_id = ? AND external_id LIKE 'demo-seed-%'`, ch.ID).Scan(&n); err != nil {
		return sum, err
	}
	if n == 0 {
		if err := seedHistory(ctx, s, ch); err != nil {
			return sum, err
		}
	} else {
		sum.AlreadySeeded = true
	}
	if err := seedSelfService(ctx, s); err != nil {
		return sum, err
	}
	if err := seedAssist(ctx, s); err != nil {
		return sum, err
	}
	if err := seedMenu(ctx, s); err != nil {
		return sum, err
	}
	if err := seedBranchVisits(ctx, s); err != nil {
		return sum, err
	}
	if err := seedSurveys(ctx, s); err != nil {
		return sum, fmt.Errorf("demo surveys: %w", err)
	}
	if err := seedSegments(ctx, s); err != nil {
		return sum, err
	}
	if err := seedConsole(ctx, s); err != nil {
		return sum, err
	}
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM customers WHERE merged_into IS NULL`).Scan(&sum.Customers); err != nil {
		return sum, err
	}
	err = s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM conversations WHERE status <> 'merged'`).Scan(&sum.Conversations)
	return sum, err
}

func seedBranches(ctx context.Context, s Services) error {
	return s.DB.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		for _, b := range branches {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM branches WHERE name = ?`, b.name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			now := s.Clock.Now()
			if _, err := tx.Exec(ctx, `INSERT INTO branches (id, name, city, address, phone, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				store.NewID(now), b.name, b.city, b.address, b.phone, now.UnixMilli()); err != nil {
				return err
			}
		}
		return nil
	})
}

// seedHistory replays weeks of customer contact through the real ingest pipeline and the real
// conversation service, on a clock that starts in the past, so timelines, owners and events
// are exactly what live traffic would have produced.
func seedHistory(ctx context.Context, s Services, ch channel.Channel) error {
	now := s.Clock.Now()
	past := clock.NewManual(now.Add(-time.Duration(len(script)+2) * 24 * time.Hour))
	events := event.NewLog(s.DB, past, nil)
	customers := customer.NewService(s.DB, past, events)
	conversations := conversation.NewService(s.DB, past, events, routing.New(s.DB, past), nil, conversation.Options{})
	customers.SetMergeHook(conversations)
	ingester := channel.NewIngester(s.DB, past, customers, conversations, media.NewStore(s.DB, past), nil)
	agents := map[string]string{}
	all, err := s.Auth.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range all {
		agents[u.Email] = u.ID
	}
	seq := 0
	for day, p := range script {
		past.Set(now.Add(-time.Duration(len(script)-day) * 24 * time.Hour).Add(time.Duration(9+day%8) * time.Hour))
		var custID string
		for _, m := range p.messages {
			past.Advance(time.Duration(3+seq%11) * time.Minute)
			seq++
			if m.agent == "" {
				res, err := ingester.Ingest(ctx, ch, []channel.Inbound{{
					ExternalID: fmt.Sprintf("demo-seed-%d", seq), Text: m.text,
					From: channel.Contact{Name: p.name, Identities: p.identities()},
				}})
				if err != nil {
					return fmt.Errorf("demo history %s: %w", p.name, err)
				}
				custID = res[0].CustomerID
				continue
			}
			convs, err := conversations.List(ctx, conversation.Filter{CustomerID: custID, Status: []conversation.Status{conversation.Open, conversation.Pending}})
			if err != nil || len(convs) == 0 {
				return fmt.Errorf("demo history %s: no open conversation (%v)", p.name, err)
			}
			c := convs[0]
			agentID := agents[m.agent]
			if c.AssigneeID != agentID {
				if _, err := conversations.Assign(ctx, c.ID, agentID, event.Actor{Kind: event.ByUser, ID: agents["michal@demo.example"]}); err != nil {
					return err
				}
			}
			msg, err := conversations.Reply(ctx, conversation.ReplyInput{ConversationID: c.ID, AuthorID: agentID, Text: m.text})
			if err != nil {
				return err
			}
			// The history's replies were delivered long ago.
			if err := conversations.SetMessageStatus(ctx, msg.ID, conversation.StatusDelivered, "demo-out-"+msg.ID, ""); err != nil {
				return err
			}
		}
		if custID != "" {
			if err := applyProfile(ctx, customers, custID, p); err != nil {
				return err
			}
			if p.note != "" {
				convs, _ := conversations.List(ctx, conversation.Filter{CustomerID: custID, Limit: 1})
				if len(convs) > 0 {
					if _, err := conversations.AddNote(ctx, convs[0].ID, agents["michal@demo.example"], p.note, nil); err != nil {
						return err
					}
				}
			}
			if p.resolved {
				convs, _ := conversations.List(ctx, conversation.Filter{CustomerID: custID, Status: []conversation.Status{conversation.Open, conversation.Pending}})
				for _, c := range convs {
					if _, err := conversations.SetStatus(ctx, c.ID, conversation.Resolved, event.Actor{Kind: event.ByUser, ID: c.AssigneeID}); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func applyProfile(ctx context.Context, customers *customer.Service, id string, p persona) error {
	prof := customer.Profile{
		Accessibility: p.access, Device: p.device, BirthYear: p.born, City: p.city,
		CoachingStage: p.stage, Segments: p.segments,
		Consent: map[string]bool{"sms": true, "email": p.email != "", "whatsapp": p.device == "smartphone"},
	}
	langs := p.langs
	_, err := customers.Update(ctx, id, customer.Patch{Languages: &langs, Profile: &prof}, event.Actor{Kind: event.BySystem, ID: "demo"})
	return err
}
