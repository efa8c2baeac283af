package scimtest

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/scim-go/scim"
)

var _ scim.Memberships = (*MemoryHandler)(nil)

// memberAdd records that the resource id lists the member value v.
func (h *MemoryHandler) memberAdd(id string, v any) {
	value := memberValue(v)
	if value == "" {
		return
	}
	if h.memberOf[value] == nil {
		h.memberOf[value] = make(map[string]bool)
	}
	h.memberOf[value][id] = true
}

// memberRemove records that the resource id no longer lists the member
// value v.
func (h *MemoryHandler) memberRemove(id string, v any) {
	value := memberValue(v)
	if set := h.memberOf[value]; set != nil {
		delete(set, id)
		if len(set) == 0 {
			delete(h.memberOf, value)
		}
	}
}

func memberValue(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["value"].(string)
	return s
}

// listing returns the ids of the resources whose members list id, in
// creation order.
func (h *MemoryHandler) listing(id string) []string {
	var out []string
	for gid := range h.memberOf[id] {
		out = append(out, gid)
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Compare(h.byID[a].seq, h.byID[b].seq) })
	return out
}

// GroupsOf implements scim.Memberships for a resource type with a members
// attribute, from an index of the members' values.
func (h *MemoryHandler) GroupsOf(ctx context.Context, memberType string, ids []string) (map[string][]scim.GroupRef, error) {
	if h.members == nil {
		return nil, nil
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make(map[string][]scim.GroupRef)
	for _, id := range ids {
		for _, gid := range h.listing(id) {
			display, _ := h.byID[gid].r.Attributes["displayName"].(string)
			out[id] = append(out[id], scim.GroupRef{ID: gid, Display: display})
		}
	}
	return out, nil
}

// RemoveMember implements scim.Memberships: it removes the values of
// members that name id, and are of memberType when they carry a type, from
// every resource that lists it, giving each a new version.
func (h *MemoryHandler) RemoveMember(ctx context.Context, memberType, id string) error {
	if h.members == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, gid := range h.listing(id) {
		e := h.byID[gid]
		if e == nil {
			return fmt.Errorf("%s %q: the member index names a resource that is gone", h.rt.Name, gid)
		}
		elems := values(e.r.Attributes[h.members.Name])
		kept := slices.DeleteFunc(slices.Clone(elems), func(v any) bool {
			m, _ := v.(map[string]any)
			t, _ := m["type"].(string)
			return memberValue(v) == id && (t == "" || t == memberType)
		})
		if len(kept) == len(elems) {
			continue
		}
		r := *e.r
		r.Attributes = maps.Clone(e.r.Attributes)
		if len(kept) == 0 {
			delete(r.Attributes, h.members.Name)
		} else {
			r.Attributes[h.members.Name] = kept
		}
		r.Meta.LastModified = h.now()
		r.Meta.Version = nextVersion(r.Meta.Version)
		h.indexRemove(e)
		h.set(e, &r)
		e.values = nil
		h.indexAdd(e)
	}
	return nil
}
