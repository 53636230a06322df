package conversation

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func TestQueriesPrepare(t *testing.T) {
	storetest.Prepare(t, map[string]string{
		"sqlSelectConversation": sqlSelectConversation, "sqlInsertConversation": sqlInsertConversation, "sqlTouch": sqlTouch,
		"sqlSelectMessage": sqlSelectMessage, "sqlInsertMessage": sqlInsertMessage, "sqlSelectNotes": sqlSelectNotes,
	})
}
