package helpcenter

import (
	"strings"
)

// passageWords is the longest passage quoted on the answer page: about three sentences,
// enough to answer, short enough to read on a phone without scrolling.
const passageWords = 45

// BestPassage returns the part of an article's plain text that best answers query: the
// paragraph — or, in a long paragraph, the run of passageWords words — holding the most of
// the query's words, rare words counting more (idf gives their weight; nil counts every word
// as one). Ties go to the earlier passage; a text with no query word opens the article.
func BestPassage(text, query string, idf func(term string) float64) string {
	q := Analyze(query)
	var candidates []string
	for _, para := range strings.Split(text, "\n\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			continue
		}
		if len(words) <= passageWords {
			candidates = append(candidates, strings.Join(words, " "))
			continue
		}
		// Windows overlap by half, so the best stretch is not cut in two.
		for i := 0; i < len(words); i += passageWords / 2 {
			end := min(i+passageWords, len(words))
			candidates = append(candidates, strings.Join(words[i:end], " ")+ellipsisIf(end < len(words)))
			if end == len(words) {
				break
			}
		}
	}
	if len(candidates) == 0 {
		return ""
	}
	best, bestScore := 0, 0.0
	for i, c := range candidates {
		score := passageScore(Analyze(c), q, idf)
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	return candidates[best]
}

func ellipsisIf(b bool) string {
	if b {
		return " …"
	}
	return ""
}

// passageScore sums the weights of the query words the passage contains (each counted once,
// so a passage that repeats one word does not beat one that answers the whole question).
func passageScore(p, q []Word, idf func(string) float64) float64 {
	var s float64
	for _, w := range q {
		if !containsAnyForm(p, w.Forms) {
			continue
		}
		weight := 1.0
		if idf != nil {
			weight = 0.1 + idf(w.Forms[0])
		}
		s += weight
	}
	return s
}

func containsAnyForm(words []Word, fs []string) bool {
	for _, f := range fs {
		if hasForm(words, f) {
			return true
		}
	}
	return false
}
