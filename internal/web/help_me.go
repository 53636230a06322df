package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/helpcenter"
	"github.com/gesher-cs/gesher/internal/selfservice"
)

// The help centre's customer cookies. CustomerCookie says who is signed in: a token signed
// with the tracker's key from the database, so any node verifies it. SignInCookie holds a
// sign-in waiting for its code, only as long as the code is good.
const (
	CustomerCookie = "gesher_customer"
	SignInCookie   = "gesher_sign_in"
)

// A customer who signs in on the help centre: their identity, the code, then the answer page
// and the home show their open cases and the ways to reach us that fit them.

// serviceCard is a fitting service on the answer page: what the flow's first page tells
// before the customer starts, and where to start.
type serviceCard struct {
	Name, Description string
	Ways, Limits      []string
	StartURL          string
}

// caseCard is one of the signed-in customer's open cases.
type caseCard struct {
	Service, Ref, Stage, TrackerURL string
}

// reachWay is a way to reach a person: what it is, and how (a number, an address, the chat).
type reachWay struct {
	Kind, Label, How string
	// URL is built here from digits, an escaped address or a fixed host, never taken as it
	// is; a template.URL, since html/template would refuse tel: and sms:.
	URL  template.URL
	Chat bool
}

// signInPage is the sign-in page's part of page.
type signInPage struct {
	Code     bool // the code step: the identity step came before
	Value    string
	Error    string
	Back     string
	Sent     bool
	Customer bool
}

// signedIn returns the customer the request's cookie signs in, or nil.
func (h *helpPages) signedIn(r *http.Request) *customer.Customer {
	c, err := r.Cookie(CustomerCookie)
	if err != nil || h.s.d.SelfService == nil {
		return nil
	}
	cust, err := h.s.d.SelfService.SignedIn(r.Context(), c.Value)
	if err != nil {
		if !errors.Is(err, selfservice.ErrNotFound) {
			h.s.d.Log.Warn("help: open customer cookie", "err", err, "request_id", requestID(r.Context()))
		}
		return nil
	}
	return &cust
}

// signIn sets the cookie that signs the customer in on the help centre.
func (h *helpPages) signIn(ctx context.Context, w http.ResponseWriter, customerID string) error {
	tok, exp, err := h.s.d.SelfService.SessionToken(ctx, customerID)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: CustomerCookie, Value: tok, Path: "/help", Expires: exp, MaxAge: int(selfservice.SessionTTL.Seconds()),
		HttpOnly: true, Secure: h.s.secureCookie, SameSite: http.SameSiteLaxMode})
	return nil
}

func (h *helpPages) clearCookie(w http.ResponseWriter, name, path string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: true, Secure: h.s.secureCookie, SameSite: http.SameSiteLaxMode})
}

// localBack is where a sign-in returns to: a help-centre path, never another site.
func localBack(s string) string {
	if !strings.HasPrefix(s, "/help") || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\r\n") || len(s) > 500 {
		return ""
	}
	return s
}

// mine fills the signed-in customer's part of a page: that they are signed in, and their open
// cases with stage and tracker link.
func (h *helpPages) mine(r *http.Request, p *page) *customer.Customer {
	cust := h.signedIn(r)
	p.Back = r.URL.RequestURI()
	if cust == nil {
		return nil
	}
	p.SignedIn = true
	ctx := r.Context()
	desk := h.s.d.SelfService
	cases, err := desk.OpenCases(ctx, cust.ID)
	if err != nil {
		h.s.d.Log.Warn("help: list own cases", "err", err, "request_id", requestID(ctx))
		return cust
	}
	for _, c := range cases {
		svc, err := desk.GetService(ctx, c.ServiceID)
		if err != nil {
			continue
		}
		card := caseCard{Service: selfservice.Text(svc.Name, p.Lang), Ref: c.Ref, Stage: c.Stage}
		if st, _, ok := svc.Stage(c.Stage); ok {
			card.Stage = desk.StageName(st, p.Lang)
		}
		if u, _, err := desk.TrackerURL(ctx, c, svc); err == nil {
			card.TrackerURL = u
			if q := "lang=" + url.QueryEscape(p.Lang); strings.Contains(u, "?") {
				card.TrackerURL += "&" + q
			} else {
				card.TrackerURL += "?" + q
			}
		}
		p.Cases = append(p.Cases, card)
	}
	return cust
}

// fittingServices are the catalogue's services for a search: first those the found articles
// relate to, in the articles' order, then those whose name or description shares a word with
// the query, as the help centre's analysis reads words (so "בתביעה" finds "תביעה").
func (h *helpPages) fittingServices(r *http.Request, query string, hits []helpcenter.Hit) []serviceCard {
	if h.s.d.SelfService == nil || h.flows == nil {
		return nil
	}
	ctx := r.Context()
	all, err := h.s.d.SelfService.Services(ctx)
	if err != nil {
		h.s.d.Log.Warn("help: list services", "err", err, "request_id", requestID(ctx))
		return nil
	}
	var picked []selfservice.Service
	add := func(s selfservice.Service) {
		if len(picked) < maxServiceCards && !slices.ContainsFunc(picked, func(p selfservice.Service) bool { return p.ID == s.ID }) {
			picked = append(picked, s)
		}
	}
	byID := map[string]selfservice.Service{}
	for _, s := range all {
		byID[s.ID] = s
	}
	for _, hit := range hits {
		for _, id := range hit.Article.Services {
			if s, ok := byID[id]; ok {
				add(s)
			}
		}
	}
	asked := map[string]bool{}
	for _, w := range helpcenter.Analyze(query) {
		for _, f := range w.Forms {
			asked[f] = true
		}
	}
	type scored struct {
		svc   selfservice.Service
		score int
	}
	var matched []scored
	for _, s := range all {
		n := 0
		for _, text := range [][]string{mapValues(s.Name), mapValues(s.Description)} {
			for _, w := range helpcenter.Analyze(strings.Join(text, " ")) {
				if slices.ContainsFunc(w.Forms, func(f string) bool { return asked[f] }) {
					n++
				}
			}
		}
		if n > 0 {
			matched = append(matched, scored{s, n})
		}
	}
	slices.SortStableFunc(matched, func(a, b scored) int { return b.score - a.score })
	for _, m := range matched {
		add(m.svc)
	}
	var out []serviceCard
	for _, s := range picked {
		// The flow's first page says what the service can and cannot do; the card says the same.
		fp := h.flows.page(r, s)
		card := serviceCard{Name: fp.Service, Description: fp.Description, Ways: fp.Ways, Limits: fp.Limits}
		card.StartURL = "/f/" + url.PathEscape(s.ID) + "?lang=" + url.QueryEscape(fp.Lang)
		out = append(out, card)
	}
	return out
}

// maxServiceCards bounds the services on an answer page: a page under 30 KB, and a choice a
// customer can read.
const maxServiceCards = 4

// mapValues are a per-language text's values, in the catalogue's language order.
func mapValues(m map[string]string) []string {
	var out []string
	for _, l := range selfservice.Langs {
		if v := m[l]; v != "" {
			out = append(out, v)
		}
	}
	return out
}

// reach lists the ways to reach a person. For a signed-in customer the fitter decides (a
// kosher phone gets the phone and SMS, never WhatsApp or the chat); for a visitor, every
// enabled channel customers can write on.
func (h *helpPages) reach(ctx context.Context, p *page, cust *customer.Customer) []reachWay {
	if h.s.d.Channels == nil {
		return nil
	}
	var chs []channel.Channel
	if cust != nil && h.s.d.Fitter != nil {
		fits, err := h.s.d.Fitter.FitAll(ctx, cust.ID, channel.Purpose{})
		if err != nil {
			h.s.d.Log.Warn("help: fit channels", "err", err)
			return nil
		}
		for _, f := range fits {
			if f.Fits {
				chs = append(chs, f.Channel)
			}
		}
	} else {
		all, err := h.s.d.Channels.List(ctx)
		if err != nil {
			h.s.d.Log.Warn("help: list channels", "err", err)
			return nil
		}
		for _, c := range all {
			if c.Enabled {
				chs = append(chs, c)
			}
		}
	}
	var out []reachWay
	seen := map[string]bool{}
	for _, c := range chs {
		w, ok := reachOf(p, c)
		if !ok || seen[w.Kind+w.How] {
			continue
		}
		seen[w.Kind+w.How] = true
		out = append(out, w)
	}
	return out
}

// reachOf tells a channel as a way to reach us: the number to call or text, the address to
// write to, or the chat. Channels customers cannot start on (the API) are none.
func reachOf(p *page, c channel.Channel) (reachWay, bool) {
	how := ""
	for _, k := range []string{"from", "number", "phone_number", "display_phone_number", "address", "username"} {
		if v := strings.TrimSpace(c.Settings[k]); v != "" {
			how = v
			break
		}
	}
	w := reachWay{Kind: string(c.Kind), How: how}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '+' {
			return r
		}
		return -1
	}, how)
	switch c.Kind {
	case "voice":
		if digits != "" {
			w.URL = template.URL("tel:" + digits)
		}
	case "sms":
		if digits != "" {
			w.URL = template.URL("sms:" + digits)
		}
	case "whatsapp":
		if d := strings.TrimPrefix(digits, "+"); d != "" {
			w.URL = template.URL("https://wa.me/" + d)
		}
	case "email":
		if strings.Contains(how, "@") {
			w.URL = template.URL("mailto:" + url.PathEscape(how))
		}
	case "telegram":
		if u := strings.TrimPrefix(c.Settings["username"], "@"); u != "" {
			w.How, w.URL = "@"+u, template.URL("https://t.me/"+url.PathEscape(u))
		} else {
			w.How = ""
		}
	case "webchat":
		w.Chat, w.How = true, ""
	default:
		return w, false
	}
	w.Label = p.T("help.reach." + string(c.Kind))
	return w, true
}

// signInForm is GET /help/sign-in: the identity step, or the code step once a code was asked for.
func (h *helpPages) signInForm(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r)
	q := r.URL.Query()
	p.SignIn = &signInPage{Back: localBack(q.Get("back"))}
	if h.signedIn(r) != nil {
		p.SignIn.Customer = true
	} else if c, err := r.Cookie(SignInCookie); err == nil && q.Get("step") == "code" {
		if _, _, ok := selfservice.SplitPending(c.Value); ok {
			p.SignIn.Code, p.SignIn.Sent = true, true
		}
	}
	h.render(w, r, http.StatusOK, "signin", p)
}

// startSignIn is POST /help/sign-in (identity=a phone number or an email address): a code to
// the customer, on a channel that fits them, and the code step. The answer is the same
// whether or not the identity is a customer's.
func (h *helpPages) startSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	p := h.newPage(r)
	raw := strings.TrimSpace(r.PostForm.Get("identity"))
	back := localBack(r.PostForm.Get("back"))
	kind, value, err := parseSignInIdentity(raw)
	if err != nil {
		p.SignIn = &signInPage{Value: raw, Error: p.T("help.signin.invalid"), Back: back}
		h.render(w, r, http.StatusUnprocessableEntity, "signin", p)
		return
	}
	ctx := r.Context()
	names := map[string]string{}
	for _, l := range h.langs.Languages() {
		c, _ := h.langs.Catalog(l)
		names[l] = c.T("help.title")
	}
	// One identity is sent at most a code a minute after a burst, whoever asks: a script
	// cannot flood a customer's phone. Over it, the answer is the same and nothing is sent.
	pending := ""
	if ok, _ := h.codeLimit.allow(string(kind) + ":" + value); ok {
		pending, err = h.s.d.SelfService.StartSignIn(ctx, kind, value, names, p.Lang)
		if err != nil {
			h.fail(w, r, err)
			return
		}
	} else if pending, err = h.s.d.SelfService.StartSignIn(ctx, "", "", names, p.Lang); err != nil {
		h.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SignInCookie, Value: pending, Path: "/help", MaxAge: int(selfservice.SignInTTL.Seconds()),
		HttpOnly: true, Secure: h.s.secureCookie, SameSite: http.SameSiteLaxMode})
	q := url.Values{"step": {"code"}, "lang": {p.Lang}}
	if back != "" {
		q.Set("back", back)
	}
	http.Redirect(w, r, "/help/sign-in?"+q.Encode(), http.StatusSeeOther)
}

// parseSignInIdentity reads what a customer types to sign in: an email address when it has
// an @, else a phone number.
func parseSignInIdentity(raw string) (customer.IdentityKind, string, error) {
	kind := customer.Phone
	if strings.Contains(raw, "@") {
		kind = customer.Email
	}
	v, err := customer.Normalize(kind, raw)
	return kind, v, err
}

// finishSignIn is POST /help/sign-in/code (code=the digits): right, the customer is signed
// in and goes back where they were; wrong or no longer good, they are told so in one sentence,
// whichever it was, and may try again or ask for a new code.
func (h *helpPages) finishSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	p := h.newPage(r)
	back := localBack(r.PostForm.Get("back"))
	pending := ""
	if c, err := r.Cookie(SignInCookie); err == nil {
		pending = c.Value
	}
	ctx := r.Context()
	custID, problem, err := h.s.d.SelfService.FinishSignIn(ctx, pending, r.PostForm.Get("code"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if problem != "" {
		p.SignIn = &signInPage{Code: true, Error: p.T("help.signin.refused"), Back: back}
		h.render(w, r, http.StatusUnprocessableEntity, "signin", p)
		return
	}
	if err := h.signIn(ctx, w, custID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.clearCookie(w, SignInCookie, "/help")
	if back == "" {
		back = "/help?lang=" + url.QueryEscape(p.Lang)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// signOut is POST /help/sign-out: the customer cookie is gone from this browser.
func (h *helpPages) signOut(w http.ResponseWriter, r *http.Request) {
	h.clearCookie(w, CustomerCookie, "/help")
	h.clearCookie(w, SignInCookie, "/help")
	back := "/help"
	if err := r.ParseForm(); err == nil {
		if b := localBack(r.PostForm.Get("back")); b != "" {
			back = b
		}
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
