package auth

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// TestQueriesPrepare prepares every named query on both databases, so that a typo or a
// construct one dialect lacks fails here rather than on a customer's installation.
func TestQueriesPrepare(t *testing.T) {
	queries := map[string]string{
		"sqlUserByID": sqlUserByID, "sqlUserByEmail": sqlUserByEmail, "sqlListUsers": sqlListUsers,
		"sqlUserHashByEmail": sqlUserHashByEmail, "sqlEmailExists": sqlEmailExists, "sqlInsertUser": sqlInsertUser,
		"sqlPatchUser": sqlPatchUser, "sqlSetPassword": sqlSetPassword, "sqlRehash": sqlRehash,
		"sqlCountEnabledAdmins": sqlCountEnabledAdmins, "sqlUserDisabled": sqlUserDisabled,
		"sqlInsertSession": sqlInsertSession, "sqlSessionUser": sqlSessionUser, "sqlTouchSession": sqlTouchSession,
		"sqlDeleteSession": sqlDeleteSession, "sqlDeleteUserSessions": sqlDeleteUserSessions, "sqlPurgeSessions": sqlPurgeSessions,
		"sqlInsertToken": sqlInsertToken, "sqlTokenByID": sqlTokenByID, "sqlListTokens": sqlListTokens,
		"sqlTokenUser": sqlTokenUser, "sqlTouchToken": sqlTouchToken, "sqlRevokeToken": sqlRevokeToken,
	}
	storetest.Prepare(t, queries)
}
