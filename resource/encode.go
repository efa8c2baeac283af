package resource

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/url"
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
// values, are left out. "schemas" lists the core schema and each extension
// whose attributes appear in the output, or would appear with a nil p, so
// that a projection does not change it. meta.version is written as the weak
// entity tag W/"version".
func AppendJSON(dst []byte, rt *schema.ResourceType, r *Resource, p *Projection) []byte {
	return appendResource(dst, rt, r, p, "")
}

// AppendJSONAt is AppendJSON for a resource served at endpoint, the
// absolute URL of its resource type's endpoint, such as
// "https://example.com/scim/v2/Users": where r.Meta leaves them empty, it
// writes meta.resourceType as rt.Name and meta.location as endpoint, "/"
// and r.ID escaped as a path segment. A server fills them in so without
// copying r.
func AppendJSONAt(dst []byte, rt *schema.ResourceType, r *Resource, p *Projection, endpoint string) []byte {
	return appendResource(dst, rt, r, p, endpoint)
}

func appendResource(dst []byte, rt *schema.ResourceType, r *Resource, p *Projection, endpoint string) []byte {
	dst = append(dst, `{"schemas":[`...)
	dst = appendString(dst, rt.Schema.ID)
	for _, e := range rt.Extensions {
		m, _ := r.Attributes[e.Schema.ID].(map[string]any)
		if len(m) == 0 {
			continue
		}
		var present bool
		dst, present = hasMembers(dst, e.Schema, m, nil)
		if !present && p != nil {
			dst, present = hasMembers(dst, e.Schema, m, p)
		}
		if present {
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
	if endpoint == "" {
		dst = appendMeta(dst, &r.Meta, p, "", "", "")
	} else {
		dst = appendMeta(dst, &r.Meta, p, rt.Name, endpoint, r.ID)
	}
	return append(dst, '}')
}

// Location returns the URL of the resource id served at endpoint, the
// absolute URL of its type's endpoint: endpoint, "/" and id escaped as a
// path segment.
func Location(endpoint, id string) string {
	return endpoint + "/" + url.PathEscape(id)
}

// Marshal returns the JSON representation of r as AppendJSON writes it.
func Marshal(rt *schema.ResourceType, r *Resource, p *Projection) []byte {
	return AppendJSON(make([]byte, 0, 512), rt, r, p)
}

// hasMembers reports whether the object of extension s with values m has
// any member under projection p. It writes the object past the end of dst
// to find out, and returns dst as it was, perhaps grown.
func hasMembers(dst []byte, s *schema.Schema, m map[string]any, p *Projection) ([]byte, bool) {
	n := len(dst)
	dst = append(dst, '{')
	dst = appendAttrs(dst, s.Attributes, m, p, s.ID)
	return dst[:n], len(dst) > n+1
}

// appendAttrs appends "name":value members for each attribute of attrs that
// m holds and p selects.
func appendAttrs(dst []byte, attrs []*schema.Attribute, m map[string]any, p *Projection, ext string) []byte {
	member := func(dst []byte, a *schema.Attribute, v any) []byte {
		sel, include, exclude := p.selected(a, ext)
		if !sel {
			return dst
		}
		return appendMember(dst, a, v, include, exclude)
	}
	var vals present
	vals.start(attrs, m)
	for a, v := vals.next(); a != nil; a, v = vals.next() {
		dst = member(dst, a, v)
	}
	return dst
}

// present yields the non-nil values of a map for the attributes of a
// schema, in the schema's order. A resource holds far fewer attributes
// than its schema defines (a User a handful of the RFC's 21), so walking
// the map and ordering what it holds by position costs less than probing
// it for every attribute of the schema; a map too large for that is
// probed.
type present struct {
	attrs []*schema.Attribute
	m     map[string]any // probed, when not collected
	i     int            // the next position in attrs or in pos
	n     int
	pos   [sparseMax]int
	vals  [sparseMax]any
}

// start begins yielding the values of m for attrs.
func (s *present) start(attrs []*schema.Attribute, m map[string]any) {
	s.attrs = attrs
	if !s.collect(attrs, m) {
		s.m = m
	}
}

// next returns the next attribute with a value, and the value, or nil.
func (s *present) next() (*schema.Attribute, any) {
	if s.m == nil {
		if s.i >= s.n {
			return nil, nil
		}
		s.i++
		return s.attrs[s.pos[s.i-1]], s.vals[s.i-1]
	}
	for s.i < len(s.attrs) {
		a := s.attrs[s.i]
		s.i++
		if v := s.m[a.Name]; v != nil {
			return a, v
		}
	}
	return nil, nil
}

// sparseMax bounds the values present orders.
const sparseMax = 12

// collect gathers the non-nil values of m under the exact names of attrs,
// in the order of attrs. It reports false, having gathered nothing, when m
// is too large for that to pay, and the caller should probe m for each
// attribute instead.
func (s *present) collect(attrs []*schema.Attribute, m map[string]any) bool {
	if len(m) > sparseMax || 2*len(m) > len(attrs) {
		return false
	}
	for k, v := range m {
		if v == nil {
			continue
		}
		i := indexOf(attrs, k)
		if i < 0 {
			continue
		}
		j := s.n
		for ; j > 0 && s.pos[j-1] > i; j-- {
			s.pos[j], s.vals[j] = s.pos[j-1], s.vals[j-1]
		}
		s.pos[j], s.vals[j] = i, v
		s.n++
	}
	return true
}

// indexOf returns the index of the attribute named exactly name in attrs,
// or -1.
func indexOf(attrs []*schema.Attribute, name string) int {
	for i, a := range attrs {
		if len(a.Name) == len(name) && a.Name == name {
			return i
		}
	}
	return -1
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
	var vals present
	vals.start(a.SubAttributes, m)
	for sa, sv := vals.next(); sa != nil; sa, sv = vals.next() {
		if subSelected(sa, include, exclude) {
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
		return appendFloat(dst, v, 64)
	case float32:
		return appendFloat(dst, float64(v), 32)
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

// appendFloat writes f, a float64 or, when bits is 32, a float32, as
// encoding/json does: the shortest text that reads back as the same value,
// in plain notation for ordinary magnitudes and exponent notation (such as
// 1e+21 or 1e-7) for very large or small ones.
func appendFloat(dst []byte, f float64, bits int) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return dst
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		// Shorten e-07 to e-7.
		n := len(dst)
		if dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// Float64 returns v, a number of any Go numeric type or a json.Number, as
// a float64, and whether v is a number.
func Float64(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case int:
		return float64(v), true
	case int8:
		return float64(v), true
	case int16:
		return float64(v), true
	case int32:
		return float64(v), true
	case uint8:
		return float64(v), true
	case uint16:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint:
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

// Int64 returns v, an integer of any Go integer type or a json.Number
// without fraction or exponent, as an int64, and whether v is one that
// fits.
func Int64(v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case int:
		return int64(v), true
	case int8:
		return int64(v), true
	case int16:
		return int64(v), true
	case int32:
		return int64(v), true
	case uint8:
		return int64(v), true
	case uint16:
		return int64(v), true
	case uint32:
		return int64(v), true
	case uint:
		return int64(v), uint64(v) <= math.MaxInt64
	case uint64:
		return int64(v), v <= math.MaxInt64
	case json.Number:
		n, err := strconv.ParseInt(string(v), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// appendMeta appends m as the "meta" member, with resourceType and
// location, where m leaves them empty, from rtName and from endpoint and
// id (see AppendJSONAt).
func appendMeta(dst []byte, m *Meta, p *Projection, rtName, endpoint, id string) []byte {
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
	if rt := cmp.Or(m.ResourceType, rtName); rt != "" && field("resourceType") {
		dst = appendString(dst, rt)
	}
	if !m.Created.IsZero() && field("created") {
		dst = appendSimple(dst, m.Created)
	}
	if !m.LastModified.IsZero() && field("lastModified") {
		dst = appendSimple(dst, m.LastModified)
	}
	if m.Location != "" && field("location") {
		dst = appendString(dst, m.Location)
	} else if m.Location == "" && endpoint != "" && field("location") {
		// endpoint + "/" + url.PathEscape(id) as one JSON string.
		dst = appendString(dst, endpoint)
		dst = append(dst[:len(dst)-1], '/')
		mark := len(dst)
		dst = appendString(dst, url.PathEscape(id))
		copy(dst[mark:], dst[mark+1:])
		dst = dst[:len(dst)-1]
	}
	if m.Version != "" && field("version") {
		// ETag(m.Version) as a JSON string, written without allocating.
		dst = append(dst, `"W/\"`...)
		dst = appendVersion(dst, m.Version, true)
		dst = append(dst, `\""`...)
	}
	if len(dst) == open {
		return dst[:mark]
	}
	return append(dst, '}')
}

// ETag returns version as the weak entity tag W/"version" (RFC 7232 §2.3)
// used in meta.version and the ETag header. A double quote or backslash in
// version, which an entity tag cannot hold, a comma, which would split an
// If-Match list, a space or control character, a byte of invalid UTF-8,
// which meta.version could not carry, and "%" itself are percent-encoded
// ("%22"), so that different versions always have different tags.
func ETag(version string) string {
	return string(AppendETag(make([]byte, 0, len(version)+4), version))
}

// AppendETag appends ETag(version) to dst and returns the extended buffer.
func AppendETag(dst []byte, version string) []byte {
	dst = append(dst, `W/"`...)
	dst = appendVersion(dst, version, false)
	return append(dst, '"')
}

// appendVersion appends version with the replacements ETag makes. In JSON,
// it also escapes U+2028 and U+2029 as appendString does; nothing else in
// the result needs escaping.
func appendVersion(dst []byte, version string, inJSON bool) []byte {
	for i := 0; i < len(version); {
		c := version[i]
		if c < utf8.RuneSelf {
			if c == '"' || c == '\\' || c == ',' || c == '%' || c < 0x21 || c == 0x7f {
				dst = append(dst, '%', upperHex[c>>4], upperHex[c&0xf])
			} else {
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(version[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, '%', upperHex[version[i]>>4], upperHex[version[i]&0xf])
		case inJSON && (r == '\u2028' || r == '\u2029'):
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			dst = append(dst, version[i:i+size]...)
		}
		i += size
	}
	return dst
}

const (
	hex      = "0123456789abcdef"
	upperHex = "0123456789ABCDEF"
)

// plainASCII says which bytes a JSON string holds as they are: the ASCII
// characters other than controls, '"' and '\\'.
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString appends s as a JSON string. Invalid UTF-8 is replaced by
// U+FFFD; U+2028 and U+2029 are escaped so the output is safe in JavaScript.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	// Most strings are plain ASCII throughout: one pass finds the first
	// byte that is not, and the rest starts there.
	i := 0
	for i < len(s) && plainASCII[s[i]] {
		i++
	}
	if i == len(s) {
		dst = append(dst, s...)
		return append(dst, '"')
	}
	start := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if plainASCII[c] {
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
