package web

import (
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gesher-cs/gesher/internal/i18n"
	"github.com/gesher-cs/gesher/internal/survey"
)

// surveyFiles holds the templates of the page an emailed survey's link opens; like the
// tracker's, they render inside the help centre's layout, with its catalogs, style sheet and
// strict CSP.
//
//go:embed templates/survey
var surveyFiles embed.FS

// surveyPages serves /r/{token}: a satisfaction survey answered in a browser. Opening the
// link never records anything — mail scanners and link previews open links no one clicked —
// only the form's POST does.
type surveyPages struct {
	t     *trackerPages
	pages map[string]*template.Template
}

func newSurveyPages(t *trackerPages) *surveyPages {
	p := &surveyPages{t: t, pages: map[string]*template.Template{}}
	for _, name := range []string{"ask", "done", "notfound"} {
		tpl := template.Must(template.New("layout").ParseFS(helpFiles, "templates/help/layout.html"))
		p.pages[name] = template.Must(tpl.ParseFS(surveyFiles, "templates/survey/"+name+".html"))
	}
	return p
}

type surveyPage struct {
	*trackerPage
	Action  string // the form's target, the page's language kept
	Kind    string // csat or nps
	Scores  []surveyScore
	Comment string
	Invalid bool // the form came back without an answer
	Score   string
	Done    string // answered or opted-out, on the done page
}

type surveyScore struct {
	Value, Label string
	Checked      bool
}

// show is GET /r/{token}: the question while the survey waits for its answer, what became of
// it after.
func (p *surveyPages) show(w http.ResponseWriter, r *http.Request) {
	if !p.allowed(w, r) {
		return
	}
	sv, err := p.t.s.d.Surveys.ByLink(r.Context(), r.PathValue("token"))
	if errors.Is(err, survey.ErrNotFound) {
		p.notFound(w, r)
		return
	}
	if err != nil {
		p.t.help.fail(w, r, err)
		return
	}
	if sv.State != "pending" {
		p.render(w, r, http.StatusOK, "done", p.page(r, sv))
		return
	}
	p.render(w, r, http.StatusOK, "ask", p.page(r, sv))
}

// post is POST /r/{token}: the answer (score and comment) or the opt-out (optout=1). A form
// without a score comes back with the comment kept and the reason said; an answer lands on
// the thank-you page by redirect, so reloading it sends nothing twice.
func (p *surveyPages) post(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tok := r.PathValue("token")
	sv, err := p.t.s.d.Surveys.ByLink(ctx, tok)
	if errors.Is(err, survey.ErrNotFound) {
		p.notFound(w, r)
		return
	}
	if err != nil {
		p.t.help.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	var a survey.Answer
	if r.PostForm.Get("optout") != "" {
		a.OptOut = true
	} else {
		lo, hi := sv.Kind.Range()
		n, err := strconv.Atoi(r.PostForm.Get("score"))
		if err != nil || n < lo || n > hi {
			pg := p.page(r, sv)
			pg.Invalid, pg.Comment = true, r.PostForm.Get("comment")
			p.render(w, r, http.StatusUnprocessableEntity, "ask", pg)
			return
		}
		a.Score, a.Comment = n, r.PostForm.Get("comment")
	}
	_, err = p.t.s.d.Surveys.AnswerByLink(ctx, tok, a)
	switch {
	case errors.Is(err, survey.ErrNotFound):
		p.notFound(w, r)
		return
	case errors.Is(err, survey.ErrClosed):
		// Answered meanwhile (a second tab, a reply to the email): the first answer stands,
		// and the page says what it was.
	case err != nil:
		p.t.help.fail(w, r, err)
		return
	}
	back := "/r/" + url.PathEscape(tok)
	if l := r.URL.Query().Get("lang"); l != "" {
		back += "?lang=" + url.QueryEscape(l)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// allowed applies the tracker's per-address limit: a token guessed at a high rate should cost
// the guesser, not the database.
func (p *surveyPages) allowed(w http.ResponseWriter, r *http.Request) bool {
	ok, wait := p.t.limit.allow(clientIP(r))
	if !ok {
		main, helpCat := p.t.catalogs(r, nil)
		w.Header().Set("Retry-After", itoa(max(int(wait.Seconds()+0.999), 1)))
		http.Error(w, (&trackerPage{main: main, helpCat: helpCat}).T("survey.page.rate_limited"), http.StatusTooManyRequests)
	}
	return ok
}

// notFound is the same page for every token that opens no survey, so a guesser learns nothing.
func (p *surveyPages) notFound(w http.ResponseWriter, r *http.Request) {
	main, helpCat := p.t.catalogs(r, nil)
	pg := p.t.newPage(main, helpCat, "")
	// The switches come back to the help centre, not to the token asked for.
	pg.Display = newDisplayView(r, displayOf(r), "/display")
	pg.Display.Back = "/help?lang=" + main.Lang
	p.render(w, r, http.StatusNotFound, "notfound", &surveyPage{trackerPage: pg})
}

// page fills the survey's page in its language: ?lang= (the switch), else the one it was
// asked in; the display modes are the visitor's and the customer's profile's together.
func (p *surveyPages) page(r *http.Request, sv survey.Survey) *surveyPage {
	main, helpCat := p.t.catalogs(r, []string{sv.Lang})
	self := "/r/" + url.PathEscape(r.PathValue("token"))
	pg := &surveyPage{trackerPage: p.t.newPage(main, helpCat, self), Action: self + "?lang=" + main.Lang, Kind: string(sv.Kind)}
	modes := displayOf(r)
	if cust, err := p.t.s.d.Customers.Get(r.Context(), sv.CustomerID); err == nil {
		modes = modes.withProfile(cust.Profile)
	}
	pg.Display = newDisplayView(r, modes, "/display")
	lo, hi := sv.Kind.Range()
	checked := r.PostForm.Get("score")
	for n := lo; n <= hi; n++ {
		pg.Scores = append(pg.Scores, surveyScore{Value: strconv.Itoa(n), Label: scoreLabel(main, sv.Kind, n), Checked: checked == strconv.Itoa(n)})
	}
	pg.Done = sv.State
	if sv.Score != nil {
		pg.Score = scoreLabel(main, sv.Kind, *sv.Score)
	}
	return pg
}

// scoreLabel is a score as the page shows it: "4 – Good" on the CSAT scale, the number alone
// on NPS's, whose ends the page explains.
func scoreLabel(cat *i18n.Catalog, k survey.Kind, n int) string {
	if k != survey.CSAT {
		return strconv.Itoa(n)
	}
	return strings.Join([]string{strconv.Itoa(n), cat.T("survey.choice." + strconv.Itoa(n))}, " – ")
}

func (p *surveyPages) render(w http.ResponseWriter, r *http.Request, status int, name string, pg *surveyPage) {
	p.t.renderWith(w, r, status, p.pages[name], pg, pg.Lang)
}
