package ivr

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// Every named query prepares on SQLite and on PostgreSQL, as run (with the conditions the code
// adds).
func TestQueriesPrepareOnBothDatabases(t *testing.T) {
	storetest.Prepare(t, map[string]string{
		"sqlSelectTree": sqlSelectTree, "sqlSelectTreeByID": sqlSelectTree + ` WHERE id = ?`, "sqlTreeExists": sqlTreeExists,
		"sqlInsertTree": sqlInsertTree, "sqlUpdateTree": sqlUpdateTree,
		"sqlSelectCall": sqlSelectCall, "sqlCallByID": sqlSelectCall + ` WHERE id = ? OR call_sid = ?`, "sqlCallBySid": sqlSelectCall + ` WHERE channel_id = ? AND call_sid = ?`,
		"sqlInsertCall": sqlInsertCall, "sqlUpdateCall": sqlUpdateCall, "sqlSetPosition": sqlSetPosition, "sqlAhead": sqlAhead, "sqlWaiting": sqlWaiting, "sqlLatestCallOf": sqlLatestCallOf,
		"sqlBranches": sqlBranches, "sqlCasesByPrefix": sqlCasesByPrefix,
	})
}
