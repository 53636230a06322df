package helpcenter

import (
	"fmt"
	"testing"
	"time"
)

func learnEngine(opt LearnOptions) *Engine {
	e := NewEngine(DefaultParams(), NewLearner(opt))
	e.Index().Put(Doc{ID: "lapse", Lang: "en", Title: "Grace period and lapse", Body: "An unpaid premium starts a grace period; then the policy lapses and reinstatement needs a new application.", Public: true})
	e.Index().Put(Doc{ID: "bill", Lang: "en", Title: "Paying your bill", Body: "Pay the bill online, by card or by bank transfer.", Public: true})
	e.Index().Put(Doc{ID: "travel", Lang: "en", Title: "Travel cover", Body: "Medical costs abroad and lost luggage.", Public: true})
	return e
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func firstHit(e *Engine, q string, at time.Time) string {
	hits := e.Search(Query{Text: q, At: at})
	if len(hits) == 0 {
		return ""
	}
	return hits[0].ID
}

func TestLearnerCapsPerVisitorAndNetwork(t *testing.T) {
	opt := DefaultLearnOptions()
	opt.PerVisitorDay, opt.PerNetworkDay = 3, 5
	e := learnEngine(opt)
	l := e.Learner()
	counted := 0
	for i := range 10 {
		// One visitor, ten different queries: three count.
		if l.Learn(Signal{Visitor: "v1", Network: "n1", Query: fmt.Sprint("query ", i, " bill"), Article: "lapse", Kind: SignalClick, At: t0}, e.Index()) {
			counted++
		}
	}
	if counted != 3 {
		t.Errorf("one visitor taught %d signals in a day, want 3", counted)
	}
	// New cookies from the same network: the network's cap of five holds.
	for i := range 10 {
		if l.Learn(Signal{Visitor: fmt.Sprint("fresh-", i), Network: "n1", Query: "late bill", Article: "lapse", Kind: SignalClick, At: t0}, e.Index()) {
			counted++
		}
	}
	if counted != 5 {
		t.Errorf("one network taught %d signals in a day, want 5", counted)
	}
	// The same pair twice from one visitor counts once, however the query is spelled.
	if !l.Learn(Signal{Visitor: "v9", Network: "n9", Query: "Late bills", Article: "bill", Kind: SignalClick, At: t0}, e.Index()) {
		t.Error("a fresh visitor's first signal did not count")
	}
	if l.Learn(Signal{Visitor: "v9", Network: "n9", Query: "late bill", Article: "bill", Kind: SignalClick, At: t0}, e.Index()) {
		t.Error("the same visitor, query and article counted twice")
	}
	// The next day the caps start again.
	if !l.Learn(Signal{Visitor: "v1", Network: "n1", Query: "bill", Article: "bill", Kind: SignalClick, At: t0.Add(25 * time.Hour)}, e.Index()) {
		t.Error("the caps did not reset the next day")
	}
	// An article the index does not have teaches nothing.
	if l.Learn(Signal{Visitor: "v2", Query: "bill", Article: "gone", Kind: SignalClick, At: t0}, e.Index()) {
		t.Error("a signal about an unknown article counted")
	}
}

func TestLearnerNotHelpfulAndDecay(t *testing.T) {
	e := learnEngine(DefaultLearnOptions())
	l := e.Learner()
	q := "my bill is late"
	if got := firstHit(e, q, t0); got != "bill" {
		t.Fatalf("before learning: %q", got)
	}
	for i := range 5 {
		l.Learn(Signal{Visitor: fmt.Sprint("v", i), Network: fmt.Sprint("n", i), Query: q, Article: "lapse", Kind: SignalClick, At: t0}, e.Index())
	}
	if got := firstHit(e, q, t0); got != "lapse" {
		t.Fatalf("after five visitors chose lapse: %q", got)
	}
	// Visitors who then say it did not help take it back.
	for i := range 8 {
		l.Learn(Signal{Visitor: fmt.Sprint("w", i), Network: fmt.Sprint("m", i), Query: q, Article: "lapse", Kind: SignalNotHelpful, At: t0.Add(time.Hour)}, e.Index())
	}
	if got := firstHit(e, q, t0.Add(time.Hour)); got != "bill" {
		t.Errorf("after eight 'not helpful': %q", got)
	}
	// Decay: what five visitors taught a year ago counts 1/16 today.
	e2 := learnEngine(DefaultLearnOptions())
	for i := range 5 {
		e2.Learner().Learn(Signal{Visitor: fmt.Sprint("v", i), Network: fmt.Sprint("n", i), Query: q, Article: "lapse", Kind: SignalClick, At: t0}, e2.Index())
	}
	if got := firstHit(e2, q, t0.Add(365*24*time.Hour)); got != "bill" {
		t.Errorf("a year later: %q", got)
	}
}

// With the learned expansion on, the words of the articles visitors chose for a word are
// added to new queries with that word: a query never seen finds the article.
func TestLearnerExpansion(t *testing.T) {
	opt := DefaultLearnOptions()
	opt.ExpandTerms, opt.ExpandWeight, opt.MinEvidence = 10, 1, 1
	opt.QueryBoost, opt.WordBoost = 0, 0
	e := learnEngine(opt)
	for i := range 6 {
		e.Learner().Learn(Signal{Visitor: fmt.Sprint("v", i), Network: fmt.Sprint("n", i), Query: fmt.Sprint("forgot payment ", i), Article: "lapse", Kind: SignalClick, At: t0}, e.Index())
	}
	// "forgot" is in no article; what visitors chose teaches it means grace periods.
	if got := firstHit(e, "forgot", t0); got != "lapse" {
		t.Errorf("forgot → %q, want lapse", got)
	}
	plain := learnEngine(DefaultLearnOptions())
	if got := firstHit(plain, "forgot", t0); got != "" {
		t.Errorf("without learning, forgot → %q", got)
	}
}
