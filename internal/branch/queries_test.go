package branch

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// Every named query prepares on SQLite and on PostgreSQL.
func TestQueriesPrepareOnBothDatabases(t *testing.T) {
	storetest.Prepare(t, map[string]string{
		"sqlSelectBranch": sqlSelectBranch, "sqlUpdateBranch": sqlUpdateBranch, "sqlUpsertProfile": sqlUpsertProfile, "sqlSlugOwner": sqlSlugOwner,
		"sqlSelectOffers": sqlSelectOffers, "sqlDeleteOffers": sqlDeleteOffers, "sqlInsertOffer": sqlInsertOffer,
		"sqlSelectDesks": sqlSelectDesks, "sqlInsertDesk": sqlInsertDesk, "sqlUpdateDesk": sqlUpdateDesk, "sqlDeskInUse": sqlDeskInUse, "sqlDeleteDesk": sqlDeleteDesk,
		"sqlSelectAppt": sqlSelectAppt, "sqlInsertAppt": sqlInsertAppt, "sqlCancelAppt": sqlCancelAppt, "sqlRemindAppt": sqlRemindAppt, "sqlBookedIn": sqlBookedIn,
		"sqlSelectTicket": sqlSelectTicket, "sqlNextNumber": sqlNextNumber, "sqlCodeTaken": sqlCodeTaken, "sqlInsertTicket": sqlInsertTicket,
		"sqlWaiting": sqlWaiting, "sqlAtDesk": sqlAtDesk, "sqlCalledToday": sqlCalledToday, "sqlCallTicket": sqlCallTicket, "sqlServeTicket": sqlServeTicket,
		"sqlEndTicket": sqlEndTicket, "sqlLeaveTicket": sqlLeaveTicket, "sqlCheckIn": sqlCheckIn, "sqlNearSent": sqlNearSent,
		"sqlServiceTimes": sqlServiceTimes, "sqlFigureTickets": sqlFigureTickets, "sqlFigureAppts": sqlFigureAppts,
	})
}
