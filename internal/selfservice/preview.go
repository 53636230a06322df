package selfservice

import (
	"context"

	"github.com/gesher-cs/gesher/internal/channel"
)

// NoticeWay is where the next notification to a customer would go if it were sent now: what
// an agent sees before moving a case ("the customer will be told on SMS, without the link").
// It is the same choice notify makes, so the preview and the send cannot disagree, except
// when the customer's channels change in between (a WhatsApp window closing).
type NoticeWay struct {
	ChannelID string       `json:"channel_id,omitempty"`
	Kind      channel.Kind `json:"kind,omitempty"`
	Name      string       `json:"name,omitempty"`
	Link      bool         `json:"link"`
	// Skipped is why nothing would be sent, when no channel fits.
	Skipped string `json:"skipped,omitempty"`
}

// NextNotice is the way the customer (followed through merges) would be told of a move now.
func (d *Desk) NextNotice(ctx context.Context, customerID string) (NoticeWay, error) {
	cust, err := d.canonical(ctx, customerID)
	if err != nil {
		return NoticeWay{}, err
	}
	ch, link, why, err := d.fittingChannel(ctx, cust)
	if err != nil {
		return NoticeWay{}, err
	}
	if ch == nil {
		return NoticeWay{Skipped: why}, nil
	}
	return NoticeWay{ChannelID: ch.ID, Kind: ch.Kind, Name: ch.Name, Link: link}, nil
}
