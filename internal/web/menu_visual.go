package web

import (
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gesher-cs/gesher/internal/helpcenter"
	"github.com/gesher-cs/gesher/internal/i18n"
	"github.com/gesher-cs/gesher/internal/ivr"
	"github.com/gesher-cs/gesher/internal/selfservice"
)

// menuFiles holds the visual menu's templates; like the tracker's, they render inside the
// help centre's layout, with its catalogs, style sheet and strict CSP.
//
//go:embed templates/menu
var menuFiles embed.FS

// menuPages serves /m/{token}: the phone menu on the caller's screen, sent by SMS during the
// call. The call stays in line while it is used; the page shows the place, and offers a
// callback instead of waiting, or "done" when the caller served themself.
type menuPages struct {
	t     *trackerPages
	pages map[string]*template.Template
}

func newMenuPages(t *trackerPages) *menuPages {
	m := &menuPages{t: t, pages: map[string]*template.Template{}}
	for _, name := range []string{"node", "notfound"} {
		tpl := template.Must(template.New("layout").ParseFS(helpFiles, "templates/help/layout.html"))
		m.pages[name] = template.Must(tpl.ParseFS(menuFiles, "templates/menu/"+name+".html"))
	}
	return m
}

type menuPage struct {
	*trackerPage
	Action, Self string // the form's target; this page's own URL (language kept)
	Node         string
	Title        string
	Prompt       string
	Picture      string
	Options      []menuLink
	AtStart      bool
	StartURL     string
	Kind         string // the node's action

	State    string
	Position string
	Phone    string
	Notice   string

	ArticleTitle string
	ArticleBody  template.HTML
	Cases        []menuCase
	Lookup       *menuCase // a case found by reference and check
	LookupTried  bool
	LookupRef    string
	FlowURL      string
	FlowName     string

	Cities   []menuCity
	City     string
	Branches []ivr.Branch
	Located  bool
}

// menuNotices are what a visual-menu action can report on the page it returns to.
var menuNotices = map[string]bool{"callback": true, "done": true, "not-waiting": true, "no-number": true, "failed": true, "whatsapp-sent": true, "whatsapp-unfit": true}

type menuLink struct{ Label, URL string }

type menuCase struct{ Service, Stage, Ref, URL string }

type menuCity struct {
	Name     string
	Selected bool
}

// show is GET /m/{token}.
func (m *menuPages) show(w http.ResponseWriter, r *http.Request) {
	t := m.t
	if ok, wait := t.limit.allow(clientIP(r)); !ok {
		main, helpCat := t.catalogs(r, nil)
		w.Header().Set("Retry-After", itoa(max(int(wait.Seconds()+0.999), 1)))
		http.Error(w, (&trackerPage{main: main, helpCat: helpCat}).T("tracker.rate_limited"), http.StatusTooManyRequests)
		return
	}
	ctx := r.Context()
	menus := t.s.d.Menus
	v, err := menus.Open(ctx, r.PathValue("token"))
	if errors.Is(err, ivr.ErrNotFound) {
		main, helpCat := t.catalogs(r, nil)
		p := t.newPage(main, helpCat, "")
		t.renderWith(w, r, http.StatusNotFound, m.pages["notfound"], p, p.Lang)
		return
	}
	if err != nil {
		t.help.fail(w, r, err)
		return
	}
	main, helpCat := m.catalogs(r, v)
	lang := main.Lang
	q := r.URL.Query()
	self := "/m/" + url.PathEscape(r.PathValue("token"))
	p := &menuPage{trackerPage: t.newPage(main, helpCat, self), Self: self + "?lang=" + lang, Action: self + "?lang=" + lang}
	// The switch offers the menu's languages only (the phone's and the screen's): its prompts
	// and labels exist in those.
	var langs []langLink
	for _, l := range p.Languages {
		if slices.Contains(v.Tree.ScreenLanguages(), l.Lang) {
			langs = append(langs, l)
		}
	}
	p.Languages = langs
	// The menu's own script (the location button) instead of the help centre's: the page
	// has no article to read aloud, and a page carries one script under the CSP.
	p.JS = t.help.staticURL("menu.js")
	// An unknown node (an old link after the tree changed) is the start, not an error: the
	// caller is mid-call and needs a page.
	nodeID := q.Get("node")
	n, ok := v.Tree.Node(nodeID)
	if !ok {
		n, _ = v.Tree.Node(v.Tree.Start)
	}
	p.Node, p.AtStart = n.ID, n.ID == v.Tree.Start
	p.StartURL = self + "?lang=" + lang
	p.Title, p.Prompt, p.Picture = selfservice.Text(n.Title, lang), selfservice.Text(n.Prompt, lang), n.Picture
	for _, o := range n.Options {
		p.Options = append(p.Options, menuLink{Label: selfservice.Text(o.Label, lang), URL: self + "?lang=" + lang + "&node=" + url.QueryEscape(o.Next)})
	}
	if err := m.fill(r, v, n, lang, p); err != nil {
		t.help.fail(w, r, err)
		return
	}
	p.State, p.Phone = v.Call.State, v.Call.Caller
	if n := q.Get("done"); menuNotices[n] {
		p.Notice = n
	}
	if pos, err := menus.Position(ctx, v.Call); err == nil && pos > 0 {
		p.Position = strconv.Itoa(pos)
	}
	// A view that cannot be recorded still shows the page: the caller's help matters more
	// than the agent's hand-over notes.
	if err := menus.Viewed(ctx, v, n.ID, lang, nodeID == "" && p.Notice == ""); err != nil {
		t.s.d.Log.Warn("menu: record view", "err", err, "request_id", requestID(ctx))
	}
	t.renderWith(w, r, http.StatusOK, m.pages["node"], p, lang)
}

// catalogs picks the page's language among the menu's own (the phone's and the screen's):
// ?lang= when the menu has it, else the call's (the caller chose it on the phone a minute
// ago), else the menu's first. A customer page in a language the menu lacks would show its
// prompts in another anyway.
func (m *menuPages) catalogs(r *http.Request, v ivr.Visit) (*i18n.Catalog, *i18n.Catalog) {
	for _, l := range []string{r.URL.Query().Get("lang"), v.Call.Lang, v.Tree.Languages[0]} {
		if l == "" || !slices.Contains(v.Tree.ScreenLanguages(), l) {
			continue
		}
		main, err1 := m.t.s.d.SelfService.Catalogs().Catalog(l)
		help, err2 := m.t.help.langs.Catalog(l)
		if err1 == nil && err2 == nil {
			return main, help
		}
	}
	return m.t.catalogs(r, []string{v.Call.Lang})
}

// fill adds what a node's action shows: the article, the caller's cases, the flow's link,
// branches.
func (m *menuPages) fill(r *http.Request, v ivr.Visit, n ivr.Node, lang string, p *menuPage) error {
	ctx := r.Context()
	menus := m.t.s.d.Menus
	// The nearest branch is on every page: the city picked, or the one nearest the place the
	// browser shared (rounded by the page's script to about a kilometre).
	branches, err := menus.Branches(ctx)
	if err != nil {
		return err
	}
	city := r.URL.Query().Get("city")
	if pl, ok := ivr.ParsePlace(r.URL.Query().Get("near")); ok {
		if c, ok := ivr.NearestCity(branches, pl); ok {
			city, p.Located = c, true
		}
	}
	seen := map[string]bool{}
	for _, b := range branches {
		if !seen[b.City] {
			seen[b.City] = true
			p.Cities = append(p.Cities, menuCity{Name: b.City, Selected: b.City == city})
		}
		if b.City == city {
			p.Branches = append(p.Branches, b)
		}
	}
	if len(p.Branches) > 0 {
		p.City = city
		if err := menus.Tried(ctx, v, "branch", map[string]any{"city": city, "located": p.Located}); err != nil {
			return err
		}
	}
	if n.Action == nil {
		return nil
	}
	p.Kind = n.Action.Kind
	switch n.Action.Kind {
	case ivr.ActArticle:
		title, body, err := menus.Article(ctx, n.Action.Article, lang)
		if err != nil {
			return err
		}
		p.ArticleTitle, p.ArticleBody = title, helpcenter.RenderMarkdown(body)
	case ivr.ActCaseStatus:
		lines, err := menus.CaseLines(ctx, v, lang)
		if err != nil {
			return err
		}
		desk := m.t.s.d.SelfService
		for _, l := range lines {
			mc := menuCase{Service: l.Service, Stage: l.Stage, Ref: l.Ref}
			if c, err := desk.Case(ctx, l.ID); err == nil {
				if svc, err := desk.GetService(ctx, c.ServiceID); err == nil {
					if u, _, err := desk.TrackerURL(ctx, c, svc); err == nil {
						mc.URL = u
					}
				}
			}
			p.Cases = append(p.Cases, mc)
		}
		if ref := r.URL.Query().Get("ref"); ref != "" {
			p.LookupTried, p.LookupRef = true, clipped(ref, 20)
			line, found, err := menus.CaseByRef(ctx, v, ref, r.URL.Query().Get("check"), lang)
			if err != nil {
				return err
			}
			if found {
				p.Lookup = &menuCase{Service: line.Service, Stage: line.Stage, Ref: line.Ref}
			}
			return nil
		}
		return menus.Tried(ctx, v, ivr.ActCaseStatus, map[string]any{"cases": len(lines)})
	case ivr.ActFlow:
		if svc, err := m.t.s.d.SelfService.GetService(ctx, n.Action.Service); err == nil {
			p.FlowName, p.FlowURL = selfservice.Text(svc.Name, lang), "/f/"+url.PathEscape(svc.ID)+"?lang="+lang
		}
	}
	return nil
}

func clipped(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// post is POST /m/{token}: a callback instead of waiting, "done", or WhatsApp. A same-origin
// form; the answer is a redirect back to the page, which then says what happened.
func (m *menuPages) post(w http.ResponseWriter, r *http.Request) {
	t := m.t
	ctx := r.Context()
	menus := t.s.d.Menus
	v, err := menus.Open(ctx, r.PathValue("token"))
	if errors.Is(err, ivr.ErrNotFound) {
		main, helpCat := t.catalogs(r, nil)
		p := t.newPage(main, helpCat, "")
		t.renderWith(w, r, http.StatusNotFound, m.pages["notfound"], p, p.Lang)
		return
	}
	if err != nil {
		t.help.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	// After the action the caller lands on the page they were on, which then says what
	// happened (?done=): a reload of it changes nothing, unlike reposting the form.
	main, _ := m.catalogs(r, v)
	lang := main.Lang
	back := "/m/" + url.PathEscape(r.PathValue("token")) + "?lang=" + lang
	if node := r.PostForm.Get("node"); node != "" {
		back += "&node=" + url.QueryEscape(node)
	}
	var notice string
	switch a := r.PostForm.Get("action"); a {
	case ivr.EndCallback, ivr.EndDone:
		_, err := menus.Finish(ctx, v, a)
		var ve *ivr.ValidationError
		switch {
		case errors.Is(err, ivr.ErrNotWaiting):
			notice = "not-waiting"
		case errors.As(err, &ve):
			notice = "no-number"
		case err != nil:
			t.s.d.Log.Warn("menu: release call", "err", err, "request_id", requestID(ctx))
			notice = "failed"
		default:
			notice = a
		}
	case ivr.ActWhatsApp:
		why, err := menus.WhatsApp(ctx, v, r.PostForm.Get("node"), lang)
		switch {
		case errors.Is(err, ivr.ErrNotFound):
			http.Error(w, "no such action", http.StatusBadRequest)
			return
		case err != nil:
			t.help.fail(w, r, err)
			return
		case why != "":
			notice = "whatsapp-unfit"
		default:
			notice = "whatsapp-sent"
		}
	default:
		http.Error(w, "action must be callback, done or whatsapp", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, back+"&done="+notice, http.StatusSeeOther)
}
