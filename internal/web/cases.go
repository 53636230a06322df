package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/selfservice"
)

// caseView is a case as the API shows it: with a tracker link issued now, which the agent
// can give the customer.
type caseView struct {
	selfservice.Case
	TrackerURL       string    `json:"tracker_url"`
	TrackerExpiresAt time.Time `json:"tracker_expires_at"`
	// NotifyOn is where the customer would be told of a move now, so the console can say so
	// before the agent confirms.
	NotifyOn selfservice.NoticeWay `json:"notify_on"`
	// Sent are the notifications of the history, by message id, as they stand now (queued,
	// sent, delivered, failed), so the agent sees whether the customer got each one.
	Sent map[string]sentNotice `json:"sent"`
}

// sentNotice is a stage notification's message now: its delivery status and words.
type sentNotice struct {
	ConversationID string `json:"conversation_id"`
	Status         string `json:"status"`
	StatusReason   string `json:"status_reason,omitempty"`
	Text           string `json:"text"`
}

// caseStageView is the answer to a stage change; Changed is false when the case was in that
// stage already (nothing was recorded or sent).
type caseStageView struct {
	caseView
	Changed bool `json:"changed"`
}

type stageRequest struct {
	Stage string `json:"stage"`
}

// view adds the tracker link. Behind no configured public URL, the link is made absolute
// from the request, so an API client always gets one it can open.
func (s *Server) caseView(r *http.Request, c selfservice.Case) (caseView, error) {
	svc, err := s.d.SelfService.GetService(r.Context(), c.ServiceID)
	if err != nil {
		return caseView{}, err
	}
	url, exp, err := s.d.SelfService.TrackerURL(r.Context(), c, svc)
	if err != nil {
		return caseView{}, err
	}
	if strings.HasPrefix(url, "/") {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		url = scheme + "://" + r.Host + url
	}
	way, err := s.d.SelfService.NextNotice(r.Context(), c.CustomerID)
	if err != nil {
		return caseView{}, err
	}
	sent := map[string]sentNotice{}
	for _, h := range c.History {
		if h.Notice.MessageID == "" {
			continue
		}
		m, err := s.d.Conversations.Message(r.Context(), h.Notice.MessageID)
		if err != nil {
			return caseView{}, err
		}
		sent[m.ID] = sentNotice{ConversationID: m.ConversationID, Status: m.Status, StatusReason: m.StatusReason, Text: m.Text}
	}
	return caseView{Case: c, TrackerURL: url, TrackerExpiresAt: exp, NotifyOn: way, Sent: sent}, nil
}

func (s *Server) writeCase(w http.ResponseWriter, r *http.Request, status int, c selfservice.Case) {
	v, err := s.caseView(r, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

// createCase opens a case for a customer; the answer carries its tracker link.
func (s *Server) createCase(w http.ResponseWriter, r *http.Request) {
	var in selfservice.CaseInput
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.d.SelfService.OpenCase(r.Context(), in, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeCase(w, r, http.StatusCreated, c)
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request) {
	c, err := s.d.SelfService.Case(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeCase(w, r, http.StatusOK, c)
}

func (s *Server) listCases(w http.ResponseWriter, r *http.Request) {
	limit, err := queryInt(r, "limit", 50, 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.d.SelfService.Cases(r.Context(), r.URL.Query().Get("customer"), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := listOf[caseView]{Items: []caseView{}}
	for _, c := range list {
		v, err := s.caseView(r, c)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out.Items = append(out.Items, v)
	}
	writeJSON(w, http.StatusOK, out)
}

// setCaseStage moves a case; the customer is told on their fitting channel, once.
func (s *Server) setCaseStage(w http.ResponseWriter, r *http.Request) {
	var req stageRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	c, changed, err := s.d.SelfService.SetStage(r.Context(), r.PathValue("id"), req.Stage, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.caseView(r, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, caseStageView{caseView: v, Changed: changed})
}
