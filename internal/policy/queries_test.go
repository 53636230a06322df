package policy

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// Every named query prepares on both databases. The row-lock clauses are PostgreSQL's only;
// the clock tests run them there.
func TestQueriesPrepare(t *testing.T) {
	storetest.Prepare(t, map[string]string{
		"sqlChannelKind": sqlChannelKind, "sqlSelectPolicy": sqlSelectPolicy, "sqlUpsertPolicy": sqlUpsertPolicy,
		"sqlUpsertCalendar": sqlUpsertCalendar, "sqlSelectClock": sqlSelectClock, "sqlLiveClocks": sqlLiveClocks,
		"sqlInsertClock": sqlInsertClock, "sqlUpdateClock": sqlUpdateClock, "claim": claimSQL(store.SQLite),
		"sqlNextDue": sqlNextDue, "conversation": conversationSQL(store.SQLite), "sqlRemindersSent": sqlRemindersSent,
		"sqlCustomerLanguages": sqlCustomerLanguages, "sqlRoomInQueue": sqlRoomInQueue, "sqlIsQueueMember": sqlIsQueueMember,
	})
}
