package webchat

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/customer"
)

const secret = "test-webchat-secret"

var testChannel = channel.Channel{ID: "ch1", Name: "web", Kind: Kind, Secret: secret, Enabled: true, Settings: map[string]string{
	"title_he": "ביטוח גשר", "greeting_he": "שלום!", "greeting_en": "Hello!", "greeting": "Hi", "allowed_origins": "https://Shop.example/, https://www.shop.example",
}}

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// signed returns a fixture with its placeholder token replaced by the real one for its visitor.
func signed(t testing.TB, name string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(fixture(t, name)), &m); err != nil {
		t.Fatal(err)
	}
	m["token"] = Token(secret, m["visitor_id"].(string))
	b, _ := json.Marshal(m)
	return string(b)
}

func post(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/hooks/webchat/web", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

// A new visitor gets a random id the server can check without storing it: the token is the
// id's HMAC under the channel secret, so it fails for another id, another channel secret, or
// a channel without one.
func TestVisitorIdentity(t *testing.T) {
	a := New()
	id, token, err := a.NewVisitor(testChannel)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[a-z2-7]{26}$`).MatchString(id) || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(token) {
		t.Fatalf("visitor %q token %q; want 26 base32 characters and 64 hex digits", id, token)
	}
	if v, err := customer.Normalize(customer.Visitor, id); err != nil || v != id {
		t.Errorf("the visitor id is not a visitor identity as it is: %q %v", v, err)
	}
	other, _, _ := a.NewVisitor(testChannel)
	if other == id {
		t.Error("two sessions got the same visitor id")
	}
	if err := a.VerifyVisitor(testChannel, id, token); err != nil {
		t.Errorf("own token refused: %v", err)
	}
	if err := a.VerifyVisitor(testChannel, id, strings.ToUpper(token)); err != nil {
		t.Errorf("upper-case hex refused: %v", err)
	}
	rotated := testChannel
	rotated.Secret = "another-secret"
	noSecret := testChannel
	noSecret.Secret = ""
	for name, c := range map[string]struct {
		ch        channel.Channel
		id, token string
	}{
		"another visitor's id":  {testChannel, other, token},
		"another secret":        {rotated, id, token},
		"no secret":             {noSecret, id, Token("", id)},
		"empty token":           {testChannel, id, ""},
		"short token":           {testChannel, id, token[:63]},
		"not a visitor id":      {testChannel, "a b", Token(secret, "a b")},
		"empty id, its own mac": {testChannel, "", Token(secret, "")},
	} {
		if err := a.VerifyVisitor(c.ch, c.id, c.token); !errors.Is(err, channel.ErrSignature) {
			t.Errorf("%s: %v, want ErrSignature", name, err)
		}
	}
	if _, _, err := a.NewVisitor(noSecret); !errors.Is(err, channel.ErrSignature) {
		t.Errorf("a channel without a secret issued a visitor: %v", err)
	}
}

func TestVerify(t *testing.T) {
	a := New()
	good := signed(t, "message.json")
	if err := a.Verify(testChannel, post(good), []byte(good)); err != nil {
		t.Errorf("good token: %v", err)
	}
	bad := fixture(t, "message.json") // the placeholder token
	if err := a.Verify(testChannel, post(bad), []byte(bad)); !errors.Is(err, channel.ErrSignature) {
		t.Errorf("placeholder token: %v, want ErrSignature", err)
	}
	if err := a.Verify(testChannel, post(`{"text":"hi"}`), []byte(`{"text":"hi"}`)); !errors.Is(err, channel.ErrSignature) {
		t.Errorf("no token: %v, want ErrSignature", err)
	}
	// Not JSON: nothing to check here, and Receive refuses it.
	if err := a.Verify(testChannel, post("garbage"), []byte("garbage")); err != nil {
		t.Errorf("garbage: %v, want nil (Receive answers 400)", err)
	}
	if _, err := a.Receive(context.Background(), testChannel, post("garbage"), []byte("garbage")); !isPayload(err) {
		t.Errorf("Receive(garbage): %v, want a PayloadError", err)
	}
	noSecret := testChannel
	noSecret.Secret = ""
	if err := a.Verify(noSecret, post("garbage"), []byte("garbage")); !errors.Is(err, channel.ErrSignature) {
		t.Errorf("garbage on a channel without a secret: %v", err)
	}
}

func isPayload(err error) bool {
	var pe *channel.PayloadError
	return errors.As(err, &pe)
}

func TestReceive(t *testing.T) {
	a := New()
	body := signed(t, "message-contact.json")
	in, err := a.Receive(context.Background(), testChannel, post(body), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(in) != 1 {
		t.Fatalf("%d items", len(in))
	}
	got := in[0]
	want := []channel.Identity{{Kind: customer.Visitor, Value: "k5qzj3m2x7c4v6b8n1p9r0s2tu"}, {Kind: customer.Email, Value: "dana@example.com"}, {Kind: customer.Phone, Value: "+972500000001"}}
	if len(got.From.Identities) != 3 || got.From.Identities[0] != want[0] || got.From.Identities[1] != want[1] || got.From.Identities[2] != want[2] {
		t.Errorf("identities %+v, want %+v (the visitor first)", got.From.Identities, want)
	}
	if got.ExternalID != "k5qzj3m2x7c4v6b8n1p9r0s2tu:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d" || got.From.Name != "Dana" || got.Text != "My contact details: dana@example.com, 050-000-0001" {
		t.Errorf("item %+v", got)
	}
	if c, ok := ClientID("k5qzj3m2x7c4v6b8n1p9r0s2tu", got.ExternalID); !ok || c != "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d" {
		t.Errorf("ClientID = %q %v", c, ok)
	}
	r := post(body)
	r.Header.Set("Content-Type", "text/plain")
	if _, err := a.Receive(context.Background(), testChannel, r, []byte(body)); !isPayload(err) {
		t.Errorf("text/plain: %v, want a PayloadError", err)
	}
	// Receive checks the token itself too: nothing unverified gets past it.
	bad := fixture(t, "message.json")
	if _, err := a.Receive(context.Background(), testChannel, post(bad), []byte(bad)); !errors.Is(err, channel.ErrSignature) {
		t.Errorf("Receive with a wrong token: %v", err)
	}
}

func TestParse(t *testing.T) {
	base := map[string]any{"visitor_id": "k5qzj3m2x7c4v6b8n1p9r0s2tu", "token": "t", "id": "m-1", "text": "hello"}
	with := func(k string, v any) string {
		m := map[string]any{}
		for kk, vv := range base {
			m[kk] = vv
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	for _, c := range []struct {
		name, body string
		ok         bool
	}{
		{"minimal", with("text", "hello"), true},
		{"unknown fields are ignored", with("page", "/pricing"), true},
		{"no visitor", with("visitor_id", nil), false},
		{"visitor with a space", with("visitor_id", "abc defgh"), false},
		{"no token", with("token", nil), false},
		{"no id", with("id", nil), false},
		{"id with a colon", with("id", "a:b"), false},
		{"id too long", with("id", strings.Repeat("a", 65)), false},
		{"empty text", with("text", "   "), false},
		{"text too long", with("text", strings.Repeat("א", MaxText)), false},
		{"NUL in text", with("text", "a\x00b"), false},
		{"bad email", with("email", "not-an-email"), false},
		{"bad phone", with("phone", "12"), false},
		{"two values", with("text", "x") + "{}", false},
		{"an array", `[1]`, false},
		{"truncated", with("text", "hello")[:30], false},
	} {
		_, err := Parse([]byte(c.body))
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v, want ok=%v", c.name, err, c.ok)
		}
		if err != nil && !isPayload(err) {
			t.Errorf("%s: %v is not a PayloadError", c.name, err)
		}
	}
	m, err := Parse([]byte(with("name", "  Dana\x07 \u0000Levi  ")))
	if err != nil || m.Name != "Dana Levi" {
		t.Errorf("name %q %v, want the control characters gone", m.Name, err)
	}
}

// An agent's reply needs no call: the visitor's socket delivers it. Only a customer without
// a browser session has no address here.
func TestSend(t *testing.T) {
	a := New()
	rc, err := a.Send(context.Background(), testChannel, channel.Outbound{ID: "msg-1", To: []channel.Identity{{Kind: customer.Phone, Value: "+972500000001"}, {Kind: customer.Visitor, Value: "k5qzj3m2x7c4v6b8n1p9r0s2tu"}}, Text: "hi"})
	if err != nil || rc.ExternalID != "msg-1" {
		t.Errorf("Send = %+v %v, want the message id as receipt", rc, err)
	}
	if _, err := a.Send(context.Background(), testChannel, channel.Outbound{ID: "msg-2", To: []channel.Identity{{Kind: customer.Email, Value: "a@b.example"}}, Text: "hi"}); !errors.Is(err, channel.ErrNoAddress) {
		t.Errorf("Send without a visitor: %v, want ErrNoAddress", err)
	}
	if got := a.Secrets(testChannel); len(got) != 1 || got[0] != secret {
		t.Errorf("Secrets = %v", got)
	}
}

func TestSettings(t *testing.T) {
	a := New()
	if got := a.AllowedOrigins(testChannel); strings.Join(got, " ") != "https://shop.example https://www.shop.example" {
		t.Errorf("AllowedOrigins = %q", got)
	}
	any := testChannel
	any.Settings = map[string]string{"allowed_origins": "https://a.example *"}
	if got := a.AllowedOrigins(any); len(got) != 1 || got[0] != AnyOrigin {
		t.Errorf("AllowedOrigins with * = %q", got)
	}
	for _, c := range []struct{ lang, title, greeting string }{{"he", "ביטוח גשר", "שלום!"}, {"en", "", "Hello!"}, {"fr", "", "Hi"}} {
		if title, greeting := a.Greeting(testChannel, c.lang); title != c.title || greeting != c.greeting {
			t.Errorf("Greeting(%s) = %q %q, want %q %q", c.lang, title, greeting, c.title, c.greeting)
		}
	}
	if got := a.Languages(testChannel); strings.Join(got, ",") != "en,he" {
		t.Errorf("Languages = %v", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"message.json", "message-contact.json"} {
		f.Add(fixture(f, name))
	}
	f.Add(`{"visitor_id":"abcdefgh","token":"x","id":"1","text":"\u05e9\u05dc\u05d5\u05dd","email":"a@b.example","phone":"+972500000001"}`)
	f.Add(`{"visitor_id":"abcdefgh","token":"x","id":"1","text":"\ud800"}`)
	f.Add(`{"visitor_id":1}`)
	f.Fuzz(func(t *testing.T, body string) {
		m, err := Parse([]byte(body))
		if err != nil {
			if !isPayload(err) {
				t.Fatalf("error %v is not a PayloadError", err)
			}
			return
		}
		if _, err := customer.Normalize(customer.Visitor, m.VisitorID); err != nil {
			t.Fatalf("accepted visitor %q: %v", m.VisitorID, err)
		}
		if m.Token == "" || checkID(m.ID) != nil || strings.Contains(m.ID, ":") {
			t.Fatalf("accepted %+v", m)
		}
		if m.Text == "" || len(m.Text) > MaxText || strings.ContainsRune(m.Text, 0) || !utf8.ValidString(m.Text) {
			t.Fatalf("text %q is not storable", m.Text)
		}
		if len(m.Name) > maxName || !utf8.ValidString(m.Name) {
			t.Fatalf("name %q", m.Name)
		}
		for kind, v := range map[customer.IdentityKind]string{customer.Email: m.Email, customer.Phone: m.Phone} {
			if v == "" {
				continue
			}
			if n, err := customer.Normalize(kind, v); err != nil || n != v {
				t.Fatalf("%s %q is not normalised (%q, %v)", kind, v, n, err)
			}
		}
		if c, ok := ClientID(m.VisitorID, ExternalID(m.VisitorID, m.ID)); !ok || c != m.ID {
			t.Fatalf("external id does not give the client id back")
		}
	})
}

func BenchmarkParse(b *testing.B) {
	body := []byte(fixture(b, "message-contact.json"))
	for b.Loop() {
		if _, err := Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}
