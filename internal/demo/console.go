package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/store"
)

// demoLabels are the team's labels in the demo; docs/demo.md lists them.
var demoLabels = []string{"claim", "vip", "complaint", "follow-up"}

// claimsDesk is the demo queue Dana answers, so that her "My queues" view is not empty. Its
// rule (a topic nothing carries) keeps it out of automatic routing: the demo's conversations
// still go to the agents they went to; the desk holds the ones seeded into it and those
// agents transfer there.
var claimsDesk = routing.Queue{Name: "Claims desk", Topics: []string{"claims-desk"}, Strategy: "least-loaded"}

// seedConsole gives the console's tools something to show: the label list, labels on a few
// open conversations, and the claims desk with Dana and Omar as members holding three open
// conversations. Running it again changes nothing.
func seedConsole(ctx context.Context, s Services) error {
	demo := event.Actor{Kind: event.BySystem, ID: "demo"}
	labels := map[string]string{}
	existing, err := s.Conversations.Labels(ctx)
	if err != nil {
		return err
	}
	for _, l := range existing {
		labels[l.Name] = l.ID
	}
	for _, name := range demoLabels {
		if _, ok := labels[name]; ok {
			continue
		}
		l, err := s.Conversations.CreateLabel(ctx, name, demo)
		if err != nil && !errors.Is(err, conversation.ErrLabelExists) {
			return fmt.Errorf("demo label %s: %w", name, err)
		}
		labels[name] = l.ID
	}
	open, err := s.Conversations.List(ctx, conversation.Filter{Status: []conversation.Status{conversation.Open}, Limit: 6})
	if err != nil {
		return err
	}
	// The most recent open conversations get the labels; adding a label twice changes nothing.
	plan := [][]string{{"vip"}, {"claim"}, {"claim", "follow-up"}, {"complaint"}}
	for i, c := range open {
		if i >= len(plan) {
			break
		}
		for _, name := range plan[i] {
			if _, err := s.Conversations.AddLabel(ctx, c.ID, labels[name], demo); err != nil {
				return fmt.Errorf("demo label on %s: %w", c.ID, err)
			}
		}
	}
	members := []string{}
	for _, email := range []string{AgentEmail, "omar@demo.example"} {
		u, err := s.Auth.UserByEmail(ctx, email)
		if err != nil {
			return fmt.Errorf("demo queue member %s: %w", email, err)
		}
		members = append(members, u.ID)
	}
	desk := claimsDesk
	desk.Members = members
	q, err := routing.New(s.DB, s.Clock).EnsureQueue(ctx, desk)
	if err != nil {
		return err
	}
	// Three open conversations wait in the desk. Seeding records where they are, as routing
	// does when a conversation opens; it moves no one's work, so nobody is unassigned.
	var held int
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM conversations WHERE queue_id = ?`, q.ID).Scan(&held); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		for i := len(open) - 1; i >= 0 && held < 3; i-- {
			if _, err := tx.Exec(ctx, `UPDATE conversations SET queue_id = ? WHERE id = ? AND queue_id IS NULL`, q.ID, open[i].ID); err != nil {
				return fmt.Errorf("demo queue: %w", err)
			}
			held++
		}
		return nil
	})
}
