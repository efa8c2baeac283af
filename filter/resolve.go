package filter

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/scim-go/scim/internal/clip"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// Attribute is an attribute path resolved against a resource type: the
// schema attribute it names, and the sub-attribute if it names one.
type Attribute struct {
	// URN is the extension schema that defines Attr, or "" for the core
	// schema and the common attributes id, externalId and meta.
	URN string
	// Attr is the top-level attribute.
	Attr *schema.Attribute
	// Sub is the sub-attribute of Attr, or nil.
	Sub *schema.Attribute
}

// Leaf returns the attribute whose values the path yields: Sub if set,
// else Attr.
func (a Attribute) Leaf() *schema.Attribute {
	if a.Sub != nil {
		return a.Sub
	}
	return a.Attr
}

// String returns the canonical path, such as "emails.value",
// "meta.lastModified" or
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value".
func (a Attribute) String() string {
	s := a.Attr.Name
	if a.Sub != nil {
		s += "." + a.Sub.Name
	}
	if a.URN != "" {
		s = a.URN + ":" + s
	}
	return s
}

// common reports whether a is id, externalId or meta, which live in
// resource.Resource fields rather than in its Attributes.
func (a Attribute) common() bool { return a.URN == "" && isCommon(a.Attr) }

var (
	commonAttrs = schema.CommonAttributes()
	idAttr      = commonAttrs[0]
	extIDAttr   = commonAttrs[1]
	metaAttr    = commonAttrs[2]
)

func isCommon(a *schema.Attribute) bool { return a == idAttr || a == extIDAttr || a == metaAttr }

// AttributeError reports a filter, or a sort or PATCH path, that is
// well-formed but does not fit the resource type: an unknown attribute, or an
// operator or value the attribute's type does not support. The server
// answers it with 400 and scimType invalidFilter (invalidPath for PATCH).
type AttributeError struct {
	Path string // the attribute path as written in the request
	Msg  string
	// Undefined reports that the path names an attribute, sub-attribute or
	// schema the resource type does not define, as opposed to one it
	// defines but the request misuses.
	Undefined bool
}

// Error returns the path and what is wrong with it.
func (e *AttributeError) Error() string {
	return "filter: attribute " + clip.Quote(e.Path) + ": " + e.Msg
}

// ResolveAttribute resolves p against rt: names match case-insensitively
// and may be qualified by the URN of rt's schema or of one of its extensions
// (RFC 7644 §3.10); an unqualified name the core schema lacks names the
// attribute of an extension when exactly one has it, as identity providers
// send "manager". Attributes returned "never", such as password, are
// refused since filtering or sorting on them would reveal their values.
func ResolveAttribute(rt *schema.ResourceType, p AttrPath) (Attribute, error) {
	a, err := resolveAttribute(rt, p)
	if err == nil && (hidden(a.Attr) || (a.Sub != nil && hidden(a.Sub))) {
		return Attribute{}, &AttributeError{Path: p.String(), Msg: "cannot be used in a filter or for sorting"}
	}
	return a, err
}

// resolveAttribute resolves p against rt, write-only attributes included.
func resolveAttribute(rt *schema.ResourceType, p AttrPath) (Attribute, error) {
	fail := func(msg string) (Attribute, error) {
		return Attribute{}, &AttributeError{Path: p.String(), Msg: msg}
	}
	undefined := func(msg string) (Attribute, error) {
		return Attribute{}, &AttributeError{Path: p.String(), Msg: msg, Undefined: true}
	}
	s, urn := rt.Schema, ""
	if p.URN != "" {
		switch {
		case strings.EqualFold(p.URN, rt.Schema.ID):
		case rt.Extension(p.URN) != nil:
			s = rt.Extension(p.URN)
			urn = s.ID
		default:
			return undefined("unknown schema " + p.URN + " for resource type " + rt.Name)
		}
	}
	if p.Name == "" {
		return fail("a schema URN alone is not an attribute")
	}
	a := Attribute{URN: urn, Attr: s.Attribute(p.Name)}
	if a.Attr == nil && urn == "" {
		a.Attr = findAttr(commonAttrs, p.Name)
	}
	if a.Attr == nil && p.URN == "" {
		a.URN, a.Attr = rt.ExtensionAttribute(p.Name)
	}
	if a.Attr == nil {
		if p.URN == "" && rt.Ambiguous(p.Name) {
			return undefined("is an attribute of more than one extension of resource type " + rt.Name + "; qualify it by its schema URN")
		}
		return undefined("no such attribute in resource type " + rt.Name)
	}
	if p.Sub != "" {
		if a.Attr.Type != schema.Complex {
			return fail(a.Attr.Name + " has no sub-attributes")
		}
		if a.Sub = a.Attr.SubAttribute(p.Sub); a.Sub == nil {
			return undefined(a.Attr.Name + " has no sub-attribute " + clip.Quote(p.Sub))
		}
	}
	return a, nil
}

func hidden(a *schema.Attribute) bool {
	return a.Returned == schema.ReturnedNever || a.Mutability == schema.WriteOnly
}

func findAttr(attrs []*schema.Attribute, name string) *schema.Attribute {
	for _, a := range attrs {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// Filter is a filter resolved against a resource type: every attribute path
// names an attribute of the type, and every value has been converted to the
// attribute's type. A Filter is immutable and safe for concurrent use.
type Filter struct {
	expr Expr
	root node
	rt   *schema.ResourceType // the type it was resolved against
}

// Compile parses a filter with the default limits and resolves it against
// rt.
func Compile(rt *schema.ResourceType, filter string) (*Filter, error) {
	e, err := (&Parser{SchemaURNs: rt.SchemaURNs()}).Parse(filter)
	if err != nil {
		return nil, err
	}
	return Resolve(rt, e)
}

// Resolve checks e against rt and returns the resolved Filter. Beyond
// unknown attributes it reports an *AttributeError for a comparison the
// attribute's type does not support (RFC 7644 §3.4.2.2): ordering (gt, ge,
// lt, le) on booleans, binary and complex values, co/sw/ew on booleans,
// numbers and dateTimes, a value that cannot be converted to the attribute's
// type, and null with anything but eq and ne.
func Resolve(rt *schema.ResourceType, e Expr) (*Filter, error) {
	r := resolver{rt: rt}
	root, err := r.node(e)
	if err != nil {
		return nil, err
	}
	return &Filter{expr: e, root: root, rt: rt}, nil
}

// ResolveAbsent is Resolve for a query across resource types (RFC 7644
// §3.4.2.1): an attribute rt does not define is treated as one without a
// value, so a comparison or presence test on it is false, rather than an
// error. It still reports the other errors of Resolve.
func ResolveAbsent(rt *schema.ResourceType, e Expr) (*Filter, error) {
	r := resolver{rt: rt, absent: true}
	root, err := r.node(e)
	if err != nil {
		return nil, err
	}
	return &Filter{expr: e, root: root, rt: rt}, nil
}

// noValue is a test of an attribute the resource type does not define: it
// never holds.
type noValue struct{}

func (noValue) match(*resource.Resource, map[string]any) bool { return false }

// Reads reports whether the filter reads the attribute path, such as
// "meta.location", or a sub-attribute of it when path names a complex
// attribute ("meta"): a store that fills in what it does not keep, as
// meta.location, may do so only for the filters that read it. Paths
// compare case-insensitively.
func (f *Filter) Reads(path string) bool {
	var reads func(n node) bool
	reads = func(n node) bool {
		switch n := n.(type) {
		case *andNode:
			return reads(n.l) || reads(n.r)
		case *orNode:
			return reads(n.l) || reads(n.r)
		case *notNode:
			return reads(n.x)
		case *presentNode:
			return pathReads(n.attr, path)
		case *compareNode:
			return pathReads(n.attr, path)
		case *valuePathNode:
			return pathReads(n.attr, path) || reads(n.filter)
		}
		return false
	}
	return reads(f.root)
}

// pathReads reports whether reading a reads path.
func pathReads(a Attribute, path string) bool {
	s := a.String()
	return strings.EqualFold(s, path) || len(s) > len(path) && s[len(path)] == '.' && strings.EqualFold(s[:len(path)], path)
}

// ResourceType returns the resource type f was resolved against.
func (f *Filter) ResourceType() *schema.ResourceType { return f.rt }

// Expr returns the parsed filter f was resolved from.
func (f *Filter) Expr() Expr { return f.expr }

// String returns the filter as canonical text.
func (f *Filter) String() string { return f.expr.String() }

type resolver struct {
	absent bool // undefined attributes have no value, rather than an error
	rt     *schema.ResourceType
	parent *schema.Attribute // the complex attribute of an enclosing value path
	urn    string            // its extension URN
	prefix string            // the value path's attribute as written, and "."
}

// path returns p as written, prefixed inside a value path with the value
// path's attribute, for error messages.
func (r *resolver) path(p AttrPath) string {
	if r.parent != nil && r.prefix == "" {
		return r.parent.Name + "." + p.String()
	}
	return r.prefix + p.String()
}

func (r *resolver) attr(p AttrPath) (Attribute, error) {
	if r.parent == nil {
		return ResolveAttribute(r.rt, p)
	}
	// Inside a value path, names are sub-attributes of the parent.
	fail := func(msg string) (Attribute, error) {
		return Attribute{}, &AttributeError{Path: r.path(p), Msg: msg}
	}
	if p.URN != "" || p.Sub != "" {
		return fail("inside " + r.parent.Name + "[...] only sub-attribute names may be used")
	}
	sub := r.parent.SubAttribute(p.Name)
	if sub == nil {
		return Attribute{}, &AttributeError{Path: r.path(p), Msg: r.parent.Name + " has no sub-attribute " + clip.Quote(p.Name), Undefined: true}
	}
	if hidden(sub) {
		return fail("cannot be used in a filter")
	}
	return Attribute{URN: r.urn, Attr: r.parent, Sub: sub}, nil
}

func (r *resolver) node(e Expr) (node, error) {
	n, err := r.term(e)
	var ae *AttributeError
	if err != nil && r.absent && errors.As(err, &ae) && ae.Undefined {
		return noValue{}, nil
	}
	return n, err
}

// pair resolves the operands of "and" or "or".
func (r *resolver) pair(left, right Expr) (node, node, error) {
	l, err := r.node(left)
	if err != nil {
		return nil, nil, err
	}
	rr, err := r.node(right)
	return l, rr, err
}

func (r *resolver) term(e Expr) (node, error) {
	switch e := e.(type) {
	case And:
		l, rr, err := r.pair(e.Left, e.Right)
		if err != nil {
			return nil, err
		}
		return &andNode{l, rr}, nil
	case Or:
		l, rr, err := r.pair(e.Left, e.Right)
		if err != nil {
			return nil, err
		}
		return &orNode{l, rr}, nil
	case Not:
		x, err := r.node(e.X)
		if err != nil {
			return nil, err
		}
		return &notNode{x}, nil
	case Present:
		a, err := r.attr(e.Attr)
		if err != nil {
			return nil, err
		}
		return &presentNode{attr: a, inElem: r.parent != nil}, nil
	case Compare:
		return r.compare(e)
	case ValuePath:
		if r.parent != nil {
			return nil, &AttributeError{Path: r.path(e.Attr), Msg: "value paths cannot be nested"}
		}
		a, err := r.attr(e.Attr)
		if err != nil {
			return nil, err
		}
		if a.Sub != nil || a.Attr.Type != schema.Complex {
			return nil, &AttributeError{Path: e.Attr.String(), Msg: "a value path needs a complex attribute"}
		}
		inner := resolver{absent: r.absent, rt: r.rt, parent: a.Attr, urn: a.URN, prefix: e.Attr.String() + "."}
		f, err := inner.node(e.Filter)
		if err != nil {
			return nil, err
		}
		return &valuePathNode{attr: a, filter: f}, nil
	}
	return nil, &AttributeError{Msg: "unsupported expression"}
}

func (r *resolver) compare(e Compare) (node, error) {
	a, err := r.attr(e.Attr)
	if err != nil {
		return nil, err
	}
	fail := func(msg string) (node, error) {
		return nil, &AttributeError{Path: r.path(e.Attr), Msg: msg}
	}
	switch e.Op {
	case Eq, Ne, Co, Sw, Ew, Gt, Ge, Lt, Le:
	default:
		return fail("unknown operator " + clip.Quote(string(e.Op)))
	}
	inElem := r.parent != nil
	if e.Value == nil {
		// "eq null" asks for an absent attribute, "ne null" for a present one.
		p := &presentNode{attr: a, inElem: inElem}
		switch e.Op {
		case Eq:
			return &notNode{p}, nil
		case Ne:
			return p, nil
		}
		return fail("null can only be compared with eq or ne")
	}
	// A complex attribute compares by its "value" sub-attribute
	// (RFC 7644 §3.4.2.2).
	if a.Sub == nil && a.Attr.Type == schema.Complex {
		if a.Sub = a.Attr.SubAttribute("value"); a.Sub == nil {
			return fail("a complex attribute without a \"value\" sub-attribute cannot be compared")
		}
		if hidden(a.Sub) {
			// As a path naming the sub-attribute is refused: a write-only
			// value must not be probed by comparing with it.
			return fail("compares by its \"value\" sub-attribute, which cannot be used in a filter")
		}
	}
	leaf := a.Leaf()
	ordered := e.Op == Gt || e.Op == Ge || e.Op == Lt || e.Op == Le
	substring := e.Op == Co || e.Op == Sw || e.Op == Ew
	typ := leaf.Type
	switch {
	case ordered && (typ == schema.Boolean || typ == schema.Binary):
		return fail(string(e.Op) + " is not supported for " + typ.String() + " attributes")
	case substring && (typ == schema.Boolean || typ == schema.Integer || typ == schema.Decimal || typ == schema.DateTime):
		return fail(string(e.Op) + " is not supported for " + typ.String() + " attributes")
	}
	lit, err := literal(leaf, e.Value)
	if err != nil {
		return fail(err.Error())
	}
	n := &compareNode{attr: a, op: e.Op, lit: lit, caseExact: leaf.CaseExact, typ: typ, inElem: inElem}
	if isText(typ) && !leaf.CaseExact {
		n.lit.fold = Fold(n.lit.s)
		n.lit.lower = n.lit.fold
		if !isASCII(n.lit.s) {
			n.lit.lower = strings.ToLower(n.lit.s)
		}
	}
	if e.Op == Ne {
		// ne is the negation of eq: a resource matches when none of the
		// attribute's values equals the literal.
		n.op = Eq
		return &notNode{n}, nil
	}
	return n, nil
}

// lit is a comparison literal converted to the attribute's type.
type lit struct {
	s     string // string, reference and binary values
	fold  string // Fold(s), for attributes that are not caseExact
	lower string // strings.ToLower(s), likewise, for SQL's LOWER(col)
	b     bool
	i     int64
	f     float64
	isInt bool // the literal is an integer, held in i
	t     time.Time
	raw   any // the value as a Go value of the attribute's type
}

func literal(a *schema.Attribute, v Value) (lit, error) {
	var l lit
	switch a.Type {
	case schema.String, schema.Reference, schema.Binary:
		switch v := v.(type) {
		case string:
			l.s = v
		case Number:
			l.s = string(v) // a bare number compared with a string attribute
		case bool:
			l.s = strconv.FormatBool(v)
		default:
			return l, errorString("expected a string")
		}
		l.raw = l.s
	case schema.Boolean:
		switch v := v.(type) {
		case bool:
			l.b = v
		case string: // as in active eq "False"
			switch {
			case strings.EqualFold(v, "true"):
				l.b = true
			case strings.EqualFold(v, "false"):
			default:
				return l, errorString("expected true or false, found " + clip.Quote(v))
			}
		default:
			return l, errorString("expected true or false")
		}
		l.raw = l.b
	case schema.Integer, schema.Decimal:
		var text string
		switch v := v.(type) {
		case Number:
			text = string(v)
		case string:
			text = v
		default:
			return l, errorString("expected a number")
		}
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return l, errorString("expected a number, found " + clip.Quote(text))
		}
		l.f = f
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			l.i, l.isInt = i, true
		}
		if a.Type == schema.Integer && l.isInt {
			l.raw = l.i
		} else {
			l.raw = l.f
		}
	case schema.DateTime:
		s, ok := v.(string)
		if !ok {
			return l, errorString("expected a dateTime string")
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return l, errorString("expected a dateTime such as \"2011-05-13T04:42:34Z\", found " + clip.Quote(s))
		}
		l.t = t
		l.raw = t
	default:
		return l, errorString("cannot compare a complex value")
	}
	return l, nil
}

type errorString string

func (e errorString) Error() string { return string(e) }

// Equality returns the attribute and value of an equality comparison that
// every matching resource satisfies, when the filter has one at its top
// level or under a top-level "and": for userName eq "bjensen" it returns
// userName and "bjensen". A store can use it to answer from an index and
// then check each candidate with Match. The value has the Go type
// resource.Resource uses for the attribute.
func (f *Filter) Equality() (Attribute, any, bool) {
	return equality(f.root)
}

func equality(n node) (Attribute, any, bool) {
	switch n := n.(type) {
	case *compareNode:
		if n.op == Eq && !n.inElem && !n.attr.Leaf().MultiValued && !n.attr.Attr.MultiValued {
			return n.attr, n.lit.raw, true
		}
	case *andNode:
		if a, v, ok := equality(n.l); ok {
			return a, v, ok
		}
		return equality(n.r)
	}
	return Attribute{}, nil, false
}
