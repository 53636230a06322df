package coaching

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// Every named query prepares on SQLite and on PostgreSQL; sqlLockCustomer is PostgreSQL's
// alone and is run by the tests on PostgreSQL.
func TestQueriesPrepareOnBothDatabases(t *testing.T) {
	storetest.Prepare(t, map[string]string{
		"sqlInsertSession": sqlInsertSession, "sqlCompleteSession": sqlCompleteSession, "sqlSelectSession": sqlSelectSession,
		"sqlSessionsOf": sqlSessionsOf, "sqlSelectTutorials": sqlSelectTutorials, "sqlTutorialsOfTask": sqlTutorialsOfTask,
		"sqlSelectTutorial": sqlSelectTutorial, "sqlInsertTutorial": sqlInsertTutorial, "sqlUpdateTutorial": sqlUpdateTutorial,
		"sqlRecentlyActive": sqlRecentlyActive, "sqlCustomerProfiles": sqlCustomerProfiles,
	})
}
