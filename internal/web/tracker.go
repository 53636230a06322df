package web

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gesher-cs/gesher/internal/i18n"
	"github.com/gesher-cs/gesher/internal/selfservice"
)

// trackerFiles holds the status tracker's templates. They render inside the help centre's
// layout, with its catalogs, style sheet and strict CSP: one customer-page machinery.
//
//go:embed templates/tracker
var trackerFiles embed.FS

// trackerPages serves /s/{token}: the status of a customer's case, rendered on the server,
// complete without JavaScript, in the customer's language.
type trackerPages struct {
	s     *Server
	help  *helpPages
	pages map[string]*template.Template
	// limit caps tracker requests per client address: every view is an event, and a token
	// guessed at a high rate should cost the guesser, not the database.
	limit *ipLimiter
}

func newTrackerPages(s *Server, help *helpPages) *trackerPages {
	t := &trackerPages{s: s, help: help, pages: map[string]*template.Template{}}
	t.limit = newIPLimiter(s.d.Limits.HelpWritesPerIP, s.d.Limits.HelpWritesBurst, s.d.Clock)
	for _, name := range []string{"case", "notfound"} {
		tpl := template.Must(template.New("layout").ParseFS(helpFiles, "templates/help/layout.html"))
		t.pages[name] = template.Must(tpl.ParseFS(trackerFiles, "templates/tracker/"+name+".html"))
	}
	return t
}

// trackerPage is what the tracker's templates get. T reads the shared catalogs first (the
// tracker's own texts), then the help centre's (the layout's).
type trackerPage struct {
	Lang, Dir string
	CSS, JS   string
	Languages []langLink
	Query     string
	Display   displayView
	main      *i18n.Catalog
	helpCat   *i18n.Catalog

	Service       string
	Ref           string
	Current       string
	Done          bool
	WaitingForYou bool
	Owes          string
	Expected      string
	FinishOn      string
	FinishMessage string
	Stages        []trackerStage
	// Assist is the chat widget's tag on a flow's pages (proactive help); the tracker has none.
	Assist *assistTag
}

// T returns the page language's text for key.
func (p *trackerPage) T(key string, vars ...string) string {
	if _, ok := p.main.Message(key); ok {
		return p.main.T(key, vars...)
	}
	return p.helpCat.T(key, vars...)
}

// TI is T with each value isolated in <bdi>: a reference or a date inside a right-to-left
// sentence keeps its own direction.
func (p *trackerPage) TI(key string, vars ...string) template.HTML {
	if _, ok := p.main.Message(key); ok {
		return isolate(p.main, key, vars...)
	}
	return isolate(p.helpCat, key, vars...)
}

// displayPage is a page whose layout shows the display switches; renderWith fills them in
// for a page that did not, so every page on the help centre's layout has them.
type displayPage interface{ displayOf() *displayView }

func (p *trackerPage) displayOf() *displayView { return &p.Display }

type trackerStage struct {
	Name, Detail string
	Current      bool
}

// catalogs returns the tracker's language: ?lang= (the switch), else the first of prefer (the
// customer's profile), else the browser's Accept-Language — in the customer languages both
// the main and the layout's catalogs have.
func (t *trackerPages) catalogs(r *http.Request, prefer []string) (*i18n.Catalog, *i18n.Catalog) {
	main := t.s.d.SelfService.Catalogs()
	m := pickCatalog(main, r.URL.Query().Get("lang"), prefer, r.Header.Get("Accept-Language"))
	h, err := t.help.langs.Catalog(m.Lang)
	if err != nil {
		m, _ = main.Catalog("en")
		h, _ = t.help.langs.Catalog("en")
	}
	return m, h
}

// newPage fills what the layout shows. base is where the language switch points: the page's
// own path for a case, and only the query for the not-found page, whose body must be the same
// whatever token was asked for.
func (t *trackerPages) newPage(main, helpCat *i18n.Catalog, base string) *trackerPage {
	p := &trackerPage{Lang: main.Lang, Dir: string(main.Dir), main: main, helpCat: helpCat, CSS: t.help.staticURL("help.css"), JS: t.help.staticURL("help.js")}
	for _, l := range t.help.langs.Languages() {
		c, _ := t.help.langs.Catalog(l)
		p.Languages = append(p.Languages, langLink{Lang: l, Name: c.Name, URL: base + "?lang=" + l, Current: l == main.Lang})
	}
	return p
}

// show is GET /s/{token}.
func (t *trackerPages) show(w http.ResponseWriter, r *http.Request) {
	if ok, wait := t.limit.allow(clientIP(r)); !ok {
		main, helpCat := t.catalogs(r, nil)
		w.Header().Set("Retry-After", itoa(max(int(wait.Seconds()+0.999), 1)))
		http.Error(w, (&trackerPage{main: main, helpCat: helpCat}).T("tracker.rate_limited"), http.StatusTooManyRequests)
		return
	}
	ctx := r.Context()
	desk := t.s.d.SelfService
	c, svc, err := desk.Track(ctx, r.PathValue("token"))
	if errors.Is(err, selfservice.ErrNotFound) {
		main, helpCat := t.catalogs(r, nil)
		p := t.newPage(main, helpCat, "")
		// The same body whatever token was asked for: the switches come back to the help centre.
		p.Display = newDisplayView(r, displayOf(r), "/display")
		p.Display.Back = "/help?lang=" + main.Lang
		t.render(w, r, http.StatusNotFound, "notfound", p)
		return
	}
	if err != nil {
		t.help.fail(w, r, err)
		return
	}
	// The customer's own language, not the browser's: the link is opened on whatever phone
	// is at hand (a grandchild's, a kiosk's), and the switch is there for the rest.
	// The display modes are the visitor's and the customer's profile's together: large text
	// asked for once is there on the next link, on any phone.
	var prefer []string
	modes := displayOf(r)
	if cust, err := t.s.d.Customers.Get(ctx, c.CustomerID); err == nil {
		prefer = cust.Languages
		modes = modes.withProfile(cust.Profile)
	}
	main, helpCat := t.catalogs(r, prefer)
	p := t.newPage(main, helpCat, r.URL.Path)
	p.Display = newDisplayView(r, modes, "/s/"+url.PathEscape(r.PathValue("token"))+"/display")
	lang := main.Lang
	p.Service, p.Ref = selfservice.Text(svc.Name, lang), c.Ref
	timeline, next := desk.Timeline(c, svc)
	for _, st := range timeline {
		ts := trackerStage{Name: desk.StageName(st.Stage, lang), Current: st.State == selfservice.StateCurrent}
		ts.Detail = p.T("tracker.state." + st.State)
		if st.At != nil {
			key := "tracker.on"
			if ts.Current {
				key = "tracker.since"
			}
			ts.Detail += ", " + p.T(key, "date", t.date(main, *st.At))
		}
		if ts.Current {
			p.Current = ts.Name
			p.WaitingForYou = st.Stage.Who == selfservice.WhoCustomer
			p.Owes = selfservice.Text(st.Stage.Owes, lang)
		}
		p.Stages = append(p.Stages, ts)
	}
	p.Done = c.ClosedAt != nil
	if !next.IsZero() && !p.Done {
		p.Expected = t.date(main, next)
	}
	if c.Limit != nil && !p.Done {
		p.FinishOn, p.FinishMessage = p.T("way."+string(c.Limit.Then)), selfservice.Text(c.Limit.Message, lang)
	}
	// A view that cannot be recorded still shows the page: the customer's answer matters
	// more than the count.
	if err := desk.Viewed(ctx, c, lang); err != nil {
		t.s.d.Log.Warn("tracker: record view", "err", err, "request_id", requestID(ctx))
	}
	// Whoever holds the link proved they are the case's customer: the help centre knows them.
	if err := t.help.signIn(ctx, w, c.CustomerID); err != nil {
		t.s.d.Log.Warn("tracker: sign in", "err", err, "request_id", requestID(ctx))
	}
	t.render(w, r, http.StatusOK, "case", p)
}

// date is t as the customer reads a date in their language, in the desk's time zone.
func (t *trackerPages) date(cat *i18n.Catalog, tm time.Time) string {
	tm = tm.In(t.s.d.SelfService.Location())
	return cat.T("tracker.date", "day", strconv.Itoa(tm.Day()), "month", cat.T("date.month."+strconv.Itoa(int(tm.Month()))), "year", strconv.Itoa(tm.Year()))
}

func (t *trackerPages) render(w http.ResponseWriter, r *http.Request, status int, name string, p *trackerPage) {
	t.renderWith(w, r, status, t.pages[name], p, p.Lang)
}

// renderWith writes a page through a buffer, so a template error is a clean 500.
func (t *trackerPages) renderWith(w http.ResponseWriter, r *http.Request, status int, tpl *template.Template, p any, lang string) {
	if d, ok := p.(displayPage); ok && d.displayOf().Action == "" {
		*d.displayOf() = newDisplayView(r, displayOf(r), "/display")
	}
	var buf bytes.Buffer
	if err := tpl.ExecuteTemplate(&buf, "layout", p); err != nil {
		t.help.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Language", lang)
	// A tracker link is the customer's key to the case, a flow their answers: search engines
	// must keep neither.
	hd.Set("X-Robots-Tag", "noindex, nofollow")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
