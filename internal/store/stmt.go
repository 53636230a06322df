package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds the statement cache: the named queries of every package fit many
// times over, and a query built on the fly with a varying shape (an IN list of some length)
// cannot grow it without end — past the bound, statements are simply not cached.
const maxCachedStatements = 1024

// stmtCache keeps a prepared statement per query text for one pool. SQLite compiles every
// statement it is given; without the cache, a webhook's ingest spent more time in SQLite's
// parser than in its B-trees. database/sql prepares a cached statement lazily on each
// connection that runs it, and a transaction re-uses the one on its connection. PostgreSQL
// needs none of this: pgx caches prepared statements per connection itself.
//
// A statement is prepared in the background, not by the caller that first runs it: the writer
// pool has one connection, and the caller may be holding it in a transaction, where preparing
// on the pool would wait for itself. Until it is ready, the query runs as text, as it would
// without a cache.
type stmtCache struct {
	pool    *sql.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool
	wake    chan struct{}
	quit    chan struct{}
	done    sync.WaitGroup
}

func newStmtCache(pool *sql.DB) *stmtCache {
	c := &stmtCache{pool: pool, m: map[string]*sql.Stmt{}, pending: map[string]bool{}, wake: make(chan struct{}, 1), quit: make(chan struct{})}
	c.done.Add(1)
	go c.prepareLoop()
	return c
}

// get returns the prepared statement for q, or nil while there is none (the caller then runs q
// as text).
func (c *stmtCache) get(q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	st, ok := c.m[q]
	if !ok && !c.pending[q] && len(c.m)+len(c.pending) < maxCachedStatements {
		c.pending[q] = true
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
	c.mu.Unlock()
	return st
}

func (c *stmtCache) prepareLoop() {
	defer c.done.Done()
	for {
		select {
		case <-c.quit:
			return
		case <-c.wake:
		}
		c.mu.Lock()
		todo := make([]string, 0, len(c.pending))
		for q := range c.pending {
			todo = append(todo, q)
		}
		c.mu.Unlock()
		for _, q := range todo {
			st, err := c.pool.PrepareContext(context.Background(), q)
			c.mu.Lock()
			delete(c.pending, q)
			if err == nil {
				// A statement that does not prepare (a typo) is never cached; it fails as text,
				// with its error, where it runs.
				c.m[q] = st
			}
			c.mu.Unlock()
		}
	}
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	close(c.quit)
	c.done.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = map[string]*sql.Stmt{}
}
