package channeltest_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/channel/channeltest"
	"github.com/gesher-cs/gesher/internal/channel/email"
	"github.com/gesher-cs/gesher/internal/channel/telegram"
	"github.com/gesher-cs/gesher/internal/channel/twilio"
	"github.com/gesher-cs/gesher/internal/channel/webchat"
	"github.com/gesher-cs/gesher/internal/channel/whatsapp"
)

// testdata is an adapter package's testdata folder.
func testdata(pkg string) string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", pkg, "testdata")
}

// shared finds ../shared/data above the repository, where the recorded deliveries that are not
// the repository's own live.
func shared(t *testing.T, rel string) string {
	_, here, _, _ := runtime.Caller(0)
	for dir := filepath.Dir(here); dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		p := filepath.Join(dir, "shared", "data", rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("shared/data/%s not found above %s", rel, here)
	return ""
}

func header(k, v string) http.Header { h := http.Header{}; h.Set(k, v); return h }

func TestAPIChannel(t *testing.T) {
	const secret = "api-secret"
	channeltest.Run(t, channeltest.Suite{
		Channel:     channel.Channel{Name: "crm", Kind: api.Kind, Secret: secret},
		ContentType: "application/json",
		Authenticate: func(_ string, b []byte) (http.Header, []byte) {
			return header(api.SignatureHeader, api.Sign(secret, b)), b
		},
		BodySigned: true,
		Payloads:   channeltest.Files(t, testdata("api"), ".json"),
		Malformed:  [][]byte{[]byte(`{"id":"x","from":`), []byte(`[]`), []byte(`{"id":"x","from":{"phone":"not a number"},"text":"hi"}`), []byte(`{"id":"","from":{"phone":"+972501234567"},"text":"hi"}`)},
	})
}

func twilioAuth(token string) func(string, []byte) (http.Header, []byte) {
	return func(u string, b []byte) (http.Header, []byte) {
		params, _ := url.ParseQuery(string(b))
		return header(twilio.SignatureHeader, twilio.Signature(token, u, params)), b
	}
}

func TestSMSChannel(t *testing.T) {
	const token = "twilio-token"
	channeltest.Run(t, channeltest.Suite{
		Channel:      channel.Channel{Name: "sms-1", Kind: twilio.Kind, Secret: token, Settings: map[string]string{twilio.SettingAccountSID: "AC5ef872f6da5a21de157d80997a64bd33"}},
		ContentType:  "application/x-www-form-urlencoded",
		Authenticate: twilioAuth(token),
		BodySigned:   true,
		Payloads:     channeltest.Files(t, testdata("twilio"), ".form"),
		Malformed:    [][]byte{[]byte("MessageSid=SM1&From=%zz"), []byte("From=%2B972501234567&Body=hi"), []byte("MessageSid=SM1&From=%2B972501234567")},
	})
}

func TestVoiceChannel(t *testing.T) {
	const token = "twilio-token"
	ring := url.Values{"CallSid": {"CA0f1e2d3c4b5a69788796a5b4c3d2e1f0"}, "AccountSid": {"AC5ef872f6da5a21de157d80997a64bd33"}, "From": {"+972501234567"},
		"To": {"+97235550100"}, "CallStatus": {"ringing"}, "Direction": {"inbound"}, "ApiVersion": {"2010-04-01"}}
	dir := t.TempDir()
	file := filepath.Join(dir, "incoming-call.form")
	if err := os.WriteFile(file, []byte(ring.Encode()), 0o600); err != nil {
		t.Fatal(err)
	}
	channeltest.Run(t, channeltest.Suite{
		Channel:      channel.Channel{Name: "line-1", Kind: twilio.VoiceKind, Secret: token},
		ContentType:  "application/x-www-form-urlencoded",
		Authenticate: twilioAuth(token),
		BodySigned:   true,
		Payloads:     []string{file},
		Malformed:    [][]byte{[]byte("CallSid=%zz"), []byte("From=%2B972501234567&CallStatus=ringing"), []byte("CallSid=CA1")},
	})
}

// The Twilio signature vectors of shared/data go through the adapter's own test
// (twilio.TestSignatureVectors); here every recorded Meta payload goes through the route.
func TestWhatsAppChannel(t *testing.T) {
	const secret = "app-secret"
	channeltest.Run(t, channeltest.Suite{
		Channel: channel.Channel{Name: "wa-1", Kind: whatsapp.Kind, Secret: secret, Settings: map[string]string{
			whatsapp.SettingAPIBase: "{fake}", whatsapp.SettingAccessToken: "access", whatsapp.SettingVerifyToken: "verify", whatsapp.SettingPhoneNumberID: "106540352242922"}},
		ContentType: "application/json",
		Authenticate: func(_ string, b []byte) (http.Header, []byte) {
			return header(whatsapp.SignatureHeader, whatsapp.Signature(secret, b)), b
		},
		BodySigned: true,
		Payloads:   channeltest.Files(t, testdata("whatsapp"), ".json"),
		// Meta's checksums are of Meta's files; the fake serves its own.
		Prepare:   func(b []byte) []byte { return channeltest.JSONField(b, "sha256", channeltest.FakeFileSHA256) },
		Malformed: [][]byte{[]byte(`{"object":"whatsapp_business_account","entry":[`), []byte(`"just a string"`), []byte(`{"object":"page","entry":[]}`)},
	})
}

func TestTelegramChannel(t *testing.T) {
	const secret = "tg-secret"
	channeltest.Run(t, channeltest.Suite{
		Channel:     channel.Channel{Name: "tg-1", Kind: telegram.Kind, Secret: secret, Settings: map[string]string{telegram.SettingAPIBase: "{fake}", telegram.SettingBotToken: "123:bot"}},
		ContentType: "application/json",
		Authenticate: func(_ string, b []byte) (http.Header, []byte) {
			return header(telegram.SecretHeader, secret), b
		},
		// The secret token is a fixed header, not a signature of the body.
		Payloads:  channeltest.Files(t, testdata("telegram"), ".json", "api-error-400-file-too-big.json", "api-error-403.json", "api-error-429.json", "api-getfile.json", "api-sendmessage.json"),
		Malformed: [][]byte{[]byte(`{"update_id":1,"message":`), []byte(`{"message":{"text":"no update id"}}`), []byte(`[1,2]`)},
	})
}

func TestWebChatChannel(t *testing.T) {
	const secret = "webchat-secret"
	const visitor = "k5qzj3m2x7c4v6b8n1p9r0s2tu"
	channeltest.Run(t, channeltest.Suite{
		Channel:     channel.Channel{Name: "site", Kind: webchat.Kind, Secret: secret, Settings: map[string]string{webchat.SettingAllowedOrigins: webchat.AnyOrigin}},
		ContentType: "application/json",
		// The widget's credential is its visitor's token, inside the body.
		Authenticate: func(_ string, b []byte) (http.Header, []byte) {
			return nil, channeltest.JSONField(channeltest.JSONField(b, "visitor_id", visitor), "token", webchat.Token(secret, visitor))
		},
		// The token proves the visitor, not the body: like Telegram's, not tested as tampered.
		Payloads:  channeltest.Files(t, testdata("webchat"), ".json"),
		Malformed: [][]byte{[]byte(`{"visitor_id":"` + visitor + `","token":"x","id":"m1","text":`), []byte(`{"visitor_id":"` + visitor + `","token":"x","id":"m1","text":""}`)},
	})
}

// Mail relayed over HTTP (the raw message, signed): every real-world message in shared/data.
func TestEmailOverHTTP(t *testing.T) {
	const secret = "email-secret"
	channeltest.Run(t, channeltest.Suite{
		Channel:     channel.Channel{Name: "mail-1", Kind: email.Kind, Secret: secret, Settings: map[string]string{email.SettingAddress: "service@test.example"}},
		ContentType: "message/rfc822",
		Authenticate: func(_ string, b []byte) (http.Header, []byte) {
			return header(email.SignatureHeader, api.Sign(secret, b)), b
		},
		BodySigned: true,
		// Three of them name no sender at all in their headers: over SMTP the envelope's sender
		// answers for them (the email package's SMTP test); over HTTP there is nobody to
		// answer, and they are refused with 400.
		Payloads: append(channeltest.Files(t, shared(t, "emails/mail"), ".raw", "erroneous.raw", "inlinemultipart.raw", "malformed-multiple-address-header-values.raw"),
			channeltest.Files(t, shared(t, "emails/low-quality"), ".raw")...),
		Malformed: [][]byte{[]byte("")},
	})
}
