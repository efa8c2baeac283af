package resource_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

func TestDedupe(t *testing.T) {
	users := schema.UserResourceType()
	emails := users.Schema.Attribute("emails")
	tags := &schema.Attribute{Name: "tags", MultiValued: true}
	codes := &schema.Attribute{Name: "codes", MultiValued: true, CaseExact: true}
	tests := []struct {
		name string
		a    *schema.Attribute
		in   []any
		want []any
	}{
		{"an email sent twice, in another case", emails,
			[]any{map[string]any{"value": "a@example.com", "type": "work"}, map[string]any{"value": "A@Example.COM", "type": "Work", "primary": true}},
			[]any{map[string]any{"value": "a@example.com", "type": "work"}}},
		{"the same address of two types, and without a type", emails,
			[]any{map[string]any{"value": "a@example.com", "type": "work"}, map[string]any{"value": "a@example.com", "type": "home"}, map[string]any{"value": "a@example.com"}, map[string]any{"value": "a@example.com", "display": "A"}},
			[]any{map[string]any{"value": "a@example.com", "type": "work"}, map[string]any{"value": "a@example.com", "type": "home"}, map[string]any{"value": "a@example.com"}}},
		{"strings under Unicode folding", tags, []any{"Ä", "ä", "\u212A", "k", "ß", "ss"}, []any{"Ä", "\u212A", "ß", "ss"}},
		{"caseExact strings", codes, []any{"A", "a", "A"}, []any{"A", "a"}},
		{"nothing repeats", tags, []any{"x", "y"}, []any{"x", "y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, resource.Dedupe(tt.a, tt.in)); diff != "" {
				t.Errorf("Dedupe (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeDropsRepeatedValues(t *testing.T) {
	r, err := resource.Decode(schema.UserResourceType(), []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"b",
		"emails":[{"value":"b@example.com","type":"work","primary":true},{"value":"B@EXAMPLE.COM","type":"work","primary":true}]}`), resource.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []any{map[string]any{"value": "b@example.com", "type": "work", "primary": true}}
	if diff := cmp.Diff(want, r.Attributes["emails"]); diff != "" {
		t.Errorf("emails (-want +got):\n%s", diff)
	}
}
