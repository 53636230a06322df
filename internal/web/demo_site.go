package web

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"

	"github.com/gesher-cs/gesher/internal/i18n"
)

// DemoSiteChannel is the web chat channel /demo/site embeds: the demo organisation's, seeded by
// internal/demo. Without it (a real deployment), the page does not exist.
const DemoSiteChannel = "demo-webchat"

// demoFiles holds the demo site's template and catalogs. Like the help centre's pages they are
// part of every build, and they share its machinery: i18n catalogs, the fingerprinted style
// sheet under /help/static, html/template rendered to a buffer.
//
//go:embed templates/demo
var demoFiles embed.FS

// demoSite is /demo/site: the home page of the demo's insurer, "Gesher Insurance", with the
// chat widget embedded by one script tag, exactly as a customer's site would embed it.
type demoSite struct {
	help  *helpPages
	page  *template.Template
	langs *i18n.Bundle
}

// demoPage is what the template gets.
type demoPage struct {
	Lang, Dir string
	CSS, JS   string
	Channel   string
	Languages []langLink
	Display   displayView
	cat       *i18n.Catalog
	helpCat   *i18n.Catalog // the display switches' words, shared with every customer page
}

// T returns the page language's text for key.
func (p *demoPage) T(key string, vars ...string) string {
	if _, ok := p.cat.Message(key); ok {
		return p.cat.T(key, vars...)
	}
	return p.helpCat.T(key, vars...)
}

// newDemoSite parses the embedded template and catalogs; a failure is a bug that any test
// building the server catches.
func newDemoSite(help *helpPages) *demoSite {
	b, err := i18n.LoadFS(demoFiles, "templates/demo/locales")
	if err != nil {
		panic(err)
	}
	// The page borrows the help centre's layout for its display switches, so they are the
	// same on every customer page.
	tpl := template.Must(template.New("layout").ParseFS(helpFiles, "templates/help/layout.html"))
	return &demoSite{help: help, langs: b, page: template.Must(tpl.ParseFS(demoFiles, "templates/demo/site.html"))}
}

// ServeHTTP renders the page in Hebrew, or in ?lang= when the site has that language.
func (d *demoSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ch, err := d.help.s.d.Channels.ByName(r.Context(), DemoSiteChannel)
	if err != nil || !ch.Enabled {
		http.NotFound(w, r)
		return
	}
	cat, err := d.langs.Catalog(r.URL.Query().Get("lang"))
	if err != nil {
		cat, _ = d.langs.Catalog("he")
	}
	helpCat, err := d.help.langs.Catalog(cat.Lang)
	if err != nil {
		helpCat, _ = d.help.langs.Catalog("en")
	}
	p := &demoPage{Lang: cat.Lang, Dir: string(cat.Dir), cat: cat, helpCat: helpCat, CSS: d.help.staticURL("help.css"), JS: d.help.staticURL("help.js"),
		Channel: ch.Name, Display: newDisplayView(r, displayOf(r), "/display")}
	for _, l := range d.langs.Languages() {
		c, _ := d.langs.Catalog(l)
		p.Languages = append(p.Languages, langLink{Lang: l, Name: c.Name, URL: "/demo/site?lang=" + l, Current: l == cat.Lang})
	}
	var buf bytes.Buffer
	if err := d.page.ExecuteTemplate(&buf, "site.html", p); err != nil {
		d.help.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", p.Lang)
	_, _ = w.Write(buf.Bytes())
}
