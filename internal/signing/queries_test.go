package signing

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// Every named query prepares on SQLite and on PostgreSQL.
func TestQueriesPrepareOnBothDatabases(t *testing.T) {
	storetest.Prepare(t, map[string]string{"sqlInsertKey": sqlInsertKey, "sqlSelectKey": sqlSelectKey})
}
