package web

import (
	"net/http"
	"time"

	"github.com/gesher-cs/gesher/internal/coaching"
	"github.com/gesher-cs/gesher/internal/segment"
)

// Segments, personas' journeys, adoption, and digital coaching (docs/segments.md).

func (s *Server) listSegments(w http.ResponseWriter, r *http.Request) {
	out, err := s.d.Segments.List(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listOf[segment.Segment]{Items: out})
}

func (s *Server) getSegment(w http.ResponseWriter, r *http.Request) {
	sg, err := s.d.Segments.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sg)
}

func (s *Server) createSegment(w http.ResponseWriter, r *http.Request) {
	var in segment.Input
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	sg, err := s.d.Segments.Create(r.Context(), in, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, sg)
}

func (s *Server) updateSegment(w http.ResponseWriter, r *http.Request) {
	var in segment.Input
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	sg, err := s.d.Segments.Update(r.Context(), r.PathValue("id"), in, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sg)
}

func (s *Server) deleteSegment(w http.ResponseWriter, r *http.Request) {
	if err := s.d.Segments.Delete(r.Context(), r.PathValue("id"), actorOf(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) segmentMembers(w http.ResponseWriter, r *http.Request) {
	limit, err := queryInt(r, "limit", 100, 500)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.d.Segments.Members(r.Context(), r.PathValue("id"), r.URL.Query().Get("after"), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listOf[segment.Member]{Items: out})
}

func (s *Server) segmentAdoption(w http.ResponseWriter, r *http.Request) {
	a, err := s.d.Segments.Adoption(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// segmentJourney is the persona's journey over [from, to), the last 90 days by default.
func (s *Server) segmentJourney(w http.ResponseWriter, r *http.Request) {
	to := s.d.Clock.Now()
	from := to.Add(-90 * 24 * time.Hour)
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := r.URL.Query().Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				s.fail(w, r, &badRequest{field: p.name, msg: p.name + " is an RFC 3339 time"})
				return
			}
			*p.t = t
		}
	}
	rep, err := s.d.Journeys.Report(r.Context(), r.PathValue("id"), from, to)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// customerWithSegments is a customer as GET /api/v1/customers/{id} shows it: the segments
// they are in now (with each segment's phase), and their coaching stage, beside the profile.
type customerWithSegments struct {
	customerView
	Segments []segment.Membership `json:"segments"`
}

func (s *Server) listTutorials(w http.ResponseWriter, r *http.Request) {
	out, err := s.d.Coaching.Tutorials(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listOf[coaching.Tutorial]{Items: out})
}

type tutorialRequest struct {
	Title    string `json:"title"`
	Body     string `json:"body"`
	VideoURL string `json:"video_url,omitempty"`
}

func (s *Server) putTutorial(w http.ResponseWriter, r *http.Request) {
	var req tutorialRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := s.d.Coaching.PutTutorial(r.Context(), coaching.Tutorial{Task: r.PathValue("task"), Lang: r.PathValue("lang"), Title: req.Title, Body: req.Body, VideoURL: req.VideoURL}, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

type sendTutorialRequest struct {
	Task string `json:"task"`
}

func (s *Server) sendTutorial(w http.ResponseWriter, r *http.Request) {
	var req sendTutorialRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	sent, err := s.d.Coaching.SendTutorial(r.Context(), r.PathValue("id"), req.Task, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, sent)
}

type guidedSessionRequest struct {
	ServiceID string `json:"service_id"`
}

func (s *Server) startGuidedSession(w http.ResponseWriter, r *http.Request) {
	var req guidedSessionRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	ss, err := s.d.Coaching.StartSession(r.Context(), r.PathValue("id"), req.ServiceID, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, ss)
}

func (s *Server) listGuidedSessions(w http.ResponseWriter, r *http.Request) {
	out, err := s.d.Coaching.Sessions(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listOf[coaching.Session]{Items: out})
}

func (s *Server) coachingStages(w http.ResponseWriter, r *http.Request) {
	out, err := s.d.Coaching.Stages(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
