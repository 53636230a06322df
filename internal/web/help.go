package web

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/gesher-cs/gesher/internal/assist"
	"github.com/gesher-cs/gesher/internal/helpcenter"
	"github.com/gesher-cs/gesher/internal/i18n"
)

// VisitorCookie names the help centre's visitor cookie: a random ID that lets the learning
// count one visitor once, whatever they click. It identifies a browser, not a person.
const VisitorCookie = "gesher_visitor"

// helpPages serves the public help centre: server-rendered pages that work without
// JavaScript, in the visitor's language and direction.
type helpPages struct {
	s      *Server
	svc    *helpcenter.Service
	pages  map[string]*template.Template
	langs  *i18n.Bundle
	static map[string]staticFile
	// limit caps, per client address, the requests that write: recorded searches, feedback
	// and reads. Searches over the limit are still answered, only not recorded.
	limit *ipLimiter
	// cop refuses form posts from other sites (the API routes get the same from wrap).
	cop *http.CrossOriginProtection
	// flows tells a fitting service on the answer page as its flow's first page does.
	flows *flowPages
	// codeLimit caps the sign-in codes sent to one phone or address, whoever asks.
	codeLimit *ipLimiter
}

// staticFile is an embedded asset and its fingerprint.
type staticFile struct {
	body  []byte
	ctype string
	hash  string
}

// newHelpPages parses the templates and catalogs; they are embedded, so a failure is a bug
// caught by any test that builds the server.
func newHelpPages(s *Server) *helpPages {
	h := &helpPages{s: s, svc: s.d.Help, pages: map[string]*template.Template{}, static: map[string]staticFile{}}
	h.limit = newIPLimiter(s.d.Limits.HelpWritesPerIP, s.d.Limits.HelpWritesBurst, s.d.Clock)
	h.codeLimit = newIPLimiter(1.0/60, 3, s.d.Clock)
	h.cop = http.NewCrossOriginProtection()
	h.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "cross-origin form refused", http.StatusForbidden)
	}))
	b, err := i18n.LoadFS(helpFiles, "templates/help/locales")
	if err != nil {
		panic(err)
	}
	h.langs = b
	for _, name := range []string{"home", "search", "article", "notfound", "signin"} {
		h.pages[name] = template.Must(template.New("layout").ParseFS(helpFiles, "templates/help/layout.html", "templates/help/me.html", "templates/help/"+name+".html"))
	}
	entries, _ := fs.ReadDir(helpFiles, "static")
	for _, e := range entries {
		body, err := fs.ReadFile(helpFiles, "static/"+e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(body)
		h.static[e.Name()] = staticFile{body: body, ctype: mime.TypeByExtension(path.Ext(e.Name())), hash: hex.EncodeToString(sum[:6])}
	}
	return h
}

// page is what every help template gets.
type page struct {
	Lang, Dir string
	cat       *i18n.Catalog
	CSS, JS   string
	Languages []langLink
	Query     string
	Display   displayView

	// The home page.
	Categories []helpcenter.Category
	Category   string
	Articles   []articleLink

	// The answer page.
	Answer         *answerView
	Others         []articleLink
	OtherLanguages bool
	Services       []serviceCard

	// The signed-in customer's (help_me.go): their open cases and the ways to reach us that
	// fit them; Back is this page, where signing in or out returns.
	SignedIn bool
	Back     string
	Cases    []caseCard
	Reach    []reachWay
	SignIn   *signInPage

	// The article page.
	Article     *pageArticle
	Variants    []articleLink
	SearchID    string
	FeedbackURL string
	DwellURL    string
	Thanks      bool
	Sorry       bool
	// Assist is the chat widget's tag with this page's signed token (proactive help); nil
	// when there is no web chat to embed.
	Assist      *assistTag
	SimpleShown bool
}

// T returns the page language's text for key, {placeholders} filled from name, value pairs.
func (p *page) T(key string, vars ...string) string { return p.cat.T(key, vars...) }

// TI is T with each value isolated in <bdi>, for values inside a sentence.
func (p *page) TI(key string, vars ...string) template.HTML { return isolate(p.cat, key, vars...) }

type langLink struct {
	Lang, Name, URL string
	Current         bool
}

type articleLink struct {
	Title, URL, Lang, Dir string
}

type answerView struct {
	articleLink
	Passage string
}

type pageArticle struct {
	ID, Title, Lang, Dir string
	HTML                 template.HTML
}

// newPage picks the language — ?lang=, else the browser's Accept-Language (the help centre
// does not know who the visitor is) — and fills what every page shows.
func (h *helpPages) newPage(r *http.Request) *page {
	cat := pickCatalog(h.langs, r.URL.Query().Get("lang"), nil, r.Header.Get("Accept-Language"))
	p := &page{Lang: cat.Lang, Dir: string(cat.Dir), cat: cat, CSS: h.staticURL("help.css"), JS: h.staticURL("help.js"),
		Display: newDisplayView(r, displayOf(r), "/display")}
	for _, l := range h.langs.Languages() {
		c, _ := h.langs.Catalog(l)
		q := r.URL.Query()
		q.Set("lang", l)
		q.Del("thanks")
		p.Languages = append(p.Languages, langLink{Lang: l, Name: c.Name, URL: r.URL.Path + "?" + q.Encode(), Current: l == cat.Lang})
	}
	return p
}

func (h *helpPages) staticURL(name string) string {
	return "/help/static/" + name + "?v=" + h.static[name].hash
}

// render writes a page. Pages are small, so they are rendered to a buffer first: a template
// error becomes a clean 500, not half a page.
func (h *helpPages) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		h.s.d.Log.Error("help: render", "page", name, "err", err, "request_id", requestID(r.Context()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Language", p.Lang)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// visitor returns the visitor's cookie ID, setting a new one when there is none.
func (h *helpPages) visitor(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(VisitorCookie); err == nil && len(c.Value) == 32 {
		return c.Value
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: VisitorCookie, Value: id, Path: "/help", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: h.s.secureCookie, SameSite: http.SameSiteLaxMode})
	return id
}

// network is a short hash of the client's network (its /24, or /48 for IPv6): enough to
// cap one network's weight in the learning, without storing anyone's address.
func network(r *http.Request) string {
	ip := net.ParseIP(clientIP(r))
	if ip == nil {
		return ""
	}
	if v4 := ip.To4(); v4 != nil {
		ip = v4.Mask(net.CIDRMask(24, 32))
	} else {
		ip = ip.Mask(net.CIDRMask(48, 128))
	}
	sum := sha256.Sum256(ip)
	return hex.EncodeToString(sum[:8])
}

func (h *helpPages) articleURL(a helpcenter.Article, lang, searchID string, rank int) string {
	q := url.Values{"lang": {lang}}
	if searchID != "" {
		q.Set("s", searchID)
		q.Set("r", strconv.Itoa(rank))
	}
	return "/help/articles/" + url.PathEscape(a.ID) + "?" + q.Encode()
}

// dirOf is the writing direction of an article's language.
func (h *helpPages) dirOf(lang string) string {
	if c, err := h.langs.Catalog(lang); err == nil {
		return string(c.Dir)
	}
	switch lang {
	case "he", "ar", "fa", "ur", "yi":
		return "rtl"
	}
	return "ltr"
}

func (h *helpPages) link(a helpcenter.Article, lang, searchID string, rank int) articleLink {
	return articleLink{Title: a.DisplayTitle(), URL: h.articleURL(a, lang, searchID, rank), Lang: a.Lang, Dir: h.dirOf(a.Lang)}
}

// home is /help: the search box and the topics, or one topic's articles.
func (h *helpPages) home(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r)
	ctx := r.Context()
	cats, err := h.svc.Categories(ctx, p.Lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Categories = cats
	h.mine(r, p)
	p.Assist = h.s.assistTag(r, assist.Page{Kind: assist.PageOther, Ref: "home"})
	if c := strings.TrimSpace(r.URL.Query().Get("category")); c != "" {
		p.Category = c
		list, err := h.svc.List(ctx, helpcenter.ListFilter{Lang: p.Lang, Status: helpcenter.Published, Category: c, Limit: 200})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, a := range list {
			if a.Visibility == helpcenter.Public {
				p.Articles = append(p.Articles, h.link(a, p.Lang, "", 0))
			}
		}
	}
	h.render(w, r, http.StatusOK, "home", p)
}

// search is /help/search?q=: the answer page.
func (h *helpPages) search(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r)
	p.Query = strings.TrimSpace(r.URL.Query().Get("q"))
	if p.Query == "" {
		http.Redirect(w, r, "/help?lang="+url.QueryEscape(p.Lang), http.StatusSeeOther)
		return
	}
	visitor := h.visitor(w, r)
	// Over the limit, the search is answered but not recorded: a script cannot fill the
	// report or the learning, and a person is never refused an answer.
	record, _ := h.limit.allow(clientIP(r))
	res, err := h.svc.Search(r.Context(), helpcenter.SearchRequest{Text: p.Query, Lang: p.Lang, Record: record, Visitor: visitor, Network: network(r)})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.OtherLanguages = res.OtherLanguages
	for i, hit := range res.Hits {
		l := h.link(hit.Article, p.Lang, res.ID, i+1)
		if i == 0 {
			p.Answer = &answerView{articleLink: l, Passage: hit.Passage}
			continue
		}
		p.Others = append(p.Others, l)
	}
	cust := h.mine(r, p)
	p.Services = h.fittingServices(r, p.Query, res.Hits)
	if p.Answer == nil {
		p.Reach = h.reach(r.Context(), p, cust)
	}
	if res.ID != "" {
		// A recorded search: the widget tells which visitor made it, the server what it was.
		p.Assist = h.s.assistTag(r, assist.Page{Kind: assist.PageSearch, Ref: res.ID, Query: p.Query, Results: len(res.Hits)})
	} else {
		p.Assist = h.s.assistTag(r, assist.Page{Kind: assist.PageOther, Ref: "search"})
	}
	h.render(w, r, http.StatusOK, "search", p)
}

// article is /help/articles/{id}. Opened from a search (?s=…&r=…), it records the click.
func (h *helpPages) article(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r)
	ctx := r.Context()
	a, err := h.svc.Get(ctx, r.PathValue("id"))
	if errors.Is(err, helpcenter.ErrNotFound) || (err == nil && (a.Status != helpcenter.Published || a.Visibility != helpcenter.Public)) {
		h.render(w, r, http.StatusNotFound, "notfound", p)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	p.SearchID = q.Get("s")
	if p.SearchID != "" && q.Get("thanks") == "" {
		rank, _ := strconv.Atoi(q.Get("r"))
		if ok, _ := h.limit.allow(clientIP(r)); ok {
			err := h.svc.Signal(ctx, helpcenter.SignalRequest{SearchID: p.SearchID, ArticleID: a.ID, Kind: helpcenter.SignalClick, Rank: rank})
			if err != nil && !errors.Is(err, helpcenter.ErrUnknownSearch) {
				h.s.d.Log.Warn("help: record click", "err", err, "request_id", requestID(ctx))
			}
		}
		p.DwellURL = "/help/articles/" + url.PathEscape(a.ID) + "/read?s=" + url.QueryEscape(p.SearchID)
	}
	h.visitor(w, r)
	// The simple-language version, where the author wrote one, replaces the article for a
	// visitor who asked for simple language; the switch is offered only where there is one.
	full, simple := helpcenter.SplitSimple(a.Body)
	body := full
	p.Display.SimpleOffered = simple != ""
	if simple != "" && p.Display.Simple {
		body, p.SimpleShown = simple, true
	}
	p.Article = &pageArticle{ID: a.ID, Title: a.DisplayTitle(), Lang: a.Lang, Dir: h.dirOf(a.Lang), HTML: helpcenter.RenderMarkdown(body)}
	p.FeedbackURL = "/help/articles/" + url.PathEscape(a.ID) + "/feedback"
	p.Assist = h.s.assistTag(r, assist.Page{Kind: assist.PageArticle, Ref: a.ID, Category: a.Category})
	switch q.Get("thanks") {
	case "yes":
		p.Thanks = true
	case "no":
		p.Thanks, p.Sorry = true, true
		p.Reach = h.reach(ctx, p, h.signedIn(r))
	}
	if variants, err := h.svc.Variants(ctx, a.Group); err == nil {
		for _, v := range variants {
			if v.ID != a.ID && v.Status == helpcenter.Published && v.Visibility == helpcenter.Public {
				p.Variants = append(p.Variants, h.link(v, v.Lang, "", 0))
			}
		}
	}
	h.render(w, r, http.StatusOK, "article", p)
}

// feedback is the "did this answer your question?" form. It answers with a redirect back to
// the article (post/redirect/get), which then thanks the visitor.
func (h *helpPages) feedback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	var helpful bool
	switch r.PostForm.Get("helpful") {
	case "yes":
		helpful = true
	case "no":
	default:
		http.Error(w, "helpful must be yes or no", http.StatusBadRequest)
		return
	}
	searchID := r.PostForm.Get("s")
	visitor := h.visitor(w, r)
	kind := helpcenter.SignalNotHelpful
	if helpful {
		kind = helpcenter.SignalHelpful
	}
	var err error
	if searchID != "" {
		err = h.svc.Signal(ctx, helpcenter.SignalRequest{SearchID: searchID, ArticleID: id, Kind: kind})
	}
	if searchID == "" || errors.Is(err, helpcenter.ErrUnknownSearch) {
		searchID = ""
		err = h.svc.Feedback(ctx, id, helpful, visitor, "")
	}
	if errors.Is(err, helpcenter.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := url.Values{"thanks": {map[bool]string{true: "yes", false: "no"}[helpful]}}
	if l := r.PostForm.Get("lang"); l != "" {
		q.Set("lang", l)
	}
	if searchID != "" {
		q.Set("s", searchID)
	}
	http.Redirect(w, r, "/help/articles/"+url.PathEscape(id)+"?"+q.Encode(), http.StatusSeeOther)
}

// read records that an article opened from a search stayed on screen long enough to be read
// (the page's script calls it after thirty seconds of visibility).
func (h *helpPages) read(w http.ResponseWriter, r *http.Request) {
	err := h.svc.Signal(r.Context(), helpcenter.SignalRequest{SearchID: r.URL.Query().Get("s"), ArticleID: r.PathValue("id"), Kind: helpcenter.SignalDwell})
	switch {
	case errors.Is(err, helpcenter.ErrUnknownSearch), errors.Is(err, helpcenter.ErrNotFound):
		http.NotFound(w, r)
	case err != nil:
		h.fail(w, r, err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// guardPost wraps the help centre's POST routes: same-origin forms only, and a rate per
// client address.
func (h *helpPages) guardPost(next http.HandlerFunc) http.HandlerFunc {
	limited := func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := h.limit.allow(clientIP(r)); !ok {
			w.Header().Set("Retry-After", itoa(max(int(wait.Seconds()+0.999), 1)))
			p := h.newPage(r)
			http.Error(w, p.T("help.rate_limited"), http.StatusTooManyRequests)
			return
		}
		next(w, r)
	}
	return h.cop.Handler(http.HandlerFunc(limited)).ServeHTTP
}

// staticAsset serves the help centre's CSS and script; the URL carries the content's hash,
// so it may be cached for a year.
func (h *helpPages) staticAsset(w http.ResponseWriter, r *http.Request) {
	f, ok := h.static[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", f.ctype)
	hd.Set("ETag", `"`+f.hash+`"`)
	if r.URL.Query().Get("v") == f.hash {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	if r.Header.Get("If-None-Match") == `"`+f.hash+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(f.body)
}

// fail answers a page request that failed: the detail goes to the log.
func (h *helpPages) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.s.d.Log.Error("help: request failed", "path", r.URL.Path, "err", err, "request_id", requestID(r.Context()))
	http.Error(w, "internal error; quote request id "+requestID(r.Context()), http.StatusInternalServerError)
}
