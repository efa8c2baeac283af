package resource

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/scim-go/scim/internal/fold"
	"github.com/scim-go/scim/schema"
)

// ValueSet finds, among the values of a multi-valued attribute, the first
// that is the same as a given value (see SameValue), in constant time:
// adding, removing and de-duplicating n values then costs O(n), not O(n²)
// comparisons. Values are hashed by a key that equal values share; complex
// values with a "value" sub-attribute, which SameValue tells apart by
// value and type only, are found by their value's key and then by type.
// A ValueSet is not safe for concurrent use.
type ValueSet struct {
	// small holds the values while there are few, found by comparing
	// each, which costs less than hashing them.
	small []indexed
	big   bool

	a       *schema.Attribute
	elem    *schema.Attribute // a as single-valued, for resource.Equal
	vs, ts  *schema.Attribute // a's "value" and "type" sub-attributes, if complex
	byValue map[string]*valueBucket
	byKey   map[string][]indexed
	scratch []byte
}

// indexed is a value and its index.
type indexed struct {
	i int
	v any
}

// valueBucket indexes the values that share one "value".
type valueBucket struct {
	first   int            // the first of them
	untyped int            // the first without a type, or -1
	typed   map[string]int // type key -> the first with that type
}

// NewValueSet returns an empty set of values of the multi-valued attribute
// a.
func NewValueSet(a *schema.Attribute) *ValueSet {
	elem := *a
	elem.MultiValued = false
	s := &ValueSet{a: a, elem: &elem}
	if a.Type == schema.Complex {
		s.vs, s.ts = a.SubAttribute("value"), a.SubAttribute("type")
	}
	return s
}

// valueOf returns the "value" of v when same compares v by it.
func (s *ValueSet) valueOf(v any) (map[string]any, any, bool) {
	if s.vs == nil {
		return nil, nil, false
	}
	m, ok := v.(map[string]any)
	if !ok || m["value"] == nil {
		return nil, nil, false
	}
	return m, m["value"], true
}

// smallSet is the number of values up to which a ValueSet compares each.
const smallSet = 8

// Add records v as the value at index i, after those recorded before.
func (s *ValueSet) Add(v any, i int) {
	if !s.big {
		if len(s.small) < smallSet {
			s.small = append(s.small, indexed{i, v})
			return
		}
		s.big = true
		for _, e := range s.small {
			s.add(e.v, e.i)
		}
		s.small = nil
	}
	s.add(v, i)
}

func (s *ValueSet) add(v any, i int) {
	if m, val, ok := s.valueOf(v); ok {
		if s.byValue == nil {
			s.byValue = make(map[string]*valueBucket)
		}
		k := s.key(s.vs, val)
		b := s.byValue[k]
		if b == nil {
			b = &valueBucket{first: i, untyped: -1}
			s.byValue[k] = b
		}
		if t := m["type"]; t == nil || s.ts == nil {
			if b.untyped < 0 {
				b.untyped = i
			}
		} else {
			if b.typed == nil {
				b.typed = make(map[string]int)
			}
			tk := s.key(s.ts, t)
			if _, ok := b.typed[tk]; !ok {
				b.typed[tk] = i
			}
		}
		return
	}
	if s.byKey == nil {
		s.byKey = make(map[string][]indexed)
	}
	k := s.key(s.elem, v)
	s.byKey[k] = append(s.byKey[k], indexed{i, v})
}

// Find returns the index of the first recorded value that is the same as
// v, or -1.
func (s *ValueSet) Find(v any) int {
	if !s.big {
		for _, e := range s.small {
			if same(s.a, s.elem, e.v, v) {
				return e.i
			}
		}
		return -1
	}
	if m, val, ok := s.valueOf(v); ok {
		b := s.byValue[s.key(s.vs, val)]
		if b == nil {
			return -1
		}
		t := m["type"]
		if t == nil || s.ts == nil {
			return b.first
		}
		found := b.untyped
		if i, ok := b.typed[s.key(s.ts, t)]; ok && (found < 0 || i < found) {
			found = i
		}
		return found
	}
	for _, e := range s.byKey[s.key(s.elem, v)] {
		// Equal values have equal keys; check that equal keys come from
		// equal values, as all but the rarest do.
		if same(s.a, s.elem, e.v, v) {
			return e.i
		}
	}
	return -1
}

// key returns a string that is the same for values that Equal
// reports equal as values of a: strings case-folded unless a is
// caseExact, numbers by their value whatever their Go type, dateTimes by
// their instant, complex values by their sub-attributes in name order.
func (s *ValueSet) key(a *schema.Attribute, v any) string {
	s.scratch = appendKey(s.scratch[:0], a, v)
	return string(s.scratch)
}

func appendKey(b []byte, a *schema.Attribute, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, 'z')
	case string:
		b = append(b, 's')
		if a == nil || !a.CaseExact {
			v = fold.String(v)
		}
		b = strconv.AppendInt(b, int64(len(v)), 10)
		b = append(b, ':')
		return append(b, v...)
	case bool:
		if v {
			return append(b, "bt"...)
		}
		return append(b, "bf"...)
	case time.Time:
		b = append(b, 't')
		return v.UTC().AppendFormat(b, time.RFC3339Nano)
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for _, k := range keys {
			var sa *schema.Attribute
			if a != nil {
				sa = a.SubAttribute(k)
			}
			b = strconv.AppendInt(b, int64(len(k)), 10)
			b = append(b, ':')
			b = append(b, k...)
			b = appendKey(b, sa, v[k])
		}
		return append(b, '}')
	case []any:
		var elem *schema.Attribute
		if a != nil {
			e := *a
			e.MultiValued = false
			elem = &e
		}
		b = append(b, '[')
		for _, e := range v {
			b = appendKey(b, elem, e)
		}
		return append(b, ']')
	}
	if i, ok := Int64(v); ok {
		return strconv.AppendInt(append(b, 'n'), i, 10)
	}
	if f, ok := Float64(v); ok {
		if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return strconv.AppendInt(append(b, 'n'), int64(f), 10)
		}
		return strconv.AppendFloat(append(b, 'n'), f, 'g', -1, 64)
	}
	return append(b, '?') // compared by same alone
}

// SameValue reports whether x and y are the same value of the multi-valued
// attribute a (RFC 7643 §2.4): complex values that have a "value"
// sub-attribute are the same when their values are equal and so are their
// types, a value without a type being the same as one of any type; other
// values when Equal reports them equal.
func SameValue(a *schema.Attribute, x, y any) bool {
	elem := *a
	elem.MultiValued = false
	return same(a, &elem, x, y)
}

// same is SameValue with a's single-valued form elem made once.
func same(a, elem *schema.Attribute, x, y any) bool {
	mx, okx := x.(map[string]any)
	my, oky := y.(map[string]any)
	if okx && oky && a.Type == schema.Complex {
		if vs := a.SubAttribute("value"); vs != nil && mx["value"] != nil && my["value"] != nil {
			if !Equal(vs, mx["value"], my["value"]) {
				return false
			}
			ts := a.SubAttribute("type")
			return ts == nil || mx["type"] == nil || my["type"] == nil || Equal(ts, mx["type"], my["type"])
		}
	}
	return Equal(elem, x, y)
}

// KeepPrimary leaves at most one value of elems, the values of the
// multi-valued attribute a, with "primary" set to true, as RFC 7643 §2.4
// asks when a value is made primary: when any of the values at the
// positions touched is primary, it removes "primary" from every other
// value, replacing each value it changes with a copy, so that the last
// touched primary value is the only one. It returns how many touched
// values are primary, and leaves elems alone when a has no "primary"
// sub-attribute.
func KeepPrimary(a *schema.Attribute, elems []any, touched []int) int {
	ps := a.SubAttribute("primary")
	if a.Type != schema.Complex || ps == nil {
		return 0
	}
	keep, n := -1, 0
	for _, i := range touched {
		if m, _ := elems[i].(map[string]any); m[ps.Name] == true {
			keep, n = i, n+1
		}
	}
	if keep < 0 {
		return 0
	}
	for i, e := range elems {
		if m, ok := e.(map[string]any); ok && i != keep && m[ps.Name] == true {
			m = maps.Clone(m) // the value may be another resource's too
			delete(m, ps.Name)
			elems[i] = m
		}
	}
	return n
}

// twoPrimaries reports whether more than one of vals is a complex value
// with "primary" set to true.
func twoPrimaries(vals []any) bool {
	primary := false
	for _, v := range vals {
		if m, ok := v.(map[string]any); ok && m["primary"] == true {
			if primary {
				return true
			}
			primary = true
		}
	}
	return false
}

// Dedupe returns vals, values of the multi-valued attribute a, without the
// values that repeat one before them (RFC 7643 §2.4): complex values with a
// "value" sub-attribute repeat one with an equal value and an equal type
// (or no type, as it has none); other values one that Equal reports equal.
// Unlike SameValue, a value without a type does not repeat one with a
// type. It takes time linear in the number of values, and returns vals
// itself when none repeats.
func Dedupe(a *schema.Attribute, vals []any) []any {
	if len(vals) < 2 {
		return vals
	}
	s := NewValueSet(a)
	if len(vals) <= smallSet {
		return s.dedupeSmall(vals)
	}
	return s.dedupeHashed(vals)
}

// dedupeHashed is Dedupe for many values, found by their keys.
func (s *ValueSet) dedupeHashed(vals []any) []any {
	seen := make(map[string][]any, len(vals))
	var out []any
	for i, v := range vals {
		var k string
		if m, val, ok := s.valueOf(v); ok {
			k = s.key(s.vs, val) + "\x00" + s.key(s.ts, m["type"])
		} else {
			k = s.key(s.elem, v)
		}
		dup := false
		for _, w := range seen[k] {
			if s.repeats(w, v) {
				dup = true
				break
			}
		}
		if !dup {
			seen[k] = append(seen[k], v)
			if out != nil {
				out = append(out, v)
			}
			continue
		}
		if out == nil {
			out = append(make([]any, 0, len(vals)-1), vals[:i]...)
		}
	}
	if out == nil {
		return vals
	}
	return out
}

// dedupeSmall is Dedupe for a few values, compared pairwise.
func (s *ValueSet) dedupeSmall(vals []any) []any {
	var out []any
	for i, v := range vals {
		kept := vals[:i]
		if out != nil {
			kept = out
		}
		if !slices.ContainsFunc(kept, func(w any) bool { return s.repeats(w, v) }) {
			if out != nil {
				out = append(out, v)
			}
			continue
		}
		if out == nil {
			out = append(make([]any, 0, len(vals)-1), vals[:i]...)
		}
	}
	if out == nil {
		return vals
	}
	return out
}

// repeats reports whether v repeats w, as Dedupe compares them.
func (s *ValueSet) repeats(w, v any) bool {
	mw, _, okw := s.valueOf(w)
	mv, _, okv := s.valueOf(v)
	if okw && okv {
		tw, tv := mw["type"], mv["type"]
		if !Equal(s.vs, mw["value"], mv["value"]) || (tw == nil) != (tv == nil) {
			return false
		}
		return tw == nil || s.ts == nil || Equal(s.ts, tw, tv)
	}
	return okw == okv && Equal(s.elem, w, v)
}
