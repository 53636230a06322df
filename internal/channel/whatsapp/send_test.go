package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
)

const demoTemplates = `[{"name":"claim_update","language":"he","body":"שלום {{1}}, התביעה שלך {{2}} עודכנה"},
{"name":"claim_update","language":"en","body":"Hello {{1}}, your claim {{2}} has been updated"},
{"name":"appointment","language":"en","body":"Your appointment on {{2}} with {{1}} is confirmed.\n\nReply STOP to opt out."}]`

var toSheena = []channel.Identity{{Kind: customer.Email, Value: "sheena@example.com"}, {Kind: customer.Phone, Value: "+16505551234"}, {Kind: customer.WhatsApp, Value: "16505551234"}}

// asJSON turns a request body the test expects into what the fake decoded, for comparison.
func asJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("expected body %s: %v", s, err)
	}
	return m
}

func TestSendText(t *testing.T) {
	f := NewFakeGraph(t, accessToken)
	f.HandOut("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJBRkJENzExMTRFRjk2NTI1OTEA")
	rec, err := New(nil, nil).Send(context.Background(), waChannel(f.URL), channel.Outbound{ID: "m1", To: toSheena, Text: "  שלום שינה, ההזמנה בדרך  "})
	if err != nil {
		t.Fatal(err)
	}
	if rec.ExternalID != "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJBRkJENzExMTRFRjk2NTI1OTEA" {
		t.Errorf("receipt %q", rec.ExternalID)
	}
	reqs := f.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/v21.0/"+ourNumberID+"/messages" || reqs[0].Auth != "Bearer "+accessToken {
		t.Fatalf("requests %+v", reqs)
	}
	want := asJSON(t, `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"text","text":{"body":"שלום שינה, ההזמנה בדרך"}}`)
	if !reflect.DeepEqual(reqs[0].Body, want) {
		t.Errorf("body\n got %v\nwant %v", reqs[0].Body, want)
	}
	// A customer known only by phone is written to by the phone's digits; api_version is a
	// setting.
	ch := waChannel(f.URL, SettingAPIVersion, "v23.0")
	f.Version = "v23.0"
	if _, err := New(nil, nil).Send(context.Background(), ch, channel.Outbound{ID: "m2", To: toSheena[:2], Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if r := f.Requests()[1]; r.Body["to"] != "16505551234" || r.Path != "/v23.0/"+ourNumberID+"/messages" {
		t.Errorf("phone-only customer: %+v", r)
	}
}

func TestSendMedia(t *testing.T) {
	f := NewFakeGraph(t, accessToken)
	a := New(nil, nil)
	ctx := context.Background()
	photo := conversation.Attachment{Name: "label.png", ContentType: "image/png", URL: "https://files.example.com/label.png"}
	form := conversation.Attachment{Name: "claim-form.pdf", ContentType: "application/pdf", URL: "https://files.example.com/claim-form.pdf"}
	voice := conversation.Attachment{Name: "hello.ogg", ContentType: "audio/ogg", URL: "https://files.example.com/hello.ogg"}

	if _, err := a.Send(ctx, waChannel(f.URL), channel.Outbound{ID: "m1", To: toSheena, Text: "The label", Attachments: []conversation.Attachment{photo}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Send(ctx, waChannel(f.URL), channel.Outbound{ID: "m2", To: toSheena, Text: "Two files", Attachments: []conversation.Attachment{form, voice}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Send(ctx, waChannel(f.URL), channel.Outbound{ID: "m3", To: toSheena, Text: "Listen", Attachments: []conversation.Attachment{voice}}); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	for _, r := range f.Requests() {
		got = append(got, r.Body)
	}
	head := `"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",`
	want := []map[string]any{
		asJSON(t, `{`+head+`"type":"image","image":{"link":"https://files.example.com/label.png","caption":"The label"}}`),
		asJSON(t, `{`+head+`"type":"text","text":{"body":"Two files"}}`),
		asJSON(t, `{`+head+`"type":"document","document":{"link":"https://files.example.com/claim-form.pdf","filename":"claim-form.pdf"}}`),
		asJSON(t, `{`+head+`"type":"audio","audio":{"link":"https://files.example.com/hello.ogg"}}`),
		asJSON(t, `{`+head+`"type":"text","text":{"body":"Listen"}}`), // audio takes no caption
		asJSON(t, `{`+head+`"type":"audio","audio":{"link":"https://files.example.com/hello.ogg"}}`),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("requests\n got %v\nwant %v", got, want)
	}
}

func TestSendTemplate(t *testing.T) {
	f := NewFakeGraph(t, accessToken)
	a := New(nil, nil)
	ch := waChannel(f.URL, SettingTemplates, demoTemplates)
	tests := []struct{ text, want string }{
		{"שלום דנה כהן, התביעה שלך 2024-118 עודכנה",
			`{"name":"claim_update","language":{"code":"he"},"components":[{"type":"body","parameters":[{"type":"text","text":"דנה כהן"},{"type":"text","text":"2024-118"}]}]}`},
		{"Hello Dana, your claim 2024-118 has been updated",
			`{"name":"claim_update","language":{"code":"en"},"components":[{"type":"body","parameters":[{"type":"text","text":"Dana"},{"type":"text","text":"2024-118"}]}]}`},
		// {{2}} comes first in the body; the parameters still go in {{1}}, {{2}} order, and
		// the console's re-wrapping of the fixed text does not matter.
		{"Your appointment on 3 March with Dr. Levi is confirmed. Reply STOP to opt out.",
			`{"name":"appointment","language":{"code":"en"},"components":[{"type":"body","parameters":[{"type":"text","text":"Dr. Levi"},{"type":"text","text":"3 March"}]}]}`},
	}
	for i, tt := range tests {
		if _, err := a.Send(context.Background(), ch, channel.Outbound{ID: "t" + itoa(i), To: toSheena, Text: tt.text, Template: true}); err != nil {
			t.Fatalf("%q: %v", tt.text, err)
		}
		body := f.Requests()[i].Body
		want := asJSON(t, `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"template","template":`+tt.want+`}`)
		if !reflect.DeepEqual(body, want) {
			t.Errorf("%q\n got %v\nwant %v", tt.text, body, want)
		}
	}

	refused := func(name string, ch channel.Channel, m channel.Outbound, reason string) {
		t.Helper()
		n := len(f.Requests())
		_, err := a.Send(context.Background(), ch, m)
		var se *channel.SendError
		if !errors.As(err, &se) || se.Temporary || !strings.Contains(se.Reason, reason) {
			t.Errorf("%s: %v, want a permanent SendError saying %q", name, err, reason)
		}
		if len(f.Requests()) != n {
			t.Errorf("%s: the Graph API was called", name)
		}
	}
	refused("no match", ch, channel.Outbound{ID: "x1", To: toSheena, Text: "Hello Dana, call us", Template: true}, "no approved template matches this text")
	refused("no templates", waChannel(f.URL), channel.Outbound{ID: "x2", To: toSheena, Text: "Hello Dana, your claim 1 has been updated", Template: true}, "no approved template matches this text")
	refused("bad setting", waChannel(f.URL, SettingTemplates, `{"name":"x"}`), channel.Outbound{ID: "x3", To: toSheena, Text: "hi", Template: true}, "not a JSON array")
	refused("with an attachment", ch, channel.Outbound{ID: "x4", To: toSheena, Text: "Hello Dana, your claim 1 has been updated", Template: true,
		Attachments: []conversation.Attachment{{URL: "https://files.example.com/a.pdf", ContentType: "application/pdf"}}}, "cannot carry attachments")
}

func TestMatchTemplate(t *testing.T) {
	ts, err := ParseTemplates(`[{"name":"any","language":"en","body":"{{1}}"},
{"name":"same_twice","language":"en","body":"{{1}} and {{1}} again, {{2}}"},
{"name":"greeting","language":"en","body":"Hi {{1}}!"},
{"name":"symbols","language":"en","body":"Pay $5 (now) [{{1}}]?"}]`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ text, name, params string }{
		{"Hi Noa!", "greeting", "Noa"}, // the more specific template wins over "{{1}}"
		{"Anything at all", "any", "Anything at all"},
		{"x and x again, y", "same_twice", "x|y"},
		{"x and z again, y", "any", "x and z again, y"}, // {{1}} filled two ways: not same_twice
		{"Pay $5 (now) [ref 7]?", "symbols", "ref 7"},   // regexp metacharacters are text
	}
	for _, tt := range tests {
		got, params, ok := MatchTemplate(ts, tt.text)
		if !ok || got.Name != tt.name || strings.Join(params, "|") != tt.params {
			t.Errorf("%q: %s %q %v, want %s %q", tt.text, got.Name, params, ok, tt.name, tt.params)
		}
	}
	if _, _, ok := MatchTemplate(ts[2:3], "Hi !"); ok {
		t.Errorf("an empty parameter matched")
	}
	for _, bad := range []string{
		`[{"name":"gap","language":"en","body":"{{1}} {{3}}"}]`,
		`[{"name":"","language":"en","body":"x"}]`,
		`[{"name":"x","language":"","body":"x"}]`,
		`not json`,
	} {
		if _, err := ParseTemplates(bad); err == nil {
			t.Errorf("ParseTemplates(%s) accepted", bad)
		}
	}
}

func TestSendFailures(t *testing.T) {
	tests := []struct {
		name       string
		answer     FakeAnswer
		temporary  bool
		retryAfter time.Duration
		reason     string
	}{
		{"outside the 24-hour window", GraphError(400, 131047, "(#131047) Re-engagement message"), false, 0, reengagementReason},
		{"invalid parameter", GraphError(400, 100, "(#100) Invalid parameter"), false, 0, "(#100) Invalid parameter (WhatsApp error 100)"},
		{"bad token", GraphError(401, 190, "Invalid OAuth access token - Cannot parse access token"), false, 0, "Invalid OAuth access token - Cannot parse access token (WhatsApp error 190)"},
		{"pair rate limit on a 400", GraphError(400, 131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit"), true, 0, "(#131056) (Business Account, Consumer Account) pair rate limit hit (WhatsApp error 131056)"},
		{"throttled", func() FakeAnswer {
			a := GraphError(429, 130429, "(#130429) Rate limit hit")
			a.Header = map[string]string{"Retry-After": "7"}
			return a
		}(), true, 7 * time.Second, "(#130429) Rate limit hit (WhatsApp error 130429)"},
		{"server error", GraphError(500, 131000, "Something went wrong"), true, 0, "Something went wrong (WhatsApp error 131000)"},
		{"HTML error page", FakeAnswer{Status: 502, Body: "<html><body>Bad gateway</body></html>", Header: map[string]string{"Content-Type": "text/html"}}, true, 0, "Bad Gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFakeGraph(t, accessToken)
			f.Answer(tt.answer)
			_, err := New(nil, nil).Send(context.Background(), waChannel(f.URL), channel.Outbound{ID: "m1", To: toSheena, Text: "hi"})
			var se *channel.SendError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a SendError", err)
			}
			if se.Temporary != tt.temporary || se.RetryAfter != tt.retryAfter || se.Reason != tt.reason || se.StatusCode != tt.answer.Status {
				t.Errorf("got temporary=%v retryAfter=%v status=%d reason=%q; want %v %v %d %q", se.Temporary, se.RetryAfter, se.StatusCode, se.Reason, tt.temporary, tt.retryAfter, tt.answer.Status, tt.reason)
			}
		})
	}
}

// A retry after a later part failed sends only what did not go out, and the receipt is the
// first part's.
func TestSendPartsAreNotRepeated(t *testing.T) {
	f := NewFakeGraph(t, accessToken)
	f.HandOut("wamid.TEXT")
	a := New(nil, nil)
	m := channel.Outbound{ID: "m1", To: toSheena, Text: "Two files", Attachments: []conversation.Attachment{
		{Name: "a.pdf", ContentType: "application/pdf", URL: "https://files.example.com/a.pdf"},
		{Name: "b.pdf", ContentType: "application/pdf", URL: "https://files.example.com/b.pdf"},
	}}
	f.Answer(FakeAnswer{Status: http.StatusOK, Body: `{"messaging_product":"whatsapp","messages":[{"id":"wamid.TEXT"}]}`},
		GraphError(http.StatusServiceUnavailable, 131016, "Service unavailable"))
	var se *channel.SendError
	if _, err := a.Send(context.Background(), waChannel(f.URL), m); !errors.As(err, &se) || !se.Temporary {
		t.Fatalf("first attempt: %v, want a temporary SendError", err)
	}
	rec, err := a.Send(context.Background(), waChannel(f.URL), m)
	if err != nil || rec.ExternalID != "wamid.TEXT" {
		t.Fatalf("retry: %+v %v", rec, err)
	}
	var kinds []string
	for _, r := range f.Requests() {
		kinds = append(kinds, r.Body["type"].(string)+":"+strings.TrimPrefix(jsonOf(r.Body["document"]), `{"filename":`))
	}
	if len(kinds) != 4 || !strings.HasPrefix(kinds[0], "text") || !strings.Contains(kinds[1], "a.pdf") || !strings.Contains(kinds[2], "a.pdf") || !strings.Contains(kinds[3], "b.pdf") {
		t.Errorf("requests %v, want text, a.pdf (failed), a.pdf, b.pdf", kinds)
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestSendRefusesBeforeCalling(t *testing.T) {
	f := NewFakeGraph(t, accessToken)
	a := New(nil, nil)
	ctx := context.Background()
	if _, err := a.Send(ctx, waChannel(f.URL), channel.Outbound{ID: "m", To: toSheena[:1], Text: "hi"}); !errors.Is(err, channel.ErrNoAddress) {
		t.Errorf("customer without phone or wa_id: %v, want ErrNoAddress", err)
	}
	permanent := func(name string, ch channel.Channel, m channel.Outbound) {
		t.Helper()
		_, err := a.Send(ctx, ch, m)
		var se *channel.SendError
		if !errors.As(err, &se) || se.Temporary {
			t.Errorf("%s: got %v, want a permanent SendError", name, err)
		}
	}
	permanent("too long", waChannel(f.URL), channel.Outbound{ID: "m", To: toSheena, Text: strings.Repeat("א", MaxTextChars+1)})
	permanent("nothing to send", waChannel(f.URL), channel.Outbound{ID: "m", To: toSheena, Text: "  "})
	permanent("attachment without a URL", waChannel(f.URL), channel.Outbound{ID: "m", To: toSheena, Text: "see attached",
		Attachments: []conversation.Attachment{{Name: "scan.pdf", ContentType: "application/pdf", URL: "/api/v1/media/01J"}}})
	permanent("no access token", waChannel(f.URL, SettingAccessToken, ""), channel.Outbound{ID: "m", To: toSheena, Text: "hi"})
	permanent("no phone number id", waChannel(f.URL, SettingPhoneNumberID, ""), channel.Outbound{ID: "m", To: toSheena, Text: "hi"})
	if n := len(f.Requests()); n != 0 {
		t.Errorf("the Graph API was called %d times for messages that cannot be sent", n)
	}
	if _, err := a.Send(ctx, waChannel(f.URL), channel.Outbound{ID: "m4096", To: toSheena, Text: strings.Repeat("א", MaxTextChars)}); err != nil {
		t.Errorf("4,096 characters: %v", err)
	}
}

// A refused connection never reached Meta: retrying is safe, and done.
func TestSendConnectionRefusedIsTemporary(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	_, err := New(nil, nil).Send(context.Background(), waChannel(base), channel.Outbound{ID: "m", To: toSheena, Text: "hi"})
	var se *channel.SendError
	if !errors.As(err, &se) || !se.Temporary {
		t.Errorf("got %v, want a temporary SendError", err)
	}
}
