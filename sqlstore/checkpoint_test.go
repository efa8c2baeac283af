package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/scim-go/scim/sqlstore"
)

// TestCheckpointSQLite checks that CheckpointSQLite copies the log into
// the database while writes go on, without the automatic checkpoint, and
// stops when its context ends.
func TestCheckpointSQLite(t *testing.T) {
	db := openSQLite(t)
	db.SetMaxOpenConns(1) // the pragma below holds for the one connection
	exec(t, db, "PRAGMA wal_autocheckpoint = 0", "CREATE TABLE t (v TEXT)")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sqlstore.CheckpointSQLite(ctx, db, time.Millisecond)
	}()
	for i := range 200 {
		exec(t, db, "INSERT INTO t VALUES ('"+string(rune('a'+i%26))+"')")
	}
	// pending reads how many frames of the log are not in the database
	// yet, checkpointing nothing itself: NOOP only reports.
	pending := func() int {
		var busy, log, done int
		if err := db.QueryRow("PRAGMA wal_checkpoint(NOOP)").Scan(&busy, &log, &done); err != nil {
			t.Fatal(err)
		}
		return log - done
	}
	deadline := time.Now().Add(10 * time.Second)
	for pending() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s, %d frames of the log are not checkpointed", pending())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	wg.Wait() // returns once ctx is done
}
