package assist_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/assist"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/webchat"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/helpcenter"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// fixture is the whole app over a real database, with a web chat channel, a visitor of it, and
// the rule "two searches without a click → offer a chat".
type fixture struct {
	t       *testing.T
	ctx     context.Context
	a       *app.App
	clock   *clock.Manual
	ch      channel.Channel
	visitor string
	token   string
}

var supervisor = event.Actor{Kind: event.ByUser, ID: "supervisor-1"}

func newFixture(t *testing.T, dsn string) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), clock: clock.NewManual(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))}
	a, err := app.Open(f.ctx, app.Options{DSN: dsn, Clock: f.clock, Argon: auth.CheapArgon(), NodeID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	f.a = a
	if f.ch, err = a.Channels.Ensure(f.ctx, channel.Channel{Name: "chat", Kind: webchat.Kind, Secret: "s3cret", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	f.visitor, f.token = f.newVisitor()
	if _, err := a.Assist.PutRule(f.ctx, "stuck-searching", assist.RuleInput{Name: "Two searches, nothing opened", When: "searches_without_click >= 2", Offer: assist.OfferChat}, supervisor); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) newVisitor() (string, string) {
	id, tok, err := webchat.New().NewVisitor(f.ch)
	if err != nil {
		f.t.Fatal(err)
	}
	return id, tok
}

// search records a help-centre search as /help/search does and returns its page's token.
func (f *fixture) search(q string) (string, string) {
	f.t.Helper()
	res, err := f.a.Help.Search(f.ctx, helpcenter.SearchRequest{Text: q, Lang: "en", Record: true, Visitor: "cookie-1"})
	if err != nil || res.ID == "" {
		f.t.Fatalf("search %q: %v (id %q)", q, err, res.ID)
	}
	return res.ID, f.page(assist.Page{Kind: assist.PageSearch, Ref: res.ID, Query: q, Results: len(res.Hits)})
}

func (f *fixture) page(p assist.Page) string {
	f.t.Helper()
	tok, err := f.a.Assist.PageToken(f.ctx, p)
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

func (f *fixture) report(visitor, page string) assist.Answer {
	f.t.Helper()
	ans, err := f.a.Assist.Record(f.ctx, f.ch.ID, assist.SignalInput{VisitorID: visitor, Token: "checked by the web layer", Kind: assist.ReportPage, Page: page, Lang: "en"})
	if err != nil {
		f.t.Fatal(err)
	}
	return ans
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.a.DB.Q(f.ctx).QueryRow(f.ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) events(kind event.Kind) []event.Event {
	f.t.Helper()
	evs, err := f.a.Events.List(f.ctx, event.Filter{Kinds: []event.Kind{kind}})
	if err != nil {
		f.t.Fatal(err)
	}
	return evs
}

func TestTwoSearchesWithoutAClickMakeOneOffer(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		_, p1 := f.search("lost my card abroad")
		if ans := f.report(f.visitor, p1); ans.Offer != nil {
			t.Fatalf("one search made an offer: %+v", ans.Offer)
		}
		// The same page reported again (a reload, a second tab) is the same search.
		if ans := f.report(f.visitor, p1); ans.Offer != nil {
			t.Fatalf("one search reported twice made an offer: %+v", ans.Offer)
		}
		_, p2 := f.search("card stolen what now")
		ans := f.report(f.visitor, p2)
		if ans.Offer == nil || !ans.New || ans.Offer.Kind != assist.OfferChat || ans.Offer.RuleID != "stuck-searching" {
			t.Fatalf("second search: %+v (offer %+v), want a new chat offer", ans, ans.Offer)
		}
		// A third search: the same offer, still unanswered, not a second one.
		_, p3 := f.search("call the insurer")
		again := f.report(f.visitor, p3)
		if again.Offer == nil || again.New || again.Offer.ID != ans.Offer.ID {
			t.Fatalf("third search: %+v, want the same offer %s", again, ans.Offer.ID)
		}
		if n := len(f.events(assist.OfferMade)); n != 1 {
			t.Errorf("%d offer-made events, want 1", n)
		}
		if n := len(f.events(assist.SignalRecorded)); n != 3 {
			t.Errorf("%d signal events, want 3 (the reload counts once)", n)
		}
		// Another visitor's searches are their own visit.
		other, _ := f.newVisitor()
		if ans := f.report(other, p3); ans.Offer != nil {
			t.Errorf("another visitor got an offer from one search: %+v", ans.Offer)
		}
	})
}

func TestASearchWithAClickDoesNotCount(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		art, err := f.a.Help.Create(f.ctx, supervisor, helpcenter.Input{Lang: "en", Title: "Lost card", Body: "Call us to block a lost card.", Status: helpcenter.Published})
		if err != nil {
			t.Fatal(err)
		}
		s1, p1 := f.search("lost card")
		f.report(f.visitor, p1)
		// The click is the help centre's record: the visitor opened a result of the first search.
		if err := f.a.Help.Signal(f.ctx, helpcenter.SignalRequest{SearchID: s1, ArticleID: art.ID, Kind: helpcenter.SignalClick, Rank: 1}); err != nil {
			t.Fatal(err)
		}
		_, p2 := f.search("card blocked")
		if ans := f.report(f.visitor, p2); ans.Offer != nil {
			t.Fatalf("one unclicked search made an offer: %+v", ans.Offer)
		}
		_, p3 := f.search("card blocked abroad")
		if ans := f.report(f.visitor, p3); ans.Offer == nil {
			t.Fatal("two unclicked searches made no offer")
		}
	})
}

// Signals from many tabs at once, each a search of its own: one visit, one offer, every
// answer naming it.
func TestOneOfferPerVisitUnderConcurrentSignals(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		const tabs = 12
		pages := make([]string, tabs)
		for i := range pages {
			_, pages[i] = f.search("question number " + string(rune('a'+i)))
		}
		var wg sync.WaitGroup
		offers := make([]string, tabs)
		errs := make([]error, tabs)
		for i := range pages {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				ans, err := f.a.Assist.Record(f.ctx, f.ch.ID, assist.SignalInput{VisitorID: f.visitor, Token: "t", Kind: assist.ReportPage, Page: pages[i]})
				errs[i] = err
				if ans.Offer != nil {
					offers[i] = ans.Offer.ID
				}
			}(i)
		}
		wg.Wait()
		ids := map[string]bool{}
		for i, err := range errs {
			if err != nil {
				t.Fatalf("tab %d: %v", i, err)
			}
			if offers[i] != "" {
				ids[offers[i]] = true
			}
		}
		if len(ids) != 1 {
			t.Errorf("offers seen: %v, want exactly one", ids)
		}
		if n := f.count(`SELECT COUNT(*) FROM assist_offers`); n != 1 {
			t.Errorf("%d offers stored, want 1", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM assist_visits`); n != 1 {
			t.Errorf("%d visits, want 1", n)
		}
		if n := len(f.events(assist.OfferMade)); n != 1 {
			t.Errorf("%d offer-made events, want 1", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM assist_signals WHERE kind = 'search'`); n != tabs {
			t.Errorf("%d searches stored, want %d", n, tabs)
		}
	})
}

func TestAPageTokenTheServerDidNotSignStoresNothing(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		_, good := f.search("lost card")
		body, mac, _ := strings.Cut(good, ".")
		flipped := []byte(body)
		flipped[len(flipped)/2] ^= 1
		expired := good
		for _, bad := range []string{"", "x", "x.y", string(flipped) + "." + mac, body + ".AAAAAAAAAAAAAAAAAAAAAA", body + "." + mac + "x", strings.Repeat("a", 3000) + "." + mac} {
			if _, err := f.a.Assist.Record(f.ctx, f.ch.ID, assist.SignalInput{VisitorID: f.visitor, Token: "t", Kind: assist.ReportPage, Page: bad}); !errors.Is(err, assist.ErrBadPage) {
				t.Errorf("page %q: %v, want ErrBadPage", bad, err)
			}
		}
		f.clock.Advance(assist.PageTTL + time.Minute)
		if _, err := f.a.Assist.Record(f.ctx, f.ch.ID, assist.SignalInput{VisitorID: f.visitor, Token: "t", Kind: assist.ReportPage, Page: expired}); !errors.Is(err, assist.ErrBadPage) {
			t.Errorf("expired page: %v, want ErrBadPage", err)
		}
		if n := f.count(`SELECT COUNT(*) FROM assist_signals`) + f.count(`SELECT COUNT(*) FROM assist_visits`); n != 0 {
			t.Errorf("%d rows stored for refused reports", n)
		}
	})
}

// Accepting the chat makes the visitor a customer, puts the searches on their timeline, and
// opens a conversation whose first line names them; an agent is given it as any new one.
func TestAcceptingAChatOpensItWithWhatTheVisitorSearched(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		_, p1 := f.search("lost my card abroad")
		f.report(f.visitor, p1)
		_, p2 := f.search("card stolen what now")
		offer := f.report(f.visitor, p2).Offer
		if offer == nil {
			t.Fatal("no offer")
		}
		// Not this visitor's offer: the same as no offer.
		other, _ := f.newVisitor()
		if _, err := f.a.Assist.Decide(f.ctx, f.ch.ID, other, offer.ID, assist.Decision{Action: "accept"}); !errors.Is(err, assist.ErrNotFound) {
			t.Fatalf("another visitor accepted: %v", err)
		}
		d, err := f.a.Assist.Decide(f.ctx, f.ch.ID, f.visitor, offer.ID, assist.Decision{Action: "accept", Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if d.ConversationID == "" || d.Offer.Status != assist.StatusAccepted {
			t.Fatalf("decided %+v", d)
		}
		conv, err := f.a.Conversations.Get(f.ctx, d.ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		if len(conv.Messages) != 1 || conv.Messages[0].Direction != conversation.Outbound ||
			!strings.Contains(conv.Messages[0].Text, "lost my card abroad") || !strings.Contains(conv.Messages[0].Text, "card stolen what now") {
			t.Fatalf("messages %+v, want one first line naming both searches", conv.Messages)
		}
		cust, err := f.a.Customers.FindByIdentity(f.ctx, customer.Visitor, f.visitor)
		if err != nil || cust.ID != conv.CustomerID {
			t.Fatalf("visitor's customer %v, %v; conversation's %s", cust.ID, err, conv.CustomerID)
		}
		timeline, err := f.a.Events.List(f.ctx, event.Filter{CustomerIDs: []string{cust.ID}, Kinds: []event.Kind{assist.VisitLinked, assist.OfferAccepted}})
		if err != nil || len(timeline) != 2 {
			t.Fatalf("timeline %v, %v", timeline, err)
		}
		linked := string(timeline[0].Data)
		if timeline[0].Kind != assist.VisitLinked || !strings.Contains(linked, `"query":"lost my card abroad"`) || !strings.Contains(linked, `"query":"card stolen what now"`) || !strings.Contains(linked, `"clicked":false`) {
			t.Errorf("visit-linked %s", linked)
		}
		// Another tab answering the same offer is too late.
		if _, err := f.a.Assist.Decide(f.ctx, f.ch.ID, f.visitor, offer.ID, assist.Decision{Action: "dismiss"}); !errors.Is(err, assist.ErrDecided) {
			t.Errorf("second answer: %v, want ErrDecided", err)
		}
		// Now a customer, the visitor's next signals carry them.
		_, p3 := f.search("and one more")
		f.report(f.visitor, p3)
		evs := f.events(assist.SignalRecorded)
		if last := evs[len(evs)-1]; last.CustomerID != cust.ID {
			t.Errorf("signal after accepting has customer %q, want %q", last.CustomerID, cust.ID)
		}
		// The outcome: the conversation resolved.
		if _, err := f.a.Conversations.SetStatus(f.ctx, conv.ID, conversation.Resolved, supervisor); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for len(f.events(assist.OfferCompleted)) == 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if evs := f.events(assist.OfferCompleted); len(evs) != 1 || !strings.Contains(string(evs[0].Data), `"outcome":"resolved"`) {
			t.Errorf("outcome events %v", evs)
		}
	})
}

func TestACallbackTakesAPhoneNumber(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		if _, err := f.a.Assist.PutRule(f.ctx, "left-claim", assist.RuleInput{Name: "Left the claim", When: "abandoned_at == what_happened", Offer: assist.OfferCallback, Priority: 10}, supervisor); err != nil {
			t.Fatal(err)
		}
		f.report(f.visitor, f.page(assist.Page{Kind: assist.PageFlow, Ref: "car-claim", Step: "plate"}))
		f.report(f.visitor, f.page(assist.Page{Kind: assist.PageFlow, Ref: "car-claim", Step: "what_happened", Error: true}))
		if ans := f.report(f.visitor, f.page(assist.Page{Kind: assist.PageFlow, Ref: "car-claim", Step: "what_happened"})); ans.Offer != nil {
			t.Fatalf("offer while the flow goes on: %+v", ans.Offer)
		}
		ans := f.report(f.visitor, f.page(assist.Page{Kind: assist.PageOther, Ref: "home"}))
		if ans.Offer == nil || ans.Offer.Kind != assist.OfferCallback || ans.Offer.RuleID != "left-claim" {
			t.Fatalf("after leaving the flow: %+v", ans.Offer)
		}
		var ie *assist.InputError
		if _, err := f.a.Assist.Decide(f.ctx, f.ch.ID, f.visitor, ans.Offer.ID, assist.Decision{Action: "accept", Phone: "not a phone"}); !errors.As(err, &ie) || ie.Field != "phone" {
			t.Fatalf("bad phone: %v", err)
		}
		d, err := f.a.Assist.Decide(f.ctx, f.ch.ID, f.visitor, ans.Offer.ID, assist.Decision{Action: "accept", Phone: "050-123-4567", Lang: "he"})
		if err != nil {
			t.Fatal(err)
		}
		conv, err := f.a.Conversations.Get(f.ctx, d.ConversationID)
		if err != nil || len(conv.Messages) != 1 || !strings.Contains(conv.Messages[0].Text, "+972501234567") {
			t.Fatalf("callback conversation %+v, %v", conv.Messages, err)
		}
		linked := f.events(assist.VisitLinked)
		if len(linked) != 1 || !strings.Contains(string(linked[0].Data), `"signal":"form-error"`) || !strings.Contains(string(linked[0].Data), `"signal":"flow-abandoned"`) {
			t.Errorf("visit-linked %v", linked)
		}
	})
}

func TestRulesAreValidatedAndEditable(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		var ie *assist.InputError
		for _, in := range []assist.RuleInput{
			{Name: "x", When: "clicks > 2", Offer: assist.OfferChat},
			{Name: "", When: "searches > 2", Offer: assist.OfferChat},
			{Name: "x", When: "searches > 2", Offer: "sms"},
			{Name: "x", When: "searches > 2", Offer: assist.OfferArticle},
			{Name: "x", When: "searches > 2", Offer: assist.OfferChat, ArticleID: "a1"},
		} {
			if _, err := f.a.Assist.PutRule(f.ctx, "r", in, supervisor); !errors.As(err, &ie) {
				t.Errorf("PutRule(%+v) = %v, want an InputError", in, err)
			}
		}
		off := false
		if _, err := f.a.Assist.PutRule(f.ctx, "stuck-searching", assist.RuleInput{Name: "Off", When: "searches_without_click >= 2", Offer: assist.OfferChat, Enabled: &off}, supervisor); err != nil {
			t.Fatal(err)
		}
		_, p1 := f.search("a")
		f.report(f.visitor, p1)
		_, p2 := f.search("b")
		if ans := f.report(f.visitor, p2); ans.Offer != nil {
			t.Errorf("a disabled rule made an offer")
		}
		rules, err := f.a.Assist.Rules(f.ctx)
		if err != nil || len(rules) != 1 || rules[0].Enabled {
			t.Fatalf("rules %+v, %v", rules, err)
		}
		if err := f.a.Assist.DeleteRule(f.ctx, "stuck-searching", supervisor); err != nil {
			t.Fatal(err)
		}
		if err := f.a.Assist.DeleteRule(f.ctx, "stuck-searching", supervisor); !errors.Is(err, assist.ErrNotFound) {
			t.Errorf("second delete: %v", err)
		}
	})
}

// A long read of a claims article earns the article offer; accepting it and opening the
// article is its outcome.
func TestALongReadEarnsAnArticleWhoseOpeningIsTheOutcome(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		art, err := f.a.Help.Create(f.ctx, supervisor, helpcenter.Input{Lang: "en", Title: "How a claim is decided", Body: "Every claim is read by an assessor.", Category: "claims", Status: helpcenter.Published})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.Assist.PutRule(f.ctx, "claims-read", assist.RuleInput{Name: "Long claims read", When: "dwell:claims > 90", Offer: assist.OfferArticle, ArticleID: art.ID, Priority: 3}, supervisor); err != nil {
			t.Fatal(err)
		}
		page := f.page(assist.Page{Kind: assist.PageArticle, Ref: "a-claims", Category: "claims"})
		f.report(f.visitor, page)
		dwell := func(s int) assist.Answer {
			ans, err := f.a.Assist.Record(f.ctx, f.ch.ID, assist.SignalInput{VisitorID: f.visitor, Token: "t", Kind: assist.ReportDwell, Page: page, Seconds: s})
			if err != nil {
				t.Fatal(err)
			}
			return ans
		}
		if ans := dwell(60); ans.Offer != nil {
			t.Fatalf("60 s made an offer: %+v", ans.Offer)
		}
		if ans := dwell(90); ans.Offer != nil {
			t.Fatalf("90 s made an offer (the rule says more than 90): %+v", ans.Offer)
		}
		ans := dwell(120)
		if ans.Offer == nil || ans.Offer.Kind != assist.OfferArticle || ans.Offer.ArticleID != art.ID {
			t.Fatalf("120 s: %+v", ans.Offer)
		}
		if _, err := f.a.Assist.Decide(f.ctx, f.ch.ID, f.visitor, ans.Offer.ID, assist.Decision{Action: "accept"}); err != nil {
			t.Fatal(err)
		}
		if n := f.count(`SELECT COUNT(*) FROM customers`); n != 0 {
			t.Errorf("an article offer made %d customers; only a chat or a callback needs one", n)
		}
		f.report(f.visitor, f.page(assist.Page{Kind: assist.PageArticle, Ref: art.ID, Category: "claims"}))
		if evs := f.events(assist.OfferCompleted); len(evs) != 1 || !strings.Contains(string(evs[0].Data), `"outcome":"article-opened"`) {
			t.Errorf("outcome %v", evs)
		}
	})
}

// After half an hour of silence the visitor's next signal starts a new visit, which may earn
// an offer of its own; a dismissed offer is not shown again in its visit.
func TestANewVisitAfterSilence(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		for _, q := range []string{"one", "two"} {
			_, p := f.search(q)
			f.report(f.visitor, p)
		}
		_, p := f.search("three")
		first := f.report(f.visitor, p).Offer
		if first == nil {
			t.Fatal("no offer")
		}
		if _, err := f.a.Assist.Decide(f.ctx, f.ch.ID, f.visitor, first.ID, assist.Decision{Action: "dismiss"}); err != nil {
			t.Fatal(err)
		}
		_, p = f.search("four")
		if ans := f.report(f.visitor, p); ans.Offer != nil {
			t.Fatalf("a dismissed visit offered again: %+v", ans.Offer)
		}
		f.clock.Advance(assist.VisitIdle + time.Minute)
		_, p = f.search("five")
		if ans := f.report(f.visitor, p); ans.Offer != nil {
			t.Fatalf("one search of a new visit made an offer: %+v", ans.Offer)
		}
		_, p = f.search("six")
		second := f.report(f.visitor, p).Offer
		if second == nil || second.ID == first.ID {
			t.Fatalf("the new visit's offer: %+v", second)
		}
		if n := f.count(`SELECT COUNT(*) FROM assist_visits`); n != 2 {
			t.Errorf("%d visits, want 2", n)
		}
		if n := len(f.events(assist.OfferDismissed)); n != 1 {
			t.Errorf("%d dismissals", n)
		}
	})
}
