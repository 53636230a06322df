package twilio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/ivr"
)

// Menu is what answers calls on a channel with a menu (internal/ivr's Service).
type Menu interface {
	MenuOf(ctx context.Context, ch channel.Channel) (ivr.Tree, error)
	Answer(ctx context.Context, ch channel.Channel, in ivr.Incoming) (ivr.Reply, error)
	Step(ctx context.Context, ch channel.Channel, callSid string, step int, in ivr.Input) (ivr.Reply, error)
	Waiting(ctx context.Context, ch channel.Channel, callSid string, position int) (ivr.Reply, error)
	Left(ctx context.Context, ch channel.Channel, callSid, result string) error
	Ended(ctx context.Context, ch channel.Channel, callSid string) error
}

// The menu's steps are posts to the channel's own webhook, named by ?menu= (the URL Twilio
// signs includes it): gather (the caller's answer at a prompt, for &step=N), wait (Twilio
// asking what a caller in line hears), left (how the call left the line).
const (
	menuParam  = "menu"
	menuGather = "gather"
	menuWait   = "wait"
	menuLeft   = "left"
)

// SettingHoldMusic is what callers in line hear between position announcements; default
// Twilio's public classical hold music.
const SettingHoldMusic = "hold_music"

// DefaultHoldMusic is Twilio's own hold music.
const DefaultHoldMusic = "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3"

// sayLanguages and speechLanguages are the provider's names of the menu languages: for
// <Say> (text to speech) and for <Gather>'s speech recognition, which name Arabic
// differently.
var (
	sayLanguages    = map[string]string{"he": "he-IL", "ar": "ar-XA", "ru": "ru-RU", "en": "en-US"}
	speechLanguages = map[string]string{"he": "he-IL", "ar": "ar-IL", "ru": "ru-RU", "en": "en-US"}
)

// Gather is a <Gather> callback's body, parsed: what the caller pressed or said.
type Gather struct {
	Digits     string
	Speech     string
	Confidence float64
}

// ParseGather decodes the caller's input from a voice webhook body. Digits are keys (0-9, *,
// #; at most 32), speech is what Twilio's recognizer heard (at most 500 characters, valid
// UTF-8). Errors are *channel.PayloadError. It is the parser the fuzz test drives.
func ParseGather(body []byte) (Gather, error) {
	var g Gather
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return g, channel.Payloadf("not a form-encoded body: %v", err)
	}
	// "w" is the half-second pause Twilio writes into Digits for some keypads; anything
	// beyond the pad's keys did not come from a phone.
	g.Digits = strings.TrimSpace(form.Get("Digits"))
	if len(g.Digits) > 32 || strings.Trim(g.Digits, "0123456789*#w") != "" {
		return g, channel.Payloadf("Digits must be keys of a phone pad")
	}
	g.Speech = channel.StorableText(strings.TrimSpace(form.Get("SpeechResult")), 500)
	if c := form.Get("Confidence"); c != "" {
		f, err := strconv.ParseFloat(c, 64)
		if err != nil || f < 0 || f > 1 {
			return g, channel.Payloadf("Confidence must be a number from 0 to 1")
		}
		g.Confidence = f
	}
	return g, nil
}

// checkMenuRequest refuses a menu step Twilio would never send.
func checkMenuRequest(q url.Values, body []byte) error {
	switch q.Get(menuParam) {
	case menuGather:
		if n, err := strconv.Atoi(q.Get("step")); err != nil || n < 1 || n > 1_000_000 {
			return channel.Payloadf("step must be a positive number")
		}
		_, err := ParseGather(body)
		return err
	case menuWait:
		form, _ := url.ParseQuery(string(body))
		if p := form.Get("QueuePosition"); p != "" {
			if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 100_000 {
				return channel.Payloadf("QueuePosition must be a number")
			}
		}
		return nil
	case menuLeft:
		return nil
	}
	return channel.Payloadf("menu must be gather, wait or left")
}

// Answer implements channel.Answerer. A channel without a menu answers as Ack does; with one,
// the call goes through the menu. Should the menu fail, the caller is put in line rather than
// hearing Twilio's "an application error has occurred".
func (v *Voice) Answer(ctx context.Context, w http.ResponseWriter, r *http.Request, ch channel.Channel, body []byte, in []channel.Inbound, res []channel.Result) error {
	if r.URL.Query().Get(surveyParam) != "" {
		return v.surveyStep(ctx, w, r, ch, body)
	}
	if v.menu == nil || ch.Settings[ivr.SettingMenu] == "" {
		if v.survey != nil && len(in) > 0 {
			return writeTwiML(w, v.withSurvey(AnswerTwiML(ch), strings.SplitN(channel.RequestURL(r), "?", 2)[0]))
		}
		return v.Ack(w, ch, in, res)
	}
	call, err := ParseCall(body)
	if err != nil { // Receive accepted it; only a change between the two would get here
		return v.Ack(w, ch, in, res)
	}
	// The menu's action URLs are this request's own URL (the public one behind a proxy),
	// because Twilio signs the URL it calls and Verify checks the same string.
	hook := strings.SplitN(channel.RequestURL(r), "?", 2)[0]
	q := r.URL.Query()
	var reply ivr.Reply
	switch q.Get(menuParam) {
	case "":
		if call.Ended() {
			err = v.menu.Ended(ctx, ch, call.CallSid)
			w.WriteHeader(http.StatusNoContent)
			return err
		}
		if len(in) == 0 || len(res) == 0 {
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		reply, err = v.menu.Answer(ctx, ch, ivr.Incoming{CallSid: call.CallSid, From: call.From,
			CustomerID: res[0].CustomerID, ConversationID: res[0].ConversationID, MessageID: res[0].MessageID})
	case menuGather:
		g, _ := ParseGather(body)
		step, _ := strconv.Atoi(q.Get("step"))
		reply, err = v.menu.Step(ctx, ch, call.CallSid, step, ivr.Input{Digits: g.Digits, Speech: g.Speech})
	case menuWait:
		// Twilio plays this TwiML to the waiting caller and asks again when it ends, so the
		// position is told afresh between stretches of music.
		form, _ := url.ParseQuery(string(body))
		pos, _ := strconv.Atoi(form.Get("QueuePosition"))
		reply, err = v.menu.Waiting(ctx, ch, call.CallSid, pos)
		// A caller in line keeps waiting whatever went wrong: hold music, and no <Enqueue>,
		// which a wait URL may not answer with.
		_ = writeTwiML(w, MenuTwiML(ch, hook, reply, true))
		return err
	case menuLeft:
		// The call has left the line already; whatever is recorded, it ends — after the
		// survey's question when an agent had it and the caller is still on (the agent hung
		// up first), as a call without a menu does.
		form, _ := url.ParseQuery(string(body))
		result := strings.ToLower(form.Get("QueueResult"))
		err = v.menu.Left(ctx, ch, call.CallSid, result)
		if v.survey != nil && result == "bridged" && !call.Ended() {
			_ = writeTwiML(w, `<?xml version="1.0" encoding="UTF-8"?><Response>`+surveyRedirect(hook)+`</Response>`)
			return err
		}
		_ = writeTwiML(w, MenuTwiML(ch, hook, ivr.Reply{Hangup: true}, false))
		return err
	}
	if err != nil {
		_ = writeTwiML(w, fallbackTwiML(ch, hook))
		return fmt.Errorf("twilio: menu: %w", err)
	}
	return writeTwiML(w, MenuTwiML(ch, hook, reply, false))
}

func writeTwiML(w http.ResponseWriter, doc string) error {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write([]byte(doc))
	return err
}

// fallbackTwiML puts the caller in the channel's line, for when the menu cannot answer.
func fallbackTwiML(ch channel.Channel, hook string) string {
	q := ch.Settings[SettingQueue]
	if q == "" {
		q = ch.Name
	}
	return MenuTwiML(ch, hook, ivr.Reply{Enqueue: q}, false)
}

func say(s ivr.Say) string {
	lang := sayLanguages[s.Lang]
	if lang == "" {
		lang = "he-IL"
	}
	return `<Say language="` + lang + `">` + escape(s.Text) + `</Say>`
}

// MenuTwiML renders a menu's reply as TwiML for the call on ch, whose webhook is hook (the
// URL without its query). hold says the reply is for a caller in line: after it, hold music.
func MenuTwiML(ch channel.Channel, hook string, r ivr.Reply, hold bool) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Response>`)
	for _, s := range r.Say {
		b.WriteString(say(s))
	}
	if g := r.Gather; g != nil {
		lang := speechLanguages[g.Lang]
		if lang == "" {
			lang = "he-IL"
		}
		// One key is a whole answer (no # to finish it); six seconds, then the action is
		// called with nothing, which the menu counts as "did not hear you". speechTimeout
		// auto ends listening at the caller's pause, not after a fixed time.
		action := hook + "?" + menuParam + "=" + menuGather + "&step=" + strconv.Itoa(g.Step)
		b.WriteString(`<Gather input="dtmf speech" numDigits="1" timeout="6" speechTimeout="auto" actionOnEmptyResult="true" method="POST" language="` +
			lang + `" action="` + escape(action) + `"`)
		if len(g.Hints) > 0 {
			// Twilio splits hints at commas: a comma inside a label would split one phrase
			// into two weaker ones.
			hints := make([]string, 0, len(g.Hints))
			for _, h := range g.Hints {
				hints = append(hints, strings.ReplaceAll(h, ",", " "))
			}
			b.WriteString(` hints="` + escape(strings.Join(hints, ", ")) + `"`)
		}
		b.WriteString(`>`)
		for _, s := range g.Say {
			b.WriteString(say(s))
		}
		b.WriteString(`</Gather>`)
	}
	if r.Enqueue != "" {
		b.WriteString(`<Enqueue waitUrl="` + escape(hook+"?"+menuParam+"="+menuWait) + `" waitUrlMethod="POST" action="` +
			escape(hook+"?"+menuParam+"="+menuLeft) + `" method="POST">` + escape(r.Enqueue) + `</Enqueue>`)
	}
	if hold {
		music := ch.Settings[SettingHoldMusic]
		if music == "" {
			music = DefaultHoldMusic
		}
		b.WriteString(`<Play>` + escape(music) + `</Play>`)
	}
	if r.Hangup {
		b.WriteString(`<Hangup/>`)
	}
	b.WriteString(`</Response>`)
	return b.String()
}

// Release implements ivr.Releaser: it modifies the live call through the Calls API with new
// TwiML — the goodbye, then hang up — which takes the caller out of the line.
func (v *Voice) Release(ctx context.Context, ch channel.Channel, callSid string, goodbye ivr.Say) error {
	account := ch.Settings[SettingAccountSID]
	if account == "" || ch.Secret == "" {
		return errors.New("twilio: the voice channel has no account_sid or auth token configured")
	}
	if checkSid("CallSid", callSid) != nil {
		return errors.New("twilio: not a call sid")
	}
	base := strings.TrimSuffix(ch.Settings[SettingAPIBase], "/")
	if base == "" {
		base = DefaultAPIBase
	}
	form := url.Values{"Twiml": {`<Response>` + say(goodbye) + `<Hangup/></Response>`}}
	endpoint := base + "/2010-04-01/Accounts/" + url.PathEscape(account) + "/Calls/" + url.PathEscape(callSid) + ".json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("twilio: bad api_base: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", basicAuth(account, ch.Secret))
	resp, err := v.client.Do(req)
	if err != nil {
		return fmt.Errorf("twilio: release call: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64*1024))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return fmt.Errorf("twilio: release call: HTTP %d: %s", resp.StatusCode, apiErrorReason(resp.StatusCode, raw))
}
