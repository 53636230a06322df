package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/media"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store"
)

// chatFlow is a guided flow in progress on a chat channel. Pos is the index of the step the
// customer is answering in the service's Flow. There is no contact step, as the web form has:
// the customer is the one writing, known by the channel.
type chatFlow struct {
	CustomerID, ServiceID, ChannelID, ConversationID string
	Pos                                              int
	Answers                                          map[string]any
	Lang, StartedBy                                  string
	CodeID                                           string // the code sent for the identity check it is at
	StartedAt                                        time.Time
}

// flowVia is the way a service's flow runs as on the channel, or "" when it cannot run there:
// on WhatsApp, the catalogue's "WhatsApp flow"; on Telegram and web chat, which the catalogue
// does not name, the self-service the web form offers. Limits are checked against it, as the
// web form checks them against "web".
func flowVia(ch channel.Channel, svc selfservice.Service) selfservice.Way {
	if len(svc.Flow) == 0 {
		return ""
	}
	want := selfservice.Web
	if ch.Kind == "whatsapp" {
		want = selfservice.WhatsApp
	}
	for _, w := range svc.Channels {
		if w == want {
			return w
		}
	}
	return ""
}

func (b *Bot) flow(ctx context.Context, customerID string) (chatFlow, bool, error) {
	var f chatFlow
	var answers string
	var started, updated int64
	err := b.d.DB.Q(ctx).QueryRow(ctx, sqlSelectFlow, customerID).Scan(&f.CustomerID, &f.ServiceID, &f.ChannelID, &f.ConversationID, &f.Pos, &answers, &f.Lang, &f.StartedBy, &f.CodeID, &started, &updated)
	if store.IsNoRows(err) {
		return f, false, nil
	}
	if err != nil {
		return f, false, fmt.Errorf("bot: read flow: %w", err)
	}
	f.Answers = map[string]any{}
	if err := json.Unmarshal([]byte(answers), &f.Answers); err != nil {
		return f, false, fmt.Errorf("bot: flow of %s: %w", customerID, err)
	}
	f.StartedAt = time.UnixMilli(started).UTC()
	return f, true, nil
}

func (b *Bot) saveFlow(ctx context.Context, f chatFlow) error {
	answers, err := json.Marshal(f.Answers)
	if err != nil {
		return fmt.Errorf("bot: encode answers: %w", err)
	}
	return b.exec(ctx, "save flow", sqlUpdateFlow, f.Pos, string(answers), f.ChannelID, f.ConversationID, f.CodeID, b.d.Clock.Now().UnixMilli(), f.CustomerID)
}

// start begins svc's flow for the customer of t, replacing any flow they were in, and sends
// the first step.
func (b *Bot) start(ctx context.Context, t *turn, svc selfservice.Service, by event.Actor) error {
	via := flowVia(t.ch, svc)
	if via == "" {
		return b.say(ctx, t, t.cat.T("bot.flow.unavailable", "service", selfservice.Text(svc.Name, t.lang)))
	}
	now := b.d.Clock.Now()
	f := chatFlow{CustomerID: t.cust.ID, ServiceID: svc.ID, ChannelID: t.ch.ID, ConversationID: t.conv.ID, Answers: map[string]any{}, Lang: t.lang, StartedBy: by.ID, StartedAt: now}
	if err := b.exec(ctx, "replace flow", sqlDeleteFlow, f.CustomerID); err != nil {
		return err
	}
	if err := b.exec(ctx, "start flow", sqlInsertFlow, f.CustomerID, f.ServiceID, f.ChannelID, f.ConversationID, 0, "{}", f.Lang, f.StartedBy, now.UnixMilli(), now.UnixMilli()); err != nil {
		return err
	}
	// The bot's question is answered: whatever it asked before is moot now.
	if err := b.exec(ctx, "forget thread", sqlDeleteThread, t.conv.ID); err != nil {
		return err
	}
	ev := t.ev(FlowStarted)
	ev.Actor = by
	if _, err := b.d.Events.Append(ctx, ev, map[string]any{"service_id": svc.ID, "via": via}); err != nil {
		return err
	}
	lines := append([]string{t.cat.T("bot.flow.start", "service", selfservice.Text(svc.Name, t.lang))}, b.serviceLines(t, svc)...)
	if err := b.offerStep(ctx, t, svc, f, append(lines, "")...); err != nil {
		return err
	}
	return b.arrive(ctx, t, svc, &f)
}

// offerStep says the step the flow is at, after the lines before it (a refusal's reason, the
// flow's introduction), its answers as buttons that carry the step's key.
func (b *Bot) offerStep(ctx context.Context, t *turn, svc selfservice.Service, f chatFlow, before ...string) error {
	step := b.stepLines(t, svc, f)
	return b.offer(ctx, t, stepKey(svc, step), stepChoices(t, svc, f), append(before, step...)...)
}

// stepKey is the choiceKey of a step, from the lines that ask it (stepLines): its place in
// the flow, its question and options, and at the confirmation the answers it lists.
func stepKey(svc selfservice.Service, step []string) string {
	return choiceKey("step", append([]string{svc.ID}, step...)...)
}

// stepLines are the step the flow is at, as a message: the question, its help, the options
// numbered (or, at the confirmation, the answers to check), and how to go back or stop.
func (b *Bot) stepLines(t *turn, svc selfservice.Service, f chatFlow) []string {
	st := svc.Flow[f.Pos]
	lines := []string{t.cat.T("bot.flow.progress", "n", strconv.Itoa(f.Pos+1), "total", strconv.Itoa(len(svc.Flow))), selfservice.Text(st.Label, t.lang)}
	if h := selfservice.Text(st.Help, t.lang); h != "" {
		lines = append(lines, h)
	}
	switch st.Kind {
	case selfservice.Choice:
		labels := make([]string, len(st.Options))
		for i, o := range st.Options {
			labels[i] = selfservice.Text(o.Label, t.lang)
		}
		lines = append(lines, numbered(labels))
	case selfservice.Upload:
		lines = append(lines, t.cat.T("bot.flow.file"))
	case selfservice.Code:
		lines = append(lines, t.cat.T("bot.flow.code"))
	case selfservice.Confirm:
		for _, q := range svc.Flow[:f.Pos] {
			v := answerText(q, f.Answers[q.ID], t.lang)
			switch q.Kind {
			case selfservice.Upload:
				v = t.cat.T("flow.file.sent")
			case selfservice.Code:
				v = t.cat.T("flow.code.done")
			}
			lines = append(lines, "• "+selfservice.Text(q.Label, t.lang)+": "+v)
		}
		lines = append(lines, numbered([]string{t.cat.T("bot.flow.confirm.yes"), t.cat.T("bot.flow.confirm.back")}))
	}
	return append(lines, t.cat.T("bot.flow.words"))
}

// stepChoices are the answers a step offers, as numbered in its message: a choice's options,
// or the confirmation's "confirm" and "go back".
func stepChoices(t *turn, svc selfservice.Service, f chatFlow) []string {
	st := svc.Flow[f.Pos]
	switch st.Kind {
	case selfservice.Choice:
		out := make([]string, len(st.Options))
		for i, o := range st.Options {
			out[i] = selfservice.Text(o.Label, t.lang)
		}
		return out
	case selfservice.Confirm:
		return []string{t.cat.T("bot.flow.confirm.yes"), t.cat.T("bot.flow.confirm.back")}
	}
	return nil
}

// answerText is an answer as the customer gave it: an option's label, a number as written.
func answerText(st selfservice.Step, v any, lang string) string {
	switch x := v.(type) {
	case string:
		for _, o := range st.Options {
			if o.Value == x {
				return selfservice.Text(o.Label, lang)
			}
		}
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// advance takes the customer's message as the answer to the step their flow is at: checked
// as the web form checks it, kept, and the limits checked with every answer so far; then the
// next step, or the case.
func (b *Bot) advance(ctx context.Context, t *turn, f chatFlow, item channel.Inbound) error {
	svc, err := b.d.Desk.GetService(ctx, f.ServiceID)
	if errors.Is(err, selfservice.ErrNotFound) || (err == nil && (f.Pos >= len(svc.Flow) || flowVia(t.ch, svc) == "")) {
		// The service was removed or changed under the flow, or the customer wrote on another
		// channel where it cannot run: the flow ends and the agents take the message.
		if err := b.exec(ctx, "end flow", sqlDeleteFlow, f.CustomerID); err != nil {
			return err
		}
		return b.handOver(ctx, t, "flow-ended")
	}
	if err != nil {
		return err
	}
	f.ChannelID, f.ConversationID = t.ch.ID, t.conv.ID
	st := svc.Flow[f.Pos]
	if t.press != nil && t.press.Key != stepKey(svc, b.stepLines(t, svc, f)) {
		// A button of another question (an earlier step's message, a survey's): Telegram
		// keeps every keyboard, and "1" pressed there is no answer to this step. Nothing is
		// answered; the step is asked again, so its own buttons are the newest.
		return b.offerStep(ctx, t, svc, f)
	}
	switch WordOf(t.text) {
	case Cancel:
		if err := b.exec(ctx, "cancel flow", sqlDeleteFlow, f.CustomerID); err != nil {
			return err
		}
		if _, err := b.d.Events.Append(ctx, t.ev(FlowCancelled), map[string]any{"service_id": svc.ID, "step": st.ID}); err != nil {
			return err
		}
		return b.say(ctx, t, t.cat.T("bot.flow.cancelled"))
	case Agent:
		if err := b.exec(ctx, "end flow", sqlDeleteFlow, f.CustomerID); err != nil {
			return err
		}
		return b.handOver(ctx, t, handOverAsked)
	case Back:
		return b.back(ctx, t, svc, f)
	}
	if st.Kind == selfservice.Confirm && (pick(t.text) == 2 || WordOf(t.text) == No) {
		return b.back(ctx, t, svc, f)
	}
	raw, problem, err := b.special(ctx, t, svc, &f, st)
	if err != nil {
		return err
	}
	var v any
	if problem == "" {
		v, problem = AnswerOf(st, raw)
	}
	if problem == "" && st.Kind != selfservice.Confirm {
		f.Answers[st.ID] = v
	}
	var hit *selfservice.Limit
	if problem == "" {
		var ve *selfservice.ValidationError
		hit, err = svc.Check(f.Answers, flowVia(t.ch, svc))
		if errors.As(err, &ve) {
			// A limit compares a number and the answer is not one: the web form refuses it
			// the same way.
			delete(f.Answers, st.ID)
			problem, err = selfservice.ProblemNumber, nil
		}
		if err != nil {
			return err
		}
	}
	if problem != "" {
		if _, err := b.d.Events.Append(ctx, t.ev(FlowRefused), map[string]any{"service_id": svc.ID, "step": st.ID, "problem": problem}); err != nil {
			return err
		}
		return b.offerStep(ctx, t, svc, f, t.cat.T(problem), "")
	}
	if _, err := b.d.Events.Append(ctx, t.ev(FlowAnswered), map[string]any{"service_id": svc.ID, "step": st.ID}); err != nil {
		return err
	}
	if hit == nil && f.Pos < len(svc.Flow)-1 {
		f.Pos++
		if err := b.saveFlow(ctx, f); err != nil {
			return err
		}
		if err := b.offerStep(ctx, t, svc, f); err != nil {
			return err
		}
		return b.arrive(ctx, t, svc, &f)
	}
	// The last step, or a limit that holds: the case is opened either way, with the answers
	// so far, so nothing the customer said is lost.
	stoppedAt := ""
	if hit != nil {
		stoppedAt = st.ID
	}
	c, err := b.d.Desk.FinishFlowFor(ctx, svc, t.cust.ID, f.Answers, flowVia(t.ch, svc), stoppedAt)
	if err != nil {
		return err
	}
	if err := b.exec(ctx, "finish flow", sqlDeleteFlow, f.CustomerID); err != nil {
		return err
	}
	if _, err := b.d.Events.Append(ctx, t.ev(FlowFinished), map[string]any{"service_id": svc.ID, "case_id": c.ID, "stopped_at": stoppedAt}); err != nil {
		return err
	}
	if c.Limit != nil {
		return b.say(ctx, t, selfservice.Text(c.Limit.Message, t.lang),
			t.cat.T("bot.flow.stopped", "way", t.cat.T("way."+string(c.Limit.Then)), "ref", c.Ref))
	}
	return b.say(ctx, t, t.cat.T("bot.flow.done", "ref", c.Ref))
}

func (b *Bot) back(ctx context.Context, t *turn, svc selfservice.Service, f chatFlow) error {
	f.Pos = max(f.Pos-1, 0)
	if err := b.saveFlow(ctx, f); err != nil {
		return err
	}
	if err := b.offerStep(ctx, t, svc, f); err != nil {
		return err
	}
	return b.arrive(ctx, t, svc, &f)
}

// arrive prepares the step the flow just moved to: an identity check sends its code now, on
// the customer's fitting channel, after the step's question.
func (b *Bot) arrive(ctx context.Context, t *turn, svc selfservice.Service, f *chatFlow) error {
	if svc.Flow[f.Pos].Kind != selfservice.Code {
		return nil
	}
	id, err := b.d.Desk.SendCode(ctx, svc, t.cust.ID, t.lang)
	if errors.Is(err, selfservice.ErrCodeUnsent) {
		return b.say(ctx, t, t.cat.T(selfservice.ProblemCodeUnsent))
	}
	if err != nil {
		return err
	}
	f.CodeID = id
	return b.saveFlow(ctx, *f)
}

// special turns a file message or a typed code into the answer the shared check reads (as
// the web form's renderer does): the stored file's address, or "verified" once the code was
// right. Other steps' answers are the message's text.
func (b *Bot) special(ctx context.Context, t *turn, svc selfservice.Service, f *chatFlow, st selfservice.Step) (string, string, error) {
	switch st.Kind {
	case selfservice.Upload:
		// The ingest stored the message's files before the bot runs; the first is the answer.
		for _, a := range t.attachments {
			if strings.HasPrefix(a.URL, media.URL("")) {
				return a.URL, "", nil
			}
		}
		return "", selfservice.ProblemFile, nil
	case selfservice.Code:
		problem, err := b.d.Desk.CheckCode(ctx, f.CodeID, t.cust.ID, t.text)
		if err != nil {
			return "", "", err
		}
		if problem == selfservice.ProblemCodeExpired {
			id, err := b.d.Desk.SendCode(ctx, svc, t.cust.ID, t.lang)
			if err != nil && !errors.Is(err, selfservice.ErrCodeUnsent) {
				return "", "", err
			}
			f.CodeID = id
			if err := b.saveFlow(ctx, *f); err != nil {
				return "", "", err
			}
		}
		if problem != "" {
			return "", problem, nil
		}
		f.CodeID = ""
		return selfservice.Verified, "", nil
	}
	return t.text, "", nil
}
