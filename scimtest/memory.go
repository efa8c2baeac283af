// Package scimtest helps test SCIM servers. Run and TestHandlers check a
// store's User and Group handlers (a Store), wired into a server, against
// RFC 7643/7644 and the contract of scim.ResourceHandler, in the manner of
// testing/slogtest: each failure names the rule broken and where it comes
// from. They work with resource types cut down to the attributes a store
// keeps (schema.ResourceType.Subset), skipping what needs an attribute a
// type lacks, and check a tenanted store's isolation of its tenants.
// MemoryHandler is the in-memory reference implementation, for tests and
// examples; Conversation replays golden HTTP exchanges against a server.
package scimtest

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// MemoryHandler is a scim.ResourceHandler that keeps the resources of one
// resource type in memory. It is the reference for what the interface
// demands: it assigns random UUIDs as ids, sets meta timestamps, changes
// meta.version on every write, checks versions atomically, enforces the
// uniqueness of top-level attributes whose schema says so (comparing
// case-insensitively unless the attribute is caseExact), and lists
// resources in the order they were created, or sorted, with filters
// evaluated in memory. A filter that pins id, externalId or a unique
// attribute with eq, such as userName eq "bjensen", is answered from an
// index instead of a scan.
//
// It never keeps the value of a write-only or never-returned attribute,
// such as password, as it was given: it keeps its SHA-256 digest, which
// VerifySecret checks a value against, and returns such attributes from no
// method. A Replace of a resource that does not carry one keeps the stored
// digest, since the server, which cannot read it, cannot send it back; a
// PATCH removes it only when applied by Patch. MemoryHandler is a reference
// for tests and examples: a production store hashes passwords with bcrypt,
// scrypt or Argon2, salted, never with a bare SHA-256.
//
// A MemoryHandler is safe for concurrent use. Resources go in and come out
// as copies, so callers may change what they pass or get.
type MemoryHandler struct {
	rt      *schema.ResourceType
	unique  []*schema.Attribute // top-level single-valued attributes with uniqueness
	secrets bool                // rt has write-only or never-returned attributes

	// Now returns the time written to meta.created and meta.lastModified.
	// Nil means the current time in UTC. Set it before first use.
	Now func() time.Time

	// NewID returns the id for a new resource. Nil means a random UUID.
	// Set it before first use; it is called with the handler's lock held.
	NewID func() string

	mu      sync.RWMutex
	byID    map[string]*resource.Resource
	order   []string                          // ids in creation order
	seq     map[string]uint64                 // id -> creation sequence number
	created uint64                            // the last sequence number
	index   map[string]map[string]string      // unique attribute name -> key -> id
	byExtID map[string][]string               // externalId -> ids, in creation order
	values  map[string]map[string]*valueIndex // id -> attribute name -> index; see Patch

	// members is rt's members attribute, if it has one, and memberOf maps
	// each member's value to the ids of the resources that list it.
	members  *schema.Attribute
	memberOf map[string]map[string]bool
}

// NewMemoryHandler returns an empty MemoryHandler for resources of type rt.
func NewMemoryHandler(rt *schema.ResourceType) *MemoryHandler {
	h := &MemoryHandler{
		rt:      rt,
		byID:    make(map[string]*resource.Resource),
		seq:     make(map[string]uint64),
		index:   make(map[string]map[string]string),
		byExtID: make(map[string][]string),
		values:  make(map[string]map[string]*valueIndex),
		secrets: hasSecrets(rt),
	}
	for _, a := range rt.Schema.Attributes {
		if a.Uniqueness != schema.UniquenessNone && !a.MultiValued && a.Type != schema.Complex {
			h.unique = append(h.unique, a)
			h.index[a.Name] = make(map[string]string)
		}
	}
	if a := rt.Schema.Attribute("members"); a != nil && a.MultiValued && a.Type == schema.Complex && a.SubAttribute("value") != nil {
		h.members, h.memberOf = a, make(map[string]map[string]bool)
	}
	return h
}

var _ scim.ResourceHandler = (*MemoryHandler)(nil)

// Create implements scim.ResourceHandler.
func (h *MemoryHandler) Create(ctx context.Context, r *resource.Resource) (*resource.Resource, error) {
	r = r.Clone()
	h.mu.Lock()
	defer h.mu.Unlock()
	r.ID = ""
	if err := h.checkUnique(r); err != nil {
		return nil, err
	}
	if h.NewID != nil {
		r.ID = h.NewID()
	} else {
		r.ID = newID()
	}
	now := h.now()
	r.Meta = resource.Meta{ResourceType: h.rt.Name, Created: now, LastModified: now, Version: nextVersion("")}
	h.seal(r, nil)
	h.byID[r.ID] = r
	h.created++
	h.seq[r.ID] = h.created
	h.order = append(h.order, r.ID)
	h.indexAdd(r)
	return h.out(r), nil
}

// Get implements scim.ResourceHandler.
func (h *MemoryHandler) Get(ctx context.Context, id string) (*resource.Resource, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	r, ok := h.byID[id]
	if !ok {
		return nil, fmt.Errorf("%s %q: %w", h.rt.Name, id, scim.ErrNotFound)
	}
	return h.out(r), nil
}

// Replace implements scim.ResourceHandler.
func (h *MemoryHandler) Replace(ctx context.Context, r *resource.Resource, version string) (*resource.Resource, error) {
	r = r.Clone()
	h.mu.Lock()
	defer h.mu.Unlock()
	old, ok := h.byID[r.ID]
	if !ok {
		return nil, fmt.Errorf("%s %q: %w", h.rt.Name, r.ID, scim.ErrNotFound)
	}
	if version != "" && version != old.Meta.Version {
		return nil, fmt.Errorf("%s %q: %w", h.rt.Name, r.ID, scim.ErrVersionMismatch)
	}
	h.indexRemove(old)
	if err := h.checkUnique(r); err != nil {
		h.indexAdd(old)
		return nil, err
	}
	r.Meta = old.Meta
	r.Meta.ResourceType = h.rt.Name
	r.Meta.LastModified = h.now()
	r.Meta.Version = nextVersion(old.Meta.Version)
	h.seal(r, old)
	h.byID[r.ID] = r
	h.indexAdd(r)
	delete(h.values, r.ID)
	return h.out(r), nil
}

// Delete implements scim.ResourceHandler.
func (h *MemoryHandler) Delete(ctx context.Context, id string, version string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	old, ok := h.byID[id]
	if !ok {
		return fmt.Errorf("%s %q: %w", h.rt.Name, id, scim.ErrNotFound)
	}
	if version != "" && version != old.Meta.Version {
		return fmt.Errorf("%s %q: %w", h.rt.Name, id, scim.ErrVersionMismatch)
	}
	h.indexRemove(old)
	delete(h.byID, id)
	delete(h.values, id)
	if i, found := h.position(h.order, id); found {
		h.order = slices.Delete(h.order, i, i+1)
	}
	delete(h.seq, id)
	return nil
}

// List implements scim.ResourceHandler.
func (h *MemoryHandler) List(ctx context.Context, q *scim.Query) (*scim.Page, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	ids := h.candidates(q)
	var matched []*resource.Resource
	if q.Filter == nil && q.Sort == nil {
		// Page straight from the creation order without touching the rest.
		page := &scim.Page{TotalResults: len(ids)}
		start := q.StartIndex - 1
		if start < len(ids) {
			for _, id := range ids[start:min(start+q.Count, len(ids))] {
				page.Resources = append(page.Resources, h.out(h.byID[id]))
			}
		}
		return page, nil
	}
	for _, id := range ids {
		if r := h.byID[id]; q.Filter == nil || q.Filter.Match(r) {
			matched = append(matched, r)
		}
	}
	if q.Sort != nil {
		slices.SortStableFunc(matched, q.Sort.Compare)
	}
	page := &scim.Page{TotalResults: len(matched)}
	start := q.StartIndex - 1
	if start < len(matched) {
		for _, r := range matched[start:min(start+q.Count, len(matched))] {
			page.Resources = append(page.Resources, h.out(r))
		}
	}
	return page, nil
}

// candidates returns the ids, in creation order, of the resources that may
// match q's filter: those an index finds for an equality the filter
// requires, or all of them.
func (h *MemoryHandler) candidates(q *scim.Query) []string {
	if q.Filter == nil {
		return h.order
	}
	attr, v, ok := q.Filter.Equality()
	if !ok {
		return h.order
	}
	s, isString := v.(string)
	switch path := attr.String(); {
	case !isString:
	case path == "id":
		if _, ok := h.byID[s]; ok {
			return []string{s}
		}
		return nil
	case path == "externalId":
		return h.byExtID[s]
	case h.index[path] != nil:
		if !attr.Attr.CaseExact {
			s = foldKey(s)
		}
		if id, ok := h.index[path][s]; ok {
			return []string{id}
		}
		return nil
	}
	return h.order
}

func (h *MemoryHandler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

// nextVersion returns the version that follows prev: versions count the
// writes of each resource, from 1.
func nextVersion(prev string) string {
	n, _ := strconv.ParseUint(prev, 10, 64)
	return strconv.FormatUint(n+1, 10)
}

// uniqueKey returns the index key of r's value for a, and whether r has one.
func uniqueKey(a *schema.Attribute, r *resource.Resource) (string, bool) {
	s, ok := r.Attributes[a.Name].(string)
	if !ok {
		v, present := r.Attributes[a.Name]
		if !present || v == nil {
			return "", false
		}
		s = fmt.Sprint(v)
	}
	if !a.CaseExact {
		s = foldKey(s)
	}
	return s, true
}

// foldKey returns a key that is the same for two strings exactly when
// filters, which compare strings that are not caseExact through
// filter.Fold, consider them equal. (strings.ToLower is not enough: "ſ" and
// "s" are equal under Fold but not in lower case.)
func foldKey(s string) string {
	return filter.Fold(s)
}

func (h *MemoryHandler) checkUnique(r *resource.Resource) error {
	for _, a := range h.unique {
		if k, ok := uniqueKey(a, r); ok {
			if id, taken := h.index[a.Name][k]; taken && id != r.ID {
				return &scim.Error{Status: 409, Type: scim.Uniqueness,
					Detail: fmt.Sprintf("%s is already in use by another %s", a.Name, h.rt.Name)}
			}
		}
	}
	return nil
}

func (h *MemoryHandler) indexAdd(r *resource.Resource) {
	if h.members != nil {
		for _, v := range values(r.Attributes[h.members.Name]) {
			h.memberAdd(r.ID, v)
		}
	}
	for _, a := range h.unique {
		if k, ok := uniqueKey(a, r); ok {
			h.index[a.Name][k] = r.ID
		}
	}
	if r.ExternalID != "" {
		ids := h.byExtID[r.ExternalID]
		i, _ := h.position(ids, r.ID)
		h.byExtID[r.ExternalID] = slices.Insert(ids, i, r.ID)
	}
}

func (h *MemoryHandler) indexRemove(r *resource.Resource) {
	if h.members != nil {
		for _, v := range values(r.Attributes[h.members.Name]) {
			h.memberRemove(r.ID, v)
		}
	}
	for _, a := range h.unique {
		if k, ok := uniqueKey(a, r); ok {
			delete(h.index[a.Name], k)
		}
	}
	if ids := h.byExtID[r.ExternalID]; r.ExternalID != "" {
		ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == r.ID })
		if len(ids) == 0 {
			delete(h.byExtID, r.ExternalID)
		} else {
			h.byExtID[r.ExternalID] = ids
		}
	}
}

// position finds id in ids, which are in creation order, by binary
// search: where it is, or where it belongs.
func (h *MemoryHandler) position(ids []string, id string) (int, bool) {
	return slices.BinarySearchFunc(ids, h.seq[id], func(e string, seq uint64) int {
		return cmp.Compare(h.seq[e], seq)
	})
}

// newID returns a random (version 4) UUID.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
