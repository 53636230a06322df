package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/media"
	"github.com/gesher-cs/gesher/internal/policy"
	"github.com/gesher-cs/gesher/internal/routing"
)

// CalendarID names the demo's business calendar: the Israeli week and holidays, stored so a
// supervisor can edit it.
const CalendarID = "israel"

// demoPolicies are the demo's service levels by channel kind, in minutes of business time:
// each channel promises what its customers expect of it. Fields: first response, next
// response, resolution, customer reminder, reminders at most, agent nudge, auto-close, weight,
// topics, priority a breach raises to.
var demoPolicies = map[string]struct {
	first, next, resolve, remind, reminders, nudge, autoClose int
	weight                                                    float64
	topics                                                    []string
	raise                                                     int
}{
	"webchat":  {2, 3, 60, 5, 2, 1, 30, 1, []string{"quotes", "sales"}, 2},
	"voice":    {30, 30, 240, 30, 2, 10, policy.BusinessDay, 1, []string{"callbacks", "claims"}, 2},
	"whatsapp": {30, 60, policy.BusinessDay, 240, 2, 15, 3 * policy.BusinessDay, 0.34, []string{"claims", "roadside"}, 1},
	"telegram": {60, 60, policy.BusinessDay, 240, 2, 15, 3 * policy.BusinessDay, 0.34, []string{"claims"}, 0},
	"sms":      {60, 120, 2 * policy.BusinessDay, 240, 1, 30, 5 * policy.BusinessDay, 0.34, []string{"appointments", "payments"}, 0},
	"api":      {60, 60, policy.BusinessDay, 240, 2, 15, 3 * policy.BusinessDay, 0.34, []string{"claims", "policies"}, 1},
	"email":    {240, policy.BusinessDay, 3 * policy.BusinessDay, policy.BusinessDay, 2, 60, 5 * policy.BusinessDay, 0.2, []string{"complaints", "documents"}, 1},
}

// slaScenes are conversations whose clocks the console shows at once: a customer who wrote
// minutes ago, one inside the warning window, ones whose target has passed, and one waiting on
// the customer. ago is business time before the seeding.
var slaScenes = []struct {
	channel, name, lang string
	id                  channel.Identity
	ago                 time.Duration
	text                string
	reply               string        // the agent's answer, if any …
	replyAfter          time.Duration // … this much business time after the message
	pending             bool          // then set pending: the customer owes the next step
}{
	{channel: "demo-whatsapp", name: "Avi Ben-Haim", lang: "he", id: channel.Identity{Kind: customer.WhatsApp, Value: "972521000101"},
		ago: 10 * time.Minute, text: "הסדק בשמשה התרחב בכביש 6. זה מכוסה בפוליסה שלי?"},
	{channel: "demo-email", name: "Yael Katz", lang: "en", id: channel.Identity{Kind: customer.Email, Value: "yael.katz@example.com"},
		ago: 200 * time.Minute, text: "Please find attached the repair invoice for claim 2026-4471. Could you confirm you received it?"},
	{channel: "demo-sms", name: "Moshe Azulay", lang: "he", id: channel.Identity{Kind: customer.Phone, Value: "+972541000102"},
		ago: 90 * time.Minute, text: "מתי מגיע השמאי? חיכיתי כל הבוקר"},
	{channel: "demo-webchat", name: "Lina Haddad", lang: "ar", id: channel.Identity{Kind: customer.Visitor, Value: "demo-visitor-lina"},
		ago: 4 * time.Minute, text: "مرحبًا، أريد عرض سعر لتأمين شقة في حيفا"},
	{channel: APIChannel, name: "Sergei Volkov", lang: "ru", id: channel.Identity{Kind: customer.Phone, Value: "+972531000103"},
		ago: 120 * time.Minute, text: "Добрый день! Какие документы нужны для продления полиса?",
		reply: "Здравствуйте! Пришлите, пожалуйста, копию техпаспорта и фото счётчика пробега.", replyAfter: 20 * time.Minute, pending: true},
}

// seedServiceLevels stores the demo's calendar and each channel's policy (unless a
// supervisor has set one), then replays the scenes through the real pipeline on a clock set in
// the past, so their clocks are what live traffic would have left: the first scan after
// start-up records the warnings, breaches and escalations that have come due meanwhile.
func seedServiceLevels(ctx context.Context, s Services) error {
	// This service only writes; the app's own job queue runs the scans it enqueues.
	svc, err := policy.NewService(s.DB, s.Clock, event.NewLog(s.DB, s.Clock, nil), jobs.New(s.DB, s.Clock, nil, jobs.Options{NodeID: "demo-seed"}), s.Conversations, policy.Options{})
	if err != nil {
		return err
	}
	if _, err := svc.Calendar(ctx, CalendarID); errors.Is(err, policy.ErrNotFound) {
		if _, err := svc.SetCalendar(ctx, CalendarID, policy.IsraeliCalendar(CalendarID, "Gesher Insurance: Israeli week, holidays 2026–2027")); err != nil {
			return fmt.Errorf("demo calendar: %w", err)
		}
	} else if err != nil {
		return err
	}
	chs, err := s.Channels.List(ctx)
	if err != nil {
		return err
	}
	for _, ch := range chs {
		d, ok := demoPolicies[string(ch.Kind)]
		if !ok {
			continue
		}
		p, err := svc.Policy(ctx, ch.ID)
		if err != nil {
			return err
		}
		if !p.Default {
			continue // set already: a supervisor's change survives a restart of the demo
		}
		p.CalendarID = CalendarID
		p.FirstResponseMinutes, p.NextResponseMinutes, p.ResolutionMinutes = d.first, d.next, d.resolve
		p.CustomerReminderMinutes, p.MaxReminders, p.AgentNudgeMinutes, p.AutoCloseMinutes = d.remind, d.reminders, d.nudge, d.autoClose
		p.Weight, p.Topics = d.weight, d.topics
		p.Escalation = policy.Escalation{NotifySupervisor: true, RaisePriority: d.raise}
		if _, err := svc.SetPolicy(ctx, ch.ID, p, "demo"); err != nil {
			return fmt.Errorf("demo policy of %s: %w", ch.Name, err)
		}
	}
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM channel_receipts WHERE external_id LIKE 'demo-sla-%'`).Scan(&n); err != nil || n > 0 {
		return err
	}
	return seedSLAScenes(ctx, s, svc)
}

func seedSLAScenes(ctx context.Context, s Services, svc *policy.Service) error {
	cal, err := svc.Calendar(ctx, CalendarID)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	past := clock.NewManual(now)
	events := event.NewLog(s.DB, past, nil)
	customers := customer.NewService(s.DB, past, events)
	router := routing.New(s.DB, past)
	conversations := conversation.NewService(s.DB, past, events, router, nil, conversation.Options{})
	clocks, err := policy.NewService(s.DB, past, events, jobs.New(s.DB, past, nil, jobs.Options{NodeID: "demo-seed"}), conversations, policy.Options{})
	if err != nil {
		return err
	}
	conversations.SetClocks(clocks)
	router.SetWeigher(clocks.Weight)
	ingester := channel.NewIngester(s.DB, past, customers, conversations, media.NewStore(s.DB, past), nil)
	for i, sc := range slaScenes {
		ch, err := s.Channels.ByName(ctx, sc.channel)
		if errors.Is(err, channel.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		at := businessAgo(&cal, now, sc.ago)
		past.Set(at)
		res, err := ingester.Ingest(ctx, ch, []channel.Inbound{{ExternalID: fmt.Sprintf("demo-sla-%d", i), Text: sc.text,
			From: channel.Contact{Name: sc.name, Identities: []channel.Identity{sc.id}}}})
		if err != nil {
			return fmt.Errorf("demo scene %s: %w", sc.name, err)
		}
		langs := []string{sc.lang}
		if _, err := customers.Update(ctx, res[0].CustomerID, customer.Patch{Languages: &langs}, event.Actor{Kind: event.BySystem, ID: "demo"}); err != nil {
			return err
		}
		if sc.reply == "" {
			continue
		}
		past.Set(cal.Add(at, sc.replyAfter))
		c, err := conversations.Get(ctx, res[0].ConversationID)
		if err != nil {
			return err
		}
		if c.AssigneeID == "" {
			continue
		}
		msg, err := conversations.Reply(ctx, conversation.ReplyInput{ConversationID: c.ID, AuthorID: c.AssigneeID, Text: sc.reply})
		if err != nil {
			return err
		}
		// Delivered long ago, as in the history.
		if err := conversations.SetMessageStatus(ctx, msg.ID, conversation.StatusDelivered, "demo-out-"+msg.ID, ""); err != nil {
			return err
		}
		if sc.pending {
			if _, err := conversations.SetStatus(ctx, c.ID, conversation.Pending, event.Actor{Kind: event.ByUser, ID: c.AssigneeID}); err != nil {
				return err
			}
		}
	}
	return nil
}

// businessAgo is the latest instant from which d of business time has passed by now.
func businessAgo(cal *policy.Calendar, now time.Time, d time.Duration) time.Time {
	lo, hi := now.AddDate(0, 0, -60), now
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2)
		if cal.Between(mid, now) >= d {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo.Truncate(time.Second)
}
