package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// A file a customer sends is stored with the message, listed on it, and downloadable by an
// agent byte for byte — served so that a hostile file cannot run in the console's origin.
func TestMediaArriveWithTheMessageAndDownloadSafely(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		photo := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 0xff, 7}, 500)...)
		page := []byte(`<html><script>alert(document.cookie)</script></html>`)
		res, err := e.app.Ingester.Ingest(context.Background(), e.channel, []channel.Inbound{{
			ExternalID: "m-with-files", Text: "the damage, and the garage's quote",
			From:  channel.Contact{Identities: []channel.Identity{{Kind: customer.Phone, Value: "+972501234567"}}},
			Files: []channel.File{{Name: "car.png", ContentType: "image/png", Data: photo}, {Name: "quote.html", ContentType: "text/html", Data: page}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		status, conv := e.call(auth.RoleAgent, "GET", "/api/v1/conversations/"+res[0].ConversationID, nil)
		if status != 200 {
			t.Fatalf("conversation: %d", status)
		}
		var urls []string
		for _, m := range conv["messages"].([]any) {
			for _, a := range m.(map[string]any)["attachments"].([]any) {
				urls = append(urls, a.(map[string]any)["url"].(string))
			}
		}
		if len(urls) != 2 || !strings.HasPrefix(urls[0], "/api/v1/media/") {
			t.Fatalf("attachments %v; want the two stored files", urls)
		}
		get := func(path string, role auth.Role) *http.Response {
			req, _ := http.NewRequest("GET", e.http.URL+path, nil)
			if role != "" {
				req.Header.Set("Authorization", "Bearer "+e.tokens[role])
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { resp.Body.Close() })
			return resp
		}
		resp := get(urls[0], auth.RoleAgent)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !bytes.Equal(body, photo) || resp.Header.Get("Content-Type") != "image/png" {
			t.Errorf("photo: %d %s, %d bytes; want 200 image/png with the %d bytes sent", resp.StatusCode, resp.Header.Get("Content-Type"), len(body), len(photo))
		}
		if d := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(d, "attachment") || !strings.Contains(d, "car.png") {
			t.Errorf("photo disposition %q; want a download named car.png", d)
		}
		if d := get(urls[0]+"?inline=1", auth.RoleAgent).Header.Get("Content-Disposition"); !strings.HasPrefix(d, "inline") {
			t.Errorf("photo preview disposition %q; want inline", d)
		}
		html := get(urls[1]+"?inline=1", auth.RoleAgent)
		if d := html.Header.Get("Content-Disposition"); !strings.HasPrefix(d, "attachment") {
			t.Errorf("an HTML file asked inline: disposition %q; want it only ever downloaded", d)
		}
		if csp := html.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || html.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("HTML file headers CSP %q nosniff %q; want a sandbox and no sniffing", csp, html.Header.Get("X-Content-Type-Options"))
		}
		if s := get(urls[0], "").StatusCode; s != http.StatusUnauthorized {
			t.Errorf("download without signing in: %d; want 401", s)
		}
		if s := get("/api/v1/media/nope", auth.RoleAgent).StatusCode; s != http.StatusNotFound {
			t.Errorf("unknown file: %d; want 404", s)
		}
	})
}
