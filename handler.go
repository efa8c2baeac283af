package scim

import (
	"context"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/patch"
	"github.com/scim-go/scim/resource"
)

// ResourceHandler stores the resources of one resource type. A host
// implements it against its own database and hands it to the server in an
// Endpoint; the server does everything else: it validates request bodies
// against the resource type's schemas, drops read-only input, applies PATCH,
// checks conditional requests, projects attributes and writes responses.
//
// The server calls a ResourceHandler from many goroutines at once; an
// implementation must be safe for concurrent use. The server never changes
// a resource a handler returns, nor any map or slice in it, and reads it
// after the call returns, without a lock: a handler may return what it
// keeps, as long as no later write changes that in place (a write stores
// new values instead, as scimtest.MemoryHandler does). A resource the
// server passes to Create or Replace is the handler's from then on, to keep
// or change: the server shares none of its maps or slices with a resource a
// handler returned.
//
// Errors: return an error wrapping ErrNotFound when the resource does not
// exist, ErrUniqueness when a write would break a uniqueness rule of the
// schema, and ErrVersionMismatch when a conditional write finds another
// version stored. A *Error is sent to the client as it is. Any other error is
// answered with 500 and a generic detail and is logged; its text never
// reaches the client.
type ResourceHandler interface {
	// Create stores a new resource and returns it as stored. r has been
	// validated against the schemas; r.ID and r.Meta are empty. Create
	// assigns the ID and sets Meta.Created, Meta.LastModified and
	// Meta.Version.
	Create(ctx context.Context, r *resource.Resource) (*resource.Resource, error)

	// Get returns the resource with the given id, or ErrNotFound.
	Get(ctx context.Context, id string) (*resource.Resource, error)

	// Replace stores r in place of the resource with ID r.ID and returns it
	// as stored, with a new Meta.Version and Meta.LastModified. r has been
	// validated, and read-only and immutable attributes carried over from
	// the stored resource.
	//
	// When version is not "", Replace must store r only if the stored
	// resource's Meta.Version still equals version, and otherwise return
	// ErrVersionMismatch, as one atomic compare-and-swap: this is how the
	// server guarantees that concurrent writers never overwrite each other's
	// changes (RFC 7644 §3.14).
	Replace(ctx context.Context, r *resource.Resource, version string) (*resource.Resource, error)

	// Delete removes the resource with the given id, or returns
	// ErrNotFound. When version is not "", it deletes only if the stored
	// Meta.Version equals version, and otherwise returns ErrVersionMismatch.
	Delete(ctx context.Context, id string, version string) error

	// List returns one page of the resources that match q, and how many
	// match in all. Resources must come in a stable order so that paging
	// neither skips nor repeats one.
	List(ctx context.Context, q *Query) (*Page, error)
}

// Query selects a page of resources for ResourceHandler.List.
type Query struct {
	// Filter selects the resources to list, or nil for all of them. It has
	// been parsed and checked against the resource type: a store may
	// evaluate it in memory with Filter.Match, answer an equality from an
	// index with Filter.Equality, or translate it to SQL with filter.SQL.
	// Filter.Match reads meta.resourceType and meta.location from the
	// resource's Meta, so a store that evaluates in memory should fill them
	// in (the server fills them in only on output): meta.location as
	// resource.Location(EndpointURL, id).
	Filter *filter.Filter
	// Sort orders the resources, or is nil to list them in the store's own
	// stable order. Sort.Compare orders resources in memory, and reads
	// Meta as Filter.Match does.
	Sort *filter.Sort
	// EndpointURL is the absolute URL of the resource type's endpoint
	// under the request's base URL, such as
	// "https://example.com/scim/v2/Users", for a store that fills in
	// meta.location to evaluate Filter or Sort. The server sets it; it is
	// "" in a list the server makes for itself, such as of the groups
	// that hold a member.
	EndpointURL string
	// StartIndex is the 1-based index of the first resource to return
	// (RFC 7644 §3.4.2.4); it is at least 1.
	StartIndex int
	// Count is the largest number of resources to return; it is at least 0
	// and at most the server's page size limit.
	Count int
	// Projection selects the attributes the response carries (RFC 7644
	// §3.9), or is nil for the defaults. A store may leave out what
	// Projection.Includes reports the response will not carry, such as the
	// members of a large group listed with excludedAttributes=members; it
	// must still evaluate Filter on every attribute.
	Projection *resource.Projection
}

// Page is one page of a list of resources.
type Page struct {
	// Resources are the page's resources, in order.
	Resources []*resource.Resource
	// TotalResults is the number of resources that match the query in all
	// pages.
	TotalResults int
}

// Patcher is implemented by a ResourceHandler that applies PATCH requests
// itself, for example to add one member to a large group by inserting one
// row instead of loading and rewriting the whole member list. Without it
// the server reads the resource, applies the operations with patch.Apply,
// checks the result against the schemas and writes it with Replace.
//
// The operations reach Patch parsed and checked against the schemas: paths
// are resolved, values converted to the attributes' types, and read-only
// targets refused. Patch must apply them with the semantics of patch.Apply
// (a host may call patch.Apply for the operations it does not handle
// natively), all or none, and keep immutable and required attributes as
// resource.CheckRequired and patch.Apply demand. It reports a request the
// operations cannot be applied to as a *patch.Error or a *resource.Error
// (such as resource.CheckValues returns), and anything else as Replace
// does.
type Patcher interface {
	Patch(ctx context.Context, req *PatchRequest) (*PatchResult, error)
}

// PatchRequest is one PATCH request for Patcher.Patch.
type PatchRequest struct {
	// ID is the id of the resource to patch.
	ID string

	// Operations are the request's operations, in order.
	Operations []patch.Operation

	// Version, when not "", is the version the request's If-Match header
	// names. Patch must then apply the operations only if the stored
	// Meta.Version still equals it, and otherwise return
	// ErrVersionMismatch, as one atomic compare-and-swap. The server does
	// not read the resource to check it.
	Version string

	// MaxValues is the most values a multi-valued attribute of the
	// resource may hold once patched (Config.MaxValues). Patch must refuse
	// operations that would leave more, as resource.CheckValues does.
	MaxValues int

	// Changes says the server sends events (Config.OnEvent) and so reads
	// PatchResult.Changes. A store that works them out at a cost may
	// skip that when it is false.
	Changes bool

	// Resource says the response carries the patched resource, so that
	// the server reads PatchResult.Resource, or the resource with Get
	// when that is nil. When it is false (a 204 response, see
	// Config.PatchNoContent), a store need not read the resource back.
	Resource bool
}

// PatchResult is what Patcher.Patch reports of a PATCH it applied.
type PatchResult struct {
	// Version is the resource's Meta.Version after the patch: a new one
	// if the patch changed the resource, else the stored one, since a
	// PATCH that changes nothing must not change the version (RFC 7644
	// §3.5.2). The server sends it as the ETag of its response, with or
	// without a body (RFC 7644 §3.14).
	Version string

	// Resource is the patched resource, or nil. When nil, the server reads
	// the resource with Get only if the response is to carry it, so a
	// store need not read a large group back to add a member.
	Resource *resource.Resource

	// Changes, when not nil, is what the patch changed, for the event the
	// server sends (Config.OnEvent): the attributes it changed, whether it
	// deactivated or reactivated the resource, and the members it actually
	// added and removed. A patch that changed nothing returns an empty
	// Changes, and no event is sent. When nil, the server derives the
	// event from the operations, and cannot tell a deactivation from a
	// write of active false to a resource already inactive.
	Changes *Changes
}

// Memberships is implemented by the ResourceHandler of a resource type
// whose members attribute lists resources (Groups), to give the server a
// resource's groups, and to drop a deleted resource from the groups that
// list it, without reading whole groups. The server fills in the groups
// attribute of User responses (RFC 7643 §4.1.2), and after deleting a
// resource removes it from every group, through Memberships when the group
// handler implements it, and otherwise by listing the groups with a
// members[value eq "..."] filter and patching them.
//
// A store that fills in groups itself returns resources with a groups
// attribute, empty when the resource is in no group: the server leaves a
// resource's groups as the store gives them.
type Memberships interface {
	// GroupsOf returns, for each of ids, the ids of resources of type
	// memberType, the groups that list it among their members, with
	// their displayName. An id in no group may be left out of the map.
	GroupsOf(ctx context.Context, memberType string, ids []string) (map[string][]GroupRef, error)

	// RemoveMember removes the resource id of type memberType from the
	// members of every group that lists it, giving each a new version.
	// The server calls it after deleting that resource; a store may have
	// done this already in its Delete. When Config.OnEvent is set, the
	// server calls GroupsOf for the resource before deleting it, to
	// report each group's change.
	RemoveMember(ctx context.Context, memberType, id string) error
}

// GroupRef is a group a resource is a direct member of.
type GroupRef struct {
	ID      string // the group's id
	Display string // the group's displayName, or ""
}

// PartialGetter is implemented by a ResourceHandler that can leave out of
// a resource what a response will not carry, such as the members of a large
// group that an identity provider reads with excludedAttributes=members, as
// Entra ID does. For a GET, or the response to a PATCH, whose attributes or
// excludedAttributes leave attributes out, the server calls GetPartial
// instead of Get. It may return more than p includes, never less.
type PartialGetter interface {
	GetPartial(ctx context.Context, id string, p *resource.Projection) (*resource.Resource, error)
}
