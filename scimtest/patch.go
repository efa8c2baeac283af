package scimtest

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/patch"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

var _ scim.Patcher = (*MemoryHandler)(nil)

// valueIndex locates the values of one multi-valued attribute of one
// stored resource by their "value" sub-attribute.
type valueIndex struct {
	pos    map[string]int // value key -> position in the attribute's slice
	unique bool           // no two values share a key; else the index is not used
	owned  bool           // the attribute's slice is the entry's own, not shared with a caller
}

// Patch implements scim.Patcher. Adding values to a multi-valued
// attribute, and removing them by value, as identity providers change
// group membership ({"op": "add", "path": "members", ...},
// members[value eq "..."], or a remove with a value array), is done in
// place with an index on the values' "value" sub-attribute, in time that
// does not grow with the number of values. Every other request is applied
// with patch.Apply to a copy of the resource, checked, and stored whole.
//
// Patch returns the new version and no resource, so the server reads the
// result with Get only when it responds with it.
func (h *MemoryHandler) Patch(ctx context.Context, req *scim.PatchRequest) (*scim.PatchResult, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	id, ops := req.ID, req.Operations
	e, ok := h.byID[id]
	if !ok {
		return nil, fmt.Errorf("%s %q: %w", h.rt.Name, id, scim.ErrNotFound)
	}
	stored := e.r
	if req.Version != "" && req.Version != stored.Meta.Version {
		return nil, fmt.Errorf("%s %q: %w", h.rt.Name, id, scim.ErrVersionMismatch)
	}
	var changes scim.Changes
	next, done, err := h.patchInPlace(e, ops, req.MaxValues, &changes)
	if err != nil {
		return nil, err
	}
	if !done {
		r, err := patch.ApplyCopy(h.rt, stored, ops)
		if err != nil {
			return nil, err
		}
		if err := resource.CheckRequired(h.rt, r); err != nil {
			return nil, err
		}
		if err := resource.CheckValues(h.rt, r, req.MaxValues); err != nil {
			return nil, err
		}
		// A secret the operations set is kept as its digest; one they
		// left alone is a digest already, and one they removed is gone.
		h.seal(r, nil)
		if resource.Identical(r, stored) {
			// Nothing changed: keep the version (RFC 7644 §3.5.2.1).
			return &scim.PatchResult{Version: stored.Meta.Version, Changes: report(req, &changes)}, nil
		}
		if req.Changes {
			changes = scim.ChangesBetween(h.rt, stored, r)
		}
		h.indexRemove(e)
		e.r = r // for checkUnique and indexAdd; set below
		if err := h.checkUnique(r); err != nil {
			e.r = stored
			h.indexAdd(e)
			return nil, err
		}
		h.indexAdd(e)
		e.values = nil
		next = r
	}
	if next == nil {
		return &scim.PatchResult{Version: stored.Meta.Version, Changes: report(req, &changes)}, nil
	}
	next.Meta.LastModified = h.now()
	next.Meta.Version = nextVersion(stored.Meta.Version)
	h.set(e, next)
	return &scim.PatchResult{Version: next.Meta.Version, Changes: report(req, &changes)}, nil
}

// patchInPlace applies ops to e's resource if they are one add or remove
// of whole values of an optional, top-level, multi-valued complex
// attribute identified by its "value" sub-attribute, changing the
// attribute's slice in place. It reports whether it did, and returns the
// resource to store if that changed anything; an add that would leave
// more than maxValues values (when positive) is an error, and changes
// nothing.
func (h *MemoryHandler) patchInPlace(e *entry, ops []patch.Operation, maxValues int, changes *scim.Changes) (next *resource.Resource, done bool, err error) {
	if len(ops) != 1 {
		return nil, false, nil
	}
	stored := e.r
	o := &ops[0]
	a := o.Path.Attr.Attr
	if a == nil || o.Path.Attr.URN != "" || o.Path.Attr.Sub != nil || o.Path.Sub != nil ||
		!a.MultiValued || a.Type != schema.Complex || a.Required ||
		isSecret(a) || slices.ContainsFunc(a.SubAttributes, isSecret) ||
		a.SubAttribute("value") == nil || a.SubAttribute("primary") != nil {
		return nil, false, nil
	}
	idx := h.valueIndex(e, a)
	if idx == nil {
		return nil, false, nil
	}
	// Values with a type are told apart by it as well; leave those to
	// patch.Apply.
	var keys []string
	for _, v := range values(o.Value) {
		m, ok := v.(map[string]any)
		if !ok || m["value"] == nil || m["type"] != nil {
			return nil, false, nil
		}
		keys = append(keys, valueKey(a, v))
	}
	elems, _ := stored.Attributes[a.Name].([]any)
	// own makes the slice the entry's own before it is changed: a caller
	// may hold the one stored before the index was built.
	own := func() {
		if !idx.owned {
			elems, idx.owned = slices.Clone(elems), true
		}
	}
	before := len(elems)
	switch {
	case o.Op == patch.Add && o.Path.Filter == nil && len(keys) > 0:
		fresh := make(map[string]bool)
		for _, k := range keys {
			if _, ok := idx.pos[k]; !ok {
				fresh[k] = true
			}
		}
		if len(fresh) == 0 {
			return nil, true, nil // the values are there already
		}
		if maxValues > 0 && len(elems)+len(fresh) > maxValues {
			return nil, false, resource.TooManyValues(a.Name, maxValues)
		}
		own()
		for i, v := range values(o.Value) {
			if fresh[keys[i]] {
				delete(fresh, keys[i])
				idx.pos[keys[i]] = len(elems)
				elems = append(elems, v)
				if a == h.members {
					h.memberAdd(stored.ID, v)
					changes.MembersAdded = append(changes.MembersAdded, memberValue(v))
				}
			}
		}
	case o.Op == patch.Remove && o.Path.Filter != nil:
		// Only members[value eq "x"], and only when it matches: no match
		// is noTarget, which patch.Apply reports.
		eq := o.Path.Filter.Equalities()
		if len(eq) != 1 || eq["value"] == nil {
			return nil, false, nil
		}
		k := valueKey(a, map[string]any{"value": eq["value"]})
		if _, ok := idx.pos[k]; !ok {
			return nil, false, nil
		}
		own()
		elems = h.removeAt(stored.ID, a, idx, elems, k, changes)
	case o.Op == patch.Remove && len(keys) > 0:
		if !slices.ContainsFunc(keys, func(k string) bool { _, ok := idx.pos[k]; return ok }) {
			return nil, true, nil // the values are not there
		}
		own()
		for _, k := range keys {
			elems = h.removeAt(stored.ID, a, idx, elems, k, changes)
		}
	default:
		return nil, false, nil
	}
	if len(elems) == before {
		return nil, true, nil
	}
	r := *stored
	r.Attributes = maps.Clone(stored.Attributes)
	if len(elems) == 0 {
		delete(r.Attributes, a.Name)
	} else {
		r.Attributes[a.Name] = elems
	}
	changes.Attributes = []string{a.Name}
	return &r, true, nil
}

// report returns c if the server asked for the changes, else nil.
func report(req *scim.PatchRequest, c *scim.Changes) *scim.Changes {
	if !req.Changes {
		return nil
	}
	return c
}

func values(v any) []any {
	list, _ := v.([]any)
	return list
}

// valueIndex returns the index of the values of a in e's resource,
// building it if needed, or nil if two values share a key.
func (h *MemoryHandler) valueIndex(e *entry, a *schema.Attribute) *valueIndex {
	if e.values == nil {
		e.values = make(map[string]*valueIndex)
	}
	idx := e.values[a.Name]
	if idx == nil {
		elems, _ := e.r.Attributes[a.Name].([]any)
		idx = &valueIndex{pos: make(map[string]int, len(elems)), unique: true}
		for i, v := range elems {
			k := valueKey(a, v)
			if _, dup := idx.pos[k]; dup {
				idx.unique = false
			}
			idx.pos[k] = i
		}
		e.values[a.Name] = idx
	}
	if !idx.unique {
		return nil
	}
	return idx
}

// valueKey returns the index key of a value of a: its "value"
// sub-attribute, case-folded as filters compare it unless that is
// caseExact.
func valueKey(a *schema.Attribute, v any) string {
	m, _ := v.(map[string]any)
	s := fmt.Sprint(m["value"])
	if vs := a.SubAttribute("value"); vs != nil && !vs.CaseExact {
		s = foldKey(s)
	}
	return s
}

// removeAt removes the value with key k from elems, if present, by moving
// the last value into its place: multi-valued attributes are unordered
// (RFC 7643 §2.4).
func (h *MemoryHandler) removeAt(id string, a *schema.Attribute, idx *valueIndex, elems []any, k string, changes *scim.Changes) []any {
	i, ok := idx.pos[k]
	if !ok {
		return elems
	}
	if a == h.members {
		h.memberRemove(id, elems[i])
		changes.MembersRemoved = append(changes.MembersRemoved, memberValue(elems[i]))
	}
	last := len(elems) - 1
	if i != last {
		elems[i] = elems[last]
		idx.pos[valueKey(a, elems[i])] = i
	}
	elems[last] = nil
	delete(idx.pos, k)
	return elems[:last]
}
