package helpcenter

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

func ids(hits []Scored) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

func TestIndexPutReplaceDelete(t *testing.T) {
	e := NewEngine(DefaultParams(), nil)
	ix := e.Index()
	ix.Put(Doc{ID: "a", Lang: "en", Title: "Travel insurance", Body: "Cover for flights and luggage.", Public: true})
	ix.Put(Doc{ID: "b", Lang: "en", Title: "Car insurance", Body: "Cover for collisions.", Public: true})
	if got := ids(e.Search(Query{Text: "luggage"})); !slices.Equal(got, []string{"a"}) {
		t.Errorf("luggage → %v", got)
	}
	// Replacing a document drops its old words.
	ix.Put(Doc{ID: "a", Lang: "en", Title: "Travel insurance", Body: "Cover for flights and medical costs abroad.", Public: true})
	if got := e.Search(Query{Text: "luggage"}); len(got) != 0 {
		t.Errorf("luggage after the edit → %v", got)
	}
	if ix.Len() != 2 {
		t.Errorf("Len = %d after a replace, want 2", ix.Len())
	}
	ix.Delete("b")
	ix.Delete("unknown")
	if got := ids(e.Search(Query{Text: "insurance"})); !slices.Equal(got, []string{"a"}) {
		t.Errorf("insurance after deleting b → %v", got)
	}
	// Filters: language, public, category.
	ix.Put(Doc{ID: "c", Lang: "he", Title: "ביטוח נסיעות", Body: "כיסוי לטיסות", Public: false, Category: "נסיעות"})
	if got := e.Search(Query{Text: "ביטוח", Filter: Filter{PublicOnly: true}}); len(got) != 0 {
		t.Errorf("an internal article passed PublicOnly: %v", got)
	}
	if got := ids(e.Search(Query{Text: "ביטוח", Filter: Filter{Lang: "he", Category: "נסיעות"}})); !slices.Equal(got, []string{"c"}) {
		t.Errorf("he + category → %v", got)
	}
	if got := e.Search(Query{Text: "ביטוח", Filter: Filter{Lang: "en"}}); len(got) != 0 {
		t.Errorf("lang en found Hebrew: %v", got)
	}
}

// Many edits and deletes compact the index; the ranking is the one a freshly built index of
// the surviving documents gives.
func TestIndexCompactionKeepsTheRanking(t *testing.T) {
	docs := func(n int) []Doc {
		var out []Doc
		for i := range n {
			out = append(out, Doc{ID: fmt.Sprintf("d%03d", i), Lang: "en", Public: true,
				Body: fmt.Sprintf("policy %d covers claim type %d and premium band %d", i, i%7, i%13)})
		}
		return out
	}
	all := docs(300)
	busy := NewEngine(DefaultParams(), nil)
	for _, d := range all {
		busy.Index().Put(d)
	}
	for i, d := range all {
		if i%3 == 0 {
			busy.Index().Delete(d.ID)
		} else if i%3 == 1 {
			busy.Index().Put(d) // an edit that changes nothing
		}
	}
	busy.Index().Reweigh()
	fresh := NewEngine(DefaultParams(), nil)
	for i, d := range all {
		if i%3 != 0 {
			fresh.Index().Put(d)
		}
	}
	fresh.Index().Reweigh()
	if busy.Index().dead >= 64 {
		t.Errorf("%d deleted documents linger; compaction never ran", busy.Index().dead)
	}
	for _, q := range []string{"claim type 3", "premium band 5 policy", "policy 100"} {
		a, b := busy.Search(Query{Text: q, Limit: 20}), fresh.Search(Query{Text: q, Limit: 20})
		if !slices.Equal(ids(a), ids(b)) {
			t.Errorf("%q: busy index %v, fresh %v", q, ids(a), ids(b))
		}
	}
}

// Searches run while articles change (go test -race proves the locking).
func TestIndexConcurrentSearchAndEdit(t *testing.T) {
	e := NewEngine(DefaultParams(), NewLearner(DefaultLearnOptions()))
	for i := range 50 {
		e.Index().Put(Doc{ID: fmt.Sprint("d", i), Lang: "en", Body: fmt.Sprint("claim number ", i, " for water damage"), Public: true})
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				switch w {
				case 0:
					e.Index().Put(Doc{ID: fmt.Sprint("d", i%60), Lang: "en", Body: fmt.Sprint("edited claim ", i), Public: true})
				case 1:
					e.Learner().Learn(Signal{Visitor: fmt.Sprint(i), Query: "water damage claim", Article: fmt.Sprint("d", i%50), Kind: SignalClick, At: at}, e.Index())
				default:
					e.Search(Query{Text: "water damage claim", At: at})
				}
			}
		}()
	}
	wg.Wait()
	if got := e.Search(Query{Text: "claim", Limit: 100}); len(got) != 60 {
		t.Errorf("%d results after the edits, want 60", len(got))
	}
}
