package scim

import (
	"context"
	"hash/maphash"
	"sync"
)

// resourceLocks serialises the writers of one resource within a server, so
// that they take turns instead of retrying against each other. Writers of
// different resources never wait for each other, however slow one is: each
// id being written has a lock of its own, made on first use and dropped
// when its last writer leaves.
type resourceLocks struct {
	seed   maphash.Seed
	shards [32]lockShard
}

type lockShard struct {
	mu    sync.Mutex
	locks map[string]*idLock
}

// idLock is a lock on one id: a token in a channel of one, so that a
// waiter can give up when its request ends. An idLock no writer holds or
// waits for goes back to idLocks, with its channel empty.
type idLock struct {
	token chan struct{}
	refs  int // writers holding or waiting for the lock
	sh    *lockShard
	id    string
}

var idLocks = sync.Pool{New: func() any { return &idLock{token: make(chan struct{}, 1)} }}

func newResourceLocks() *resourceLocks {
	l := &resourceLocks{seed: maphash.MakeSeed()}
	for i := range l.shards {
		l.shards[i].locks = make(map[string]*idLock)
	}
	return l
}

// lock waits until no other writer of id holds its lock, or until ctx is
// done, and returns the lock, which the caller releases with unlock.
func (l *resourceLocks) lock(ctx context.Context, id string) (*idLock, error) {
	sh := &l.shards[maphash.String(l.seed, id)%uint64(len(l.shards))]
	sh.mu.Lock()
	lk := sh.locks[id]
	if lk == nil {
		lk = idLocks.Get().(*idLock)
		lk.sh, lk.id = sh, id
		sh.locks[id] = lk
	}
	lk.refs++
	sh.mu.Unlock()
	select {
	case lk.token <- struct{}{}:
		return lk, nil
	case <-ctx.Done():
		lk.leave()
		return nil, ctx.Err()
	}
}

// unlock releases the lock lock returned.
func (lk *idLock) unlock() {
	<-lk.token
	lk.leave()
}

// leave drops a writer's reference to lk, and lk once no writer has one.
func (lk *idLock) leave() {
	sh := lk.sh
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if lk.refs--; lk.refs == 0 {
		delete(sh.locks, lk.id)
		lk.sh, lk.id = nil, ""
		idLocks.Put(lk)
	}
}
