package scim

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/scim-go/scim/internal/clip"
	"github.com/scim-go/scim/internal/jsonlimit"
	"github.com/scim-go/scim/patch"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// maxAttempts bounds how often a write without If-Match re-reads and
// retries when another writer changed the resource between its read and its
// write.
const maxAttempts = 10

func (s *Server) collection(ep *endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			s.list(w, r, ep)
		case http.MethodPost:
			s.create(w, r, ep)
		default:
			s.allow(w, r, "GET, POST")
		}
	}
}

func (s *Server) member(ep *endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.serveMember(w, r, ep, r.PathValue("id"))
	}
}

// serveMember serves a request for the resource id of ep.
func (s *Server) serveMember(w http.ResponseWriter, r *http.Request, ep *endpoint, id string) {
	{
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			s.get(w, r, ep, id)
		case http.MethodPut:
			s.replace(w, r, ep, id)
		case http.MethodPatch:
			s.patch(w, r, ep, id)
		case http.MethodDelete:
			s.delete(w, r, ep, id)
		default:
			s.allow(w, r, "GET, PUT, PATCH, DELETE")
		}
	}
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, ep *endpoint, id string) {
	proj := projection(r, ep.rt)
	res, err := ep.read(r.Context(), id, proj)
	if err != nil {
		s.fail(w, r, ep.notFound(id, err))
		return
	}
	if res.Meta.Version != "" && matchETag(r.Header.Get("If-None-Match"), res.Meta.Version) {
		w.Header().Set("ETag", resource.ETag(res.Meta.Version))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.writeResource(w, r, ep, http.StatusOK, res, proj)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, ep *endpoint) {
	proj := projection(r, ep.rt)
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.decode(ep.rt, body)
	if err == nil {
		err = checkRequired(ep.rt, res)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := ep.h.Create(r.Context(), res)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.cfg.OnEvent != nil {
		if lk, err := ep.locks.lock(r.Context(), out.ID); err == nil {
			func() {
				defer lk.unlock()
				s.emit(r.Context(), createdEvent(ep, res, out))
			}()
		}
	}
	s.writeResource(w, r, ep, http.StatusCreated, out, proj)
}

func (s *Server) replace(w http.ResponseWriter, r *http.Request, ep *endpoint, id string) {
	proj := projection(r, ep.rt)
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next, err := s.decode(ep.rt, body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	first := true
	out, err := s.update(r.Context(), ep, id, r.Header.Get("If-Match"), Replaced, func(stored *resource.Resource) (*resource.Resource, error) {
		res := next
		if !first {
			// Merge changed next; a retry starts again from the body.
			if res, err = s.decode(ep.rt, body); err != nil {
				return nil, err
			}
		}
		first = false
		if err := resource.Merge(ep.rt, stored, res); err != nil {
			return nil, resourceError(err)
		}
		return res, checkRequired(ep.rt, res)
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeResource(w, r, ep, http.StatusOK, out, proj)
}

// patch serves PATCH on a resource (RFC 7644 §3.5.2). The operations are
// applied to the stored resource, which is checked against the schemas and
// written back conditioned on the version read, so a concurrent change is
// never lost; if any operation fails, nothing is stored.
func (s *Server) patch(w http.ResponseWriter, r *http.Request, ep *endpoint, id string) {
	proj := projection(r, ep.rt)
	body, err := s.readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ops, err := patch.Parse(ep.rt, body, s.patchOptions())
	if err != nil {
		s.fail(w, r, patchError(err))
		return
	}
	var out *resource.Resource
	var version string
	noContent := (s.cfg.PatchNoContent || ep.noContent) && proj == nil
	if p, ok := ep.h.(Patcher); ok {
		var res *PatchResult
		if res, err = s.patchNatively(r, ep, p, id, ops, !noContent); err == nil {
			out, version = res.Resource, res.Version
		}
	} else {
		out, err = s.update(r.Context(), ep, id, r.Header.Get("If-Match"), Patched, func(stored *resource.Resource) (*resource.Resource, error) {
			res := stored.Clone()
			if err := patch.Apply(ep.rt, res, ops); err != nil {
				return nil, patchError(err)
			}
			return res, checkRequired(ep.rt, res)
		})
		if err == nil {
			version = out.Meta.Version
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if noContent {
		if version != "" {
			w.Header().Set("ETag", resource.ETag(version))
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if out == nil {
		if out, err = ep.read(r.Context(), id, proj); err != nil {
			s.fail(w, r, ep.notFound(id, err))
			return
		}
	}
	s.writeResource(w, r, ep, http.StatusOK, out, proj)
}

// patchNatively hands the operations to a handler that applies them
// itself, with the version If-Match names, if one. Only an If-Match that
// lists several entity tags makes the server read the resource to pick the
// version that matches. body says the response carries the resource.
func (s *Server) patchNatively(r *http.Request, ep *endpoint, p Patcher, id string, ops []patch.Operation, body bool) (*PatchResult, error) {
	version, single := "", true
	if ifMatch := strings.TrimSpace(r.Header.Get("If-Match")); ifMatch != "" && ifMatch != "*" {
		if version, single = etagVersion(ifMatch); !single {
			stored, err := ep.h.Get(r.Context(), id)
			if err != nil {
				return nil, ep.notFound(id, err)
			}
			if !matchETag(ifMatch, stored.Meta.Version) {
				return nil, errPrecondition()
			}
			version = stored.Meta.Version
		}
	}
	res, err := s.applyPatch(r.Context(), ep, p, &PatchRequest{ID: id, Operations: ops, Version: version, MaxValues: s.cfg.MaxValues, Resource: body})
	if errors.Is(err, ErrVersionMismatch) && version != "" {
		var e *Error
		if !errors.As(err, &e) {
			return nil, errPrecondition()
		}
	}
	if err != nil {
		return nil, ep.notFound(id, patchError(resourceError(err)))
	}
	return res, nil
}

// applyPatch has p apply req under the write lock of req.ID, and reports
// the change to Config.OnEvent.
func (s *Server) applyPatch(ctx context.Context, ep *endpoint, p Patcher, req *PatchRequest) (*PatchResult, error) {
	lk, err := ep.locks.lock(ctx, req.ID)
	if err != nil {
		return nil, err
	}
	defer lk.unlock()
	req.Changes = s.cfg.OnEvent != nil
	res, err := p.Patch(ctx, req)
	if err != nil {
		return nil, err
	}
	if res == nil {
		res = &PatchResult{}
	}
	if res.Resource != nil && res.Version == "" {
		res.Version = res.Resource.Meta.Version
	}
	if s.cfg.OnEvent != nil && (res.Changes == nil || !res.Changes.empty()) {
		s.emit(ctx, patchedEvent(ep, req.ID, req.Operations, res))
	}
	return res, nil
}

func (s *Server) patchOptions() patch.Options {
	o := s.cfg.Patch
	o.Strict = o.Strict || s.cfg.Strict
	if o.MaxValues <= 0 {
		o.MaxValues = s.cfg.MaxValues
	}
	return o
}

// patchError turns a *patch.Error into a 400 *Error.
func patchError(err error) error {
	var pe *patch.Error
	if errors.As(err, &pe) {
		return &Error{Status: http.StatusBadRequest, Type: ErrorType(pe.Type), Detail: pe.Error()}
	}
	return err
}

// update reads the resource id, lets modify compute its new state, and
// writes that conditioned on the version it read (RFC 7644 §3.14), so that
// no concurrent change is lost. ifMatch is the request's If-Match header:
// when it names versions, a stale read is 412; otherwise a write that loses
// a race with another writer is re-read and retried, a bounded number of
// times. Writers within this process take turns on the same resource, so
// they retry only against writers elsewhere.
func (s *Server) update(ctx context.Context, ep *endpoint, id, ifMatch string, kind ChangeKind, modify func(stored *resource.Resource) (*resource.Resource, error)) (*resource.Resource, error) {
	lk, err := ep.locks.lock(ctx, id)
	if err != nil {
		return nil, err
	}
	defer lk.unlock()
	conditional := ifMatch != "" && strings.TrimSpace(ifMatch) != "*"
	for attempt := 1; ; attempt++ {
		stored, err := ep.h.Get(ctx, id)
		if err != nil {
			return nil, ep.notFound(id, err)
		}
		if ifMatch != "" && !matchETag(ifMatch, stored.Meta.Version) {
			return nil, errPrecondition()
		}
		next, err := modify(stored)
		if err == nil {
			err = resourceError(resource.CheckValues(ep.rt, next, s.cfg.MaxValues))
		}
		if err != nil {
			return nil, err
		}
		if resource.Identical(stored, next) {
			// Nothing to write: a PATCH adding a value already there must
			// not change the version or timestamp (RFC 7644 §3.5.2.1).
			return stored, nil
		}
		next.ID = stored.ID
		out, err := ep.h.Replace(ctx, next, stored.Meta.Version)
		if errors.Is(err, ErrVersionMismatch) && !conditional {
			if attempt == maxAttempts {
				return nil, Errorf(http.StatusServiceUnavailable, "", "%s %s is being changed by other requests; retry", ep.rt.Name, clip.Quote(id))
			}
			// Another writer came between our read and our write.
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(rand.IntN(attempt*5)+1) * time.Millisecond):
			}
			continue
		}
		if err != nil {
			return nil, ep.notFound(id, err)
		}
		if s.cfg.OnEvent != nil {
			s.emit(ctx, changedEvent(ep, kind, stored, out))
		}
		return out, nil
	}
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request, ep *endpoint, id string) {
	version := ""
	// If-Match: * asks only that the resource exists, which Delete checks.
	if ifMatch := r.Header.Get("If-Match"); ifMatch != "" && strings.TrimSpace(ifMatch) != "*" {
		stored, err := ep.h.Get(r.Context(), id)
		if err != nil {
			s.fail(w, r, ep.notFound(id, err))
			return
		}
		if !matchETag(ifMatch, stored.Meta.Version) {
			s.fail(w, r, errPrecondition())
			return
		}
		version = stored.Meta.Version
	}
	var groups map[*endpoint][]string
	err := func() error {
		lk, err := ep.locks.lock(r.Context(), id)
		if err != nil {
			return err
		}
		defer lk.unlock() // also when Delete panics
		// The groups a store with Memberships removes id from, for their
		// events: it may do so within Delete, after which they are unknown.
		groups = s.groupsListing(r.Context(), ep, id)
		if err := ep.h.Delete(r.Context(), id, version); err != nil {
			return err
		}
		s.emit(r.Context(), Event{Kind: Deleted, ResourceType: ep.rt.Name, ID: id})
		return nil
	}()
	if err != nil {
		s.fail(w, r, ep.notFound(id, err))
		return
	}
	s.removeMemberships(r, ep, id, groups)
	w.WriteHeader(http.StatusNoContent)
}

// read reads the resource id for a response that carries what proj
// includes: through PartialGetter when the handler has it and proj leaves
// something out.
func (ep *endpoint) read(ctx context.Context, id string, proj *resource.Projection) (*resource.Resource, error) {
	if pg, ok := ep.h.(PartialGetter); ok && proj != nil {
		return pg.GetPartial(ctx, id, proj)
	}
	return ep.h.Get(ctx, id)
}

// notFound gives a handler's ErrNotFound a detail naming the resource; it
// returns other errors as they are.
func (ep *endpoint) notFound(id string, err error) error {
	var e *Error
	if errors.Is(err, ErrNotFound) && !errors.As(err, &e) {
		return Errorf(http.StatusNotFound, "", "%s %s not found", ep.rt.Name, clip.Quote(id))
	}
	return err
}

// errPrecondition answers an If-Match that names no current version. The
// detail does not name the current one: a store that checks versions in
// its own compare-and-swap does not report it, and every store's answer is
// the same.
func errPrecondition() *Error {
	return &Error{Status: http.StatusPreconditionFailed, Detail: "resource has changed: If-Match does not match its current version"}
}

func (s *Server) decode(rt *schema.ResourceType, body []byte) (*resource.Resource, error) {
	res, err := resource.Decode(rt, body, resource.DecodeOptions{Strict: s.cfg.Strict, MaxValues: s.cfg.MaxValues})
	return res, resourceError(err)
}

func checkRequired(rt *schema.ResourceType, res *resource.Resource) error {
	return resourceError(resource.CheckRequired(rt, res))
}

// resourceError turns a *resource.Error into a 400 *Error.
func resourceError(err error) error {
	var re *resource.Error
	if errors.As(err, &re) {
		return &Error{Status: http.StatusBadRequest, Type: ErrorType(re.Type), Detail: re.Error()}
	}
	return err
}

// readBody checks the request's content type and reads its body, at most
// Config.MaxBodyBytes of it.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return s.readBodyLimit(w, r, s.cfg.MaxBodyBytes)
}

// readBodyLimit is readBody with a limit of its own.
func (s *Server) readBodyLimit(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" && ct != contentType {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/scim+json" && mt != "application/json") {
			return nil, Errorf(http.StatusUnsupportedMediaType, "", "content type %s is not supported; send application/scim+json", clip.Quote(ct))
		}
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
			return nil, Errorf(http.StatusUnsupportedMediaType, "", "charset %s is not supported; send UTF-8", clip.Quote(cs))
		}
	}
	if r.ContentLength > limit {
		return nil, errTooLarge(limit)
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, limit), r.ContentLength)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errTooLarge(limit)
		}
		return nil, Errorf(http.StatusBadRequest, InvalidSyntax, "request body could not be read")
	}
	if len(body) == 0 {
		return nil, Errorf(http.StatusBadRequest, InvalidSyntax, "request body is empty")
	}
	if err := jsonlimit.Check(body, jsonlimit.Limits{MaxDepth: s.cfg.MaxJSONDepth, MaxMembers: s.cfg.MaxAttributes}); err != nil {
		var je *jsonlimit.Error
		if errors.As(err, &je) && je.Value {
			if je.Path == "" {
				return nil, Errorf(http.StatusBadRequest, InvalidValue, "%s", je.Msg)
			}
			return nil, Errorf(http.StatusBadRequest, InvalidValue, "attribute %s: %s", clip.Quote(je.Path), je.Msg)
		}
		return nil, Errorf(http.StatusBadRequest, InvalidSyntax, "%s", err.Error())
	}
	return body, nil
}

// readAll reads r to the end into a buffer sized for the expected length
// (-1 when unknown), so that a body of known length is read without
// copying. Beyond 64 KiB the buffer grows as the body arrives, so that a
// client announcing a large body and sending it slowly, or not at all, does
// not get the memory for it up front.
func readAll(r io.Reader, expected int64) ([]byte, error) {
	size := 512
	if expected > 0 {
		size = int(min(expected, 64<<10)) + 1 // room to see EOF without growing
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func errTooLarge(limit int64) *Error {
	return Errorf(http.StatusRequestEntityTooLarge, "", "request body is larger than %d bytes", limit)
}

// projection reads the attributes and excludedAttributes query parameters
// (RFC 7644 §3.9).
func projection(r *http.Request, rt *schema.ResourceType) *resource.Projection {
	if r.URL.RawQuery == "" {
		return nil
	}
	q := r.URL.Query()
	return resource.NewProjection(rt, splitList(q["attributes"]), splitList(q["excludedAttributes"]))
}

// splitList splits comma-separated parameter values.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// writeResource writes res with its ETag, and for 201 its Location.
func (s *Server) writeResource(w http.ResponseWriter, r *http.Request, ep *endpoint, status int, res *resource.Resource, proj *resource.Projection) {
	if ep.groups != nil {
		filled, err := s.fillGroups(r.Context(), ep, []*resource.Resource{res}, proj)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		res = filled[0]
	}
	base := s.baseURL(r)
	out := s.present(r.Context(), base, ep, res)
	endpoint := s.endpointURL(base, ep)
	bp := bufPool.Get().(*[]byte)
	buf := resource.AppendJSONAt((*bp)[:0], ep.rt, out, proj, endpoint)
	if status == http.StatusCreated {
		loc := out.Meta.Location
		if loc == "" {
			loc = resource.Location(endpoint, out.ID)
		}
		w.Header().Set("Location", loc)
	}
	s.writeTagged(w, r, status, buf, out.Meta.Version)
	*bp = buf
	if cap(buf) <= 64<<10 {
		bufPool.Put(bp)
	}
}

// present returns res with the "$ref" of values that point at resources
// filled in, leaving the handler's value untouched. base is the request's
// base URL.
func (s *Server) present(ctx context.Context, base string, ep *endpoint, res *resource.Resource) *resource.Resource {
	if len(ep.refs) == 0 {
		return res
	}
	return s.fillRefs(ctx, base, ep, res)
}

// endpointURL returns the absolute URL of ep's endpoint under base, the
// request's base URL, for resource.AppendJSONAt.
func (s *Server) endpointURL(base string, ep *endpoint) string {
	if base == s.cfg.BaseURL {
		return ep.url
	}
	if d := s.derived.Load(); d != nil && d.base == base {
		return d.urls[ep.index]
	}
	return base + ep.rt.Endpoint
}
