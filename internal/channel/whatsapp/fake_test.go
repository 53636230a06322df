package whatsapp

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// FakeGraph is a local Graph API speaking Meta's wire format: the Messages API
// (POST /{version}/{phone-number-id}/messages), media lookup (GET /{version}/{media-id}) and
// the media download its answer points to, each checking the bearer token. It is exported so
// that the end-to-end tests in package whatsapp_test share it.
type FakeGraph struct {
	Token   string
	Version string
	URL     string

	mu       sync.Mutex
	media    map[string]FakeMedia
	ids      []string     // wamids handed out first, then generated
	answers  []FakeAnswer // answers to POST …/messages, consumed in order; then 200
	lookups  []int        // statuses to answer media lookups with before serving them
	requests []FakeRequest
	gets     []string
}

// FakeMedia is a file the fake serves.
type FakeMedia struct {
	Data     []byte
	MimeType string
	// Gone makes the lookup answer 404 as Meta does for an expired media id.
	Gone bool
}

// FakeAnswer is a canned answer to a Messages API request.
type FakeAnswer struct {
	Status int
	Body   string
	Header map[string]string
}

// FakeRequest is one request the Messages API received.
type FakeRequest struct {
	Path string
	Auth string
	Body map[string]any
}

// NewFakeGraph starts the fake; it stops when the test ends.
func NewFakeGraph(t testing.TB, token string) *FakeGraph {
	f := &FakeGraph{Token: token, Version: DefaultAPIVersion, media: map[string]FakeMedia{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// AddMedia makes id downloadable.
func (f *FakeGraph) AddMedia(id string, m FakeMedia) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.media[id] = m
}

// HandOut sets the wamids the next successful sends get.
func (f *FakeGraph) HandOut(ids ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ids = append(f.ids, ids...)
}

// Answer queues answers for the next Messages API requests.
func (f *FakeGraph) Answer(a ...FakeAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers = append(f.answers, a...)
}

// FailLookups makes the next media lookups answer these statuses.
func (f *FakeGraph) FailLookups(statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups = append(f.lookups, statuses...)
}

// Requests returns the Messages API requests received so far.
func (f *FakeGraph) Requests() []FakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]FakeRequest(nil), f.requests...)
}

// Gets returns the paths of the GET requests received so far.
func (f *FakeGraph) Gets() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.gets...)
}

// GraphError is the Graph API's error document.
func GraphError(status, code int, message string) FakeAnswer {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message": message, "type": "OAuthException", "code": code, "error_subcode": 2494010, "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam",
	}})
	return FakeAnswer{Status: status, Body: string(b)}
}

func (f *FakeGraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+f.Token {
		writeAnswer(w, GraphError(http.StatusUnauthorized, 190, "Invalid OAuth access token - Cannot parse access token"))
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	prefix := "/" + f.Version + "/"
	switch {
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, prefix) && strings.HasSuffix(r.URL.Path, "/messages"):
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil || r.Header.Get("Content-Type") != "application/json" {
			writeAnswer(w, GraphError(http.StatusBadRequest, 100, "(#100) The parameter messaging_product is required."))
			return
		}
		f.requests = append(f.requests, FakeRequest{Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: body})
		if len(f.answers) > 0 {
			a := f.answers[0]
			f.answers = f.answers[1:]
			writeAnswer(w, a)
			return
		}
		id := fmt.Sprintf("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI%012dAA==", len(f.requests))
		if len(f.ids) > 0 {
			id, f.ids = f.ids[0], f.ids[1:]
		}
		to, _ := body["to"].(string)
		writeAnswer(w, FakeAnswer{Status: http.StatusOK, Body: fmt.Sprintf(
			`{"messaging_product":"whatsapp","contacts":[{"input":%q,"wa_id":%q}],"messages":[{"id":%q}]}`, to, to, id)})
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/download/"):
		f.gets = append(f.gets, r.URL.Path)
		m, ok := f.media[strings.TrimPrefix(r.URL.Path, "/download/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", m.MimeType)
		_, _ = w.Write(m.Data)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, prefix):
		f.gets = append(f.gets, r.URL.Path)
		if len(f.lookups) > 0 {
			st := f.lookups[0]
			f.lookups = f.lookups[1:]
			writeAnswer(w, GraphError(st, 2, "Service temporarily unavailable"))
			return
		}
		id := strings.TrimPrefix(r.URL.Path, prefix)
		m, ok := f.media[id]
		if !ok || m.Gone {
			writeAnswer(w, GraphError(http.StatusNotFound, 100, "Unsupported get request. Object with ID '"+id+"' does not exist"))
			return
		}
		b, _ := json.Marshal(map[string]any{"messaging_product": "whatsapp", "url": f.URL + "/download/" + id,
			"mime_type": m.MimeType, "sha256": sha256Hex(m.Data), "file_size": len(m.Data), "id": id})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	default:
		writeAnswer(w, GraphError(http.StatusBadRequest, 100, "Unsupported request"))
	}
}

func writeAnswer(w http.ResponseWriter, a FakeAnswer) {
	for k, v := range a.Header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(a.Status)
	_, _ = io.WriteString(w, a.Body)
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

var checksumField = regexp.MustCompile(`"sha256": "[^"]*"`)

// SetChecksum replaces the sha256 of a fixture's media with the base64 checksum of data, the
// bytes the fake serves, as Meta's current webhooks write it.
func SetChecksum(body string, data []byte) string {
	sum := sha256.Sum256(data)
	return checksumField.ReplaceAllString(body, `"sha256": "`+base64.StdEncoding.EncodeToString(sum[:])+`"`)
}
