package scim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/patch"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// A resource's groups (RFC 7643 §4.1.2) are read-only: membership changes
// go through the groups. The server fills them in on output, and keeps
// them true when a member is deleted; see Memberships.

// groupsOfChunk is how many ids one list of the fallback asks about, as
// members[value eq "a" or value eq "b" ...].
const groupsOfChunk = 20

// linkGroups finds, for each endpoint, the endpoints whose members may
// hold its resources, and whether its type has a groups attribute to fill.
func (s *Server) linkGroups() {
	for _, g := range s.endpoints {
		members := g.rt.Schema.Attribute("members")
		if members == nil || !members.MultiValued || members.Type != schema.Complex || members.SubAttribute("value") == nil {
			continue
		}
		for _, ep := range s.endpoints {
			if holds(members, ep.rt.Name) {
				ep.groupEPs = append(ep.groupEPs, g)
			}
		}
	}
	for _, ep := range s.endpoints {
		if a := ep.rt.Schema.Attribute("groups"); a != nil && len(ep.groupEPs) > 0 &&
			a.MultiValued && a.Type == schema.Complex && a.SubAttribute("value") != nil {
			ep.groups = a
		}
	}
}

// holds reports whether values of the members attribute a may be
// resources of the type named name, by the referenceTypes of its "$ref"
// ("User" alone when it has none).
func holds(a *schema.Attribute, name string) bool {
	ref := a.SubAttribute("$ref")
	if ref == nil || len(ref.ReferenceTypes) == 0 {
		return strings.EqualFold(name, "User")
	}
	return slices.ContainsFunc(ref.ReferenceTypes, func(t string) bool { return strings.EqualFold(t, name) })
}

// fillGroups returns res with the groups attribute of the resources that
// lack one filled in, unless the response leaves groups out. It copies the
// resources it changes.
func (s *Server) fillGroups(ctx context.Context, ep *endpoint, res []*resource.Resource, proj *resource.Projection) ([]*resource.Resource, error) {
	if ep.groups == nil || proj != nil && !proj.Includes(ep.rt, ep.groups.Name) {
		return res, nil
	}
	var ids []string
	for _, r := range res {
		if _, ok := r.Attributes[ep.groups.Name]; !ok && r.ID != "" {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return res, nil
	}
	found := make(map[string][]GroupRef)
	for _, g := range ep.groupEPs {
		refs, err := s.groupsOf(ctx, g, ep.rt.Name, ids)
		if err != nil {
			return nil, err
		}
		for id, gs := range refs {
			found[id] = append(found[id], gs...)
		}
	}
	out, copied := res, false
	for i, r := range res {
		gs := found[r.ID]
		if len(gs) == 0 {
			continue
		}
		vals := make([]any, len(gs))
		for j, g := range gs {
			v := map[string]any{"value": g.ID, "type": "direct"}
			if g.Display != "" {
				v["display"] = g.Display
			}
			vals[j] = v
		}
		if !copied {
			out, copied = slices.Clone(res), true
		}
		c := *r
		c.Attributes = make(map[string]any, len(r.Attributes)+1)
		for k, v := range r.Attributes {
			c.Attributes[k] = v
		}
		c.Attributes[ep.groups.Name] = vals
		out[i] = &c
	}
	return out, nil
}

// groupsOf returns the groups of g that list each of ids, resources of type
// memberType: through Memberships, or by listing g's resources.
func (s *Server) groupsOf(ctx context.Context, g *endpoint, memberType string, ids []string) (map[string][]GroupRef, error) {
	if m, ok := g.h.(Memberships); ok {
		return m.GroupsOf(ctx, memberType, ids)
	}
	out := make(map[string][]GroupRef)
	for len(ids) > 0 {
		chunk := ids[:min(groupsOfChunk, len(ids))]
		ids = ids[len(chunk):]
		want := make(map[string]bool, len(chunk))
		for _, id := range chunk {
			want[id] = true
		}
		err := s.eachGroupWith(ctx, g, chunk, func(group *resource.Resource) {
			display, _ := group.Attributes["displayName"].(string)
			members, _ := group.Attributes["members"].([]any)
			for _, m := range members {
				obj, _ := m.(map[string]any)
				if id, _ := obj["value"].(string); want[id] {
					out[id] = append(out[id], GroupRef{ID: group.ID, Display: display})
				}
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// eachGroupWith calls f for every resource of g that lists one of ids
// among its members, page by page.
func (s *Server) eachGroupWith(ctx context.Context, g *endpoint, ids []string, f func(*resource.Resource)) error {
	terms := make([]string, len(ids))
	for i, id := range ids {
		lit, _ := json.Marshal(id)
		terms[i] = "value eq " + string(lit)
	}
	flt, err := filter.Compile(g.rt, "members["+strings.Join(terms, " or ")+"]")
	if err != nil {
		return err
	}
	q := &Query{Filter: flt, StartIndex: 1, Count: s.cfg.MaxPageSize,
		Projection: resource.NewProjection(g.rt, []string{"displayName", "members"}, nil)}
	for {
		page, err := g.h.List(ctx, q)
		if err != nil {
			return err
		}
		for _, r := range page.Resources {
			f(r)
		}
		q.StartIndex += len(page.Resources)
		if len(page.Resources) == 0 || q.StartIndex > page.TotalResults {
			return nil
		}
	}
}

// groupsListing returns, when Config.OnEvent wants events, the ids of the
// groups that list id, a resource of ep's type, by each group endpoint
// that answers through Memberships. (Groups the server patches itself
// report their own events; see removeMemberByPatch.)
func (s *Server) groupsListing(ctx context.Context, ep *endpoint, id string) map[*endpoint][]string {
	if s.cfg.OnEvent == nil {
		return nil
	}
	var out map[*endpoint][]string
	for _, g := range ep.groupEPs {
		m, ok := g.h.(Memberships)
		if !ok {
			continue
		}
		refs, err := m.GroupsOf(ctx, ep.rt.Name, []string{id})
		if err != nil {
			s.logger().ErrorContext(ctx, "scim: finding the groups of a resource to delete, for their events",
				"type", ep.rt.Name, "id", id, "groups", g.rt.Name, "error", err.Error())
			continue
		}
		for _, ref := range refs[id] {
			if out == nil {
				out = make(map[*endpoint][]string)
			}
			if !slices.Contains(out[g], ref.ID) {
				out[g] = append(out[g], ref.ID)
			}
		}
	}
	return out
}

// removeMemberships removes the deleted resource id of ep's type from the
// groups that list it, and reports each group that changed to
// Config.OnEvent; groups are those groupsListing found before the delete. A
// failure is logged: the resource is gone either way, and the request has
// succeeded. The work is the server's, not the client's: it goes on when
// the client has gone, until the request's deadline, or for up to
// cleanupTime when it has none.
func (s *Server) removeMemberships(r *http.Request, ep *endpoint, id string, groups map[*endpoint][]string) {
	deadline, ok := r.Context().Deadline()
	if !ok {
		deadline = time.Now().Add(cleanupTime)
	}
	ctx, cancel := context.WithDeadline(context.WithoutCancel(r.Context()), deadline)
	defer cancel()
	for _, g := range ep.groupEPs {
		var err error
		if m, ok := g.h.(Memberships); ok {
			if err = m.RemoveMember(ctx, ep.rt.Name, id); err == nil {
				err = s.emitRemoved(ctx, g, groups[g], ep.rt.Name, id)
			}
		} else {
			err = s.removeMemberByPatch(ctx, g, id)
		}
		if err != nil {
			s.logger().ErrorContext(ctx, "scim: removing a deleted resource from its groups",
				"type", ep.rt.Name, "id", id, "groups", g.rt.Name, "error", err.Error())
		}
	}
}

// cleanupTime bounds the work that follows a delete (removing the deleted
// resource from its groups, and reporting their changes) of a request
// without a deadline.
const cleanupTime = 30 * time.Second

// emitRemoved reports to Config.OnEvent that each of the groups gids of g
// no longer lists the member id of type memberType, with the group's
// version as it reads now, in the group's write turn. A group that is
// gone, or that still lists id, is not reported.
func (s *Server) emitRemoved(ctx context.Context, g *endpoint, gids []string, memberType, id string) error {
	for _, gid := range gids {
		if err := s.emitRemovedFrom(ctx, g, gid, memberType, id); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) emitRemovedFrom(ctx context.Context, g *endpoint, gid, memberType, id string) error {
	lk, err := g.locks.lock(ctx, gid)
	if err != nil {
		return err
	}
	defer lk.unlock() // also when Get panics
	r, err := g.h.Get(ctx, gid)
	if err != nil || r == nil || lists(r.Attributes[g.members.Name], memberType, id) {
		return nil
	}
	s.emit(ctx, Event{Kind: Patched, ResourceType: g.rt.Name, ID: gid, Version: r.Meta.Version,
		Changes: Changes{Attributes: []string{g.members.Name}, MembersRemoved: []string{id}}})
	return nil
}

// lists reports whether members, the values of a members attribute, hold
// id as a member of type memberType, or of no type.
func lists(members any, memberType, id string) bool {
	list, _ := members.([]any)
	for _, v := range list {
		m, _ := v.(map[string]any)
		if value, _ := m["value"].(string); value != id {
			continue
		}
		if t, _ := m["type"].(string); t == "" || t == memberType {
			return true
		}
	}
	return false
}

// removeMemberByPatch removes id from each group of g that lists it, with
// a PATCH through g's handler.
func (s *Server) removeMemberByPatch(ctx context.Context, g *endpoint, id string) error {
	var groups []string
	if err := s.eachGroupWith(ctx, g, []string{id}, func(r *resource.Resource) { groups = append(groups, r.ID) }); err != nil {
		return err
	}
	lit, _ := json.Marshal(id)
	body, _ := json.Marshal(map[string]any{
		"schemas":    []string{schema.PatchOpURN},
		"Operations": []any{map[string]any{"op": "remove", "path": "members[value eq " + string(lit) + "]"}},
	})
	ops, err := patch.Parse(g.rt, body, patch.Options{})
	if err != nil {
		return err
	}
	for _, gid := range groups {
		if p, ok := g.h.(Patcher); ok {
			_, err = s.applyPatch(ctx, g, p, &PatchRequest{ID: gid, Operations: ops, MaxValues: s.cfg.MaxValues})
		} else {
			_, err = s.update(ctx, g, gid, "", Patched, func(stored *resource.Resource) (*resource.Resource, error) {
				res := stored.Clone()
				return res, patch.Apply(g.rt, res, ops)
			})
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}
