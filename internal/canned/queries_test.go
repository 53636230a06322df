package canned

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func TestQueriesPrepare(t *testing.T) {
	storetest.Prepare(t, map[string]string{"sqlSelect": sqlSelect, "sqlInsert": sqlInsert, "sqlUpdate": sqlUpdate, "sqlDelete": sqlDelete})
}
