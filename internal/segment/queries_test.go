package segment

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// Every named query prepares on SQLite and on PostgreSQL; sqlLockCustomer is PostgreSQL's
// alone (SQLite has one writer and no FOR UPDATE) and is run by the tests on PostgreSQL.
func TestQueriesPrepareOnBothDatabases(t *testing.T) {
	storetest.Prepare(t, map[string]string{
		"sqlSelectSegments": sqlSelectSegments, "sqlSelectSegment": sqlSelectSegment, "sqlSegmentByName": sqlSegmentByName, "sqlSelectTargeted": sqlSelectTargeted,
		"sqlInsertSegment": sqlInsertSegment, "sqlInsertBuiltin": sqlInsertBuiltin, "sqlUpdateSegment": sqlUpdateSegment,
		"sqlDeleteSegment": sqlDeleteSegment, "sqlDeleteMembers": sqlDeleteMembers, "sqlJoin": sqlJoin, "sqlLeave": sqlLeave,
		"sqlMembersOf": sqlMembersOf, "sqlSegmentsOf": sqlSegmentsOf, "sqlMembers": sqlMembers, "sqlMemberIDs": sqlMemberIDs,
		"sqlMemberCounts": sqlMemberCounts, "sqlMemberCount": sqlMemberCount,
		"sqlCustomerPage": sqlCustomerPage, "sqlChannelKinds": sqlChannelKinds,
	})
}
