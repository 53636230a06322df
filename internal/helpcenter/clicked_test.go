package helpcenter

import (
	"context"
	"testing"

	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// Clicked answers from the help centre's own record: a search a result was opened from, and
// not one that was only read about or never answered.
func TestClickedReadsTheRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		a := f.create(t, Input{Lang: "en", Title: "Lost card", Body: "Block a lost card by phone."})
		search := func(q string) string {
			res, err := f.svc.Search(ctx, SearchRequest{Text: q, Lang: "en", Record: true})
			if err != nil || res.ID == "" {
				t.Fatalf("search %q: %v", q, err)
			}
			return res.ID
		}
		clicked, read, none := search("lost card"), search("card lost"), search("nothing like it")
		if err := f.svc.Signal(ctx, SignalRequest{SearchID: clicked, ArticleID: a.ID, Kind: SignalClick, Rank: 1}); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Signal(ctx, SignalRequest{SearchID: read, ArticleID: a.ID, Kind: SignalDwell}); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Clicked(ctx, []string{clicked, read, none, "unknown"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !got[clicked] {
			t.Errorf("Clicked = %v, want only %s", got, clicked)
		}
		if got, err := f.svc.Clicked(ctx, nil); err != nil || len(got) != 0 {
			t.Errorf("Clicked(nil) = %v, %v", got, err)
		}
	})
}
