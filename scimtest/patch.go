package scimtest

import (
	"context"
	"fmt"
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
	stored, ok := h.byID[id]
	if !ok {
		return nil, fmt.Errorf("%s %q: %w", h.rt.Name, id, scim.ErrNotFound)
	}
	if req.Version != "" && req.Version != stored.Meta.Version {
		return nil, fmt.Errorf("%s %q: %w", h.rt.Name, id, scim.ErrVersionMismatch)
	}
	var changes scim.Changes
	changed, done, err := h.patchInPlace(stored, ops, req.MaxValues, &changes)
	if err != nil {
		return nil, err
	}
	if !done {
		r := stored.Clone()
		if err := patch.Apply(h.rt, r, ops); err != nil {
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
			return &scim.PatchResult{Version: stored.Meta.Version, Changes: &changes}, nil
		}
		changes = scim.ChangesBetween(h.rt, stored, r)
		h.indexRemove(stored)
		if err := h.checkUnique(r); err != nil {
			h.indexAdd(stored)
			return nil, err
		}
		h.byID[id] = r
		h.indexAdd(r)
		delete(h.values, id)
		stored, changed = r, true
	}
	if changed {
		stored.Meta.LastModified = h.now()
		stored.Meta.Version = nextVersion(stored.Meta.Version)
	}
	return &scim.PatchResult{Version: stored.Meta.Version, Changes: &changes}, nil
}

// patchInPlace applies ops to stored in place if they are one add or
// remove of whole values of an optional, top-level, multi-valued complex
// attribute identified by its "value" sub-attribute. It reports whether it
// did, and whether that changed anything; an add that would leave more
// than maxValues values (when positive) is an error, and changes nothing.
func (h *MemoryHandler) patchInPlace(stored *resource.Resource, ops []patch.Operation, maxValues int, changes *scim.Changes) (changed, done bool, err error) {
	if len(ops) != 1 {
		return false, false, nil
	}
	o := &ops[0]
	a := o.Path.Attr.Attr
	if a == nil || o.Path.Attr.URN != "" || o.Path.Attr.Sub != nil || o.Path.Sub != nil ||
		!a.MultiValued || a.Type != schema.Complex || a.Required ||
		isSecret(a) || slices.ContainsFunc(a.SubAttributes, isSecret) ||
		a.SubAttribute("value") == nil || a.SubAttribute("primary") != nil {
		return false, false, nil
	}
	idx := h.valueIndex(stored, a)
	if idx == nil {
		return false, false, nil
	}
	// Values with a type are told apart by it as well; leave those to
	// patch.Apply.
	var keys []string
	for _, v := range values(o.Value) {
		m, ok := v.(map[string]any)
		if !ok || m["value"] == nil || m["type"] != nil {
			return false, false, nil
		}
		keys = append(keys, valueKey(a, v))
	}
	elems, _ := stored.Attributes[a.Name].([]any)
	before := len(elems)
	switch {
	case o.Op == patch.Add && o.Path.Filter == nil && len(keys) > 0:
		fresh := make(map[string]bool)
		for _, k := range keys {
			if _, ok := idx.pos[k]; !ok {
				fresh[k] = true
			}
		}
		if maxValues > 0 && len(elems)+len(fresh) > maxValues {
			return false, false, resource.TooManyValues(a.Name, maxValues)
		}
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
			return false, false, nil
		}
		k := valueKey(a, map[string]any{"value": eq["value"]})
		if _, ok := idx.pos[k]; !ok {
			return false, false, nil
		}
		elems = h.removeAt(stored.ID, a, idx, elems, k, changes)
	case o.Op == patch.Remove && len(keys) > 0:
		for _, k := range keys {
			elems = h.removeAt(stored.ID, a, idx, elems, k, changes)
		}
	default:
		return false, false, nil
	}
	if len(elems) == before {
		return false, true, nil // the values were there already, or not there
	}
	if len(elems) == 0 {
		delete(stored.Attributes, a.Name)
	} else {
		stored.Attributes[a.Name] = elems
	}
	changes.Attributes = []string{a.Name}
	return true, true, nil
}

func values(v any) []any {
	list, _ := v.([]any)
	return list
}

// valueIndex returns the index of stored's values of a, building it if
// needed, or nil if two values share a key.
func (h *MemoryHandler) valueIndex(stored *resource.Resource, a *schema.Attribute) *valueIndex {
	byAttr := h.values[stored.ID]
	if byAttr == nil {
		byAttr = make(map[string]*valueIndex)
		h.values[stored.ID] = byAttr
	}
	idx := byAttr[a.Name]
	if idx == nil {
		elems, _ := stored.Attributes[a.Name].([]any)
		idx = &valueIndex{pos: make(map[string]int, len(elems)), unique: true}
		for i, e := range elems {
			k := valueKey(a, e)
			if _, dup := idx.pos[k]; dup {
				idx.unique = false
			}
			idx.pos[k] = i
		}
		byAttr[a.Name] = idx
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
