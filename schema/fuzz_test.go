package schema

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseSchemas checks that ParseSchemas never panics and that a schema
// it accepts and that validates survives a round trip through JSON.
func FuzzParseSchemas(f *testing.F) {
	f.Add(rfc7643JSON)
	f.Add([]byte(`{"Resources": [{"id": "urn:x", "attributes": [{"name": "a", "type": "COMPLEX", "subAttributes": [{"name": "$ref", "type": "reference", "referenceTypes": ["User"]}]}]}]}`))
	f.Add([]byte(`{"id": "urn:x", "attributes": [{"name": "n", "canonicalValues": [], "mutability": "writeonly"}]}`))
	f.Add([]byte(`[null]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		schemas, err := ParseSchemas(data)
		if err != nil {
			return
		}
		for _, s := range schemas {
			if s.Validate() != nil {
				continue
			}
			b, err := json.Marshal(s)
			if err != nil {
				t.Fatalf("marshalling a valid schema: %v", err)
			}
			again, err := ParseSchemas(b)
			if err != nil {
				t.Fatalf("parsing %s: %v", b, err)
			}
			if diff := cmp.Diff([]*Schema{s}, again); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
		}
	})
}
