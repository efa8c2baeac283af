package scim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/scim-go/scim/internal/clip"
	"github.com/scim-go/scim/schema"
)

// The discovery endpoints of RFC 7644 §4. Their bodies are built per
// request since meta.location depends on the request's base URL.

// serviceProviderConfig serves /ServiceProviderConfig (RFC 7643 §5),
// advertising what this server supports.
func (s *Server) serviceProviderConfig(w http.ResponseWriter, r *http.Request) {
	if !s.readOnly(w, r) {
		return
	}
	type supported struct {
		Supported bool `json:"supported"`
	}
	schemes := s.cfg.AuthenticationSchemes
	if schemes == nil {
		schemes = []AuthenticationScheme{}
	}
	doc := struct {
		Schemas          []string               `json:"schemas"`
		DocumentationURI string                 `json:"documentationUri,omitempty"`
		Patch            supported              `json:"patch"`
		Bulk             bulkConfig             `json:"bulk"`
		Filter           filterConfig           `json:"filter"`
		ChangePassword   supported              `json:"changePassword"`
		Sort             supported              `json:"sort"`
		ETag             supported              `json:"etag"`
		Pagination       *pagination            `json:"pagination,omitempty"`
		SecurityEvents   *securityEvents        `json:"securityEvents,omitempty"`
		Auth             []AuthenticationScheme `json:"authenticationSchemes"`
		Meta             meta                   `json:"meta"`
	}{
		Schemas:          []string{schema.ServiceProviderConfigURN},
		DocumentationURI: s.cfg.DocumentationURI,
		Bulk:             bulkConfig{true, s.cfg.BulkMaxOperations, s.cfg.BulkMaxPayload},
		Filter:           filterConfig{Supported: true, MaxResults: s.cfg.MaxPageSize},
		Sort:             supported{true},
		Patch:            supported{true},
		ChangePassword:   supported{s.changePassword()},
		ETag:             supported{true},
		Auth:             schemes,
		Meta: meta{
			ResourceType: "ServiceProviderConfig",
			Location:     s.baseURL(r) + "/ServiceProviderConfig",
		},
	}
	if s.cfg.CursorPagination {
		doc.Pagination = &pagination{
			Cursor:                  true,
			Index:                   true,
			DefaultPaginationMethod: "index",
			DefaultPageSize:         s.cfg.DefaultPageSize,
			MaxPageSize:             s.cfg.MaxPageSize,
			CursorTimeout:           int(s.cfg.CursorTimeout / time.Second),
		}
	}
	if len(s.cfg.SecurityEventURIs) > 0 {
		doc.SecurityEvents = &securityEvents{AsyncRequest: "none", EventURIs: s.cfg.SecurityEventURIs}
	}
	s.writeDoc(w, r, doc)
}

// securityEvents is the ServiceProviderConfig block of RFC 9967 §4.
type securityEvents struct {
	AsyncRequest string   `json:"asyncRequest"`
	EventURIs    []string `json:"eventUris"`
}

type bulkConfig struct {
	Supported      bool  `json:"supported"`
	MaxOperations  int   `json:"maxOperations"`
	MaxPayloadSize int64 `json:"maxPayloadSize"`
}

// pagination is the ServiceProviderConfig block of RFC 9865 §4.
type pagination struct {
	Cursor                  bool   `json:"cursor"`
	Index                   bool   `json:"index"`
	DefaultPaginationMethod string `json:"defaultPaginationMethod"`
	DefaultPageSize         int    `json:"defaultPageSize"`
	MaxPageSize             int    `json:"maxPageSize"`
	CursorTimeout           int    `json:"cursorTimeout"`
}

type filterConfig struct {
	Supported  bool `json:"supported"`
	MaxResults int  `json:"maxResults"`
}

type meta struct {
	ResourceType string `json:"resourceType"`
	Location     string `json:"location"`
}

// changePassword reports whether a client can set a password: whether any
// resource type has a writable "password" attribute.
func (s *Server) changePassword() bool {
	for _, ep := range s.endpoints {
		if a := ep.rt.Schema.Attribute("password"); a != nil && a.Mutability != schema.ReadOnly {
			return true
		}
	}
	return false
}

// resourceTypes serves /ResourceTypes (RFC 7644 §4).
func (s *Server) resourceTypes(w http.ResponseWriter, r *http.Request) {
	if !s.readOnly(w, r) {
		return
	}
	base := s.baseURL(r)
	docs := make([]json.RawMessage, 0, len(s.endpoints))
	for _, ep := range s.endpoints {
		docs = append(docs, resourceTypeDoc(ep.rt, base))
	}
	s.writeList(w, r, docs)
}

// resourceType serves /ResourceTypes/{name}.
func (s *Server) resourceType(w http.ResponseWriter, r *http.Request) {
	if !s.readOnly(w, r) {
		return
	}
	name := r.PathValue("name")
	for _, ep := range s.endpoints {
		if strings.EqualFold(ep.rt.Name, name) || strings.EqualFold(resourceTypeID(ep.rt), name) {
			s.writeJSON(w, r, http.StatusOK, resourceTypeDoc(ep.rt, s.baseURL(r)))
			return
		}
	}
	s.fail(w, r, Errorf(http.StatusNotFound, "", "no resource type %s", clip.Quote(name)))
}

func resourceTypeID(rt *schema.ResourceType) string {
	if rt.ID != "" {
		return rt.ID
	}
	return rt.Name
}

func resourceTypeDoc(rt *schema.ResourceType, base string) json.RawMessage {
	body, err := rt.MarshalWithMeta(base + "/ResourceTypes/" + url.PathEscape(resourceTypeID(rt)))
	if err != nil {
		panic("scim: marshal resource type " + rt.Name + ": " + err.Error()) // checked by NewServer
	}
	return body
}

// schemaList serves /Schemas (RFC 7644 §4).
func (s *Server) schemaList(w http.ResponseWriter, r *http.Request) {
	if !s.readOnly(w, r) {
		return
	}
	base := s.baseURL(r)
	docs := make([]json.RawMessage, 0, len(s.schemas))
	for _, sc := range s.schemas {
		docs = append(docs, schemaDoc(sc, base))
	}
	s.writeList(w, r, docs)
}

// schema serves /Schemas/{urn}.
func (s *Server) schema(w http.ResponseWriter, r *http.Request) {
	if !s.readOnly(w, r) {
		return
	}
	urn := r.PathValue("urn")
	for _, sc := range s.schemas {
		if strings.EqualFold(sc.ID, urn) {
			s.writeJSON(w, r, http.StatusOK, schemaDoc(sc, s.baseURL(r)))
			return
		}
	}
	s.fail(w, r, Errorf(http.StatusNotFound, "", "no schema %s", clip.Quote(urn)))
}

func schemaDoc(sc *schema.Schema, base string) json.RawMessage {
	body, err := sc.MarshalWithMeta(base + "/Schemas/" + sc.ID)
	if err != nil {
		panic("scim: marshal schema " + sc.ID + ": " + err.Error()) // checked by NewServer
	}
	return body
}

// writeList writes docs as one ListResponse holding all of them.
func (s *Server) writeList(w http.ResponseWriter, r *http.Request, docs []json.RawMessage) {
	buf := appendListHeader(nil, len(docs), len(docs), 1)
	for i, d := range docs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, d...)
	}
	s.writeJSON(w, r, http.StatusOK, append(buf, "]}"...))
}

// writeDoc writes v, a discovery document, as JSON.
func (s *Server) writeDoc(w http.ResponseWriter, r *http.Request, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, body)
}

// readOnly answers 405 unless the request is a GET or HEAD, and 403 to a
// filter, which discovery endpoints do not evaluate (RFC 7644 §4).
func (s *Server) readOnly(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.allow(w, r, "GET")
		return false
	}
	if r.URL.Query().Has("filter") {
		s.fail(w, r, Errorf(http.StatusForbidden, "", "discovery endpoints do not support filtering"))
		return false
	}
	return true
}
