package resource

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/schema"
)

// TestDedupeSmallAgreesWithHashed checks the pairwise path Dedupe takes for
// a few values against the hashed one it takes for many, and the same for
// ValueSet.Find before and after it starts hashing.
func TestDedupeSmallAgreesWithHashed(t *testing.T) {
	users := schema.UserResourceType()
	attrs := []*schema.Attribute{
		users.Schema.Attribute("emails"),
		users.Schema.Attribute("addresses"), // no "value"
		{Name: "tags", Type: schema.String, MultiValued: true},
		{Name: "codes", Type: schema.String, MultiValued: true, CaseExact: true},
		{Name: "counts", Type: schema.Integer, MultiValued: true},
	}
	texts := []string{"a", "A", "ä", "Ä", "ß", "ss", "\u212a", "k", "x"}
	rng := rand.New(rand.NewPCG(3, 4))
	value := func(a *schema.Attribute) any {
		switch a.Type {
		case schema.Integer:
			return int64(rng.IntN(3))
		case schema.Complex:
			m := map[string]any{}
			for _, s := range a.SubAttributes {
				if s.Type == schema.String && rng.IntN(2) == 0 {
					m[s.Name] = texts[rng.IntN(len(texts))]
				}
			}
			return m
		}
		return texts[rng.IntN(len(texts))]
	}
	for _, a := range attrs {
		for round := range 500 {
			var vals []any
			for range rng.IntN(smallSet + 1) {
				vals = append(vals, value(a))
			}
			name := fmt.Sprintf("%s round %d", a.Name, round)
			small := NewValueSet(a).dedupeSmall(vals)
			hashed := NewValueSet(a).dedupeHashed(vals)
			if diff := cmp.Diff(hashed, small); diff != "" {
				t.Fatalf("%s: Dedupe of %v (-hashed +pairwise):\n%s", name, vals, diff)
			}
			few, many := NewValueSet(a), NewValueSet(a)
			many.big = true
			for i, v := range vals {
				few.Add(v, i)
				many.Add(v, i)
			}
			probe := value(a)
			if f, m := few.Find(probe), many.Find(probe); f != m {
				t.Fatalf("%s: Find(%v) in %v: %d pairwise, %d hashed", name, probe, vals, f, m)
			}
		}
	}
}

// TestDecodeKeepsNoPieceOfTheBody checks that every name in a decoded
// resource is the schema's own string, not a piece of the request body
// that would keep all of it alive as long as the resource, for the
// built-in schemas and for one loaded from JSON, whatever the spelling.
func TestDecodeKeepsNoPieceOfTheBody(t *testing.T) {
	custom, err := schema.ParseSchemas([]byte(`[{"id":"urn:example:2.0:Thing","name":"Thing","attributes":[
		{"name":"label","type":"string"},
		{"name":"parts","type":"complex","multiValued":true,"subAttributes":[{"name":"value","type":"string"},{"name":"kind","type":"string"}]}]}]`))
	if err != nil {
		t.Fatal(err)
	}
	things := &schema.ResourceType{Name: "Thing", Endpoint: "/Things", Schema: custom[0]}
	for _, tc := range []struct {
		rt   *schema.ResourceType
		body string
	}{
		{schema.UserResourceType(), `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
			"userName":"b","NAME":{"givenName":"B","FamilyName":"J"},"emails":[{"value":"b@example.com","TYPE":"work"}],
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m"},"Department":"d"}}`},
		{things, `{"schemas":["urn:example:2.0:Thing"],"label":"x","parts":[{"value":"v","KIND":"k"},{"value":"w","kind":"k"}]}`},
	} {
		r, err := Decode(tc.rt, []byte(tc.body), DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var check func(attrs []*schema.Attribute, m map[string]any)
		check = func(attrs []*schema.Attribute, m map[string]any) {
			for k, v := range m {
				var a *schema.Attribute
				for _, c := range attrs {
					if c.Name == k {
						a = c
					}
				}
				if a == nil {
					if e := tc.rt.Extension(k); e != nil {
						check(e.Attributes, v.(map[string]any))
						continue
					}
					t.Fatalf("%s: %q is no attribute", tc.rt.Name, k)
				}
				if unsafe.StringData(k) != unsafe.StringData(a.Name) {
					t.Errorf("%s: the name %q is not the schema's string", tc.rt.Name, k)
				}
				for _, e := range elems(v) {
					if sub, ok := e.(map[string]any); ok {
						check(a.SubAttributes, sub)
					}
				}
			}
		}
		check(tc.rt.Schema.Attributes, r.Attributes)
	}
}

func elems(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}
