package routing_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// A conversation transferred to a queue goes to the least-loaded member of that queue who is
// online, whatever queue its rules would match and whoever owned the customer before; the
// agent who transferred it is never chosen, and an offline member is not either.
func TestTransferRoutesToTheNamedQueueOnly(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		dana := f.agent("dana@x.example", "online", "he")
		busy := f.agent("busy@x.example", "online", "he")
		idle := f.agent("idle@x.example", "online", "he")
		away := f.agent("away@x.example", "away", "he")
		outsider := f.agent("out@x.example", "online", "he")
		desk, err := f.a.Router.EnsureQueue(ctx, routing.Queue{Name: "desk", Topics: []string{"desk"}, Members: []string{dana.ID, busy.ID, idle.ID, away.ID}})
		if err != nil {
			t.Fatal(err)
		}
		// busy already holds a conversation; the outsider is in no queue but least loaded of all.
		held := f.arrive("+972501000001")
		if _, err := f.a.Conversations.Assign(ctx, held.ID, busy.ID, event.System); err != nil {
			t.Fatal(err)
		}
		c := f.arrive("+972501000002")
		if _, err := f.a.Conversations.Assign(ctx, c.ID, dana.ID, event.System); err != nil {
			t.Fatal(err)
		}
		got, err := f.a.Conversations.TransferToQueue(ctx, c.ID, desk.ID, event.Actor{Kind: event.ByUser, ID: dana.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got.AssigneeID != idle.ID || got.QueueID != desk.ID {
			t.Errorf("transferred to %q in %q; want idle (%s) in the desk (not Dana who sent it, not busy, away or the outsider %s)", got.AssigneeID, got.QueueID, idle.ID, outsider.ID)
		}
		if _, err := f.a.Conversations.TransferToQueue(ctx, c.ID, "nope", event.System); !errors.Is(err, conversation.ErrNoQueue) {
			t.Errorf("transfer to an unknown queue: %v, want ErrNoQueue", err)
		}
		qs, err := f.a.Router.Queues(ctx)
		if err != nil || len(qs) != 1 || len(qs[0].Members) != 4 {
			t.Errorf("queues %+v, %v", qs, err)
		}
	})
}
