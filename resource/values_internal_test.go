package resource

import (
	"fmt"
	"math/rand/v2"
	"testing"

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
