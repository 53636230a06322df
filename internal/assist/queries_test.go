package assist

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// Every named query prepares on SQLite and on PostgreSQL.
func TestQueriesPrepareOnBothDatabases(t *testing.T) {
	storetest.Prepare(t, map[string]string{
		"sqlInsertVisitor": sqlInsertVisitor, "sqlLockVisitor": sqlLockVisitor, "sqlSelectVisitor": sqlSelectVisitor, "sqlSetVisitor": sqlSetVisitor, "sqlInsertVisit": sqlInsertVisit, "sqlSelectVisit": sqlSelectVisit, "sqlSelectVisitFull": sqlSelectVisitFull, "sqlTouchVisit": sqlTouchVisit, "sqlLinkVisit": sqlLinkVisit, "sqlInsertSignal": sqlInsertSignal, "sqlSelectSignals": sqlSelectSignals, "sqlInsertOffer": sqlInsertOffer, "sqlSelectOffer": sqlSelectOffer, "sqlDecideOffer": sqlDecideOffer, "sqlSetOutcome": sqlSetOutcome, "sqlUpsertRule": sqlUpsertRule, "sqlDeleteRule": sqlDeleteRule, "sqlSelectRules": sqlSelectRules,
		"sqlSelectOfferByVisit": sqlSelectOffer + ` WHERE o.visit_id = ?`,
	})
}
