package twilio

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/customer"
)

// MaxBodyChars is the longest Body the Messages API takes (Twilio error 21617); Twilio splits
// it into segments itself.
const MaxBodyChars = 1600

// Send implements channel.Adapter: it creates a Message resource through the Messages API.
//
// Twilio's Messages API has no idempotency key, so "send once" rests on the outbox: its job
// calls Send only while the message is still queued, and records "sent" with Twilio's sid in
// the same run, right after the 201. A retried job finds the message sent and stops. The one
// window left is a request Twilio accepted whose answer never arrived (a timeout or reset
// after the body was written): that is retried like any network error, because a duplicate
// SMS is a smaller harm than a reply the agent believes sent and the customer never gets.
// Errors before the request reached Twilio (a refused connection) cannot duplicate.
func (a *SMS) Send(ctx context.Context, ch channel.Channel, m channel.Outbound) (channel.Receipt, error) {
	account := ch.Settings[SettingAccountSID]
	if account == "" || ch.Secret == "" {
		return channel.Receipt{}, &channel.SendError{Reason: "the SMS channel has no account_sid or auth token configured"}
	}
	form := url.Values{}
	switch {
	case ch.Settings[SettingMessagingServiceSID] != "":
		form.Set("MessagingServiceSid", ch.Settings[SettingMessagingServiceSID])
	case ch.Settings[SettingFrom] != "":
		form.Set("From", ch.Settings[SettingFrom])
	default:
		return channel.Receipt{}, &channel.SendError{Reason: "the SMS channel has no from number or messaging_service_sid configured"}
	}
	to := ""
	for _, id := range m.To {
		if id.Kind == customer.Phone {
			to = id.Value
			break
		}
	}
	if to == "" {
		return channel.Receipt{}, channel.ErrNoAddress
	}
	form.Set("To", to)
	if n := utf8.RuneCountInString(m.Text); n > MaxBodyChars {
		return channel.Receipt{}, &channel.SendError{Reason: fmt.Sprintf("the text has %d characters; an SMS can have at most %d", n, MaxBodyChars)}
	}
	if m.Text != "" {
		form.Set("Body", m.Text)
	}
	for _, att := range m.Attachments {
		if strings.HasPrefix(att.URL, "https://") || strings.HasPrefix(att.URL, "http://") {
			form.Add("MediaUrl", att.URL)
		}
	}
	if len(form["MediaUrl"]) > maxMedia {
		return channel.Receipt{}, &channel.SendError{Reason: fmt.Sprintf("an MMS can carry at most %d media", maxMedia)}
	}
	if m.Text == "" && len(form["MediaUrl"]) == 0 {
		return channel.Receipt{}, &channel.SendError{Reason: "nothing to send by SMS: no text and no attachment with a URL"}
	}
	if cb := StatusCallbackURL(ch); cb != "" {
		form.Set("StatusCallback", cb)
	}

	base := strings.TrimSuffix(ch.Settings[SettingAPIBase], "/")
	if base == "" {
		base = DefaultAPIBase
	}
	endpoint := base + "/2010-04-01/Accounts/" + url.PathEscape(account) + "/Messages.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return channel.Receipt{}, &channel.SendError{Reason: "bad api_base: " + err.Error()}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", basicAuth(account, ch.Secret))
	resp, err := a.client.Do(req)
	if err != nil {
		// Timeouts are retried too; Send's comment says why.
		return channel.Receipt{}, channel.TransportError(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64*1024))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		var created struct {
			Sid string `json:"sid"`
		}
		_ = json.Unmarshal(raw, &created)
		// A 2xx without a sid still means Twilio took the message: retrying would send it
		// twice. Status callbacks cannot be matched to it, which is the lesser loss.
		return channel.Receipt{ExternalID: created.Sid}, nil
	}
	return channel.Receipt{}, channel.HTTPFailure(resp.StatusCode, resp.Header, apiErrorReason(resp.StatusCode, raw), time.Now())
}

// StatusCallbackURL is where Twilio is asked to report on messages sent through ch: the
// status_callback_url setting, else this channel's webhook under public_url, else none (the
// message then stays "sent").
func StatusCallbackURL(ch channel.Channel) string {
	if u := ch.Settings[SettingStatusCallbackURL]; u != "" {
		return u
	}
	if base := strings.TrimSuffix(ch.Settings[SettingPublicURL], "/"); base != "" {
		return base + "/hooks/" + string(Kind) + "/" + url.PathEscape(ch.Name)
	}
	return ""
}

// apiErrorReason reads Twilio's error document ({"code": 21610, "message": "…", "more_info":
// "…", "status": 400}) into what the agent sees on the failed message.
func apiErrorReason(status int, raw []byte) string {
	var doc struct {
		Code    json.Number `json:"code"`
		Message string      `json:"message"`
	}
	if err := json.Unmarshal(raw, &doc); err == nil && doc.Message != "" {
		msg := channel.StorableText(doc.Message, 500)
		if doc.Code != "" {
			return fmt.Sprintf("%s (Twilio error %s)", msg, doc.Code)
		}
		return msg
	}
	if s := strings.TrimSpace(channel.StorableText(string(raw), 500)); s != "" && utf8.ValidString(s) && !strings.HasPrefix(s, "<") {
		return s
	}
	return http.StatusText(status)
}
