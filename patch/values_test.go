package patch

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// naiveAppend and naiveRemove are appendNew and removeValues by pairwise
// comparison, the definition the indexed versions must agree with.
func naiveAppend(a *schema.Attribute, elems, vals []any) ([]any, []int) {
	var touched []int
	for _, v := range vals {
		found := -1
		for i, e := range elems {
			if resource.SameValue(a, e, v) {
				found = i
				break
			}
		}
		if found < 0 {
			elems = append(elems, v)
			found = len(elems) - 1
		}
		touched = append(touched, found)
	}
	return elems, touched
}

func naiveRemove(a *schema.Attribute, elems, vals []any) []any {
	var out []any
	for _, e := range elems {
		keep := true
		for _, v := range vals {
			if resource.SameValue(a, e, v) {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, e)
		}
	}
	return out
}

// randomValue returns a value of a drawn from a small pool, so that equal
// values, values equal but for case, and values equal in value but not in
// type are all common.
func randomValue(rng *rand.Rand, a *schema.Attribute) any {
	texts := []string{"a", "A", "ä", "Ä", "k", "\u212a", "ß", "s", "ſ", "x@example.com", "X@EXAMPLE.COM", "ǅ", "ǆ"}
	text := func() string { return texts[rng.IntN(len(texts))] }
	if a.Type != schema.Complex {
		switch a.Type {
		case schema.Integer:
			return int64(rng.IntN(3))
		case schema.Decimal:
			return []float64{0, 1, 1.5}[rng.IntN(3)]
		case schema.DateTime:
			return time.Date(2026, 1, 1, 0, 0, rng.IntN(3), 0, time.UTC).In(time.FixedZone("", 3600*rng.IntN(2)))
		}
		return text()
	}
	m := make(map[string]any)
	for _, s := range a.SubAttributes {
		if rng.IntN(3) == 0 || s.Mutability == schema.ReadOnly {
			continue
		}
		switch s.Type {
		case schema.Boolean:
			m[s.Name] = rng.IntN(2) == 0
		case schema.String, schema.Reference:
			m[s.Name] = text()
		}
	}
	return m
}

// TestValueSetAgreesWithPairwise checks appendNew and removeValues against
// pairwise comparison, on attributes with and without a "value" and a
// "type", caseExact or not.
func TestValueSetAgreesWithPairwise(t *testing.T) {
	users := schema.UserResourceType()
	attrs := []*schema.Attribute{
		users.Schema.Attribute("emails"),
		users.Schema.Attribute("addresses"), // no "value"
		{Name: "tags", Type: schema.String, MultiValued: true},
		{Name: "codes", Type: schema.String, MultiValued: true, CaseExact: true},
		{Name: "counts", Type: schema.Integer, MultiValued: true},
		{Name: "weights", Type: schema.Decimal, MultiValued: true},
		{Name: "times", Type: schema.DateTime, MultiValued: true},
		schema.GroupResourceType().Schema.Attribute("members"),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, a := range attrs {
		for round := range 300 {
			var elems, vals []any
			for range rng.IntN(12) {
				elems = append(elems, randomValue(rng, a))
			}
			for range rng.IntN(12) {
				vals = append(vals, randomValue(rng, a))
			}
			name := fmt.Sprintf("%s round %d", a.Name, round)
			wantElems, wantTouched := naiveAppend(a, clone(elems).([]any)[:len(elems):len(elems)], vals)
			gotElems, gotTouched := appendNew(a, clone(elems).([]any)[:len(elems):len(elems)], vals)
			if diff := cmp.Diff(wantElems, gotElems, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("%s: appendNew values (-pairwise +indexed):\n%s", name, diff)
			}
			if diff := cmp.Diff(wantTouched, gotTouched, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("%s: appendNew indices (-pairwise +indexed):\n%s", name, diff)
			}
			m := map[string]any{a.Name: clone(elems)}
			removeValues(m, a, vals)
			got, _ := m[a.Name].([]any)
			if diff := cmp.Diff(naiveRemove(a, elems, vals), got, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("%s: removeValues (-pairwise +indexed):\n%s", name, diff)
			}
		}
	}
}
