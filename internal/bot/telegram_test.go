package bot_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
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
