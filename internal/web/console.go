package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
)

// consoleNotBuilt is what /app/ shows when the binary was built without the console (a clean
// checkout, or -tags noui). The API works all the same.
const consoleNotBuilt = `<!doctype html>
<html lang="en" dir="ltr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Gesher</title></head>
<body>
<main>
<h1>console not built — run make build</h1>
<p>This Gesher binary was built without the agent console. Run <code>make build</code> (or <code>make demo</code>) in the source tree; the API under <a href="/api/v1/openapi.json">/api/v1</a> works without it.</p>
</main>
</body>
</html>
`

// console serves the agent console, a single-page app: its fingerprinted assets with a year's
// cache, anything else as index.html so that the app's own router finds the page. The app
// holds no data; every API call it makes checks the caller's role.
type console struct {
	files fs.FS
	index []byte
	etag  string
	// gz caches each compressible file gzipped, made on first request. The set of files is
	// fixed at build time, so the cache is bounded.
	gz sync.Map
}

// newConsole returns the console handler over the built files (nil or empty: not built).
func newConsole(files fs.FS) *console {
	c := &console{files: files}
	if files == nil {
		return c
	}
	if b, err := fs.ReadFile(files, "index.html"); err == nil {
		sum := sha256.Sum256(b)
		c.index, c.etag = b, `"`+hex.EncodeToString(sum[:8])+`"`
	}
	return c
}

func (c *console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if c.index == nil {
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(consoleNotBuilt))
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+strings.TrimPrefix(r.URL.Path, "/app")), "/")
	if strings.HasPrefix(name, "assets/") {
		// Vite names every asset by its content hash, so a name never changes meaning and a
		// browser may keep it for a year. A missing asset is a 404, not the app: a stale page
		// asking for an old chunk must fail visibly rather than parse HTML as JavaScript.
		b, err := fs.ReadFile(c.files, name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		c.write(w, r, name, b)
		return
	}
	if name != "" && name != "index.html" {
		if b, err := fs.ReadFile(c.files, name); err == nil {
			h.Set("Cache-Control", "public, max-age=3600")
			c.write(w, r, name, b)
			return
		}
	}
	// Any other path is a page of the app (/app/c/{id}): the same index.html, revalidated on
	// every load so that a new build is picked up at once.
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", c.etag)
	if r.Header.Get("If-None-Match") == c.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	c.write(w, r, "index.html", c.index)
}

// write sends a file, gzipped when the client accepts it and the type compresses.
func (c *console) write(w http.ResponseWriter, r *http.Request, name string, b []byte) {
	h := w.Header()
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = http.DetectContentType(b)
	}
	h.Set("Content-Type", ct)
	if compressible(ct) {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			b = c.gzipped(name, b)
		}
	}
	h.Set("Content-Length", itoa(len(b)))
	_, _ = w.Write(b)
}

func (c *console) gzipped(name string, b []byte) []byte {
	if v, ok := c.gz.Load(name); ok {
		return v.([]byte)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	v, _ := c.gz.LoadOrStore(name, buf.Bytes())
	return v.([]byte)
}

func compressible(contentType string) bool {
	for _, p := range []string{"text/", "application/javascript", "application/json", "image/svg+xml", "application/manifest+json"} {
		if strings.HasPrefix(contentType, p) {
			return true
		}
	}
	return false
}

// acceptsGzip reads Accept-Encoding loosely: "gzip" listed without q=0.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
