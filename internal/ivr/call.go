package ivr

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/helpcenter"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store"
)

// Call states.
const (
	StateMenu      = "menu"      // in the phone menu
	StateQueued    = "queued"    // waiting in line for an agent
	StateAnswered  = "answered"  // an agent took the call
	StateCallback  = "callback"  // left the line for a callback
	StateContained = "contained" // served themself on the visual menu; released
	StateEnded     = "ended"     // hung up
)

// Call is one call through a menu, keyed by the provider's call id.
type Call struct {
	ID             string     `json:"id"`
	ChannelID      string     `json:"channel_id"`
	CallSid        string     `json:"call_sid"`
	TreeID         string     `json:"tree_id"`
	CustomerID     string     `json:"customer_id"`
	ConversationID string     `json:"conversation_id,omitempty"`
	Caller         string     `json:"caller,omitempty"` // the number called from, E.164
	Lang           string     `json:"lang,omitempty"`
	Node           string     `json:"node,omitempty"`
	Tries          int        `json:"-"`
	Step           int        `json:"step"`
	State          string     `json:"state"`
	Queue          string     `json:"queue,omitempty"`
	QueuePosition  int        `json:"-"`
	Reason         string     `json:"reason,omitempty"` // the label of the caller's last choice
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	EnqueuedAt     *time.Time `json:"enqueued_at,omitempty"`
	EndedAt        *time.Time `json:"ended_at,omitempty"`
	lastAnswer     string
}

// Say is a text spoken in a language.
type Say struct {
	Lang string `json:"lang"`
	Text string `json:"text"`
}

// Gather listens for a key or speech; the provider then posts what it got for Step.
type Gather struct {
	Step  int      `json:"step"`
	Lang  string   `json:"lang"`
	Hints []string `json:"hints,omitempty"`
	Say   []Say    `json:"say"`
}

// Reply is what the call does next, for the voice adapter to render: say, then listen, or
// wait in a line, or hang up.
type Reply struct {
	Say     []Say   `json:"say,omitempty"`
	Gather  *Gather `json:"gather,omitempty"`
	Enqueue string  `json:"enqueue,omitempty"` // the line to wait in
	Hangup  bool    `json:"hangup,omitempty"`
}

// Incoming is a new call as the voice adapter stored it.
type Incoming struct {
	CallSid string
	From    string
	// CustomerID and ConversationID are what the ingest found or made; MessageID names the
	// call's message when the delivery was a retry and the ingest gave only that.
	CustomerID, ConversationID, MessageID string
}

func (s *Service) actor(c Call) event.Actor {
	return event.Actor{Kind: event.ByCustomer, ID: c.CustomerID}
}

func (s *Service) record(ctx context.Context, c Call, kind event.Kind, data map[string]any) error {
	data["call_id"] = c.ID
	_, err := s.events.Append(ctx, event.Event{Kind: kind, CustomerID: c.CustomerID, ConversationID: c.ConversationID, ChannelID: c.ChannelID, Actor: s.actor(c)}, data)
	return err
}

// MenuOf is the tree that answers ch's calls, or ErrNotFound when ch has none.
func (s *Service) MenuOf(ctx context.Context, ch channel.Channel) (Tree, error) {
	id := ch.Settings[SettingMenu]
	if id == "" {
		return Tree{}, ErrNotFound
	}
	return s.Tree(ctx, id)
}

// Answer starts the menu for a call the ingest has stored. A known caller hears the menu in
// their profile's language; an unknown one is asked first. The provider retrying the same
// call gets the same answer, and the call is not started twice.
func (s *Service) Answer(ctx context.Context, ch channel.Channel, in Incoming) (Reply, error) {
	tree, err := s.MenuOf(ctx, ch)
	if err != nil {
		return Reply{}, err
	}
	var out Reply
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if c, err := s.callBySid(ctx, ch.ID, in.CallSid); err == nil {
			return json.Unmarshal([]byte(c.lastAnswer), &out)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		custID, convID := in.CustomerID, in.ConversationID
		if custID == "" && in.MessageID != "" {
			m, err := s.convs.Message(ctx, in.MessageID)
			if err != nil {
				return fmt.Errorf("ivr: the call's message: %w", err)
			}
			custID, convID = m.CustomerID, m.ConversationID
		}
		cust, err := s.customers.Get(ctx, custID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		c := Call{ID: store.NewID(now), ChannelID: ch.ID, CallSid: in.CallSid, TreeID: tree.ID, CustomerID: cust.ID, ConversationID: convID,
			Caller: phoneOf(cust), State: StateMenu, Step: 1, CreatedAt: now, UpdatedAt: now}
		// The first of the caller's languages the menu speaks: a Russian speaker whose profile
		// says "ru, he" hears Russian even where Hebrew is the line's default.
		for _, l := range cust.Languages {
			if slices.Contains(tree.Languages, l) {
				c.Lang = l
				break
			}
		}
		// A menu in one language has nothing to ask.
		if c.Lang != "" || len(tree.Languages) == 1 {
			if c.Lang == "" {
				c.Lang = tree.Languages[0]
			}
			c.Node = tree.Start
			start, _ := tree.Node(tree.Start)
			out = s.prompt(c, start, nil)
		} else {
			out = s.languagePrompt(tree, c.Step)
		}
		raw, _ := json.Marshal(out)
		c.lastAnswer = string(raw)
		if _, err := tx.Exec(ctx, sqlInsertCall, c.ID, c.ChannelID, c.CallSid, c.TreeID, c.CustomerID, c.ConversationID, c.Caller, c.Lang, c.Node, c.Step, c.lastAnswer, c.State,
			now.UnixMilli(), now.UnixMilli()); err != nil {
			return fmt.Errorf("ivr: start call: %w", err)
		}
		return s.record(ctx, c, CallStarted, map[string]any{"call_sid": c.CallSid, "tree": tree.ID, "lang": c.Lang, "known_language": c.Lang != "" && c.Node != ""})
	})
	return out, err
}

func phoneOf(c customer.Customer) string {
	for _, id := range c.Identities {
		if id.Kind == customer.Phone {
			return id.Value
		}
	}
	return ""
}

// languagePrompt asks an unknown caller for their language, each offer in its own language.
func (s *Service) languagePrompt(t Tree, step int) Reply {
	g := &Gather{Step: step, Lang: t.Languages[0]}
	for i, l := range t.Languages {
		g.Say = append(g.Say, Say{Lang: l, Text: s.t(l, "menu.phone.choose_language", "digit", strconv.Itoa(i+1))})
		g.Hints = append(g.Hints, langNames[l]...)
	}
	return Reply{Gather: g}
}

// prompt is a node's menu: before, then the node's prompt, listening for its options.
func (s *Service) prompt(c Call, n Node, before []Say) Reply {
	return Reply{Say: before, Gather: &Gather{Step: c.Step, Lang: c.Lang, Hints: Hints(n, c.Lang), Say: []Say{{Lang: c.Lang, Text: n.Prompt[c.Lang]}}}}
}

// Step is the caller's answer at a prompt: step is the one the prompt was for. A retried step
// (the same step again) answers what the first attempt did, and a step that is not the call's
// current one (stale, or forged) answers the call's current prompt: neither moves the caller.
func (s *Service) Step(ctx context.Context, ch channel.Channel, callSid string, step int, in Input) (Reply, error) {
	var out Reply
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		c, err := s.callBySid(ctx, ch.ID, callSid)
		if err != nil {
			return err
		}
		// The answer stored with the step is what the provider gets again: TwiML is the call's
		// whole state on the provider's side, so repeating it keeps both sides agreed.
		if step != c.Step || c.State != StateMenu {
			return json.Unmarshal([]byte(c.lastAnswer), &out)
		}
		tree, err := s.Tree(ctx, c.TreeID)
		if err != nil {
			return err
		}
		before := c
		c.Step++
		out, err = s.advance(ctx, ch, tree, &c, in)
		if err != nil {
			return err
		}
		return s.save(ctx, tx, before, &c, out)
	})
	if errors.Is(err, errRaced) {
		c, err := s.callBySid(ctx, ch.ID, callSid)
		if err != nil {
			return Reply{}, err
		}
		out = Reply{}
		return out, json.Unmarshal([]byte(c.lastAnswer), &out)
	}
	return out, err
}

// save stores the call after a step, with the answer a retry will get.
func (s *Service) save(ctx context.Context, tx *store.Tx, before Call, c *Call, out Reply) error {
	raw, _ := json.Marshal(out)
	c.lastAnswer = string(raw)
	now := s.clock.Now()
	c.UpdatedAt = now
	res, err := tx.Exec(ctx, sqlUpdateCall, c.Lang, c.Node, c.Tries, c.Step, c.lastAnswer, c.State, c.Queue, c.Reason, now.UnixMilli(),
		millis(c.EnqueuedAt), millis(c.EndedAt), c.ID, before.Step)
	if err != nil {
		return fmt.Errorf("ivr: save call: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errRaced
	}
	return nil
}

// errRaced is a step another request took first; the transaction is rolled back and that
// request's answer stands.
var errRaced = errors.New("ivr: the call moved on in another request")

func millis(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

// advance moves the call by the caller's input and says what comes next.
func (s *Service) advance(ctx context.Context, ch channel.Channel, tree Tree, c *Call, in Input) (Reply, error) {
	if c.Node == "" { // choosing a language
		lang, ok := MatchLanguage(tree.Languages, in)
		if !ok {
			return s.missed(ctx, ch, tree, c, in, Node{ID: ""})
		}
		c.Lang, c.Node, c.Tries = lang, tree.Start, 0
		if err := s.record(ctx, *c, LanguageChosen, map[string]any{"lang": lang, "via": via(in)}); err != nil {
			return Reply{}, err
		}
		// The caller is known next time: their language becomes their profile's, when it
		// names none.
		if cust, err := s.customers.Get(ctx, c.CustomerID); err == nil && len(cust.Languages) == 0 {
			langs := []string{lang}
			if _, err := s.customers.Update(ctx, cust.ID, customer.Patch{Languages: &langs}, s.actor(*c)); err != nil {
				return Reply{}, err
			}
		}
		start, _ := tree.Node(tree.Start)
		return s.prompt(*c, start, nil), nil
	}
	n, ok := tree.Node(c.Node)
	if !ok { // the tree changed under the call
		c.Node = tree.Start
		n, _ = tree.Node(tree.Start)
		return s.prompt(*c, n, nil), nil
	}
	// Reason is the label in the caller's language: it is what the agent reads as "why they
	// call", and the agent speaks it too.
	opt, how, ok := Match(n, c.Lang, in)
	if !ok {
		return s.missed(ctx, ch, tree, c, in, n)
	}
	next, _ := tree.Node(opt.Next)
	c.Tries, c.Node, c.Reason = 0, next.ID, opt.Label[c.Lang]
	data := map[string]any{"node": n.ID, "digit": opt.Digit, "label": opt.Label[c.Lang], "to": next.ID, "via": how}
	if how == ViaSpeech {
		data["heard"] = clip(in.Speech, 200)
	}
	if err := s.record(ctx, *c, OptionChosen, data); err != nil {
		return Reply{}, err
	}
	return s.enter(ctx, ch, tree, c, next, nil)
}

func via(in Input) string {
	if _, ok := firstDigit(in.Digits); ok {
		return ViaDTMF
	}
	return ViaSpeech
}

func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// missed is no input, or input that is not an option: the node again, up to maxTries, then
// an agent.
func (s *Service) missed(ctx context.Context, ch channel.Channel, tree Tree, c *Call, in Input, n Node) (Reply, error) {
	c.Tries++
	why := "no-input"
	if !in.Empty() {
		why = "no-match"
	}
	data := map[string]any{"node": n.ID, "why": why, "try": c.Tries}
	if in.Speech != "" {
		data["heard"] = clip(in.Speech, 200)
	}
	if err := s.record(ctx, *c, InputMissed, data); err != nil {
		return Reply{}, err
	}
	if c.Tries >= maxTries {
		if c.Lang == "" {
			c.Lang = tree.Languages[0]
		}
		c.Reason = s.t(c.Lang, "menu.reason.menu_failed")
		return s.queue(ctx, ch, c, "", []Say{{Lang: c.Lang, Text: s.t(c.Lang, "menu.phone.to_agent")}})
	}
	if c.Node == "" {
		r := s.languagePrompt(tree, c.Step)
		return r, nil
	}
	key := "menu.phone.no_input"
	if why == "no-match" {
		key = "menu.phone.bad_input"
	}
	return s.prompt(*c, n, []Say{{Lang: c.Lang, Text: s.t(c.Lang, key)}}), nil
}

// enter runs node n: its prompt, or its action.
func (s *Service) enter(ctx context.Context, ch channel.Channel, tree Tree, c *Call, n Node, before []Say) (Reply, error) {
	if n.Action == nil {
		return s.prompt(*c, n, before), nil
	}
	a := *n.Action
	then := func(said ...Say) (Reply, error) {
		id := a.Then
		if id == "" {
			id = tree.Start
		}
		next, _ := tree.Node(id)
		c.Node = next.ID
		return s.prompt(*c, next, append(before, said...)), nil
	}
	lang := c.Lang
	say := func(key string, vars ...string) Say { return Say{Lang: lang, Text: s.t(lang, key, vars...)} }
	done := func(result string, extra map[string]any) error {
		data := map[string]any{"node": n.ID, "action": a.Kind, "result": result}
		for k, v := range extra {
			data[k] = v
		}
		return s.record(ctx, *c, ActionDone, data)
	}
	switch a.Kind {
	case ActArticle:
		text, title, err := s.article(ctx, a.Article, lang)
		if err != nil {
			return Reply{}, err
		}
		if text == "" {
			if err := done("no-article", map[string]any{"article": a.Article}); err != nil {
				return Reply{}, err
			}
			return then(say("menu.phone.no_article"))
		}
		if err := done("said", map[string]any{"article": a.Article, "title": title}); err != nil {
			return Reply{}, err
		}
		return then(Say{Lang: lang, Text: text})
	case ActCaseStatus:
		lines, err := s.caseLines(ctx, c.CustomerID, lang)
		if err != nil {
			return Reply{}, err
		}
		if err := done("said", map[string]any{"cases": len(lines)}); err != nil {
			return Reply{}, err
		}
		if len(lines) == 0 {
			return then(say("menu.phone.no_cases"))
		}
		var said []Say
		for _, l := range lines {
			said = append(said, say("menu.phone.case", "service", l.Service, "ref", l.Ref, "stage", l.Stage))
		}
		return then(said...)
	case ActFlow:
		svc, err := s.desk.GetService(ctx, a.Service)
		if err != nil {
			return Reply{}, fmt.Errorf("ivr: flow %s: %w", a.Service, err)
		}
		name := selfservice.Text(svc.Name, lang)
		link := s.base() + "/f/" + svc.ID + "?lang=" + lang
		why, err := s.text(ctx, ch, *c, s.t(lang, "menu.sms.flow", "service", name, "url", link))
		if err != nil {
			return Reply{}, err
		}
		if why != "" {
			if err := done("refused", map[string]any{"service": svc.ID, "reason": why}); err != nil {
				return Reply{}, err
			}
			return then(say("menu.phone.no_links"))
		}
		if err := done("sent", map[string]any{"service": svc.ID}); err != nil {
			return Reply{}, err
		}
		return then(say("menu.phone.flow_sent", "service", name))
	case ActQueue:
		return s.queue(ctx, ch, c, a.Queue, append(before, say("menu.phone.queued")))
	case ActCallback:
		ok, err := s.bookCallback(ctx, c, "phone")
		if err != nil {
			return Reply{}, err
		}
		if !ok {
			if err := done("refused", map[string]any{"reason": "no-number"}); err != nil {
				return Reply{}, err
			}
			return s.queue(ctx, ch, c, a.Queue, append(before, say("menu.phone.no_callback"), say("menu.phone.queued")))
		}
		return Reply{Say: append(before, say("menu.phone.callback_booked")), Hangup: true}, nil
	case ActVisualMenu:
		// The link is texted in this transaction (through the outbox, after the commit) and
		// the caller is put in line in the same answer: they never lose their turn by asking
		// for the menu.
		link, err := s.Link(ctx, *c)
		if err != nil {
			return Reply{}, err
		}
		why, err := s.text(ctx, ch, *c, s.t(lang, "menu.sms.link", "url", link))
		if err != nil {
			return Reply{}, err
		}
		if why != "" {
			if err := done("refused", map[string]any{"reason": why}); err != nil {
				return Reply{}, err
			}
			return s.queue(ctx, ch, c, a.Queue, append(before, say("menu.phone.no_links"), say("menu.phone.queued")))
		}
		if err := done("sent", nil); err != nil {
			return Reply{}, err
		}
		return s.queue(ctx, ch, c, a.Queue, append(before, say("menu.phone.visual_sent")))
	case ActWhatsApp:
		why, err := s.whatsApp(ctx, ch, *c, a.Text[lang])
		if err != nil {
			return Reply{}, err
		}
		if why != "" {
			if err := done("refused", map[string]any{"reason": why}); err != nil {
				return Reply{}, err
			}
			return then(say("menu.phone.no_whatsapp"))
		}
		if err := done("sent", nil); err != nil {
			return Reply{}, err
		}
		return then(say("menu.phone.whatsapp_sent"))
	}
	return Reply{}, fmt.Errorf("ivr: unknown action %q", a.Kind)
}

// queue puts the caller in line.
func (s *Service) queue(ctx context.Context, ch channel.Channel, c *Call, queue string, said []Say) (Reply, error) {
	if queue == "" {
		queue = ch.Settings[SettingQueue]
	}
	if queue == "" {
		queue = ch.Name
	}
	now := s.clock.Now()
	c.State, c.Queue, c.EnqueuedAt = StateQueued, queue, &now
	if err := s.record(ctx, *c, CallQueued, map[string]any{"queue": queue, "reason": c.Reason}); err != nil {
		return Reply{}, err
	}
	return Reply{Say: said, Enqueue: queue}, nil
}

// bookCallback records the callback where agents work: the caller's conversation (which the
// call joined) becomes a callback on the voice channel, as an agent's move would make it, and
// an event says why. ok is false when the caller cannot be called back (a withheld number).
func (s *Service) bookCallback(ctx context.Context, c *Call, from string) (ok bool, err error) {
	if c.ConversationID == "" || c.Caller == "" {
		return false, nil
	}
	_, err = s.mover.Move(ctx, channel.MoveRequest{ConversationID: c.ConversationID, ToChannelID: c.ChannelID, Action: channel.MoveCallback}, s.actor(*c))
	var nf *channel.NotFitError
	var cv *conversation.ValidationError
	if errors.As(err, &nf) || errors.As(err, &cv) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	now := s.clock.Now()
	c.State, c.EndedAt = StateCallback, &now
	return true, s.record(ctx, *c, CallbackBooked, map[string]any{"phone": c.Caller, "reason": c.Reason, "from": from})
}

// article is the text of an article group in lang, for the phone: plain, and short enough to
// listen to.
func (s *Service) article(ctx context.Context, group, lang string) (text, title string, err error) {
	vs, err := s.help.Variants(ctx, group)
	if err != nil {
		return "", "", err
	}
	var pick *helpcenter.Article
	for i := range vs {
		if vs[i].Status != helpcenter.Published {
			continue
		}
		if vs[i].Lang == lang {
			pick = &vs[i]
			break
		}
	}
	if pick == nil {
		return "", "", nil
	}
	return helpcenter.Opening(helpcenter.PlainText(pick.Body), 120), pick.DisplayTitle(), nil
}

// CaseLine is a case as the menu tells it.
type CaseLine struct {
	ID, Ref, Service, Stage string
	Done                    bool
}

// caseLines are the caller's cases, open ones first, at most three.
func (s *Service) caseLines(ctx context.Context, customerID, lang string) ([]CaseLine, error) {
	cases, err := s.desk.Cases(ctx, customerID, 20)
	if err != nil {
		return nil, err
	}
	var out []CaseLine
	for _, k := range cases {
		if k.ClosedAt != nil {
			continue
		}
		svc, err := s.desk.GetService(ctx, k.ServiceID)
		if err != nil {
			continue
		}
		st, _, _ := svc.Stage(k.Stage)
		out = append(out, CaseLine{ID: k.ID, Ref: k.Ref, Service: selfservice.Text(svc.Name, lang), Stage: s.desk.StageName(st, lang)})
		if len(out) == 3 {
			break
		}
	}
	return out, nil
}

// channelFor is the enabled channel named by setting on ch, else the first enabled of kind.
func (s *Service) channelFor(ctx context.Context, ch channel.Channel, setting string, kind channel.Kind) (channel.Channel, bool, error) {
	if name := ch.Settings[setting]; name != "" {
		c, err := s.channels.ByName(ctx, name)
		if err == nil && c.Enabled && c.Kind == kind {
			return c, true, nil
		}
		return channel.Channel{}, false, nil
	}
	all, err := s.channels.List(ctx)
	if err != nil {
		return channel.Channel{}, false, err
	}
	for _, c := range all {
		if c.Kind == kind && c.Enabled {
			return c, true, nil
		}
	}
	return channel.Channel{}, false, nil
}

// text sends the caller an SMS carrying a link, when SMS and links fit them. why says why not
// ("kosher-phone", "no-channel" …); the message goes through the conversation's outbox, in
// the caller's transaction.
//
// The fit is checked here, before the reply path's own guard, so that a refusal is something
// the caller hears ("your phone cannot receive links") instead of an error that fails the step.
func (s *Service) text(ctx context.Context, voice channel.Channel, c Call, body string) (why string, err error) {
	sms, ok, err := s.channelFor(ctx, voice, SettingSMSChannel, "sms")
	if err != nil || !ok {
		return "no-channel", err
	}
	cust, err := s.customers.Get(ctx, c.CustomerID)
	if err != nil {
		return "", err
	}
	if err := s.fitter.Check(ctx, cust, sms, channel.Purpose{WebLink: true, PictureMenu: true}); err != nil {
		var nf *channel.NotFitError
		if errors.As(err, &nf) {
			return nf.Reason, nil
		}
		return "", err
	}
	if _, err := s.convs.SendSystem(ctx, conversation.SystemMessage{CustomerID: c.CustomerID, ChannelID: sms.ID, Text: body}); err != nil {
		var nf *channel.NotFitError
		if errors.As(err, &nf) {
			return nf.Reason, nil
		}
		return "", err
	}
	return "", nil
}

// whatsApp sends the caller text as an approved template on WhatsApp, when WhatsApp fits
// them (never to a kosher phone).
func (s *Service) whatsApp(ctx context.Context, voice channel.Channel, c Call, text string) (why string, err error) {
	wa, ok, err := s.channelFor(ctx, voice, SettingWhatsAppChannel, "whatsapp")
	if err != nil || !ok {
		return "no-channel", err
	}
	cust, err := s.customers.Get(ctx, c.CustomerID)
	if err != nil {
		return "", err
	}
	if err := s.fitter.Check(ctx, cust, wa, channel.Purpose{Template: true}); err != nil {
		var nf *channel.NotFitError
		if errors.As(err, &nf) {
			return nf.Reason, nil
		}
		return "", err
	}
	if c.ConversationID == "" {
		return "no-conversation", nil
	}
	if _, err := s.convs.Reply(ctx, conversation.ReplyInput{ConversationID: c.ConversationID, ChannelID: wa.ID, Text: text, Template: true}); err != nil {
		var nf *channel.NotFitError
		if errors.As(err, &nf) {
			return nf.Reason, nil
		}
		return "", err
	}
	return "", nil
}

// Waiting is a call's turn in line, as the provider reports it while the caller holds: what
// they hear, and the position recorded for the visual menu. A report is a reading, not a
// change the caller made, so it writes no event.
func (s *Service) Waiting(ctx context.Context, ch channel.Channel, callSid string, position int) (Reply, error) {
	c, err := s.callBySid(ctx, ch.ID, callSid)
	if errors.Is(err, ErrNotFound) {
		return Reply{}, nil // put in line without the menu (its fallback): music only
	}
	if err != nil {
		return Reply{}, err
	}
	if position > 0 && position != c.QueuePosition {
		if err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.Exec(ctx, sqlSetPosition, position, c.ID)
			return err
		}); err != nil {
			return Reply{}, fmt.Errorf("ivr: position: %w", err)
		}
		c.QueuePosition = position
	}
	if position <= 0 {
		if position, err = s.Position(ctx, c); err != nil {
			return Reply{}, err
		}
	}
	lang := c.Lang
	if lang == "" {
		lang = "he"
	}
	return Reply{Say: []Say{{Lang: lang, Text: s.t(lang, "menu.phone.position", "n", strconv.Itoa(position))}}}, nil
}

// Position is the call's place in line (1 is next), 0 when it is not waiting: the provider's
// last report when there is one — it also counts callers who reached the line without a
// menu, and Twilio asks the wait URL again each time the hold music ends, so it stays fresh —
// else the calls queued before it here.
func (s *Service) Position(ctx context.Context, c Call) (int, error) {
	if c.State != StateQueued || c.EnqueuedAt == nil {
		return 0, nil
	}
	if c.QueuePosition > 0 {
		return c.QueuePosition, nil
	}
	var ahead int
	if err := s.db.Q(ctx).QueryRow(ctx, sqlAhead, c.ChannelID, c.Queue, c.EnqueuedAt.UnixMilli()).Scan(&ahead); err != nil {
		return 0, fmt.Errorf("ivr: position: %w", err)
	}
	return ahead + 1, nil
}

// Queue results the provider reports when a call leaves the line.
const (
	LeftBridged = "bridged" // an agent took it
	LeftHangup  = "hangup"  // the caller hung up
)

// Left records how a call left the line: to an agent (the hand-over), or hung up. Calls
// released for a callback or as contained were recorded when that happened.
func (s *Service) Left(ctx context.Context, ch channel.Channel, callSid, result string) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		c, err := s.callBySid(ctx, ch.ID, callSid)
		if errors.Is(err, ErrNotFound) {
			return nil // put in line without the menu (its fallback): nothing to record
		}
		if err != nil {
			return err
		}
		// Only a waiting call leaves the line: a call released for a callback or as contained
		// was recorded when that happened, and Twilio reports its end here too.
		if c.State != StateQueued {
			return nil
		}
		before := c
		c.Step++
		now := s.clock.Now()
		switch result {
		case LeftBridged:
			c.State = StateAnswered
			if err := s.record(ctx, c, CallHandedOver, map[string]any{"queue": c.Queue, "reason": c.Reason, "waited_seconds": int(now.Sub(*c.EnqueuedAt).Seconds())}); err != nil {
				return err
			}
		default:
			c.State, c.EndedAt = StateEnded, &now
			if err := s.record(ctx, c, CallEnded, map[string]any{"while": "queued", "result": clip(result, 40)}); err != nil {
				return err
			}
		}
		return s.save(ctx, tx, before, &c, Reply{Hangup: true})
	})
}

// Ended records the end of a call (the provider's final status callback).
func (s *Service) Ended(ctx context.Context, ch channel.Channel, callSid string) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		c, err := s.callBySid(ctx, ch.ID, callSid)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if c.EndedAt != nil {
			return nil
		}
		before, now := c, s.clock.Now()
		while := c.State
		c.Step++
		c.EndedAt = &now
		if c.State == StateMenu || c.State == StateQueued {
			c.State = StateEnded
		}
		if err := s.record(ctx, c, CallEnded, map[string]any{"while": while}); err != nil {
			return err
		}
		return s.save(ctx, tx, before, &c, Reply{Hangup: true})
	})
}

// Call returns a call by its id or its provider call id.
func (s *Service) Call(ctx context.Context, id string) (Call, error) {
	return scanCall(s.db.Q(ctx).QueryRow(ctx, sqlSelectCall+` WHERE id = ? OR call_sid = ?`, id, id))
}

func (s *Service) callBySid(ctx context.Context, channelID, sid string) (Call, error) {
	return scanCall(s.db.Q(ctx).QueryRow(ctx, sqlSelectCall+` WHERE channel_id = ? AND call_sid = ?`, channelID, sid))
}

// WaitingCalls are the calls waiting in line, longest-waiting first: what the agents' side
// shows before anyone answers.
func (s *Service) WaitingCalls(ctx context.Context, limit int) ([]Call, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.db.Query(ctx, sqlWaiting, limit)
	if err != nil {
		return nil, fmt.Errorf("ivr: waiting calls: %w", err)
	}
	defer rows.Close()
	var out []Call
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func scanCall(r scanner) (Call, error) {
	var (
		c                Call
		created, updated int64
		enqueued, ended  sql.NullInt64
	)
	err := r.Scan(&c.ID, &c.ChannelID, &c.CallSid, &c.TreeID, &c.CustomerID, &c.ConversationID, &c.Caller, &c.Lang, &c.Node, &c.Tries, &c.Step, &c.lastAnswer,
		&c.State, &c.Queue, &c.QueuePosition, &c.Reason, &created, &updated, &enqueued, &ended)
	if err != nil {
		if store.IsNoRows(err) {
			return c, ErrNotFound
		}
		return c, fmt.Errorf("ivr: read call: %w", err)
	}
	c.CreatedAt, c.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	if enqueued.Valid {
		t := time.UnixMilli(enqueued.Int64).UTC()
		c.EnqueuedAt = &t
	}
	if ended.Valid {
		t := time.UnixMilli(ended.Int64).UTC()
		c.EndedAt = &t
	}
	return c, nil
}
