package web

import (
	"context"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/i18n"
)

// DisplayCookie remembers a visitor's display modes — large text, high contrast, simple
// language — on every customer page, whoever they are. A customer the server knows (on their
// tracker) has the modes in their profile too, so they follow them to another phone.
const DisplayCookie = "gesher_display"

// display is the set of display modes a page is shown in.
type display struct {
	Large, Contrast, Simple bool
}

// displayModes are the modes by their names in the cookie and the form, with the profile's
// accessibility need each one is remembered as.
var displayModes = []struct {
	name, need string
	field      func(*display) *bool
}{
	{"large", customer.LargeText, func(d *display) *bool { return &d.Large }},
	{"contrast", customer.HighContrast, func(d *display) *bool { return &d.Contrast }},
	{"simple", customer.SimpleLanguage, func(d *display) *bool { return &d.Simple }},
}

// parseDisplay reads a cookie value such as "large,contrast"; unknown words are ignored, so
// a cookie from a newer or older server never breaks a page.
func parseDisplay(s string) display {
	var d display
	for _, w := range strings.Split(s, ",") {
		for _, m := range displayModes {
			if w == m.name {
				*m.field(&d) = true
			}
		}
	}
	return d
}

// String is the cookie value.
func (d display) String() string {
	var on []string
	for _, m := range displayModes {
		if *m.field(&d) {
			on = append(on, m.name)
		}
	}
	return strings.Join(on, ",")
}

// Class is the <html> element's class list the style sheet reads.
func (d display) Class() string { return strings.ReplaceAll(d.String(), ",", " ") }

// withProfile adds the modes a customer's profile asks for.
func (d display) withProfile(p customer.Profile) display {
	for _, m := range displayModes {
		if slices.Contains(p.Accessibility, m.need) {
			*m.field(&d) = true
		}
	}
	return d
}

// toProfile sets the profile's accessibility needs of the display modes to d's, leaving the
// other needs (a screen reader, read-aloud) as they are.
func (d display) toProfile(p customer.Profile) customer.Profile {
	acc := slices.Clone(p.Accessibility)
	for _, m := range displayModes {
		acc = slices.DeleteFunc(acc, func(a string) bool { return a == m.need })
		if *m.field(&d) {
			acc = append(acc, m.need)
		}
	}
	p.Accessibility = acc
	return p
}

// toggled is d with the named mode switched; false when there is no such mode.
func (d display) toggled(name string) (display, bool) {
	for _, m := range displayModes {
		if m.name == name {
			f := m.field(&d)
			*f = !*f
			return d, true
		}
	}
	return d, false
}

// displayOf reads the visitor's display modes from their cookie.
func displayOf(r *http.Request) display {
	if c, err := r.Cookie(DisplayCookie); err == nil {
		return parseDisplay(c.Value)
	}
	return display{}
}

// displayView is what the layout's display switches need: the modes, where the form posts,
// the page to come back to, and whether this page has a simple-language version to switch to.
type displayView struct {
	display
	Action, Back  string
	SimpleOffered bool
}

func newDisplayView(r *http.Request, d display, action string) displayView {
	back := r.URL.Path
	if q := r.URL.Query(); len(q) > 0 {
		q.Del("thanks")
		back += "?" + q.Encode()
	}
	return displayView{display: d, Action: action, Back: back}
}

// localPath is back when it is a path on this server, else "/help": the switch must never
// become a redirect to another site.
func localPath(back string) string {
	u, err := url.Parse(back)
	if err != nil || back == "" || len(back) > 2000 || u.Scheme != "" || u.Host != "" || u.User != nil ||
		!strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\\r\n") {
		return "/help"
	}
	return back
}

// setDisplay remembers the modes for the visitor for a year, on every customer page.
func (s *Server) setDisplay(w http.ResponseWriter, d display) {
	c := &http.Cookie{Name: DisplayCookie, Value: d.String(), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.secureCookie, SameSite: http.SameSiteLaxMode}
	if c.Value == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// switchDisplay is POST /display, the display switches of any customer page (a same-origin
// form: toggle=large|contrast|simple, back=the page). It answers with a redirect back, so it
// works without JavaScript.
func (h *helpPages) switchDisplay(w http.ResponseWriter, r *http.Request) {
	d, back, ok := readDisplayForm(w, r, displayOf(r))
	if !ok {
		return
	}
	h.s.setDisplay(w, d)
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// readDisplayForm applies the form's toggle to current; a bad form is answered with 400.
func readDisplayForm(w http.ResponseWriter, r *http.Request, current display) (display, string, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return current, "", false
	}
	d, ok := current.toggled(r.PostForm.Get("toggle"))
	if !ok {
		http.Error(w, "toggle must be large, contrast or simple", http.StatusBadRequest)
		return current, "", false
	}
	return d, localPath(r.PostForm.Get("back")), true
}

// switchCaseDisplay is POST /s/{token}/display: the tracker's display switches. The customer
// is known there, so the modes are remembered in their profile as well as in the cookie, and
// the next tracker link they open — on any phone — shows the same.
func (t *trackerPages) switchCaseDisplay(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, _, err := t.s.d.SelfService.Track(ctx, r.PathValue("token"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	cust, err := t.s.d.Customers.Get(ctx, c.CustomerID)
	if err != nil {
		t.help.fail(w, r, err)
		return
	}
	d, back, ok := readDisplayForm(w, r, displayOf(r).withProfile(cust.Profile))
	if !ok {
		return
	}
	if err := t.rememberDisplay(ctx, cust, d); err != nil {
		t.help.fail(w, r, err)
		return
	}
	t.s.setDisplay(w, d)
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// rememberDisplay writes the modes into the customer's profile (one customer.updated event
// when they change, none when they do not).
func (t *trackerPages) rememberDisplay(ctx context.Context, cust customer.Customer, d display) error {
	prof := d.toProfile(cust.Profile)
	_, err := t.s.d.Customers.Update(ctx, cust.ID, customer.Patch{Profile: &prof}, event.Actor{Kind: event.ByCustomer, ID: cust.ID})
	return err
}

// pickCatalog is the language a customer page is shown in: the one asked for in the URL (the
// language switch), else the first of the customer's own languages (their profile) the
// catalogs have, else the best fit for the browser's Accept-Language, else English.
func pickCatalog(b *i18n.Bundle, asked string, profile []string, acceptLanguage string) *i18n.Catalog {
	for _, l := range append([]string{asked}, profile...) {
		if c, err := b.Catalog(l); err == nil {
			return c
		}
	}
	return b.Match(acceptLanguage)
}

// isolate is the text of key with each {placeholder} filled in and isolated in <bdi>: a
// case reference, a name or a number keeps its own direction inside a right-to-left sentence
// ("פנייה SR-1024" does not become "1024-SR"). The text and the values are escaped.
func isolate(cat *i18n.Catalog, key string, vars ...string) template.HTML {
	iso := make([]string, len(vars))
	for i := range vars {
		if i%2 == 1 {
			iso[i] = "<bdi>" + html.EscapeString(vars[i]) + "</bdi>"
		} else {
			iso[i] = vars[i]
		}
	}
	// The message is escaped before the values go in, so a value's markup stays escaped
	// and a message's "<" is text; placeholders ({name}) pass through escaping unchanged.
	m, ok := cat.Message(key)
	if !ok || m.Plural != nil {
		return template.HTML(html.EscapeString(key))
	}
	return template.HTML(i18n.Interpolate(html.EscapeString(m.Text), iso...)) // #nosec G203 -- every part escaped above
}
