package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
)

// sharedVectors finds Twilio's signature vectors in the workspace's shared data, walking up
// from the package directory. Not finding them is a failure: they are the acceptance test.
func sharedVectors(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "data", "webhooks", "twilio-signature-vectors.json")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("shared/data/webhooks/twilio-signature-vectors.json not found above %s", filepath.Join("..", "..", "..", ".."))
		}
		dir = parent
	}
}

type vectorFile struct {
	AuthToken string `json:"auth_token"`
	Cases     []struct {
		URL       string            `json:"url"`
		Params    map[string]string `json:"params"`
		RawForm   string            `json:"raw_form_body"`
		Signature string            `json:"signature"`
		Valid     bool              `json:"valid"`
		Note      string            `json:"note"`
	} `json:"cases"`
}

// signedRequest builds a webhook request as the web pipeline hands it to the adapter: the URL
// Twilio called in the context, the body already read.
func signedRequest(fullURL, body, signature string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/hooks/sms/test", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if signature != "" {
		r.Header.Set(SignatureHeader, signature)
	}
	return r.WithContext(channel.WithRequestURL(r.Context(), fullURL))
}

// Every published vector, valid and invalid, goes through Verify and gives the published
// answer.
func TestSignatureVectors(t *testing.T) {
	raw, err := os.ReadFile(sharedVectors(t))
	if err != nil {
		t.Fatal(err)
	}
	var vf vectorFile
	if err := json.Unmarshal(raw, &vf); err != nil {
		t.Fatal(err)
	}
	if len(vf.Cases) == 0 || vf.AuthToken == "" {
		t.Fatalf("no vectors in the file")
	}
	valid, invalid := 0, 0
	for i, c := range vf.Cases {
		body := c.RawForm
		if body == "" {
			form := url.Values{}
			for k, v := range c.Params {
				form.Set(k, v)
			}
			body = form.Encode()
		}
		ch := channel.Channel{Name: "test", Kind: Kind, Secret: vf.AuthToken}
		err := NewSMS(nil).Verify(ch, signedRequest(c.URL, body, c.Signature), []byte(body))
		if c.Valid && err != nil {
			t.Errorf("case %d (%s): valid signature refused: %v", i, c.Note, err)
		}
		if !c.Valid && !errors.Is(err, channel.ErrSignature) {
			t.Errorf("case %d (%s): invalid signature accepted (err %v)", i, c.Note, err)
		}
		if c.Valid {
			valid++
		} else {
			invalid++
		}
	}
	if valid == 0 || invalid == 0 {
		t.Errorf("vectors: %d valid, %d invalid; want some of each", valid, invalid)
	}
}

func TestVerify(t *testing.T) {
	const token = "demo-twilio-token"
	body := "Body=hello&From=%2B14155550100&MessageSid=SM1"
	params, _ := url.ParseQuery(body)
	ch := channel.Channel{Name: "demo-sms", Kind: Kind, Secret: token}
	a := NewSMS(nil)
	tests := []struct {
		name      string
		calledURL string // what the server saw
		signedURL string // what Twilio signed
		token     string
		body      string
		noHeader  bool
		ok        bool
	}{
		{name: "correct", calledURL: "https://example.com/hooks/sms/demo-sms", signedURL: "https://example.com/hooks/sms/demo-sms", ok: true},
		{name: "Twilio signed with :443, server saw none", calledURL: "https://example.com/hooks/sms/demo-sms", signedURL: "https://example.com:443/hooks/sms/demo-sms", ok: true},
		{name: "Twilio signed without port, server saw :443", calledURL: "https://example.com:443/hooks/sms/demo-sms", signedURL: "https://example.com/hooks/sms/demo-sms", ok: true},
		{name: "query string is signed", calledURL: "https://example.com/hooks/sms/demo-sms?x=1", signedURL: "https://example.com/hooks/sms/demo-sms?x=1", ok: true},
		{name: "another path", calledURL: "https://example.com/hooks/sms/demo-sms", signedURL: "https://example.com/hooks/sms/other"},
		{name: "another host", calledURL: "https://example.com/hooks/sms/demo-sms", signedURL: "https://evil.example/hooks/sms/demo-sms"},
		{name: "http vs https", calledURL: "https://example.com/hooks/sms/demo-sms", signedURL: "http://example.com/hooks/sms/demo-sms"},
		{name: "wrong token", calledURL: "https://example.com/hooks/sms/demo-sms", signedURL: "https://example.com/hooks/sms/demo-sms", token: "other"},
		{name: "tampered body", calledURL: "https://example.com/hooks/sms/demo-sms", signedURL: "https://example.com/hooks/sms/demo-sms", body: "Body=hellO&From=%2B14155550100&MessageSid=SM1"},
		{name: "extra parameter", calledURL: "https://example.com/hooks/sms/demo-sms", signedURL: "https://example.com/hooks/sms/demo-sms", body: body + "&NumMedia=0"},
		{name: "no header", calledURL: "https://example.com/hooks/sms/demo-sms", signedURL: "https://example.com/hooks/sms/demo-sms", noHeader: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := token
			if tt.token != "" {
				tok = tt.token
			}
			sig := Signature(tok, tt.signedURL, params)
			if tt.noHeader {
				sig = ""
			}
			b := body
			if tt.body != "" {
				b = tt.body
			}
			err := a.Verify(ch, signedRequest(tt.calledURL, b, sig), []byte(b))
			if tt.ok && err != nil {
				t.Errorf("got %v, want accepted", err)
			}
			if !tt.ok && !errors.Is(err, channel.ErrSignature) {
				t.Errorf("got %v, want ErrSignature", err)
			}
		})
	}
	t.Run("channel without token accepts nothing", func(t *testing.T) {
		sig := Signature("", "https://example.com/h", params)
		err := a.Verify(channel.Channel{Kind: Kind}, signedRequest("https://example.com/h", body, sig), []byte(body))
		if !errors.Is(err, channel.ErrSignature) {
			t.Errorf("got %v, want ErrSignature", err)
		}
	})
}

// A repeated parameter is signed value by value, sorted, as Twilio's libraries do.
func TestSignatureRepeatedParameter(t *testing.T) {
	a := Signature("t", "https://x.example/h", url.Values{"A": {"2", "1"}, "B": {"x"}})
	b := Signature("t", "https://x.example/h", url.Values{"A": {"1", "2"}, "B": {"x"}})
	if a != b {
		t.Errorf("value order changed the signature: %s vs %s", a, b)
	}
	if c := Signature("t", "https://x.example/h", url.Values{"A": {"1"}, "B": {"x"}}); c == a {
		t.Errorf("dropping a value kept the signature")
	}
}

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseFixtures(t *testing.T) {
	sms, err := Parse([]byte(fixture(t, "inbound-sms.form")))
	if err != nil {
		t.Fatal(err)
	}
	if sms.IsStatus() || sms.MessageSid != "SM3f1e2b7c9a0d4e5f8a6b1c2d3e4f5a6b" || sms.From != "+14155550100" || sms.To != "+12015550123" ||
		sms.Body != "Hi, my order #4521 hasn't arrived yet. Can you check?" || len(sms.Media) != 0 {
		t.Errorf("inbound SMS parsed as %+v", sms)
	}
	mms, err := Parse([]byte(fixture(t, "inbound-mms.form")))
	if err != nil {
		t.Fatal(err)
	}
	if len(mms.Media) != 2 || mms.Media[0].ContentType != "image/jpeg" || mms.Media[1].ContentType != "image/png" ||
		!strings.HasSuffix(mms.Media[1].URL, "/Media/ME9f8e7d6c5b4a39281706f5e4d3c2b1a0") {
		t.Errorf("MMS media parsed as %+v", mms.Media)
	}
	for _, f := range []struct{ file, status, code string }{
		{"status-sent.form", "sent", ""}, {"status-delivered.form", "delivered", ""},
		{"status-undelivered.form", "undelivered", "30003"}, {"status-failed.form", "failed", "30008"}, {"status-queued.form", "queued", ""},
	} {
		r, err := Parse([]byte(fixture(t, f.file)))
		if err != nil {
			t.Errorf("%s: %v", f.file, err)
			continue
		}
		if !r.IsStatus() || r.Status != f.status || r.ErrorCode != f.code || r.MessageSid != "SM9b8a7c6d5e4f30211a2b3c4d5e6f7a8b" {
			t.Errorf("%s parsed as %+v", f.file, r)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	ok := "MessageSid=SM1&From=%2B14155550100&Body=hi"
	tests := []struct{ name, body, want string }{
		{"bad escape", "MessageSid=SM1&From=%2", "form-encoded"},
		{"JSON", `{"MessageSid":"SM1"}`, "MessageSid is missing"},
		{"empty", "", "MessageSid is missing"},
		{"sid with spaces", "MessageSid=SM+1&From=%2B14155550100&Body=hi", "characters"},
		{"sid too long", "MessageSid=" + strings.Repeat("a", 65) + "&From=x&Body=hi", "longer"},
		{"no From", "MessageSid=SM1&Body=hi", "From"},
		{"no Body", "MessageSid=SM1&From=%2B14155550100", "Body is missing"},
		{"nothing to store", "MessageSid=SM1&From=%2B14155550100&Body=+", "neither text nor media"},
		{"NumMedia not a number", ok + "&NumMedia=two", "NumMedia"},
		{"NumMedia too big", ok + "&NumMedia=11", "NumMedia"},
		{"missing media URL", ok + "&NumMedia=1", "MediaUrl0 is missing"},
		{"media URL not http", ok + "&NumMedia=1&MediaUrl0=javascript%3Aalert(1)", "not an http"},
		{"ErrorCode not a number", "MessageSid=SM1&MessageStatus=failed&ErrorCode=abc", "ErrorCode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.body))
			var pe *channel.PayloadError
			if !errors.As(err, &pe) || !strings.Contains(pe.Reason, tt.want) {
				t.Errorf("Parse(%q) = %v; want a PayloadError mentioning %q", tt.body, err, tt.want)
			}
		})
	}
}

// Text is made storable: PostgreSQL refuses invalid UTF-8 and NUL bytes.
func TestParseCleansText(t *testing.T) {
	r, err := Parse([]byte("MessageSid=SM1&From=%2B14155550100&Body=a%00b%FFc"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Body != "ab\uFFFDc" {
		t.Errorf("Body = %q, want %q", r.Body, "ab\uFFFDc")
	}
}

func receive(t *testing.T, body, contentType string) ([]channel.Inbound, error) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/hooks/sms/test", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return NewSMS(nil).Receive(context.Background(), channel.Channel{Name: "test", Kind: Kind}, r, []byte(body))
}

func TestReceive(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	in, err := receive(t, fixture(t, "inbound-mms.form"), form+"; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	if len(in) != 1 || in[0].Status != nil || in[0].ExternalID != "MM7c2d9e1f0a3b4c5d6e7f8a9b0c1d2e3f" || in[0].Text != "Photos of the box as it arrived" {
		t.Fatalf("MMS received as %+v", in)
	}
	if ids := in[0].From.Identities; len(ids) != 1 || ids[0] != (channel.Identity{Kind: customer.Phone, Value: "+14155550100"}) {
		t.Errorf("sender identities %v, want phone +14155550100", ids)
	}
	if at := in[0].Attachments; len(at) != 2 || at[0].Name != "ME0a1b2c3d4e5f60718293a4b5c6d7e8f9" || at[0].ContentType != "image/jpeg" || !strings.HasPrefix(at[0].URL, "https://api.twilio.com/") {
		t.Errorf("attachments %+v", at)
	}

	statuses := []struct {
		file, want, reason string
	}{
		{"status-sent.form", conversation.StatusSent, ""},
		{"status-delivered.form", conversation.StatusDelivered, ""},
		{"status-undelivered.form", conversation.StatusFailed, "Unreachable destination handset (Twilio error 30003)"},
		{"status-failed.form", conversation.StatusFailed, "Unknown error (Twilio error 30008)"},
	}
	for _, s := range statuses {
		in, err := receive(t, fixture(t, s.file), form)
		if err != nil {
			t.Fatalf("%s: %v", s.file, err)
		}
		want := channel.StatusUpdate{ExternalID: "SM9b8a7c6d5e4f30211a2b3c4d5e6f7a8b", Status: s.want, Reason: s.reason}
		if len(in) != 1 || in[0].Status == nil || *in[0].Status != want || in[0].ExternalID == "" {
			t.Errorf("%s: got %+v, want one status %+v", s.file, in, want)
		}
	}
	// "queued" is what Gesher already knows: nothing to store.
	if in, err := receive(t, fixture(t, "status-queued.form"), form); err != nil || len(in) != 0 {
		t.Errorf("queued callback: %v %v; want no items", in, err)
	}
	if in, err := receive(t, "MessageSid=SM1&MessageStatus=teleported", form); err != nil || len(in) != 0 {
		t.Errorf("unknown status: %v %v; want no items", in, err)
	}
	if _, err := receive(t, "MessageSid=SM1&From=not-a-number&Body=hi", form); err == nil {
		t.Errorf("a sender that is not a phone number was accepted")
	}
	var pe *channel.PayloadError
	if _, err := receive(t, fixture(t, "inbound-sms.form"), "application/json"); !errors.As(err, &pe) {
		t.Errorf("JSON content type: %v, want a PayloadError", err)
	}
}

func TestFailureReason(t *testing.T) {
	tests := []struct{ status, code, msg, want string }{
		{"undelivered", "30005", "", "Unknown destination handset (Twilio error 30005)"},
		{"failed", "30099", "", "Twilio reported the message failed (error 30099)"},
		{"failed", "30099", "Carrier said no", "Carrier said no (Twilio error 30099)"},
		{"canceled", "", "", "Twilio reported the message canceled"},
	}
	for _, tt := range tests {
		if got := failureReason(tt.status, tt.code, tt.msg); got != tt.want {
			t.Errorf("failureReason(%q, %q, %q) = %q, want %q", tt.status, tt.code, tt.msg, got, tt.want)
		}
	}
}

func TestAck(t *testing.T) {
	a := NewSMS(nil)
	w := httptest.NewRecorder()
	if err := a.Ack(w, channel.Channel{}, []channel.Inbound{{ExternalID: "SM1"}}, nil); err != nil {
		t.Fatal(err)
	}
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/xml") || w.Body.String() != `<?xml version="1.0" encoding="UTF-8"?><Response/>` {
		t.Errorf("inbound answer: %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	w = httptest.NewRecorder()
	if err := a.Ack(w, channel.Channel{}, []channel.Inbound{{ExternalID: "SM1", Status: &channel.StatusUpdate{}}}, nil); err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusNoContent || w.Body.Len() != 0 {
		t.Errorf("status callback answer: %d %q, want an empty 204", w.Code, w.Body.String())
	}
}

// fakeTwilio speaks the Messages API's wire format: form in, JSON out, basic auth.
type fakeTwilio struct {
	mu      sync.Mutex
	forms   []url.Values
	paths   []string
	auths   []string
	answers []func(w http.ResponseWriter) // consumed in order; then 201
}

func (f *fakeTwilio) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	f.mu.Lock()
	f.forms, f.paths, f.auths = append(f.forms, form), append(f.paths, r.URL.Path), append(f.auths, r.Header.Get("Authorization"))
	var answer func(w http.ResponseWriter)
	if len(f.answers) > 0 {
		answer, f.answers = f.answers[0], f.answers[1:]
	}
	n := len(f.forms)
	f.mu.Unlock()
	if answer != nil {
		answer(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"sid": fmt.Sprintf("SM%032x", n), "status": "queued", "to": form.Get("To")})
}

func twilioError(status, code int, message string, header ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": message, "more_info": "https://www.twilio.com/docs/errors/" + strconv.Itoa(code), "status": status})
	}
}

func smsChannel(apiBase string, settings ...string) channel.Channel {
	ch := channel.Channel{Name: "demo-sms", Kind: Kind, Secret: "demo-twilio-token", Enabled: true, Settings: map[string]string{
		SettingAccountSID: "AC5ef872f6da5a21de157d80997a64bd33", SettingFrom: "+12015550123", SettingAPIBase: apiBase,
		SettingPublicURL: "https://help.example.com/",
	}}
	for i := 0; i+1 < len(settings); i += 2 {
		ch.Settings[settings[i]] = settings[i+1]
	}
	return ch
}

var toDana = []channel.Identity{{Kind: customer.Email, Value: "dana@example.com"}, {Kind: customer.Phone, Value: "+14155550100"}}

func TestSend(t *testing.T) {
	f := &fakeTwilio{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	a := NewSMS(srv.Client())
	ch := smsChannel(srv.URL)
	rec, err := a.Send(context.Background(), ch, channel.Outbound{
		ID: "m1", To: toDana, Text: "שלום דנה, ההזמנה בדרך",
		Attachments: []conversation.Attachment{{URL: "https://files.example.com/label.png", ContentType: "image/png"}, {Name: "no-url.pdf", ContentType: "application/pdf"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rec.ExternalID == "" {
		t.Errorf("receipt has no sid")
	}
	form := f.forms[0]
	if f.paths[0] != "/2010-04-01/Accounts/AC5ef872f6da5a21de157d80997a64bd33/Messages.json" {
		t.Errorf("path %s", f.paths[0])
	}
	if f.auths[0] != basicAuth("AC5ef872f6da5a21de157d80997a64bd33", "demo-twilio-token") {
		t.Errorf("authorization %q", f.auths[0])
	}
	want := url.Values{
		"To": {"+14155550100"}, "From": {"+12015550123"}, "Body": {"שלום דנה, ההזמנה בדרך"},
		"MediaUrl": {"https://files.example.com/label.png"}, "StatusCallback": {"https://help.example.com/hooks/sms/demo-sms"},
	}
	if form.Encode() != want.Encode() {
		t.Errorf("form sent\n got %v\nwant %v", form, want)
	}

	// A Messaging Service picks the number; an explicit callback URL wins over public_url.
	ch = smsChannel(srv.URL, SettingMessagingServiceSID, "MG0123456789abcdef0123456789abcdef", SettingStatusCallbackURL, "https://hooks.example.net/sms?c=1")
	if _, err := a.Send(context.Background(), ch, channel.Outbound{ID: "m2", To: toDana, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	form = f.forms[1]
	if form.Get("MessagingServiceSid") != "MG0123456789abcdef0123456789abcdef" || form.Has("From") || form.Get("StatusCallback") != "https://hooks.example.net/sms?c=1" {
		t.Errorf("messaging service form %v", form)
	}
}

func TestSendFailures(t *testing.T) {
	tests := []struct {
		name       string
		answer     func(w http.ResponseWriter)
		temporary  bool
		retryAfter time.Duration
		reason     string
	}{
		{"unsubscribed recipient", twilioError(400, 21610, "Attempt to send to unsubscribed recipient"), false, 0, "Attempt to send to unsubscribed recipient (Twilio error 21610)"},
		{"bad credentials", twilioError(401, 20003, "Authenticate"), false, 0, "Authenticate (Twilio error 20003)"},
		{"rate limited", twilioError(429, 20429, "Too Many Requests", "Retry-After", "7"), true, 7 * time.Second, "Too Many Requests (Twilio error 20429)"},
		{"server error", twilioError(503, 20500, "Internal Server Error"), true, 0, "Internal Server Error (Twilio error 20500)"},
		{"HTML error page", func(w http.ResponseWriter) {
			w.WriteHeader(502)
			_, _ = w.Write([]byte("<html><body>Bad gateway</body></html>"))
		}, true, 0, "Bad Gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeTwilio{answers: []func(http.ResponseWriter){tt.answer}}
			srv := httptest.NewServer(f)
			defer srv.Close()
			_, err := NewSMS(srv.Client()).Send(context.Background(), smsChannel(srv.URL), channel.Outbound{ID: "m1", To: toDana, Text: "hi"})
			var se *channel.SendError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a SendError", err)
			}
			if se.Temporary != tt.temporary || se.RetryAfter != tt.retryAfter || se.Reason != tt.reason {
				t.Errorf("got temporary=%v retryAfter=%v reason=%q; want %v %v %q", se.Temporary, se.RetryAfter, se.Reason, tt.temporary, tt.retryAfter, tt.reason)
			}
		})
	}
}

func TestSendRefusesBeforeCalling(t *testing.T) {
	f := &fakeTwilio{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	a := NewSMS(srv.Client())
	ctx := context.Background()
	if _, err := a.Send(ctx, smsChannel(srv.URL), channel.Outbound{ID: "m", To: []channel.Identity{{Kind: customer.Email, Value: "dana@example.com"}}, Text: "hi"}); !errors.Is(err, channel.ErrNoAddress) {
		t.Errorf("customer without phone: %v, want ErrNoAddress", err)
	}
	permanent := func(name string, ch channel.Channel, m channel.Outbound) {
		_, err := a.Send(ctx, ch, m)
		var se *channel.SendError
		if !errors.As(err, &se) || se.Temporary {
			t.Errorf("%s: got %v, want a permanent SendError", name, err)
		}
	}
	permanent("too long", smsChannel(srv.URL), channel.Outbound{ID: "m", To: toDana, Text: strings.Repeat("א", MaxBodyChars+1)})
	permanent("nothing to send", smsChannel(srv.URL), channel.Outbound{ID: "m", To: toDana, Attachments: []conversation.Attachment{{Name: "x.pdf"}}})
	permanent("no account", smsChannel(srv.URL, SettingAccountSID, ""), channel.Outbound{ID: "m", To: toDana, Text: "hi"})
	permanent("no sender", smsChannel(srv.URL, SettingFrom, ""), channel.Outbound{ID: "m", To: toDana, Text: "hi"})
	if len(f.forms) != 0 {
		t.Errorf("Twilio was called %d times for messages that cannot be sent", len(f.forms))
	}
	// Exactly 1,600 characters is allowed.
	if _, err := a.Send(ctx, smsChannel(srv.URL), channel.Outbound{ID: "m", To: toDana, Text: strings.Repeat("א", MaxBodyChars)}); err != nil {
		t.Errorf("1600 characters: %v", err)
	}
}

// A refused connection never reached Twilio: retrying is safe, and done.
func TestSendConnectionRefusedIsTemporary(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	_, err := NewSMS(nil).Send(context.Background(), smsChannel(base), channel.Outbound{ID: "m", To: toDana, Text: "hi"})
	var se *channel.SendError
	if !errors.As(err, &se) || !se.Temporary {
		t.Errorf("got %v, want a temporary SendError", err)
	}
}

func TestSecrets(t *testing.T) {
	ch := smsChannel("")
	got := NewSMS(nil).Secrets(ch)
	if len(got) != 2 || got[0] != "demo-twilio-token" || got[1] != basicAuth(ch.Settings[SettingAccountSID], "demo-twilio-token") {
		t.Errorf("Secrets = %v", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"inbound-sms.form", "inbound-mms.form", "status-sent.form", "status-delivered.form", "status-undelivered.form", "status-failed.form", "status-queued.form"} {
		f.Add(fixture(f, name))
	}
	f.Add("MessageSid=SM1&From=%2B14155550100&Body=%D7%A9%D7%9C%D7%95%D7%9D&NumMedia=1&MediaUrl0=https%3A%2F%2Fx.example%2Fa&MediaContentType0=image%2Fgif")
	f.Add("MessageSid=SM1&From=%2&Body=")
	f.Add("Body=a%00b%FF&MessageSid=x&From=1")
	f.Fuzz(func(t *testing.T, body string) {
		req, err := Parse([]byte(body))
		if err != nil {
			var pe *channel.PayloadError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a PayloadError", err)
			}
			return
		}
		if req.MessageSid == "" {
			t.Fatalf("accepted a request without MessageSid")
		}
		if req.IsStatus() {
			return
		}
		if req.From == "" || len(req.Media) > maxMedia || len(req.Body) > maxBody {
			t.Fatalf("accepted %+v", req)
		}
		if strings.ContainsRune(req.Body, 0) || !utf8.ValidString(req.Body) {
			t.Fatalf("Body %q is not storable", req.Body)
		}
		for _, m := range req.Media {
			if !strings.HasPrefix(m.URL, "http://") && !strings.HasPrefix(m.URL, "https://") || m.ContentType == "" {
				t.Fatalf("media %+v", m)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	body := []byte(fixture(b, "inbound-mms.form"))
	for b.Loop() {
		if _, err := Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}
