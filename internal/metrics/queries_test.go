package metrics

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func TestQueriesPrepare(t *testing.T) {
	storetest.Prepare(t, map[string]string{
		"sqlScan": sqlScan + ` AND created_at < ?`, "sqlSegmentMembers": sqlSegmentMembers, "sqlConversationQueues": sqlConversationQueues,
		"sqlChannelsCreated": sqlChannelsCreated, "sqlVisitorIdentities": sqlVisitorIdentities, "sqlBranchNames": sqlBranchNames,
	})
}
