package helpcenter

import (
	"slices"
)

// LayPhrase is one entry of the lay-to-professional map: a phrase customers use, and the
// professional terms it means, in one language ("my car got hit" → "collision claim";
// "תאונה" → "תביעת רכוש"). Weight scales the added terms (1 is the usual).
type LayPhrase struct {
	ID     string  `json:"id,omitempty"`
	Lang   string  `json:"lang"`
	Phrase string  `json:"phrase"`
	Terms  string  `json:"terms"`
	Weight float64 `json:"weight"`
}

// LayMap is the compiled lay-to-professional map. The zero value maps nothing.
type LayMap struct {
	rules []layRule
}

type layRule struct {
	need [][]string // each word of the phrase, as its forms: all must occur in the query
	add  []Word
	w    float64
}

// NewLayMap compiles phrases. Phrases and terms are analysed like any text, so the map works
// on Hebrew words with prefixes and on inflected Russian as well as on what was written.
func NewLayMap(phrases []LayPhrase) *LayMap {
	m := &LayMap{}
	for _, p := range phrases {
		need := Analyze(p.Phrase)
		add := Analyze(p.Terms)
		if len(need) == 0 || len(add) == 0 {
			continue
		}
		w := p.Weight
		if w <= 0 {
			w = 1
		}
		r := layRule{add: add, w: w}
		for _, n := range need {
			r.need = append(r.need, []string{n.Forms[0]})
		}
		m.rules = append(m.rules, r)
	}
	return m
}

// Len returns the number of rules.
func (m *LayMap) Len() int { return len(m.rules) }

// expand returns the professional terms of every phrase whose words all occur in the query
// (in any order: "hit my car" and "my car got hit" are the same complaint), each at weight w
// times the phrase's own weight.
func (m *LayMap) expand(words []Word, _ string, w float64) []weighted {
	if m == nil || len(m.rules) == 0 || w <= 0 {
		return nil
	}
	var out []weighted
	for _, r := range m.rules {
		if !r.matches(words) {
			continue
		}
		per := w * r.w
		for _, a := range r.add {
			if hasForm(words, a.Forms[0]) {
				continue
			}
			out = append(out, weighted{a.Forms[0], per})
		}
	}
	return out
}

func (r layRule) matches(words []Word) bool {
	for _, n := range r.need {
		if !hasForm(words, n[0]) {
			return false
		}
	}
	return true
}

func hasForm(words []Word, f string) bool {
	for _, w := range words {
		if slices.Contains(w.Forms, f) {
			return true
		}
	}
	return false
}
