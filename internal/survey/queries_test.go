package survey

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func TestQueriesPrepare(t *testing.T) {
	storetest.Prepare(t, map[string]string{
		"sqlInsert": sqlInsert, "sqlSentForResolution": sqlSentForResolution, "sqlLastSent": sqlLastSent, "sqlOptedOut": sqlOptedOut,
		"sqlInsertOptOut": sqlInsertOptOut, "sqlPending": sqlPending, "sqlUpdateState": sqlUpdateState, "sqlByCustomer": sqlByCustomer,
		"sqlCallConversation": sqlCallConversation,
	})
}
