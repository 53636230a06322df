package bot

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// Every named query prepares on SQLite and on PostgreSQL.
func TestQueriesPrepareOnBothDatabases(t *testing.T) {
	storetest.Prepare(t, map[string]string{
		"sqlSelectFlow": sqlSelectFlow, "sqlInsertFlow": sqlInsertFlow, "sqlUpdateFlow": sqlUpdateFlow, "sqlDeleteFlow": sqlDeleteFlow,
		"sqlSelectThread": sqlSelectThread, "sqlUpsertThread": sqlUpsertThread, "sqlDeleteThread": sqlDeleteThread, "sqlAgentWrote": sqlAgentWrote,
	})
}
