package patch

import (
	"maps"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/internal/clip"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// Apply applies ops, as Parse returns them, to r in order with the
// semantics of RFC 7644 §3.5.2:
//
//   - add sets a simple value, merges sub-attributes into a complex one,
//     and appends to a multi-valued attribute the values it does not hold
//     yet (values with a "value" sub-attribute are the same when their
//     value and type are);
//   - replace sets a value, merges sub-attributes into a complex one, and
//     replaces a multi-valued attribute whole; a null value unassigns;
//   - remove unassigns the target; with a value filter, the matching values
//     or their sub-attribute;
//   - a value filter that matches nothing creates a value from its eq terms
//     for add and replace, and changes nothing for remove, unless Options
//     turn these off (NoAddByFilter, NoIdempotentRemove), when it is
//     noTarget (see Operation.NoTarget);
//   - immutable attributes can be set when unassigned but not changed or
//     removed (scimType mutability), whether by their own path, a
//     sub-attribute, a value filter, or the removal of their extension;
//   - a value given "primary": true takes the flag from the others.
//
// Apply changes r in place and stops at the first failing operation,
// returning an *Error; use ApplyCopy to keep the original when an
// operation may fail. It does not change ops, which can be applied again,
// as after a lost conditional write. Required attributes are not checked:
// call resource.CheckRequired on the result.
func Apply(rt *schema.ResourceType, r *resource.Resource, ops []Operation) error {
	if r.Attributes == nil {
		r.Attributes = make(map[string]any)
	}
	return (&state{r: r}).run(rt, ops)
}

// ApplyCopy is Apply to a copy of r, which it returns; r is left as it
// was. The copy shares with r every value the operations leave alone, so
// that a patch costs what it changes rather than what r holds, and r may
// be a resource a store keeps and hands out: nothing of r changes.
func ApplyCopy(rt *schema.ResourceType, r *resource.Resource, ops []Operation) (*resource.Resource, error) {
	c := *r
	c.Attributes = make(map[string]any, len(r.Attributes)+1)
	for k, v := range r.Attributes {
		c.Attributes[k] = v
	}
	st := &state{r: &c, cow: true}
	if err := st.run(rt, ops); err != nil {
		return nil, err
	}
	return &c, nil
}

// state is a resource being patched. With cow set, the maps of its
// extensions belong to another resource until copied: owned records
// those copied.
type state struct {
	r     *resource.Resource
	cow   bool
	owned map[string]bool
}

func (st *state) run(rt *schema.ResourceType, ops []Operation) error {
	r := st.r
	for i := range ops {
		o := &ops[i]
		if err := st.apply(rt, o); err != nil {
			name := o.sent
			if name == "" {
				name = string(o.Op)
			}
			return &Error{Index: o.Index, Op: name, Path: o.Path.Text, Type: err.typ, Msg: err.msg}
		}
	}
	for _, e := range rt.Extensions {
		if m, ok := r.Attributes[e.Schema.ID].(map[string]any); ok && len(m) == 0 {
			delete(r.Attributes, e.Schema.ID)
		}
	}
	return nil
}

func (st *state) apply(rt *schema.ResourceType, o *Operation) *opError {
	r := st.r
	p := &o.Path
	switch {
	case p.Extension != "":
		if m, _ := r.Attributes[p.Extension].(map[string]any); m != nil {
			if ext := rt.Extension(p.Extension); ext != nil {
				for _, a := range ext.Attributes {
					if a.Mutability == schema.Immutable && m[a.Name] != nil {
						return immutable(a)
					}
				}
			}
		}
		delete(r.Attributes, p.Extension)
		return nil
	case p.Attr.URN == "" && p.Attr.Attr.Name == "externalId":
		s, _ := o.Value.(string)
		if o.Op == Remove {
			s = ""
		}
		r.ExternalID = s
		return nil
	}
	a := p.Attr.Attr
	if a.Mutability != schema.Immutable {
		return st.applyAttr(o)
	}
	// An immutable attribute can be set while unassigned, but its value
	// cannot change, whichever path reaches it: a sub-attribute, a value
	// filter, or a remove by value.
	value := func() any {
		if m := st.container(p.Attr, false); m != nil {
			return m[a.Name]
		}
		return nil
	}
	before := value()
	if before == nil {
		return st.applyAttr(o)
	}
	before = clone(before)
	if err := st.applyAttr(o); err != nil {
		return err
	}
	if !resource.Equal(a, before, value()) {
		return immutable(a)
	}
	// Equal, but perhaps in another case: keep the value as it was.
	st.container(p.Attr, false)[a.Name] = before
	return nil
}

// applyAttr applies an operation on an attribute of the core schema or an
// extension.
func (st *state) applyAttr(o *Operation) *opError {
	switch {
	case o.Path.Filter != nil && !o.Path.Attr.Attr.MultiValued:
		return st.applySingleFiltered(o)
	case o.Path.Filter != nil:
		return st.applyFiltered(o)
	case o.Path.Attr.Sub != nil:
		return st.applySub(o)
	}
	return st.applyWhole(o)
}

// container returns the map holding attr, for changing: the resource's
// attributes or its extension's, created when create is set.
func (st *state) container(attr filter.Attribute, create bool) map[string]any {
	r := st.r
	if attr.URN == "" {
		return r.Attributes
	}
	m, _ := r.Attributes[attr.URN].(map[string]any)
	switch {
	case m == nil && create:
		m = make(map[string]any)
		r.Attributes[attr.URN] = m
	case m != nil && st.cow && !st.owned[attr.URN]:
		m = maps.Clone(m)
		r.Attributes[attr.URN] = m
	default:
		return m
	}
	if st.cow {
		if st.owned == nil {
			st.owned = make(map[string]bool)
		}
		st.owned[attr.URN] = true
	}
	return m
}

func immutable(a *schema.Attribute) *opError {
	return &opError{"mutability", a.Name + " is immutable: it can be set once but not changed or removed"}
}

// applyWhole applies an operation on a whole attribute: "userName",
// "emails", "name".
func (st *state) applyWhole(o *Operation) *opError {
	a := o.Path.Attr.Attr
	m := st.container(o.Path.Attr, o.Op != Remove)
	if m == nil {
		return nil // removing from an absent extension
	}
	cur, has := m[a.Name]
	has = has && cur != nil
	if o.Op == Remove {
		if o.Value != nil {
			return removeValues(m, a, o.Value.([]any))
		}
		if has && a.Mutability == schema.Immutable {
			return immutable(a)
		}
		delete(m, a.Name)
		return nil
	}
	if o.Value == nil { // replace with null
		if has && a.Mutability == schema.Immutable {
			return immutable(a)
		}
		delete(m, a.Name)
		return nil
	}
	switch {
	case a.MultiValued:
		var next []any
		var touched []int
		// A copy, so that later operations changing the values in r
		// leave o as it is.
		vals, _ := clone(o.Value).([]any)
		if o.Op == Add {
			next, touched = appendNew(a, list(cur), vals)
		} else {
			next = resource.Dedupe(a, vals)
			touched = indices(len(next))
		}
		if has && a.Mutability == schema.Immutable && !resource.Equal(a, cur, next) {
			return immutable(a)
		}
		resource.KeepPrimary(a, next, touched)
		m[a.Name] = next
	case a.Type == schema.Complex:
		obj, _ := cur.(map[string]any)
		merged, err := merge(a, maps.Clone(obj), o.Value.(map[string]any))
		if err != nil {
			return err
		}
		m[a.Name] = merged
	default:
		if has && a.Mutability == schema.Immutable && !resource.Equal(a, cur, o.Value) {
			return immutable(a)
		}
		m[a.Name] = o.Value
	}
	return nil
}

// applySub applies an operation on a sub-attribute of a single-valued
// complex attribute: "name.givenName".
func (st *state) applySub(o *Operation) *opError {
	a, s := o.Path.Attr.Attr, o.Path.Attr.Sub
	if a.MultiValued {
		return &opError{"invalidPath", "select the values of " + a.Name + " with a value filter, as " + a.Name + "[type eq \"work\"]." + s.Name}
	}
	m := st.container(o.Path.Attr, o.Op != Remove)
	if m == nil {
		return nil
	}
	obj, _ := m[a.Name].(map[string]any)
	obj = maps.Clone(obj) // changed below; the value may be another resource's too
	if obj == nil {
		if o.Op == Remove || o.Value == nil {
			return nil
		}
		obj = make(map[string]any)
	}
	if err := setSub(s, obj, o.Op, o.Value); err != nil {
		return err
	}
	if len(obj) == 0 {
		delete(m, a.Name)
	} else {
		m[a.Name] = obj
	}
	return nil
}

// setSub applies op with value v to sub-attribute s of the complex value
// obj.
func setSub(s *schema.Attribute, obj map[string]any, op Op, v any) *opError {
	cur, has := obj[s.Name]
	has = has && cur != nil
	if op == Remove || v == nil {
		if has && s.Mutability == schema.Immutable {
			return immutable(s)
		}
		delete(obj, s.Name)
		return nil
	}
	if s.MultiValued && op == Add {
		v, _ = appendNew(s, list(cur), v.([]any))
	}
	if has && s.Mutability == schema.Immutable && !resource.Equal(s, cur, v) {
		return immutable(s)
	}
	obj[s.Name] = v
	return nil
}

// applyFiltered applies an operation on the values of a multi-valued
// complex attribute that a value filter selects: members[value eq "x"], or
// a sub-attribute of them: emails[type eq "work"].value.
func (st *state) applyFiltered(o *Operation) *opError {
	p := &o.Path
	a := p.Attr.Attr
	creates := o.Op != Remove && o.Value != nil && o.createOnNoMatch
	m := st.container(p.Attr, creates)
	var elems []any
	if m != nil {
		elems = list(m[a.Name])
	}
	var matches []int
	for i, e := range elems {
		if obj, ok := e.(map[string]any); ok && p.Filter.Match(obj) {
			matches = append(matches, i)
		}
	}
	if len(matches) == 0 {
		if (o.Op == Remove || o.Value == nil) && !o.NoTarget() {
			return nil // nothing to remove
		}
		if !creates {
			return &opError{"noTarget", "no value of " + a.Name + " matches " + clip.String(p.Filter.String())}
		}
		elem := p.Filter.Equalities()
		if elem == nil {
			return &opError{"noTarget", "no value of " + a.Name + " matches " + clip.String(p.Filter.String()) + ", and the filter is not eq terms joined by and to create one from"}
		}
		elems = append(elems, elem)
		matches = []int{len(elems) - 1}
	}
	if (o.Op == Remove || o.Op == Replace && o.Value == nil) && p.Sub == nil {
		// A remove, or a replace with null, unassigns the matching values.
		for _, i := range matches {
			elems[i] = nil
		}
		elems = compact(elems)
	} else {
		for _, i := range matches {
			obj := maps.Clone(elems[i].(map[string]any))
			var err *opError
			if p.Sub != nil {
				err = setSub(p.Sub, obj, o.Op, o.Value)
			} else {
				v, _ := o.Value.(map[string]any)
				obj, err = merge(a, obj, v)
			}
			if err != nil {
				return err
			}
			if len(obj) == 0 {
				elems[i] = nil
			} else {
				elems[i] = obj
			}
		}
		if o.Op != Remove {
			resource.KeepPrimary(a, elems, matches)
		}
		elems = compact(elems)
	}
	if m == nil {
		return nil
	}
	if len(elems) == 0 {
		delete(m, a.Name)
	} else {
		m[a.Name] = elems
	}
	return nil
}

// applySingleFiltered applies a remove whose value filter selects a
// single-valued complex attribute, as manager[value eq "26118915"]: the
// value goes if it matches, and nothing changes otherwise.
func (st *state) applySingleFiltered(o *Operation) *opError {
	a := o.Path.Attr.Attr
	m := st.container(o.Path.Attr, false)
	obj, _ := m[a.Name].(map[string]any)
	if obj == nil || !o.Path.Filter.Match(obj) {
		if o.NoTarget() {
			return &opError{"noTarget", a.Name + " does not match " + clip.String(o.Path.Filter.String())}
		}
		return nil
	}
	if a.Mutability == schema.Immutable {
		return immutable(a)
	}
	delete(m, a.Name)
	return nil
}

// merge merges the sub-attributes of v into the complex value obj of a
// (RFC 7644 §3.5.2.1): simple sub-attributes are set, multi-valued ones
// gain the values they lack. It returns the merged value.
func merge(a *schema.Attribute, obj, v map[string]any) (map[string]any, *opError) {
	if obj == nil {
		obj = make(map[string]any, len(v))
	}
	for k, sv := range v {
		s := a.SubAttribute(k)
		if s == nil {
			continue
		}
		if err := setSub(s, obj, Add, sv); err != nil {
			return nil, err
		}
	}
	return obj, nil
}

// removeValues removes from the multi-valued attribute a the values in
// vals, as identity providers remove group members:
// {"op": "remove", "path": "members", "value": [{"value": "2819c223"}]}.
// Values not present are ignored.
func removeValues(m map[string]any, a *schema.Attribute, vals []any) *opError {
	elems := list(m[a.Name])
	gone := resource.NewValueSet(a)
	for i, v := range vals {
		gone.Add(v, i)
	}
	for i, e := range elems {
		if gone.Find(e) >= 0 {
			elems[i] = nil
		}
	}
	if elems = compact(elems); len(elems) == 0 {
		delete(m, a.Name)
	} else {
		m[a.Name] = elems
	}
	return nil
}

// appendNew appends to elems the values of vals it does not hold yet, and
// returns the indices of the values of vals in the result.
func appendNew(a *schema.Attribute, elems, vals []any) ([]any, []int) {
	set := resource.NewValueSet(a)
	for i, e := range elems {
		set.Add(e, i)
	}
	touched := make([]int, 0, len(vals))
	for _, v := range vals {
		found := set.Find(v)
		if found < 0 {
			elems = append(elems, v)
			found = len(elems) - 1
			set.Add(v, found)
		}
		touched = append(touched, found)
	}
	return elems, touched
}

// list returns a multi-valued value as a fresh slice.
func list(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return append([]any(nil), v...)
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
	case []map[string]any:
		out := make([]any, len(v))
		for i, m := range v {
			out[i] = m
		}
		return out
	}
	return []any{v}
}

// clone returns a deep copy of v, a value as a resource holds it.
func clone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		c := make(map[string]any, len(v))
		for k, e := range v {
			c[k] = clone(e)
		}
		return c
	case []any:
		c := make([]any, len(v))
		for i, e := range v {
			c[i] = clone(e)
		}
		return c
	case []string:
		return append([]string(nil), v...)
	case []map[string]any:
		c := make([]any, len(v))
		for i, e := range v {
			c[i] = clone(e)
		}
		return c
	}
	return v
}

func compact(elems []any) []any {
	out := elems[:0]
	for _, e := range elems {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

func indices(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
