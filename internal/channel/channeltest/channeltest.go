// Package channeltest is the one harness every channel adapter is attacked with. It replays a
// provider's recorded payloads through the real webhook route of a whole Gesher server, on
// SQLite and on PostgreSQL, and adds to every adapter's cases the ones nobody should have to
// remember to write: a replay is stored once, a tampered or unsigned body is 401, a malformed
// one 400, an unknown channel 404 — and each refusal stores nothing.
//
// Providers' far sides (Meta's Graph API, Telegram's Bot API) are a local fake that speaks
// their wire format, so payloads that carry media are fetched for real.
//
// The server is an Env, which each adapter's own end-to-end tests start too, with their own
// fake of the provider, for what the recorded payloads cannot show (replies, status reports,
// retries).
package channeltest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// Suite describes one adapter to the harness.
type Suite struct {
	// Channel is the channel the payloads are posted to. Its Settings may name "{fake}",
	// replaced by the fake provider's URL (for api_base).
	Channel channel.Channel
	// ContentType is what the provider sends.
	ContentType string
	// Authenticate makes a body acceptable: it returns the headers (a signature) and the body
	// to post — usually the body as given; for a channel whose credential travels inside the
	// body (the widget's token), the body with it put in. url is the webhook's URL.
	Authenticate func(url string, body []byte) (http.Header, []byte)
	// BodySigned says the credential covers the body, so a tampered body must be refused.
	// Telegram's secret token is a fixed header: a changed body with it is indistinguishable
	// from another update, and is not tested as tampered.
	BodySigned bool
	// Payloads are the recorded deliveries, as files; every one must be accepted.
	Payloads []string
	// Prepare, when set, adapts a recorded payload to the fake provider (Meta's media
	// checksums must be of the bytes the fake serves).
	Prepare func(body []byte) []byte
	// Malformed are bodies the adapter must refuse with 400 once authenticated.
	Malformed [][]byte
}

// FakeFile is what the fake provider serves for every media download.
var FakeFile = []byte("\xff\xd8\xff\xe0 a photo of the damage, as the provider would send it")

// FakeFileSHA256 is FakeFile's SHA-256 in base64, as Meta's webhooks carry it.
var FakeFileSHA256 = func() string { s := sha256.Sum256(FakeFile); return base64.StdEncoding.EncodeToString(s[:]) }()

// fakeProvider answers media look-ups and downloads in the shapes of the Graph API and the
// Bot API.
func fakeProvider() *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case strings.HasPrefix(p, "/file/bot"), strings.HasPrefix(p, "/media-bytes/"):
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write(FakeFile)
		case strings.Contains(p, "/getFile"):
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"ok":true,"result":{"file_id":"f","file_unique_id":"u","file_size":%d,"file_path":"photos/file_1.jpg"}}`, len(FakeFile))
		case regexp.MustCompile(`^/v[0-9.]+/[0-9A-Za-z_-]+$`).MatchString(p) && r.Method == http.MethodGet:
			id := p[strings.LastIndex(p, "/")+1:]
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"messaging_product":"whatsapp","url":"%s/media-bytes/%s","mime_type":"image/jpeg","sha256":"%s","file_size":%d,"id":"%s"}`,
				srv.URL, id, FakeFileSHA256, len(FakeFile), id)
		default:
			http.Error(w, `{"error":{"message":"the harness's fake provider does not serve `+p+`"}}`, http.StatusNotFound)
		}
	}))
	return srv
}

// runner replays one suite on one Env.
type runner struct {
	*Env
	ch channel.Channel
}

// Run runs a suite on both databases.
func Run(t *testing.T, s Suite) {
	t.Helper()
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		fake := fakeProvider()
		t.Cleanup(fake.Close)
		ch := s.Channel
		settings := map[string]string{}
		for k, v := range ch.Settings {
			settings[k] = strings.ReplaceAll(v, "{fake}", fake.URL)
		}
		ch.Settings, ch.Enabled = settings, true
		e := New(t, dsn, Options{HTTPClient: fake.Client(), Start: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), Channels: []channel.Channel{ch}})
		(&runner{Env: e, ch: e.Channels[0]}).run(s)
	})
}

func (e *runner) hook(name string) string {
	return e.URL + "/hooks/" + string(e.ch.Kind) + "/" + name
}

func (e *runner) post(url string, body []byte, h http.Header, contentType string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", contentType)
	for k, vs := range h {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	got := e.Do(req)
	return got.Status, got.Body
}

// stored is what a delivery can leave behind: rows in the tables ingest writes, and events.
func (e *runner) stored() string {
	e.t.Helper()
	var parts []string
	for _, table := range []string{"customers", "identities", "conversations", "messages", "channel_receipts", "events", "media"} {
		parts = append(parts, fmt.Sprintf("%s=%d", table, e.Count(`SELECT COUNT(*) FROM `+table)))
	}
	return strings.Join(parts, " ")
}

func (e *runner) run(s Suite) {
	t := e.t
	hook := e.hook(e.ch.Name)
	for _, file := range s.Payloads {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if s.Prepare != nil {
			raw = s.Prepare(raw)
		}
		name := filepath.Base(file)
		h, body := s.Authenticate(hook, raw)

		// Refusals first, while nothing of this payload is stored: each must leave no trace.
		before := e.stored()
		// As recorded, with no credential of ours: a header-signed body without its header,
		// and a body whose credential is inside it (the widget's) with the recorded one.
		if status, got := e.post(hook, raw, nil, s.ContentType); status != http.StatusUnauthorized {
			t.Errorf("%s without credentials: %d %s; want 401", name, status, got)
		}
		if s.BodySigned {
			tampered := tamper(body)
			if status, got := e.post(hook, tampered, h, s.ContentType); status != http.StatusUnauthorized {
				t.Errorf("%s tampered after signing: %d %s; want 401", name, status, got)
			}
		}
		if status, got := e.post(e.hook("no-such-channel"), body, h, s.ContentType); status != http.StatusNotFound {
			t.Errorf("%s to an unknown channel: %d %s; want 404", name, status, got)
		}
		if after := e.stored(); after != before {
			t.Errorf("%s: refused requests stored something: %s → %s", name, before, after)
		}

		status, got := e.post(hook, body, h, s.ContentType)
		if status < 200 || status > 299 {
			t.Errorf("%s: %d %s; want it accepted", name, status, got)
			continue
		}
		once := e.stored()
		if status, got := e.post(hook, body, h, s.ContentType); status < 200 || status > 299 {
			t.Errorf("%s replayed: %d %s; want it acknowledged", name, status, got)
		}
		if again := e.stored(); again != once {
			t.Errorf("%s replayed stored it again: %s → %s", name, once, again)
		}
	}
	for i, bad := range s.Malformed {
		before := e.stored()
		h, body := s.Authenticate(hook, bad)
		if status, got := e.post(hook, body, h, s.ContentType); status != http.StatusBadRequest {
			t.Errorf("malformed body %d (%.40q): %d %s; want 400", i, bad, status, got)
		}
		if after := e.stored(); after != before {
			t.Errorf("malformed body %d stored something: %s → %s", i, before, after)
		}
	}
}

// tamper changes one character in the middle of body, as an attacker editing a captured
// delivery would, keeping its length.
func tamper(body []byte) []byte {
	out := append([]byte(nil), body...)
	if len(out) == 0 {
		return []byte("x")
	}
	i := len(out) / 2
	if out[i] == 'a' {
		out[i] = 'b'
	} else {
		out[i] = 'a'
	}
	return out
}

// Files lists a folder's files with the given suffix, for Suite.Payloads.
func Files(t *testing.T, dir, suffix string, except ...string) []string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*"+suffix))
	if err != nil || len(matches) == 0 {
		t.Fatalf("no %s payloads in %s: %v", suffix, dir, err)
	}
	var out []string
	for _, m := range matches {
		skip := false
		for _, x := range except {
			if filepath.Base(m) == x {
				skip = true
			}
		}
		if !skip {
			out = append(out, m)
		}
	}
	return out
}

// JSONField rewrites every string value of a field in a JSON body (the widget's token, Meta's
// checksums), keeping the rest byte for byte.
func JSONField(body []byte, field, value string) []byte {
	re := regexp.MustCompile(`("` + regexp.QuoteMeta(field) + `"\s*:\s*)"[^"]*"`)
	v, _ := json.Marshal(value)
	return re.ReplaceAll(body, []byte("${1}"+string(v)))
}
