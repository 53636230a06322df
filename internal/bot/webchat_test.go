package bot_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/bot"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/webchat"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// In web chat too the bot answers a visitor's question before an agent joins.
func TestBotAnswersInWebChat(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t), false)
	chat := e.Ensure(channel.Channel{Name: "site-chat", Kind: webchat.Kind, Secret: "chat-secret", Enabled: true, Settings: map[string]string{
		webchat.SettingAllowedOrigins: "*", bot.SettingBot: "on"}})
	e.article("Opening hours", "Our branches are open Sunday to Thursday, 8:30 to 16:00.")
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/widget/"+chat.Name+"/session", nil)
	var s struct {
		VisitorID string `json:"visitor_id"`
		Token     string `json:"token"`
	}
	if a := e.Do(req); json.Unmarshal([]byte(a.Body), &s) != nil || s.VisitorID == "" {
		t.Fatalf("session: %d %s", a.Status, a.Body)
	}
	body, _ := json.Marshal(map[string]string{"visitor_id": s.VisitorID, "token": s.Token, "id": "w-1", "text": "when are your branches open?"})
	req, _ = http.NewRequest(http.MethodPost, e.URL+"/hooks/webchat/"+chat.Name, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if a := e.Do(req); a.Status != http.StatusOK {
		t.Fatalf("write: %d %s", a.Status, a.Body)
	}
	_, conv := e.ConversationOf(customer.Visitor, s.VisitorID)
	var said []string
	for _, m := range conv.Messages {
		if m.Bot {
			said = append(said, m.Text)
		}
	}
	if len(said) != 1 || !strings.Contains(said[0], "Sunday to Thursday") {
		t.Errorf("the bot in web chat said %q", said)
	}
}
