package selfservice

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// Every named query prepares on SQLite and on PostgreSQL.
func TestQueriesPrepareOnBothDatabases(t *testing.T) {
	storetest.Prepare(t, map[string]string{
		"sqlSelectService": sqlSelectService, "sqlServiceCreated": sqlServiceCreated, "sqlInsertService": sqlInsertService, "sqlUpdateService": sqlUpdateService,
		"sqlSelectCase": sqlSelectCase, "sqlInsertCase": sqlInsertCase, "sqlMoveCase": sqlMoveCase,
		"sqlInsertStage": sqlInsertStage, "sqlSelectStages": sqlSelectStages, "sqlRecentChannels": sqlRecentChannels,
		"sqlCasesOfCustomer": sqlCasesOfCustomer,
		"sqlInsertCode":      sqlInsertCode, "sqlSelectCode": sqlSelectCode, "sqlTryCode": sqlTryCode, "sqlUseCode": sqlUseCode,
	})
}
