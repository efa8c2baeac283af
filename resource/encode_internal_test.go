package resource

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/scim-go/scim/schema"
)

// TestPresentCollect checks that the values present gathers for a map are
// those of the schema's attributes the map holds a non-nil value for, in
// the schema's order, whatever else the map holds and whatever its size.
func TestPresentCollect(t *testing.T) {
	attrs := schema.UserResourceType().Schema.Attributes
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		m := map[string]any{}
		var want []int
		for i, a := range attrs {
			switch rng.IntN(4) {
			case 0:
				m[a.Name] = i
				want = append(want, i)
			case 1:
				if rng.IntN(4) == 0 {
					m[a.Name] = nil
				}
			}
		}
		if rng.IntN(3) == 0 {
			m[schema.EnterpriseUserURN] = map[string]any{} // an extension's object
			m["USERNAME"] = "not the canonical name"
		}
		var s present
		if !s.collect(attrs, m) {
			if len(m) <= sparseMax && 2*len(m) <= len(attrs) {
				t.Fatalf("collect refused a map of %d for %d attributes", len(m), len(attrs))
			}
			continue
		}
		got := s.pos[:s.n]
		if !slices.Equal(got, want) {
			t.Fatalf("positions %v, want %v (map %v)", got, want, m)
		}
		for j, i := range got {
			if s.vals[j] != i {
				t.Fatalf("value at %d is %v, want %d", j, s.vals[j], i)
			}
		}
	}
}
