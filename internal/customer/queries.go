package customer

// The SQL of the package, in the subset SQLite and PostgreSQL both accept ('?' placeholders are
// rebound by the store). queries_test.go prepares every one of them on both databases.
const (
	sqlSelectCustomer = `SELECT id, name, languages, profile, merged_into, created_at, updated_at FROM customers`

	sqlCustomerByID = sqlSelectCustomer + ` WHERE id = ?`

	sqlInsertCustomer = `INSERT INTO customers (id, name, languages, profile, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`

	sqlUpdateCustomer = `UPDATE customers SET name = ?, languages = ?, profile = ?, updated_at = ? WHERE id = ?`

	// lower() on both sides keeps the search case-insensitive on both databases (SQLite's LIKE
	// is case-insensitive for ASCII, PostgreSQL's is not). The last argument is a normalised
	// phone number, so that "050-123-4567" finds +972501234567; it is '' when the text is not one.
	sqlListCustomers = sqlSelectCustomer + ` c WHERE c.merged_into IS NULL AND (
  lower(c.name) LIKE lower(?) ESCAPE '\'
  OR EXISTS (SELECT 1 FROM identities i WHERE i.customer_id = c.id AND (lower(i.value) LIKE lower(?) ESCAPE '\' OR i.value = ?))
) ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?`

	sqlListAllCustomers = sqlSelectCustomer + ` WHERE merged_into IS NULL ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`

	sqlSelectIdentity = `SELECT id, customer_id, original_customer_id, kind, value, created_at FROM identities`

	sqlIdentitiesOf = sqlSelectIdentity + ` WHERE customer_id = ? ORDER BY created_at, id`

	sqlIdentityByValue = sqlSelectIdentity + ` WHERE kind = ? AND value = ?`

	sqlInsertIdentity = `INSERT INTO identities (id, customer_id, original_customer_id, kind, value, created_at) VALUES (?, ?, ?, ?, ?, ?)`

	// sqlLockCanonical claims a customer that is not merged: on PostgreSQL the UPDATE takes the
	// row lock, so two merges racing over the same customers serialise, and the loser sees the
	// winner's merged_into and touches no row.
	sqlLockCanonical = `UPDATE customers SET updated_at = ? WHERE id = ? AND merged_into IS NULL`

	sqlSetMergedInto = `UPDATE customers SET merged_into = ?, updated_at = ? WHERE id = ? AND merged_into IS NULL`

	sqlClearMergedInto = `UPDATE customers SET merged_into = NULL, updated_at = ? WHERE id = ? AND merged_into = ?`

	sqlMoveIdentities = `UPDATE identities SET customer_id = ? WHERE customer_id = ?`

	// sqlFamily is a customer and every customer merged into it, however deep. UNION (not
	// UNION ALL) stops the recursion even if a damaged table held a cycle.
	sqlFamilyCTE = `WITH RECURSIVE fam(id) AS (
  SELECT id FROM customers WHERE id = ?
  UNION
  SELECT c.id FROM customers c JOIN fam ON c.merged_into = fam.id
)`

	sqlFamily = sqlFamilyCTE + ` SELECT id FROM fam`

	// On un-merge, a customer gets back what it brought: identities first seen on it or on a
	// customer merged into it earlier, wherever the merge chain has since taken them.
	sqlReturnedIdentities = sqlFamilyCTE + ` ` + sqlSelectIdentity + ` WHERE original_customer_id IN (SELECT id FROM fam) AND customer_id <> ? ORDER BY created_at, id`

	sqlReturnIdentities = `UPDATE identities SET customer_id = ? WHERE customer_id <> ? AND original_customer_id IN (` + sqlFamilyCTE + ` SELECT id FROM fam)`
)
