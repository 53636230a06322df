package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
)

// Kind is the channel kind served here. internal/channel/fit.go knows it by this word.
const Kind channel.Kind = "telegram"

// SecretHeader carries the secret_token the webhook was set with.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// Channel settings this adapter reads.
const (
	SettingBotToken = "bot_token"
	SettingAPIBase  = "api_base"
)

// DefaultAPIBase is Telegram's Bot API server.
const DefaultAPIBase = "https://api.telegram.org"

// Adapter is the Telegram channel.
type Adapter struct {
	client *http.Client
	parts  *progress
}

var (
	_ channel.Adapter      = (*Adapter)(nil)
	_ channel.Acknowledger = (*Adapter)(nil)
	_ channel.SecretHolder = (*Adapter)(nil)
)

// New returns the adapter. client may be nil for a default with a 15-second timeout.
func New(client *http.Client) *Adapter {
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	return &Adapter{client: client, parts: newProgress()}
}

// Kind implements channel.Adapter.
func (a *Adapter) Kind() channel.Kind { return Kind }

// Secrets implements channel.SecretHolder: the webhook's secret token and the bot token, which
// travels inside every Bot API URL.
func (a *Adapter) Secrets(ch channel.Channel) []string {
	var out []string
	for _, s := range []string{ch.Secret, ch.Settings[SettingBotToken]} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Verify implements channel.Adapter: the header must carry the channel's secret token. Both
// sides are hashed before the constant-time comparison so that not even the token's length
// leaks through timing. A channel without a secret accepts nothing, rather than everything.
func (a *Adapter) Verify(ch channel.Channel, r *http.Request, body []byte) error {
	got := r.Header.Get(SecretHeader)
	if ch.Secret == "" || got == "" {
		return channel.ErrSignature
	}
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(ch.Secret))
	if subtle.ConstantTimeCompare(g[:], w[:]) != 1 {
		return channel.ErrSignature
	}
	return nil
}

// Receive implements channel.Adapter: at most one item per update. Updates Gesher does not
// serve (a group's messages, channel posts, polls, the bot being blocked …) give none, so
// nothing is stored and Telegram still gets its 2xx and stops re-delivering them. The file a
// message carries is downloaded here, before the ingest transaction; a download that failed
// in a way another attempt may cure is an error, so the update is not acknowledged and
// Telegram delivers it again.
func (a *Adapter) Receive(ctx context.Context, ch channel.Channel, r *http.Request, body []byte) ([]channel.Inbound, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return nil, channel.Payloadf("expected an application/json body, got %q", limit(ct))
		}
	}
	item, err := Parse(body)
	if err != nil || item == nil {
		return nil, err
	}
	in := channel.Inbound{ExternalID: item.ExternalID, From: item.From, Text: item.Text, At: item.At, Press: item.Press}
	for _, ref := range item.Files {
		f, note, err := a.download(ctx, ch, ref)
		if err != nil {
			return nil, err
		}
		if f != nil {
			in.Files = append(in.Files, *f)
		} else {
			in.Attachments = append(in.Attachments, *note)
		}
	}
	return []channel.Inbound{in}, nil
}

// Ack implements channel.Acknowledger. Telegram reads a webhook's answer as a Bot API call
// when it names a method; after a button press Gesher uses that to call answerCallbackQuery,
// which stops the spinner the customer's app shows on the button until the bot answers. Any
// other update gets the pipeline's usual summary, which names no method and so asks nothing.
func (a *Adapter) Ack(w http.ResponseWriter, ch channel.Channel, in []channel.Inbound, res []channel.Result) error {
	w.Header().Set("Content-Type", "application/json")
	for _, item := range in {
		if id, ok := strings.CutPrefix(item.ExternalID, callbackPrefix); ok {
			w.WriteHeader(http.StatusOK)
			return json.NewEncoder(w).Encode(map[string]string{"method": "answerCallbackQuery", "callback_query_id": id})
		}
	}
	summary := struct {
		Accepted   int              `json:"accepted"`
		Duplicates int              `json:"duplicates"`
		Results    []channel.Result `json:"results"`
	}{Results: res}
	if summary.Results == nil {
		summary.Results = []channel.Result{}
	}
	for _, r := range res {
		if r.Duplicate {
			summary.Duplicates++
		} else {
			summary.Accepted++
		}
	}
	w.WriteHeader(http.StatusOK)
	return json.NewEncoder(w).Encode(summary)
}
