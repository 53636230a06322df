package web

import (
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gesher-cs/gesher/internal/assist"
	"github.com/gesher-cs/gesher/internal/selfservice"
)

// flowFiles holds the guided flows' templates; like the tracker's, they render inside the
// help centre's layout.
//
//go:embed templates/flow
var flowFiles embed.FS

// FlowCookie holds a guided flow in progress: the sealed draft, scoped to the flow's path.
const FlowCookie = "gesher_flow"

// flowPages serves /f/{service}: a service's guided flow as a server-side form, one step per
// page, back and next, complete without JavaScript. What the customer tells the service
// before they start — its ways and limits — is the first page.
type flowPages struct {
	t     *trackerPages
	pages map[string]*template.Template
}

func newFlowPages(t *trackerPages) *flowPages {
	f := &flowPages{t: t, pages: map[string]*template.Template{}}
	for _, name := range []string{"start", "step", "stopped", "done", "notfound"} {
		tpl := template.Must(template.New("layout").ParseFS(helpFiles, "templates/help/layout.html"))
		f.pages[name] = template.Must(tpl.ParseFS(flowFiles, "templates/flow/"+name+".html"))
	}
	return f
}

type flowPage struct {
	*trackerPage
	Description string
	Action      string
	Ways        []string
	Limits      []string
	WebOK       bool
	Note        string

	N, Total     string
	Kind         string
	Label, Help  string
	Number       bool
	Autocomplete string
	Value, Error string
	Options      []flowOption
	Review       []flowReview
	CanBack      bool

	TrackerURL, TrackerLink string

	stepID string // the step shown, for the widget's page token
}

type flowOption struct {
	ID, Value, Label string
	Checked          bool
}

type flowReview struct{ Label, Value string }

func (f *flowPages) page(r *http.Request, svc selfservice.Service) *flowPage {
	main, helpCat := f.t.catalogs(r, nil)
	lang := main.Lang
	p := &flowPage{trackerPage: f.t.newPage(main, helpCat, "/f/"+url.PathEscape(svc.ID)), Action: "/f/" + url.PathEscape(svc.ID) + "?lang=" + url.QueryEscape(lang)}
	p.Display = newDisplayView(r, displayOf(r), "/display")
	if r.Method == http.MethodPost {
		// After a refused answer the page is the POST's; the switch must come back to the flow.
		p.Display.Back = p.Action
	}
	p.Service, p.Description = selfservice.Text(svc.Name, lang), selfservice.Text(svc.Description, lang)
	for _, w := range svc.Channels {
		p.Ways = append(p.Ways, p.T("way."+string(w)))
		if w == selfservice.Web {
			p.WebOK = len(svc.Flow) > 0
		}
	}
	for _, l := range svc.Limits {
		p.Limits = append(p.Limits, selfservice.Text(l.Message, lang))
	}
	return p
}

func (f *flowPages) service(w http.ResponseWriter, r *http.Request) (selfservice.Service, bool) {
	svc, err := f.t.s.d.SelfService.GetService(r.Context(), r.PathValue("service"))
	if errors.Is(err, selfservice.ErrNotFound) {
		main, helpCat := f.t.catalogs(r, nil)
		f.render(w, r, http.StatusNotFound, "notfound", &flowPage{trackerPage: f.t.newPage(main, helpCat, "")})
		return svc, false
	}
	if err != nil {
		f.t.help.fail(w, r, err)
		return svc, false
	}
	return svc, true
}

// show is GET /f/{service}: the flow's first page, or the step the customer's draft is at.
func (f *flowPages) show(w http.ResponseWriter, r *http.Request) {
	svc, ok := f.service(w, r)
	if !ok {
		return
	}
	p := f.page(r, svc)
	// A flow in progress resumes where it was, so a language switch or a reload mid-flow
	// loses nothing.
	if dr, ok := f.draft(r, svc); ok && p.WebOK && dr.Pos <= len(svc.Flow) {
		f.step(p, svc, dr, "", "")
		f.render(w, r, http.StatusOK, "step", p)
		return
	}
	f.render(w, r, http.StatusOK, "start", p)
}

// draft reads the customer's flow in progress from its cookie.
func (f *flowPages) draft(r *http.Request, svc selfservice.Service) (selfservice.Draft, bool) {
	c, err := r.Cookie(FlowCookie)
	if err != nil {
		return selfservice.Draft{}, false
	}
	dr, err := f.t.s.d.SelfService.OpenDraft(r.Context(), c.Value, svc.ID)
	return dr, err == nil
}

func (f *flowPages) keep(w http.ResponseWriter, r *http.Request, svc selfservice.Service, dr selfservice.Draft) error {
	sealed, err := f.t.s.d.SelfService.SealDraft(r.Context(), dr)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: FlowCookie, Value: sealed, Path: "/f/" + svc.ID, MaxAge: int(selfservice.DraftTTL.Seconds()),
		HttpOnly: true, Secure: f.t.s.secureCookie, SameSite: http.SameSiteLaxMode})
	return nil
}

func (f *flowPages) forget(w http.ResponseWriter, svc selfservice.Service) {
	http.SetCookie(w, &http.Cookie{Name: FlowCookie, Value: "", Path: "/f/" + svc.ID, MaxAge: -1, HttpOnly: true, Secure: f.t.s.secureCookie, SameSite: http.SameSiteLaxMode})
}

// step fills the page for the draft's position; value and problem are what the customer just
// sent, when it was refused. A refused answer is shown back as typed, so the customer corrects
// it instead of typing it again.
func (f *flowPages) step(p *flowPage, svc selfservice.Service, dr selfservice.Draft, value, problem string) {
	lang := p.Lang
	p.N, p.Total, p.CanBack = strconv.Itoa(dr.Pos+1), strconv.Itoa(len(svc.Flow)+1), dr.Pos > 0
	if problem != "" {
		p.Error = p.T(problem)
	}
	p.stepID = "contact"
	if dr.Pos > 0 {
		p.stepID = svc.Flow[dr.Pos-1].ID
	}
	if dr.Pos == 0 {
		p.Kind, p.Label, p.Autocomplete = string(selfservice.Question), p.T("flow.contact.label"), "on"
		p.Value = dr.Contact
		if problem != "" {
			p.Value = value
		}
		return
	}
	st := svc.Flow[dr.Pos-1]
	p.Kind, p.Label, p.Help, p.Number = string(st.Kind), selfservice.Text(st.Label, lang), selfservice.Text(st.Help, lang), st.Number
	// The simple-language question, where the author wrote one in this language, for a
	// customer who asked for simple language.
	if simple := st.Simple[lang]; simple != "" {
		p.Display.SimpleOffered = true
		if p.Display.Simple {
			p.Label = simple
		}
	}
	current := answerText(dr.Answers[st.ID])
	if problem != "" {
		current = value
	}
	p.Value = current
	extras(p, st, dr.Answers[st.ID] != nil)
	for i, o := range st.Options {
		p.Options = append(p.Options, flowOption{ID: "option-" + strconv.Itoa(i), Value: o.Value, Label: selfservice.Text(o.Label, lang), Checked: o.Value == current})
	}
	if st.Kind == selfservice.Confirm {
		p.Review = append(p.Review, flowReview{Label: p.T("flow.contact.label"), Value: dr.Contact})
		for _, q := range svc.Flow[:dr.Pos-1] {
			v := answerText(dr.Answers[q.ID])
			for _, o := range q.Options {
				if o.Value == v {
					v = selfservice.Text(o.Label, lang)
				}
			}
			v = reviewValue(p, q, v)
			p.Review = append(p.Review, flowReview{Label: selfservice.Text(q.Label, lang), Value: v})
		}
	}
}

func answerText(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	b, _ := v.(bool)
	return strconv.FormatBool(b)
}

// post is POST /f/{service}: start, next or back. Each answer is checked when it is given,
// and so are the service's limits: a limit that holds stops the flow at that step, opens the
// case with the answers so far, and tells the customer which way can finish it.
func (f *flowPages) post(w http.ResponseWriter, r *http.Request) {
	svc, ok := f.service(w, r)
	if !ok {
		return
	}
	if !f.parse(w, r) {
		return
	}
	p := f.page(r, svc)
	if !p.WebOK {
		f.render(w, r, http.StatusConflict, "start", p)
		return
	}
	again := "/f/" + url.PathEscape(svc.ID) + "?lang=" + url.QueryEscape(p.Lang)
	action := r.PostForm.Get("action")
	if action == "start" {
		if err := f.keep(w, r, svc, f.t.s.d.SelfService.NewDraft(svc.ID)); err != nil {
			f.t.help.fail(w, r, err)
			return
		}
		http.Redirect(w, r, again, http.StatusSeeOther)
		return
	}
	dr, ok := f.draft(r, svc)
	if !ok || dr.Pos > len(svc.Flow) || (action != "next" && action != "back") {
		f.forget(w, svc)
		p.Note = p.T("flow.expired")
		f.render(w, r, http.StatusOK, "start", p)
		return
	}
	if action == "back" {
		dr.Pos = max(dr.Pos-1, 0)
		if err := f.keep(w, r, svc, dr); err != nil {
			f.t.help.fail(w, r, err)
			return
		}
		http.Redirect(w, r, again, http.StatusSeeOther)
		return
	}
	// From here on: check the answer to the step the draft is at, keep it, and check the
	// limits with every answer so far — a limit whose field was just answered is decided
	// now, and the others stay unknown until their step.
	raw := r.PostForm.Get("a")
	refuse := func(problem string) {
		f.step(p, svc, dr, raw, problem)
		f.render(w, r, http.StatusUnprocessableEntity, "step", p)
	}
	var stoppedAt string
	finish := dr.Pos == len(svc.Flow)
	if dr.Pos == 0 {
		if _, _, problem := selfservice.CheckContact(raw); problem != "" {
			refuse(problem)
			return
		}
		dr.Contact = strings.TrimSpace(raw)
	} else {
		st := svc.Flow[dr.Pos-1]
		var problem string
		if raw, problem = f.special(w, r, svc, &dr, st, raw); problem != "" {
			refuse(problem)
			return
		}
		v, problem := selfservice.CheckAnswer(st, raw)
		if problem != "" {
			refuse(problem)
			return
		}
		if st.Kind != selfservice.Confirm {
			dr.Answers[st.ID] = v
		}
		hit, err := svc.Check(dr.Answers, selfservice.Web)
		var ve *selfservice.ValidationError
		if errors.As(err, &ve) {
			refuse(selfservice.ProblemNumber)
			return
		}
		if err != nil {
			f.t.help.fail(w, r, err)
			return
		}
		if hit != nil {
			stoppedAt, finish = st.ID, true
		}
	}
	if !finish {
		dr.Pos++
		if problem, err := f.arrive(r, svc, &dr); err != nil {
			f.t.help.fail(w, r, err)
			return
		} else if problem != "" {
			dr.Pos--
			refuse(problem)
			return
		}
		if err := f.keep(w, r, svc, dr); errors.Is(err, selfservice.ErrDraftTooLarge) {
			refuse(selfservice.ProblemRequired)
			return
		} else if err != nil {
			f.t.help.fail(w, r, err)
			return
		}
		http.Redirect(w, r, again, http.StatusSeeOther)
		return
	}
	// The last step, or a stop: the case is opened either way, so the answers are never lost;
	// the draft is forgotten, so sending the form again opens nothing twice.
	c, err := f.t.s.d.SelfService.FinishFlow(r.Context(), svc, dr, stoppedAt)
	if err != nil {
		f.t.help.fail(w, r, err)
		return
	}
	f.forget(w, svc)
	link, _, err := f.t.s.d.SelfService.TrackerURL(r.Context(), c, svc)
	if err != nil {
		f.t.help.fail(w, r, err)
		return
	}
	p.TrackerURL, p.Ref = link[strings.Index(link, "/s/"):], c.Ref
	p.TrackerLink = link
	if strings.HasPrefix(link, "/") {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		p.TrackerLink = scheme + "://" + r.Host + link
	}
	p.TrackerURL += "?lang=" + url.QueryEscape(p.Lang)
	if c.Limit != nil {
		p.FinishOn, p.FinishMessage = p.T("way."+string(c.Limit.Then)), selfservice.Text(c.Limit.Message, p.Lang)
		f.render(w, r, http.StatusOK, "stopped", p)
		return
	}
	f.render(w, r, http.StatusOK, "done", p)
}

func (f *flowPages) render(w http.ResponseWriter, r *http.Request, status int, name string, p *flowPage) {
	// The widget on a flow's pages reports the step, whether it refused the answer, and the
	// end: what proactive help knows of flows left half-way or answered wrong again and again.
	switch name {
	case "step":
		p.Assist = f.t.s.assistTag(r, assist.Page{Kind: assist.PageFlow, Ref: r.PathValue("service"), Step: p.stepID, Error: p.Error != ""})
	case "done", "stopped":
		p.Assist = f.t.s.assistTag(r, assist.Page{Kind: assist.PageFlow, Ref: r.PathValue("service"), Done: true})
	case "start":
		p.Assist = f.t.s.assistTag(r, assist.Page{Kind: assist.PageOther, Ref: "flow-start"})
	}
	f.t.renderWith(w, r, status, f.pages[name], p, p.Lang)
}
