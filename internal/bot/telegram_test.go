package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gesher-cs/gesher/internal/bot"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/channeltest"
	"github.com/gesher-cs/gesher/internal/channel/telegram"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// The same flow on Telegram: numbered steps in the language the customer writes, the case
// opened as self-service.
func TestTelegramFlowRunsToACase(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t), false)
	tg := e.Ensure(channel.Channel{Name: "tg", Kind: telegram.Kind, Secret: "tg-secret", Enabled: true, Settings: map[string]string{
		telegram.SettingBotToken: "123:abc", telegram.SettingAPIBase: "http://127.0.0.1:1", bot.SettingBot: "on"}})
	fixture := string(channeltest.Fixture(t, "telegram-text.json"))
	n := 0
	send := func(text string) {
		t.Helper()
		n++
		body := strings.Replace(fixture, "815204431", fmt.Sprint(815204431+n), 1)
		body = strings.Replace(body, `"message_id": 1207`, fmt.Sprintf(`"message_id": %d`, 1207+n), 1)
		quoted, _ := json.Marshal(text)
		body = strings.Replace(body, `"שלום, הפוליסה שלי לא הגיעה במייל. אפשר לשלוח שוב?"`, string(quoted), 1)
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/hooks/telegram/"+tg.Name, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(telegram.SecretHeader, "tg-secret")
		if a := e.Do(req); a.Status != http.StatusOK {
			t.Fatalf("telegram %q: %d %s", text, a.Status, a.Body)
		}
	}
	said := func() []string {
		_, conv := e.ConversationOf(customer.Telegram, "5012345678")
		var out []string
		for _, m := range conv.Messages {
			if m.Bot {
				out = append(out, m.Text)
			}
		}
		return out
	}
	send("תביעת רכב")
	if got := last(said()); !strings.Contains(got, "שלב 1 מתוך 4") || !strings.Contains(got, "1. תאונה") {
		t.Fatalf("first step on Telegram:\n%s", got)
	}
	for _, answer := range []string{"1", "8000", "חיפה", "כן"} {
		send(answer)
	}
	c := e.caseOf(customer.Telegram, "5012345678")
	if c.ServiceID != "car-claim" || c.Via != selfservice.Web || c.Answers["claim_kind"] != "accident" || c.Answers["damage_amount"] != 8000.0 || c.Answers["where"] != "חיפה" {
		t.Errorf("case %s via %s: %v", c.ServiceID, c.Via, c.Answers)
	}
	if got := last(said()); !strings.Contains(got, c.Ref) {
		t.Errorf("last message:\n%s", got)
	}
}

// The same flow answered by tapping: each step that offers answers goes out with an inline
// keyboard, a tap arrives as a callback_query and moves the flow on as typing the number
// would, the webhook's answer stops the customer's spinner, and Telegram delivering a press
// twice moves nothing twice. Telegram keeps every keyboard on its message, so the customer can
// still press the first question's buttons later: such a press, at a middle step or at the
// confirmation, answers nothing and opens nothing, and the step asked now is asked again.
func TestTelegramFlowByButtons(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		var mu sync.Mutex
		var sent []map[string]any // the sendMessage calls the fake Bot API took, in order
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var params map[string]any
			if !strings.HasSuffix(r.URL.Path, "/sendMessage") || json.NewDecoder(r.Body).Decode(&params) != nil {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"ok":false,"error_code":400,"description":"Bad Request"}`)
				return
			}
			mu.Lock()
			sent = append(sent, params)
			n := len(sent)
			mu.Unlock()
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": map[string]any{"message_id": 2000 + n, "chat": map[string]any{"id": 5012345678}}})
		}))
		t.Cleanup(api.Close)
		e := newEnv(t, dsn, false)
		tg := e.Ensure(channel.Channel{Name: "tg", Kind: telegram.Kind, Secret: "tg-secret", Enabled: true, Settings: map[string]string{
			telegram.SettingBotToken: "123:abc", telegram.SettingAPIBase: api.URL, bot.SettingBot: "on"}})
		post := func(body string) channeltest.Answer {
			t.Helper()
			req, _ := http.NewRequest(http.MethodPost, e.URL+"/hooks/telegram/"+tg.Name, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(telegram.SecretHeader, "tg-secret")
			a := e.Do(req)
			if a.Status != http.StatusOK {
				t.Fatalf("telegram: %d %s", a.Status, a.Body)
			}
			return a
		}
		text := string(channeltest.Fixture(t, "telegram-text.json"))
		quoted, _ := json.Marshal("תביעת רכב")
		post(strings.Replace(text, `"שלום, הפוליסה שלי לא הגיעה במייל. אפשר לשלוח שוב?"`, string(quoted), 1))

		// lastSent sends what the bot said and returns the text and the buttons of the last
		// message.
		lastSent := func() (string, [][]map[string]any) {
			t.Helper()
			e.Work(1)
			mu.Lock()
			defer mu.Unlock()
			if len(sent) == 0 {
				t.Fatal("nothing sent to Telegram")
			}
			rm, _ := sent[len(sent)-1]["reply_markup"].(map[string]any)
			var rows [][]map[string]any
			raw, _ := json.Marshal(rm["inline_keyboard"])
			_ = json.Unmarshal(raw, &rows)
			text, _ := sent[len(sent)-1]["text"].(string)
			return text, rows
		}
		count := func() int {
			mu.Lock()
			defer mu.Unlock()
			return len(sent)
		}
		lastKeyboard := func() [][]map[string]any {
			t.Helper()
			_, kb := lastSent()
			return kb
		}
		// key is the question a button's callback_data names, "<key>:<n>".
		key := func(b map[string]any, n int) string {
			t.Helper()
			data, _ := b["callback_data"].(string)
			k, ok := strings.CutSuffix(data, fmt.Sprintf(":%d", n))
			if !ok || k == "" || len(data) > 64 {
				t.Fatalf("callback_data %q; want the question's key and the answer's number %d, in Telegram's 64 bytes", data, n)
			}
			return k
		}
		first := lastKeyboard()
		if len(first) != 1 || len(first[0]) != 2 || first[0][0]["text"] != "1. תאונה" || first[0][1]["text"] != "2. גניבה" {
			t.Fatalf("the first step's keyboard %v; want its two short answers side by side, numbered as the text numbers them", first)
		}
		if key(first[0][0], 1) != key(first[0][1], 2) {
			t.Errorf("the first step's buttons name different questions: %v", first)
		}

		press := string(channeltest.Fixture(t, "telegram-callback-query.json"))
		n := 0
		tap := func(kb [][]map[string]any, row, col int) (string, channeltest.Answer) {
			t.Helper()
			n++
			markup, _ := json.Marshal(map[string]any{"inline_keyboard": kb})
			b := strings.Replace(press, `"update_id": 815204444`, fmt.Sprintf(`"update_id": %d`, 815300000+n), 1)
			b = strings.Replace(b, `"id": "21530573828310441"`, fmt.Sprintf(`"id": "2153057382831%04d"`, n), 1)
			b = strings.Replace(b, `"data": "appraiser:tomorrow-am"`, `"data": "`+kb[row][col]["callback_data"].(string)+`"`, 1)
			i := strings.Index(b, `"reply_markup"`)
			j := strings.Index(b[i:], `"chat_instance"`)
			b = b[:i] + `"reply_markup": ` + string(markup) + "\n    },\n    " + b[i+j:]
			return b, post(b)
		}
		body, a := tap(first, 0, 0)
		if !strings.Contains(a.Body, `"answerCallbackQuery"`) || !strings.Contains(a.Body, `"21530573828310001"`) {
			t.Errorf("webhook answer %s; want answerCallbackQuery for the press", a.Body)
		}
		said := func() int {
			_, conv := e.ConversationOf(customer.Telegram, "5012345678")
			k := 0
			for _, m := range conv.Messages {
				if m.Bot {
					k++
				}
			}
			return k
		}
		before := said()
		post(body) // Telegram delivering the same press again
		if said() != before {
			t.Errorf("a repeated press moved the flow again (%d bot messages, were %d)", said(), before)
		}
		write := func(answer string) {
			t.Helper()
			quoted, _ := json.Marshal(answer)
			n++
			b := strings.Replace(text, "815204431", fmt.Sprint(815400000+n), 1)
			b = strings.Replace(b, `"message_id": 1207`, fmt.Sprintf(`"message_id": %d`, 3000+n), 1)
			post(strings.Replace(b, `"שלום, הפוליסה שלי לא הגיעה במייל. אפשר לשלוח שוב?"`, string(quoted), 1))
		}
		lastSent()
		write("8000")
		if got, _ := lastSent(); !strings.Contains(got, "שלב 3 מתוך 4") {
			t.Fatalf("after the amount:\n%s", got)
		}

		// At the third step (a free text), "2. גניבה" pressed on the first question's message:
		// not the answer "where", nor a new kind of claim. The third step is asked again.
		before = count()
		tap(first, 0, 1)
		if got, kb := lastSent(); count() != before+1 || !strings.Contains(got, "שלב 3 מתוך 4") || strings.Contains(got, "שלב 4 מתוך 4") || kb != nil {
			t.Fatalf("after a stale press at the third step, the bot said (buttons %v):\n%s\nwant the third step asked again", kb, got)
		}
		write("חיפה")
		confirmText, confirm := lastSent()
		if len(confirm) == 0 || !strings.Contains(confirmText, "שלב 4 מתוך 4") {
			t.Fatalf("the confirmation step (buttons %v):\n%s", confirm, confirmText)
		}
		if key(confirm[0][0], 1) == key(first[0][0], 1) {
			t.Fatalf("the confirmation's buttons carry the first step's key %q", key(first[0][0], 1))
		}

		// At the confirmation, "1. תאונה" pressed on the first question's message: it reads
		// as "1", which confirms, but it answers the first question. No case; the
		// confirmation is offered again, buttons and all.
		cust, err := e.App.Customers.FindByIdentity(context.Background(), customer.Telegram, "5012345678")
		if err != nil {
			t.Fatal(err)
		}
		before = count()
		tap(first, 0, 0)
		if cases, err := e.App.SelfService.Cases(context.Background(), cust.ID, 10); err != nil || len(cases) != 0 {
			t.Fatalf("a stale press at the confirmation opened %d cases (%v)", len(cases), err)
		}
		again, kb := lastSent()
		if count() != before+1 || again != confirmText || len(kb) == 0 || key(kb[0][0], 1) != key(confirm[0][0], 1) {
			t.Fatalf("after a stale press at the confirmation the bot said (buttons %v):\n%s\nwant the confirmation again:\n%s", kb, again, confirmText)
		}
		tap(confirm, 0, 0) // the confirmation's own button, from the first time it was asked
		c := e.caseOf(customer.Telegram, "5012345678")
		if c.ServiceID != "car-claim" || c.Answers["claim_kind"] != "accident" || c.Answers["damage_amount"] != 8000.0 || c.Answers["where"] != "חיפה" {
			t.Errorf("case %s: %v", c.ServiceID, c.Answers)
		}

		// With no flow left, old buttons are no questions for the bot: not the flow's, nor a
		// closed survey's score (a message without a key sends the bare number). The press
		// stays in the conversation for the agents; the bot says nothing.
		e.Work(1)
		before = said()
		tap(first, 0, 1)
		tap(confirm, 0, 0)
		tap([][]map[string]any{{{"text": "4. טוב", "callback_data": "4"}}}, 0, 0)
		if said() != before {
			t.Errorf("the bot answered presses on old buttons after the flow ended (%d bot messages, were %d)", said(), before)
		}
		if cases, err := e.App.SelfService.Cases(context.Background(), cust.ID, 10); err != nil || len(cases) != 1 {
			t.Errorf("%d cases after old presses (%v); want the one", len(cases), err)
		}

		// The help bot's "did this help?" takes its own buttons, and only those: "1. תאונה"
		// from the flow is no "1. yes" to it.
		write("איך מגישים תביעת רכב")
		if _, ask := lastSent(); len(ask) == 0 {
			t.Fatal("the help bot's answer offers no buttons")
		} else {
			before = said()
			tap(first, 0, 0)
			if said() != before || e.Count(`SELECT COUNT(*) FROM events WHERE kind = ?`, string(bot.Helpful)) != 0 {
				t.Errorf("a flow's old button answered the help bot's question")
			}
			tap(ask, 0, 0)
			if said() != before+1 || e.Count(`SELECT COUNT(*) FROM events WHERE kind = ?`, string(bot.Helpful)) != 1 {
				t.Errorf("the help bot's own button: %d bot messages (were %d), %d helpful events; want its thanks, and one",
					said(), before, e.Count(`SELECT COUNT(*) FROM events WHERE kind = ?`, string(bot.Helpful)))
			}
		}

		// A survey pending on Telegram takes its own buttons (no key), never a keyed press
		// from a flow: "1. תאונה" is no score of 1.
		_, conv := e.ConversationOf(customer.Telegram, "5012345678")
		if _, err := e.App.Conversations.SetStatus(context.Background(), conv.ID, conversation.Resolved, event.System); err != nil {
			t.Fatal(err)
		}
		if sv, err := e.App.Surveys.OfferResolved(context.Background(), conv.ID, e.Clock.Now()); err != nil || sv == nil {
			t.Fatalf("survey: %v, %v", sv, err)
		}
		answered := func() int { return e.Count(`SELECT COUNT(*) FROM events WHERE kind = 'survey.answered'`) }
		tap(first, 0, 0)
		if answered() != 0 {
			t.Errorf("a flow's keyed button answered the pending survey")
		}
		tap([][]map[string]any{{{"text": "4. טוב", "callback_data": "4"}}}, 0, 0)
		if answered() != 1 {
			t.Errorf("the survey's own button: %d answers; want 1", answered())
		}
	})
}
