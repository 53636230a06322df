package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/channel/email"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// Webhook bodies are bounded — 1 MiB by default — except where a provider legitimately sends
// more: mail relayed with its attachments may be as large as the SMTP listener takes.
func TestWebhookBodyLimitsPerKind(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t))
	mail, err := e.chans.Ensure(context.Background(), channel.Channel{Name: "mail-in", Kind: email.Kind, Secret: "mail-secret", Enabled: true,
		Settings: map[string]string{email.SettingAddress: "service@test.example"}})
	if err != nil {
		t.Fatal(err)
	}
	scan := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\r\n", 60_000) // 2.2 MB of base64
	raw := "From: Dana <dana@example.com>\r\nTo: service@test.example\r\nSubject: the scan\r\nMessage-ID: <big-1@example.com>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe scan of the form is attached.\r\n" +
		"--b\r\nContent-Type: application/pdf; name=scan.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" + scan + "--b--\r\n"
	post := func(path, body, sig string) int {
		req, _ := http.NewRequest("POST", e.http.URL+path, strings.NewReader(body))
		req.Header.Set(api.SignatureHeader, sig)
		status, _ := e.do(req)
		return status
	}
	if status := post("/hooks/email/"+mail.Name, raw, api.Sign("mail-secret", []byte(raw))); status != 200 {
		t.Errorf("a 2 MB relayed message: %d; want it accepted", status)
	}
	big := `{"id":"big","from":{"phone":"+972501234567"},"text":"` + strings.Repeat("x", 2<<20) + `"}`
	if status := post("/hooks/api/"+e.channel.Name, big, api.Sign(hookSecret, []byte(big))); status != http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 MB API body: %d; want 413", status)
	}
}
