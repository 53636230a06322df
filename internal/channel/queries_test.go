package channel

import (
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func TestQueriesPrepare(t *testing.T) {
	storetest.Prepare(t, map[string]string{"sqlSelectChannel": sqlSelectChannel})
}
