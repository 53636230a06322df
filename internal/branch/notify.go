package branch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/i18n"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/selfservice"
)

// textKinds are the channel kinds a written message can go on, in the order tried: a visit is
// about a phone number, so SMS first.
var textKinds = []channel.Kind{"sms", "whatsapp", "telegram", "email", "webchat", "api"}

// Sent is what became of a message to a customer.
type Sent struct {
	MessageID string `json:"message_id,omitempty"`
	ChannelID string `json:"channel_id,omitempty"`
	Link      bool   `json:"link"`
	Skipped   string `json:"skipped,omitempty"` // why nothing was sent
}

// tell sends text to the customer on the first fitting channel, in the caller's transaction:
// with link appended where the channel and the customer's phone can open it, without it on
// a kosher phone. When nothing fits, nothing is sent and Skipped says why.
func (s *Service) tell(ctx context.Context, customerID, text, link string) (Sent, error) {
	// Two passes, as selfservice's notifications do: a channel that can carry the link wins,
	// but a customer whose phone cannot open links (a kosher phone) is still told, in words.
	var reasons []string
	for _, withLink := range []bool{true, false} {
		fits, err := s.fitter.FitAll(ctx, customerID, channel.Purpose{WebLink: withLink})
		if err != nil {
			return Sent{}, fmt.Errorf("branch: channel fit: %w", err)
		}
		for _, kind := range textKinds {
			i := slices.IndexFunc(fits, func(f channel.ChannelFit) bool { return f.Fits && f.Channel.Kind == kind })
			if i < 0 {
				continue
			}
			body := text
			if withLink && link != "" {
				body += " " + link
			}
			m, err := s.convs.SendSystem(ctx, conversation.SystemMessage{CustomerID: customerID, ChannelID: fits[i].Channel.ID, Text: body})
			var unfit *channel.NotFitError
			if errors.As(err, &unfit) {
				reasons = append(reasons, unfit.Reason)
				continue
			}
			if err != nil {
				return Sent{}, fmt.Errorf("branch: send: %w", err)
			}
			return Sent{MessageID: m.ID, ChannelID: fits[i].Channel.ID, Link: withLink && link != ""}, nil
		}
		for _, f := range fits {
			if !f.Fits && slices.Contains(textKinds, f.Channel.Kind) && !slices.Contains(reasons, f.Reason) {
				reasons = append(reasons, f.Reason)
			}
		}
	}
	if len(reasons) == 0 {
		return Sent{Skipped: "no-channel"}, nil
	}
	slices.Sort(reasons)
	return Sent{Skipped: strings.Join(slices.Compact(reasons), ",")}, nil
}

// catalog returns the catalog of lang, else of the service's default language, else English.
func (s *Service) catalog(langs ...string) *i18n.Catalog {
	for _, l := range append(langs, s.opt.Lang, "en") {
		if c, err := s.catalogs.Catalog(l); err == nil {
			return c
		}
	}
	c, _ := s.catalogs.Catalog(s.catalogs.Languages()[0])
	return c
}

// serviceName is a catalogue service's name in lang; its id when the catalogue lost it.
func (s *Service) serviceName(ctx context.Context, id, lang string) string {
	svc, err := s.desk.GetService(ctx, id)
	if err != nil {
		return id
	}
	return selfservice.Text(svc.Name, lang)
}

// When is t as a visitor reads it in cat's language, in the branch's time zone: "Monday 7
// December, 09:30".
func (s *Service) When(ctx context.Context, cat *i18n.Catalog, b Branch, t time.Time) string {
	lt := t.In(s.Location(ctx, b))
	return cat.T("branch.when", "weekday", cat.T("branch.weekday."+strconv.Itoa(int(lt.Weekday()))), "day", strconv.Itoa(lt.Day()),
		"month", cat.T("date.month."+strconv.Itoa(int(lt.Month()))), "time", lt.Format("15:04"))
}

// cleanName keeps a visitor's name to one line of printable text.
func cleanName(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
	if r := []rune(s); len(r) > 100 {
		s = string(r[:100])
	}
	return s
}

func decodePayload(j jobs.Job, v any) error {
	if err := json.Unmarshal(j.Payload, v); err != nil {
		return fmt.Errorf("branch: job %d payload: %w", j.ID, err)
	}
	return nil
}
