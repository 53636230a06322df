package web

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gesher-cs/gesher/internal/branch"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/helpcenter"
	"github.com/gesher-cs/gesher/internal/i18n"
	"github.com/gesher-cs/gesher/internal/selfservice"
)

// branchFiles holds the branch pages' templates: the queue ticket, taking one, booking and
// the appointment, the branch display, the kiosk and the clerk's desk. Every page is complete
// without JavaScript; branch.js only makes the live parts update in place and the kiosk go
// home after a minute untouched.
//
//go:embed templates/branch
var branchFiles embed.FS

// kioskIdle is how long a kiosk page stays without a touch before it goes back home.
const kioskIdle = 60

// branchPages serves the public branch pages and the clerk's desk page.
type branchPages struct {
	s     *Server
	help  *helpPages
	pages map[string]*template.Template
	// views caps page views per address. A ticket page polls every few seconds, so the limit
	// is generous; it is there for the guesser of tokens and codes, not the waiting visitor.
	views *ipLimiter
}

func newBranchPages(s *Server, help *helpPages) *branchPages {
	p := &branchPages{s: s, help: help, pages: map[string]*template.Template{}}
	p.views = newIPLimiter(5, 120, s.d.Clock)
	for _, name := range []string{"ticket", "take", "book", "appointment", "display", "kiosk", "kiosk-services", "kiosk-ticket", "kiosk-help", "kiosk-checkin", "desk", "notice"} {
		p.pages[name] = template.Must(template.New("layout").Funcs(template.FuncMap{"itoa": strconv.Itoa}).ParseFS(branchFiles, "templates/branch/layout.html", "templates/branch/"+name+".html"))
	}
	return p
}

// branchPage is what every branch template gets.
type branchPage struct {
	Lang, Dir string
	CSS, JS   string
	Languages []langLink
	cat       *i18n.Catalog
	// Display is the display switches every customer page has (display.go); their words are
	// the help centre's, shared by every customer page.
	Display displayView
	helpCat *i18n.Catalog
	HelpJS  string // the customer pages' script: read-aloud

	// Refresh reloads the page (or goes to RefreshURL) after that many seconds when
	// JavaScript is off; Live marks the pages whose #live part branch.js refreshes in place.
	Refresh    int
	RefreshURL string
	Live       bool
	// KioskHome is set on kiosk pages: where inactivity leads.
	KioskHome string
	Path      string

	Branch     branch.Branch
	BranchName string
	Services   []serviceChoice
	Service    serviceChoice
	Ticket     *ticketInfo
	Days       []slotDay
	Appt       *apptInfo
	Called     []calledNumber
	Waiting    int
	Desk       *deskInfo
	Help       *kioskHelp
	Code       string
	Notice     string
	Error      string
	Now        string
	HasFast    bool
}

// RefreshTag is the reload for browsers without JavaScript: inside noscript, so a browser
// that runs branch.js updates in place instead. It is built here because html/template
// rightly refuses dynamic values in a meta refresh's content.
func (p *branchPage) RefreshTag() template.HTML {
	if p.Refresh <= 0 {
		return ""
	}
	c := strconv.Itoa(p.Refresh)
	if p.RefreshURL != "" {
		c += ";url=" + p.RefreshURL + "?lang=" + url.QueryEscape(p.Lang)
	}
	return template.HTML(`<noscript><meta http-equiv="refresh" content="` + template.HTMLEscapeString(c) + `"></noscript>`)
}

// T returns the page language's text for key.
func (p *branchPage) T(key string, vars ...string) string { return p.cat.T(key, vars...) }

// HT is a text of the help centre's catalogs: the display switches'.
func (p *branchPage) HT(key string) string { return p.helpCat.T(key) }

type serviceChoice struct {
	ID, Name, Description string
	Minutes               int
}

type ticketInfo struct {
	ID, Label, Status, Service, Desk, Code, Link, TextURL, LeaveURL string
	Ahead, WaitMinutes                                              int
	CheckedIn, Pickup                                               bool
	QR                                                              template.HTML
}

type slotDay struct {
	Label string
	Slots []slotChoice
}

type slotChoice struct{ Label, Value string }

type apptInfo struct {
	Service, When, Desk, Name, CancelURL string
	Cancelled                            bool
}

type calledNumber struct {
	Label, Desk string
	Serving     bool
}

type deskInfo struct {
	ID, Name         string
	Current          []ticketInfo
	Waiting          int
	CallURL, BaseURL string
}

type kioskHelp struct {
	Query, Title, Passage string
	Others                []string
	Searched              bool
}

// catalog picks the page's language: ?lang=, then the form's lang, then prefer, then the
// browser's.
func (bp *branchPages) catalog(r *http.Request, prefer ...string) *i18n.Catalog {
	b := bp.s.d.Branches.Catalogs()
	for _, l := range append([]string{r.URL.Query().Get("lang"), r.PostFormValue("lang")}, prefer...) {
		if !slices.Contains(branchLangs, l) {
			continue
		}
		if c, err := b.Catalog(l); err == nil {
			return c
		}
	}
	if c := b.Match(r.Header.Get("Accept-Language")); slices.Contains(branchLangs, c.Lang) {
		return c
	}
	c, _ := b.Catalog(branchLangs[0])
	return c
}

// branchLangs are the languages the branch pages are written in, the first the default.
var branchLangs = []string{"he", "ar", "en", "ru", "am", "fr"}

func (bp *branchPages) newPage(r *http.Request, cat *i18n.Catalog) *branchPage {
	p := &branchPage{Lang: cat.Lang, Dir: string(cat.Dir), cat: cat, CSS: bp.help.staticURL("branch.css"), JS: bp.help.staticURL("branch.js"), Path: r.URL.Path,
		Display: newDisplayView(r, displayOf(r), "/display"), HelpJS: bp.help.staticURL("help.js")}
	if p.helpCat, _ = bp.help.langs.Catalog(cat.Lang); p.helpCat == nil {
		p.helpCat, _ = bp.help.langs.Catalog("en")
	}
	for _, l := range branchLangs {
		c, err := bp.s.d.Branches.Catalogs().Catalog(l)
		if err != nil {
			continue
		}
		q := url.Values{"lang": {l}}
		p.Languages = append(p.Languages, langLink{Lang: l, Name: c.Name, URL: r.URL.Path + "?" + q.Encode(), Current: l == cat.Lang})
	}
	return p
}

// withBranch fills the branch and its services in the page's language.
func (bp *branchPages) withBranch(r *http.Request, p *branchPage, b branch.Branch) {
	p.Branch, p.BranchName = b, b.DisplayName(p.Lang)
	for _, d := range b.Desks {
		p.HasFast = p.HasFast || d.Fast
	}
	for _, o := range b.Services {
		sc := serviceChoice{ID: o.ServiceID, Name: o.ServiceID, Minutes: o.Minutes}
		if svc, err := bp.s.d.SelfService.GetService(r.Context(), o.ServiceID); err == nil {
			sc.Name, sc.Description = selfservice.Text(svc.Name, p.Lang), selfservice.Text(svc.Description, p.Lang)
		}
		p.Services = append(p.Services, sc)
	}
}

func (bp *branchPages) render(w http.ResponseWriter, r *http.Request, status int, name string, p *branchPage) {
	var buf bytes.Buffer
	if err := bp.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		bp.help.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Language", p.Lang)
	// A ticket or appointment link is the visitor's key: search engines keep none of them.
	hd.Set("X-Robots-Tag", "noindex, nofollow")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// limit answers 429 when the address is over its page-view budget.
func (bp *branchPages) limit(w http.ResponseWriter, r *http.Request) bool {
	if ok, wait := bp.views.allow(clientIP(r)); !ok {
		w.Header().Set("Retry-After", itoa(max(int(wait.Seconds()+0.999), 1)))
		http.Error(w, bp.catalog(r).T("branch.rate_limited"), http.StatusTooManyRequests)
		return false
	}
	return true
}

// notice renders a short page that says one thing: not found, closed, taken.
func (bp *branchPages) notice(w http.ResponseWriter, r *http.Request, status int, cat *i18n.Catalog, key, back string) {
	p := bp.newPage(r, cat)
	p.Error = p.T(key)
	p.RefreshURL = back
	bp.render(w, r, status, "notice", p)
}

// failPage maps the branch errors a visitor can cause to a page in their language.
func (bp *branchPages) failPage(w http.ResponseWriter, r *http.Request, cat *i18n.Catalog, err error, back string) {
	var ve *branch.ValidationError
	var inv *customer.InvalidIdentityError
	switch {
	case errors.Is(err, branch.ErrNotFound), errors.Is(err, selfservice.ErrNotFound):
		bp.notice(w, r, http.StatusNotFound, cat, "branch.not_found", back)
	case errors.Is(err, branch.ErrClosed):
		bp.notice(w, r, http.StatusUnprocessableEntity, cat, "branch.closed", back)
	case errors.Is(err, branch.ErrSlotTaken):
		bp.notice(w, r, http.StatusConflict, cat, "branch.book.taken", back)
	case errors.Is(err, branch.ErrState):
		bp.notice(w, r, http.StatusConflict, cat, "branch.state", back)
	case errors.As(err, &inv):
		bp.notice(w, r, http.StatusUnprocessableEntity, cat, "branch.bad_phone", back)
	case errors.As(err, &ve):
		bp.notice(w, r, http.StatusUnprocessableEntity, cat, "branch.invalid", back)
	default:
		bp.help.fail(w, r, err)
	}
}

func (bp *branchPages) branchOf(w http.ResponseWriter, r *http.Request, cat *i18n.Catalog) (branch.Branch, bool) {
	b, err := bp.s.d.Branches.Branch(r.Context(), r.PathValue("branch"))
	if err != nil {
		bp.failPage(w, r, cat, err, "")
		return b, false
	}
	return b, true
}

// ticketInfo describes a ticket for its pages, in the page's language.
func (bp *branchPages) ticketInfo(r *http.Request, p *branchPage, b branch.Branch, t branch.Ticket) (*ticketInfo, error) {
	ctx := r.Context()
	pl, err := bp.s.d.Branches.Where(ctx, t)
	if err != nil {
		return nil, err
	}
	link, err := bp.s.d.Branches.TicketLink(ctx, t)
	if err != nil {
		return nil, err
	}
	ti := &ticketInfo{ID: t.ID, Label: pl.Label, Status: t.Status, Desk: pl.DeskName, Code: t.Code, Link: link, Ahead: pl.Ahead, WaitMinutes: pl.WaitMinutes,
		CheckedIn: t.CheckedInAt != nil, Pickup: t.Pickup, LeaveURL: link + "/leave"}
	for _, sc := range p.Services {
		if sc.ID == t.ServiceID {
			ti.Service = sc.Name
		}
	}
	checkIn := bp.s.d.PublicURL + "/kiosk/" + b.Slug + "/checkin?" + url.Values{"code": {t.Code}}.Encode()
	if ti.QR, err = qrSVG(checkIn, p.T("branch.ticket.qr", "code", t.Code)); err != nil {
		return nil, err
	}
	return ti, nil
}

// showTicket is GET /q/{token}: the visitor's place in the queue, live.
func (bp *branchPages) showTicket(w http.ResponseWriter, r *http.Request) {
	if !bp.limit(w, r) {
		return
	}
	ctx := r.Context()
	t, err := bp.s.d.Branches.OpenTicket(ctx, r.PathValue("token"))
	if err != nil {
		bp.failPage(w, r, bp.catalog(r), err, "")
		return
	}
	cat := bp.catalog(r, t.Lang)
	b, err := bp.s.d.Branches.Branch(ctx, t.BranchID)
	if err != nil {
		bp.failPage(w, r, cat, err, "")
		return
	}
	p := bp.newPage(r, cat)
	bp.withBranch(r, p, b)
	if p.Ticket, err = bp.ticketInfo(r, p, b, t); err != nil {
		bp.help.fail(w, r, err)
		return
	}
	p.Live, p.Refresh = t.Status == branch.Waiting || t.Status == branch.Called || t.Status == branch.Serving, 15
	if !p.Live {
		p.Refresh = 0
	}
	bp.render(w, r, http.StatusOK, "ticket", p)
}

// leaveTicket is POST /q/{token}/leave.
func (bp *branchPages) leaveTicket(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, err := bp.s.d.Branches.OpenTicket(ctx, r.PathValue("token"))
	if err == nil {
		_, err = bp.s.d.Branches.Leave(ctx, t.ID, event.Actor{Kind: event.ByCustomer, ID: t.CustomerID})
	}
	if err != nil && !errors.Is(err, branch.ErrState) {
		bp.failPage(w, r, bp.catalog(r, t.Lang), err, "")
		return
	}
	http.Redirect(w, r, "/q/"+r.PathValue("token")+"?lang="+bp.catalog(r, t.Lang).Lang, http.StatusSeeOther)
}

// takeForm is GET /b/{branch}/ticket: choose a service, optionally leave a phone number.
func (bp *branchPages) takeForm(w http.ResponseWriter, r *http.Request) {
	cat := bp.catalog(r)
	b, ok := bp.branchOf(w, r, cat)
	if !ok {
		return
	}
	p := bp.newPage(r, cat)
	bp.withBranch(r, p, b)
	bp.render(w, r, http.StatusOK, "take", p)
}

// take is POST /b/{branch}/ticket (a same-origin form): the ticket, then its page.
func (bp *branchPages) take(w http.ResponseWriter, r *http.Request) {
	cat := bp.catalog(r)
	b, ok := bp.branchOf(w, r, cat)
	if !ok {
		return
	}
	via := "web"
	if r.PostFormValue("pickup") == "1" {
		via = "order"
	}
	t, err := bp.s.d.Branches.Take(r.Context(), branch.TicketInput{BranchID: b.ID, ServiceID: r.PostFormValue("service"),
		Phone: branch.CleanField(r.PostFormValue("phone"), 40), Lang: cat.Lang, Via: via, Pickup: via == "order"}, event.Actor{Kind: event.ByCustomer})
	if err != nil {
		bp.failPage(w, r, cat, err, "/b/"+b.Slug+"/ticket?lang="+cat.Lang)
		return
	}
	link, err := bp.s.d.Branches.TicketLink(r.Context(), t)
	if err != nil {
		bp.help.fail(w, r, err)
		return
	}
	http.Redirect(w, r, link+"?lang="+cat.Lang, http.StatusSeeOther)
}

// bookForm is GET /b/{branch}/book: the services, then the chosen one's free slots for the
// next week, grouped by day.
func (bp *branchPages) bookForm(w http.ResponseWriter, r *http.Request) {
	cat := bp.catalog(r)
	b, ok := bp.branchOf(w, r, cat)
	if !ok {
		return
	}
	p := bp.newPage(r, cat)
	bp.withBranch(r, p, b)
	if id := r.URL.Query().Get("service"); id != "" {
		for _, sc := range p.Services {
			if sc.ID == id {
				p.Service = sc
			}
		}
		if p.Service.ID == "" {
			bp.failPage(w, r, cat, branch.ErrNotFound, "/b/"+b.Slug+"/book?lang="+cat.Lang)
			return
		}
		slots, err := bp.s.d.Branches.Slots(r.Context(), b, id, bp.s.d.Clock.Now(), 7)
		if err != nil {
			bp.help.fail(w, r, err)
			return
		}
		loc := bp.s.d.Branches.Location(r.Context(), b)
		for _, sl := range slots {
			st := sl.Start.In(loc)
			label := cat.T("branch.day", "weekday", cat.T("branch.weekday."+strconv.Itoa(int(st.Weekday()))), "day", strconv.Itoa(st.Day()),
				"month", cat.T("date.month."+strconv.Itoa(int(st.Month()))))
			if len(p.Days) == 0 || p.Days[len(p.Days)-1].Label != label {
				p.Days = append(p.Days, slotDay{Label: label})
			}
			d := &p.Days[len(p.Days)-1]
			d.Slots = append(d.Slots, slotChoice{Label: st.Format("15:04"), Value: strconv.FormatInt(sl.Start.Unix(), 10)})
		}
	}
	bp.render(w, r, http.StatusOK, "book", p)
}

// book is POST /b/{branch}/book (a same-origin form): the appointment, then its page.
func (bp *branchPages) book(w http.ResponseWriter, r *http.Request) {
	cat := bp.catalog(r)
	b, ok := bp.branchOf(w, r, cat)
	if !ok {
		return
	}
	back := "/b/" + b.Slug + "/book?" + url.Values{"lang": {cat.Lang}, "service": {r.PostFormValue("service")}}.Encode()
	start, ok := branch.ParseSlot(r.PostFormValue("slot"))
	if !ok {
		bp.notice(w, r, http.StatusUnprocessableEntity, cat, "branch.book.choose", back)
		return
	}
	a, err := bp.s.d.Branches.Book(r.Context(), branch.BookInput{BranchID: b.ID, ServiceID: r.PostFormValue("service"), Start: start,
		Phone: branch.CleanField(r.PostFormValue("phone"), 40), Name: branch.CleanField(r.PostFormValue("name"), 100), Lang: cat.Lang, Via: "web"},
		event.Actor{Kind: event.ByCustomer})
	if err != nil {
		bp.failPage(w, r, cat, err, back)
		return
	}
	link, err := bp.s.d.Branches.AppointmentLink(r.Context(), a)
	if err != nil {
		bp.help.fail(w, r, err)
		return
	}
	http.Redirect(w, r, link+"?lang="+cat.Lang, http.StatusSeeOther)
}

// showAppointment is GET /a/{token}.
func (bp *branchPages) showAppointment(w http.ResponseWriter, r *http.Request) {
	if !bp.limit(w, r) {
		return
	}
	ctx := r.Context()
	a, err := bp.s.d.Branches.OpenAppointment(ctx, r.PathValue("token"))
	if err != nil {
		bp.failPage(w, r, bp.catalog(r), err, "")
		return
	}
	cat := bp.catalog(r, a.Lang)
	b, err := bp.s.d.Branches.Branch(ctx, a.BranchID)
	if err != nil {
		bp.failPage(w, r, cat, err, "")
		return
	}
	p := bp.newPage(r, cat)
	bp.withBranch(r, p, b)
	p.Appt = &apptInfo{When: bp.s.d.Branches.When(ctx, cat, b, a.Start), Name: a.Name, Cancelled: a.CancelledAt != nil,
		CancelURL: "/a/" + r.PathValue("token") + "/cancel"}
	if d, ok := b.Desk(a.DeskID); ok {
		p.Appt.Desk = d.Name
	}
	for _, sc := range p.Services {
		if sc.ID == a.ServiceID {
			p.Appt.Service = sc.Name
		}
	}
	bp.render(w, r, http.StatusOK, "appointment", p)
}

// cancelAppointment is POST /a/{token}/cancel.
func (bp *branchPages) cancelAppointment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := bp.s.d.Branches.OpenAppointment(ctx, r.PathValue("token"))
	if err == nil {
		_, err = bp.s.d.Branches.Cancel(ctx, a.ID, event.Actor{Kind: event.ByCustomer, ID: a.CustomerID})
	}
	if err != nil && !errors.Is(err, branch.ErrState) {
		bp.failPage(w, r, bp.catalog(r, a.Lang), err, "")
		return
	}
	http.Redirect(w, r, "/a/"+r.PathValue("token")+"?lang="+bp.catalog(r, a.Lang).Lang, http.StatusSeeOther)
}

// display is GET /b/{branch}/display: the numbers called to each desk, in big type, live.
func (bp *branchPages) display(w http.ResponseWriter, r *http.Request) {
	cat := bp.catalog(r)
	b, ok := bp.branchOf(w, r, cat)
	if !ok {
		return
	}
	bd, err := bp.s.d.Branches.Board(r.Context(), b)
	if err != nil {
		bp.help.fail(w, r, err)
		return
	}
	p := bp.newPage(r, cat)
	bp.withBranch(r, p, b)
	p.Live, p.Refresh = true, 10
	for _, t := range bd.Called {
		d, _ := b.Desk(t.DeskID)
		p.Called = append(p.Called, calledNumber{Label: t.Label(), Desk: d.Name, Serving: t.Status == branch.Serving})
	}
	p.Waiting = len(bd.Waiting)
	p.Now = bp.s.d.Clock.Now().In(bp.s.d.Branches.Location(r.Context(), b)).Format("15:04")
	bp.render(w, r, http.StatusOK, "display", p)
}

// kioskPage starts a kiosk page: large type, back home after kioskIdle seconds untouched.
func (bp *branchPages) kioskPage(w http.ResponseWriter, r *http.Request) (*branchPage, bool) {
	cat := bp.catalog(r)
	b, ok := bp.branchOf(w, r, cat)
	if !ok {
		return nil, false
	}
	p := bp.newPage(r, cat)
	bp.withBranch(r, p, b)
	p.KioskHome = "/kiosk/" + b.Slug + "?lang=" + cat.Lang
	p.Refresh, p.RefreshURL = kioskIdle, "/kiosk/"+b.Slug
	return p, true
}

// kiosk is GET /kiosk/{branch}: take a ticket, check in, search help, see the services.
func (bp *branchPages) kiosk(w http.ResponseWriter, r *http.Request) {
	p, ok := bp.kioskPage(w, r)
	if !ok {
		return
	}
	// The home page is where the kiosk rests: it does not reload itself, or a visitor
	// reading it would lose their place.
	p.Refresh, p.RefreshURL = 0, ""
	bp.render(w, r, http.StatusOK, "kiosk", p)
}

// kioskServices is GET /kiosk/{branch}/services: the catalogue as the branch offers it.
func (bp *branchPages) kioskServices(w http.ResponseWriter, r *http.Request) {
	if p, ok := bp.kioskPage(w, r); ok {
		bp.render(w, r, http.StatusOK, "kiosk-services", p)
	}
}

// kioskHelp is GET /kiosk/{branch}/help: the help centre's search, its best passage on the
// kiosk's own screen.
func (bp *branchPages) kioskHelp(w http.ResponseWriter, r *http.Request) {
	p, ok := bp.kioskPage(w, r)
	if !ok {
		return
	}
	p.Help = &kioskHelp{Query: branch.CleanField(r.URL.Query().Get("q"), 300)}
	if p.Help.Query != "" {
		p.Help.Searched = true
		res, err := bp.s.d.Help.Search(r.Context(), helpcenter.SearchRequest{Text: p.Help.Query, Lang: p.Lang, Limit: 4})
		if err != nil {
			bp.help.fail(w, r, err)
			return
		}
		for i, h := range res.Hits {
			if i == 0 {
				p.Help.Title, p.Help.Passage = h.Article.Title, h.Passage
				continue
			}
			p.Help.Others = append(p.Help.Others, h.Article.Title)
		}
	}
	bp.render(w, r, http.StatusOK, "kiosk-help", p)
}

// kioskTake is POST /kiosk/{branch}/ticket: a ticket, shown on the kiosk's screen.
func (bp *branchPages) kioskTake(w http.ResponseWriter, r *http.Request) {
	cat := bp.catalog(r)
	b, ok := bp.branchOf(w, r, cat)
	if !ok {
		return
	}
	t, err := bp.s.d.Branches.Take(r.Context(), branch.TicketInput{BranchID: b.ID, ServiceID: r.PostFormValue("service"), Lang: cat.Lang, Via: "kiosk"},
		event.Actor{Kind: event.ByCustomer})
	if err != nil {
		bp.failPage(w, r, cat, err, "/kiosk/"+b.Slug+"?lang="+cat.Lang)
		return
	}
	link, err := bp.s.d.Branches.TicketLink(r.Context(), t)
	if err != nil {
		bp.help.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/kiosk/"+b.Slug+"/t/"+link[len("/q/"):]+"?lang="+cat.Lang, http.StatusSeeOther)
}

// kioskTicket is GET /kiosk/{branch}/t/{token}: the ticket on the kiosk's screen, with a
// form to text it to a phone.
func (bp *branchPages) kioskTicket(w http.ResponseWriter, r *http.Request) {
	p, ok := bp.kioskPage(w, r)
	if !ok {
		return
	}
	t, err := bp.s.d.Branches.OpenTicket(r.Context(), r.PathValue("token"))
	if err != nil || t.BranchID != p.Branch.ID {
		bp.failPage(w, r, p.cat, branch.ErrNotFound, p.KioskHome)
		return
	}
	if p.Ticket, err = bp.ticketInfo(r, p, p.Branch, t); err != nil {
		bp.help.fail(w, r, err)
		return
	}
	p.Ticket.TextURL = "/kiosk/" + p.Branch.Slug + "/t/" + r.PathValue("token") + "/text"
	switch r.URL.Query().Get("sent") {
	case "1":
		p.Notice = p.T("branch.kiosk.sent")
	case "0":
		p.Notice = p.T("branch.kiosk.not_sent")
	}
	bp.render(w, r, http.StatusOK, "kiosk-ticket", p)
}

// kioskText is POST /kiosk/{branch}/t/{token}/text: text the ticket to the number typed.
func (bp *branchPages) kioskText(w http.ResponseWriter, r *http.Request) {
	cat := bp.catalog(r)
	b, ok := bp.branchOf(w, r, cat)
	if !ok {
		return
	}
	back := "/kiosk/" + b.Slug + "/t/" + r.PathValue("token") + "?lang=" + cat.Lang
	t, err := bp.s.d.Branches.OpenTicket(r.Context(), r.PathValue("token"))
	if err != nil || t.BranchID != b.ID {
		bp.failPage(w, r, cat, branch.ErrNotFound, "/kiosk/"+b.Slug)
		return
	}
	sent, err := bp.s.d.Branches.TextTicket(r.Context(), t.ID, branch.CleanField(r.PostFormValue("phone"), 40), event.Actor{Kind: event.ByCustomer})
	if err != nil {
		bp.failPage(w, r, cat, err, back)
		return
	}
	flag := "1"
	if sent.MessageID == "" {
		flag = "0"
	}
	http.Redirect(w, r, back+"&sent="+flag, http.StatusSeeOther)
}

// kioskCheckInForm is GET /kiosk/{branch}/checkin: type the code (or arrive from the
// ticket's QR code with it filled in) and confirm.
func (bp *branchPages) kioskCheckInForm(w http.ResponseWriter, r *http.Request) {
	p, ok := bp.kioskPage(w, r)
	if !ok {
		return
	}
	if c, ok := branch.ParseCode(r.URL.Query().Get("code")); ok {
		p.Code = c
	}
	bp.render(w, r, http.StatusOK, "kiosk-checkin", p)
}

// kioskCheckIn is POST /kiosk/{branch}/checkin.
func (bp *branchPages) kioskCheckIn(w http.ResponseWriter, r *http.Request) {
	p, ok := bp.kioskPage(w, r)
	if !ok {
		return
	}
	code, ok := branch.ParseCode(r.PostFormValue("code"))
	var t branch.Ticket
	var err error
	if ok {
		t, err = bp.s.d.Branches.CheckIn(r.Context(), p.Branch.ID, code, event.Actor{Kind: event.ByCustomer})
	}
	status := http.StatusOK
	switch {
	case !ok || errors.Is(err, branch.ErrNotFound) || errors.Is(err, branch.ErrState):
		p.Error, status = p.T("branch.checkin.unknown"), http.StatusUnprocessableEntity
	case err != nil:
		bp.help.fail(w, r, err)
		return
	default:
		if p.Ticket, err = bp.ticketInfo(r, p, p.Branch, t); err != nil {
			bp.help.fail(w, r, err)
			return
		}
		p.Notice = p.T("branch.checkin.done", "number", p.Ticket.Label)
	}
	bp.render(w, r, status, "kiosk-checkin", p)
}

// deskPage is GET /desk/{desk}: the clerk's page — who is at the desk, how many wait, and
// the buttons. Signed in (agents and up); forms post back to it.
func (bp *branchPages) deskPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cat := bp.catalog(r)
	if pr, ok := principalFrom(ctx); ok && len(pr.user.Languages) > 0 && r.URL.Query().Get("lang") == "" {
		cat = bp.catalog(r, pr.user.Languages...)
	}
	d, b, err := bp.s.d.Branches.DeskByID(ctx, r.PathValue("desk"))
	if err != nil {
		bp.failPage(w, r, cat, err, "")
		return
	}
	bd, err := bp.s.d.Branches.Board(ctx, b)
	if err != nil {
		bp.help.fail(w, r, err)
		return
	}
	p := bp.newPage(r, cat)
	bp.withBranch(r, p, b)
	p.Live, p.Refresh = true, 15
	base := "/desk/" + d.ID
	p.Desk = &deskInfo{ID: d.ID, Name: d.Name, CallURL: base + "/call", BaseURL: base}
	for _, t := range bd.Called {
		if t.DeskID == d.ID {
			ti, err := bp.ticketInfo(r, p, b, t)
			if err != nil {
				bp.help.fail(w, r, err)
				return
			}
			p.Desk.Current = append(p.Desk.Current, *ti)
		}
	}
	for _, t := range bd.Waiting {
		if t.Pickup && d.Fast || !t.Pickup && d.Serves(t.ServiceID) {
			p.Desk.Waiting++
		}
	}
	switch r.URL.Query().Get("n") {
	case "empty":
		p.Notice = p.T("branch.desk.nobody")
	case "state":
		p.Notice = p.T("branch.state")
	}
	bp.render(w, r, http.StatusOK, "desk", p)
}

// deskCall is POST /desk/{desk}/call.
func (bp *branchPages) deskCall(w http.ResponseWriter, r *http.Request) {
	_, err := bp.s.d.Branches.CallNext(r.Context(), r.PathValue("desk"), actorOf(r))
	bp.deskBack(w, r, err)
}

// deskTicket is POST /desk/{desk}/tickets/{id}: action=serve, done or no-show.
func (bp *branchPages) deskTicket(w http.ResponseWriter, r *http.Request) {
	var err error
	switch a := r.PostFormValue("action"); a {
	case "serve":
		_, err = bp.s.d.Branches.Serve(r.Context(), r.PathValue("id"), actorOf(r))
	case branch.Done, branch.NoShow:
		_, err = bp.s.d.Branches.Finish(r.Context(), r.PathValue("id"), a, actorOf(r))
	default:
		err = branch.ErrState
	}
	bp.deskBack(w, r, err)
}

func (bp *branchPages) deskBack(w http.ResponseWriter, r *http.Request, err error) {
	to := "/desk/" + r.PathValue("desk")
	if l := r.PostFormValue("lang"); l != "" {
		to += "?lang=" + url.QueryEscape(l) + "&"
	} else {
		to += "?"
	}
	switch {
	case err == nil:
		http.Redirect(w, r, to[:len(to)-1], http.StatusSeeOther)
	case errors.Is(err, branch.ErrNotFound):
		http.Redirect(w, r, to+"n=empty", http.StatusSeeOther)
	case errors.Is(err, branch.ErrState):
		http.Redirect(w, r, to+"n=state", http.StatusSeeOther)
	default:
		bp.help.fail(w, r, err)
	}
}
