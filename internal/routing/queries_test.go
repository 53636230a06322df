package routing

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func TestQueriesPrepare(t *testing.T) {
	storetest.Prepare(t, map[string]string{"sqlPreviousOwner": sqlPreviousOwner, "sqlCandidates": sqlCandidates,
		"sqlQueueByID": sqlQueueByID, "sqlQueues": sqlQueues, "sqlMembers": sqlMembers, "sqlQueueKinds": sqlQueueKinds, "sqlEnabledChannels": sqlEnabledChannels})
}
