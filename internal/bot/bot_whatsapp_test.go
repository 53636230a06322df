package bot_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/helpcenter"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func (e *env) article(title, body string, services ...string) helpcenter.Article {
	e.T().Helper()
	a, err := e.App.Help.Create(context.Background(), event.System, helpcenter.Input{Lang: "en", Title: title, Body: body,
		Services: services, Visibility: helpcenter.Public, Status: helpcenter.Published})
	if err != nil {
		e.T().Fatal(err)
	}
	return a
}

// The bot answers from the help centre, offers the related service's flow, and on "not
// helpful" hands over; the agent sees what the bot said and what the customer tried, and a
// provider's retry never makes the bot say anything twice.
func TestBotAnswersFromTheHelpCentreThenHandsOver(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, true)
		art := e.article("Reporting a stolen car", "First report the theft to the police and keep the report number.\n\nThen file a car claim with us: online, on WhatsApp or by phone.", "car-claim")
		e.article("Changing your address", "Change your address in the personal area.")
		const phone = "972505555555"
		e.send(phone, "wamid.q1", "my car was stolen, what do I do?")
		said := e.botSaid("+" + phone)
		if len(said) != 1 {
			t.Fatalf("the bot said %d messages, want 1: %q", len(said), said)
		}
		for _, want := range []string{"Reporting a stolen car", "file a car claim", "/help/articles/" + art.ID, "Car claim", "at a branch",
			"Damage above ₪20,000 is assessed at a branch.", "Did this help?", "1. Yes, thanks", "2. No", "3. Start “Car claim” here", "4. Talk to an agent"} {
			if !strings.Contains(said[0], want) {
				t.Errorf("the answer lacks %q:\n%s", want, said[0])
			}
		}
		// Meta delivers the question again: stored once, answered once.
		e.send(phone, "wamid.q1", "my car was stolen, what do I do?")
		if n := len(e.botSaid("+" + phone)); n != 1 {
			t.Errorf("after a retry the bot has said %d messages, want 1", n)
		}
		e.send(phone, "wamid.q2", "2")
		said = e.botSaid("+" + phone)
		if len(said) != 2 || !strings.Contains(said[1], "passed you to an agent") {
			t.Fatalf("not helpful → hand-over: %q", said)
		}
		e.send(phone, "wamid.q3", "hello? anyone?")
		if n := len(e.botSaid("+" + phone)); n != 2 {
			t.Errorf("the bot spoke after the hand-over")
		}
		for kind, want := range map[string]int{"bot.answered": 1, "bot.not-helpful": 1, "bot.handed-over": 1, "bot.helpful": 0} {
			if n := e.Count(`SELECT COUNT(*) FROM events WHERE kind = ?`, kind); n != want {
				t.Errorf("%d %s events, want %d", n, kind, want)
			}
		}
		// The agent's view of the conversation: the customer's tries and the bot's answers,
		// the bot's marked as such.
		_, open := e.ConversationOf(customer.Phone, "+"+phone)
		var conv conversation.Conversation
		if a := e.Get("/api/v1/conversations/"+open.ID, &conv); a.Status != http.StatusOK {
			t.Fatalf("agent's view: %d", a.Status)
		}
		var seen []string
		for _, m := range conv.Messages {
			who := "customer"
			if m.Direction == conversation.Outbound {
				who = "agent"
				if m.Bot {
					who = "bot"
				}
			}
			seen = append(seen, who)
		}
		if got, want := strings.Join(seen, ","), "customer,bot,customer,bot,customer"; got != want {
			t.Errorf("the agent sees %s, want %s", got, want)
		}
		// The answer counted against the article, as the help centre's own feedback does.
		if n := e.Count(`SELECT COUNT(*) FROM events WHERE kind = 'bot.not-helpful' AND data LIKE ?`, "%"+art.ID+"%"); n != 1 {
			t.Errorf("not-helpful does not name the article")
		}
	})
}

// "agent" hands over at once; a question nothing answers hands over too; once an agent has
// written, the bot stays out of the conversation.
func TestBotHandsOverOnRequestAndOnNothingFound(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t), true)
	e.send("972506666666", "wamid.a1", "נציג")
	if said := e.botSaid("+972506666666"); len(said) != 1 || !strings.Contains(said[0], "העברתי אותך לנציג") {
		t.Errorf("agent word in Hebrew: %q", said)
	}
	e.send("972507777777", "wamid.n1", "xyzzy plugh")
	if said := e.botSaid("+972507777777"); len(said) != 1 || !strings.Contains(said[0], "couldn't find an answer") {
		t.Errorf("nothing found: %q", said)
	}
	var reasons []string
	rows, err := e.App.DB.Query(context.Background(), `SELECT data FROM events WHERE kind = 'bot.handed-over' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var d string
		_ = rows.Scan(&d)
		reasons = append(reasons, d)
	}
	rows.Close()
	if len(reasons) != 2 || !strings.Contains(reasons[0], "asked") || !strings.Contains(reasons[1], "nothing-found") {
		t.Errorf("hand-over reasons: %q", reasons)
	}

	e.article("Opening hours", "Our branches are open Sunday to Thursday, 8:30 to 16:00.")
	e.send("972508888888", "wamid.h1", "Hi")
	_, conv := e.ConversationOf(customer.Phone, "+972508888888")
	e.Reply(conv.ID, "Hello, this is Noa. How can I help?")
	before := len(e.botSaid("+972508888888"))
	e.send("972508888888", "wamid.h2", "what are your opening hours?")
	if n := len(e.botSaid("+972508888888")); n != before {
		t.Errorf("the bot answered in a conversation an agent had joined")
	}
}

// "Yes, it helped" is recorded and the bot says so; the next question is answered afresh.
func TestBotHelpful(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t), true)
	e.article("Opening hours", "Our branches are open Sunday to Thursday, 8:30 to 16:00.")
	e.send("972509999999", "wamid.y1", "when are branches open?")
	e.send("972509999999", "wamid.y2", "1")
	said := e.botSaid("+972509999999")
	if len(said) != 2 || !strings.Contains(said[0], "Sunday to Thursday") || !strings.Contains(said[1], "Glad it helped") {
		t.Errorf("helpful: %q", said)
	}
	if n := e.Count(`SELECT COUNT(*) FROM events WHERE kind = 'bot.helpful'`); n != 1 {
		t.Errorf("%d helpful events", n)
	}
}
