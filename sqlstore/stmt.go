package sqlstore

import (
	"container/list"
	"context"
	"database/sql"
	"sync"
)

// conn runs the store's statements on the database, or in a transaction
// when tx is set. On SQLite, whose driver compiles a statement on every
// call, it keeps the store's statements prepared: their texts are fixed by
// the mapping, and a list's differ only by its filter's shape. On
// PostgreSQL the driver caches prepared statements itself.
type conn struct {
	s  *Store
	tx *sql.Tx
}

func (c conn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, release := c.s.stmts.get(ctx, c.s, q)
	if st == nil {
		if c.tx != nil {
			return c.tx.QueryContext(ctx, q, args...)
		}
		return c.s.cfg.DB.QueryContext(ctx, q, args...)
	}
	defer release()
	if c.tx != nil {
		st = c.tx.StmtContext(ctx, st)
	}
	return st.QueryContext(ctx, args...)
}

func (c conn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, release := c.s.stmts.get(ctx, c.s, q)
	if st == nil {
		if c.tx != nil {
			return c.tx.QueryRowContext(ctx, q, args...)
		}
		return c.s.cfg.DB.QueryRowContext(ctx, q, args...)
	}
	defer release()
	if c.tx != nil {
		st = c.tx.StmtContext(ctx, st)
	}
	return st.QueryRowContext(ctx, args...)
}

func (c conn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, release := c.s.stmts.get(ctx, c.s, q)
	if st == nil {
		if c.tx != nil {
			return c.tx.ExecContext(ctx, q, args...)
		}
		return c.s.cfg.DB.ExecContext(ctx, q, args...)
	}
	defer release()
	if c.tx != nil {
		st = c.tx.StmtContext(ctx, st)
	}
	return st.ExecContext(ctx, args...)
}

// stmtCache keeps the most recently used prepared statements, at most max
// of them. A statement evicted while in use is closed when its last user
// is done with it.
type stmtCache struct {
	mu    sync.Mutex
	max   int
	lru   *list.List // of *cachedStmt, most recent first
	byKey map[string]*list.Element
}

type cachedStmt struct {
	text    string
	stmt    *sql.Stmt
	users   int
	evicted bool
}

func newStmtCache(max int) *stmtCache {
	return &stmtCache{max: max, lru: list.New(), byKey: make(map[string]*list.Element)}
}

// get returns the prepared statement of text and the function that
// releases it, or nil when the store does not cache statements or the
// statement cannot be prepared (the caller then runs the text as it is,
// and reports its error).
func (c *stmtCache) get(ctx context.Context, s *Store, text string) (*sql.Stmt, func()) {
	if c == nil {
		return nil, nil
	}
	c.mu.Lock()
	if e, ok := c.byKey[text]; ok {
		cs := e.Value.(*cachedStmt)
		cs.users++
		c.lru.MoveToFront(e)
		c.mu.Unlock()
		return cs.stmt, func() { c.release(cs) }
	}
	c.mu.Unlock()
	// Prepared on the pool: the statement is prepared on each connection
	// as it is first used there.
	st, err := s.cfg.DB.PrepareContext(ctx, text)
	if err != nil {
		return nil, nil
	}
	cs := &cachedStmt{text: text, stmt: st, users: 1}
	c.mu.Lock()
	if e, ok := c.byKey[text]; ok {
		// Another goroutine prepared it meanwhile: use that one.
		c.mu.Unlock()
		st.Close()
		c.mu.Lock()
		other := e.Value.(*cachedStmt)
		other.users++
		c.mu.Unlock()
		return other.stmt, func() { c.release(other) }
	}
	c.byKey[text] = c.lru.PushFront(cs)
	for c.lru.Len() > c.max {
		e := c.lru.Back()
		old := e.Value.(*cachedStmt)
		c.lru.Remove(e)
		delete(c.byKey, old.text)
		old.evicted = true
		if old.users == 0 {
			old.stmt.Close()
		}
	}
	c.mu.Unlock()
	return st, func() { c.release(cs) }
}

func (c *stmtCache) release(cs *cachedStmt) {
	c.mu.Lock()
	cs.users--
	closeIt := cs.evicted && cs.users == 0
	c.mu.Unlock()
	if closeIt {
		cs.stmt.Close()
	}
}
