package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/gesher-cs/gesher/internal/assist"
	"github.com/gesher-cs/gesher/internal/event"
)

// demoRules are the demo's proactive-help rules (docs/demo.md lists them): a visitor stuck
// searching is offered a chat; one reading a claims article a long while, a callback; one
// who left the car-claim flow at "what happened" or had two answers refused, an agent.
var demoRules = []struct {
	id string
	in assist.RuleInput
}{
	{"stuck-searching", assist.RuleInput{Name: "Two searches, nothing opened", When: "searches_without_click >= 2", Offer: assist.OfferChat, Priority: 10}},
	{"claim-left", assist.RuleInput{Name: "Left the car claim at \"what happened\"", When: "abandoned_at == car-claim/what_happened", Offer: assist.OfferChat, Priority: 8}},
	{"form-trouble", assist.RuleInput{Name: "Two answers refused by a form", When: "form_errors >= 2", Offer: assist.OfferCallback, Priority: 6}},
	{"claims-long-read", assist.RuleInput{Name: "Over 90 seconds on a claims article", When: "dwell:claims > 90", Offer: assist.OfferCallback, Priority: 5}},
}

// seedAssist writes the demo's rules once; a rule a supervisor has since changed is kept.
func seedAssist(ctx context.Context, s Services) error {
	svc, err := assist.NewService(s.DB, s.Clock, event.NewLog(s.DB, s.Clock, nil), s.Customers, s.Conversations, nil, nil)
	if err != nil {
		return err
	}
	actor := event.Actor{Kind: event.BySystem, ID: "demo"}
	for _, r := range demoRules {
		if _, err := svc.Rule(ctx, r.id); !errors.Is(err, assist.ErrNotFound) {
			if err != nil {
				return err
			}
			continue
		}
		if _, err := svc.PutRule(ctx, r.id, r.in, actor); err != nil {
			return fmt.Errorf("demo rule %s: %w", r.id, err)
		}
	}
	return nil
}
