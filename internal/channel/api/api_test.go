package api_test

import (
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/channel/api"
)

func TestParse(t *testing.T) {
	cases := []struct {
		name, body string
		wantErr    string
	}{
		{"phone", `{"id":"m1","from":{"phone":"050-123-4567"},"text":"hi"}`, ""},
		{"email and name", `{"id":"m1","from":{"email":"a@b.example","name":"Dana"},"text":"hi"}`, ""},
		{"attachment only", `{"id":"m1","from":{"external_id":"crm-7"},"attachments":[{"content_type":"image/png","url":"https://x/y.png"}]}`, ""},
		{"no id", `{"from":{"phone":"050-123-4567"},"text":"hi"}`, `"id"`},
		{"blank id", `{"id":"  ","from":{"phone":"050-123-4567"},"text":"hi"}`, `"id"`},
		{"no sender", `{"id":"m1","from":{},"text":"hi"}`, `"from"`},
		{"empty text", `{"id":"m1","from":{"phone":"050-123-4567"},"text":"  "}`, `"text"`},
		{"unknown field", `{"id":"m1","from":{"phone":"1"},"text":"hi","x":1}`, "not valid JSON"},
		{"two values", `{"id":"m1","from":{"phone":"1"},"text":"hi"}{}`, "more than one"},
		{"truncated", `{"id":"m1","from":`, "not valid JSON"},
	}
	for _, c := range cases {
		_, err := api.Parse([]byte(c.body))
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: error %v, want one mentioning %s", c.name, err, c.wantErr)
		}
	}
}

func TestSignIsHMACSHA256Hex(t *testing.T) {
	// printf '{}' | openssl dgst -sha256 -hmac secret
	if got := api.Sign("secret", []byte("{}")); got != "sha256=77325902caca812dc259733aacd046b73817372c777b8d95b402647474516e13" {
		t.Errorf("Sign = %s", got)
	}
	if api.Sign("a", []byte("x")) == api.Sign("b", []byte("x")) {
		t.Error("different secrets give the same signature")
	}
}

// FuzzParse: no input panics, and whatever Parse accepts has what the ingest needs.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"id":"m1","from":{"phone":"050-123-4567","name":"Dana"},"text":"שלום"}`))
	f.Add([]byte(`{"id":"m1","from":{"email":"a@b.example"},"attachments":[{"content_type":"image/png"}]}`))
	f.Add([]byte(`{"id":"m1","from":{"external_id":"x"},"text":"hi","timestamp":"2026-11-22T10:00:00Z"}`))
	f.Add([]byte(`{"id":`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := api.Parse(body)
		if err != nil {
			return
		}
		if strings.TrimSpace(p.ID) == "" || len(p.ID) > 200 {
			t.Fatalf("accepted id %q", p.ID)
		}
		if p.From.Phone == "" && p.From.Email == "" && p.From.ExternalID == "" {
			t.Fatal("accepted a message with no sender")
		}
		if strings.TrimSpace(p.Text) == "" && len(p.Attachments) == 0 {
			t.Fatal("accepted an empty message")
		}
		if len(p.From.Name) > 200 {
			t.Fatal("name not capped")
		}
	})
}
