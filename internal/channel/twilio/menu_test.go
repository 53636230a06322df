package twilio_test

import (
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/twilio"
	"github.com/gesher-cs/gesher/internal/ivr"
)

// A <Gather> callback is parsed strictly: keys of a phone pad only, speech bounded and valid
// UTF-8, and whatever it yields can be matched against a menu without surprises.
func FuzzParseGather(f *testing.F) {
	for _, s := range []string{
		"CallSid=CA1&Digits=1&CallStatus=in-progress",
		"CallSid=CA1&SpeechResult=%D7%9E%D7%A6%D7%91+%D7%AA%D7%91%D7%99%D7%A2%D7%94&Confidence=0.91",
		"SpeechResult=%D0%BE%D0%BF%D0%B5%D1%80%D0%B0%D1%82%D0%BE%D1%80&Confidence=2",
		"Digits=1%232&Digits=9", "Digits=%3Cscript%3E", "SpeechResult=%FF%FE", "%zz", "Confidence=NaN",
	} {
		f.Add([]byte(s))
	}
	node := ivr.Node{Options: []ivr.Option{
		{Digit: "1", Label: map[string]string{"he": "מצב תביעה", "ru": "Статус"}},
		{Digit: "2", Label: map[string]string{"he": "נציג", "ru": "Оператор"}},
	}}
	f.Fuzz(func(t *testing.T, body []byte) {
		g, err := twilio.ParseGather(body)
		if err != nil {
			var pe *channel.PayloadError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a payload error", err)
			}
			return
		}
		if len(g.Digits) > 32 || strings.Trim(g.Digits, "0123456789*#w") != "" {
			t.Fatalf("digits %q", g.Digits)
		}
		if !utf8.ValidString(g.Speech) || utf8.RuneCountInString(g.Speech) > 500 || g.Confidence < 0 || g.Confidence > 1 {
			t.Fatalf("speech %q confidence %v", g.Speech, g.Confidence)
		}
		for _, lang := range []string{"he", "ru"} {
			ivr.Match(node, lang, ivr.Input{Digits: g.Digits, Speech: g.Speech})
		}
	})
}

func TestMenuTwiMLIsWellFormedAndEscaped(t *testing.T) {
	ch := channel.Channel{Name: "line"}
	r := ivr.Reply{
		Say:    []ivr.Say{{Lang: "ar", Text: `<b>"مرحبا" & أهلا</b>`}},
		Gather: &ivr.Gather{Step: 7, Lang: "ar", Hints: []string{"حالة, المطالبة", `"x"`}, Say: []ivr.Say{{Lang: "ar", Text: "اضغط 1"}}},
	}
	doc := twilio.MenuTwiML(ch, "https://gesher.example/hooks/voice/line", r, false)
	var parsed struct {
		Say []struct {
			Lang string `xml:"language,attr"`
		} `xml:"Say"`
		Gather struct {
			Action   string `xml:"action,attr"`
			Language string `xml:"language,attr"`
			Hints    string `xml:"hints,attr"`
		} `xml:"Gather"`
	}
	if err := xml.Unmarshal([]byte(doc), &parsed); err != nil {
		t.Fatalf("not XML: %v\n%s", err, doc)
	}
	if parsed.Say[0].Lang != "ar-XA" || parsed.Gather.Language != "ar-IL" {
		t.Errorf("languages %+v %q; want ar-XA to speak and ar-IL to listen", parsed.Say, parsed.Gather.Language)
	}
	if parsed.Gather.Action != "https://gesher.example/hooks/voice/line?menu=gather&step=7" {
		t.Errorf("action %q", parsed.Gather.Action)
	}
	if parsed.Gather.Hints != `حالة  المطالبة, "x"` {
		t.Errorf("hints %q: commas inside a hint would split it", parsed.Gather.Hints)
	}
	if !strings.Contains(doc, "&lt;b&gt;&#34;مرحبا&#34; &amp; أهلا&lt;/b&gt;") {
		t.Errorf("text not escaped: %s", doc)
	}
	held := twilio.MenuTwiML(ch, "https://gesher.example/hooks/voice/line", ivr.Reply{Enqueue: "claims"}, true)
	if !strings.Contains(held, `<Enqueue waitUrl="https://gesher.example/hooks/voice/line?menu=wait" waitUrlMethod="POST" action="https://gesher.example/hooks/voice/line?menu=left" method="POST">claims</Enqueue>`) ||
		!strings.Contains(held, "<Play>"+twilio.DefaultHoldMusic+"</Play>") {
		t.Errorf("enqueue and hold: %s", held)
	}
}
