package twilio

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gesher-cs/gesher/internal/channel"
)

// Surveyor asks a caller, on the keypad, how the call went, once the agent has hung up: the
// survey package's service is one. Both calls are made after the call's webhook was verified,
// and what AnswerCall records is committed before the TwiML thanking the caller is written.
type Surveyor interface {
	// KeypadQuestion is what to say before gathering one digit at the end of the call
	// callSid on channelID; ok is false when the caller is not to be asked (opted out, or the
	// call is not known).
	KeypadQuestion(ctx context.Context, channelID, callSid string) (prompt, lang string, ok bool, err error)
	// AnswerCall records the digits pressed; thanks is "" when they were no answer.
	AnswerCall(ctx context.Context, channelID, callSid, digits string) (thanks, lang string, err error)
}

// SetSurveyor sets who asks callers at the end of a call; wired once at start-up. Without one,
// calls end when the agent hangs up.
func (v *Voice) SetSurveyor(s Surveyor) { v.survey = s }

// The survey's steps post back to the channel's webhook, named by ?survey= in the URL (which
// Twilio signs): ask (the agent hung up: the question), answer (the digit pressed).
const (
	surveyParam  = "survey"
	surveyAsk    = "ask"
	surveyAnswer = "answer"
)

func checkSurveyRequest(q url.Values) error {
	switch q.Get(surveyParam) {
	case surveyAsk, surveyAnswer:
		return nil
	}
	return channel.Payloadf("survey must be ask or answer")
}

// surveyRedirect is the verb that follows the line (or the forwarding) in a call's TwiML: once
// the agent hangs up, Twilio goes on to it, and the caller is asked.
func surveyRedirect(hook string) string {
	return `<Redirect method="POST">` + escape(hook+"?"+surveyParam+"="+surveyAsk) + `</Redirect>`
}

// withSurvey adds the survey's redirect to a call's answer.
func (v *Voice) withSurvey(doc, hook string) string {
	if v.survey == nil {
		return doc
	}
	return strings.Replace(doc, `</Response>`, surveyRedirect(hook)+`</Response>`, 1)
}

// surveyStep answers the survey's own webhook requests.
func (v *Voice) surveyStep(ctx context.Context, w http.ResponseWriter, r *http.Request, ch channel.Channel, body []byte) error {
	hook := strings.SplitN(channel.RequestURL(r), "?", 2)[0]
	hangup := `<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>`
	call, err := ParseCall(body)
	if err != nil || v.survey == nil || call.Ended() {
		return writeTwiML(w, hangup)
	}
	switch r.URL.Query().Get(surveyParam) {
	case surveyAsk:
		prompt, lang, ok, err := v.survey.KeypadQuestion(ctx, ch.ID, call.CallSid)
		if err != nil || !ok {
			_ = writeTwiML(w, hangup)
			return err
		}
		l := sayLanguages[lang]
		if l == "" {
			l = "he-IL"
		}
		action := escape(hook + "?" + surveyParam + "=" + surveyAnswer)
		// No answer within the timeout: Twilio goes on past the <Gather> and the call ends.
		return writeTwiML(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf" numDigits="1" timeout="6" action="`+action+`" method="POST">`+
			`<Say language="`+l+`">`+escape(prompt)+`</Say></Gather><Hangup/></Response>`)
	default:
		g, _ := ParseGather(body)
		thanks, lang, err := v.survey.AnswerCall(ctx, ch.ID, call.CallSid, g.Digits)
		if err != nil || thanks == "" {
			_ = writeTwiML(w, hangup)
			return err
		}
		l := sayLanguages[lang]
		if l == "" {
			l = "he-IL"
		}
		return writeTwiML(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Say language="`+l+`">`+escape(thanks)+`</Say><Hangup/></Response>`)
	}
}
