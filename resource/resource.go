// Package resource holds a SCIM resource value and converts it to and from
// JSON according to its resource type's schemas (RFC 7643).
//
// A Resource keeps the common attributes id, externalId and meta in fields
// and every other attribute in Attributes, keyed by the attribute's canonical
// name as its schema spells it. Attributes of a schema extension are held in
// a map[string]any under the extension's schema URN, as they appear in JSON.
//
// Values in Attributes have these Go types, by SCIM type (RFC 7643 §2.3):
//
//	string, reference, binary   string (binary as its base64 text)
//	boolean                      bool
//	integer                      int64
//	decimal                      float64
//	dateTime                     time.Time
//	complex                      map[string]any, keyed by canonical sub-attribute name
//	multi-valued                 []any of the above
//
// Decode produces exactly these types. Encoders also accept the other Go
// integer and float types, json.Number, and []string, so that a host may fill
// a Resource from its own storage without converting every value.
//
// An Accessor reads and sets values by attribute path, such as
// name.familyName or emails[type eq "work"].value, checked against the
// resource type's schemas and in the Go types above.
//
// A Resource is not safe for concurrent modification; a host must not change
// a Resource after handing it to the server.
package resource

import (
	"log/slog"
	"slices"
	"time"
)

// Resource is one SCIM resource: a User, a Group or a custom type.
type Resource struct {
	// ID is the service provider's unique, stable identifier (RFC 7643 §3.1).
	ID string
	// ExternalID is the identifier the provisioning client assigned, or "".
	ExternalID string
	// Meta is the resource's metadata.
	Meta Meta
	// Attributes maps canonical attribute names to values; see the package
	// documentation for the Go types of values.
	Attributes map[string]any
}

// Meta is the "meta" attribute of RFC 7643 §3.1.
type Meta struct {
	// ResourceType is the name of the resource's type, such as "User". The
	// server fills it in on output when empty.
	ResourceType string
	// Created and LastModified are set by the store; zero means unknown.
	Created      time.Time
	LastModified time.Time
	// Location is the resource's URI. The server fills it in on output from
	// its base URL when empty.
	Location string
	// Version is an opaque version the store changes on every modification,
	// such as a counter or a hash. The server presents it as the weak entity
	// tag W/"Version" in meta.version and the ETag header (RFC 7644 §3.14);
	// "" means the store does not version resources.
	Version string
}

// Clone returns a deep copy of r: changing the copy, its attribute maps or
// slices leaves r untouched.
func (r *Resource) Clone() *Resource {
	if r == nil {
		return nil
	}
	c := *r
	c.Attributes = cloneMap(r.Attributes)
	return &c
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = cloneValue(v)
	}
	return c
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneMap(v)
	case []any:
		c := make([]any, len(v))
		for i, e := range v {
			c[i] = cloneValue(e)
		}
		return c
	case []string:
		return append([]string(nil), v...)
	case []map[string]any:
		c := make([]map[string]any, len(v))
		for i, e := range v {
			c[i] = cloneMap(e)
		}
		return c
	}
	return v
}

// LogValue implements slog.LogValuer: a resource logs as its id, type,
// version and the names of its attributes, never their values, which may
// be personal data or secrets.
func (r *Resource) LogValue() slog.Value {
	if r == nil {
		return slog.StringValue("<nil>")
	}
	names := make([]string, 0, len(r.Attributes))
	for k := range r.Attributes {
		names = append(names, k)
	}
	slices.Sort(names)
	return slog.GroupValue(
		slog.String("id", r.ID),
		slog.String("resourceType", r.Meta.ResourceType),
		slog.String("version", r.Meta.Version),
		slog.Any("attributes", names),
	)
}

// CommonValue returns the value of the common attribute name (id,
// externalId or meta) of r, or of the sub-attribute sub of meta, as a
// filter, a sort or a path reads it from r's fields: id and externalId as
// strings, meta's times as time.Time, its version as the entity tag, and
// meta whole as a map of the sub-attributes set. It is nil for a value that
// is unset ("" or the zero time) and for any other name.
func (r *Resource) CommonValue(name, sub string) any {
	switch name {
	case "id":
		if r.ID != "" {
			return r.ID
		}
	case "externalId":
		if r.ExternalID != "" {
			return r.ExternalID
		}
	case "meta":
		if sub != "" {
			return r.Meta.value(sub)
		}
		var m map[string]any
		for _, s := range metaAttr.SubAttributes {
			if v := r.Meta.value(s.Name); v != nil {
				if m == nil {
					m = make(map[string]any, len(metaAttr.SubAttributes))
				}
				m[s.Name] = v
			}
		}
		if m != nil {
			return m
		}
	}
	return nil
}

// value returns meta's sub-attribute name, or nil when it is unset.
func (m *Meta) value(name string) any {
	switch name {
	case "resourceType":
		if m.ResourceType != "" {
			return m.ResourceType
		}
	case "created":
		if !m.Created.IsZero() {
			return m.Created
		}
	case "lastModified":
		if !m.LastModified.IsZero() {
			return m.LastModified
		}
	case "location":
		if m.Location != "" {
			return m.Location
		}
	case "version":
		if m.Version != "" {
			return ETag(m.Version)
		}
	}
	return nil
}
