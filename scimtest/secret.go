package scimtest

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// A MemoryHandler keeps the values of write-only and never-returned
// attributes, such as password, as their SHA-256 digests: the clear text is
// never stored (RFC 7643 §9.2). An unsalted, fast digest is enough for a
// reference store that lives in a test's memory, and nothing more: a
// production store hashes passwords with bcrypt, scrypt or Argon2 and a salt
// per value.

// digest is what a MemoryHandler keeps of a value of a secret attribute.
type digest [sha256.Size]byte

// MarshalText writes the digest as "sha256:" and its hex digits, as Dump
// shows it.
func (d digest) MarshalText() ([]byte, error) {
	return []byte("sha256:" + hex.EncodeToString(d[:])), nil
}

// digestOf returns the digest of a value of a secret attribute: of each
// value, when it is multi-valued; a digest stays as it is.
func digestOf(v any) any {
	switch v := v.(type) {
	case nil, digest:
		return v
	case string:
		return digest(sha256.Sum256([]byte(v)))
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = digestOf(e)
		}
		return out
	}
	b, err := json.Marshal(v)
	if err != nil {
		b = fmt.Append(nil, v)
	}
	return digest(sha256.Sum256(b))
}

// sealed reports whether v, a value of a secret attribute, is kept as
// digests already.
func sealed(v any) bool {
	switch v := v.(type) {
	case nil, digest:
		return true
	case []any:
		for _, e := range v {
			if !sealed(e) {
				return false
			}
		}
		return true
	}
	return false
}

// isSecret reports whether a's values are never returned, and so are kept
// as digests.
func isSecret(a *schema.Attribute) bool {
	return a.Returned == schema.ReturnedNever || a.Mutability == schema.WriteOnly
}

// secretPath is where values of a secret attribute are: attribute a of
// the core schema or of extension ext, or sub-attribute a of parent.
type secretPath struct {
	ext    string
	parent *schema.Attribute
	a      *schema.Attribute
}

// secretPaths returns where rt's secret attributes are.
func secretPaths(rt *schema.ResourceType) []secretPath {
	var out []secretPath
	add := func(ext string, attrs []*schema.Attribute) {
		for _, a := range attrs {
			switch {
			case isSecret(a):
				out = append(out, secretPath{ext: ext, a: a})
			case a.Type == schema.Complex:
				for _, sa := range a.SubAttributes {
					if isSecret(sa) {
						out = append(out, secretPath{ext: ext, parent: a, a: sa})
					}
				}
			}
		}
	}
	add("", rt.Schema.Attributes)
	for _, e := range rt.Extensions {
		add(e.Schema.ID, e.Schema.Attributes)
	}
	return out
}

// eachSecret calls f with every secret attribute that attrs, the
// attributes of a resource of h's type, hold a value for, and the map that
// holds it. f may change or delete the value.
func (h *MemoryHandler) eachSecret(attrs map[string]any, f func(a *schema.Attribute, m map[string]any)) {
	for _, p := range h.secretPaths {
		m := attrs
		if p.ext != "" {
			m, _ = attrs[p.ext].(map[string]any)
		}
		if p.parent == nil {
			if _, ok := m[p.a.Name]; ok {
				f(p.a, m)
			}
			continue
		}
		v, ok := m[p.parent.Name]
		if !ok {
			continue
		}
		for _, e := range elems(v) {
			if sub, ok := e.(map[string]any); ok {
				if _, ok := sub[p.a.Name]; ok {
					f(p.a, sub)
				}
			}
		}
	}
}

// elems returns the values of a multi-valued attribute, or v alone.
func elems(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// seal replaces the values of r's secret attributes by their digests. When
// old is not nil, r is to replace it, and a secret attribute that r does not
// carry keeps old's digest: a client cannot send back what it cannot read.
// As resource.Merge does for a PUT, that holds for attributes of the core
// schema and of extensions, and the sub-attributes of single-valued complex
// ones.
func (h *MemoryHandler) seal(r, old *resource.Resource) {
	if !h.secrets {
		return
	}
	h.eachSecret(r.Attributes, func(a *schema.Attribute, m map[string]any) {
		// A digest already is left alone: the map may be shared with the
		// stored resource a patch started from (patch.ApplyCopy).
		if v := m[a.Name]; !sealed(v) {
			m[a.Name] = digestOf(v)
		}
	})
	if old == nil {
		return
	}
	if r.Attributes == nil {
		r.Attributes = make(map[string]any)
	}
	keepSecrets(h.rt.Schema.Attributes, old.Attributes, r.Attributes)
	for _, e := range h.rt.Extensions {
		om, _ := old.Attributes[e.Schema.ID].(map[string]any)
		if om == nil {
			continue
		}
		nm, _ := r.Attributes[e.Schema.ID].(map[string]any)
		if nm == nil {
			nm = make(map[string]any)
		}
		keepSecrets(e.Schema.Attributes, om, nm)
		if len(nm) > 0 {
			r.Attributes[e.Schema.ID] = nm
		}
	}
}

// keepSecrets copies to cur the secret values of old that cur lacks.
func keepSecrets(attrs []*schema.Attribute, old, cur map[string]any) {
	for _, a := range attrs {
		ov, had := old[a.Name]
		if !had || ov == nil {
			continue
		}
		nv, has := cur[a.Name]
		switch {
		case isSecret(a) && !has:
			cur[a.Name] = cloneDigests(ov)
		case has && a.Type == schema.Complex && !a.MultiValued:
			om, _ := ov.(map[string]any)
			nm, _ := nv.(map[string]any)
			if om != nil && nm != nil {
				keepSecrets(a.SubAttributes, om, nm)
			}
		}
	}
}

func cloneDigests(v any) any {
	if l, ok := v.([]any); ok {
		return append([]any(nil), l...)
	}
	return v
}

// set makes r, which no caller holds, what e stores.
func (h *MemoryHandler) set(e *entry, r *resource.Resource) {
	e.r, e.view = r, r
	e.rec.Store(nil)
	if h.secrets && h.hasSecretValues(r) {
		e.view = h.strip(r.Clone())
	}
}

// hasSecretValues reports whether r holds a value of a secret attribute.
func (h *MemoryHandler) hasSecretValues(r *resource.Resource) bool {
	found := false
	h.eachSecret(r.Attributes, func(*schema.Attribute, map[string]any) { found = true })
	return found
}

// strip removes the values of secret attributes from r, a copy, and an
// extension left without attributes.
func (h *MemoryHandler) strip(r *resource.Resource) *resource.Resource {
	h.eachSecret(r.Attributes, func(a *schema.Attribute, m map[string]any) {
		delete(m, a.Name)
	})
	for _, e := range h.rt.Extensions {
		if m, ok := r.Attributes[e.Schema.ID].(map[string]any); ok && len(m) == 0 {
			delete(r.Attributes, e.Schema.ID)
		}
	}
	return r
}

// out returns the stored resource of e for a caller: what it stores,
// except for the attributes Patch changes in place, which it copies.
func (h *MemoryHandler) out(e *entry) *resource.Resource {
	v := e.view
	if len(e.values) == 0 || v != e.r {
		return v
	}
	c := *v
	c.Attributes = maps.Clone(v.Attributes)
	for name := range e.values {
		if l, ok := c.Attributes[name].([]any); ok {
			c.Attributes[name] = slices.Clone(l)
		}
	}
	return &c
}

// VerifySecret reports whether value is the value last given to the
// write-only or never-returned attribute path of the resource with the
// given id, such as its "password": it compares their SHA-256 digests, in
// constant time. path names an attribute of the core schema, or one of an
// extension qualified by the extension's URN; it is false when the resource
// has no value for it. VerifySecret returns an error wrapping
// scim.ErrNotFound when there is no resource id, and an error when path
// names no secret attribute of a single value.
func (h *MemoryHandler) VerifySecret(ctx context.Context, id, path, value string) (bool, error) {
	attrs, name := h.rt.Schema.Attributes, path
	var ext string
	for _, e := range h.rt.Extensions {
		if p := e.Schema.ID + ":"; len(path) > len(p) && strings.EqualFold(path[:len(p)], p) {
			attrs, name, ext = e.Schema.Attributes, path[len(p):], e.Schema.ID
		}
	}
	var a *schema.Attribute
	for _, c := range attrs {
		if strings.EqualFold(c.Name, name) {
			a = c
		}
	}
	if a == nil || !isSecret(a) || a.MultiValued {
		return false, fmt.Errorf("scimtest: %s has no secret attribute %q of a single value", h.rt.Name, path)
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	e, ok := h.byID[id]
	if !ok {
		return false, fmt.Errorf("%s %q: %w", h.rt.Name, id, scim.ErrNotFound)
	}
	m := e.r.Attributes
	if ext != "" {
		m, _ = m[ext].(map[string]any)
	}
	stored, ok := m[a.Name].(digest)
	if !ok {
		return false, nil
	}
	given := digest(sha256.Sum256([]byte(value)))
	return subtle.ConstantTimeCompare(stored[:], given[:]) == 1, nil
}

// dump returns everything h keeps, one resource a line in creation order,
// with the digests of secret values as "sha256:" and hex digits.
func (h *MemoryHandler) dump() string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var b strings.Builder
	for _, e := range h.order {
		r := e.r
		attrs, err := json.Marshal(r.Attributes)
		if err != nil {
			attrs = fmt.Append(nil, r.Attributes)
		}
		fmt.Fprintf(&b, "%s id=%q externalId=%q version=%q created=%s lastModified=%s %s\n",
			h.rt.Name, r.ID, r.ExternalID, r.Meta.Version,
			r.Meta.Created.Format(time.RFC3339Nano), r.Meta.LastModified.Format(time.RFC3339Nano), attrs)
	}
	return b.String()
}
