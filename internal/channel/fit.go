package channel

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/store"
)

// Why a channel does not fit a customer. These are the rules of SPEC C6: nobody is moved to a
// channel that does not fit them.
const (
	UnfitNoAddress    = "no-address"    // no phone for SMS, no email for email …
	UnfitNoConsent    = "no-consent"    // the customer said no to this channel
	UnfitKosherPhone  = "kosher-phone"  // calls and SMS only: no WhatsApp, no apps, no web links
	UnfitLandline     = "landline"      // no text messages at all
	UnfitScreenReader = "screen-reader" // a picture-based menu does not serve a blind customer
	UnfitWindowClosed = "window-closed" // WhatsApp: 24 hours since the customer last wrote; only a template may go
	UnfitDisabled     = "channel-disabled"
	UnfitSegment      = "segment" // a segment the customer is in says never (its channel-fit matrix)
)

// NotFitError says why a channel does not fit a customer.
type NotFitError struct {
	Reason  string // one of the Unfit constants
	Channel string
	Message string
}

func (e *NotFitError) Error() string { return e.Message }

// WhatsAppWindow is the customer-service window: WhatsApp accepts free-form messages only this
// long after the customer last wrote.
const WhatsAppWindow = 24 * time.Hour

// Fitter decides whether a channel fits a customer.
type Fitter struct {
	db        *store.DB
	customers *customer.Service
	channels  *Channels
	now       func() time.Time
	segments  SegmentRules
}

// SegmentRules says what a customer's segments' channel-fit matrices allow (internal/segment
// implements it). Fitter is the one place that applies them, so routing, the composer's
// picker, deflection and notifications all obey the same matrix.
type SegmentRules interface {
	ChannelRules(ctx context.Context, customerID string) (ChannelRules, error)
}

// WebLinkKind is the key of ChannelRules.Never for messages that carry a web link.
const WebLinkKind Kind = "weblink"

// ChannelRules are the customer's segments' matrices, combined: a kind any segment says never
// to is never used; a kind one says offer-first to is listed first.
type ChannelRules struct {
	Never      map[Kind]SegmentVerdict
	OfferFirst map[Kind]bool
	// Hybrid names the customer's segments that are in the hybrid phase (their digital share
	// is below its target): deflection may offer a digital channel but not move them onto one.
	Hybrid []string
}

// SegmentVerdict is the segment behind a never, and the reason to report (UnfitSegment, or
// UnfitKosherPhone for the built-in kosher-phone segment).
type SegmentVerdict struct{ Segment, Reason string }

// SetSegments makes the fitter apply the customers' segment matrices. Call it while wiring.
func (f *Fitter) SetSegments(s SegmentRules) { f.segments = s }

// Rules returns the customer's combined segment rules; empty rules without a segment source.
func (f *Fitter) Rules(ctx context.Context, customerID string) (ChannelRules, error) {
	if f.segments == nil {
		return ChannelRules{}, nil
	}
	return f.segments.ChannelRules(ctx, customerID)
}

// NewFitter returns the channel-fit rules over the customer and channel stores.
func NewFitter(db *store.DB, customers *customer.Service, channels *Channels, now func() time.Time) *Fitter {
	return &Fitter{db: db, customers: customers, channels: channels, now: now}
}

// Purpose is what a message on the channel would be.
type Purpose struct {
	// Template says the message is an approved template (allowed outside WhatsApp's window).
	Template bool
	// WebLink says the message carries a link to a web page (a visual menu, a tracker).
	WebLink bool
	// PictureMenu says it offers a picture-based menu.
	PictureMenu bool
}

// Check returns nil when ch fits the customer for purpose, or a *NotFitError saying why not.
func (f *Fitter) Check(ctx context.Context, c customer.Customer, ch Channel, purpose Purpose) error {
	rules, err := f.Rules(ctx, c.ID)
	if err != nil {
		return err
	}
	return f.check(ctx, c, ch, purpose, rules)
}

func (f *Fitter) check(ctx context.Context, c customer.Customer, ch Channel, purpose Purpose, rules ChannelRules) error {
	unfit := func(reason, msg string) error {
		return &NotFitError{Reason: reason, Channel: ch.Name, Message: msg}
	}
	if !ch.Enabled {
		return unfit(UnfitDisabled, "the channel "+ch.Name+" is disabled")
	}
	p := c.Profile
	if allowed, said := p.Consent[string(ch.Kind)]; said && !allowed {
		return unfit(UnfitNoConsent, "the customer has not agreed to be contacted on "+string(ch.Kind))
	}
	// The segments' matrices come before the channel's own rules: "never" is the customer's
	// standing answer, whatever the WhatsApp window or the addresses on file say.
	if v, ok := rules.Never[ch.Kind]; ok {
		return unfit(v.Reason, "the customer is in the segment "+v.Segment+", which never uses "+string(ch.Kind))
	}
	if v, ok := rules.Never[WebLinkKind]; ok && purpose.WebLink {
		return unfit(v.Reason, "the customer is in the segment "+v.Segment+", which never gets web links")
	}
	has := func(kinds ...customer.IdentityKind) bool {
		return slices.ContainsFunc(c.Identities, func(id customer.Identity) bool { return slices.Contains(kinds, id.Kind) })
	}
	switch ch.Kind {
	case "whatsapp":
		if p.Device == customer.Kosher || p.Device == customer.Landline {
			return unfit(UnfitKosherPhone, "the customer's phone cannot use WhatsApp ("+p.Device+")")
		}
		if !has(customer.Phone, customer.WhatsApp) {
			return unfit(UnfitNoAddress, "the customer has no phone number for WhatsApp")
		}
		if !purpose.Template {
			open, err := f.windowOpen(ctx, c.ID)
			if err != nil {
				return err
			}
			if !open {
				return unfit(UnfitWindowClosed, "more than 24 hours since the customer last wrote on WhatsApp: send an approved template")
			}
		}
	case "sms":
		if p.Device == customer.Landline {
			return unfit(UnfitLandline, "the customer's number is a landline and cannot receive text messages")
		}
		if !has(customer.Phone) {
			return unfit(UnfitNoAddress, "the customer has no phone number")
		}
	case "voice":
		if !has(customer.Phone) {
			return unfit(UnfitNoAddress, "the customer has no phone number")
		}
	case "email":
		if !has(customer.Email) {
			return unfit(UnfitNoAddress, "the customer has no email address")
		}
	case "telegram":
		if p.Device == customer.Kosher || p.Device == customer.Landline {
			return unfit(UnfitKosherPhone, "the customer's phone cannot use Telegram ("+p.Device+")")
		}
		if !has(customer.Telegram) {
			return unfit(UnfitNoAddress, "the customer has not written on Telegram")
		}
	case "webchat":
		if p.Device == customer.Kosher {
			return unfit(UnfitKosherPhone, "the customer's kosher phone has no browser")
		}
		if !has(customer.Visitor) {
			return unfit(UnfitNoAddress, "the customer has no web chat session")
		}
	case "api":
		if !has(customer.Phone, customer.Email, customer.External) {
			return unfit(UnfitNoAddress, "the customer has no address the API channel can use")
		}
	}
	if purpose.WebLink && p.Device == customer.Kosher {
		return unfit(UnfitKosherPhone, "the customer's kosher phone cannot open web links")
	}
	if purpose.WebLink && p.Device == customer.Landline {
		return unfit(UnfitLandline, "a landline cannot open web links")
	}
	if purpose.PictureMenu && slices.Contains(p.Accessibility, customer.ScreenReader) {
		return unfit(UnfitScreenReader, "the customer uses a screen reader: offer a call or a text menu instead of a picture menu")
	}
	return nil
}

// windowOpen reports whether the customer wrote on a WhatsApp channel within the window.
func (f *Fitter) windowOpen(ctx context.Context, customerID string) (bool, error) {
	family, err := f.customers.Family(ctx, customerID)
	if err != nil {
		return false, err
	}
	var last int64
	for _, id := range family {
		var at int64
		err := f.db.Q(ctx).QueryRow(ctx, `SELECT COALESCE(MAX(m.created_at), 0) FROM messages m JOIN channels c ON c.id = m.channel_id
WHERE m.customer_id = ? AND m.direction = 'in' AND c.kind = 'whatsapp'`, id).Scan(&at)
		if err != nil {
			return false, fmt.Errorf("channel: whatsapp window: %w", err)
		}
		last = max(last, at)
	}
	return last > 0 && f.now().Sub(time.UnixMilli(last)) < WhatsAppWindow, nil
}

// ChannelFit is one channel with whether it fits.
type ChannelFit struct {
	Channel Channel `json:"channel"`
	Fits    bool    `json:"fits"`
	Reason  string  `json:"reason,omitempty"`
	Message string  `json:"message,omitempty"`
	// OfferFirst says a segment of the customer's puts this kind first.
	OfferFirst bool `json:"offer_first,omitempty"`
}

// FitAll checks every enabled channel for the customer: what the composer's channel picker
// offers. Channels the customer's segments offer first come first; the rest keep their order.
func (f *Fitter) FitAll(ctx context.Context, customerID string, purpose Purpose) ([]ChannelFit, error) {
	c, err := f.customers.Get(ctx, customerID)
	if err != nil {
		return nil, err
	}
	chs, err := f.channels.List(ctx)
	if err != nil {
		return nil, err
	}
	rules, err := f.Rules(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	out := []ChannelFit{}
	for _, ch := range chs {
		if !ch.Enabled {
			continue
		}
		cf := ChannelFit{Channel: ch, Fits: true, OfferFirst: rules.OfferFirst[ch.Kind]}
		if err := f.check(ctx, c, ch, purpose, rules); err != nil {
			var nf *NotFitError
			if !errors.As(err, &nf) {
				return nil, err
			}
			cf.Fits, cf.Reason, cf.Message = false, nf.Reason, nf.Message
		}
		out = append(out, cf)
	}
	slices.SortStableFunc(out, func(a, b ChannelFit) int {
		switch {
		case a.OfferFirst == b.OfferFirst:
			return 0
		case a.OfferFirst:
			return -1
		}
		return 1
	})
	return out, nil
}

// CheckReply implements conversation.ChannelGuard: an agent's reply may go only to a channel
// that fits the customer.
func (f *Fitter) CheckReply(ctx context.Context, customerID, channelID string, template bool) error {
	c, err := f.customers.Get(ctx, customerID)
	if err != nil {
		return err
	}
	ch, err := f.channels.Get(ctx, channelID)
	if err != nil {
		return err
	}
	return f.Check(ctx, c, ch, Purpose{Template: template})
}
