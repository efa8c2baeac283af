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
// waiter can give up when its request ends.
type idLock struct {
	token chan struct{}
	refs  int // writers holding or waiting for the lock
}

func newResourceLocks() *resourceLocks {
	l := &resourceLocks{seed: maphash.MakeSeed()}
	for i := range l.shards {
		l.shards[i].locks = make(map[string]*idLock)
	}
	return l
}

// lock waits until no other writer of id holds its lock, or until ctx is
// done, and returns the function that releases it.
func (l *resourceLocks) lock(ctx context.Context, id string) (unlock func(), err error) {
	sh := &l.shards[maphash.String(l.seed, id)%uint64(len(l.shards))]
	sh.mu.Lock()
	lk := sh.locks[id]
	if lk == nil {
		lk = &idLock{token: make(chan struct{}, 1)}
		sh.locks[id] = lk
	}
	lk.refs++
	sh.mu.Unlock()
	release := func() {
		sh.mu.Lock()
		if lk.refs--; lk.refs == 0 {
			delete(sh.locks, id)
		}
		sh.mu.Unlock()
	}
	select {
	case lk.token <- struct{}{}:
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
	return func() {
		<-lk.token
		release()
	}, nil
}
