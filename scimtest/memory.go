// Package scimtest helps test SCIM servers. Run and TestHandlers check a
// store's User and Group handlers (a Store), wired into a server, against
// RFC 7643/7644 and the contract of scim.ResourceHandler, in the manner of
// testing/slogtest: each failure names the rule broken and where it comes
// from. They work with resource types cut down to the attributes a store
// keeps (schema.ResourceType.Subset), skipping what needs an attribute a
// type lacks, and check a tenanted store's isolation of its tenants.
// MemoryHandler is the in-memory reference implementation, for tests and
// examples; Conversation holds golden HTTP exchanges, which
// ReadConversations reads and Record replays against a server.
// CheckEndpoint runs the cases that need only HTTP, and replays golden
// conversations, against a deployed service, on resources of its own
// that it deletes afterwards; cmd/scimcheck is its command.
package scimtest

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
// index instead of a scan; other filters are evaluated on each resource's
// filter.Record, which the first list that needs it builds and a write
// drops.
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
// A MemoryHandler is safe for concurrent use. As scim.ResourceHandler
// allows, it keeps the resources Create and Replace are given, and returns
// what it stores without copying it: a caller must change neither. A write
// stores a new resource and never changes one it has returned.
type MemoryHandler struct {
	rt          *schema.ResourceType
	unique      []*schema.Attribute // top-level single-valued attributes with uniqueness
	secrets     bool                // rt has write-only or never-returned attributes
	secretPaths []secretPath        // where they are

	// Now returns the time written to meta.created and meta.lastModified.
	// Nil means the current time in UTC. Set it before first use.
	Now func() time.Time

	// NewID returns the id for a new resource. Nil means a random UUID.
	// Set it before first use; it is called with the handler's lock held.
	NewID func() string

	mu      sync.RWMutex
	byID    map[string]*entry
	order   []*entry                     // in creation order
	created uint64                       // the last sequence number
	index   map[string]map[string]string // unique attribute name -> key -> id
	byExtID map[string][]*entry          // externalId -> entries, in creation order

	// members is rt's members attribute, if it has one, and memberOf maps
	// each member's value to the ids of the resources that list it.
	members  *schema.Attribute
	memberOf map[string]map[string]bool
}

// entry is one stored resource. Once a reader may hold r or view, neither
// changes: a write puts new ones in the entry.
type entry struct {
	r    *resource.Resource // as stored: secret values as digests
	view *resource.Resource // r as callers get it, without secret values
	seq  uint64             // creation sequence number

	// values indexes r's multi-valued attributes that Patch changes in
	// place, by name; see Patch. The slices of those attributes in r are
	// the entry's own, and out copies them for a caller.
	values map[string]*valueIndex

	// rec is r laid out for filters, built by the first List that
	// evaluates one on it, under the read lock, and dropped by a write.
	rec atomic.Pointer[filter.Record]
}

// record returns e's resource laid out for filters.
func (h *MemoryHandler) record(e *entry) *filter.Record {
	rec := e.rec.Load()
	if rec == nil {
		rec = filter.NewRecord(h.rt, e.r)
		e.rec.Store(rec)
	}
	return rec
}

// NewMemoryHandler returns an empty MemoryHandler for resources of type rt.
func NewMemoryHandler(rt *schema.ResourceType) *MemoryHandler {
	h := &MemoryHandler{
		rt:          rt,
		byID:        make(map[string]*entry),
		index:       make(map[string]map[string]string),
		byExtID:     make(map[string][]*entry),
		secretPaths: secretPaths(rt),
	}
	h.secrets = len(h.secretPaths) > 0
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
	h.created++
	e := &entry{seq: h.created}
	h.set(e, r)
	h.byID[r.ID] = e
	h.order = append(h.order, e)
	h.indexAdd(e)
	return h.out(e), nil
}

// Get implements scim.ResourceHandler.
func (h *MemoryHandler) Get(ctx context.Context, id string) (*resource.Resource, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	e, ok := h.byID[id]
	if !ok {
		return nil, fmt.Errorf("%s %q: %w", h.rt.Name, id, scim.ErrNotFound)
	}
	return h.out(e), nil
}

// Replace implements scim.ResourceHandler.
func (h *MemoryHandler) Replace(ctx context.Context, r *resource.Resource, version string) (*resource.Resource, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.byID[r.ID]
	if !ok {
		return nil, fmt.Errorf("%s %q: %w", h.rt.Name, r.ID, scim.ErrNotFound)
	}
	old := e.r
	if version != "" && version != old.Meta.Version {
		return nil, fmt.Errorf("%s %q: %w", h.rt.Name, r.ID, scim.ErrVersionMismatch)
	}
	h.indexRemove(e)
	if err := h.checkUnique(r); err != nil {
		h.indexAdd(e)
		return nil, err
	}
	r.Meta = old.Meta
	r.Meta.ResourceType = h.rt.Name
	r.Meta.LastModified = h.now()
	r.Meta.Version = nextVersion(old.Meta.Version)
	h.seal(r, old)
	h.set(e, r)
	e.values = nil
	h.indexAdd(e)
	return h.out(e), nil
}

// Delete implements scim.ResourceHandler.
func (h *MemoryHandler) Delete(ctx context.Context, id string, version string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.byID[id]
	if !ok {
		return fmt.Errorf("%s %q: %w", h.rt.Name, id, scim.ErrNotFound)
	}
	if version != "" && version != e.r.Meta.Version {
		return fmt.Errorf("%s %q: %w", h.rt.Name, id, scim.ErrVersionMismatch)
	}
	h.indexRemove(e)
	delete(h.byID, id)
	if i, found := position(h.order, e); found {
		h.order = slices.Delete(h.order, i, i+1)
	}
	return nil
}

// List implements scim.ResourceHandler. Without a sort it keeps only the
// page, counting the matches past it.
func (h *MemoryHandler) List(ctx context.Context, q *scim.Query) (*scim.Page, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	cands := h.candidates(q)
	page := &scim.Page{}
	start := q.StartIndex - 1
	end := start + min(q.Count, math.MaxInt-start)
	// Filters and sorts read meta.location, which is not stored: the few
	// that do see a copy with it filled in. Other filters are evaluated
	// on the entries' records, when they were resolved against the
	// handler's resource type, whose attributes records are laid out by.
	eval := func(e *entry) *resource.Resource { return e.r }
	location := q.EndpointURL != "" && (q.Filter != nil && q.Filter.Reads("meta.location") ||
		q.Sort != nil && strings.EqualFold(q.Sort.Attr.String(), "meta.location"))
	if location {
		eval = func(e *entry) *resource.Resource {
			c := *e.r
			c.Meta.Location = resource.Location(q.EndpointURL, c.ID)
			return &c
		}
	}
	records := !location && q.Filter != nil && q.Filter.ResourceType() == h.rt
	// match reports whether e, which eval gave as r, matches the filter.
	match := func(e *entry, r *resource.Resource) bool {
		if records {
			return q.Filter.MatchRecord(h.record(e))
		}
		return q.Filter.Match(r)
	}
	if q.Sort == nil {
		if q.Filter == nil {
			// Page straight from the creation order without touching the rest.
			page.TotalResults = len(cands)
			for _, e := range cands[min(start, len(cands)):min(end, len(cands))] {
				page.Resources = append(page.Resources, h.out(e))
			}
			return page, nil
		}
		n := 0
		for _, e := range cands {
			if !match(e, eval(e)) {
				continue
			}
			if n >= start && n < end {
				page.Resources = append(page.Resources, h.out(e))
			}
			n++
		}
		page.TotalResults = n
		return page, nil
	}
	type sorted struct {
		r *resource.Resource
		e *entry
	}
	var matched []sorted
	for _, e := range cands {
		if r := eval(e); q.Filter == nil || match(e, r) {
			matched = append(matched, sorted{r, e})
		}
	}
	slices.SortStableFunc(matched, func(a, b sorted) int { return q.Sort.Compare(a.r, b.r) })
	page.TotalResults = len(matched)
	for _, m := range matched[min(start, len(matched)):min(end, len(matched))] {
		page.Resources = append(page.Resources, h.out(m.e))
	}
	return page, nil
}

// candidates returns the entries, in creation order, of the resources that
// may match q's filter: those an index finds for an equality the filter
// requires, or all of them.
func (h *MemoryHandler) candidates(q *scim.Query) []*entry {
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
		if e, ok := h.byID[s]; ok {
			return []*entry{e}
		}
		return nil
	case path == "externalId":
		return h.byExtID[s]
	case h.index[path] != nil:
		if !attr.Attr.CaseExact {
			s = foldKey(s)
		}
		if id, ok := h.index[path][s]; ok {
			return []*entry{h.byID[id]}
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

func (h *MemoryHandler) indexAdd(e *entry) {
	r := e.r
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
		list := h.byExtID[r.ExternalID]
		i, _ := position(list, e)
		h.byExtID[r.ExternalID] = slices.Insert(list, i, e)
	}
}

func (h *MemoryHandler) indexRemove(e *entry) {
	r := e.r
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
	if list := h.byExtID[r.ExternalID]; r.ExternalID != "" {
		list = slices.DeleteFunc(list, func(o *entry) bool { return o == e })
		if len(list) == 0 {
			delete(h.byExtID, r.ExternalID)
		} else {
			h.byExtID[r.ExternalID] = list
		}
	}
}

// position finds e in list, which is in creation order, by binary search:
// where it is, or where it belongs.
func position(list []*entry, e *entry) (int, bool) {
	return slices.BinarySearchFunc(list, e.seq, func(o *entry, seq uint64) int {
		return cmp.Compare(o.seq, seq)
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
