package customer

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// TestQueriesPrepare prepares every named query on both databases, so that a typo or a
// construct one dialect lacks fails here rather than on a customer's installation.
func TestQueriesPrepare(t *testing.T) {
	queries := map[string]string{
		"sqlCustomerByID": sqlCustomerByID, "sqlInsertCustomer": sqlInsertCustomer, "sqlUpdateCustomer": sqlUpdateCustomer,
		"sqlListCustomers": sqlListCustomers, "sqlListAllCustomers": sqlListAllCustomers,
		"sqlIdentitiesOf": sqlIdentitiesOf, "sqlIdentityByValue": sqlIdentityByValue, "sqlInsertIdentity": sqlInsertIdentity,
		"sqlLockCanonical": sqlLockCanonical, "sqlSetMergedInto": sqlSetMergedInto, "sqlClearMergedInto": sqlClearMergedInto,
		"sqlMoveIdentities": sqlMoveIdentities, "sqlFamily": sqlFamily, "sqlReturnedIdentities": sqlReturnedIdentities,
		"sqlReturnIdentities": sqlReturnIdentities,
	}
	storetest.Prepare(t, queries)
}
