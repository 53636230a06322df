package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gesher-cs/gesher/internal/channel"
)

type hookResponse struct {
	Accepted   int              `json:"accepted"`
	Duplicates int              `json:"duplicates"`
	Results    []channel.Result `json:"results"`
}

// Challenger is implemented by adapters whose provider verifies the webhook URL with a GET
// (Meta's hub.challenge).
type Challenger interface {
	Challenge(w http.ResponseWriter, r *http.Request, ch channel.Channel) error
}

// receiveHook is the webhook pipeline, in an order no adapter can change: find the channel,
// bound the body, verify the signature, parse, store everything in one transaction, and only
// after the commit acknowledge. A provider that gets no 2xx retries, and the retry is
// recognised by (channel, provider id), so nothing acknowledged is lost and nothing is stored
// twice.
func (s *Server) receiveHook(w http.ResponseWriter, r *http.Request) {
	ch, adapter, err := s.hookChannel(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r = r.WithContext(channel.WithRequestURL(r.Context(), s.requestURL(r)))
	limit := s.d.Limits.MaxBodyBytes
	if bl, ok := adapter.(channel.BodyLimiter); ok {
		limit = bl.MaxBodyBytes()
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.metrics.hook(ch, "too_large")
		s.fail(w, r, err)
		return
	}
	if err := adapter.Verify(ch, r, body); err != nil {
		s.metrics.hook(ch, "bad_signature")
		s.fail(w, r, err)
		return
	}
	items, err := adapter.Receive(r.Context(), ch, r, body)
	if err != nil {
		var pe *channel.PayloadError
		if errors.As(err, &pe) {
			s.metrics.hook(ch, "bad_payload")
			s.fail(w, r, err)
			return
		}
		// Not the provider's body but something the adapter could not finish just now (a
		// photo the provider would not hand over yet). Nothing is stored, and a non-2xx makes
		// the provider deliver again, when it may work.
		s.metrics.hook(ch, "unavailable")
		s.d.Log.Warn("webhook not completed; the provider will deliver it again", "request_id", requestID(r.Context()), "channel", ch.Name, "err", err)
		w.Header().Set("Retry-After", "30")
		writeJSONError(w, http.StatusServiceUnavailable, "unavailable", "the delivery could not be completed now; deliver it again later")
		return
	}
	results, err := s.d.Ingester.Ingest(r.Context(), ch, items)
	if err != nil {
		s.metrics.hook(ch, "error")
		s.fail(w, r, err)
		return
	}
	// Committed. From here on, acknowledging is safe.
	resp := hookResponse{Results: results}
	for _, res := range results {
		if res.Duplicate {
			resp.Duplicates++
		} else {
			resp.Accepted++
		}
	}
	s.metrics.ingested(ch, resp.Accepted, resp.Duplicates)
	if an, ok := adapter.(channel.Answerer); ok {
		if err := an.Answer(r.Context(), w, r, ch, body, items, results); err != nil {
			s.d.Log.Error("answer", "channel", ch.Name, "err", err)
		}
		return
	}
	if ack, ok := adapter.(channel.Acknowledger); ok {
		if err := ack.Ack(w, ch, items, results); err != nil {
			s.d.Log.Error("acknowledge", "channel", ch.Name, "err", err)
		}
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) challengeHook(w http.ResponseWriter, r *http.Request) {
	ch, adapter, err := s.hookChannel(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, ok := adapter.(Challenger)
	if !ok {
		writeJSONError(w, http.StatusMethodNotAllowed, "method_not_allowed", "this channel takes POST only")
		return
	}
	if err := c.Challenge(w, r, ch); err != nil {
		s.fail(w, r, err)
	}
}

// hookChannel finds the channel named in the URL. A disabled channel, or one of another kind
// than the URL says, is not found: the answer does not reveal which channels exist.
func (s *Server) hookChannel(r *http.Request) (channel.Channel, channel.Adapter, error) {
	ch, err := s.d.Channels.ByName(r.Context(), r.PathValue("channel"))
	if err != nil {
		return ch, nil, err
	}
	if !ch.Enabled || string(ch.Kind) != r.PathValue("kind") {
		return ch, nil, channel.ErrNotFound
	}
	adapter, ok := s.d.Registry.Get(ch.Kind)
	if !ok {
		return ch, nil, channel.ErrNotFound
	}
	return ch, adapter, nil
}

// requestURL is the URL the provider called: the configured public URL with this request's
// path and query, or the request's own when no public URL is set.
func (s *Server) requestURL(r *http.Request) string {
	if s.d.PublicURL == "" {
		return channel.RequestURL(r)
	}
	return strings.TrimSuffix(s.d.PublicURL, "/") + r.URL.RequestURI()
}
