// Package scim is an embeddable SCIM 2.0 server (RFC 7643, RFC 7644).
//
// A host describes its resource types with package schema, implements a
// ResourceHandler for each against its own storage, and mounts the Server
// under a path prefix. The server does everything else: routing, content
// types, validation of request bodies against the schemas, read-only and
// immutable attributes, attribute projection, entity tags and conditional
// requests, list paging, the discovery endpoints /ServiceProviderConfig,
// /ResourceTypes and /Schemas, and error responses in the form of RFC 7644
// §3.12.
//
// A complete server over the in-memory reference store:
//
//	users := schema.UserResourceType()
//	groups := schema.GroupResourceType()
//	srv, err := scim.NewServer(scim.Config{
//		Endpoints: []scim.Endpoint{
//			{Type: users, Handler: scimtest.NewMemoryHandler(users)},
//			{Type: groups, Handler: scimtest.NewMemoryHandler(groups)},
//		},
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	http.Handle("/scim/v2/", http.StripPrefix("/scim/v2", requireToken(srv)))
//	log.Fatal(http.ListenAndServe("127.0.0.1:8080", nil))
//
// Authentication, tenancy and rate limits belong to the host's middleware;
// WriteError lets middleware refuse a request with a SCIM error body.
package scim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/internal/clip"
	"github.com/scim-go/scim/patch"
	"github.com/scim-go/scim/schema"
)

// Config configures a Server. The zero value of every field but Endpoints
// selects the default written on it.
type Config struct {
	// Endpoints are the resource types the server serves, each with the
	// handler that stores its resources. At least one is required.
	Endpoints []Endpoint

	// BaseURL is the absolute URL the server is mounted at, such as
	// "https://example.com/scim/v2", used in meta.location and Location
	// headers. When empty, it is derived from each request: its scheme (https
	// when the connection is TLS), its Host header, and the path prefix that
	// http.StripPrefix removed. Set it when the server sits behind a proxy.
	BaseURL string

	// Logger receives server errors (Error level) and rejected requests
	// (Debug level). When nil, slog.Default() is used, looked up when
	// logging. Attribute values are never logged.
	Logger *slog.Logger

	// MaxBodyBytes limits the size of a request body; a larger one is
	// answered with 413. Default 1 MiB.
	MaxBodyBytes int64

	// MaxJSONDepth limits how deeply a request body nests objects and
	// arrays, and MaxAttributes how many members one object in it has;
	// MaxValues limits the values of one multi-valued attribute. Beyond
	// them a request is answered with 400 before the body is decoded.
	// Defaults 32, 1000 and 10,000.
	MaxJSONDepth  int
	MaxAttributes int
	MaxValues     int

	// DefaultPageSize is the number of resources a list returns when the
	// request gives no count. Default 100.
	DefaultPageSize int

	// MaxPageSize is the most resources a list returns, whatever count the
	// request gives; it is advertised as filter.maxResults. Default 1000.
	MaxPageSize int

	// MaxFilterLength and MaxFilterDepth bound the length in bytes and the
	// nesting depth of a filter; a longer or deeper one is answered with
	// 400 invalidFilter. Defaults filter.DefaultMaxLength (4096) and
	// filter.DefaultMaxDepth (32).
	MaxFilterLength int
	MaxFilterDepth  int

	// CursorPagination turns on cursor-based pagination (RFC 9865): the
	// cursor and nextCursor parameters, and the pagination block of
	// /ServiceProviderConfig that advertises them. Default false: strict
	// clients that predate RFC 9865, such as those built on python's
	// scim2-models, refuse a ServiceProviderConfig with a member they do
	// not know, and stop at discovery. Without it, a request with a
	// cursor is answered with 400 invalidValue.
	CursorPagination bool

	// CursorTimeout is how long a cursor of cursor-based pagination
	// (RFC 9865) stays valid. Default one hour.
	CursorTimeout time.Duration

	// CursorKey seals cursors so that clients cannot forge them. Servers
	// behind one load balancer must share a key, of at least 32 random
	// bytes, for a cursor from one to be accepted by another. When nil, each
	// Server makes a random key of its own.
	CursorKey []byte

	// Strict rejects attributes and schema URNs a resource type does not
	// define, and booleans or numbers written as strings, with 400 instead of
	// ignoring or converting them. Default false, as identity providers such
	// as Entra ID send both.
	Strict bool

	// Patch turns off leniencies of PATCH parsing for shapes identity
	// providers send (see package patch). The zero value accepts them all;
	// Strict turns them all off too.
	Patch patch.Options

	// PatchNoContent answers a successful PATCH with 204 No Content instead
	// of 200 and the resource, unless the request asks for attributes or
	// excludedAttributes (RFC 7644 §3.5.2).
	PatchNoContent bool

	// Me maps the caller of a request, whom the host's authentication
	// middleware put in the request's context, to the resource type name
	// and id of the caller's own resource, served at /Me (RFC 7644 §3.11).
	// When nil, /Me answers 501 Not Implemented. An error it returns is
	// answered as a ResourceHandler's would be, so middleware-style
	// *Error values such as a 401 pass through.
	Me func(ctx context.Context) (resourceType, id string, err error)

	// OnEvent, when not nil, is told of every committed write: each
	// create, replace, PATCH and delete, and each operation of a Bulk
	// request, as an Event with the kind of change (a deactivation as a
	// kind of its own), the names of the attributes changed, the members
	// added and removed, and who made it; never a value. It is not called
	// for a write that failed or changed nothing.
	//
	// It is called after the store has committed, on the goroutine of the
	// request, before the response is sent, with the request's context
	// freed from its cancellation (its values, such as the caller, are
	// kept). Calls for one resource come in the order its writes
	// committed: the server holds that resource's write turn during the
	// call. Calls for different resources run concurrently. A panic is
	// recovered and logged; nothing OnEvent does can fail the request,
	// but a slow OnEvent delays its response, so hand slow work, such as
	// delivering security event tokens, to a goroutine or a queue of your
	// own.
	//
	// Deleting a resource that groups list as a member changes those
	// groups too: each is reported as a PATCH of the group that removed
	// the member. When the group handler implements Memberships, the
	// server asks GroupsOf which groups list the resource just before
	// deleting it, and reports each at the version it reads after the
	// removal. A group that gained the member in between is changed but
	// not reported, and one that a concurrent PATCH removed the member
	// from first is reported twice. This work after a delete goes on when
	// the client has gone, until the request's deadline (30 seconds when
	// it has none).
	OnEvent func(ctx context.Context, e Event)

	// SecurityEventURIs, when not empty, are the event URIs of RFC 9967
	// the host issues as Security Event Tokens from OnEvent and delivers
	// to its receivers, such as secevent.NoticeURIs(). The server
	// advertises them in /ServiceProviderConfig as
	// securityEvents.eventUris, with asyncRequest "none" since it answers
	// every request once the write is done (RFC 9967 §4). Nil leaves
	// securityEvents out, which says the server issues none.
	SecurityEventURIs []string

	// Caller returns who made a request, from the context the host's
	// authentication middleware filled in, for Event.Caller. Nil leaves
	// Event.Caller empty.
	Caller func(ctx context.Context) string

	// BulkMaxOperations and BulkMaxPayload limit the operations and the
	// body size in bytes of a bulk request (RFC 7644 §3.7.4); more is
	// answered with 413. Both are advertised in /ServiceProviderConfig.
	// Defaults DefaultBulkMaxOperations (1000) and DefaultBulkMaxPayload
	// (1 MiB).
	BulkMaxOperations int
	BulkMaxPayload    int64

	// AuthenticationSchemes are advertised in /ServiceProviderConfig
	// (RFC 7643 §5). The server does not enforce them: that is the host's
	// middleware's work.
	AuthenticationSchemes []AuthenticationScheme

	// DocumentationURI is advertised in /ServiceProviderConfig; optional.
	DocumentationURI string
}

// Endpoint pairs a resource type with the handler that stores its
// resources.
type Endpoint struct {
	Type    *schema.ResourceType
	Handler ResourceHandler

	// PatchNoContent answers a successful PATCH of this type with 204 No
	// Content, as Config.PatchNoContent does for every type: for groups,
	// say, so that adding a member never sends a large group back, while
	// users are answered with 200 and the user, as clients built on the
	// first option of RFC 7644 §3.5.2 expect.
	PatchNoContent bool
}

// AuthenticationScheme describes an authentication scheme the host
// supports, as RFC 7643 §5 lists it in /ServiceProviderConfig.
type AuthenticationScheme struct {
	Type             string `json:"type"` // such as "oauthbearertoken" or "httpbasic"
	Name             string `json:"name"`
	Description      string `json:"description"`
	SpecURI          string `json:"specUri,omitempty"`
	DocumentationURI string `json:"documentationUri,omitempty"`
	Primary          bool   `json:"primary,omitempty"`
}

// Server is an http.Handler that serves the SCIM protocol for the
// configured endpoints. It is safe for concurrent use. Mount it with
// http.StripPrefix so that it sees paths such as "/Users/{id}".
type Server struct {
	cfg       Config
	cursorKey []byte
	now       func() time.Time // the clock for cursor expiry
	mux       *http.ServeMux
	endpoints []*endpoint
	schemas   []*schema.Schema // every core and extension schema, once
	// derived is the base URL last derived from a request, without
	// Config.BaseURL, for the next request to the same host and prefix.
	// It is one entry, not a map: Host is the client's to choose, and a
	// map of them would grow without bound.
	derived atomic.Pointer[derivedBase]
}

// derivedBase is a base URL derived from a request, with the URLs of the
// endpoints under it, in the order of Server.endpoints.
type derivedBase struct {
	tls          bool
	host, prefix string
	base         string
	urls         []string
}

type endpoint struct {
	rt     *schema.ResourceType
	h      ResourceHandler
	parser *filter.Parser
	locks  *resourceLocks // writers of one resource take turns; see update
	// noContent answers PATCH with 204 (Endpoint.PatchNoContent).
	noContent bool
	// members is the type's members attribute, for events.
	members *schema.Attribute
	refs    []refAttr // attributes whose values point at resources
	// groupEPs are the endpoints whose members may be resources of this
	// type, and groups is this type's groups attribute, to fill in.
	groupEPs []*endpoint
	groups   *schema.Attribute
	// url is the endpoint's absolute URL under Config.BaseURL.
	url string
	// index is the endpoint's place in Server.endpoints.
	index int
}

// NewServer checks cfg and returns a Server for it. It reports an error for
// an invalid schema or resource type, a missing handler, or two endpoints
// with the same name, path or schema URN under different definitions.
func NewServer(cfg Config) (*Server, error) {
	if len(cfg.Endpoints) == 0 {
		return nil, errors.New("scim: Config.Endpoints is empty")
	}
	cfg.SecurityEventURIs = slices.Clone(cfg.SecurityEventURIs)
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.MaxJSONDepth <= 0 {
		cfg.MaxJSONDepth = 32
	}
	if cfg.MaxAttributes <= 0 {
		cfg.MaxAttributes = 1000
	}
	if cfg.MaxValues <= 0 {
		cfg.MaxValues = 10_000
	}
	if cfg.MaxPageSize <= 0 {
		cfg.MaxPageSize = 1000
	}
	if cfg.DefaultPageSize <= 0 {
		cfg.DefaultPageSize = 100
	}
	cfg.DefaultPageSize = min(cfg.DefaultPageSize, cfg.MaxPageSize)
	if cfg.BulkMaxOperations <= 0 {
		cfg.BulkMaxOperations = DefaultBulkMaxOperations
	}
	if cfg.BulkMaxPayload <= 0 {
		cfg.BulkMaxPayload = DefaultBulkMaxPayload
	}
	if cfg.CursorTimeout <= 0 {
		cfg.CursorTimeout = time.Hour
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	s := &Server{cfg: cfg, mux: http.NewServeMux(), cursorKey: cfg.CursorKey, now: time.Now}
	if len(s.cursorKey) == 0 {
		s.cursorKey = newCursorKey()
	}
	names := make(map[string]bool)
	paths := make(map[string]bool)
	urns := make(map[string]*schema.Schema)
	addSchema := func(sc *schema.Schema) error {
		key := strings.ToLower(sc.ID)
		if prev, ok := urns[key]; ok {
			if prev != sc {
				return fmt.Errorf("scim: schema %s is defined twice; endpoints must share one *schema.Schema", sc.ID)
			}
			return nil
		}
		urns[key] = sc
		s.schemas = append(s.schemas, sc)
		return nil
	}
	for i, e := range cfg.Endpoints {
		if e.Type == nil {
			return nil, fmt.Errorf("scim: Config.Endpoints[%d].Type is nil", i)
		}
		if e.Handler == nil {
			return nil, fmt.Errorf("scim: endpoint %s has no Handler", e.Type.Name)
		}
		if err := e.Type.Validate(); err != nil {
			return nil, fmt.Errorf("scim: %w", err)
		}
		if !validEndpoint(e.Type.Endpoint) {
			return nil, fmt.Errorf("scim: endpoint %q of %s must be \"/\" and one path segment of letters, digits, '-', '_' or '.'", e.Type.Endpoint, e.Type.Name)
		}
		name, path := strings.ToLower(e.Type.Name), strings.ToLower(e.Type.Endpoint)
		if names[name] || paths[path] {
			return nil, fmt.Errorf("scim: two endpoints named %s or at %s", e.Type.Name, e.Type.Endpoint)
		}
		if reserved[path] {
			return nil, fmt.Errorf("scim: endpoint %s uses a path the protocol reserves", e.Type.Endpoint)
		}
		names[name], paths[path] = true, true
		if err := addSchema(e.Type.Schema); err != nil {
			return nil, err
		}
		for _, x := range e.Type.Extensions {
			if err := addSchema(x.Schema); err != nil {
				return nil, err
			}
		}
		ep := &endpoint{rt: e.Type, h: e.Handler, parser: &filter.Parser{
			MaxLength:  cfg.MaxFilterLength,
			MaxDepth:   cfg.MaxFilterDepth,
			SchemaURNs: e.Type.SchemaURNs(),
		}, locks: newResourceLocks(), noContent: e.PatchNoContent, url: cfg.BaseURL + e.Type.Endpoint}
		ep.index = len(s.endpoints)
		s.endpoints = append(s.endpoints, ep)
		s.mux.HandleFunc(e.Type.Endpoint, s.collection(ep))
		s.mux.HandleFunc(e.Type.Endpoint+"/{$}", s.collection(ep))
		s.mux.HandleFunc(e.Type.Endpoint+"/{id}", s.member(ep))
		s.mux.HandleFunc(e.Type.Endpoint+"/.search", s.search(ep))
	}
	for _, ep := range s.endpoints {
		ep.refs = s.refAttrs(ep)
		if a := ep.rt.Schema.Attribute("members"); a != nil && a.MultiValued && a.Type == schema.Complex {
			ep.members = a
		}
	}
	s.linkGroups()
	s.mux.HandleFunc("/ServiceProviderConfig", s.serviceProviderConfig)
	s.mux.HandleFunc("/ResourceTypes", s.resourceTypes)
	s.mux.HandleFunc("/ResourceTypes/{name}", s.resourceType)
	s.mux.HandleFunc("/Schemas", s.schemaList)
	s.mux.HandleFunc("/Schemas/{urn}", s.schema)
	s.mux.HandleFunc("/Bulk", s.bulk)
	s.mux.HandleFunc("/Me", s.me)
	s.mux.HandleFunc("/.search", s.rootSearch)
	s.mux.HandleFunc("/{$}", s.root)
	s.mux.HandleFunc("/", s.notFound)
	return s, nil
}

// validEndpoint reports whether path is "/" and one segment that a URL and
// a http.ServeMux pattern take as it is.
func validEndpoint(path string) bool {
	if len(path) < 2 || path[0] != '/' || path[1] == '.' {
		return false
	}
	for _, c := range path[1:] {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// reserved are the paths of RFC 7644 §3.2 a resource type cannot take.
var reserved = map[string]bool{
	"/serviceproviderconfig": true, "/resourcetypes": true, "/schemas": true,
	"/bulk": true, "/me": true, "/.search": true, "/": true,
}

// ServeHTTP serves a SCIM request. A panic in a handler is recovered and
// answered with 500.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger().ErrorContext(r.Context(), "scim: panic serving request",
				"method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
			writeError(w, r, &Error{Status: http.StatusInternalServerError, Detail: "internal server error"})
		}
	}()
	if id := r.Header.Get("X-Request-Id"); id != "" {
		r = r.WithContext(withRequestID(r.Context(), id))
	}
	if ep, id, ok := s.memberPath(r.URL); ok {
		s.serveMember(w, r, ep, id)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// memberPath reports whether path is that of one resource, Endpoint/id,
// as the route Endpoint/{id} would match it, so that the commonest
// requests skip the mux; an endpoint is one path segment, so no other
// route lies under it but Endpoint/.search. Anything else, such as a path
// the mux would clean or one with an escaped "/" (which the mux does not
// take for a separator: /Users%2F0 is no endpoint's path), is left to the
// mux.
func (s *Server) memberPath(u *url.URL) (*endpoint, string, bool) {
	if u.RawPath != "" {
		// The path has escapes its decoded form does not round-trip to,
		// such as %2F.
		return nil, "", false
	}
	path := u.Path
	for _, ep := range s.endpoints {
		e := ep.rt.Endpoint
		if len(path) <= len(e)+1 || path[len(e)] != '/' || path[:len(e)] != e {
			continue
		}
		id := path[len(e)+1:]
		if strings.IndexByte(id, '/') >= 0 || id == "." || id == ".." || id == ".search" {
			return nil, "", false
		}
		return ep, id, true
	}
	return nil, "", false
}

// Route returns the pattern of the server's routes that r's path matches,
// such as "/Users/{id}", "/Users" or "/Bulk", or "" for none: a name for
// the endpoint a request reaches that does not carry ids or queries, for
// metrics and traces. r's path is as the server sees it, after
// http.StripPrefix.
func (s *Server) Route(r *http.Request) string {
	_, pattern := s.mux.Handler(r)
	if pattern == "/" {
		return ""
	}
	return pattern
}

func (s *Server) logger() *slog.Logger {
	if s.cfg.Logger != nil {
		return s.cfg.Logger
	}
	return slog.Default()
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, Errorf(http.StatusNotFound, "", "no endpoint at %s", clip.String(r.URL.Path)))
}

// fail writes err as a SCIM error response and logs it: at Error level
// when it is the server's fault, at Debug level when it is the client's or
// asks for what the configuration leaves out (501).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := classify(err)
	if e.Status >= 500 && e.Status != http.StatusNotImplemented {
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", e.Status}
		if e.err != nil {
			attrs = append(attrs, "error", e.err.Error())
		}
		s.logger().ErrorContext(r.Context(), "scim: request failed", attrs...)
	} else {
		s.logger().DebugContext(r.Context(), "scim: request rejected",
			"method", r.Method, "path", r.URL.Path, "status", e.Status, "scimType", string(e.Type))
	}
	writeError(w, r, e)
}

// allow answers a request whose method the path does not support.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, methods string) {
	w.Header().Set("Allow", methods)
	s.fail(w, r, Errorf(http.StatusMethodNotAllowed, "", "method %s is not allowed on %s; allowed: %s", clip.String(r.Method), clip.String(r.URL.Path), methods))
}

// baseURL returns the absolute URL the server is mounted at, without a
// trailing slash.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	if base, ok := r.Context().Value(baseURLKey{}).(string); ok {
		return base // an operation of a bulk request
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	uri := r.RequestURI
	if i := strings.IndexByte(uri, '?'); i >= 0 {
		uri = uri[:i]
	}
	// The prefix http.StripPrefix removed is what is left of the request
	// URI without as many trailing segments as the path the server sees.
	// Segments are counted, not compared, since a client may escape
	// characters (such as "|") differently than Go does.
	for n := strings.Count(r.URL.EscapedPath(), "/"); n > 0; n-- {
		i := strings.LastIndexByte(uri, '/')
		if i < 0 {
			break
		}
		uri = uri[:i]
	}
	if strings.HasPrefix(uri, "http://") || strings.HasPrefix(uri, "https://") {
		return uri // an absolute request URI carries its own scheme and host
	}
	if d := s.derived.Load(); d != nil && d.tls == (r.TLS != nil) && d.host == r.Host && d.prefix == uri {
		return d.base
	}
	d := &derivedBase{tls: r.TLS != nil, host: r.Host, prefix: uri, base: scheme + "://" + r.Host + uri}
	d.urls = make([]string, len(s.endpoints))
	for i, ep := range s.endpoints {
		d.urls[i] = d.base + ep.rt.Endpoint
	}
	s.derived.Store(d)
	return d.base
}
