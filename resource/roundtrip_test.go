package resource_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestRoundTrip decodes the RFC 7643 §8 examples, marshals and decodes them
// again: the second decode gives the first resource, less the password that
// is never returned, and marshalling it again gives the same bytes.
func TestRoundTrip(t *testing.T) {
	tests := []struct {
		file string
		rt   *schema.ResourceType
	}{
		{"enterprise_user.json", userRT}, // RFC 7643 §8.2 and §8.3
		{"minimal_user.json", userRT},    // RFC 7643 §8.1
		{"group.json", groupRT},          // RFC 7643 §8.4
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			strict := resource.DecodeOptions{Strict: true}
			first, err := resource.Decode(tt.rt, readFile(t, tt.file), strict)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			out := resource.Marshal(tt.rt, first, nil)
			if !json.Valid(out) {
				t.Fatalf("Marshal output is not valid JSON:\n%s", out)
			}
			second, err := resource.Decode(tt.rt, out, strict)
			if err != nil {
				t.Fatalf("Decode of Marshal output: %v\n%s", err, out)
			}
			want := first.Clone()
			delete(want.Attributes, "password") // returned "never"
			if diff := cmp.Diff(want, second); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
			if again := resource.Marshal(tt.rt, second, nil); !bytes.Equal(out, again) {
				t.Errorf("Marshal is not idempotent:\nfirst:  %s\nsecond: %s", out, again)
			}
		})
	}
}

// storedEnterpriseUser returns the RFC 7643 §8.3 user as a store would hold
// it: decoded, with the id, meta and read-only values the server sets.
func storedEnterpriseUser(tb testing.TB) *resource.Resource {
	tb.Helper()
	r, err := resource.Decode(userRT, readFile(tb, "enterprise_user.json"), resource.DecodeOptions{Strict: true})
	if err != nil {
		tb.Fatal(err)
	}
	r.ID = "2819c223-7f76-453a-919d-413861904646"
	r.Meta = resource.Meta{
		ResourceType: "User",
		Created:      created,
		LastModified: lastModified,
		Location:     "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
		Version:      "3694e05e9dff591",
	}
	var groups []any
	for _, g := range [][3]string{
		{"e9e30dba-f08f-4109-8486-d5c6a331660a", "Tour Guides"},
		{"fc348aa8-3835-40eb-a20b-c726e15c55b5", "Employees"},
		{"71ddacd2-a8e7-49b8-a5db-ae50d0a5bfd7", "US Employees"},
	} {
		groups = append(groups, attrs("value", g[0], "$ref", "https://example.com/v2/Groups/"+g[0], "display", g[1]))
	}
	r.Attributes["groups"] = groups
	r.Attributes[entURN].(map[string]any)["manager"].(map[string]any)["displayName"] = "John Smith"
	return r
}

// TestMarshalRFCExample checks that the stored RFC 7643 §8.3 user marshals
// to the JSON of that section, without its password, and to the golden file.
func TestMarshalRFCExample(t *testing.T) {
	out := resource.Marshal(userRT, storedEnterpriseUser(t), nil)

	var want, got map[string]any
	if err := json.Unmarshal(readFile(t, "enterprise_user.json"), &want); err != nil {
		t.Fatal(err)
	}
	delete(want, "password")
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("Marshal output is not valid JSON: %v\n%s", err, out)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Marshal differs from RFC 7643 §8.3 (-want +got):\n%s", diff)
	}

	var indented bytes.Buffer
	if err := json.Indent(&indented, out, "", "  "); err != nil {
		t.Fatal(err)
	}
	indented.WriteByte('\n')
	golden := filepath.Join("testdata", "enterprise_user.golden.json")
	if *update {
		if err := os.WriteFile(golden, indented.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(string(readFile(t, "enterprise_user.golden.json")), indented.String()); diff != "" {
		t.Errorf("Marshal differs from %s (-want +got); run go test -update to accept:\n%s", golden, diff)
	}
}
