package resource

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/scim-go/scim/schema"
)

// AppendJSON appends the JSON representation of r (RFC 7643 §3) to dst and
// returns the extended buffer. Attributes come in schema order: "schemas",
// "id", "externalId", the core schema's attributes, each extension present
// under its URN, then "meta". p selects the attributes (see Projection).
// Values r.Attributes holds that the schema does not define, and empty
// values, are left out; "schemas" lists the core schema and every extension
// r carries. meta.version is written as the weak entity tag W/"version".
func AppendJSON(dst []byte, rt *schema.ResourceType, r *Resource, p *Projection) []byte {
	dst = append(dst, `{"schemas":[`...)
	dst = appendString(dst, rt.Schema.ID)
	for _, e := range rt.Extensions {
		if m, _ := r.Attributes[e.Schema.ID].(map[string]any); len(m) > 0 {
			dst = append(dst, ',')
			dst = appendString(dst, e.Schema.ID)
		}
	}
	dst = append(dst, ']')
	if r.ID != "" {
		dst = append(dst, `,"id":`...)
		dst = appendString(dst, r.ID)
	}
	if r.ExternalID != "" {
		if ok, _, _ := p.selected(externalIDAtt, ""); ok {
			dst = append(dst, `,"externalId":`...)
			dst = appendString(dst, r.ExternalID)
		}
	}
	dst = appendAttrs(dst, rt.Schema.Attributes, r.Attributes, p, "")
	for _, e := range rt.Extensions {
		m, _ := r.Attributes[e.Schema.ID].(map[string]any)
		if len(m) == 0 {
			continue
		}
		mark := len(dst)
		dst = append(dst, ',')
		dst = appendString(dst, e.Schema.ID)
		dst = append(dst, ":{"...)
		open := len(dst)
		dst = appendAttrs(dst, e.Schema.Attributes, m, p, e.Schema.ID)
		if len(dst) == open {
			dst = dst[:mark]
			continue
		}
		dst = append(dst, '}')
	}
	dst = appendMeta(dst, &r.Meta, p)
	return append(dst, '}')
}

// Marshal returns the JSON representation of r as AppendJSON writes it.
func Marshal(rt *schema.ResourceType, r *Resource, p *Projection) []byte {
	return AppendJSON(make([]byte, 0, 512), rt, r, p)
}

// appendAttrs appends "name":value members for each attribute of attrs that
// m holds and p selects.
func appendAttrs(dst []byte, attrs []*schema.Attribute, m map[string]any, p *Projection, ext string) []byte {
	for _, a := range attrs {
		v, ok := m[a.Name]
		if !ok || v == nil {
			continue
		}
		sel, include, exclude := p.selected(a, ext)
		if !sel {
			continue
		}
		dst = appendMember(dst, a, v, include, exclude)
	}
	return dst
}

// appendMember appends the member "name":value, preceded by a comma unless
// it opens an object, or nothing if the value is empty.
func appendMember(dst []byte, a *schema.Attribute, v any, include, exclude map[*schema.Attribute]bool) []byte {
	mark := len(dst)
	if dst[len(dst)-1] != '{' {
		dst = append(dst, ',')
	}
	dst = appendString(dst, a.Name)
	dst = append(dst, ':')
	n := len(dst)
	if a.MultiValued {
		dst = appendList(dst, a, v, include, exclude)
	} else {
		dst = appendSingle(dst, a, v, include, exclude)
	}
	if len(dst) == n {
		return dst[:mark]
	}
	return dst
}

func appendList(dst []byte, a *schema.Attribute, v any, include, exclude map[*schema.Attribute]bool) []byte {
	start := len(dst)
	dst = append(dst, '[')
	first := true
	add := func(e any) {
		n := len(dst)
		if !first {
			dst = append(dst, ',')
		}
		m := len(dst)
		dst = appendSingle(dst, a, e, include, exclude)
		if len(dst) == m {
			dst = dst[:n]
			return
		}
		first = false
	}
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			add(e)
		}
	case []string:
		for _, e := range v {
			add(e)
		}
	case []map[string]any:
		for _, e := range v {
			add(e)
		}
	default:
		add(v)
	}
	if first {
		return dst[:start]
	}
	return append(dst, ']')
}

// appendSingle appends one value of a, or nothing if it is empty or not of
// a Go type that can hold a's values.
func appendSingle(dst []byte, a *schema.Attribute, v any, include, exclude map[*schema.Attribute]bool) []byte {
	if a.Type != schema.Complex {
		return appendSimple(dst, v)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return dst
	}
	start := len(dst)
	dst = append(dst, '{')
	for _, sa := range a.SubAttributes {
		if sv, ok := m[sa.Name]; ok && sv != nil && subSelected(sa, include, exclude) {
			dst = appendMember(dst, sa, sv, nil, nil)
		}
	}
	if len(dst) == start+1 {
		return dst[:start]
	}
	return append(dst, '}')
}

// appendSimple appends a simple value, or nothing if v has no JSON form.
func appendSimple(dst []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		return appendString(dst, v)
	case bool:
		return strconv.AppendBool(dst, v)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case int:
		return strconv.AppendInt(dst, int64(v), 10)
	case int32:
		return strconv.AppendInt(dst, int64(v), 10)
	case uint32:
		return strconv.AppendUint(dst, uint64(v), 10)
	case uint64:
		return strconv.AppendUint(dst, v, 10)
	case float64:
		return appendFloat(dst, v)
	case float32:
		return appendFloat(dst, float64(v))
	case json.Number:
		if _, err := strconv.ParseFloat(string(v), 64); err == nil {
			return append(dst, v...)
		}
	case time.Time:
		dst = append(dst, '"')
		dst = v.AppendFormat(dst, time.RFC3339Nano)
		return append(dst, '"')
	case []byte:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, v)
		return append(dst, '"')
	}
	return dst
}

// appendFloat writes f as encoding/json does: plain notation for ordinary
// magnitudes, exponent notation for very large or small ones.
func appendFloat(dst []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return dst
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		return strconv.AppendFloat(dst, f, 'e', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case int:
		return float64(v), true
	case int32:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint64:
		return float64(v), true
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		return f, err == nil
	}
	return 0, false
}

func appendMeta(dst []byte, m *Meta, p *Projection) []byte {
	ok, include, exclude := p.selected(metaAttr, "")
	if !ok {
		return dst
	}
	mark := len(dst)
	dst = append(dst, `,"meta":{`...)
	open := len(dst)
	field := func(name string) bool {
		sa := metaAttr.SubAttribute(name)
		if !subSelected(sa, include, exclude) {
			return false
		}
		if len(dst) > open {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = append(dst, name...)
		dst = append(dst, `":`...)
		return true
	}
	if m.ResourceType != "" && field("resourceType") {
		dst = appendString(dst, m.ResourceType)
	}
	if !m.Created.IsZero() && field("created") {
		dst = appendSimple(dst, m.Created)
	}
	if !m.LastModified.IsZero() && field("lastModified") {
		dst = appendSimple(dst, m.LastModified)
	}
	if m.Location != "" && field("location") {
		dst = appendString(dst, m.Location)
	}
	if m.Version != "" && field("version") {
		dst = appendString(dst, ETag(m.Version))
	}
	if len(dst) == open {
		return dst[:mark]
	}
	return append(dst, '}')
}

// ETag returns version as the weak entity tag W/"version" (RFC 7232 §2.3)
// used in meta.version and the ETag header. A double quote or backslash in
// version, which an entity tag cannot hold, and a comma, which would split
// an If-Match list, are replaced by an underscore.
func ETag(version string) string {
	b := make([]byte, 0, len(version)+4)
	b = append(b, `W/"`...)
	for i := 0; i < len(version); i++ {
		c := version[i]
		if c == '"' || c == '\\' || c == ',' || c < 0x21 || c == 0x7f {
			c = '_'
		}
		b = append(b, c)
	}
	return string(append(b, '"'))
}

const hex = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 is replaced by
// U+FFFD; U+2028 and U+2029 are escaped so the output is safe in JavaScript.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
