package helpcenter

import (
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// Signal is one thing a visitor did after a search that says an article answered it (or did
// not): a click on a result, a long read, or a "helpful" / "not helpful" answer.
type Signal struct {
	Visitor string     // who: the visitor cookie, or the customer's ID when signed in
	Network string     // where from: a hash of the address's network, so cookie-clearing does not multiply one visitor
	Query   string     // the search as typed
	Article string     // the article's ID
	Kind    SignalKind // what they did
	At      time.Time
}

// SignalKind is what a visitor did.
type SignalKind uint8

// Signals and what they teach.
const (
	SignalClick      SignalKind = iota + 1 // opened the article from the results
	SignalDwell                            // stayed on it long enough to read it
	SignalHelpful                          // answered "yes, this answered my question"
	SignalNotHelpful                       // answered "no"
)

// weight is how much a signal counts: a click is the unit; a read or a "yes" confirms it; a
// "no" takes some of it back.
func (k SignalKind) weight() float64 {
	switch k {
	case SignalClick:
		return 1
	case SignalDwell:
		return 0.5
	case SignalHelpful:
		return 1
	case SignalNotHelpful:
		return -1
	}
	return 0
}

// LearnOptions tune the learner.
type LearnOptions struct {
	// HalfLife is how fast old signals fade: a signal this old counts half.
	HalfLife time.Duration
	// PerVisitorDay and PerNetworkDay cap how many signals one visitor, and one network,
	// may teach in a day; beyond them signals are ignored, so a script clicking one article a
	// thousand times teaches what one visitor does.
	PerVisitorDay int
	PerNetworkDay int
	// QueryBoost is how much the articles chosen after the very same query (same words, any
	// order or inflection) are raised, as a share of the best score the query's words reach;
	// QuerySaturation is the signal count at which half of it is reached.
	QueryBoost      float64
	QuerySaturation float64
	// WordBoost and WordSaturation do the same for each word of the query alone, weighted by
	// how rare the word is: weaker, because a word is a weaker clue than a whole question.
	WordBoost      float64
	WordSaturation float64
	// ExpandTerms and ExpandWeight control the learned expansion: the words of the articles
	// visitors chose for a query word are added to queries containing it.
	ExpandTerms  int
	ExpandWeight float64
	// Reweigh turns on learned term weights: a query word that is rarely found in the
	// articles visitors choose ("much", "get") counts less, one that is usually found more.
	Reweigh bool
	// MinEvidence is how many signals a word needs before its learned weight and expansion
	// are used.
	MinEvidence float64
}

// DefaultLearnOptions are the defaults.
func DefaultLearnOptions() LearnOptions {
	return LearnOptions{
		HalfLife:        90 * 24 * time.Hour,
		PerVisitorDay:   30,
		PerNetworkDay:   200,
		QueryBoost:      1.2,
		QuerySaturation: 1,
		WordBoost:       0.02,
		WordSaturation:  3,
		ExpandTerms:     0,
		ExpandWeight:    0.3,
		Reweigh:         true,
		MinEvidence:     5,
	}
}

// Learner learns query-word → article associations from searches and what visitors did next.
// Every weight is a sum of signals each worth 2^((at-epoch)/halfLife); dividing by the same
// power of now decays them all at once without touching them.
type Learner struct {
	opt   LearnOptions
	mu    sync.RWMutex
	epoch time.Time
	// Per query word (main form): how much evidence, how much of it chose an article that
	// contains the word, which articles, and which article words.
	seen  map[string]float64
	hit   map[string]float64
	assoc map[string]map[string]float64
	// byQuery is the associations of whole queries (NormalizeQuery) with articles.
	byQuery map[string]map[string]float64
	trans   map[string]map[string]float64
	seenT   float64 // totals, for the average hit rate
	hitT    float64
	counts  map[capKey]int
	day     int64
	// last is when the newest signal happened: weights are decayed to the time of the query
	// (the service's clock), and never to before the newest signal.
	last time.Time
}

// maxWordAssociations is the most articles a word may be associated with and still boost them.
const maxWordAssociations = 256

type capKey struct {
	who  string
	kind byte // 'v' visitor, 'n' network, 'p' visitor+article+query
}

// NewLearner returns an empty learner.
func NewLearner(opt LearnOptions) *Learner {
	if opt.HalfLife <= 0 {
		opt = DefaultLearnOptions()
	}
	return &Learner{opt: opt, seen: map[string]float64{}, hit: map[string]float64{}, assoc: map[string]map[string]float64{}, byQuery: map[string]map[string]float64{},
		trans: map[string]map[string]float64{}, counts: map[capKey]int{}}
}

// Learn records one signal. ix supplies the article's words; a signal about an article the
// index does not have teaches nothing. It reports whether the signal counted (false when a
// cap stopped it).
func (l *Learner) Learn(s Signal, ix *Index) bool {
	words := Analyze(s.Query)
	if len(words) == 0 || s.Article == "" {
		return false
	}
	forms, fwd, ok := ix.articleTerms(s.Article)
	if !ok {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.epoch.IsZero() {
		l.epoch = s.At
	}
	if s.At.After(l.last) {
		l.last = s.At
	}
	key := queryKey(words)
	if !l.allowLocked(s, key) {
		return false
	}
	w := s.Kind.weight() * math.Exp2(s.At.Sub(l.epoch).Hours()/l.opt.HalfLife.Hours())
	qa := l.byQuery[key]
	if qa == nil {
		qa = map[string]float64{}
		l.byQuery[key] = qa
	}
	qa[s.Article] += w
	seenWords := map[string]bool{}
	for _, wd := range words {
		t := wd.Forms[0]
		if seenWords[t] {
			continue
		}
		seenWords[t] = true
		a := l.assoc[t]
		if a == nil {
			a = map[string]float64{}
			l.assoc[t] = a
		}
		a[s.Article] += w
		if w <= 0 {
			// A "not helpful" lowers the association; it says nothing about which words
			// the article should have had.
			continue
		}
		l.seen[t] += w
		l.seenT += w
		if slices.ContainsFunc(wd.Forms, func(f string) bool { return forms[f] }) {
			l.hit[t] += w
			l.hitT += w
		}
		if l.opt.ExpandTerms == 0 {
			// The expansion is off: its table would only cost memory.
			continue
		}
		tr := l.trans[t]
		if tr == nil {
			tr = map[string]float64{}
			l.trans[t] = tr
		}
		for term, share := range fwd {
			tr[term] += w * share
		}
	}
	return true
}

// allowLocked applies the per-visitor and per-network caps, counted per day of the signal's
// own time, and lets a visitor teach each (query, article) pair once a day (query is the
// query's key: "Car accident" and "car accidents" are one).
func (l *Learner) allowLocked(s Signal, query string) bool {
	day := s.At.Unix() / 86400
	if day != l.day {
		l.day = day
		clear(l.counts)
	}
	pair := capKey{who: s.Visitor + "\x00" + query + "\x00" + s.Article + "\x00" + s.Kind.String(), kind: 'p'}
	v := capKey{who: s.Visitor, kind: 'v'}
	n := capKey{who: s.Network, kind: 'n'}
	if l.counts[pair] > 0 || (s.Visitor != "" && l.counts[v] >= l.opt.PerVisitorDay) || (s.Network != "" && l.counts[n] >= l.opt.PerNetworkDay) {
		return false
	}
	l.counts[pair]++
	l.counts[v]++
	l.counts[n]++
	return true
}

// decayLocked is the factor that turns stored weights into their worth at now (the newest
// signal's time when now is zero).
func (l *Learner) decayLocked(now time.Time) float64 {
	if l.epoch.IsZero() {
		return 1
	}
	if now.IsZero() || now.Before(l.last) {
		now = l.last
	}
	return math.Exp2(-now.Sub(l.epoch).Hours() / l.opt.HalfLife.Hours())
}

// adjust returns what the learner adds to a query: a weight multiplier per word, expansion
// terms, and boosts per article as shares of the best score (the index scales them).
func (l *Learner) adjust(words []Word, ix *Index, now time.Time) (mult map[string]float64, expand []weighted, boost map[string]float64) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.seenT == 0 {
		return nil, nil, nil
	}
	decay := l.decayLocked(now)
	o := l.opt
	// The average hit rate, kept off zero so one rate can be compared with it.
	p0 := (l.hitT + 0.5) / (l.seenT + 1)
	var idfs []float64
	var idfSum float64
	for _, w := range words {
		// A word no article has is the rarest of all: the customer's own word for
		// something, exactly where what visitors chose teaches most.
		v := ix.wordWeight(w.Forms[0])
		idfs = append(idfs, v)
		idfSum += v
	}
	if o.QueryBoost > 0 {
		for art, a := range l.byQuery[queryKey(words)] {
			if boost == nil {
				boost = map[string]float64{}
			}
			boost[art] += o.QueryBoost * saturate(a*decay, o.QuerySaturation)
		}
	}
	exp := map[string]float64{}
	for i, wd := range words {
		t := wd.Forms[0]
		n := l.seen[t] * decay
		if o.Reweigh && n >= o.MinEvidence {
			// The word's hit rate, smoothed towards the average by MinEvidence pseudo-signals.
			r := (l.hit[t]*decay + o.MinEvidence*p0) / (n + o.MinEvidence)
			if mult == nil {
				mult = map[string]float64{}
			}
			mult[t] = min(max(r/p0, 0.25), 2)
		}
		share := 0.0
		if idfSum > 0 {
			share = idfs[i] / idfSum
		}
		// A word chosen for hundreds of different articles ("insurance") says little about
		// any one of them, and walking them all would cost every search that uses it.
		if as := l.assoc[t]; o.WordBoost > 0 && len(as) <= maxWordAssociations {
			for art, a := range as {
				if boost == nil {
					boost = map[string]float64{}
				}
				boost[art] += o.WordBoost * share * saturate(a*decay, o.WordSaturation)
			}
		}
		if o.ExpandTerms > 0 && n >= o.MinEvidence {
			for term, v := range l.trans[t] {
				exp[term] += share * v * decay / n
			}
		}
	}
	if len(exp) > 0 {
		type tw struct {
			t string
			w float64
		}
		var cands []tw
		for t, v := range exp {
			if hasForm(words, t) {
				continue
			}
			if w := v * ix.termIDF(t); w > 0 {
				cands = append(cands, tw{t, w})
			}
		}
		slices.SortFunc(cands, func(a, b tw) int {
			if a.w != b.w {
				if a.w > b.w {
					return -1
				}
				return 1
			}
			return strings.Compare(a.t, b.t)
		})
		cands = cands[:min(len(cands), o.ExpandTerms)]
		var total float64
		for _, c := range cands {
			total += c.w
		}
		for _, c := range cands {
			expand = append(expand, weighted{c.t, o.ExpandWeight * c.w / total})
		}
	}
	return mult, expand, boost
}

// saturate maps a signal weight to (-1, 1): half at k, never more than all, and a net "not
// helpful" below zero.
func saturate(a, k float64) float64 {
	if a >= 0 {
		return a / (a + k)
	}
	return a / (-a + k)
}

// queryKey is a query's words, as NormalizeQuery groups them.
func queryKey(words []Word) string {
	terms := make([]string, len(words))
	for i, w := range words {
		terms[i] = w.Forms[0]
	}
	slices.Sort(terms)
	return strings.Join(slices.Compact(terms), " ")
}
