package whatsapp

import (
	"strconv"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/channel"
)

// Meta's bounds on interactive messages.
const (
	maxInteractiveBody = 1024 // the body text
	maxButtons         = 3    // reply buttons; more answers go as a list
	maxRows            = 10   // rows of a list
	maxButtonTitle     = 20
	maxRowTitle        = 24
)

// interactive builds the request for a message that offers answers (Outbound.Choices): reply
// buttons for up to three, a list for up to ten, so the customer taps instead of typing. Each
// title starts with the answer's number, as the text numbers it, so a tap reads as the number
// whatever Meta does to a long title; the text itself is the body. A message with files, more
// answers or a longer text than Meta allows goes as the numbered text it also is (ok false).
// Each button's id is channel.ButtonData: the question's key and the answer's number, so a tap
// on an older message's buttons (WhatsApp keeps them) is told from an answer to the question
// asked now.
func interactive(to, text string, m channel.Outbound) (payload, bool) {
	n := len(m.Choices)
	if n == 0 || n > maxRows || len(m.Attachments) > 0 || text == "" || utf8.RuneCountInString(text) > maxInteractiveBody || !channel.ValidChoiceKey(m.ChoiceKey) {
		return nil, false
	}
	p := base(to, "interactive")
	if n <= maxButtons {
		buttons := make([]payload, n)
		for i, c := range m.Choices {
			buttons[i] = payload{"type": "reply", "reply": payload{"id": channel.ButtonData(m.ChoiceKey, i+1), "title": numberedTitle(i, c, maxButtonTitle)}}
		}
		p["interactive"] = payload{"type": "button", "body": payload{"text": text}, "action": payload{"buttons": buttons}}
		return p, true
	}
	rows := make([]payload, n)
	for i, c := range m.Choices {
		rows[i] = payload{"id": channel.ButtonData(m.ChoiceKey, i+1), "title": numberedTitle(i, c, maxRowTitle)}
	}
	// The list's button names the numbers it opens, which reads in every language.
	p["interactive"] = payload{"type": "list", "body": payload{"text": text},
		"action": payload{"button": "1–" + strconv.Itoa(n), "sections": []payload{{"rows": rows}}}}
	return p, true
}

// numberedTitle is "2. Theft", cut to max characters with an ellipsis.
func numberedTitle(i int, label string, max int) string {
	t := strconv.Itoa(i+1) + ". " + label
	if utf8.RuneCountInString(t) <= max {
		return t
	}
	return string([]rune(t)[:max-1]) + "…"
}
