package helpcenter

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/gesher-cs/gesher/internal/bus"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// Options configure the service.
type Options struct {
	Params Params
	Learn  LearnOptions
	Log    *slog.Logger
	// Horizon is how far back signals are replayed into the learner at start; older ones
	// would count less than 1/16 with the default half-life.
	Horizon time.Duration
}

// Service owns the articles and answers searches over them. It keeps an in-memory index of
// the published articles, built from the database by Load and kept current by its own writes
// (after commit) and by the bus (other nodes' writes).
type Service struct {
	db     *store.DB
	clk    clock.Clock
	events *event.Log
	log    *slog.Logger
	opt    Options

	mu     sync.Mutex
	engine *Engine
	revs   map[string]int // indexed article → its revision, so a late event does not undo a newer one
	// applied holds the signals already taught to the learner (by ID), so the copy of a
	// signal that comes back on the bus is not counted twice. Pruned after two days.
	applied map[string]time.Time
}

// NewService returns the service with an empty index; call Load before searching.
func NewService(db *store.DB, clk clock.Clock, events *event.Log, opt Options) *Service {
	if opt.Params.K1 == 0 {
		opt.Params = DefaultParams()
	}
	if opt.Learn.HalfLife == 0 {
		opt.Learn = DefaultLearnOptions()
	}
	if opt.Horizon == 0 {
		opt.Horizon = 4 * opt.Learn.HalfLife
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{db: db, clk: clk, events: events, log: opt.Log, opt: opt}
	s.engine = NewEngine(opt.Params, NewLearner(opt.Learn))
	s.revs = map[string]int{}
	s.applied = map[string]time.Time{}
	return s
}

// Engine returns the search engine in use.
func (s *Service) Engine() *Engine {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.engine
}

// Load builds a new index from the published articles, a new learner from the signals of
// the horizon and the lay map from its table, then swaps them in: searches meanwhile use the
// old ones. Every node that loads the same database builds the same index.
func (s *Service) Load(ctx context.Context) error {
	e := NewEngine(s.opt.Params, NewLearner(s.opt.Learn))
	revs := map[string]int{}
	rows, err := s.db.Query(ctx, sqlPublishedArticles)
	if err != nil {
		return fmt.Errorf("helpcenter: load articles: %w", err)
	}
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("helpcenter: load articles: %w", err)
		}
		e.ix.Put(a.doc())
		revs[a.ID] = a.Revision
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("helpcenter: load articles: %w", err)
	}
	e.ix.Reweigh()
	lay, err := s.layMap(ctx)
	if err != nil {
		return err
	}
	e.SetLayMap(lay)
	applied := map[string]time.Time{}
	since := s.clk.Now().Add(-s.opt.Horizon)
	rows, err = s.db.Query(ctx, sqlSignalsSince, since.UnixMilli())
	if err != nil {
		return fmt.Errorf("helpcenter: load signals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			sig       Signal
			id, kind  string
			at        int64
			articleID string
		)
		if err := rows.Scan(&id, &articleID, &kind, &at, &sig.Query, &sig.Visitor, &sig.Network); err != nil {
			return fmt.Errorf("helpcenter: load signals: %w", err)
		}
		sig.Article, sig.Kind, sig.At = articleID, parseSignalKind(kind), time.UnixMilli(at).UTC()
		e.learn.Learn(sig, e.ix)
		applied[id] = sig.At
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("helpcenter: load signals: %w", err)
	}
	s.mu.Lock()
	s.engine, s.revs, s.applied = e, revs, applied
	s.mu.Unlock()
	s.log.Info("helpcenter: index loaded", "articles", e.ix.Len(), "signals", len(applied), "lay_rules", lay.Len())
	return nil
}

// Follow keeps the index current with other nodes' changes, read from the bus, until the bus
// closes. A subscription that overflowed missed events: the service reloads everything and
// subscribes again.
func (s *Service) Follow(ctx context.Context, b *bus.Bus) {
	kinds := map[event.Kind]bool{ArticleCreated: true, ArticleUpdated: true, ArticleDeleted: true,
		SearchClicked: true, ArticleRead: true, ArticleFeedback: true, LayMapChanged: true}
	filter := func(e event.Event) bool { return kinds[e.Kind] }
	go func() {
		for {
			sub := b.Subscribe(filter, 1024)
			for d := range sub.C() {
				if d.Resync {
					if err := s.Load(ctx); err != nil {
						s.log.Error("helpcenter: reload after resync", "err", err)
					}
					continue
				}
				s.onEvent(ctx, d.Event)
			}
			if !sub.Overflowed() || ctx.Err() != nil {
				return
			}
			if err := s.Load(ctx); err != nil {
				s.log.Error("helpcenter: reload after overflow", "err", err)
			}
		}
	}()
}

// onEvent applies one event from the bus. Each is idempotent: the node that wrote it has
// applied it already, after its commit.
func (s *Service) onEvent(ctx context.Context, e event.Event) {
	switch e.Kind {
	case ArticleCreated, ArticleUpdated, ArticleDeleted:
		var d articleEvent
		if json.Unmarshal(e.Data, &d) != nil || d.ID == "" {
			return
		}
		s.mu.Lock()
		rev, known := s.revs[d.ID]
		s.mu.Unlock()
		if e.Kind != ArticleDeleted && known && rev >= d.Revision {
			return
		}
		a, err := s.Get(ctx, d.ID)
		switch {
		case err == nil:
			s.reindex(a)
		case errors.Is(err, ErrNotFound) || e.Kind == ArticleDeleted:
			s.unindex(d.ID)
		default:
			s.log.Error("helpcenter: reindex from the bus", "article", d.ID, "err", err)
		}
	case SearchClicked, ArticleRead, ArticleFeedback:
		var d signalEvent
		if json.Unmarshal(e.Data, &d) != nil || d.SignalID == "" || d.SearchID == "" {
			return
		}
		sig, err := s.signalFromDB(ctx, d.SearchID, d.ArticleID, parseSignalKind(d.Kind), e.At)
		if err != nil {
			return
		}
		s.teach(d.SignalID, sig)
	case LayMapChanged:
		m, err := s.layMap(ctx)
		if err != nil {
			s.log.Error("helpcenter: reload the lay map", "err", err)
			return
		}
		s.Engine().SetLayMap(m)
	}
}

// reindex puts a published article in the index, and takes any other out.
func (s *Service) reindex(a Article) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rev, ok := s.revs[a.ID]; ok && rev >= a.Revision {
		return
	}
	if a.Status == Published {
		s.engine.ix.Put(a.doc())
		s.revs[a.ID] = a.Revision
		return
	}
	s.engine.ix.Delete(a.ID)
	delete(s.revs, a.ID)
}

func (s *Service) unindex(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.engine.ix.Delete(id)
	delete(s.revs, id)
}

// teach gives a signal to the learner once.
func (s *Service) teach(id string, sig Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, done := s.applied[id]; done {
		return
	}
	s.applied[id] = sig.At
	if len(s.applied)%1024 == 0 {
		for k, at := range s.applied {
			if sig.At.Sub(at) > 48*time.Hour {
				delete(s.applied, k)
			}
		}
	}
	s.engine.learn.Learn(sig, s.engine.ix)
}

// Get returns an article by ID.
func (s *Service) Get(ctx context.Context, id string) (Article, error) {
	a, err := scanArticle(s.db.Q(ctx).QueryRow(ctx, sqlArticleByID, id))
	if store.IsNoRows(err) {
		return a, fmt.Errorf("helpcenter: article %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("helpcenter: article %s: %w", id, err)
	}
	return a, nil
}

// ListFilter selects articles. Empty fields do not filter.
type ListFilter struct {
	Lang     string
	Status   Status
	Category string
	After    string // an article ID: the next page starts after it
	Limit    int    // at most 500; 100 when zero
}

// List returns articles in ID order, a page at a time.
func (s *Service) List(ctx context.Context, f ListFilter) ([]Article, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 500)
	rows, err := s.db.Q(ctx).Query(ctx, sqlArticlesPage, f.Lang, f.Lang, string(f.Status), string(f.Status), f.Category, f.Category, f.After, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("helpcenter: list articles: %w", err)
	}
	defer rows.Close()
	var out []Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("helpcenter: list articles: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Variants returns the language variants of an article's group.
func (s *Service) Variants(ctx context.Context, group string) ([]Article, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlArticleVariants, group)
	if err != nil {
		return nil, fmt.Errorf("helpcenter: variants of %s: %w", group, err)
	}
	defer rows.Close()
	var out []Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Category is a category of public articles and how many it holds.
type Category struct {
	Name     string `json:"name"`
	Articles int    `json:"articles"`
}

// Categories returns the categories of the published public articles in a language.
func (s *Service) Categories(ctx context.Context, lang string) ([]Category, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlCategories, lang)
	if err != nil {
		return nil, fmt.Errorf("helpcenter: categories: %w", err)
	}
	defer rows.Close()
	var out []Category
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.Name, &c.Articles); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Create adds an article.
func (s *Service) Create(ctx context.Context, by event.Actor, in Input) (Article, error) {
	in, err := in.normalize()
	if err != nil {
		return Article{}, err
	}
	var a Article
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		a, err = s.insert(ctx, tx, by, in)
		return err
	})
	return a, err
}

func (s *Service) insert(ctx context.Context, tx *store.Tx, by event.Actor, in Input) (Article, error) {
	now := s.clk.Now()
	id := in.ID
	if id == "" {
		id = store.NewID(now)
	} else if _, err := s.Get(ctx, id); err == nil {
		return Article{}, &ValidationError{Field: "id", Reason: "an article with this ID exists"}
	}
	group := in.Group
	if group == "" {
		group = id
	}
	var published sql.NullInt64
	if in.Status == Published {
		published = sql.NullInt64{Int64: now.UnixMilli(), Valid: true}
	}
	_, err := tx.Exec(ctx, sqlInsertArticle, id, group, in.Lang, in.Title, in.Body, in.Category, joinList(in.Tags), joinList(in.Services),
		string(in.Visibility), string(in.Status), by.ID, now.UnixMilli(), now.UnixMilli(), published)
	if store.IsUniqueViolation(err) {
		// The ID was free a moment ago: the group has this language already. (Not returned
		// as a unique violation, which the store would retry.)
		return Article{}, ErrVariantExists
	}
	if err != nil {
		return Article{}, fmt.Errorf("helpcenter: create article: %w", err)
	}
	a, err := s.Get(ctx, id)
	if err != nil {
		return a, err
	}
	return a, s.recordChange(ctx, tx, by, ArticleCreated, a)
}

// recordChange writes the revision row and the event, and updates the index after commit.
func (s *Service) recordChange(ctx context.Context, tx *store.Tx, by event.Actor, kind event.Kind, a Article) error {
	if kind != ArticleDeleted {
		if _, err := tx.Exec(ctx, sqlInsertRevision, a.ID, a.Revision, a.Title, a.Body, a.Category, joinList(a.Tags), joinList(a.Services),
			string(a.Visibility), string(a.Status), by.ID, a.UpdatedAt.UnixMilli()); err != nil {
			return fmt.Errorf("helpcenter: revision of %s: %w", a.ID, err)
		}
	}
	if _, err := s.events.Append(ctx, event.Event{Kind: kind, Actor: by},
		articleEvent{ID: a.ID, Revision: a.Revision, Lang: a.Lang, Group: a.Group, Status: a.Status}); err != nil {
		return err
	}
	tx.AfterCommit(func() {
		if kind == ArticleDeleted {
			s.unindex(a.ID)
			return
		}
		s.reindex(a)
	})
	return nil
}

// Update changes an article. in.Revision, when set, must be the article's current revision.
func (s *Service) Update(ctx context.Context, by event.Actor, id string, in Input) (Article, error) {
	in, err := in.normalize()
	if err != nil {
		return Article{}, err
	}
	var a Article
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		a, err = s.update(ctx, tx, by, id, in)
		return err
	})
	return a, err
}

func (s *Service) update(ctx context.Context, tx *store.Tx, by event.Actor, id string, in Input) (Article, error) {
	old, err := s.Get(ctx, id)
	if err != nil {
		return old, err
	}
	if in.Revision != 0 && in.Revision != old.Revision {
		return old, ErrConflict
	}
	now := s.clk.Now()
	group := in.Group
	if group == "" {
		group = old.Group
	}
	published := sql.NullInt64{}
	switch {
	case in.Status == Published && old.PublishedAt != nil:
		published = sql.NullInt64{Int64: old.PublishedAt.UnixMilli(), Valid: true}
	case in.Status == Published:
		published = sql.NullInt64{Int64: now.UnixMilli(), Valid: true}
	}
	res, err := tx.Exec(ctx, sqlUpdateArticle, group, in.Lang, in.Title, in.Body, in.Category, joinList(in.Tags), joinList(in.Services),
		string(in.Visibility), string(in.Status), by.ID, now.UnixMilli(), published, id, old.Revision)
	if store.IsUniqueViolation(err) {
		return old, ErrVariantExists
	}
	if err != nil {
		return old, fmt.Errorf("helpcenter: update article %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return old, ErrConflict
	}
	a, err := s.Get(ctx, id)
	if err != nil {
		return a, err
	}
	return a, s.recordChange(ctx, tx, by, ArticleUpdated, a)
}

// Delete removes an article and its revisions.
func (s *Service) Delete(ctx context.Context, by event.Actor, id string) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		a, err := s.Get(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlDeleteArticle, id); err != nil {
			return fmt.Errorf("helpcenter: delete article %s: %w", id, err)
		}
		return s.recordChange(ctx, tx, by, ArticleDeleted, a)
	})
}

// Revision is one saved state of an article.
type Revision struct {
	Revision   int        `json:"revision"`
	Title      string     `json:"title"`
	Body       string     `json:"body"`
	Category   string     `json:"category,omitempty"`
	Tags       []string   `json:"tags,omitempty"`
	Services   []string   `json:"services,omitempty"`
	Visibility Visibility `json:"visibility"`
	Status     Status     `json:"status"`
	Author     string     `json:"author,omitempty"`
	At         time.Time  `json:"at"`
}

// Revisions returns an article's revisions, newest first.
func (s *Service) Revisions(ctx context.Context, id string) ([]Revision, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.db.Q(ctx).Query(ctx, sqlRevisions, id)
	if err != nil {
		return nil, fmt.Errorf("helpcenter: revisions of %s: %w", id, err)
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		var (
			r              Revision
			tags, services string
			vis, st        string
			at             int64
		)
		if err := rows.Scan(&r.Revision, &r.Title, &r.Body, &r.Category, &tags, &services, &vis, &st, &r.Author, &at); err != nil {
			return nil, err
		}
		r.Tags, r.Services, r.Visibility, r.Status, r.At = splitList(tags), splitList(services), Visibility(vis), Status(st), time.UnixMilli(at).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// LineError is a line of an import that could not be read or saved.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string {
	return fmt.Sprintf("helpcenter: import line %d: %v", e.Line, e.Err)
}
func (e *LineError) Unwrap() error { return e.Err }

// importBatch is how many lines one import transaction holds: large enough that loading
// thousands of articles costs few commits, small enough not to hold the writer for long.
const importBatch = 250

// Import reads articles as JSON lines (the Input shape; {"id","lang","title","body"} is
// enough) and creates or updates each by ID; a line without an ID creates a new article.
// Imported articles are published unless a line says otherwise. Lines are committed in
// batches; the first bad line stops the import with a *LineError, and the batches before it
// stay.
func (s *Service) Import(ctx context.Context, by event.Actor, r io.Reader) (ImportResult, error) {
	var res ImportResult
	dec := json.NewDecoder(r)
	line := 0
	for {
		var batch []Input
		for len(batch) < importBatch {
			var in Input
			if err := dec.Decode(&in); err == io.EOF {
				break
			} else if err != nil {
				return res, &LineError{Line: line + len(batch) + 1, Err: err}
			}
			if in.Status == "" {
				in.Status = Published
			}
			batch = append(batch, in)
		}
		if len(batch) == 0 {
			return res, nil
		}
		err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			var r ImportResult
			for i, in := range batch {
				if err := s.importOne(ctx, tx, by, in, &r); err != nil {
					return &LineError{Line: line + i + 1, Err: err}
				}
			}
			res.Created += r.Created
			res.Updated += r.Updated
			res.Unchanged += r.Unchanged
			return nil
		})
		if err != nil {
			return res, err
		}
		line += len(batch)
	}
}

func (s *Service) importOne(ctx context.Context, tx *store.Tx, by event.Actor, in Input, r *ImportResult) error {
	n, err := in.normalize()
	if err != nil {
		return err
	}
	if n.ID != "" {
		old, err := s.Get(ctx, n.ID)
		if err == nil {
			if old.same(n) {
				r.Unchanged++
				return nil
			}
			n.Revision = 0
			if _, err := s.update(ctx, tx, by, n.ID, n); err != nil {
				return err
			}
			r.Updated++
			return nil
		}
	}
	if _, err := s.insert(ctx, tx, by, n); err != nil {
		return err
	}
	r.Created++
	return nil
}

// same reports whether an import line would change nothing.
func (a Article) same(in Input) bool {
	group := in.Group
	if group == "" {
		group = a.Group
	}
	return a.Group == group && a.Lang == in.Lang && a.Title == in.Title && a.Body == in.Body && a.Category == in.Category &&
		joinList(a.Tags) == joinList(in.Tags) && joinList(a.Services) == joinList(in.Services) && a.Visibility == in.Visibility && a.Status == in.Status
}

// Export writes the articles f selects as JSON lines that Import reads back.
func (s *Service) Export(ctx context.Context, w io.Writer, f ListFilter) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	f.Limit = 500
	for {
		page, err := s.List(ctx, f)
		if err != nil {
			return err
		}
		for _, a := range page {
			in := Input{ID: a.ID, Group: a.Group, Lang: a.Lang, Title: a.Title, Body: a.Body, Category: a.Category,
				Tags: a.Tags, Services: a.Services, Visibility: a.Visibility, Status: a.Status}
			if err := enc.Encode(in); err != nil {
				return fmt.Errorf("helpcenter: export: %w", err)
			}
		}
		if len(page) < f.Limit {
			return nil
		}
		f.After = page[len(page)-1].ID
	}
}
