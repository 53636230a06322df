package media

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func TestQueriesPrepare(t *testing.T) {
	storetest.Prepare(t, map[string]string{"sqlFindSame": sqlFindSame, "sqlInsert": sqlInsert, "sqlGet": sqlGet})
}
