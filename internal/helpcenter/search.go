package helpcenter

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// maxQuery bounds what is analysed and stored of a query: nobody types more, and a longer one
// would only cost time.
const maxQuery = 300

// SearchRequest is one search.
type SearchRequest struct {
	Text string
	Lang string // the help centre's language: its articles first
	// Internal includes articles for agents; public searches leave it false.
	Internal bool
	Limit    int // 10 when zero, at most 50
	// Record writes the search down (a search.performed event and a row the learner and the
	// failed-search report read). The console's own searches are not recorded.
	Record     bool
	Visitor    string // the visitor cookie
	Network    string // a hash of the visitor's network
	CustomerID string // when the visitor is a signed-in customer
}

// Hit is one result.
type Hit struct {
	Article Article `json:"article"`
	Score   float64 `json:"score"`
	// Passage is the part of the article that best answers the query; set on the first hit.
	Passage string `json:"passage,omitempty"`
}

// SearchResult is the answer to a search.
type SearchResult struct {
	ID    string `json:"id,omitempty"` // the recorded search, for the links that report clicks
	Query string `json:"query"`
	Hits  []Hit  `json:"hits"`
	// OtherLanguages is set when nothing matched in the requested language and the hits come
	// from the others.
	OtherLanguages bool `json:"other_languages,omitempty"`
}

// Rank returns the IDs of the best published articles for a query, best first, without
// recording anything or reading the database: the evaluation's and the benchmark's entry.
func (s *Service) Rank(text string, f Filter, limit int) []Scored {
	return s.Engine().Search(Query{Text: clip(text), Filter: f, Limit: limit, At: s.clk.Now()})
}

// Search finds articles for a query, records it when asked, and quotes the best passage of
// the best article.
func (s *Service) Search(ctx context.Context, req SearchRequest) (SearchResult, error) {
	req.Text = clip(strings.TrimSpace(req.Text))
	limit := req.Limit
	if limit <= 0 {
		limit = 10
	}
	limit = min(limit, 50)
	res := SearchResult{Query: req.Text}
	f := Filter{Lang: req.Lang, PublicOnly: !req.Internal}
	now := s.clk.Now()
	engine := s.Engine()
	hits := engine.Search(Query{Text: req.Text, Filter: f, Limit: limit, At: now})
	if len(hits) == 0 && req.Lang != "" {
		f.Lang = ""
		hits = engine.Search(Query{Text: req.Text, Filter: f, Limit: limit, At: now})
		res.OtherLanguages = len(hits) > 0
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	arts, err := s.byIDs(ctx, ids)
	if err != nil {
		return res, err
	}
	groups := map[string]bool{}
	for _, h := range hits {
		a, ok := arts[h.ID]
		if !ok || groups[a.Group] {
			// Deleted since the index saw it, or another language of an article already listed.
			continue
		}
		groups[a.Group] = true
		res.Hits = append(res.Hits, Hit{Article: a, Score: h.Score})
	}
	if len(res.Hits) > 0 {
		ix := engine.Index()
		res.Hits[0].Passage = BestPassage(PlainText(res.Hits[0].Article.Body), req.Text, ix.termIDF)
	}
	if !req.Record || req.Text == "" {
		return res, nil
	}
	top := ""
	if len(res.Hits) > 0 {
		top = res.Hits[0].Article.ID
	}
	lang := req.Lang
	if lang == "" {
		lang = "und"
	}
	res.ID = store.NewID(now)
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.Exec(ctx, sqlInsertSearch, res.ID, now.UnixMilli(), lang, req.Text, NormalizeQuery(req.Text), len(res.Hits), top,
			clipTo(req.Visitor, 64), clipTo(req.Network, 64), req.CustomerID); err != nil {
			return fmt.Errorf("helpcenter: record search: %w", err)
		}
		_, err := s.events.Append(ctx, event.Event{Kind: SearchPerformed, CustomerID: req.CustomerID, Actor: customerActor(req.CustomerID)},
			searchEvent{SearchID: res.ID, Query: req.Text, Lang: lang, Results: len(res.Hits), Top: top, Visitor: req.Visitor})
		return err
	})
	if err != nil {
		return res, err
	}
	return res, nil
}

func customerActor(id string) event.Actor { return event.Actor{Kind: event.ByCustomer, ID: id} }

// byIDs reads articles by ID.
func (s *Service) byIDs(ctx context.Context, ids []string) (map[string]Article, error) {
	out := make(map[string]Article, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	q := sqlSelectArticle + ` WHERE id IN (?` + strings.Repeat(", ?", len(ids)-1) + `)`
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.Q(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("helpcenter: read hits: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, err
		}
		out[a.ID] = a
	}
	return out, rows.Err()
}

// NormalizeQuery is the key searches are grouped by in reports: the query's words in their
// analysed forms, sorted, without repeats — "Car accidents" and "accident car" are one line.
func NormalizeQuery(text string) string {
	terms := Terms(clip(text))
	slices.Sort(terms)
	return strings.Join(slices.Compact(terms), " ")
}

func clip(s string) string { return clipTo(s, maxQuery) }

// clipTo cuts s to at most n bytes without splitting a letter.
func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// String is the signal's name in the database and in events.
func (k SignalKind) String() string {
	switch k {
	case SignalClick:
		return "click"
	case SignalDwell:
		return "dwell"
	case SignalHelpful:
		return "helpful"
	case SignalNotHelpful:
		return "not-helpful"
	}
	return ""
}

func parseSignalKind(s string) SignalKind {
	for _, k := range []SignalKind{SignalClick, SignalDwell, SignalHelpful, SignalNotHelpful} {
		if k.String() == s {
			return k
		}
	}
	return 0
}

// SignalRequest reports what a visitor did with a result of a recorded search.
type SignalRequest struct {
	SearchID  string
	ArticleID string
	Kind      SignalKind
	Rank      int // the result's position, from 1, for clicks
}

// ErrUnknownSearch is a signal about a search that was never recorded.
var ErrUnknownSearch = errors.New("helpcenter: no such search")

// Signal records a click, a read or feedback on a result of a recorded search, and teaches
// it to the learner. The same signal twice for one search and article counts once.
func (s *Service) Signal(ctx context.Context, req SignalRequest) error {
	if req.Kind.String() == "" {
		return &ValidationError{Field: "kind", Reason: "click, dwell, helpful or not-helpful"}
	}
	now := s.clk.Now()
	id := store.NewID(now)
	var sig Signal
	var fresh bool
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		sig, err = s.signalFromDB(ctx, req.SearchID, req.ArticleID, req.Kind, now)
		if err != nil {
			return err
		}
		if _, err := s.Get(ctx, req.ArticleID); err != nil {
			return err
		}
		// A repeat is not an error (a reload, a double click), and it is not counted:
		// checked first, because on PostgreSQL a failed insert would end the transaction.
		var n int
		if err := tx.QueryRow(ctx, sqlSignalExists, req.SearchID, req.ArticleID, req.Kind.String()).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, sqlInsertSignal, id, req.SearchID, req.ArticleID, req.Kind.String(), now.UnixMilli()); err != nil {
			return fmt.Errorf("helpcenter: record signal: %w", err)
		}
		fresh = true
		kind := SearchClicked
		var helpful *bool
		switch req.Kind {
		case SignalDwell:
			kind = ArticleRead
		case SignalHelpful, SignalNotHelpful:
			kind = ArticleFeedback
			h := req.Kind == SignalHelpful
			helpful = &h
		}
		_, err = s.events.Append(ctx, event.Event{Kind: kind, Actor: customerActor("")},
			signalEvent{SignalID: id, SearchID: req.SearchID, ArticleID: req.ArticleID, Kind: req.Kind.String(), Rank: req.Rank, Helpful: helpful, Visitor: sig.Visitor})
		if err != nil {
			return err
		}
		tx.AfterCommit(func() { s.teach(id, sig) })
		return nil
	})
	if err == nil && !fresh {
		return nil
	}
	return err
}

// signalFromDB builds the learner's signal from the recorded search it belongs to.
func (s *Service) signalFromDB(ctx context.Context, searchID, articleID string, kind SignalKind, at time.Time) (Signal, error) {
	var (
		sig   Signal
		id    string
		sAt   int64
		langs string
	)
	err := s.db.Q(ctx).QueryRow(ctx, sqlSearchByID, searchID).Scan(&id, &sAt, &langs, &sig.Query, &sig.Visitor, &sig.Network)
	if store.IsNoRows(err) {
		return sig, ErrUnknownSearch
	}
	if err != nil {
		return sig, fmt.Errorf("helpcenter: read search %s: %w", searchID, err)
	}
	sig.Article, sig.Kind, sig.At = articleID, kind, at.UTC().Truncate(time.Millisecond)
	return sig, nil
}

// Feedback records "did this answer your question?" for an article read without a recorded
// search (opened from a link or the home page): an event for the journey and the article's
// counts, nothing for the learner, which needs a query to learn from.
func (s *Service) Feedback(ctx context.Context, articleID string, helpful bool, visitor, customerID string) error {
	if _, err := s.Get(ctx, articleID); err != nil {
		return err
	}
	kind := SignalNotHelpful
	if helpful {
		kind = SignalHelpful
	}
	_, err := s.events.Append(ctx, event.Event{Kind: ArticleFeedback, CustomerID: customerID, Actor: customerActor(customerID)},
		signalEvent{ArticleID: articleID, Kind: kind.String(), Helpful: &helpful, Visitor: visitor})
	return err
}

// FailedSearch is one line of the failed-search report: a query (grouped by its analysed
// words) that found nothing, or found articles nobody opened.
type FailedSearch struct {
	Lang      string    `json:"lang"`
	Query     string    `json:"query"` // one of the ways it was typed
	Key       string    `json:"key"`   // the analysed words it is grouped by
	Searches  int       `json:"searches"`
	NoResults int       `json:"no_results"` // of those, how many found nothing at all
	LastAt    time.Time `json:"last_at"`
}

// FailedSearches returns the report for [since, until), the most frequent first.
func (s *Service) FailedSearches(ctx context.Context, since, until time.Time, limit int) ([]FailedSearch, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.Q(ctx).Query(ctx, sqlFailedSearches, since.UnixMilli(), until.UnixMilli(), min(limit, 1000))
	if err != nil {
		return nil, fmt.Errorf("helpcenter: failed searches: %w", err)
	}
	defer rows.Close()
	var out []FailedSearch
	for rows.Next() {
		var f FailedSearch
		var last int64
		if err := rows.Scan(&f.Lang, &f.Key, &f.Searches, &f.NoResults, &last, &f.Query); err != nil {
			return nil, err
		}
		f.LastAt = time.UnixMilli(last).UTC()
		out = append(out, f)
	}
	return out, rows.Err()
}

// LayPhrases returns the map's entries as stored (the built-in defaults are not rows: a row
// with the same language and phrase replaces one, and weight 0 turns it off).
func (s *Service) LayPhrases(ctx context.Context) ([]LayPhrase, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlLayPhrases)
	if err != nil {
		return nil, fmt.Errorf("helpcenter: lay phrases: %w", err)
	}
	defer rows.Close()
	var out []LayPhrase
	for rows.Next() {
		var p LayPhrase
		if err := rows.Scan(&p.ID, &p.Lang, &p.Phrase, &p.Terms, &p.Weight); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// layMap compiles the defaults overlaid with the stored entries.
func (s *Service) layMap(ctx context.Context) (*LayMap, error) {
	stored, err := s.LayPhrases(ctx)
	if err != nil {
		return nil, err
	}
	key := func(p LayPhrase) string { return p.Lang + "\x00" + NormalizeQuery(p.Phrase) }
	byKey := map[string]LayPhrase{}
	var order []string
	for _, p := range append(DefaultLayPhrases(), stored...) {
		k := key(p)
		if _, ok := byKey[k]; !ok {
			order = append(order, k)
		}
		byKey[k] = p
	}
	var all []LayPhrase
	for _, k := range order {
		if p := byKey[k]; p.Weight >= 0 && !(p.ID != "" && p.Weight == 0) {
			all = append(all, p)
		}
	}
	return NewLayMap(all), nil
}

// PutLayPhrase adds an entry to the lay map or changes the one with the same language and
// phrase. Weight 0 turns a phrase off (a built-in one too).
func (s *Service) PutLayPhrase(ctx context.Context, by event.Actor, p LayPhrase) (LayPhrase, error) {
	p.Phrase, p.Terms, p.Lang = strings.TrimSpace(p.Phrase), strings.TrimSpace(p.Terms), strings.TrimSpace(p.Lang)
	switch {
	case p.Lang == "":
		return p, &ValidationError{Field: "lang", Reason: "required"}
	case len(Analyze(p.Phrase)) == 0:
		return p, &ValidationError{Field: "phrase", Reason: "needs at least one word that is not a stop word"}
	case p.Weight > 0 && len(Analyze(p.Terms)) == 0:
		return p, &ValidationError{Field: "terms", Reason: "needs at least one word that is not a stop word"}
	case p.Weight < 0 || p.Weight > 5:
		return p, &ValidationError{Field: "weight", Reason: "between 0 (off) and 5"}
	case utf8.RuneCountInString(p.Phrase) > 200 || utf8.RuneCountInString(p.Terms) > 500:
		return p, &ValidationError{Field: "phrase", Reason: "phrase at most 200 characters, terms at most 500"}
	}
	now := s.clk.Now()
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		res, err := tx.Exec(ctx, sqlUpdateLayPhrase, p.Terms, p.Weight, now.UnixMilli(), p.Lang, p.Phrase)
		if err != nil {
			return fmt.Errorf("helpcenter: save lay phrase: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			p.ID = store.NewID(now)
			if _, err := tx.Exec(ctx, sqlInsertLayPhrase, p.ID, p.Lang, p.Phrase, p.Terms, p.Weight, now.UnixMilli()); err != nil {
				return fmt.Errorf("helpcenter: save lay phrase: %w", err)
			}
		} else if err := tx.QueryRow(ctx, sqlLayPhraseID, p.Lang, p.Phrase).Scan(&p.ID); err != nil {
			return err
		}
		return s.layChanged(ctx, tx, by)
	})
	return p, err
}

// DeleteLayPhrase removes a stored entry (a built-in phrase it replaced comes back).
func (s *Service) DeleteLayPhrase(ctx context.Context, by event.Actor, id string) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		res, err := tx.Exec(ctx, sqlDeleteLayPhrase, id)
		if err != nil {
			return fmt.Errorf("helpcenter: delete lay phrase: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("helpcenter: lay phrase %s: %w", id, ErrNotFound)
		}
		return s.layChanged(ctx, tx, by)
	})
}

// layChanged records the change; after the commit the map is reloaded from the database.
func (s *Service) layChanged(ctx context.Context, tx *store.Tx, by event.Actor) error {
	if _, err := s.events.Append(ctx, event.Event{Kind: LayMapChanged, Actor: by}, nil); err != nil {
		return err
	}
	tx.AfterCommit(func() {
		// A context of its own: ctx carries the transaction, which has ended.
		m, err := s.layMap(context.Background())
		if err != nil {
			s.log.Error("helpcenter: reload the lay map", "err", err)
			return
		}
		s.Engine().SetLayMap(m)
	})
	return nil
}
