package channel_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// failingResponder writes a reply, then fails, as a bot with a bug would.
type failingResponder struct {
	convs *conversation.Service
	calls int
}

func (f *failingResponder) Respond(ctx context.Context, ch channel.Channel, item channel.Inbound, rec conversation.Received) error {
	f.calls++
	if _, err := f.convs.Reply(ctx, conversation.ReplyInput{ConversationID: rec.Conversation.ID, ChannelID: ch.ID, Text: "half an answer", Bot: true}); err != nil {
		return err
	}
	return errors.New("the bot broke")
}

// A responder that fails loses nothing: the customer's message is stored and acknowledged,
// what the responder wrote before failing is undone, and a replay does not call it again.
func TestAFailingResponderKeepsTheMessage(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := context.Background()
		ch, err := a.Channels.Ensure(ctx, channel.Channel{Name: "chat-like", Kind: "api", Secret: "s", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		r := &failingResponder{convs: a.Conversations}
		a.Ingester.SetResponder(r)
		item := channel.Inbound{ExternalID: "m-1", Text: "hello", From: channel.Contact{Identities: []channel.Identity{{Kind: customer.Phone, Value: "+972501112233"}}}}
		res, err := a.Ingester.Ingest(ctx, ch, []channel.Inbound{item})
		if err != nil || len(res) != 1 || res[0].MessageID == "" {
			t.Fatalf("ingest: %v %v", res, err)
		}
		conv, err := a.Conversations.Get(ctx, res[0].ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		if len(conv.Messages) != 1 || conv.Messages[0].Text != "hello" {
			t.Errorf("messages after a failed responder: %+v", conv.Messages)
		}
		if again, err := a.Ingester.Ingest(ctx, ch, []channel.Inbound{item}); err != nil || !again[0].Duplicate || r.calls != 1 {
			t.Errorf("replay: %v %v, responder called %d times", again, err, r.calls)
		}
	})
}
