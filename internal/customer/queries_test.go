package customer

import (
	"context"
	"testing"

	"github.com/gesher-cs/gesher/internal/store"
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
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for name, q := range queries {
			st, err := db.Writer().PrepareContext(context.Background(), db.Rebind(q))
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			st.Close()
		}
	})
}
