package demo

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/media"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/survey"
)

// surveyContact is a short past contact seeded only so the dashboards have answers spread over
// the weeks: a question on one of the demo's channels, an agent's answer, the resolution, then
// the customer's answer to the survey that follows. A customer who comes back a week or more
// after their CSAT is asked NPS, as the survey service decides.
type surveyContact struct {
	daysAgo     int
	channel     string // the demo channel they wrote on
	name, phone string
	langs       []string
	question    string
	agent       string // the start of the agent's email
	reply       string
	answer      string // the customer's reply to the survey, as they typed it
}

var surveyContacts = []surveyContact{
	{27, "demo-whatsapp", "Ruth Amsalem", "+972500000201", []string{"he"}, "רציתי לעדכן כתובת בפוליסה", "dana", "עדכנתי, תקבלו אישור במייל.", "5 מהיר ונעים, תודה"},
	{25, "demo-sms", "Hassan Odeh", "+972500000202", []string{"ar", "he"}, "أريد نسخة من بوليصة السيارة", "omar", "أرسلنا لك النسخة الآن.", "4"},
	{23, "demo-whatsapp", "Irina Sokolova", "+972500000203", []string{"ru"}, "Как продлить страховку квартиры?", "olga", "Продлила, договор у вас в почте.", "5 Ольга всё объяснила по-русски, спасибо!"},
	{21, "demo-api", "Ben Carter", "+972500000204", []string{"en"}, "Can I add my son to the car policy?", "pierre", "Done, he is covered from tomorrow.", "3 took two days to get an answer"},
	{19, "demo-sms", "Shira Golan", "+972500000205", []string{"he"}, "מתי יגיע ההחזר על הטיפול?", "yossi", "ההחזר יועבר עד סוף השבוע.", "2 חיכיתי הרבה זמן על הקו"},
	{17, "demo-whatsapp", "Layla Saleh", "+972500000206", []string{"ar"}, "هل تغطي البوليصة الزجاج الأمامي؟", "rana", "نعم، التغطية تشمل الزجاج.", "5 شكرًا على الرد السريع"},
	{14, "demo-whatsapp", "Pavel Orlov", "+972500000207", []string{"ru", "he"}, "Нужна справка об отсутствии страховых случаев", "olga", "Справка отправлена.", "4"},
	{13, "demo-whatsapp", "Ruth Amsalem", "+972500000201", []string{"he"}, "ועוד שאלה: איך מוסיפים נהג?", "dana", "הוספתי את הנהג לפוליסה.", "9 ממליצה לכולם"},
	{12, "demo-api", "Noam Adler", "+972500000208", []string{"he", "en"}, "אפשר לשלם בתשלומים?", "dana", "כן, עד 12 תשלומים ללא ריבית.", "5"},
	{10, "demo-whatsapp", "Emily Ross", "+972500000209", []string{"en"}, "My renewal price went up, why?", "pierre", "The no-claims discount ended; I applied the loyalty discount instead.", "4 clear explanation"},
	{9, "demo-sms", "Hassan Odeh", "+972500000202", []string{"ar", "he"}, "متى تنتهي البوليصة؟", "omar", "في نهاية شهر آذار.", "6"},
	{8, "demo-sms", "Yusuf Darwish", "+972500000210", []string{"ar", "he"}, "فقدت بطاقة التأمين", "omar", "أصدرنا بطاقة جديدة.", "1 اضطررت للاتصال ثلاث مرات"},
	{7, "demo-whatsapp", "Irina Sokolova", "+972500000203", []string{"ru"}, "А страховка дачи тоже есть?", "olga", "Да, отправила вам условия.", "10 лучшая страховая"},
	{6, "demo-whatsapp", "Tamar Weiss", "+972500000211", []string{"he"}, "רוצה לבטל את ביטוח הנסיעות", "yossi", "בוטל, ההחזר בדרך.", "4"},
	{5, "demo-api", "Ben Carter", "+972500000204", []string{"en"}, "Is my son's licence enough for the policy?", "pierre", "Yes, a learner's licence is enough with you in the car.", "7"},
	{4, "demo-whatsapp", "Anna Kuznetsova", "+972500000212", []string{"ru"}, "Можно ли оформить страховку для мамы?", "olga", "Да, оформили, полис в приложении.", "5 очень удобно"},
	{2, "demo-api", "Adam Levy", "+972500000213", []string{"en", "he"}, "How do I report a broken window?", "dana", "Filed as claim 4471, an assessor will call you.", "5 great service"},
	{1, "demo-sms", "Mona Jaber", "+972500000214", []string{"ar"}, "أريد تغيير رقم هاتفي", "rana", "تم التحديث.", "3"},
}

// answersToHistory are the answers the script's resolved personas give their survey, by name.
var answersToHistory = map[string]string{
	"Rivka Cohen":          "5 הנציגה הייתה סבלנית מאוד",
	"Tigist Bekele":        "4",
	"Claire Dubois":        "4 merci",
	"Yael Shapiro":         "5",
	"Avraham Levi":         "3",
	"Samira Khalil":        "5 خدمة ممتازة",
	"Gesher Logistics Ltd": "4",
	"Mulugeta Tesfaye":     "2",
}

// seedSurveys gives the dashboards real satisfaction figures: for each past contact above and
// each resolved conversation of the history, in the order they happened, the survey is offered
// by the survey service and the customer's answer is delivered through the ingest pipeline, on
// a clock set back to when it happened. It runs once: the receipts mark it done.
func seedSurveys(ctx context.Context, s Services) error {
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM channel_receipts WHERE external_id LIKE 'demo-survey-%'`).Scan(&n); err != nil || n > 0 {
		return err
	}
	now := s.Clock.Now()
	past := clock.NewManual(now)
	events := event.NewLog(s.DB, past, nil)
	customers := customer.NewService(s.DB, past, events)
	conversations := conversation.NewService(s.DB, past, events, routing.New(s.DB, past), nil, conversation.Options{})
	customers.SetMergeHook(conversations)
	ingester := channel.NewIngester(s.DB, past, customers, conversations, media.NewStore(s.DB, past), nil)
	fitter := channel.NewFitter(s.DB, customers, s.Channels, past.Now)
	// The queue is only where the service registers its job: the offers here are made at once.
	q := jobs.New(s.DB, past, nil, jobs.Options{})
	surveys, err := survey.New(s.DB, past, events, q, customers, conversations, s.Channels, fitter, survey.Options{})
	if err != nil {
		return err
	}
	ingester.SetAnswerTaker(surveys)
	agents := map[string]string{}
	all, err := s.Auth.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range all {
		agents[u.Email] = u.ID
	}
	seq := 0
	receipt := func() string { seq++; return fmt.Sprintf("demo-survey-%d", seq) }

	// One timeline: the contacts above at their hour, and the history's resolutions.
	type item struct {
		at      time.Time
		contact *surveyContact
		conv    string // a history conversation resolved at at
		answer  string
		ids     []channel.Identity
	}
	var timeline []item
	for i := range surveyContacts {
		c := &surveyContacts[i]
		timeline = append(timeline, item{at: now.Add(-time.Duration(c.daysAgo) * 24 * time.Hour).Add(-time.Duration(2+i%5) * time.Hour), contact: c, answer: c.answer})
	}
	for _, p := range script {
		text, ok := answersToHistory[p.name]
		if !ok || !p.resolved {
			continue
		}
		var conv string
		var at int64
		// When it was resolved is its resolution's event: later seeding may have written on it.
		err := s.DB.QueryRow(ctx, `SELECT e.conversation_id, e.created_at FROM events e JOIN conversations c ON c.id = e.conversation_id
			JOIN identities i ON i.customer_id = c.customer_id
			WHERE i.kind IN ('phone', 'email') AND i.value IN (?, ?) AND c.status = 'resolved' AND e.kind = ? AND e.data LIKE '%"to":"resolved"%'
			ORDER BY e.seq DESC LIMIT 1`, p.phone, p.email, string(event.ConversationStatus)).Scan(&conv, &at)
		if store.IsNoRows(err) {
			continue
		}
		if err != nil {
			return err
		}
		timeline = append(timeline, item{at: time.UnixMilli(at), conv: conv, answer: text, ids: p.identities()})
	}
	sort.SliceStable(timeline, func(i, j int) bool { return timeline[i].at.Before(timeline[j].at) })
	for _, it := range timeline {
		past.Set(it.at)
		if c := it.contact; c != nil {
			ch, err := s.Channels.ByName(ctx, c.channel)
			if err != nil {
				return err
			}
			it.ids = []channel.Identity{{Kind: customer.Phone, Value: c.phone}}
			if ch.Kind == "whatsapp" {
				it.ids = append(it.ids, channel.Identity{Kind: customer.WhatsApp, Value: c.phone[1:]})
			}
			if it.conv, err = seedContact(ctx, past, ingester, customers, conversations, agents, ch, *c, it.ids, receipt()); err != nil {
				return fmt.Errorf("demo survey contact %s: %w", c.name, err)
			}
			it.at = past.Now()
		}
		// Asked after the delay the service waits for, answered within the hour.
		past.Set(it.at.Add(6 * time.Minute))
		sv, err := surveys.OfferResolved(ctx, it.conv, it.at)
		if err != nil {
			return fmt.Errorf("demo survey offer: %w", err)
		}
		if sv == nil {
			continue // the service did not ask (no channel fits, cool-down): nothing to answer
		}
		ch, err := s.Channels.Get(ctx, sv.ChannelID)
		if err != nil {
			return err
		}
		past.Advance(time.Duration(10+len(it.answer)%40) * time.Minute)
		if _, err := ingester.Ingest(ctx, ch, []channel.Inbound{{ExternalID: receipt(), Text: it.answer, From: channel.Contact{Identities: it.ids}}}); err != nil {
			return fmt.Errorf("demo survey answer: %w", err)
		}
		// The question and the thanks were delivered long ago.
		if err := markDelivered(ctx, s.DB, conversations, sv.CustomerID); err != nil {
			return err
		}
	}
	return nil
}

// seedContact replays one contact on the past clock — the question, the agent's answer, the
// resolution — and returns its conversation.
func seedContact(ctx context.Context, past *clock.Manual, ingester *channel.Ingester, customers *customer.Service, conversations *conversation.Service, agents map[string]string,
	ch channel.Channel, c surveyContact, ids []channel.Identity, externalID string) (string, error) {
	res, err := ingester.Ingest(ctx, ch, []channel.Inbound{{ExternalID: externalID, Text: c.question, From: channel.Contact{Name: c.name, Identities: ids}}})
	if err != nil {
		return "", err
	}
	langs := c.langs
	prof := customer.Profile{Device: "smartphone", Consent: map[string]bool{"sms": true, "whatsapp": true}}
	if _, err := customers.Update(ctx, res[0].CustomerID, customer.Patch{Languages: &langs, Profile: &prof}, event.Actor{Kind: event.BySystem, ID: "demo"}); err != nil {
		return "", err
	}
	conv, err := conversations.Get(ctx, res[0].ConversationID)
	if err != nil {
		return "", err
	}
	agent := agents[c.agent+"@demo.example"]
	if conv.AssigneeID != agent {
		if _, err := conversations.Assign(ctx, conv.ID, agent, event.Actor{Kind: event.ByUser, ID: agents["michal@demo.example"]}); err != nil {
			return "", err
		}
	}
	past.Advance(7 * time.Minute)
	msg, err := conversations.Reply(ctx, conversation.ReplyInput{ConversationID: conv.ID, AuthorID: agent, Text: c.reply})
	if err != nil {
		return "", err
	}
	if err := conversations.SetMessageStatus(ctx, msg.ID, conversation.StatusDelivered, "demo-out-"+msg.ID, ""); err != nil {
		return "", err
	}
	past.Advance(4 * time.Minute)
	if _, err := conversations.SetStatus(ctx, conv.ID, conversation.Resolved, event.Actor{Kind: event.ByUser, ID: agent}); err != nil {
		return "", err
	}
	return conv.ID, nil
}

// markDelivered marks a customer's queued replies delivered, as the history's are.
func markDelivered(ctx context.Context, db *store.DB, conversations *conversation.Service, customerID string) error {
	rows, err := db.Query(ctx, `SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE c.customer_id = ? AND m.direction = 'out' AND m.status = ?`, customerID, conversation.StatusQueued)
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if err := conversations.SetMessageStatus(ctx, id, conversation.StatusDelivered, "demo-out-"+id, ""); err != nil {
			return err
		}
	}
	return nil
}
