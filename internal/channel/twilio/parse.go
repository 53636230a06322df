package twilio

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
)

// Request is one of Twilio's webhook requests, parsed: an inbound message or a status
// callback about a message Gesher sent. Twilio adds parameters without notice; the ones not
// named here are ignored (but still signed, so Verify covers them).
type Request struct {
	MessageSid          string
	AccountSid          string
	MessagingServiceSid string
	From                string
	To                  string
	Body                string
	Media               []Media
	// Status is Twilio's status word as sent (MessageStatus, else SmsStatus), lower-cased:
	// "received" on an inbound message, "sent", "delivered", "undelivered" … on a callback.
	Status       string
	ErrorCode    string
	ErrorMessage string
}

// Media is one MMS attachment: MediaUrl{N} and MediaContentType{N}.
type Media struct {
	URL         string
	ContentType string
}

func (m Media) attachment() conversation.Attachment {
	a := conversation.Attachment{URL: m.URL, ContentType: m.ContentType}
	if u, err := url.Parse(m.URL); err == nil {
		if name := path.Base(u.Path); name != "/" && name != "." {
			a.Name = name
		}
	}
	return a
}

// IsStatus reports whether the request is a status callback. Both kinds of request come to
// the same URL (the StatusCallback Gesher sets is the channel's webhook), and both carry a
// MessageSid; what tells them apart is the status: an inbound message is "received" (or,
// from providers that leave SmsStatus out, has none), anything else reports on our own.
func (r Request) IsStatus() bool {
	return r.Status != "" && r.Status != "received" && r.Status != "receiving"
}

// Limits on what Parse accepts. Twilio sends at most 1,600 characters and 10 media; the
// margins are for compatible providers, the limits for a body that is not what it claims.
const (
	maxBody  = 64 * 1024
	maxMedia = 10
	maxSid   = 64
	maxURL   = 2048
)

// Parse decodes a form-encoded webhook body and checks it. It is the whole parser, so it is
// what the fuzz test drives. Errors are *channel.PayloadError.
func Parse(body []byte) (Request, error) {
	var req Request
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return req, channel.Payloadf("not a form-encoded body: %v", err)
	}
	get := func(keys ...string) string {
		for _, k := range keys {
			if v := strings.TrimSpace(form.Get(k)); v != "" {
				return v
			}
		}
		return ""
	}
	req.MessageSid = get("MessageSid", "SmsMessageSid", "SmsSid")
	req.AccountSid = get("AccountSid")
	req.MessagingServiceSid = get("MessagingServiceSid")
	req.From, req.To = get("From"), get("To")
	req.Status = strings.ToLower(get("MessageStatus", "SmsStatus"))
	req.ErrorCode, req.ErrorMessage = get("ErrorCode"), channel.StorableText(get("ErrorMessage"), 500)
	if err := checkSid("MessageSid", req.MessageSid); err != nil {
		return req, err
	}
	if len(req.Status) > 32 {
		return req, channel.Payloadf("MessageStatus is not a status word")
	}
	if req.IsStatus() {
		if req.ErrorCode != "" {
			if _, err := strconv.Atoi(req.ErrorCode); err != nil || len(req.ErrorCode) > 10 {
				return req, channel.Payloadf("ErrorCode %q is not a number", limit(req.ErrorCode))
			}
		}
		return req, nil
	}

	if req.From == "" {
		return req, channel.Payloadf("From (the sender's number) is missing")
	}
	// Twilio always sends Body on a POST, empty for a picture-only MMS. Its absence means the
	// body is not one of Twilio's requests, or was cut short.
	if _, ok := form["Body"]; !ok {
		return req, channel.Payloadf("Body is missing")
	}
	raw := form.Get("Body")
	if len(raw) > maxBody {
		return req, channel.Payloadf("Body is longer than %d bytes", maxBody)
	}
	req.Body = channel.StorableText(raw, maxBody)

	n := 0
	if s := get("NumMedia"); s != "" {
		if n, err = strconv.Atoi(s); err != nil || n < 0 || n > maxMedia {
			return req, channel.Payloadf("NumMedia %q is not a number from 0 to %d", limit(s), maxMedia)
		}
	}
	for i := range n {
		u := get(fmt.Sprintf("MediaUrl%d", i))
		if u == "" {
			return req, channel.Payloadf("NumMedia is %d but MediaUrl%d is missing", n, i)
		}
		if err := checkURL(u); err != nil {
			return req, channel.Payloadf("MediaUrl%d: %v", i, err)
		}
		ct := get(fmt.Sprintf("MediaContentType%d", i))
		if ct == "" || len(ct) > 255 {
			ct = "application/octet-stream"
		}
		req.Media = append(req.Media, Media{URL: u, ContentType: ct})
	}
	if strings.TrimSpace(req.Body) == "" && len(req.Media) == 0 {
		return req, channel.Payloadf("the message has neither text nor media")
	}
	return req, nil
}

// checkSid accepts Twilio's SM…/MM…/CA… ids and the UUIDs of compatible providers, and
// nothing that could not be an id: it becomes the de-duplication key. name is the
// parameter's, for the error.
func checkSid(name, sid string) error {
	if sid == "" {
		return channel.Payloadf("%s is missing", name)
	}
	if len(sid) > maxSid {
		return channel.Payloadf("%s is longer than %d characters", name, maxSid)
	}
	for i := 0; i < len(sid); i++ {
		c := sid[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return channel.Payloadf("%s %q has characters an id does not have", name, limit(sid))
		}
	}
	return nil
}

func checkURL(s string) error {
	if len(s) > maxURL {
		return fmt.Errorf("longer than %d characters", maxURL)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", limit(s))
	}
	return nil
}

// limit shortens a caller's value for an error message.
func limit(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}

const statusFailed = conversation.StatusFailed

// mapStatus turns Twilio's status word into Gesher's. ok is false for words that say nothing
// Gesher does not know already (the message is queued until the send job records "sent") and
// for words Twilio may add in future.
func mapStatus(s string) (status string, ok bool) {
	switch s {
	case "sending", "sent":
		return conversation.StatusSent, true
	case "delivered", "partially_delivered":
		return conversation.StatusDelivered, true
	case "read":
		return conversation.StatusRead, true
	case "undelivered", "failed", "canceled":
		return statusFailed, true
	}
	return "", false
}

// failureReason is what the agent reads on a failed message: Twilio's words for the error
// when it sent them, else the meaning of the commonest codes, else the code.
func failureReason(status, code, message string) string {
	if code == "" {
		if message != "" {
			return message
		}
		return "Twilio reported the message " + status
	}
	if message == "" {
		message = errorMeaning(code)
	}
	if message == "" {
		return fmt.Sprintf("Twilio reported the message %s (error %s)", status, code)
	}
	return fmt.Sprintf("%s (Twilio error %s)", message, code)
}

// errorMeaning is the title Twilio's error dictionary gives the errors most often seen on
// failed and undelivered SMS, for callbacks that carry only the code.
func errorMeaning(code string) string {
	switch code {
	case "21211":
		return "Invalid 'To' phone number"
	case "21408":
		return "Permission to send an SMS has not been enabled for the region"
	case "21610":
		return "Attempt to send to unsubscribed recipient"
	case "21614":
		return "'To' number is not a valid mobile number"
	case "30001":
		return "Queue overflow"
	case "30002":
		return "Account suspended"
	case "30003":
		return "Unreachable destination handset"
	case "30004":
		return "Message blocked"
	case "30005":
		return "Unknown destination handset"
	case "30006":
		return "Landline or unreachable carrier"
	case "30007":
		return "Message filtered"
	case "30008":
		return "Unknown error"
	}
	return ""
}
