// Package patch parses SCIM PATCH requests and applies them to resources,
// with the semantics of RFC 7644 §3.5.2.
//
// Parse reads a PatchOp body and resolves every operation against the
// resource type: paths are parsed and checked against the schemas, values
// are converted to the attributes' types, and read-only targets are refused.
// An add or replace without a path is expanded into one operation per
// attribute of its value, so every Operation that Parse returns has a path.
// Apply then applies the operations to a resource.
//
// # Leniency
//
// Identity providers send shapes RFC 7644 does not define. Parse and Apply
// accept these by default; each can be turned off in Options:
//
//   - operation names in any case, such as Entra ID's "Replace" and "Add";
//   - booleans and numbers written as strings, such as "value": "False";
//   - an add or replace whose value path matches nothing creates a value
//     from the path's eq terms, so addresses[type eq "work"].locality and
//     addresses[type eq "work"].postalCode land on one new address, and
//     Entra ID's replace of emails[type eq "work"].value sets a work email
//     on a user who has none;
//   - a remove whose value path matches nothing, such as of a member who is
//     not there, changes nothing instead of failing: identity providers
//     treat a 400 as final and mark the whole push as failed;
//   - a remove with a value filter on a single-valued complex attribute,
//     such as manager[value eq "26118915"], removes it if it matches;
//   - an add or replace whose path is an extension's URN alone takes its
//     value as the extension's attributes;
//   - a remove of a multi-valued attribute with a value, such as
//     {"op": "remove", "path": "members", "value": [{"value": "2819c223"}]},
//     removes just the values given, never all of them;
//   - keys of a path-less value that are paths themselves, dotted
//     ("name.givenName") or URN-qualified
//     ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber");
//   - a single-valued complex attribute with a "value" sub-attribute, such
//     as the enterprise manager, given as a bare value ("manager": "26118915")
//     or a one-element array;
//   - paths and keys naming attributes the resource type does not define
//     are ignored, as on POST (RFC 7644 §3.3).
//
// Read-only attributes in a path-less value, such as a stray "id", are
// ignored; a path that names one is refused with scimType mutability.
package patch

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/internal/clip"
	"github.com/scim-go/scim/internal/jsonv"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// Op is a PATCH operation type.
type Op string

// The operation types of RFC 7644 §3.5.2.
const (
	Add     Op = "add"
	Remove  Op = "remove"
	Replace Op = "replace"
)

// DefaultMaxOperations is the default limit on the operations of one
// request.
const DefaultMaxOperations = 1000

// Options turn off the leniencies described in the package documentation.
// The zero value accepts them all.
type Options struct {
	// Strict turns off every leniency at once.
	Strict bool

	// ExactOpNames rejects operation names not in lower case.
	ExactOpNames bool
	// ExactTypes rejects booleans and numbers written as strings. Like
	// RejectUnknown, it also rejects undefined sub-attributes in values.
	ExactTypes bool
	// NoAddByFilter answers an add or replace whose value path matches
	// nothing with noTarget instead of creating a value.
	NoAddByFilter bool
	// NoIdempotentRemove answers a remove whose value path matches
	// nothing, such as a member who is not there, with noTarget instead
	// of changing nothing.
	NoIdempotentRemove bool
	// NoExtensionPath rejects an add or replace whose path is an
	// extension's URN alone, instead of taking its value as the
	// extension's attributes.
	NoExtensionPath bool
	// NoSingleFilter rejects a remove with a value filter on a
	// single-valued complex attribute, such as manager[value eq "x"],
	// instead of removing the value when it matches.
	NoSingleFilter bool
	// NoRemoveByValue rejects a remove that carries a value.
	NoRemoveByValue bool
	// NoPathKeys ignores keys of path-less values that are not attribute
	// names.
	NoPathKeys bool
	// NoValueShorthand rejects a bare value or one-element array for a
	// single-valued complex attribute.
	NoValueShorthand bool
	// RejectUnknown answers paths and keys naming undefined attributes with
	// invalidPath instead of ignoring them. Like ExactTypes, it also rejects
	// booleans and numbers written as strings in values.
	RejectUnknown bool

	// MaxOperations limits the operations of one request; more are refused
	// with invalidValue. Default DefaultMaxOperations.
	MaxOperations int

	// MaxValues limits the values one operation carries for a
	// multi-valued attribute; more are refused with invalidValue. Zero
	// means no limit. What a resource holds once patched is checked
	// apart, with resource.CheckValues.
	MaxValues int
}

func (o *Options) on(off bool) bool { return !o.Strict && !off }

// Operation is one resolved PATCH operation.
type Operation struct {
	// Index is the operation's position in the request, from 0.
	Index int
	Op    Op
	Path  Path
	// Value is the operation's value converted to the type of its target
	// (see the resource package documentation), or nil. It is a []any of
	// values for a multi-valued attribute addressed without a value
	// filter, a map[string]any for a complex value, and a simple value
	// otherwise.
	Value any

	// createOnNoMatch lets an add or replace whose value filter matches
	// nothing create a value; Parse sets it unless Options.NoAddByFilter.
	createOnNoMatch bool
	// removeNoMatch lets a remove whose value filter matches nothing
	// change nothing; Parse sets it unless Options.NoIdempotentRemove.
	removeNoMatch bool
	// sent is the operation's name as sent, such as "Replace", for Error.Op.
	sent string
}

// NoTarget reports whether Apply fails o with noTarget when its value
// filter matches no value, as RFC 7644 §3.5.2 has it. Otherwise, by the
// leniencies of Options, an add or replace creates a value from the
// filter's eq terms (when the filter is such terms joined by "and"), and a
// remove, or a replace with null, changes nothing. A scim.Patcher that
// applies o itself asks it when the filter matches nothing.
func (o *Operation) NoTarget() bool {
	if o.Op == Remove || o.Value == nil {
		return !o.removeNoMatch
	}
	return !o.createOnNoMatch || o.Path.Filter == nil || o.Path.Filter.Equalities() == nil
}

// Path is a resolved PATCH path (RFC 7644 §3.5.2): an attribute, optionally
// narrowed by a value filter and a sub-attribute after it.
type Path struct {
	// Attr is the attribute, with its sub-attribute when the path has the
	// form "name.givenName". It is zero when the path is a whole extension.
	Attr filter.Attribute
	// Extension is the extension URN when the path is an extension schema
	// URN alone, such as a remove of the whole enterprise extension.
	Extension string
	// Filter selects values of a multi-valued complex attribute, as
	// members[value eq "2819c223"], or is nil.
	Filter *filter.ValueFilter
	// Sub is the sub-attribute after a value filter, as the value of
	// emails[type eq "work"].value, or nil.
	Sub *schema.Attribute
	// Text is the path as written.
	Text string
}

// leaf returns the attribute whose values the path addresses.
func (p *Path) leaf() *schema.Attribute {
	if p.Sub != nil {
		return p.Sub
	}
	return p.Attr.Leaf()
}

// Error reports an invalid PATCH request or an operation that cannot be
// applied. The server answers it with 400 and Type as the scimType.
type Error struct {
	// Index is the failing operation's position, from 0, or -1 for the
	// request as a whole.
	Index int
	Op    string // the operation name as sent
	Path  string // the path as sent
	// Type is the RFC 7644 §3.12 scimType: invalidSyntax, invalidPath,
	// invalidValue, noTarget or mutability.
	Type string
	Msg  string
}

// Error says which operation failed, on which path, and why.
func (e *Error) Error() string {
	if e.Index < 0 {
		return e.Msg
	}
	s := "operation " + strconv.Itoa(e.Index) + " (" + clip.String(e.Op)
	if e.Path != "" {
		s += " " + clip.String(e.Path)
	}
	return s + "): " + e.Msg
}

// Parse reads a PatchOp request body (RFC 7644 §3.5.2) and resolves its
// operations against rt. It reports an *Error for a malformed body, an
// unknown operation, a path that cannot be parsed or names a read-only
// attribute, a remove without a path, or a value that does not fit its
// target.
func Parse(rt *schema.ResourceType, body []byte, opt Options) ([]Operation, error) {
	max := opt.MaxOperations
	if max <= 0 {
		max = DefaultMaxOperations
	}
	env, ok := readEnvelope(body, max)
	if !ok {
		// Say what encoding/json says is wrong.
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(new(map[string]any)); err != nil {
			return nil, &Error{Index: -1, Type: "invalidSyntax", Msg: "request body is not a JSON object"}
		}
		return nil, &Error{Index: -1, Type: "invalidSyntax", Msg: "request body has data after the JSON object"}
	}
	if env.schemas.twice || env.operations.twice {
		name := "schemas"
		if !env.schemas.twice {
			name = "Operations"
		}
		return nil, &Error{Index: -1, Type: "invalidSyntax", Msg: strconv.Quote(name) + " is given more than once"}
	}
	if !env.hasSchema {
		return nil, &Error{Index: -1, Type: "invalidSyntax", Msg: "schemas must list " + schema.PatchOpURN}
	}
	if !env.isArray || env.count == 0 {
		return nil, &Error{Index: -1, Type: "invalidSyntax", Msg: "Operations must be a non-empty array"}
	}
	if env.count > max {
		return nil, &Error{Index: -1, Type: "invalidValue", Msg: "more than " + strconv.Itoa(max) + " operations"}
	}
	p := parser{rt: rt, opt: opt, urns: rt.SchemaURNs()}
	var ops []Operation
	for i := range env.ops {
		var err error
		if ops, err = p.operation(ops, i, &env.ops[i]); err != nil {
			return nil, err
		}
	}
	return ops, nil
}

// envelope is what Parse reads of a PatchOp body: its schemas and its
// operations as sent. A member given twice under one spelling counts as
// the last one given, as in a map; under two spellings, as "op" and "Op",
// it is an error, since which one counted would be arbitrary.
type envelope struct {
	schemas, operations spelling
	hasSchema           bool    // schemas lists the PatchOp URN
	isArray             bool    // Operations is an array
	count               int     // of its elements
	ops                 []rawOp // the first of them, as many as readEnvelope keeps
}

// rawOp is one operation as sent.
type rawOp struct {
	notObject        bool // the operation is not a JSON object
	op, path, value  spelling
	opName, pathText string
	hasPath, badPath bool // path is a string; path is neither a string nor null
	v                any
}

// spelling records how a member's name was written: the first spelling,
// and whether another one followed.
type spelling struct {
	name  string
	twice bool
}

// is reports whether key names the member, case-insensitively, and notes
// its spelling.
func (s *spelling) is(key, name string) bool {
	if !strings.EqualFold(key, name) {
		return false
	}
	if s.name == "" {
		s.name = key
	} else if s.name != key {
		s.twice = true
	}
	return true
}

// readEnvelope reads body, reporting whether it is a JSON object. It keeps
// the first keep operations, and counts the others: a request with more
// than the limit costs no more than reading it. It builds no map of the
// body's members, only the values of the operations it keeps.
func readEnvelope(body []byte, keep int) (*envelope, bool) {
	d := jsonv.NewDecoder(body)
	defer d.Close()
	env := new(envelope)
	ok := d.Object(func(k string) bool {
		switch {
		case env.schemas.is(k, "schemas"):
			env.hasSchema = false
			if d.Next() != '[' {
				return d.Skip()
			}
			return d.Array(func() bool {
				if d.Next() != '"' {
					return d.Skip()
				}
				s, ok := d.String()
				env.hasSchema = env.hasSchema || strings.EqualFold(s, schema.PatchOpURN)
				return ok
			})
		case env.operations.is(k, "Operations"):
			env.ops, env.count, env.isArray = env.ops[:0], 0, d.Next() == '['
			if !env.isArray {
				return d.Skip()
			}
			return d.Array(func() bool {
				if env.count++; env.count > keep {
					return d.Skip()
				}
				env.ops = append(env.ops, rawOp{})
				return readOp(&d, &env.ops[len(env.ops)-1])
			})
		}
		return d.Skip()
	})
	return env, ok && d.End()
}

// readOp reads one operation into o.
func readOp(d *jsonv.Decoder, o *rawOp) bool {
	if d.Next() != '{' {
		o.notObject = true
		return d.Skip()
	}
	return d.Object(func(k string) bool {
		var ok bool
		switch {
		case o.op.is(k, "op"):
			o.opName = ""
			if d.Next() == '"' {
				o.opName, ok = d.String()
			} else {
				ok = d.Skip()
			}
		case o.path.is(k, "path"):
			o.pathText, o.hasPath, o.badPath = "", false, false
			switch d.Next() {
			case '"':
				o.pathText, ok = d.String()
				o.hasPath = true
			default:
				o.badPath = d.Next() != 'n' // null is no path
				ok = d.Skip()
			}
		case o.value.is(k, "value"):
			o.v, ok = d.Value()
		default:
			ok = d.Skip()
		}
		return ok
	})
}

type parser struct {
	rt   *schema.ResourceType
	opt  Options
	urns []string
}

// operation parses one raw operation and appends what it resolves to.
func (p *parser) operation(ops []Operation, i int, raw *rawOp) ([]Operation, error) {
	if raw.notObject {
		return nil, &Error{Index: i, Type: "invalidSyntax", Msg: "an operation must be a JSON object"}
	}
	twice := ""
	switch {
	case raw.op.twice:
		twice = "op"
	case raw.path.twice:
		twice = "path"
	case raw.value.twice:
		twice = "value"
	}
	if twice != "" {
		return nil, &Error{Index: i, Type: "invalidSyntax", Msg: strconv.Quote(twice) + " is given more than once"}
	}
	opName, pathText, value := raw.opName, raw.pathText, raw.v
	hasOp, hasPath, badPath := raw.op.name != "", raw.hasPath, raw.badPath
	fail := func(typ, msg string) ([]Operation, error) {
		return nil, &Error{Index: i, Op: opName, Path: pathText, Type: typ, Msg: msg}
	}
	if badPath {
		return fail("invalidPath", "path must be a string")
	}
	op := Op(opName)
	if p.opt.on(p.opt.ExactOpNames) {
		op = Op(strings.ToLower(opName))
	}
	switch {
	case !hasOp:
		return fail("invalidSyntax", `"op" is required`)
	case op != Add && op != Remove && op != Replace:
		return fail("invalidSyntax", `"op" must be "add", "remove" or "replace"`)
	}
	n := len(ops)
	if !hasPath {
		if op == Remove {
			return fail("noTarget", "remove needs a path")
		}
		var err error
		if ops, err = p.pathless(ops, i, op, opName, value); err != nil {
			return nil, err
		}
	} else {
		path, skip, err := p.path(pathText)
		switch {
		case err != nil:
			return fail(err.typ, err.msg)
		case skip:
		case path.Extension != "" && op != Remove && p.opt.on(p.opt.NoExtensionPath):
			// The extension's attributes, as if sent without a path.
			var err error
			if ops, err = p.pathless(ops, i, op, opName, map[string]any{path.Extension: value}); err != nil {
				return nil, err
			}
		case path.Filter != nil && !path.Attr.Attr.MultiValued && op != Remove:
			return fail("invalidPath", "a value filter on the single-valued "+path.Attr.Attr.Name+" can only select it for a remove")
		default:
			if ops, err = p.appendOp(ops, i, op, path, value); err != nil {
				return fail(err.typ, err.msg)
			}
		}
	}
	for j := n; j < len(ops); j++ {
		ops[j].sent = opName
	}
	return ops, nil
}

// opError is an error found while parsing an operation, before it is
// attributed to the operation's index.
type opError struct{ typ, msg string }

// path parses and resolves a PATCH path. skip reports a path naming an
// attribute the resource type does not define, to be ignored.
func (p *parser) path(text string) (Path, bool, *opError) {
	fp, err := (&filter.Parser{SchemaURNs: p.urns}).ParsePath(text)
	if err != nil {
		var se *filter.SyntaxError
		if errors.As(err, &se) {
			return Path{}, false, &opError{"invalidPath", se.Error()}
		}
		return Path{}, false, &opError{"invalidPath", "path cannot be parsed"}
	}
	path := Path{Text: text}
	if fp.Attr.Name == "" {
		// A whole schema: the core schema is the resource itself, which a
		// path cannot name; an extension is fine.
		if ext := p.rt.Extension(fp.Attr.URN); ext != nil {
			path.Extension = ext.ID
			return path, false, nil
		}
		return Path{}, false, &opError{"invalidPath", "path must name an attribute or an extension"}
	}
	attr, err := filter.ResolveTarget(p.rt, fp.Attr)
	if err != nil {
		if p.opt.on(p.opt.RejectUnknown) && unknown(err) {
			return Path{}, true, nil
		}
		return Path{}, false, &opError{"invalidPath", attributeMessage(err)}
	}
	path.Attr = attr
	if fp.Filter != nil {
		if attr.Sub != nil {
			return Path{}, false, &opError{"invalidPath", "a value filter must follow an attribute, not a sub-attribute"}
		}
		if !attr.Attr.MultiValued && (attr.Attr.Type != schema.Complex || !p.opt.on(p.opt.NoSingleFilter)) {
			return Path{}, false, &opError{"invalidPath", "a value filter selects values of a multi-valued attribute; " + attr.Attr.Name + " is single-valued"}
		}
		vf, err := filter.ResolveValueFilter(p.rt, attr, fp.Filter)
		if err != nil {
			return Path{}, false, &opError{"invalidPath", attributeMessage(err)}
		}
		path.Filter = vf
		if fp.Sub != "" {
			if path.Sub = attr.Attr.SubAttribute(fp.Sub); path.Sub == nil {
				if p.opt.on(p.opt.RejectUnknown) {
					return Path{}, true, nil
				}
				return Path{}, false, &opError{"invalidPath", attr.Attr.Name + " has no sub-attribute " + clip.Quote(fp.Sub)}
			}
		}
	}
	for _, a := range []*schema.Attribute{attr.Attr, attr.Sub, path.Sub} {
		if a != nil && a.Mutability == schema.ReadOnly {
			return Path{}, false, &opError{"mutability", a.Name + " is read-only"}
		}
	}
	return path, false, nil
}

// unknown reports whether err says an attribute or schema is not defined,
// as opposed to being misused.
func unknown(err error) bool {
	var ae *filter.AttributeError
	return errors.As(err, &ae) && ae.Undefined
}

func attributeMessage(err error) string {
	var ae *filter.AttributeError
	if errors.As(err, &ae) {
		return "attribute " + clip.Quote(ae.Path) + ": " + ae.Msg
	}
	return err.Error()
}

// decodeOptions converts values strictly, rejecting both string-typed
// booleans and numbers and unknown sub-attributes, when either leniency is
// turned off.
func (p *parser) decodeOptions() resource.DecodeOptions {
	return resource.DecodeOptions{Strict: !p.opt.on(p.opt.ExactTypes) || !p.opt.on(p.opt.RejectUnknown), MaxValues: p.opt.MaxValues}
}
