package scim_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/scim-go/scim"
)

// bulkBody returns a BulkRequest of n operations: users, each followed by
// a group whose member is that user by bulkId reference.
func bulkBody(n int) string {
	var ops []string
	for i := 0; len(ops) < n; i++ {
		ops = append(ops, fmt.Sprintf(`{"method":"POST","path":"/Users","bulkId":"u%d","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"user%d"}}`, i, i))
		if len(ops) < n {
			ops = append(ops, fmt.Sprintf(`{"method":"POST","path":"/Groups","bulkId":"g%d","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"group%d","members":[{"value":"bulkId:u%d"}]}}`, i, i, i))
		}
	}
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[` + strings.Join(ops, ",") + `]}`
}

// TestBulkThousand runs 1,000 operations with references and checks every
// one succeeded and every group holds its user.
func TestBulkThousand(t *testing.T) {
	srv := newTestServer(t, scim.Config{BulkMaxPayload: 1 << 22})
	rec := serveRequest(srv, "POST", "/Bulk", "", bulkBody(1000))
	if rec.Code != 200 {
		t.Fatalf("POST /Bulk: %d %s", rec.Code, rec.Body)
	}
	var resp struct {
		Operations []struct{ Status, BulkID string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Operations) != 1000 {
		t.Fatalf("%d results, want 1000", len(resp.Operations))
	}
	for _, op := range resp.Operations {
		if op.Status != "201" {
			t.Fatalf("operation %s: status %s", op.BulkID, op.Status)
		}
	}
	rec = serveRequest(srv, "GET", "/Groups?filter=displayName+eq+%22group499%22&attributes=members", "", "")
	if !strings.Contains(rec.Body.String(), `"value":"u500"`) {
		t.Errorf("group499 should hold user499, which is u500: %s", rec.Body)
	}
}

func BenchmarkBulk1000(b *testing.B) {
	body := bulkBody(1000)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		b.StopTimer()
		srv := newTestServer(b, scim.Config{BulkMaxPayload: 1 << 22})
		b.StartTimer()
		if rec := serveRequest(srv, "POST", "/Bulk", "", body); rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}
