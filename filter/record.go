package filter

import (
	"bytes"
	"math"
	"slices"
	"sync"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// A Record is a resource laid out for evaluating filters against it many
// times, as a store that keeps resources in memory does on every list
// request. The values a filter may compare are held in a few contiguous
// arrays, found by their schema attribute rather than through a map per
// attribute and per complex value, and strings that compare
// case-insensitively are held folded (see [Fold]), so that a comparison
// is a plain byte comparison. MatchRecord on a Record gives the same
// answer as Match on its resource, in a fraction of the time and, for the
// values it lays out, without allocating.
//
// A Record holds a copy of the values it lays out, and reads the resource
// for the rest (see MatchRecord): a store builds a new one whenever it
// stores a new resource or changes one in place. It is immutable and safe
// for concurrent use.
type Record struct {
	rt    *schema.ResourceType
	r     *resource.Resource
	text  string // the strings of vals, one after another
	attrs []recordAttr
	vals  []recordValue
	other []any // the values of vals that are not strings
}

// recordAttr is one top-level attribute of a Record that holds values.
type recordAttr struct {
	attr   *schema.Attribute // the attribute
	urn    string            // its extension's URN, or ""
	lo, hi int32             // its values: vals[lo:hi]
	elems  int32             // for a complex attribute, its number of complex values
}

// recordValue is one value of a simple attribute or of a sub-attribute: a
// string, text[at:at+n], folded when its attribute's type is text and not
// caseExact, or, when n is -1, any other value, other[at].
type recordValue struct {
	sub   *schema.Attribute // the sub-attribute, or nil for the attribute's own value
	elem  int32             // the complex value it belongs to, from 0
	at, n int32
}

// NewRecord lays out r, a resource of type rt, for MatchRecord. A Record
// finds values by the schema attributes of rt, so only filters resolved
// against rt itself, not an equal copy of it, are evaluated on the layout;
// MatchRecord evaluates any other filter with Match.
func NewRecord(rt *schema.ResourceType, r *resource.Resource) *Record {
	b := builderPool.Get().(*recordBuilder)
	b.attributes("", rt.Schema.Attributes, r.Attributes)
	for _, e := range rt.Extensions {
		if m, ok := r.Attributes[e.Schema.ID].(map[string]any); ok {
			b.attributes(e.Schema.ID, e.Schema.Attributes, m)
		}
	}
	// Each part of the record is allocated at its size, once, so that the
	// records of a store that builds them one after another lie in order
	// in memory, as a scan reads them.
	rec := &Record{rt: rt, r: r, text: b.text.String(),
		attrs: slices.Clone(b.attrs), vals: slices.Clone(b.vals), other: slices.Clone(b.other)}
	if b.text.Len() > math.MaxInt32 || len(b.vals) > math.MaxInt32 {
		// Offsets do not fit: a record without a type is matched with Match.
		rec = &Record{r: r}
	}
	if b.text.Cap() <= maxPooledText && cap(b.vals) <= maxPooledValues && cap(b.other) <= maxPooledValues && cap(b.attrs) <= maxPooledValues {
		b.reset()
		builderPool.Put(b)
	}
	return rec
}

// maxPooledText and maxPooledValues bound what a builder keeps for the
// next record.
const (
	maxPooledText   = 64 << 10
	maxPooledValues = 1024
)

// Resource returns the resource the record was built from.
func (rec *Record) Resource() *resource.Resource { return rec.r }

// recordBuilder collects the parts of a Record.
type recordBuilder struct {
	text  bytes.Buffer
	attrs []recordAttr
	vals  []recordValue
	other []any
}

var builderPool = sync.Pool{New: func() any { return new(recordBuilder) }}

func (b *recordBuilder) reset() {
	b.text.Reset()
	clear(b.attrs)
	clear(b.vals)
	clear(b.other)
	b.attrs, b.vals, b.other = b.attrs[:0], b.vals[:0], b.other[:0]
}

func (b *recordBuilder) attributes(urn string, attrs []*schema.Attribute, m map[string]any) {
	for _, a := range attrs {
		v, ok := m[a.Name]
		if !ok || v == nil || hidden(a) {
			continue
		}
		ra := recordAttr{attr: a, urn: urn, lo: int32(len(b.vals))}
		if a.Type == schema.Complex {
			b.complexValues(&ra, v)
		} else {
			b.values(a, nil, 0, v)
		}
		ra.hi = int32(len(b.vals))
		b.attrs = append(b.attrs, ra)
	}
}

// complexValues adds the sub-attribute values of each complex value of v
// that Match considers: v if it is a map, or the maps among its elements.
func (b *recordBuilder) complexValues(ra *recordAttr, v any) {
	switch v := v.(type) {
	case map[string]any:
		b.subValues(ra, v)
	case []any:
		for _, e := range v {
			if m, ok := e.(map[string]any); ok {
				b.subValues(ra, m)
			}
		}
	case []map[string]any:
		for _, m := range v {
			b.subValues(ra, m)
		}
	}
}

func (b *recordBuilder) subValues(ra *recordAttr, m map[string]any) {
	for _, sub := range ra.attr.SubAttributes {
		if v, ok := m[sub.Name]; ok && !hidden(sub) {
			b.values(sub, sub, ra.elems, v)
		}
	}
	ra.elems++
}

// values adds v, or each element of v when it is a list, as eachValue
// visits them. leaf is the attribute whose values they are.
func (b *recordBuilder) values(leaf, sub *schema.Attribute, elem int32, v any) {
	switch v := v.(type) {
	case nil:
	case []any:
		for _, e := range v {
			if e != nil {
				b.value(leaf, sub, elem, e)
			}
		}
	case []string:
		for _, e := range v {
			b.value(leaf, sub, elem, e)
		}
	case []map[string]any:
		for _, e := range v {
			b.value(leaf, sub, elem, e)
		}
	default:
		b.value(leaf, sub, elem, v)
	}
}

func (b *recordBuilder) value(leaf, sub *schema.Attribute, elem int32, v any) {
	rv := recordValue{sub: sub, elem: elem}
	if s, ok := v.(string); ok {
		if folds(leaf) {
			s = Fold(s)
		}
		rv.at, rv.n = int32(b.text.Len()), int32(len(s))
		b.text.WriteString(s)
	} else {
		rv.at, rv.n = int32(len(b.other)), -1
		b.other = append(b.other, v)
	}
	b.vals = append(b.vals, rv)
}

// folds reports whether strings of a compare through Fold.
func folds(a *schema.Attribute) bool { return isText(a.Type) && !a.CaseExact }

// MatchRecord reports whether the resource rec was built from satisfies
// the filter: the same as Match(rec.Resource()), which it calls when rec
// was built with another resource type than f was resolved against, and
// for the attributes a Record does not lay out: id, externalId, meta, and
// complex attributes tested as a whole, as in "name pr".
func (f *Filter) MatchRecord(rec *Record) bool {
	if rec.rt != f.rt {
		return f.Match(rec.r)
	}
	return f.root.matchRecord(rec, nil)
}

// values returns the values of a in rec.
func (rec *Record) values(a *Attribute) (*recordAttr, []recordValue) {
	for i := range rec.attrs {
		if ra := &rec.attrs[i]; ra.attr == a.Attr && ra.urn == a.URN {
			return ra, rec.vals[ra.lo:ra.hi]
		}
	}
	return nil, nil
}

// recordTester tests one value of a Record.
type recordTester interface {
	tester
	// testRecord is test of a string as a Record holds it.
	testRecord(s string) bool
}

// anyRecordValue reports whether t accepts any of the values of sub in vals.
func anyRecordValue(rec *Record, vals []recordValue, sub *schema.Attribute, t recordTester) bool {
	for _, v := range vals {
		if v.sub != sub {
			continue
		}
		if v.n >= 0 {
			if t.testRecord(rec.text[v.at : v.at+v.n]) {
				return true
			}
		} else if t.test(rec.other[v.at]) {
			return true
		}
	}
	return false
}

// recordable reports whether a Record holds the values a test of a
// yields: not those of the common attributes, which live in fields of the
// resource, nor complex values themselves.
func (a *Attribute) recordable() bool {
	return !a.common() && a.Leaf().Type != schema.Complex
}

// The nodes' matchRecord is match on a Record, where elem holds the
// values of the complex value of an enclosing value path.

func (n *andNode) matchRecord(rec *Record, elem []recordValue) bool {
	return n.l.matchRecord(rec, elem) && n.r.matchRecord(rec, elem)
}

func (n *orNode) matchRecord(rec *Record, elem []recordValue) bool {
	return n.l.matchRecord(rec, elem) || n.r.matchRecord(rec, elem)
}

func (n *notNode) matchRecord(rec *Record, elem []recordValue) bool {
	return !n.x.matchRecord(rec, elem)
}

func (noValue) matchRecord(*Record, []recordValue) bool { return false }

func (n *presentNode) matchRecord(rec *Record, elem []recordValue) bool {
	return matchLeaf(rec, elem, n, &n.attr, n.inElem)
}

// A string is present when it is not empty, folded or not.
func (n *presentNode) testRecord(s string) bool { return s != "" }

func (n *compareNode) matchRecord(rec *Record, elem []recordValue) bool {
	return matchLeaf(rec, elem, n, &n.attr, n.inElem)
}

// matchLeaf is matchRecord of n, a test of the values of a.
func matchLeaf(rec *Record, elem []recordValue, n interface {
	node
	recordTester
}, a *Attribute, inElem bool) bool {
	switch {
	case inElem:
		return anyRecordValue(rec, elem, a.Sub, n)
	case !a.recordable():
		return n.match(rec.r, nil)
	}
	_, vals := rec.values(a)
	return anyRecordValue(rec, vals, a.Sub, n)
}

// testRecord compares a string as a Record holds it with the literal: a
// folded string with the folded literal, as testString defines it.
func (n *compareNode) testRecord(s string) bool {
	if !folds(n.attr.Leaf()) {
		return n.testStr(s)
	}
	return compareBytes(n.op, s, n.lit.fold)
}

func (n *valuePathNode) matchRecord(rec *Record, _ []recordValue) bool {
	if n.attr.common() {
		return n.match(rec.r, nil)
	}
	ra, vals := rec.values(&n.attr)
	if ra == nil {
		return false
	}
	// The values of each complex value are contiguous and in order; a
	// complex value without any still counts, as for not (type pr).
	for e := range ra.elems {
		end := 0
		for end < len(vals) && vals[end].elem == e {
			end++
		}
		if n.filter.matchRecord(rec, vals[:end]) {
			return true
		}
		vals = vals[end:]
	}
	return false
}
