package survey

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/i18n"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store"
)

// The events surveys write. Metrics read survey.answered; the others explain its absence.
const (
	Sent     event.Kind = "survey.sent"
	Answered event.Kind = "survey.answered"
	Skipped  event.Kind = "survey.skipped"   // not asked: opted out, cool-down, no channel fits
	OptedOut event.Kind = "survey.opted-out" // the customer asked for no more surveys
)

// jobOffer is the durable job that asks a resolved conversation's customer.
const jobOffer = "survey.offer"

// States of a survey row.
const (
	statePending  = "pending"
	stateAnswered = "answered"
	stateOptedOut = "opted-out"
)

// textKinds are the channel kinds a written survey can go on, in the order tried when the
// conversation's own channel does not fit: voice is asked on the keypad at the end of a call
// instead, and a branch has no way to write.
var textKinds = []channel.Kind{"whatsapp", "sms", "telegram", "webchat", "email", "api"}

// Options tune surveys.
type Options struct {
	Delay    time.Duration // after a resolution, before asking: an agent may reopen by mistake (default 5 minutes)
	Expire   time.Duration // how long a survey waits for its answer (default 3 days)
	Cooldown time.Duration // at most one CSAT per customer in this time (default 24 hours)
	NPSEvery time.Duration // a customer is asked NPS at most this often (default 90 days)
	Lang     string        // for customers whose languages the catalogs lack (default he)
	Log      *slog.Logger
	Catalogs *i18n.Bundle // default: the embedded catalogs
	Disabled bool         // send no surveys (answers to pending ones are still taken)
	// Links signs the link an emailed survey carries, to a page that takes the answer in a
	// few taps; nil, and an email asks for a reply with the number only.
	Links *selfservice.Desk
}

// Service sends surveys and takes their answers.
type Service struct {
	db        *store.DB
	clock     clock.Clock
	events    *event.Log
	jobs      *jobs.Queue
	customers *customer.Service
	convs     *conversation.Service
	channels  *channel.Channels
	fitter    *channel.Fitter
	opt       Options
}

// New returns the survey service and registers its job.
func New(db *store.DB, clk clock.Clock, events *event.Log, q *jobs.Queue, customers *customer.Service, convs *conversation.Service,
	channels *channel.Channels, fitter *channel.Fitter, opt Options) (*Service, error) {
	if opt.Delay == 0 {
		opt.Delay = 5 * time.Minute
	}
	if opt.Expire == 0 {
		opt.Expire = 72 * time.Hour
	}
	if opt.Cooldown == 0 {
		opt.Cooldown = 24 * time.Hour
	}
	if opt.NPSEvery == 0 {
		opt.NPSEvery = 90 * 24 * time.Hour
	}
	if opt.Lang == "" {
		opt.Lang = "he"
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Catalogs == nil {
		b, err := i18n.Load()
		if err != nil {
			return nil, fmt.Errorf("survey: catalogs: %w", err)
		}
		opt.Catalogs = b
	}
	s := &Service{db: db, clock: clk, events: events, jobs: q, customers: customers, convs: convs, channels: channels, fitter: fitter, opt: opt}
	q.Register(jobOffer, s.offerJob)
	return s, nil
}

// Survey is one question sent.
type Survey struct {
	ID             string     `json:"id"`
	Kind           Kind       `json:"kind"`
	CustomerID     string     `json:"customer_id"`
	ConversationID string     `json:"conversation_id,omitempty"`
	ChannelID      string     `json:"channel_id,omitempty"`
	AgentID        string     `json:"agent_id,omitempty"`
	Lang           string     `json:"lang"`
	State          string     `json:"state"`
	Score          *int       `json:"score,omitempty"`
	Comment        string     `json:"comment,omitempty"`
	SentAt         time.Time  `json:"sent_at"`
	ExpiresAt      time.Time  `json:"expires_at"`
	AnsweredAt     *time.Time `json:"answered_at,omitempty"`
}

// offer is the job's payload: what the resolution knew.
type offer struct {
	ConversationID string `json:"conversation_id"`
	CustomerID     string `json:"customer_id"`
	AgentID        string `json:"agent_id"`
	ChannelID      string `json:"channel_id"`
	ResolvedAt     int64  `json:"resolved_at"`
}

// Hook passes conversation changes to next (the service-level clocks) and then to s, so one
// conversation service can tell both; wire it with conversations.SetClocks(survey.Hook(policy, s)).
func Hook(next conversation.Clocks, s *Service) conversation.Clocks { return hook{next: next, s: s} }

type hook struct {
	next conversation.Clocks
	s    *Service
}

func (h hook) MessageReceived(ctx context.Context, c conversation.Conversation, m conversation.Message, opened bool) error {
	if h.next == nil {
		return nil
	}
	return h.next.MessageReceived(ctx, c, m, opened)
}

func (h hook) MessageSent(ctx context.Context, c conversation.Conversation, m conversation.Message) error {
	if h.next == nil {
		return nil
	}
	return h.next.MessageSent(ctx, c, m)
}

func (h hook) StatusChanged(ctx context.Context, c conversation.Conversation, from conversation.Status) error {
	if h.next != nil {
		if err := h.next.StatusChanged(ctx, c, from); err != nil {
			return err
		}
	}
	return h.s.Resolved(ctx, c, from)
}

// Resolved enqueues the survey of a conversation that was just resolved, in the transaction of
// the resolution, to run after Options.Delay.
func (s *Service) Resolved(ctx context.Context, c conversation.Conversation, from conversation.Status) error {
	if c.Status != conversation.Resolved || from == conversation.Resolved || s.opt.Disabled {
		return nil
	}
	now := s.clock.Now()
	_, err := s.jobs.Enqueue(ctx, jobOffer, offer{ConversationID: c.ID, CustomerID: c.CustomerID, AgentID: c.AssigneeID, ChannelID: c.ChannelID, ResolvedAt: now.UnixMilli()},
		jobs.RunAt(now.Add(s.opt.Delay)), jobs.UniqueKey(fmt.Sprintf("survey:%s:%d", c.ID, now.UnixMilli())))
	return err
}

// OfferResolved asks about a conversation resolved at resolvedAt at once, as the job enqueued
// at its resolution does after the delay: the demo's seeding uses it for history resolved on a
// past clock. It returns the survey sent, or nil when none was.
func (s *Service) OfferResolved(ctx context.Context, conversationID string, resolvedAt time.Time) (*Survey, error) {
	c, err := s.convs.Get(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	return s.Offer(ctx, offer{ConversationID: c.ID, CustomerID: c.CustomerID, AgentID: c.AssigneeID, ChannelID: c.ChannelID, ResolvedAt: resolvedAt.UnixMilli()})
}

func (s *Service) offerJob(ctx context.Context, j jobs.Job) error {
	var o offer
	if err := json.Unmarshal(j.Payload, &o); err != nil {
		return jobs.Permanent(fmt.Errorf("survey: offer payload: %w", err))
	}
	_, err := s.Offer(ctx, o)
	return err
}

// Offer asks the customer of a resolved conversation: CSAT, or NPS when their last NPS is older
// than Options.NPSEvery and they have been asked a CSAT before (a first contact is asked about
// itself); nothing within Options.Cooldown of their last CSAT. It is idempotent for one
// resolution. It returns the survey sent, or nil when none was.
func (s *Service) Offer(ctx context.Context, o offer) (*Survey, error) {
	var out *Survey
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, sqlSentForResolution, o.ConversationID, o.ResolvedAt).Scan(&n); err != nil {
			return fmt.Errorf("survey: look up earlier offer: %w", err)
		}
		if n > 0 {
			return nil // a second run of the same job
		}
		c, err := s.convs.Get(ctx, o.ConversationID)
		if err != nil {
			return err
		}
		if c.Status != conversation.Resolved {
			return nil // reopened meanwhile: asked at its next resolution
		}
		skip := func(reason string) error {
			_, err := s.events.Append(ctx, event.Event{Kind: Skipped, CustomerID: o.CustomerID, ConversationID: o.ConversationID, Actor: event.System},
				map[string]string{"reason": reason, "agent_id": o.AgentID})
			return err
		}
		if err := tx.QueryRow(ctx, sqlOptedOut, o.CustomerID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return skip("opted-out")
		}
		now := s.clock.Now()
		kind := CSAT
		var lastCSAT, lastNPS int64
		if err := tx.QueryRow(ctx, sqlLastSent, o.CustomerID, string(CSAT)).Scan(&lastCSAT); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, sqlLastSent, o.CustomerID, string(NPS)).Scan(&lastNPS); err != nil {
			return err
		}
		switch {
		case lastCSAT > 0 && now.Sub(time.UnixMilli(lastCSAT)) < s.opt.Cooldown:
			// Asked a moment ago (on the keypad at the end of this very call, or about
			// another conversation today): not again.
			return skip("cool-down")
		case lastCSAT > 0 && (lastNPS == 0 || now.Sub(time.UnixMilli(lastNPS)) >= s.opt.NPSEvery):
			kind = NPS
		}
		cust, err := s.customers.Get(ctx, o.CustomerID)
		if err != nil {
			return err
		}
		ch, err := s.channelFor(ctx, cust, o.ChannelID)
		if err != nil {
			return err
		}
		if ch == nil {
			return skip("no-channel")
		}
		cat := s.catalog(cust.Languages...)
		sv := Survey{ID: store.NewID(now), Kind: kind, CustomerID: cust.ID, ConversationID: o.ConversationID, ChannelID: ch.ID, AgentID: o.AgentID,
			Lang: cat.Lang, State: statePending, SentAt: now, ExpiresAt: now.Add(s.opt.Expire)}
		msg := conversation.SystemMessage{CustomerID: cust.ID, ChannelID: ch.ID, Text: cat.T("survey.ask."+string(kind), "stop", cat.T("survey.stop_phrase")), Choices: choices(cat, kind)}
		if ch.Kind == "email" && s.opt.Links != nil {
			// A mail program has no buttons, and a number typed into a reply above the quoted
			// question is easy to get wrong: the email carries a link to a page with the
			// scores, valid as long as the survey, and a reply with the number still counts.
			link, err := s.link(ctx, sv)
			if err != nil {
				return err
			}
			msg.Text, msg.Choices = cat.T("survey.ask.email."+string(kind), "link", link, "stop", cat.T("survey.stop_phrase")), nil
		}
		if _, err := s.convs.SendSystem(ctx, msg); err != nil {
			var unfit *channel.NotFitError
			if errors.As(err, &unfit) {
				return skip(unfit.Reason)
			}
			return fmt.Errorf("survey: send: %w", err)
		}
		return s.insert(ctx, tx, &sv, o.ResolvedAt, &out)
	})
	return out, err
}

func (s *Service) insert(ctx context.Context, tx *store.Tx, sv *Survey, resolvedAt int64, out **Survey) error {
	if _, err := tx.Exec(ctx, sqlInsert, sv.ID, string(sv.Kind), sv.CustomerID, sv.ConversationID, sv.ChannelID, sv.AgentID, sv.Lang, sv.State,
		sv.SentAt.UnixMilli(), sv.ExpiresAt.UnixMilli(), resolvedAt); err != nil {
		return fmt.Errorf("survey: insert: %w", err)
	}
	if _, err := s.events.Append(ctx, event.Event{Kind: Sent, CustomerID: sv.CustomerID, ConversationID: sv.ConversationID, ChannelID: sv.ChannelID, Actor: event.System},
		map[string]string{"survey_id": sv.ID, "survey": string(sv.Kind), "agent_id": sv.AgentID, "lang": sv.Lang}); err != nil {
		return err
	}
	*out = sv
	return nil
}

// choices are the labelled scores of a CSAT question, which WhatsApp shows as a list to tap
// (five answers are more than its three buttons). NPS offers none: its eleven scores are more
// than a list holds, and the question's text says how to answer.
func choices(cat *i18n.Catalog, k Kind) []string {
	if k != CSAT {
		return nil
	}
	lo, hi := k.Range()
	var out []string
	for n := lo; n <= hi; n++ {
		out = append(out, cat.T("survey.choice."+itoa(n)))
	}
	return out
}

// withoutLabel drops a comment that is only the label of the score's choice: a tapped list row
// arrives as its title ("4. Good"), which is no verbatim comment of the customer's.
func (s *Service) withoutLabel(sv Survey, a Answer) Answer {
	if a.OptOut || sv.Kind != CSAT || a.Comment == "" {
		return a
	}
	label := s.catalog(sv.Lang).T("survey.choice." + itoa(a.Score))
	if c := strings.TrimSuffix(a.Comment, "…"); c == label || (c != a.Comment && strings.HasPrefix(label, c)) {
		a.Comment = ""
	}
	return a
}

// channelFor picks the channel to ask on: the conversation's own when it carries text and fits
// the customer, else the first of textKinds that fits.
func (s *Service) channelFor(ctx context.Context, cust customer.Customer, convChannel string) (*channel.Channel, error) {
	fits, err := s.fitter.FitAll(ctx, cust.ID, channel.Purpose{})
	if err != nil {
		return nil, fmt.Errorf("survey: channel fit: %w", err)
	}
	ok := func(f channel.ChannelFit) bool { return f.Fits && slices.Contains(textKinds, f.Channel.Kind) }
	for i, f := range fits {
		if f.Channel.ID == convChannel && ok(f) {
			return &fits[i].Channel, nil
		}
	}
	for _, k := range textKinds {
		for i, f := range fits {
			if f.Channel.Kind == k && ok(f) && hasAddress(cust, k) {
				return &fits[i].Channel, nil
			}
		}
	}
	return nil, nil
}

// hasAddress says whether the customer can be written to on a channel of kind k at all.
func hasAddress(c customer.Customer, k channel.Kind) bool {
	want := map[channel.Kind][]customer.IdentityKind{
		"whatsapp": {customer.WhatsApp, customer.Phone}, "sms": {customer.Phone}, "telegram": {customer.Telegram},
		"webchat": {customer.Visitor}, "email": {customer.Email}, "api": {customer.External},
	}[k]
	for _, id := range c.Identities {
		if slices.Contains(want, id.Kind) {
			return true
		}
	}
	return false
}

// catalog returns the catalog of the first of langs the catalogs have, then the default.
func (s *Service) catalog(langs ...string) *i18n.Catalog {
	for _, l := range append(langs, s.opt.Lang, "en") {
		if c, err := s.opt.Catalogs.Catalog(l); err == nil {
			return c
		}
	}
	c, _ := s.opt.Catalogs.Catalog(s.opt.Catalogs.Languages()[0])
	return c
}

// Take implements channel.AnswerTaker: it reads an inbound message as the answer to the
// customer's pending survey on that channel, in the ingest transaction. taken is false when no
// survey is pending there or the text does not answer it; the message then goes on as usual.
func (s *Service) Take(ctx context.Context, customerID, channelID, text string) (eventID string, taken bool, err error) {
	if text == "" {
		return "", false, nil
	}
	sv, err := s.pending(ctx, customerID, channelID)
	if errors.Is(err, errNone) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	a, ok := ParseAnswer(sv.Kind, text)
	if !ok {
		return "", false, nil
	}
	e, err := s.answer(ctx, sv, s.withoutLabel(sv, a), "text")
	if errors.Is(err, ErrClosed) {
		return "", false, nil // answered on the page meanwhile: the text is a message
	}
	return e.ID, err == nil, err
}

// AnswerKeypad records the digits a caller pressed at the end of a call as the answer to the
// survey the voice path asked there (see KeypadPrompt): a survey row is written and answered at
// once, against the agent who had the call. ok is false when the digits are no score.
func (s *Service) AnswerKeypad(ctx context.Context, conversationID, channelID, digits string) (ok bool, err error) {
	a, ok := ParseAnswer(CSAT, digits)
	if !ok || a.OptOut {
		return false, nil
	}
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		c, err := s.convs.Get(ctx, conversationID)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, sqlOptedOut, c.CustomerID).Scan(&n); err != nil || n > 0 {
			ok = false
			return err
		}
		now := s.clock.Now()
		cust, err := s.customers.Get(ctx, c.CustomerID)
		if err != nil {
			return err
		}
		sv := Survey{ID: store.NewID(now), Kind: CSAT, CustomerID: c.CustomerID, ConversationID: c.ID, ChannelID: channelID, AgentID: c.AssigneeID,
			Lang: s.catalog(cust.Languages...).Lang, State: statePending, SentAt: now, ExpiresAt: now}
		var out *Survey
		if err := s.insert(ctx, tx, &sv, now.UnixMilli(), &out); err != nil {
			return err
		}
		_, err = s.answer(ctx, sv, a, "keypad")
		return err
	})
	return ok, err
}

// KeypadPrompt is what the voice path says before gathering one digit at the end of a call, in
// the caller's language (falling back as for written surveys).
func (s *Service) KeypadPrompt(langs ...string) (text, lang string) {
	cat := s.catalog(langs...)
	return cat.T("survey.ask.keypad"), cat.Lang
}

var errNone = errors.New("no pending survey")

func (s *Service) pending(ctx context.Context, customerID, channelID string) (Survey, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlPending, customerID, channelID, statePending, s.clock.Now().UnixMilli())
	if err != nil {
		return Survey{}, fmt.Errorf("survey: pending: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return Survey{}, err
		}
		return Survey{}, errNone
	}
	return scanSurvey(rows)
}

// answer records a: the survey's row and its event (carrying the agent the survey is about), or
// the opt-out, with a short acknowledgement on the same channel.
func (s *Service) answer(ctx context.Context, sv Survey, a Answer, via string) (event.Event, error) {
	var e event.Event
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := s.clock.Now()
		actor := event.Actor{Kind: event.ByCustomer, ID: sv.CustomerID}
		// The update takes only a pending survey: of two answers at once (a reply and the
		// page, a form sent twice) the first stands and the second is ErrClosed.
		closed := func(res sql.Result) error {
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return cmp.Or(err, ErrClosed)
			}
			return nil
		}
		if a.OptOut {
			res, err := tx.Exec(ctx, sqlUpdateState, stateOptedOut, nil, "", now.UnixMilli(), sv.ID, statePending)
			if err != nil {
				return fmt.Errorf("survey: opt out: %w", err)
			}
			if err := closed(res); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, sqlInsertOptOut, sv.CustomerID, now.UnixMilli()); err != nil {
				return fmt.Errorf("survey: opt out: %w", err)
			}
			e, err = s.events.Append(ctx, event.Event{Kind: OptedOut, CustomerID: sv.CustomerID, ConversationID: sv.ConversationID, ChannelID: sv.ChannelID, Actor: actor},
				map[string]string{"survey_id": sv.ID, "via": via})
			if err != nil || via == "link" {
				return err // the page says so
			}
			return s.acknowledge(ctx, sv, "survey.opted_out")
		}
		res, err := tx.Exec(ctx, sqlUpdateState, stateAnswered, a.Score, a.Comment, now.UnixMilli(), sv.ID, statePending)
		if err != nil {
			return fmt.Errorf("survey: answer: %w", err)
		}
		if err := closed(res); err != nil {
			return err
		}
		e, err = s.events.Append(ctx, event.Event{Kind: Answered, CustomerID: sv.CustomerID, ConversationID: sv.ConversationID, ChannelID: sv.ChannelID, Actor: actor},
			map[string]any{"survey_id": sv.ID, "survey": string(sv.Kind), "score": a.Score, "comment": a.Comment, "agent_id": sv.AgentID, "via": via})
		if err != nil || via == "keypad" || via == "link" {
			return err // the caller heard the thanks on the line; the page says it
		}
		return s.acknowledge(ctx, sv, "survey.thanks")
	})
	return e, err
}

// acknowledge thanks the customer on the survey's channel; a channel that stopped fitting is no
// reason to lose the answer.
func (s *Service) acknowledge(ctx context.Context, sv Survey, key string) error {
	cat := s.catalog(sv.Lang)
	_, err := s.convs.SendSystem(ctx, conversation.SystemMessage{CustomerID: sv.CustomerID, ChannelID: sv.ChannelID, Text: cat.T(key)})
	var unfit *channel.NotFitError
	if errors.As(err, &unfit) {
		s.opt.Log.Info("survey: acknowledgement not sent", "survey", sv.ID, "reason", unfit.Reason)
		return nil
	}
	return err
}

// Surveys lists a customer's surveys, newest first.
func (s *Service) Surveys(ctx context.Context, customerID string) ([]Survey, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlByCustomer, customerID)
	if err != nil {
		return nil, fmt.Errorf("survey: list: %w", err)
	}
	defer rows.Close()
	out := []Survey{}
	for rows.Next() {
		sv, err := scanSurvey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sv)
	}
	return out, rows.Err()
}

func scanSurvey(r interface{ Scan(...any) error }) (Survey, error) {
	var sv Survey
	var kind string
	var score, answered *int64
	var sent, expires int64
	if err := r.Scan(&sv.ID, &kind, &sv.CustomerID, &sv.ConversationID, &sv.ChannelID, &sv.AgentID, &sv.Lang, &sv.State, &score, &sv.Comment, &sent, &expires, &answered); err != nil {
		return sv, fmt.Errorf("survey: scan: %w", err)
	}
	sv.Kind, sv.SentAt, sv.ExpiresAt = Kind(kind), time.UnixMilli(sent).UTC(), time.UnixMilli(expires).UTC()
	if score != nil {
		v := int(*score)
		sv.Score = &v
	}
	if answered != nil {
		t := time.UnixMilli(*answered).UTC()
		sv.AnsweredAt = &t
	}
	return sv, nil
}

// conversationOfCall finds the conversation a call joined, by the call's receipt.
func (s *Service) conversationOfCall(ctx context.Context, channelID, callSid string) (conversation.Conversation, error) {
	var id string
	if err := s.db.Q(ctx).QueryRow(ctx, sqlCallConversation, channelID, callSid).Scan(&id); err != nil {
		if store.IsNoRows(err) {
			return conversation.Conversation{}, conversation.ErrNotFound
		}
		return conversation.Conversation{}, fmt.Errorf("survey: call's conversation: %w", err)
	}
	return s.convs.Get(ctx, id)
}

// KeypadQuestion implements twilio.Surveyor: the question a caller hears once the agent hung
// up, in their language; not asked when they opted out, surveys are off, or the call is unknown.
func (s *Service) KeypadQuestion(ctx context.Context, channelID, callSid string) (prompt, lang string, ok bool, err error) {
	if s.opt.Disabled {
		return "", "", false, nil
	}
	c, err := s.conversationOfCall(ctx, channelID, callSid)
	if errors.Is(err, conversation.ErrNotFound) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	var n int
	if err := s.db.Q(ctx).QueryRow(ctx, sqlOptedOut, c.CustomerID).Scan(&n); err != nil || n > 0 {
		return "", "", false, err
	}
	cust, err := s.customers.Get(ctx, c.CustomerID)
	if err != nil {
		return "", "", false, err
	}
	prompt, lang = s.KeypadPrompt(cust.Languages...)
	return prompt, lang, true, nil
}

// AnswerCall implements twilio.Surveyor: the digit a caller pressed, recorded against the agent
// who had the call; thanks is what they hear next ("" when the digit was no answer).
func (s *Service) AnswerCall(ctx context.Context, channelID, callSid, digits string) (thanks, lang string, err error) {
	c, err := s.conversationOfCall(ctx, channelID, callSid)
	if errors.Is(err, conversation.ErrNotFound) {
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	ok, err := s.AnswerKeypad(ctx, c.ID, channelID, digits)
	if err != nil || !ok {
		return "", "", err
	}
	cust, err := s.customers.Get(ctx, c.CustomerID)
	if err != nil {
		return "", "", err
	}
	cat := s.catalog(cust.Languages...)
	return cat.T("survey.thanks"), cat.Lang, nil
}
