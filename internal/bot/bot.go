package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/helpcenter"
	"github.com/gesher-cs/gesher/internal/i18n"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store"
)

// Event kinds this package writes.
const (
	Answered       event.Kind = "bot.answered"       // a question answered from the help centre and the catalogue
	Helpful        event.Kind = "bot.helpful"        // the customer said the answer helped
	NotHelpful     event.Kind = "bot.not-helpful"    // … or that it did not
	HandedOver     event.Kind = "bot.handed-over"    // the conversation is the agents' now; data: reason
	FlowStarted    event.Kind = "bot.flow-started"   // a guided flow began as a conversation
	FlowAnswered   event.Kind = "bot.flow-answered"  // a step of it was answered
	FlowRefused    event.Kind = "bot.flow-refused"   // an answer was refused, as the web form refuses it
	FlowCancelled  event.Kind = "bot.flow-cancelled" // the customer stopped it; nothing was filed
	FlowFinished   event.Kind = "bot.flow-finished"  // it opened its case (completed, or stopped by a limit)
	handOverAsked             = "asked"              // the customer wrote "agent" or picked it
	handOverNotHit            = "nothing-found"      // neither the help centre nor the catalogue had anything
	handOverNo                = "not-helpful"        // the answer did not help
)

// SettingBot is the channel setting that turns the bot on for a channel: "on". Flows an agent
// starts run on any chat channel; answering questions, and starting a flow by its name, only
// where the bot is on.
const SettingBot = "bot"

// Enabled reports whether the bot answers on ch.
func Enabled(ch channel.Channel) bool { return ch.Settings[SettingBot] == "on" }

// chatKinds are the channels a conversation with the bot can happen on: the customer reads
// and answers a message at a time. SMS and email are not among them (each message costs, or
// waits), nor voice, which has its own menus.
var chatKinds = map[channel.Kind]bool{"whatsapp": true, "telegram": true, "webchat": true}

// langs are the languages the bot speaks: the catalogs complete in every text.
var langs = []string{"he", "ar", "en", "ru"}

// actor is who the bot's events are by.
var actor = event.Actor{Kind: event.BySystem, ID: "bot"}

// Deps are the services the bot works through.
type Deps struct {
	DB        *store.DB
	Clock     clock.Clock
	Events    *event.Log
	Customers *customer.Service
	Convs     *conversation.Service
	Channels  *channel.Channels
	Desk      *selfservice.Desk
	Help      *helpcenter.Service
	Log       *slog.Logger
}

// Bot answers customers on chat channels; see the package comment.
type Bot struct {
	d        Deps
	catalogs *i18n.Bundle
}

var _ channel.Responder = (*Bot)(nil)

// New returns the bot.
func New(d Deps) (*Bot, error) {
	b, err := i18n.Load()
	if err != nil {
		return nil, fmt.Errorf("bot: catalogs: %w", err)
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Bot{d: d, catalogs: b}, nil
}

// turn is one new message of a customer and where it came: what every reply needs.
type turn struct {
	ch   channel.Channel
	conv conversation.Conversation
	cust customer.Customer
	text string
	lang string
	cat  *i18n.Catalog
	// attachments are the message's files, stored by the ingest (a file step's answer).
	attachments []conversation.Attachment
	// press is set when the message is a tap on a button: it answers only the question its
	// key names (see choiceKey).
	press *channel.Press
}

func (t *turn) ev(kind event.Kind) event.Event {
	return event.Event{Kind: kind, CustomerID: t.cust.ID, ConversationID: t.conv.ID, ChannelID: t.ch.ID, Actor: actor}
}

// Respond implements channel.Responder: it runs in the ingest transaction of a new message.
// A flow in progress takes the message as its next answer; else, where the bot is on and no
// agent has joined, the message is a question for the bot.
func (b *Bot) Respond(ctx context.Context, ch channel.Channel, item channel.Inbound, rec conversation.Received) error {
	if !chatKinds[ch.Kind] || rec.Conversation.ID == "" {
		return nil
	}
	cust, err := b.d.Customers.Get(ctx, rec.Message.CustomerID)
	if err != nil {
		return err
	}
	t := &turn{ch: ch, conv: rec.Conversation, cust: cust, text: strings.TrimSpace(item.Text), attachments: rec.Message.Attachments, press: item.Press}
	fl, ok, err := b.flow(ctx, cust.ID)
	if err != nil {
		return err
	}
	if ok {
		t.lang = fl.Lang
		t.cat = b.catalog(t.lang)
		return b.advance(ctx, t, fl, item)
	}
	if !Enabled(ch) {
		return nil
	}
	var joined int
	if err := b.d.DB.Q(ctx).QueryRow(ctx, sqlAgentWrote, rec.Conversation.ID).Scan(&joined); err != nil {
		return fmt.Errorf("bot: has an agent joined: %w", err)
	}
	if joined > 0 {
		return nil
	}
	th, err := b.thread(ctx, rec.Conversation.ID)
	if err != nil {
		return err
	}
	if th.State == stateHanded {
		return nil
	}
	t.lang = b.langOf(cust, t.text, th.Lang)
	t.cat = b.catalog(t.lang)
	return b.answer(ctx, t, th)
}

func (b *Bot) catalog(lang string) *i18n.Catalog {
	for _, l := range []string{lang, "he", "en"} {
		if c, err := b.catalogs.Catalog(l); err == nil {
			return c
		}
	}
	c, _ := b.catalogs.Catalog(b.catalogs.Languages()[0])
	return c
}

// langOf is the language to answer in: the script the customer writes in when it says
// (Hebrew, Arabic, Cyrillic); else, for a reply without letters ("2"), the language the
// conversation was in (before); else their profile's language, else English for Latin
// letters, else Hebrew.
func (b *Bot) langOf(cust customer.Customer, text, before string) string {
	latin := false
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Hebrew, r):
			return "he"
		case unicode.Is(unicode.Arabic, r):
			return "ar"
		case unicode.Is(unicode.Cyrillic, r):
			return "ru"
		case unicode.Is(unicode.Latin, r):
			latin = true
		}
	}
	if !latin && slices.Contains(langs, before) {
		return before
	}
	for _, l := range cust.Languages {
		if slices.Contains(langs, l) {
			return l
		}
	}
	if latin {
		return "en"
	}
	return "he"
}

// say writes the bot's message on the conversation, queued for delivery on the channel the
// customer wrote on, marked as the bot's.
func (b *Bot) say(ctx context.Context, t *turn, lines ...string) error {
	return b.offer(ctx, t, "", nil, lines...)
}

// offer says lines that end with numbered answers, which go as buttons where the provider
// has them (choices, in the order numbered), each carrying key: the question they answer.
func (b *Bot) offer(ctx context.Context, t *turn, key string, choices []string, lines ...string) error {
	text := strings.TrimSpace(strings.Join(lines, "\n"))
	if text == "" {
		return nil
	}
	if len(choices) == 0 {
		key = ""
	}
	_, err := b.d.Convs.Reply(ctx, conversation.ReplyInput{ConversationID: t.conv.ID, ChannelID: t.ch.ID, Text: text, Bot: true, Choices: choices, ChoiceKey: key})
	return err
}

// choiceKey is the key of a question the bot asks with buttons (conversation.ReplyInput's
// ChoiceKey), which a press brings back: a digest of what the customer reads as the
// question. Telegram keeps every keyboard the bot sent, so a press may come from a message
// long answered; it counts only while its key is that of the question the bot waits for now,
// computed again from the flow or thread as stored. Anything that changes the question's
// meaning (another step, the answers a confirmation lists, a service edited meanwhile)
// changes the key, and an old press on it is stale.
func choiceKey(kind string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return kind + "-" + hex.EncodeToString(h.Sum(nil)[:6])
}

// askKey is the key of the "did this help?" question a thread is waiting on.
func askKey(th thread) string {
	return choiceKey("ask", th.Query, th.ArticleID, th.ServiceID, th.Lang)
}

// numbered lists options as "1. …", one a line: every channel shows it, and the parser reads
// the number back (ChoiceOf).
func numbered(options []string) string {
	var sb strings.Builder
	for i, o := range options {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(strconv.Itoa(i+1) + ". " + o)
	}
	return sb.String()
}

// thread states.
const (
	stateAsked  = "asked"
	stateHanded = "handed"
)

type thread struct {
	State, ArticleID, ServiceID, Query, Lang string
}

func (b *Bot) thread(ctx context.Context, convID string) (thread, error) {
	var th thread
	err := b.d.DB.Q(ctx).QueryRow(ctx, sqlSelectThread, convID).Scan(&th.State, &th.ArticleID, &th.ServiceID, &th.Query, &th.Lang)
	if store.IsNoRows(err) {
		return thread{}, nil
	}
	if err != nil {
		return th, fmt.Errorf("bot: read thread: %w", err)
	}
	return th, nil
}

func (b *Bot) keepThread(ctx context.Context, convID string, th thread) error {
	return b.exec(ctx, "keep thread", sqlUpsertThread, convID, th.State, th.ArticleID, th.ServiceID, th.Query, th.Lang, b.d.Clock.Now().UnixMilli())
}

// exec writes in the transaction carried by ctx (the ingest's, or StartFlow's).
func (b *Bot) exec(ctx context.Context, what, q string, args ...any) error {
	return b.d.DB.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("bot: %s: %w", what, err)
		}
		return nil
	})
}

// answer is the bot's turn on a question: the customer's answer to "did this help?", a
// service's name (which starts its flow), or a question for the help centre and the
// catalogue.
func (b *Bot) answer(ctx context.Context, t *turn, th thread) error {
	if t.press != nil && (th.State != stateAsked || t.press.Key != askKey(th)) {
		// A button of a question no longer asked (a finished flow's step, an earlier answer's
		// "did this help?", a survey that has closed) is no question for the help centre: the
		// bot lets it be, and the agents see it in the conversation.
		return nil
	}
	word := WordOf(t.text)
	if word == Agent {
		return b.handOver(ctx, t, handOverAsked)
	}
	if th.State == stateAsked {
		n := pick(t.text)
		switch {
		case n == 1 || word == Yes:
			if _, err := b.d.Events.Append(ctx, t.ev(Helpful), map[string]any{"article_id": th.ArticleID, "query": th.Query}); err != nil {
				return err
			}
			if th.ArticleID != "" {
				if err := b.d.Help.Feedback(ctx, th.ArticleID, true, "", t.cust.ID); err != nil {
					return err
				}
			}
			if err := b.exec(ctx, "forget thread", sqlDeleteThread, t.conv.ID); err != nil {
				return err
			}
			return b.say(ctx, t, t.cat.T("bot.thanks"))
		case n == 2 || word == No:
			if _, err := b.d.Events.Append(ctx, t.ev(NotHelpful), map[string]any{"article_id": th.ArticleID, "query": th.Query}); err != nil {
				return err
			}
			if th.ArticleID != "" {
				if err := b.d.Help.Feedback(ctx, th.ArticleID, false, "", t.cust.ID); err != nil {
					return err
				}
			}
			return b.handOver(ctx, t, handOverNo)
		case n == 3 && th.ServiceID != "":
			svc, err := b.d.Desk.GetService(ctx, th.ServiceID)
			if err != nil {
				return err
			}
			return b.start(ctx, t, svc, actor)
		case n == 3 || (n == 4 && th.ServiceID != ""):
			return b.handOver(ctx, t, handOverAsked)
		}
	}
	services, err := b.d.Desk.Services(ctx)
	if err != nil {
		return err
	}
	// A service named on its own ("car claim", "תביעת רכב") is a request to do it.
	if svc, ok := named(services, t.text); ok && flowVia(t.ch, svc) != "" {
		return b.start(ctx, t, svc, actor)
	}
	res, err := b.d.Help.Search(ctx, helpcenter.SearchRequest{Text: t.text, Lang: t.lang, Limit: 3, Record: true, CustomerID: t.cust.ID})
	if err != nil {
		return err
	}
	var art *helpcenter.Hit
	if len(res.Hits) > 0 {
		art = &res.Hits[0]
	}
	svc, hasSvc := related(services, art, t.text)
	if art == nil && !hasSvc {
		return b.handOver(ctx, t, handOverNotHit)
	}
	var lines []string
	data := map[string]any{"query": t.text, "search_id": res.ID}
	th = thread{State: stateAsked, Query: t.text, Lang: t.lang}
	if art != nil {
		th.ArticleID = art.Article.ID
		data["article_id"] = art.Article.ID
		passage := art.Passage
		if passage == "" {
			passage = art.Article.DisplayTitle()
		}
		lines = append(lines, t.cat.T("bot.answer.intro", "title", art.Article.DisplayTitle()), passage,
			t.cat.T("bot.answer.more", "link", b.articleLink(art.Article, t.lang)))
	}
	options := []string{t.cat.T("bot.ask.yes"), t.cat.T("bot.ask.no")}
	if hasSvc {
		data["service_id"] = svc.ID
		lines = append(append(lines, ""), b.serviceLines(t, svc)...)
		if flowVia(t.ch, svc) != "" {
			th.ServiceID = svc.ID
			options = append(options, t.cat.T("bot.ask.flow", "service", selfservice.Text(svc.Name, t.lang)))
		}
	}
	options = append(options, t.cat.T("bot.ask.agent"))
	lines = append(lines, "", t.cat.T("bot.ask"), numbered(options))
	if _, err := b.d.Events.Append(ctx, t.ev(Answered), data); err != nil {
		return err
	}
	if err := b.keepThread(ctx, t.conv.ID, th); err != nil {
		return err
	}
	return b.offer(ctx, t, askKey(th), options, lines...)
}

// serviceLines tell a service's ways and limits before the customer starts, as every place
// that shows a service does.
func (b *Bot) serviceLines(t *turn, svc selfservice.Service) []string {
	ways := make([]string, 0, len(svc.Channels))
	for _, w := range svc.Channels {
		ways = append(ways, t.cat.T("way."+string(w)))
	}
	lines := []string{t.cat.T("bot.service.ways", "service", selfservice.Text(svc.Name, t.lang), "ways", strings.Join(ways, ", "))}
	for _, l := range svc.Limits {
		lines = append(lines, "• "+selfservice.Text(l.Message, t.lang))
	}
	return lines
}

func (b *Bot) articleLink(a helpcenter.Article, lang string) string {
	return b.d.Desk.PublicURL() + "/help/articles/" + url.PathEscape(a.ID) + "?lang=" + url.QueryEscape(lang)
}

// named finds the service a reply names on its own: its id or its name in any language.
func named(services []selfservice.Service, text string) (selfservice.Service, bool) {
	want := normal(text)
	if want == "" {
		return selfservice.Service{}, false
	}
	for _, s := range services {
		if normal(s.ID) == want || normal(strings.ReplaceAll(s.ID, "-", " ")) == want {
			return s, true
		}
		for _, n := range s.Name {
			if normal(n) == want {
				return s, true
			}
		}
	}
	return selfservice.Service{}, false
}

// related is the service that fits the question: the first of the best article's services,
// else one whose name the question contains.
func related(services []selfservice.Service, art *helpcenter.Hit, text string) (selfservice.Service, bool) {
	if art != nil {
		for _, id := range art.Article.Services {
			if i := slices.IndexFunc(services, func(s selfservice.Service) bool { return s.ID == id }); i >= 0 {
				return services[i], true
			}
		}
	}
	q := " " + normal(text) + " "
	for _, s := range services {
		for _, n := range s.Name {
			if n := normal(n); n != "" && strings.Contains(q, " "+n+" ") {
				return s, true
			}
		}
	}
	return selfservice.Service{}, false
}

// handOver gives the conversation to the agents: the bot says so and is quiet from then on
// in this conversation. What it said and what the customer tried are the conversation's
// messages, which the agent reads.
func (b *Bot) handOver(ctx context.Context, t *turn, reason string) error {
	if _, err := b.d.Events.Append(ctx, t.ev(HandedOver), map[string]any{"reason": reason}); err != nil {
		return err
	}
	if err := b.keepThread(ctx, t.conv.ID, thread{State: stateHanded, Lang: t.lang}); err != nil {
		return err
	}
	key := "bot.handover"
	if reason == handOverNotHit {
		key = "bot.handover.nothing"
	}
	return b.say(ctx, t, t.cat.T(key))
}

// ErrNotChat says a flow was asked to start on a conversation whose channel cannot hold one.
var errNotChat = &selfservice.ValidationError{Field: "conversation", Reason: "the customer's channel is not a chat (WhatsApp, Telegram or web chat)"}

// StartFlow starts a service's flow on a conversation, as an agent asks from the console:
// the customer gets its first step on the channel they last wrote on. A flow the customer
// was in is replaced.
func (b *Bot) StartFlow(ctx context.Context, conversationID, serviceID string, by event.Actor) error {
	return b.d.DB.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		conv, err := b.d.Convs.Get(ctx, conversationID)
		if err != nil {
			return err
		}
		svc, err := b.d.Desk.GetService(ctx, serviceID)
		if errors.Is(err, selfservice.ErrNotFound) {
			return &selfservice.ValidationError{Field: "service_id", Reason: "no such service"}
		}
		if err != nil {
			return err
		}
		if conv.ChannelID == "" {
			return errNotChat
		}
		ch, err := b.d.Channels.Get(ctx, conv.ChannelID)
		if err != nil {
			return err
		}
		if !chatKinds[ch.Kind] {
			return errNotChat
		}
		if flowVia(ch, svc) == "" {
			return &selfservice.ValidationError{Field: "service_id", Reason: "the service has no guided flow that can run on " + string(ch.Kind)}
		}
		cust, err := b.d.Customers.Get(ctx, conv.CustomerID)
		if err != nil {
			return err
		}
		// The flow speaks the language the customer last wrote in.
		last := ""
		for _, m := range conv.Messages {
			if m.Direction == conversation.Inbound {
				last = m.Text
			}
		}
		t := &turn{ch: ch, conv: conv, cust: cust, lang: b.langOf(cust, last, "")}
		t.cat = b.catalog(t.lang)
		return b.start(ctx, t, svc, by)
	})
}
