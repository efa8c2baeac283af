package resource

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/scim-go/scim/schema"
)

// Accessor reads and sets the values of resources of one resource type by
// attribute path, checked against the type's schemas, so that a host need
// not index Resource.Attributes by hand: a misspelt path is an error rather
// than a value silently lost, and a value of the wrong Go type is refused
// rather than stored.
//
// A path is one that ResolvePath resolves: "userName", "name.familyName",
// an extension's attribute qualified by its schema URN or, when no other
// schema has one of that name, unqualified ("manager"), the common
// attributes id, externalId and meta, or an extension's URN alone for all
// its attributes. It may also be a value path (RFC 7644 §3.5.2), which
// selects values of a multi-valued complex attribute, optionally followed by
// a sub-attribute:
//
//	emails[type eq "work"].value
//	members[value eq "2819c223"]
//
// The filter between the brackets is one or more eq comparisons of
// sub-attributes joined by "and", with values written as in a filter (RFC
// 7644 §3.4.2.2). Names, "eq" and "and" match case-insensitively, and
// strings compare case-insensitively unless the sub-attribute is caseExact.
// These are the filters a value can be made from, so what Set stores Get
// finds; to select values by any other filter, resolve it with
// filter.ResolveValueFilter.
//
// An Accessor is bound to a resource type, as a Projection is, rather than
// being methods of Resource that take one: a store keeps one per type it
// serves, and a Resource with a String method would read as a fmt.Stringer.
// An Accessor is immutable and safe for concurrent use; the resources it
// reads and changes are not. A nil *Resource has no values, and Set
// refuses it.
type Accessor struct {
	rt *schema.ResourceType
}

// NewAccessor returns an Accessor for resources of type rt. rt must not be
// changed afterwards; with a nil rt, every method returns a *PathError.
func NewAccessor(rt *schema.ResourceType) *Accessor {
	return &Accessor{rt: rt}
}

// PathError reports a path an Accessor cannot resolve against its resource
// type, or a value that does not fit the attribute at the path. It is the
// caller's mistake, not a client's: the server answers a handler error
// that wraps one as it answers any other, with 500.
type PathError struct {
	Op   string // "get" or "set"
	Path string // the path as given
	Msg  string // what is wrong, such as "no such attribute in resource type User"
}

// Error returns the operation, the path and the message.
func (e *PathError) Error() string {
	return "resource: " + e.Op + " " + quote(e.Path) + ": " + e.Msg
}

// Get returns the value at path in r, or nil when r has none. Values have
// the Go types of the package documentation, as r holds them: a map or
// slice Get returns may be r's own, and must not be changed (use Set).
//
// The value of a multi-valued attribute is the list r holds. A path that
// goes through one, to a sub-attribute of each of its values
// ("emails.value") or to the values a value path selects, yields a []any
// of what it finds, in order, or nil when it finds nothing.
//
// id, externalId and meta yield r.ID, r.ExternalID and the fields of
// r.Meta, where "" and the zero time are no value; meta.version is the
// entity tag the JSON carries (see ETag), as a filter compares it.
func (a *Accessor) Get(r *Resource, path string) (any, error) {
	t, err := a.resolve("get", path)
	if err != nil {
		return nil, err
	}
	return t.get(r), nil
}

// String returns the value at path in r, which must name an attribute of
// type string, reference or binary (as its base64 text), and whether r has
// one. Where the path selects several values, as emails[type eq "work"].value
// may, String returns the first.
func (a *Accessor) String(r *Resource, path string) (string, bool, error) {
	v, t, err := a.first(r, path, "string", schema.String, schema.Reference, schema.Binary)
	if v == nil || err != nil {
		return "", false, err
	}
	s, ok := v.(string)
	if !ok {
		return "", false, t.holds(v, "a string")
	}
	return s, true, nil
}

// Strings returns every value at path in r, which must name an attribute
// of type string, reference or binary: the values of a multi-valued
// attribute, or of a sub-attribute across the values a path selects
// ("emails.value"), or the single value of any other. It returns nil when r
// has none.
func (a *Accessor) Strings(r *Resource, path string) ([]string, error) {
	t, err := a.resolve("get", path)
	if err != nil {
		return nil, err
	}
	if err := t.leafIs("string", schema.String, schema.Reference, schema.Binary); err != nil {
		return nil, err
	}
	var out []string
	for _, v := range values(t.get(r)) {
		if v == nil {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return nil, t.holds(v, "a string")
		}
		out = append(out, s)
	}
	return out, nil
}

// Bool returns the value at path in r, which must name a boolean
// attribute, and whether r has one; the first, as String does, where the
// path selects several.
func (a *Accessor) Bool(r *Resource, path string) (bool, bool, error) {
	v, t, err := a.first(r, path, "boolean", schema.Boolean)
	if v == nil || err != nil {
		return false, false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, false, t.holds(v, "a bool")
	}
	return b, true, nil
}

// Int returns the value at path in r, which must name an integer
// attribute, and whether r has one; the first, as String does, where the
// path selects several. A value r holds as another Go integer type than
// int64 is converted.
func (a *Accessor) Int(r *Resource, path string) (int64, bool, error) {
	v, t, err := a.first(r, path, "integer", schema.Integer)
	if v == nil || err != nil {
		return 0, false, err
	}
	n, ok := Int64(v)
	if !ok {
		return 0, false, t.holds(v, "an integer")
	}
	return n, true, nil
}

// Float returns the value at path in r, which must name a decimal
// attribute, and whether r has one; the first, as String does, where the
// path selects several. A value r holds as another Go number type than
// float64 is converted.
func (a *Accessor) Float(r *Resource, path string) (float64, bool, error) {
	v, t, err := a.first(r, path, "decimal", schema.Decimal)
	if v == nil || err != nil {
		return 0, false, err
	}
	f, ok := Float64(v)
	if !ok {
		return 0, false, t.holds(v, "a number")
	}
	return f, true, nil
}

// Time returns the value at path in r, which must name a dateTime
// attribute, and whether r has one; the first, as String does, where the
// path selects several. A value r holds as a string, as a host may, is
// parsed as RFC 3339 text.
func (a *Accessor) Time(r *Resource, path string) (time.Time, bool, error) {
	v, t, err := a.first(r, path, "dateTime", schema.DateTime)
	if v == nil || err != nil {
		return time.Time{}, false, err
	}
	switch v := v.(type) {
	case time.Time:
		return v, true, nil
	case string:
		if tm, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return tm, true, nil
		}
	}
	return time.Time{}, false, t.holds(v, "a time.Time")
}

// Set sets the value at path in r to v, or unassigns it when v is nil
// (RFC 7643 §2.5). v must have the Go type of the attribute's values:
//
//	string, reference, binary   string (binary as its base64 text)
//	boolean                      bool
//	integer                      int, int64 or another Go integer type; stored as int64
//	decimal                      float64 or another Go number type; stored as float64
//	dateTime                     time.Time
//	complex                      map[string]any, keyed by sub-attribute name
//	multi-valued                 a slice of the above, such as []string or
//	                             []map[string]any; stored as []any
//
// Set stores a value as Decode would: sub-attribute names in their
// canonical spelling, nil values and empty maps and slices left out, and a
// value that repeats one before it in a list dropped (see Dedupe). It
// refuses a string holding U+0000, binary that is not base64, a decimal
// that is not finite, and a list with more than one "primary" value. It
// replaces the value at path whole: the sub-attributes of a complex value
// that v does not give are gone. A sub-attribute of a single-valued complex
// attribute, such as name.familyName, is set alone.
//
// A value path sets what it selects. Without a sub-attribute, v (a map)
// replaces each value the filter matches; with one, as in
// emails[type eq "work"].value, v becomes that sub-attribute of each. Nil
// removes the matching values, or their sub-attribute. When no value
// matches, Set appends one made of the filter's eq values and v, as an
// identity provider's PATCH creates one (see package patch). A value it
// makes "primary" takes the flag from the others (RFC 7643 §2.4). Set
// refuses a v that would make the values it sets no longer match the
// filter, such as "home" for emails[type eq "work"].type, so that Get of a
// path always finds what Set stored there. A sub-attribute of a
// multi-valued attribute without a value path, as emails.value, is refused:
// it does not say which values to change.
//
// The caller of Set is the service provider, which RFC 7643 §7 lets set
// read-only attributes, such as a User's groups, and immutable ones; Set
// checks neither characteristic, which binds clients, and Decode, Merge and
// package patch apply to requests. It refuses id and meta, which r holds in
// its fields ID and Meta: set those. externalId sets r.ExternalID, "" being
// none.
//
// Set changes r.Attributes, but none of the maps or slices in it: it
// replaces those on the way to the value it sets, so that a resource that
// shares them with r, as one from patch.ApplyCopy does, is left as it was.
// When Set returns an error, r is unchanged.
func (a *Accessor) Set(r *Resource, path string, v any) error {
	t, err := a.resolve("set", path)
	if err != nil {
		return err
	}
	if r == nil {
		return t.fail("nil resource")
	}
	if t.attr == nil {
		return t.setExtension(r, a.rt.Extension(t.ext), v)
	}
	if t.ext == "" {
		switch t.attr {
		case idAttr:
			return t.fail("id is read-only: set the Resource's ID")
		case metaAttr:
			return t.fail("meta is read-only: set the Resource's Meta")
		case externalIDAtt:
			s, err := t.element(t.attr, v, t.attr.Name)
			if err != nil {
				return err
			}
			r.ExternalID, _ = s.(string)
			return nil
		}
	}
	var next any
	switch {
	case t.terms != nil:
		next, err = t.setFiltered(r, v)
	case t.sub == nil:
		next, err = t.value(t.attr, v, t.attr.Name)
	case t.attr.MultiValued:
		n, s := t.attr.Name, t.sub.Name
		return t.fail("select the values of " + n + " with a value filter, as " + n + `[type eq "work"].` + s)
	default:
		next, err = t.setSub(r, v)
	}
	if err != nil {
		return err
	}
	t.put(r, next)
	return nil
}

// target is a path resolved against a resource type.
type target struct {
	op, path string
	ext      string            // the URN of the extension that holds attr, or ""
	attr     *schema.Attribute // the top-level attribute; nil for an extension's URN alone
	sub      *schema.Attribute // the sub-attribute after a dot or a value filter, or nil
	terms    []term            // the value filter's comparisons; nil without one
}

// term is one comparison of a value filter: sub eq v, with v of sub's
// type.
type term struct {
	sub *schema.Attribute
	v   any
}

func (t *target) fail(msg string) error {
	return &PathError{Op: t.op, Path: t.path, Msg: msg}
}

// name returns the canonical path of the attribute t ends at, without its
// schema URN or value filter, for messages.
func (t *target) name() string {
	if t.sub != nil {
		return t.attr.Name + "." + t.sub.Name
	}
	return t.attr.Name
}

// holds reports a value of the wrong Go type that r holds at t.
func (t *target) holds(v any, want string) error {
	return t.fail(t.name() + " holds " + typeName(v) + ", not " + want)
}

// leafIs checks that t ends at an attribute of one of types, which want
// names.
func (t *target) leafIs(want string, types ...schema.Type) error {
	if t.attr == nil {
		return t.fail("an extension's URN names its attributes, not one of type " + want)
	}
	leaf := t.attr
	if t.sub != nil {
		leaf = t.sub
	}
	if !slices.Contains(types, leaf.Type) {
		return t.fail(t.name() + " is of type " + leaf.Type.String() + ", not " + want)
	}
	return nil
}

// many reports whether t can select more than one value.
func (t *target) many() bool {
	return t.attr != nil && (t.attr.MultiValued || t.sub != nil && t.sub.MultiValued)
}

// first resolves path, checks that it ends at an attribute of one of
// types, and returns the first value it selects in r, or nil.
func (a *Accessor) first(r *Resource, path, want string, types ...schema.Type) (any, target, error) {
	t, err := a.resolve("get", path)
	if err != nil {
		return nil, t, err
	}
	if err := t.leafIs(want, types...); err != nil {
		return nil, t, err
	}
	v := t.get(r)
	if !t.many() {
		return v, t, nil
	}
	for _, e := range values(v) {
		if e != nil {
			return e, t, nil
		}
	}
	return nil, t, nil
}

func (t *target) get(r *Resource) any {
	if r == nil {
		return nil
	}
	if t.attr == nil {
		if m, _ := r.Attributes[t.ext].(map[string]any); len(m) > 0 {
			return m
		}
		return nil
	}
	if t.ext == "" && (t.attr == idAttr || t.attr == externalIDAtt || t.attr == metaAttr) {
		sub := ""
		if t.sub != nil {
			sub = t.sub.Name
		}
		return r.CommonValue(t.attr.Name, sub)
	}
	v := t.current(r)
	switch {
	case v == nil:
		return nil
	case !t.attr.MultiValued && t.sub == nil:
		return v
	case !t.attr.MultiValued:
		m, _ := v.(map[string]any)
		return m[t.sub.Name]
	case t.sub == nil && t.terms == nil:
		return v
	}
	var out []any
	for _, e := range values(v) {
		m, ok := e.(map[string]any)
		if !ok || !t.match(m) {
			continue
		}
		if t.sub == nil {
			out = append(out, m)
			continue
		}
		for _, sv := range values(m[t.sub.Name]) {
			if sv != nil {
				out = append(out, sv)
			}
		}
	}
	if out == nil {
		return nil
	}
	return out
}

// current returns the value r holds for t's top-level attribute.
func (t *target) current(r *Resource) any {
	m := r.Attributes
	if t.ext != "" {
		m, _ = r.Attributes[t.ext].(map[string]any)
	}
	return m[t.attr.Name]
}

// match reports whether m, a value of t's attribute, satisfies t's value
// filter; every value does when there is none.
func (t *target) match(m map[string]any) bool {
	for _, c := range t.terms {
		v := m[c.sub.Name]
		if v == nil || !Equal(c.sub, v, c.v) {
			return false
		}
	}
	return true
}

// put stores v, or unassigns t's top-level attribute when v is nil,
// replacing the map of t's extension rather than changing it.
func (t *target) put(r *Resource, v any) {
	name := t.attr.Name
	if t.ext == "" {
		if v == nil {
			delete(r.Attributes, name)
			return
		}
		if r.Attributes == nil {
			r.Attributes = make(map[string]any)
		}
		r.Attributes[name] = v
		return
	}
	old, _ := r.Attributes[t.ext].(map[string]any)
	m := make(map[string]any, len(old)+1)
	maps.Copy(m, old)
	if v == nil {
		delete(m, name)
	} else {
		m[name] = v
	}
	if len(m) == 0 {
		delete(r.Attributes, t.ext)
		return
	}
	if r.Attributes == nil {
		r.Attributes = make(map[string]any)
	}
	r.Attributes[t.ext] = m
}

// setExtension sets the attributes of extension ext whole.
func (t *target) setExtension(r *Resource, ext *schema.Schema, v any) error {
	if v == nil {
		delete(r.Attributes, t.ext)
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return t.fail("an extension takes a map[string]any of its attributes, not " + typeName(v))
	}
	obj, err := t.object(ext.Attributes, m, ext.ID+":", ext.ID+" has no attribute ")
	if err != nil {
		return err
	}
	if obj == nil {
		delete(r.Attributes, t.ext)
		return nil
	}
	if r.Attributes == nil {
		r.Attributes = make(map[string]any)
	}
	r.Attributes[t.ext] = obj
	return nil
}

// setSub returns the value of t's single-valued complex attribute with
// its sub-attribute set to v.
func (t *target) setSub(r *Resource, v any) (any, error) {
	nv, err := t.value(t.sub, v, t.name())
	if err != nil {
		return nil, err
	}
	old, _ := t.current(r).(map[string]any)
	obj := maps.Clone(old)
	switch {
	case nv != nil && obj == nil:
		obj = map[string]any{t.sub.Name: nv}
	case nv != nil:
		obj[t.sub.Name] = nv
	default:
		delete(obj, t.sub.Name)
	}
	if len(obj) == 0 {
		return nil, nil
	}
	return obj, nil
}

// setFiltered returns the values of t's multi-valued attribute with v set
// on those t's value filter selects.
func (t *target) setFiltered(r *Resource, v any) (any, error) {
	a := t.attr
	var nv any
	var err error
	if t.sub != nil {
		nv, err = t.value(t.sub, v, t.name())
	} else if v != nil {
		// A whole value: v, with the filter's values where v lacks them.
		nv, err = t.element(a, v, a.Name)
		obj, _ := nv.(map[string]any)
		if obj == nil {
			obj = make(map[string]any, len(t.terms))
		}
		for _, c := range t.terms {
			if _, ok := obj[c.sub.Name]; !ok {
				obj[c.sub.Name] = c.v
			}
		}
		nv = obj
	}
	if err != nil {
		return nil, err
	}
	elems := slices.Clone(values(t.current(r)))
	var touched []int
	for i, e := range elems {
		if m, ok := e.(map[string]any); ok && t.match(m) {
			touched = append(touched, i)
		}
	}
	switch {
	case len(touched) == 0 && nv == nil:
		return t.current(r), nil // nothing to remove
	case len(touched) == 0:
		elem := nv
		if t.sub != nil {
			m := make(map[string]any, len(t.terms)+1)
			for _, c := range t.terms {
				m[c.sub.Name] = c.v
			}
			m[t.sub.Name] = nv
			elem = m
		}
		elems = append(elems, elem)
		touched = []int{len(elems) - 1}
	default:
		for _, i := range touched {
			if t.sub == nil {
				elems[i] = nil
				if nv != nil {
					elems[i] = cloneValue(nv)
				}
				continue
			}
			obj := maps.Clone(elems[i].(map[string]any))
			if nv == nil {
				delete(obj, t.sub.Name)
			} else {
				obj[t.sub.Name] = cloneValue(nv)
			}
			elems[i] = nil
			if len(obj) > 0 {
				elems[i] = obj
			}
		}
	}
	if nv != nil {
		for _, i := range touched {
			if m, _ := elems[i].(map[string]any); m == nil || !t.match(m) {
				return nil, t.fail("the value set would not match the value filter, and Get of the path would not find it")
			}
		}
		if KeepPrimary(t.attr, elems, touched) > 1 {
			return nil, t.fail("more than one value of " + t.attr.Name + " would have \"primary\" set to true")
		}
	}
	elems = slices.DeleteFunc(elems, func(e any) bool { return e == nil })
	if len(elems) == 0 {
		return nil, nil
	}
	return elems, nil
}

// value converts v, a value for attribute a at name, to the form a
// resource holds, or returns nil when it is unassigned.
func (t *target) value(a *schema.Attribute, v any, name string) (any, error) {
	if v == nil {
		return nil, nil
	}
	if !a.MultiValued {
		return t.element(a, v, name)
	}
	list, ok := anySlice(v)
	if !ok {
		return nil, t.fail(name + " is multi-valued and takes a slice, not " + typeName(v))
	}
	out := make([]any, 0, len(list))
	for _, e := range list {
		ev, err := t.element(a, e, name)
		if err != nil {
			return nil, err
		}
		if ev != nil {
			out = append(out, ev)
		}
	}
	out = Dedupe(a, out)
	if twoPrimaries(out) {
		return nil, t.fail(name + ": more than one value has \"primary\" set to true")
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// element converts v, one value of attribute a at name, as value does.
func (t *target) element(a *schema.Attribute, v any, name string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch a.Type {
	case schema.Complex:
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		obj, err := t.object(a.SubAttributes, m, name+".", name+" has no sub-attribute ")
		if obj == nil || err != nil {
			return nil, err
		}
		return obj, nil
	case schema.Boolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case schema.Integer:
		if n, ok := Int64(v); ok {
			return n, nil
		}
	case schema.Decimal:
		if f, ok := Float64(v); ok {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, t.fail(fmt.Sprintf("%s takes a finite number, not %v", name, f))
			}
			return f, nil
		}
	case schema.DateTime:
		if tm, ok := v.(time.Time); ok {
			return tm, nil
		}
	default: // string, reference, binary
		if s, ok := v.(string); ok {
			if _, err := Coerce(a, s, false, name); err != nil {
				return nil, t.fail(name + ": " + err.(*Error).Msg)
			}
			return s, nil
		}
	}
	return nil, t.fail(name + " takes " + goType(a) + ", not " + typeName(v))
}

// object converts m, the sub-attributes of a complex value or the
// attributes of an extension, which attrs define, as value does. prefix
// goes before their names in messages, and missing before the quoted name
// of one attrs lacks.
func (t *target) object(attrs []*schema.Attribute, m map[string]any, prefix, missing string) (map[string]any, error) {
	out := make(map[string]any, len(m))
	given := make(map[string]string, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		sa := find(attrs, k)
		if sa == nil {
			return nil, t.fail(missing + quote(k))
		}
		if prev, ok := given[sa.Name]; ok {
			return nil, t.fail(prefix + sa.Name + " is given twice, as " + quote(prev) + " and " + quote(k))
		}
		given[sa.Name] = k
		v, err := t.value(sa, m[k], prefix+sa.Name)
		if err != nil {
			return nil, err
		}
		if v != nil {
			out[sa.Name] = v
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// goType names the Go types Set takes for a value of a, for messages.
func goType(a *schema.Attribute) string {
	switch a.Type {
	case schema.Boolean:
		return "a bool"
	case schema.Integer:
		return "an integer such as int or int64"
	case schema.Decimal:
		return "a number such as float64"
	case schema.DateTime:
		return "a time.Time"
	case schema.Complex:
		return "a map[string]any"
	}
	return "a string"
}

// typeName names v's Go type, for messages, with any for interface{}.
func typeName(v any) string {
	return strings.ReplaceAll(fmt.Sprintf("%T", v), "interface {}", "any")
}

// anySlice returns the elements of v, a slice of one of the Go types of
// values, as a new []any.
func anySlice(v any) ([]any, bool) {
	switch v := v.(type) {
	case []any:
		return slices.Clone(v), true
	case []string:
		return toAny(v), true
	case []map[string]any:
		return toAny(v), true
	case []bool:
		return toAny(v), true
	case []int:
		return toAny(v), true
	case []int64:
		return toAny(v), true
	case []float64:
		return toAny(v), true
	case []time.Time:
		return toAny(v), true
	}
	// A slice of another element type, such as []int32 or []uint; its
	// elements are checked as values of the attribute.
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

func toAny[E any](s []E) []any {
	out := make([]any, len(s))
	for i, e := range s {
		out[i] = e
	}
	return out
}
