package event_test

import (
	"context"
	"testing"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

type discard struct{}

func (discard) Publish(event.Event) {}

// BenchmarkAppend appends one event per operation in its own transaction, committed durably:
// the floor under every change Gesher records. "parallel" lets SQLite's group commit share
// fsyncs among concurrent appends.
func BenchmarkAppend(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		for _, parallel := range []bool{false, true} {
			name := db.name + "/serial"
			if parallel {
				name = db.name + "/parallel"
			}
			b.Run(name, func(b *testing.B) {
				log := event.NewLog(db.open(b), clock.System{}, discard{})
				ctx := context.Background()
				e := event.Event{Kind: "bench.appended", CustomerID: "01JCUSTOMER", ConversationID: "01JCONVERSATION", Actor: event.System}
				data := map[string]any{"text": "my claim number is 4471", "status": "received"}
				b.ReportAllocs()
				if !parallel {
					for b.Loop() {
						if _, err := log.Append(ctx, e, data); err != nil {
							b.Fatal(err)
						}
					}
					return
				}
				b.SetParallelism(16)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := log.Append(ctx, e, data); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}
