package scim

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// TestResourceLocks checks that writers of one id take turns, that a
// waiter gives up when its context ends, and that no lock outlives its
// writers, also when its idLock is used again for another id.
func TestResourceLocks(t *testing.T) {
	l := newResourceLocks()
	ctx := context.Background()
	var wg sync.WaitGroup
	ids := []string{"a", "b"}
	counts := make([]int, len(ids)) // each id's count is written under its lock only
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			i := g % len(ids)
			for range 200 {
				lk, err := l.lock(ctx, ids[i])
				if err != nil {
					t.Error(err)
					return
				}
				counts[i]++ // the race detector reports writers that overlap
				lk.unlock()
			}
		}()
	}
	wg.Wait()
	if counts[0] != 800 || counts[1] != 800 {
		t.Errorf("counts = %v, want 800 each", counts)
	}

	held, err := l.lock(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if lk, err := l.lock(cancelled, "a"); !errors.Is(err, context.Canceled) || lk != nil {
		t.Errorf("lock of a held id with a cancelled context = %v, %v; want nil, context.Canceled", lk, err)
	}
	held.unlock()
	for i := range l.shards {
		if n := len(l.shards[i].locks); n != 0 {
			t.Errorf("shard %d holds %d locks after every writer left", i, n)
		}
	}
}
