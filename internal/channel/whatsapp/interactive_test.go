package whatsapp

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
)

// Answers go as reply buttons up to three, as a list up to ten, each title numbered and within
// Meta's length; beyond that, or with a file, the numbered text goes alone.
func TestInteractiveChoices(t *testing.T) {
	body := "What happened?\n1. An accident\n2. Theft"
	p, ok := interactive("972501111111", body, channel.Outbound{Text: body, Choices: []string{"An accident", "Theft"}})
	if !ok {
		t.Fatal("two answers: no buttons")
	}
	b, _ := json.Marshal(p)
	for _, want := range []string{`"type":"interactive"`, `"type":"button"`, `"title":"1. An accident"`, `"id":"2"`, `"title":"2. Theft"`, `"body":{"text":"What happened?`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("buttons lack %s: %s", want, b)
		}
	}
	four := []string{"Yes, thanks", "No", "Start “Car insurance claim” here", "Talk to an agent"}
	p, ok = interactive("972501111111", "Did this help?", channel.Outbound{Choices: four})
	b, _ = json.Marshal(p)
	if !ok || !strings.Contains(string(b), `"type":"list"`) || !strings.Contains(string(b), `"title":"3. Start “Car insurance…"`) {
		t.Errorf("four answers: %s", b)
	}
	for name, m := range map[string]channel.Outbound{
		"eleven answers": {Choices: strings.Split("a b c d e f g h i j k", " ")},
		"a file":         {Choices: four, Attachments: []conversation.Attachment{{URL: "https://x.example/a.jpg"}}},
	} {
		if _, ok := interactive("972501111111", "text", m); ok {
			t.Errorf("%s went as buttons", name)
		}
	}
	if _, ok := interactive("972501111111", strings.Repeat("x", maxInteractiveBody+1), channel.Outbound{Choices: four}); ok {
		t.Error("a body over Meta's bound went as a list")
	}
}
