package web

import (
	"context"
	"net/http"
	"strings"
	"time"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.d.Version})
}

// readyz answers 200 only when the database answers, so a load balancer stops sending traffic
// to a node that could not commit it.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.d.DB.Ping(ctx); err != nil {
		s.d.Log.Warn("not ready", "err", err)
		writeJSONError(w, http.StatusServiceUnavailable, "not_ready", "the database does not answer")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "database": string(s.d.DB.Dialect())})
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
