package scim

import (
	"strings"
	"testing"
)

// TestReadAllGrowsAsBodyArrives checks that a body announced as large but
// sent short does not get its announced size in memory up front, so that
// many connections that stall after their headers cannot claim MaxBodyBytes
// each; a body that does arrive whole is read without copying.
func TestReadAllGrowsAsBodyArrives(t *testing.T) {
	buf, err := readAll(strings.NewReader(strings.Repeat("x", 100)), 1<<20)
	if err != nil || len(buf) != 100 {
		t.Fatalf("readAll = %d bytes, %v", len(buf), err)
	}
	if cap(buf) > 64<<10+1 {
		t.Errorf("a body announced as 1 MiB and sent as 100 bytes took a buffer of %d bytes", cap(buf))
	}
	body := strings.Repeat("y", 4000)
	if buf, err = readAll(strings.NewReader(body), int64(len(body))); err != nil || string(buf) != body || cap(buf) != len(body)+1 {
		t.Errorf("readAll of a 4000-byte body: %d bytes in a buffer of %d, %v", len(buf), cap(buf), err)
	}
}
