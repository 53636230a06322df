package selfservice

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/i18n"
)

// notifiable are the channel kinds a written notification can go on, in the order tried for
// a customer who never wrote on any of them: voice carries no text.
var notifiable = []channel.Kind{"sms", "whatsapp", "email", "telegram", "webchat", "api"}

// notify tells the customer the case entered its stage: one system message on their fitting
// channel, queued in the caller's transaction. A channel that can open web links gets the
// tracker link too; a kosher phone or a landline gets the words without it. When no channel
// fits, nothing is sent and the reason is recorded.
func (d *Desk) notify(ctx context.Context, c Case, svc Service, cust customer.Customer) (Notice, error) {
	ch, link, why, err := d.fittingChannel(ctx, cust)
	if err != nil {
		return Notice{}, err
	}
	if ch == nil {
		_, err := d.events.Append(ctx, eventFor(CaseNotifySkipped, c), map[string]any{"case_id": c.ID, "stage": c.Stage, "reason": why})
		return Notice{Skipped: why}, err
	}
	cat := d.catalog(cust.Languages...)
	text := d.noticeText(cat, c, svc)
	if link {
		url, _, err := d.TrackerURL(ctx, c, svc)
		if err != nil {
			return Notice{}, err
		}
		text += " " + cat.T("case.notify.track", "link", url)
	}
	m, err := d.convs.SendSystem(ctx, conversation.SystemMessage{CustomerID: cust.ID, ChannelID: ch.ID, Text: text})
	var unfit *channel.NotFitError
	if errors.As(err, &unfit) {
		// The channel stopped fitting between the choice and the send (WhatsApp's window
		// closed that very second): record it rather than fail the stage change.
		_, err := d.events.Append(ctx, eventFor(CaseNotifySkipped, c), map[string]any{"case_id": c.ID, "stage": c.Stage, "reason": unfit.Reason})
		return Notice{Skipped: unfit.Reason}, err
	}
	if err != nil {
		return Notice{}, fmt.Errorf("selfservice: notify case %s: %w", c.ID, err)
	}
	return Notice{MessageID: m.ID, ChannelID: ch.ID, Link: link}, nil
}

// noticeText is what the customer is told of the case's stage, in cat's language.
func (d *Desk) noticeText(cat *i18n.Catalog, c Case, svc Service) string {
	name := Text(svc.Name, cat.Lang)
	st, _, _ := svc.Stage(c.Stage)
	var parts []string
	if builtinStage(st.ID) {
		parts = append(parts, cat.T("case.notify."+st.ID, "service", name, "ref", c.Ref))
	} else {
		parts = append(parts, cat.T("case.notify.stage", "service", name, "ref", c.Ref, "stage", d.StageName(st, cat.Lang)))
	}
	if st.Who == WhoCustomer {
		if owes := Text(st.Owes, cat.Lang); owes != "" {
			parts = append(parts, cat.T("tracker.owes", "owes", owes))
		}
	}
	// The limit is said once, when the case opens; repeating it on every move would bury the
	// news of the move.
	if c.Limit != nil && c.StageSeq == 1 {
		parts = append(parts, cat.T("case.notify.finish_on", "way", cat.T("way."+string(c.Limit.Then))), Text(c.Limit.Message, cat.Lang))
	}
	return strings.Join(parts, " ")
}

// fittingChannel picks the customer's most recently used channel that fits them, else the
// first that fits in the order of notifiable; first among those that can take a web link,
// then among all. nil with the reasons when none fits.
func (d *Desk) fittingChannel(ctx context.Context, cust customer.Customer) (*channel.Channel, bool, string, error) {
	var recent []string
	rows, err := d.db.Q(ctx).Query(ctx, sqlRecentChannels, cust.ID)
	if err != nil {
		return nil, false, "", fmt.Errorf("selfservice: recent channels: %w", err)
	}
	for rows.Next() {
		var id string
		var last int64
		if err := rows.Scan(&id, &last); err != nil {
			rows.Close()
			return nil, false, "", err
		}
		recent = append(recent, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, "", err
	}
	// Two passes: the link is worth having, so a channel that takes it wins; but a customer
	// whose phone cannot open links is still told, in words. The device is the customer's,
	// not the channel's, so in practice the first pass finds nothing for exactly those
	// customers.
	var reasons []string
	for _, link := range []bool{true, false} {
		fits, err := d.fitter.FitAll(ctx, cust.ID, channel.Purpose{WebLink: link})
		if err != nil {
			return nil, false, "", fmt.Errorf("selfservice: channel fit: %w", err)
		}
		ok := func(f channel.ChannelFit) bool { return f.Fits && slices.Contains(notifiable, f.Channel.Kind) }
		// A kind the customer's segment offers first (SMS for a kosher phone) comes before
		// the channel they used last: FitAll lists those first.
		for i, f := range fits {
			if f.OfferFirst && ok(f) {
				return &fits[i].Channel, link, "", nil
			}
		}
		for _, id := range recent {
			if i := slices.IndexFunc(fits, func(f channel.ChannelFit) bool { return f.Channel.ID == id }); i >= 0 && ok(fits[i]) {
				return &fits[i].Channel, link, "", nil
			}
		}
		for _, kind := range notifiable {
			if i := slices.IndexFunc(fits, func(f channel.ChannelFit) bool { return f.Channel.Kind == kind && ok(f) }); i >= 0 {
				return &fits[i].Channel, link, "", nil
			}
		}
		if !link {
			for _, f := range fits {
				if slices.Contains(notifiable, f.Channel.Kind) && !slices.Contains(reasons, f.Reason) {
					reasons = append(reasons, f.Reason)
				}
			}
		}
	}
	if len(reasons) == 0 {
		return nil, false, "no-channel", nil
	}
	slices.Sort(reasons)
	return nil, false, strings.Join(reasons, ","), nil
}
