package web

import (
	"bytes"
	"mime"
	"net/http"
	"slices"
	"time"
)

// previewable are the types the console may show inline (?inline=1): raster images a
// browser decodes without running anything. SVG is not among them: it can carry script.
var previewable = []string{"image/png", "image/jpeg", "image/gif", "image/webp"}

// getMedia serves a file a customer sent. The file is hostile until proven otherwise: it is
// sent as a download under a sandboxing CSP with sniffing off, so an HTML "invoice" cannot run
// in the console's origin; only raster images may be shown inline for a preview.
func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) {
	f, err := s.d.Media.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("ETag", `"`+f.SHA256+`"`)
	disposition := "attachment"
	mt, _, _ := mime.ParseMediaType(f.ContentType)
	if r.URL.Query().Get("inline") == "1" && slices.Contains(previewable, mt) {
		disposition = "inline"
	}
	name := f.Name
	if name == "" {
		name = "file"
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": name}))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.Data))
}
