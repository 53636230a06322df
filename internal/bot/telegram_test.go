package bot_test

import (
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
	"github.com/gesher-cs/gesher/internal/customer"
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
// twice moves nothing twice.
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

		// lastKeyboard sends what the bot said and returns the buttons of the last message.
		lastKeyboard := func() [][]map[string]any {
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
			return rows
		}
		kb := lastKeyboard()
		if len(kb) != 1 || len(kb[0]) != 2 || kb[0][0]["text"] != "1. תאונה" || kb[0][0]["callback_data"] != "1" || kb[0][1]["text"] != "2. גניבה" {
			t.Fatalf("the first step's keyboard %v; want its two short answers side by side, numbered as the text numbers them", kb)
		}

		press := string(channeltest.Fixture(t, "telegram-callback-query.json"))
		n := 0
		tap := func(kb [][]map[string]any, row int) (string, channeltest.Answer) {
			t.Helper()
			n++
			markup, _ := json.Marshal(map[string]any{"inline_keyboard": kb})
			b := strings.Replace(press, `"update_id": 815204444`, fmt.Sprintf(`"update_id": %d`, 815300000+n), 1)
			b = strings.Replace(b, `"id": "21530573828310441"`, fmt.Sprintf(`"id": "2153057382831%04d"`, n), 1)
			b = strings.Replace(b, `"data": "appraiser:tomorrow-am"`, `"data": "`+kb[row][0]["callback_data"].(string)+`"`, 1)
			i := strings.Index(b, `"reply_markup"`)
			j := strings.Index(b[i:], `"chat_instance"`)
			b = b[:i] + `"reply_markup": ` + string(markup) + "\n    },\n    " + b[i+j:]
			return b, post(b)
		}
		body, a := tap(kb, 0)
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
		for _, answer := range []string{"8000", "חיפה"} {
			lastKeyboard()
			quoted, _ := json.Marshal(answer)
			n++
			b := strings.Replace(text, "815204431", fmt.Sprint(815400000+n), 1)
			b = strings.Replace(b, `"message_id": 1207`, fmt.Sprintf(`"message_id": %d`, 3000+n), 1)
			post(strings.Replace(b, `"שלום, הפוליסה שלי לא הגיעה במייל. אפשר לשלוח שוב?"`, string(quoted), 1))
		}
		kb = lastKeyboard()
		if len(kb) == 0 {
			t.Fatal("the confirmation step offers no buttons")
		}
		tap(kb, 0)
		c := e.caseOf(customer.Telegram, "5012345678")
		if c.ServiceID != "car-claim" || c.Answers["claim_kind"] != "accident" || c.Answers["damage_amount"] != 8000.0 || c.Answers["where"] != "חיפה" {
			t.Errorf("case %s: %v", c.ServiceID, c.Answers)
		}
	})
}
