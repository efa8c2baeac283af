package resource

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/scim-go/scim/internal/jsonv"
	"github.com/scim-go/scim/schema"
)

// DecodeOptions controls how Decode treats input that RFC 7643 lets a
// service provider either ignore or reject. The zero value ignores it, as
// identity providers expect.
type DecodeOptions struct {
	// Strict rejects attributes and schema URNs the resource type does not
	// define, and values given as strings where the schema wants a boolean
	// or a number ("True", "42"), instead of ignoring or converting them.
	Strict bool

	// MaxValues limits the values of one multi-valued attribute; more are
	// an *Error. Zero means no limit.
	MaxValues int
}

// Decode parses a resource body, as sent with POST or PUT, and checks it
// against the resource type's schemas (RFC 7643 §2 and RFC 7644 §3.3):
//
//   - attribute names and schema URNs match case-insensitively and are stored
//     under their canonical names;
//   - values must have their attribute's type, multi-valued attributes hold
//     arrays (a single value is wrapped in one), a value the same as one
//     before it (see SameValue) is dropped, and at most one value of a
//     multi-valued attribute may have "primary" true;
//   - read-only attributes, id and meta are ignored, and null, empty arrays
//     and empty objects are unassigned (RFC 7643 §2.5);
//   - "schemas" must list the core schema; unknown attributes and schema
//     URNs are ignored unless opt.Strict is set;
//   - no string may contain U+0000 (see Coerce).
//
// Decode does not check required attributes, since PUT carries some over
// from the stored resource; call CheckRequired on the final resource. A
// body that breaks a rule yields an *Error.
func Decode(rt *schema.ResourceType, data []byte, opt DecodeOptions) (*Resource, error) {
	m, err := parseObject(data)
	if err != nil {
		return nil, err
	}
	d := decoder{rt: rt, opt: opt, reuse: true}
	return d.resource(m)
}

// DecodeValue converts v, a JSON value as encoding/json decodes it with
// UseNumber, to a value of attribute a by the rules of Decode: a
// multi-valued attribute yields []any (a single value is wrapped), a complex
// one maps canonical sub-attribute names to values with read-only
// sub-attributes dropped, and a simple one is converted by Coerce. It
// returns nil when v is unassigned, and an *Error naming path when v does
// not fit a.
func DecodeValue(a *schema.Attribute, v any, opt DecodeOptions, path string) (any, error) {
	d := decoder{opt: opt}
	return d.value(a, v, loc{attr: path})
}

// DecodeElement is DecodeValue for one value of a multi-valued attribute:
// it converts v as an element, never as a list.
func DecodeElement(a *schema.Attribute, v any, opt DecodeOptions, path string) (any, error) {
	if _, ok := v.([]any); ok {
		return nil, invalidValue(path, "expected "+typeText(a)+", found an array")
	}
	d := decoder{opt: opt}
	return d.single(a, v, loc{attr: path})
}

// names interns the attribute names of the built-in schemas, so that the
// keys of a decoded resource are the schema's own strings rather than
// pieces of the request body, which they would keep alive; see
// decoder.object.
var names = func() map[string]string {
	m := make(map[string]string)
	var add func(attrs []*schema.Attribute)
	add = func(attrs []*schema.Attribute) {
		for _, a := range attrs {
			m[a.Name] = a.Name
			add(a.SubAttributes)
		}
	}
	for _, rt := range []*schema.ResourceType{schema.UserResourceType(), schema.GroupResourceType()} {
		add(rt.Schema.Attributes)
		for _, e := range rt.Extensions {
			add(e.Schema.Attributes)
		}
	}
	return m
}()

// parseObject parses a JSON object, keeping numbers as json.Number.
func parseObject(data []byte) (map[string]any, error) {
	if v, ok := jsonv.Parse(data, names); ok {
		if m, ok := v.(map[string]any); ok {
			return m, nil
		}
		return nil, invalidSyntax("", "request body must be a JSON object, found "+kind(v))
	}
	// Invalid: encoding/json says why.
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, invalidSyntax("", "request body is not valid JSON: "+jsonErrorText(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalidSyntax("", "request body has data after the JSON object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, invalidSyntax("", "request body must be a JSON object, found "+kind(v))
	}
	return m, nil
}

// jsonErrorText describes a JSON syntax error without echoing Go type names.
func jsonErrorText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Error() + " at offset " + strconv.FormatInt(se.Offset, 10)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of input"
	}
	return "malformed input"
}

type decoder struct {
	rt  *schema.ResourceType
	opt DecodeOptions
	// reuse lets the decoder keep the objects and arrays of its input,
	// rewritten in place, rather than build new ones: Decode's input is
	// its own parse, which nothing else holds.
	reuse bool
}

// loc is the path of a value in errors, built only for an error:
// prefix (a schema URN and ":", or ""), attr, and "." and sub when sub is
// not "".
type loc struct {
	prefix, attr, sub string
}

func (l loc) String() string {
	if l.sub == "" {
		return l.prefix + l.attr
	}
	return l.prefix + l.attr + "." + l.sub
}

// child returns the location of sub-attribute name of l.
func (l loc) child(name string) loc {
	if l.sub != "" {
		return loc{attr: l.String(), sub: name} // deeper than RFC 7643 goes
	}
	return loc{prefix: l.prefix, attr: l.attr, sub: name}
}

func (d *decoder) resource(m map[string]any) (*Resource, error) {
	r := &Resource{Attributes: make(map[string]any, len(m))}
	if err := d.schemas(m); err != nil {
		return nil, err
	}
	var seen spellings
	root := where{obj: m}
	for k, v := range m {
		switch {
		case strings.EqualFold(k, "schemas"), strings.EqualFold(k, "id"), strings.EqualFold(k, "meta"):
			// schemas was checked above; id and meta are read-only.
		case strings.EqualFold(k, "externalId"):
			if err := d.once(&seen, root, "externalId", k, loc{}, ""); err != nil {
				return nil, err
			}
			switch v := v.(type) {
			case nil:
			case string:
				if strings.IndexByte(v, 0) >= 0 {
					return nil, errNUL("externalId")
				}
				r.ExternalID = v
			default:
				return nil, invalidValue("externalId", "expected a string, found "+kind(v))
			}
		case strings.EqualFold(k, d.rt.Schema.ID):
			// The core schema's attributes nested under its URN.
			if v == nil {
				continue
			}
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, invalidValue(d.rt.Schema.ID, "expected an object, found "+kind(v))
			}
			for k2, v2 := range obj {
				if err := d.attribute(r.Attributes, &seen, where{obj: m, nested: true}, d.rt.Schema, k2, v2, d.rt.Schema.ID+":"); err != nil {
					return nil, err
				}
			}
		default:
			if ext := d.rt.Extension(k); ext != nil {
				if err := d.once(&seen, root, ext.ID, k, loc{}, ""); err != nil {
					return nil, err
				}
				if v == nil {
					continue
				}
				obj, ok := v.(map[string]any)
				if !ok {
					return nil, invalidValue(ext.ID, "expected an object, found "+kind(v))
				}
				em, err := d.object(obj, loc{prefix: ext.ID + ":"}, nil, ext)
				if err != nil {
					return nil, err
				}
				if em != nil {
					r.Attributes[ext.ID] = em
				}
				continue
			}
			if err := d.attribute(r.Attributes, &seen, root, d.rt.Schema, k, v, ""); err != nil {
				return nil, err
			}
		}
	}
	return r, nil
}

// schemas checks the "schemas" attribute: it must list the core schema, and
// in strict mode nothing the resource type does not define.
func (d *decoder) schemas(m map[string]any) error {
	var raw any
	found := false
	for k, v := range m {
		if strings.EqualFold(k, "schemas") {
			if found {
				return invalidSyntax("schemas", "given more than once")
			}
			raw, found = v, true
		}
	}
	if !found || raw == nil {
		return invalidSyntax("schemas", "required; it must list "+d.rt.Schema.ID)
	}
	list, ok := raw.([]any)
	if !ok {
		return invalidSyntax("schemas", "expected an array of schema URNs, found "+kind(raw))
	}
	core := false
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			return invalidSyntax("schemas", "expected an array of schema URNs, found an element that is "+kind(e))
		}
		switch {
		case strings.EqualFold(s, d.rt.Schema.ID):
			core = true
		case d.rt.Extension(s) != nil:
		case d.opt.Strict:
			return invalidSyntax("schemas", "unknown schema "+quote(s)+" for resource type "+d.rt.Name)
		}
	}
	if !core {
		return invalidSyntax("schemas", "must list "+d.rt.Schema.ID)
	}
	return nil
}

// spellings records the names given in other than their canonical
// spelling, by canonical name. A name given canonically need not be
// recorded: one object cannot hold a key twice, so only another spelling
// can repeat it, and that finds it in the object.
type spellings map[string]string

// where is the object a name is given in. nested marks the core schema's
// attributes given under its URN, which may repeat one given at the top
// level, obj.
type where struct {
	obj    map[string]any
	nested bool
}

// once records that the canonical name was given as key, and fails if it
// was given before under another spelling, as in {"userName": "a",
// "USERNAME": "b"}. The error's path is parent+sep+canonical. So that the
// message does not depend on map iteration order, it names the canonical
// spelling first, or else the spellings in sorted order.
func (d *decoder) once(seen *spellings, in where, canonical, key string, parent loc, sep string) error {
	prev, dup := (*seen)[canonical]
	if !dup && (key != canonical || in.nested) {
		if _, ok := in.obj[canonical]; ok {
			prev, dup = canonical, true
		}
	}
	if dup {
		if key == canonical || prev != canonical && key < prev {
			prev, key = key, prev
		}
		return invalidSyntax(parent.String()+sep+canonical, "given twice, as "+quote(prev)+" and "+quote(key))
	}
	if key != canonical || in.nested {
		if *seen == nil {
			*seen = make(spellings)
		}
		(*seen)[canonical] = key
	}
	return nil
}

// attribute decodes the value v of the attribute named key of schema s into
// dst under its canonical name. prefix is put before the name in error paths.
func (d *decoder) attribute(dst map[string]any, seen *spellings, in where, s *schema.Schema, key string, v any, prefix string) error {
	a := s.Attribute(key)
	if a == nil {
		if d.opt.Strict {
			return invalidSyntax(prefix+key, "not defined by schema "+s.ID)
		}
		return nil
	}
	// A core attribute may be given both at the top level and under the
	// core schema URN; name it without the URN, whichever came second.
	parent := prefix
	if s == d.rt.Schema {
		parent = ""
	}
	if err := d.once(seen, in, a.Name, key, loc{prefix: parent}, ""); err != nil {
		return err
	}
	if a.Mutability == schema.ReadOnly {
		return nil
	}
	val, err := d.value(a, v, loc{prefix: prefix, attr: a.Name})
	if err != nil {
		return err
	}
	if val != nil {
		dst[a.Name] = val
	}
	return nil
}

// value decodes v for attribute a, at l, returning nil when it is
// unassigned.
func (d *decoder) value(a *schema.Attribute, v any, l loc) (any, error) {
	if v == nil {
		return nil, nil
	}
	if !a.MultiValued {
		if _, ok := v.([]any); ok {
			return nil, invalidValue(l.String(), "expected "+typeText(a)+", found an array")
		}
		return d.single(a, v, l)
	}
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	if d.opt.MaxValues > 0 && len(list) > d.opt.MaxValues {
		return nil, TooManyValues(l.String(), d.opt.MaxValues)
	}
	var out []any
	if d.reuse {
		out = list[:0] // written no faster than read
	} else {
		out = make([]any, 0, len(list))
	}
	for _, e := range list {
		val, err := d.single(a, e, l)
		if err != nil {
			return nil, err
		}
		if val != nil {
			out = append(out, val)
		}
	}
	// A value sent twice is kept once (RFC 7643 §2.4).
	out = Dedupe(a, out)
	if twoPrimaries(out) {
		return nil, invalidValue(l.String(), "more than one value has \"primary\" set to true")
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// single decodes one value of attribute a, at l.
func (d *decoder) single(a *schema.Attribute, v any, l loc) (any, error) {
	if v == nil {
		return nil, nil
	}
	if a.Type == schema.Complex {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, invalidValue(l.String(), "expected an object, found "+kind(v))
		}
		out, err := d.object(obj, l, a, nil)
		if out == nil || err != nil {
			return nil, err
		}
		return out, nil
	}
	return coerceAt(a, v, !d.opt.Strict, l)
}

// object decodes obj: the value of the complex attribute parent at l, or
// the object of extension ext, whose URN and ":" is l.prefix. It returns
// nil for an object left without members.
func (d *decoder) object(obj map[string]any, l loc, parent *schema.Attribute, ext *schema.Schema) (map[string]any, error) {
	sub := parent != nil // members are sub-attributes, not an extension's attributes
	find := func(name string) *schema.Attribute {
		if sub {
			return parent.SubAttribute(name)
		}
		return ext.Attribute(name)
	}
	at := func(name string) loc {
		if sub {
			return l.child(name)
		}
		return loc{prefix: l.prefix, attr: name}
	}
	out := obj
	if !d.reuse {
		out = make(map[string]any, len(obj))
	}
	// In place, names to drop or respell wait until the loop is done, so
	// that once still sees every name given. A name spelled right but cut
	// from the request body is respelled too, with the schema's string,
	// so that the body does not live as long as the resource.
	type change struct {
		from, to string
		v        any
	}
	var later []change
	var seen spellings
	for k, sv := range obj {
		sa := find(k)
		if sa == nil {
			if d.opt.Strict && sub {
				return nil, invalidSyntax(at(k).String(), "not a sub-attribute of "+quote(parent.Name))
			}
			if d.opt.Strict {
				return nil, invalidSyntax(at(k).String(), "not defined by schema "+ext.ID)
			}
			later = append(later, change{from: k})
			continue
		}
		var err error
		if sub {
			err = d.once(&seen, where{obj: obj}, sa.Name, k, l, ".")
		} else {
			err = d.once(&seen, where{obj: obj}, sa.Name, k, loc{prefix: l.prefix}, "")
		}
		if err != nil {
			return nil, err
		}
		var val any
		if sa.Mutability != schema.ReadOnly {
			if val, err = d.value(sa, sv, at(sa.Name)); err != nil {
				return nil, err
			}
		}
		switch {
		case !d.reuse:
			if val != nil {
				out[sa.Name] = val
			}
		case val != nil && k == sa.Name && unsafe.StringData(k) == unsafe.StringData(sa.Name):
			out[k] = val // the key is the schema's string already
		default:
			later = append(later, change{from: k, to: sa.Name, v: val})
		}
	}
	if d.reuse {
		for _, c := range later {
			delete(out, c.from)
		}
		for _, c := range later {
			if c.v != nil {
				out[c.to] = c.v
			}
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// Coerce converts a JSON value, as decoded by encoding/json with UseNumber,
// to the Go type that holds attribute a's simple values (see the package
// documentation). When lenient is set it also accepts booleans and numbers
// written as strings, such as "False" or "42". It reports an *Error naming
// path when v does not fit a's type.
//
// A string never holds U+0000: PostgreSQL and many other stores cannot keep
// one, and a value that differs from another only by it would be a trap for
// whoever compares them later.
func Coerce(a *schema.Attribute, v any, lenient bool, path string) (any, error) {
	return coerceAt(a, v, lenient, loc{attr: path})
}

func coerceAt(a *schema.Attribute, v any, lenient bool, l loc) (any, error) {
	if s, ok := v.(string); ok {
		if strings.IndexByte(s, 0) >= 0 {
			return nil, errNUL(l.String())
		}
		if a.Type == schema.String || a.Type == schema.Reference {
			return v, nil // as it is, rather than boxed again
		}
	}
	out, err := coerce(a, v, lenient, l)
	if err != nil && (a.Mutability == schema.WriteOnly || a.Returned == schema.ReturnedNever) {
		// Never echo a secret, such as a password, in an error.
		return nil, invalidValue(l.String(), "expected "+typeText(a)+" (the value given is not shown)")
	}
	return out, err
}

func coerce(a *schema.Attribute, v any, lenient bool, l loc) (any, error) {
	switch a.Type {
	case schema.String, schema.Reference:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case schema.Binary:
		if s, ok := v.(string); ok {
			if _, err := base64.StdEncoding.DecodeString(s); err != nil {
				return nil, invalidValue(l.String(), "expected base64-encoded binary data")
			}
			return s, nil
		}
	case schema.Boolean:
		switch v := v.(type) {
		case bool:
			return v, nil
		case string:
			if lenient {
				if strings.EqualFold(v, "true") {
					return true, nil
				}
				if strings.EqualFold(v, "false") {
					return false, nil
				}
			}
		}
	case schema.Integer:
		if text, ok := numberText(v, lenient); ok {
			n, err := strconv.ParseInt(text, 10, 64)
			if err != nil {
				if f, ferr := strconv.ParseFloat(text, 64); ferr == nil && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
					return int64(f), nil
				}
				return nil, invalidValue(l.String(), "expected an integer, found "+text)
			}
			return n, nil
		}
	case schema.Decimal:
		if text, ok := numberText(v, lenient); ok {
			f, err := strconv.ParseFloat(text, 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return nil, invalidValue(l.String(), "expected a decimal number, found "+text)
			}
			return f, nil
		}
	case schema.DateTime:
		if s, ok := v.(string); ok {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, invalidValue(l.String(), "expected a dateTime such as \"2011-05-13T04:42:34Z\", found "+quote(s))
			}
			return t, nil
		}
	case schema.Complex:
		return nil, invalidValue(l.String(), "expected a value for a sub-attribute of "+quote(a.Name))
	}
	return nil, invalidValue(l.String(), "expected "+typeText(a)+", found "+kind(v))
}

func errNUL(path string) *Error {
	return invalidValue(path, "a string may not contain U+0000 (NUL)")
}

func numberText(v any, lenient bool) (string, bool) {
	switch v := v.(type) {
	case json.Number:
		return string(v), true
	case string:
		if lenient && v != "" {
			if _, err := strconv.ParseFloat(v, 64); err == nil {
				return v, true
			}
		}
	}
	return "", false
}

// typeText names a's type with an article, for messages.
func typeText(a *schema.Attribute) string {
	switch a.Type {
	case schema.Boolean:
		return "a boolean"
	case schema.Decimal:
		return "a decimal number"
	case schema.Integer:
		return "an integer"
	case schema.DateTime:
		return "a dateTime string"
	case schema.Binary:
		return "a base64 string"
	case schema.Reference:
		return "a reference string"
	case schema.Complex:
		return "an object"
	}
	return "a string"
}

// kind names the JSON type of a decoded value, for messages.
func kind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case string:
		if len(v) > 40 {
			return "the string " + quote(v[:40]+"...")
		}
		return "the string " + quote(v)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "an unsupported value"
}
