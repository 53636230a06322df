package twilio_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/channeltest"
	"github.com/gesher-cs/gesher/internal/channel/twilio"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// ringing is Twilio's request for an incoming call, as its voice webhook sends it.
func ringing(sid, from string) url.Values {
	return url.Values{
		"CallSid": {sid}, "AccountSid": {accountSid}, "From": {from}, "To": {"+97235550100"}, "CallStatus": {"ringing"},
		"Direction": {"inbound"}, "ApiVersion": {"2010-04-01"}, "Caller": {from}, "CallerName": {""}, "FromCountry": {"IL"},
	}
}

func (e *env) postCall(ch channel.Channel, form url.Values, sig ...string) channeltest.Answer {
	e.T().Helper()
	hook := e.URL + "/hooks/voice/" + ch.Name
	signature := twilio.Signature(authToken, hook, form)
	if len(sig) > 0 {
		signature = sig[0]
	}
	req, _ := http.NewRequest(http.MethodPost, hook, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if signature != "" {
		req.Header.Set(twilio.SignatureHeader, signature)
	}
	return e.Do(req)
}

func TestACallJoinsTheCallersConversationAndIsAnswered(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		voice, err := e.App.Channels.Ensure(context.Background(), channel.Channel{Name: "demo-voice", Kind: twilio.VoiceKind, Secret: authToken, Enabled: true,
			Settings: map[string]string{twilio.SettingGreeting: `שלום <& "ברוכים הבאים"`, twilio.SettingForwardTo: "+97235550111"}})
		if err != nil {
			t.Fatal(err)
		}
		// The customer wrote by SMS first.
		if got := e.postSMS(fixture(t, "inbound-sms.form")); got.Status != http.StatusOK {
			t.Fatalf("sms: %d %s", got.Status, got.Body)
		}
		params, _ := url.ParseQuery(fixture(t, "inbound-sms.form"))
		from := params.Get("From")
		_, before := e.ConversationOf(customer.Phone, from)

		got := e.postCall(voice, ringing("CA11111111111111111111111111111111", from))
		if got.Status != http.StatusOK || !strings.HasPrefix(got.ContentType(), "text/xml") {
			t.Fatalf("call: %d %s %s", got.Status, got.ContentType(), got.Body)
		}
		want := `<Say language="he-IL">שלום &lt;&amp; &#34;ברוכים הבאים&#34;</Say><Dial>+97235550111</Dial>`
		if !strings.Contains(got.Body, want) {
			t.Errorf("TwiML %s; want the escaped greeting, then the call put through: %s", got.Body, want)
		}
		_, after := e.ConversationOf(customer.Phone, from)
		if after.ID != before.ID || after.AssigneeID != before.AssigneeID || len(after.Messages) != 2 || after.Messages[1].ChannelID != voice.ID {
			t.Fatalf("after the call: %+v; want the SMS conversation, same owner, with the call as its second message", after)
		}
		// Twilio's retry of the same call, and the status callback at its end, store nothing.
		if got := e.postCall(voice, ringing("CA11111111111111111111111111111111", from)); got.Status != http.StatusOK {
			t.Errorf("the same call again: %d", got.Status)
		}
		ended := ringing("CA11111111111111111111111111111111", from)
		ended.Set("CallStatus", "completed")
		ended.Set("CallDuration", "74")
		if got := e.postCall(voice, ended); got.Status != http.StatusNoContent {
			t.Errorf("the end-of-call callback: %d %s; want 204", got.Status, got.Body)
		}
		if n := e.Count(`SELECT COUNT(*) FROM messages WHERE channel_id = ?`, voice.ID); n != 1 {
			t.Errorf("%d call messages; want 1", n)
		}

		// A withheld number still reaches the queue, as a caller of their own.
		withheld := ringing("CA22222222222222222222222222222222", "Anonymous")
		if got := e.postCall(voice, withheld); got.Status != http.StatusOK || !strings.Contains(got.Body, "<Dial>") {
			t.Errorf("a withheld number: %d %s; want it answered", got.Status, got.Body)
		}
		if n := e.Count(`SELECT COUNT(*) FROM identities WHERE kind = 'external' AND value = 'call:CA22222222222222222222222222222222'`); n != 1 {
			t.Errorf("the withheld call has %d identities; want its own", n)
		}

		// Refused: a forged call, and a body that is not Twilio's.
		before2 := e.Count(`SELECT COUNT(*) FROM messages`)
		if got := e.postCall(voice, ringing("CA33333333333333333333333333333333", from), "bm90IGEgc2lnbmF0dXJl"); got.Status != http.StatusUnauthorized {
			t.Errorf("a forged signature: %d; want 401", got.Status)
		}
		if got := e.postCall(voice, url.Values{"From": {from}, "CallStatus": {"ringing"}}); got.Status != http.StatusBadRequest {
			t.Errorf("no CallSid: %d; want 400", got.Status)
		}
		if n := e.Count(`SELECT COUNT(*) FROM messages`); n != before2 {
			t.Errorf("refused requests stored %d messages", n-before2)
		}
	})
}

func TestAnswerTwiMLQueuesWhenNothingIsForwarded(t *testing.T) {
	got := twilio.AnswerTwiML(channel.Channel{Name: "line-1", Settings: map[string]string{}})
	if got != `<?xml version="1.0" encoding="UTF-8"?><Response><Enqueue>line-1</Enqueue></Response>` {
		t.Errorf("TwiML without greeting or forwarding: %s", got)
	}
}

func FuzzParseCall(f *testing.F) {
	f.Add(ringing("CA1", "+972501234567").Encode())
	f.Add("CallSid=CA1&CallStatus=completed&CallDuration=5")
	f.Add("CallSid=%ZZ&CallStatus=ringing")
	f.Add("CallSid=CA1&CallStatus=ringing&From=%D7%A9%00%FF")
	f.Fuzz(func(t *testing.T, body string) {
		c, err := twilio.ParseCall([]byte(body))
		if err != nil {
			var pe *channel.PayloadError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a PayloadError", err)
			}
			return
		}
		if c.CallSid == "" || c.Status == "" {
			t.Fatalf("accepted %q without a CallSid or status: %+v", body, c)
		}
		for _, s := range []string{c.CallSid, c.From, c.To, c.Caller, c.Status} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("field %q is not clean text", s)
			}
		}
	})
}
