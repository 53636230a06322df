package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
)

// apiError is the Bot API's answer to a failed call: {"ok": false, "error_code": 429,
// "description": "Too Many Requests: retry after 5", "parameters": {"retry_after": 5}}.
type apiError struct {
	Status      int // the HTTP status
	Code        int // error_code
	Description string
	RetryAfter  time.Duration
}

func (e *apiError) Error() string {
	return fmt.Sprintf("Telegram answered %d: %s", e.Code, e.Description)
}

// temporary reports whether another attempt may succeed: flood control (429), a timeout
// (408) and Telegram's own failures (5xx).
func (e *apiError) temporary() bool {
	return e.Code == http.StatusTooManyRequests || channel.TemporaryStatus(e.Status)
}

// netError is a round trip that did not complete. Its message never holds the request's URL,
// which holds the bot token.
type netError struct {
	msg       string
	temporary bool
}

func (e *netError) Error() string { return e.msg }

// botToken returns the channel's token, or why it cannot be used.
func botToken(ch channel.Channel) (string, error) {
	t := ch.Settings[SettingBotToken]
	if t == "" {
		return "", fmt.Errorf("the Telegram channel %s has no bot_token configured", ch.Name)
	}
	// The token becomes part of a URL path: anything that is not a token's characters would
	// change which URL is called.
	for i := 0; i < len(t); i++ {
		if c := t[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ':' || c == '-' || c == '_') {
			return "", fmt.Errorf("the Telegram channel %s has a bot_token with characters a token does not have", ch.Name)
		}
	}
	return t, nil
}

func apiBase(ch channel.Channel) string {
	if b := strings.TrimSuffix(ch.Settings[SettingAPIBase], "/"); b != "" {
		return b
	}
	return DefaultAPIBase
}

// call invokes a Bot API method with a JSON body and decodes its result into out. It returns
// *apiError when Telegram refused, *netError when the round trip failed.
func (a *Adapter) call(ctx context.Context, ch channel.Channel, token, method string, params, out any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("telegram: encode %s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, apiBase(ch)+"/bot"+token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return &netError{msg: "bad api_base: " + redact(err.Error(), token)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return roundTripError(err, token)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return roundTripError(err, token)
	}
	var doc struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		ErrorCode   int             `json:"error_code"`
		Description string          `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if jerr := json.Unmarshal(raw, &doc); jerr != nil || (!doc.OK && doc.ErrorCode == 0 && doc.Description == "") {
		// Not the Bot API talking: a proxy's error page, or a wrong api_base.
		e := &apiError{Status: resp.StatusCode, Code: resp.StatusCode, Description: http.StatusText(resp.StatusCode)}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			e.Status, e.Code, e.Description = http.StatusBadGateway, http.StatusBadGateway, "the Bot API's answer is not JSON"
		}
		e.RetryAfter = retryAfter(0, resp.Header.Get("Retry-After"))
		return e
	}
	if !doc.OK {
		code := doc.ErrorCode
		if code == 0 {
			code = resp.StatusCode
		}
		desc := strings.TrimSpace(redact(channel.StorableText(doc.Description, maxText), token))
		if len(desc) > 500 {
			desc = strings.ToValidUTF8(desc[:500], "")
		}
		if desc == "" {
			desc = http.StatusText(code)
		}
		return &apiError{Status: resp.StatusCode, Code: code, Description: desc, RetryAfter: retryAfter(doc.Parameters.RetryAfter, resp.Header.Get("Retry-After"))}
	}
	if out != nil {
		if err := json.Unmarshal(doc.Result, out); err != nil {
			return &apiError{Status: http.StatusBadGateway, Code: http.StatusBadGateway, Description: method + " answered ok with a result Gesher cannot read"}
		}
	}
	return nil
}

// roundTripError classifies a failed round trip: timeouts, resets and refused connections may
// go through next time; a bad URL or an untrusted certificate will not. The message is
// rebuilt without the URL net/http puts in it.
func roundTripError(err error, token string) error {
	if errors.Is(err, context.Canceled) {
		return &netError{msg: "cancelled", temporary: true}
	}
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Op + ": " + ue.Err.Error()
	}
	return &netError{msg: redact(msg, token), temporary: channel.TemporaryTransport(err)}
}

// redact removes the bot token from text that may have come from a URL.
func redact(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "<bot_token>")
}

// retryAfter is how long Telegram asked to wait: parameters.retry_after in seconds or the
// Retry-After header, whichever is longer, capped at an hour.
func retryAfter(param int, header string) time.Duration {
	d := channel.RetryAfter(header, time.Now())
	if p := time.Duration(min(param, 3600)) * time.Second; p > d {
		d = p
	}
	return d
}
