package scim

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scim-go/scim/internal/clip"
	"github.com/scim-go/scim/patch"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// Why a company provisions over SCIM at all: when someone leaves, their
// access must end everywhere at once, and there must be a record of who
// changed what. Config.OnEvent tells the host of every committed write, with
// a deactivation as a kind of its own, so that it can end sessions and keep
// an audit trail outside the store's transaction.

// ChangeKind is the kind of change an Event reports. Its values are the
// last segments of the provisioning event URIs of RFC 9967
// ("urn:ietf:params:scim:event:prov:create", ...).
type ChangeKind string

// The kinds of change.
const (
	Created  ChangeKind = "create"
	Replaced ChangeKind = "put"
	Patched  ChangeKind = "patch"
	Deleted  ChangeKind = "delete"
	// Deactivated is a PUT or PATCH that set active from true to false,
	// and Activated one that set it from false to true: the changes a host
	// acts on, by ending the user's sessions, say.
	Deactivated ChangeKind = "deactivate"
	Activated   ChangeKind = "activate"
)

// Changes is what a write changed. It names attributes, never their
// values.
type Changes struct {
	// Attributes are the canonical names of the top-level attributes the
	// write set, changed or removed, sorted, those of an extension
	// qualified by its URN
	// ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department").
	// For a create, the attributes the resource has.
	Attributes []string

	// Deactivated and Activated report that active went from true to
	// false, or from false to true.
	Deactivated, Activated bool

	// MembersAdded and MembersRemoved are the values (ids) of the members
	// the write added to and removed from a group.
	MembersAdded, MembersRemoved []string
}

// Event is one committed write of a resource, as Config.OnEvent receives
// it. It carries no attribute values.
type Event struct {
	Kind ChangeKind
	// Write is the kind of request that made the change: Created,
	// Replaced, Patched or Deleted. It differs from Kind only for a
	// deactivation or reactivation, which a PUT or a PATCH makes.
	Write        ChangeKind
	ResourceType string // such as "User"
	ID           string
	Version      string // the version after the write; "" for a delete
	Changes

	// Caller is who made the request, as Config.Caller tells it from the
	// request's context.
	Caller string
	// RequestID identifies the request: its X-Request-Id header, cut to
	// 128 bytes, or "".
	RequestID string
	// BulkID is the bulkId of the operation of a bulk request that made
	// the write, or "".
	BulkID string
	// Time is when the server saw the write commit.
	Time time.Time
}

// requestIDKey carries the X-Request-Id of a request to its events.
type requestIDKey struct{}

// bulkIDKey carries the bulkId of a bulk operation to its events.
type bulkIDKey struct{}

// emit delivers e to Config.OnEvent, as its contract says: on the
// request's goroutine, with the request's context freed from its
// cancellation, a panic recovered and logged.
func (s *Server) emit(ctx context.Context, e Event) {
	if s.cfg.OnEvent == nil {
		return
	}
	if e.Write == "" {
		e.Write = e.Kind
	}
	if s.cfg.Caller != nil {
		e.Caller = s.cfg.Caller(ctx)
	}
	e.RequestID, _ = ctx.Value(requestIDKey{}).(string)
	e.BulkID, _ = ctx.Value(bulkIDKey{}).(string)
	e.Time = s.now()
	ctx = context.WithoutCancel(ctx)
	defer func() {
		if v := recover(); v != nil {
			s.logger().ErrorContext(ctx, "scim: panic in Config.OnEvent",
				"kind", string(e.Kind), "type", e.ResourceType, "id", e.ID, "panic", fmt.Sprint(v))
		}
	}()
	s.cfg.OnEvent(ctx, e)
}

// withRequestID puts r's X-Request-Id in its context, for events.
func withRequestID(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, requestIDKey{}, clip.String(id))
}

// createdEvent returns the event of the creation of out, as the store
// returned it, from sent, the resource the request sent: a store returns
// no secrets, and may leave out members it did not keep.
func createdEvent(ep *endpoint, sent, out *resource.Resource) Event {
	e := Event{Kind: Created, ResourceType: ep.rt.Name, ID: out.ID, Version: out.Meta.Version}
	e.Attributes = attributeNames(ep.rt, sent, nil)
	if ep.members != nil {
		e.MembersAdded = memberIDs(out.Attributes[ep.members.Name])
	}
	return e
}

// changedEvent returns the event of a write that turned before into after,
// of kind Replaced or Patched, or of Deactivated or Activated when it did
// that.
func changedEvent(ep *endpoint, kind ChangeKind, before, after *resource.Resource) Event {
	e := Event{Kind: kind, ResourceType: ep.rt.Name, ID: after.ID, Version: after.Meta.Version}
	e.Changes = ChangesBetween(ep.rt, before, after)
	e.setKind()
	return e
}

// ChangesBetween returns what a write that turned before into after, two
// states of a resource of type rt, changed: the attributes whose values
// differ, whether a boolean active went from true to false or back, and
// the members (by value) added and removed. A Patcher that has both states
// at hand reports it in PatchResult.Changes.
func ChangesBetween(rt *schema.ResourceType, before, after *resource.Resource) Changes {
	var c Changes
	c.Attributes = attributeNames(rt, before, after)
	if hasBool(rt, "active") {
		b, okb := before.Attributes["active"].(bool)
		a, oka := after.Attributes["active"].(bool)
		if okb && oka {
			c.Deactivated, c.Activated = b && !a, !b && a
		}
	}
	if m := rt.Schema.Attribute("members"); m != nil && m.MultiValued && m.Type == schema.Complex {
		c.MembersAdded, c.MembersRemoved = diffIDs(memberIDs(before.Attributes[m.Name]), memberIDs(after.Attributes[m.Name]))
	}
	return c
}

// empty reports whether c records no change.
func (c *Changes) empty() bool {
	return len(c.Attributes) == 0 && !c.Deactivated && !c.Activated && len(c.MembersAdded) == 0 && len(c.MembersRemoved) == 0
}

// setKind makes a deactivation or reactivation the event's kind.
func (e *Event) setKind() {
	e.Write = e.Kind
	switch {
	case e.Deactivated:
		e.Kind = Deactivated
	case e.Activated:
		e.Kind = Activated
	}
}

// patchedEvent returns the event of a PATCH a Patcher applied: from what
// it reported, or else from the operations.
func patchedEvent(ep *endpoint, id string, ops []patch.Operation, res *PatchResult) Event {
	e := Event{Kind: Patched, ResourceType: ep.rt.Name, ID: id, Version: res.Version}
	if res.Changes != nil {
		e.Changes = *res.Changes
		e.setKind()
		return e
	}
	seen := make(map[string]bool)
	for _, o := range ops {
		name := o.Path.Extension
		if a := o.Path.Attr.Attr; a != nil {
			name = a.Name
			if o.Path.Attr.URN != "" {
				name = o.Path.Attr.URN + ":" + a.Name
			}
		}
		if name != "" && !seen[name] {
			seen[name] = true
			e.Attributes = append(e.Attributes, name)
		}
		if ep.members == nil || o.Path.Attr.Attr != ep.members || o.Path.Attr.URN != "" {
			continue
		}
		switch {
		case o.Op == patch.Add:
			e.MembersAdded = append(e.MembersAdded, memberIDs(o.Value)...)
		case o.Op == patch.Remove && o.Path.Filter != nil:
			if v, ok := o.Path.Filter.Equalities()["value"].(string); ok {
				e.MembersRemoved = append(e.MembersRemoved, v)
			}
		case o.Op == patch.Remove:
			e.MembersRemoved = append(e.MembersRemoved, memberIDs(o.Value)...)
		}
	}
	slices.Sort(e.Attributes)
	return e
}

// attributeNames returns the names of the top-level attributes whose
// values differ between before and after (all of before's when after is
// nil, for a creation), sorted, those of extensions qualified by the
// extension's URN. Read-only attributes are the service provider's and are
// left out.
func attributeNames(rt *schema.ResourceType, before, after *resource.Resource) []string {
	var out []string
	if after == nil {
		before, after = &resource.Resource{}, before
	}
	if before.ExternalID != after.ExternalID {
		out = append(out, "externalId")
	}
	visit := func(prefix string, attrs []*schema.Attribute, b, a map[string]any) {
		for _, attr := range attrs {
			if attr.Mutability == schema.ReadOnly {
				continue
			}
			vb, okb := b[attr.Name]
			va, oka := a[attr.Name]
			if okb != oka || okb && !resource.Equal(attr, vb, va) {
				out = append(out, prefix+attr.Name)
			}
		}
	}
	visit("", rt.Schema.Attributes, before.Attributes, after.Attributes)
	for _, x := range rt.Extensions {
		b, _ := before.Attributes[x.Schema.ID].(map[string]any)
		a, _ := after.Attributes[x.Schema.ID].(map[string]any)
		visit(x.Schema.ID+":", x.Schema.Attributes, b, a)
	}
	slices.Sort(out)
	return out
}

// memberIDs returns the "value" of each value of a members attribute.
func memberIDs(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			if id, ok := m["value"].(string); ok {
				out = append(out, id)
			}
		}
	}
	return out
}

// diffIDs returns the ids in after that are not in before, and those in
// before that are not in after.
func diffIDs(before, after []string) (added, removed []string) {
	in := func(list []string) map[string]bool {
		m := make(map[string]bool, len(list))
		for _, s := range list {
			m[s] = true
		}
		return m
	}
	b, a := in(before), in(after)
	for _, id := range after {
		if !b[id] {
			added = append(added, id)
		}
	}
	for _, id := range before {
		if !a[id] {
			removed = append(removed, id)
		}
	}
	return added, removed
}

// hasBool reports whether rt's core schema has a boolean attribute name.
func hasBool(rt *schema.ResourceType, name string) bool {
	a := rt.Schema.Attribute(name)
	return a != nil && a.Type == schema.Boolean && !a.MultiValued && strings.EqualFold(a.Name, name)
}
