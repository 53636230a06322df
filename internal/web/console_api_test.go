package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/store/storetest"
	"github.com/gesher-cs/gesher/internal/web"
)

// The inbox shows each view's conversations newest first, with the customer's name and the
// last message, and the count of every view, so an agent sees at once what is theirs, what
// nobody has taken and what waits on the customer.
func TestInboxViewsShowCustomerLastMessageAndCounts(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		conv := map[string]string{}
		for i, phone := range []string{"+972501111111", "+972502222222", "+972503333333", "+972504444444"} {
			_, body := e.hook(msg(fmt.Sprintf("m-%d", i), phone, fmt.Sprintf("message %d from %s", i, phone)))
			conv[phone] = items(map[string]any{"items": body["results"]})[0]["conversation_id"].(string)
			e.clock.Advance(60e9)
		}
		agent := e.users[auth.RoleAgent].ID
		// 1111 and 2222 are the agent's; 3333 nobody's; 4444 resolved. 2222 waits on the customer.
		e.mustCall(auth.RoleSupervisor, "POST", "/api/v1/conversations/"+conv["+972501111111"]+"/assign", map[string]string{"assignee_id": agent})
		e.mustCall(auth.RoleSupervisor, "POST", "/api/v1/conversations/"+conv["+972502222222"]+"/assign", map[string]string{"assignee_id": agent})
		e.mustCall(auth.RoleAgent, "POST", "/api/v1/conversations/"+conv["+972502222222"]+"/status", map[string]string{"status": "pending"})
		e.mustCall(auth.RoleSupervisor, "POST", "/api/v1/conversations/"+conv["+972503333333"]+"/assign", map[string]string{"assignee_id": ""})
		e.mustCall(auth.RoleAgent, "POST", "/api/v1/conversations/"+conv["+972504444444"]+"/status", map[string]string{"status": "resolved"})
		e.clock.Advance(60e9)
		e.mustCall(auth.RoleAgent, "POST", "/api/v1/conversations/"+conv["+972501111111"]+"/messages", map[string]string{"text": "We are on it.\nYour claim number is 42."})

		wantIDs := map[string][]string{
			"mine":       {conv["+972501111111"], conv["+972502222222"]}, // the reply made 1111 the most recent
			"unassigned": {conv["+972503333333"]},
			"open":       {conv["+972501111111"], conv["+972503333333"]},
			"pending":    {conv["+972502222222"]},
			"resolved":   {conv["+972504444444"]},
		}
		for view, want := range wantIDs {
			_, body := e.mustCall(auth.RoleAgent, "GET", "/api/v1/inbox?view="+view, nil)
			var got []string
			for _, it := range items(body) {
				got = append(got, it["id"].(string))
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("view %s: %v, want %v", view, got, want)
			}
			counts := body["counts"].(map[string]any)
			wantCounts := map[string]float64{"mine": 2, "unassigned": 1, "open": 2, "pending": 1, "resolved": 1}
			for k, v := range wantCounts {
				if counts[k] != v {
					t.Errorf("view %s: count %s = %v, want %v", view, k, counts[k], v)
				}
			}
		}

		_, body := e.mustCall(auth.RoleAgent, "GET", "/api/v1/inbox?view=mine&limit=1", nil)
		rows := items(body)
		if len(rows) != 1 {
			t.Fatalf("limit=1 gave %d rows", len(rows))
		}
		first := rows[0]
		if first["customer_name"] != "Rivka Cohen" || first["channel_id"] != e.channel.ID {
			t.Errorf("first row: customer %v, channel %v; want Rivka Cohen on %s", first["customer_name"], first["channel_id"], e.channel.ID)
		}
		last, _ := first["last_message"].(map[string]any)
		if last["direction"] != "out" || last["text"] != "We are on it. Your claim number is 42." || last["status"] != "queued" {
			t.Errorf("last message %v; want the agent's reply, on one line, queued", last)
		}
		// The next page starts after the first row's time.
		_, body = e.mustCall(auth.RoleAgent, "GET", "/api/v1/inbox?view=mine&before="+first["last_message_at"].(string), nil)
		if rows := items(body); len(rows) != 1 || rows[0]["id"] != conv["+972502222222"] {
			t.Errorf("second page: %v, want only %s", rows, conv["+972502222222"])
		}

		// Another agent's "mine" is empty: the view is per user.
		_, body = e.mustCall(auth.RoleSupervisor, "GET", "/api/v1/inbox", nil)
		if body["view"] != "mine" || len(items(body)) != 0 || body["counts"].(map[string]any)["mine"] != float64(0) {
			t.Errorf("the supervisor's own inbox: %v; want view mine, empty, count 0", body)
		}

		// A channel filter narrows the rows and the counts alike.
		other, err := e.chans.Ensure(context.Background(), channel.Channel{Name: "other-api", Kind: api.Kind, Secret: "x", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		_, body = e.mustCall(auth.RoleAgent, "GET", "/api/v1/inbox?view=open&channel="+other.ID, nil)
		if len(items(body)) != 0 || body["counts"].(map[string]any)["open"] != float64(0) {
			t.Errorf("inbox on an unused channel: %v; want nothing", body)
		}

		for _, bad := range []string{"view=everything", "before=yesterday", "limit=-1"} {
			if status, _ := e.call(auth.RoleAgent, "GET", "/api/v1/inbox?"+bad, nil); status != http.StatusBadRequest {
				t.Errorf("inbox?%s: %d, want 400", bad, status)
			}
		}
	})
}

// Any agent may learn the channels' names and kinds, never their secrets or settings.
func TestInboxChannelsNameChannelsWithoutSecrets(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t))
	e.channel.Settings = map[string]string{api.OutboundURLSetting: "https://integrator.example/hook?key=private"}
	if _, err := e.chans.Ensure(context.Background(), e.channel); err != nil {
		t.Fatal(err)
	}
	status, body := e.call(auth.RoleAgent, "GET", "/api/v1/inbox/channels", nil)
	if status != http.StatusOK {
		t.Fatalf("inbox channels as agent: %d", status)
	}
	rows := items(body)
	if len(rows) != 1 || rows[0]["id"] != e.channel.ID || rows[0]["name"] != "test-api" || rows[0]["kind"] != "api" || rows[0]["enabled"] != true {
		t.Errorf("channels: %v; want the one test-api channel", rows)
	}
	raw := fmt.Sprint(body)
	for _, secret := range []string{hookSecret, "private", "settings"} {
		if strings.Contains(raw, secret) {
			t.Errorf("channels answer shows %q: %s", secret, raw)
		}
	}
}

// mustCall is call that fails the test on an answer other than 2xx.
func (e *env) mustCall(role auth.Role, method, path string, body any) (int, map[string]any) {
	e.t.Helper()
	status, out := e.call(role, method, path, body)
	if status < 200 || status > 299 {
		e.t.Fatalf("%s %s as %s: %d %v", method, path, role, status, out)
	}
	return status, out
}

// /app/ serves the embedded console when the binary was built with it, and otherwise says how
// to build it; either way it is public (the page holds no data) and under the server's CSP.
func TestConsoleRouteServesTheBuiltAppOrSaysHowToBuildIt(t *testing.T) {
	e := newEnv(t, storetest.SQLitePath(t))
	built := web.ConsoleBuilt
	var index []byte
	if built {
		var err error
		if index, err = os.ReadFile(filepath.Join("dist", "console", "index.html")); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{"/app/", "/app/c/01JX0000000000000000000000", "/app/signin"} {
		resp, err := http.Get(e.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if built {
			if resp.StatusCode != http.StatusOK || string(body) != string(index) {
				t.Errorf("%s: %d, want the built index.html", path, resp.StatusCode)
			}
		} else if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "console not built — run make build") {
			t.Errorf("%s: %d %q, want 503 saying to run make build", path, resp.StatusCode, body)
		}
	}
	if built {
		// Every script and stylesheet the page names is served, gzipped, for a year.
		for _, m := range regexp.MustCompile(`(?:src|href)="(/app/assets/[^"]+)"`).FindAllStringSubmatch(string(index), -1) {
			req, _ := http.NewRequest("GET", e.http.URL+m[1], nil)
			req.Header.Set("Accept-Encoding", "gzip")
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
				t.Errorf("%s: %d, encoding %q, cache %q", m[1], resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Cache-Control"))
			}
		}
	}
	// No trailing slash: sent to the app.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(e.http.URL + "/app")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode/100 != 3 || loc != "/app/" {
		t.Errorf("/app: %d to %q, want a redirect to /app/", resp.StatusCode, loc)
	}
}
