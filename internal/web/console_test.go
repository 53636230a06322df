package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

var builtConsole = fstest.MapFS{
	"index.html":              {Data: []byte(`<!doctype html><html><head><script type="module" src="/app/assets/index-abc123.js"></script></head><body><div id="app"></div></body></html>`)},
	"assets/index-abc123.js":  {Data: []byte(strings.Repeat("console.log('gesher');\n", 200))},
	"assets/index-abc123.css": {Data: []byte("body{margin:0}")},
	"favicon.svg":             {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
}

func get(t *testing.T, h http.Handler, path string, hdr ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	var r io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Every page of the app is its index.html, revalidated on each load; assets are kept a year
// because their names change with their content; a missing asset is a 404, not the app.
func TestConsoleServesAppPagesAndCachesAssets(t *testing.T) {
	c := newConsole(builtConsole)
	for _, p := range []string{"/app/", "/app/c/01JX", "/app/signin", "/app/index.html", "/app/../app/c/x"} {
		resp := get(t, c, p)
		if resp.StatusCode != 200 || !strings.Contains(body(t, resp), `<div id="app">`) {
			t.Errorf("%s: %d, want the app's index.html", p, resp.StatusCode)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache", p, cc)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %q", p, ct)
		}
	}
	resp := get(t, c, "/app/assets/index-abc123.js")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
		t.Errorf("asset: %d %q %q; want 200, immutable, JavaScript", resp.StatusCode, resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Type"))
	}
	if resp := get(t, c, "/app/assets/index-old999.js"); resp.StatusCode != 404 {
		t.Errorf("a missing asset: %d, want 404", resp.StatusCode)
	}
	if resp := get(t, c, "/app/favicon.svg"); resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "image/svg+xml") {
		t.Errorf("favicon: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// A revalidation of an unchanged index.html costs no body.
	etag := get(t, c, "/app/").Header.Get("ETag")
	if etag == "" {
		t.Fatal("index.html has no ETag")
	}
	if resp := get(t, c, "/app/inbox", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match with the current ETag: %d, want 304", resp.StatusCode)
	}
}

// Browsers that accept gzip get it (the first-load budget is counted compressed); others
// get the plain file.
func TestConsoleGzipsForBrowsersThatAcceptIt(t *testing.T) {
	c := newConsole(builtConsole)
	plain := get(t, c, "/app/assets/index-abc123.js")
	zipped := get(t, c, "/app/assets/index-abc123.js", "Accept-Encoding", "br, gzip;q=0.8")
	refused := get(t, c, "/app/assets/index-abc123.js", "Accept-Encoding", "gzip;q=0")
	if plain.Header.Get("Content-Encoding") != "" || refused.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip sent to a client that did not accept it")
	}
	if zipped.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(zipped.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("Content-Encoding %q Vary %q; want gzip, Vary: Accept-Encoding", zipped.Header.Get("Content-Encoding"), zipped.Header.Get("Vary"))
	}
	raw, _ := io.ReadAll(zipped.Body)
	zipped.Body = io.NopCloser(bytes.NewReader(raw))
	want := body(t, plain)
	if got := body(t, zipped); got != want {
		t.Error("the gzipped asset does not decompress to the file")
	}
	if len(raw) >= len(want)/4 {
		t.Errorf("gzipped %d bytes of a %d-byte repetitive file; compression is not happening", len(raw), len(want))
	}
}

// A binary built without the console (clean checkout, -tags noui) says how to build it.
func TestConsoleNotBuiltSaysHowToBuildIt(t *testing.T) {
	for name, files := range map[string]fstest.MapFS{"nil": nil, "only .gitkeep": {".gitkeep": {}}} {
		var c *console
		if files == nil {
			c = newConsole(nil)
		} else {
			c = newConsole(files)
		}
		resp := get(t, c, "/app/")
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body(t, resp), "console not built — run make build") {
			t.Errorf("%s: %d, want 503 saying to run make build", name, resp.StatusCode)
		}
	}
}

// ConsoleBuilt tells the HTTP-level tests (package web_test) whether this binary embeds a
// built console, which depends on the build tags and on whether `make console` ran.
var ConsoleBuilt = newConsole(consoleFiles()).index != nil
