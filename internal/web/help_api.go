package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/gesher-cs/gesher/internal/helpcenter"
)

// The help centre's API: articles for the console (agents read, admins edit), the lay map,
// and the failed-search report.

type articleView = helpcenter.Article

type articleInput = helpcenter.Input

type revisionView = helpcenter.Revision

type layPhraseView = helpcenter.LayPhrase

type failedSearchView = helpcenter.FailedSearch

type importView = helpcenter.ImportResult

// articleSearchView is an agent's search: every hit with its score, internal articles too.
type articleSearchView struct {
	Query string           `json:"query"`
	Hits  []helpcenter.Hit `json:"hits"`
}

// helpFail maps the help centre's errors; anything else goes to fail.
func (s *Server) helpFail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		ve *helpcenter.ValidationError
		le *helpcenter.LineError
	)
	var e apiError
	status := 0
	switch {
	case errors.As(err, &le):
		status, e.Error.Code, e.Error.Message = http.StatusBadRequest, "bad_line", le.Error()
		if errors.As(le.Err, &ve) {
			e.Error.Field = ve.Field
		}
	case errors.As(err, &ve):
		status, e.Error.Code, e.Error.Message, e.Error.Field = http.StatusUnprocessableEntity, "invalid", ve.Error(), ve.Field
	case errors.Is(err, helpcenter.ErrNotFound), errors.Is(err, helpcenter.ErrUnknownSearch):
		status, e.Error.Code, e.Error.Message = http.StatusNotFound, "not_found", err.Error()
	case errors.Is(err, helpcenter.ErrConflict):
		status, e.Error.Code, e.Error.Message, e.Error.Field = http.StatusConflict, "stale_revision", err.Error(), "revision"
	case errors.Is(err, helpcenter.ErrVariantExists):
		status, e.Error.Code, e.Error.Message, e.Error.Field = http.StatusConflict, "variant_exists", err.Error(), "lang"
	default:
		s.fail(w, r, err)
		return
	}
	e.Error.RequestID = requestID(r.Context())
	writeJSON(w, status, e)
}

func (s *Server) listArticles(w http.ResponseWriter, r *http.Request) {
	limit, err := queryInt(r, "limit", 100, 500)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	list, err := s.d.Help.List(r.Context(), helpcenter.ListFilter{Lang: q.Get("lang"), Status: helpcenter.Status(q.Get("status")),
		Category: q.Get("category"), After: q.Get("after"), Limit: limit})
	if err != nil {
		s.helpFail(w, r, err)
		return
	}
	if list == nil {
		list = []helpcenter.Article{}
	}
	writeJSON(w, http.StatusOK, listOf[articleView]{Items: list})
}

func (s *Server) getArticle(w http.ResponseWriter, r *http.Request) {
	a, err := s.d.Help.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.helpFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) createArticle(w http.ResponseWriter, r *http.Request) {
	var in articleInput
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.d.Help.Create(r.Context(), actorOf(r), in)
	if err != nil {
		s.helpFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a)
}

func (s *Server) updateArticle(w http.ResponseWriter, r *http.Request) {
	var in articleInput
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.d.Help.Update(r.Context(), actorOf(r), r.PathValue("id"), in)
	if err != nil {
		s.helpFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) deleteArticle(w http.ResponseWriter, r *http.Request) {
	if err := s.d.Help.Delete(r.Context(), actorOf(r), r.PathValue("id")); err != nil {
		s.helpFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) articleRevisions(w http.ResponseWriter, r *http.Request) {
	revs, err := s.d.Help.Revisions(r.Context(), r.PathValue("id"))
	if err != nil {
		s.helpFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listOf[revisionView]{Items: revs})
}

func (s *Server) searchArticles(w http.ResponseWriter, r *http.Request) {
	limit, err := queryInt(r, "limit", 10, 50)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	res, err := s.d.Help.Search(r.Context(), helpcenter.SearchRequest{Text: q.Get("q"), Lang: q.Get("lang"), Internal: true, Limit: limit})
	if err != nil {
		s.helpFail(w, r, err)
		return
	}
	if res.Hits == nil {
		res.Hits = []helpcenter.Hit{}
	}
	writeJSON(w, http.StatusOK, articleSearchView{Query: res.Query, Hits: res.Hits})
}

func (s *Server) importArticles(w http.ResponseWriter, r *http.Request) {
	// Imports are larger than other bodies: a help centre of a few thousand articles.
	r.Body = http.MaxBytesReader(w, r.Body, 64<<20)
	res, err := s.d.Help.Import(r.Context(), actorOf(r), r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		s.fail(w, r, mbe)
		return
	}
	if err != nil {
		s.helpFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) exportArticles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="articles.jsonl"`)
	if err := s.d.Help.Export(r.Context(), w, helpcenter.ListFilter{Lang: q.Get("lang"), Status: helpcenter.Status(q.Get("status"))}); err != nil {
		s.d.Log.Error("help: export", "err", err, "request_id", requestID(r.Context()))
	}
}

func (s *Server) listLayPhrases(w http.ResponseWriter, r *http.Request) {
	ps, err := s.d.Help.LayPhrases(r.Context())
	if err != nil {
		s.helpFail(w, r, err)
		return
	}
	if ps == nil {
		ps = []helpcenter.LayPhrase{}
	}
	writeJSON(w, http.StatusOK, listOf[layPhraseView]{Items: ps})
}

func (s *Server) putLayPhrase(w http.ResponseWriter, r *http.Request) {
	var p layPhraseView
	if err := s.decode(w, r, &p); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.d.Help.PutLayPhrase(r.Context(), actorOf(r), p)
	if err != nil {
		s.helpFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) deleteLayPhrase(w http.ResponseWriter, r *http.Request) {
	if err := s.d.Help.DeleteLayPhrase(r.Context(), actorOf(r), r.PathValue("id")); err != nil {
		s.helpFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) failedSearches(w http.ResponseWriter, r *http.Request) {
	// Until is exclusive; by default the report includes this very moment.
	until := s.d.Clock.Now().Add(time.Millisecond)
	since := until.Add(-30 * 24 * time.Hour)
	for name, t := range map[string]*time.Time{"since": &since, "until": &until} {
		if v := r.URL.Query().Get(name); v != "" {
			parsed, err := time.Parse(time.RFC3339, v)
			if err != nil {
				s.fail(w, r, &badRequest{field: name, msg: name + " must be an RFC 3339 time"})
				return
			}
			*t = parsed
		}
	}
	limit, err := queryInt(r, "limit", 100, 1000)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := s.d.Help.FailedSearches(r.Context(), since, until, limit)
	if err != nil {
		s.helpFail(w, r, err)
		return
	}
	if rep == nil {
		rep = []helpcenter.FailedSearch{}
	}
	w.Header().Set("X-Report-Window", since.UTC().Format(time.RFC3339)+"/"+until.UTC().Format(time.RFC3339))
	writeJSON(w, http.StatusOK, listOf[failedSearchView]{Items: rep})
}
