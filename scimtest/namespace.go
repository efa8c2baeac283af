package scimtest

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"strings"

	"github.com/scim-go/scim/internal/lex"
)

// This file keeps the checks of CheckEndpoint to resources of their own on
// a service that holds others. A namespace marks what a check creates with
// a prefix, scopes the check's lists to that prefix, and takes the prefix
// out of what the service answers, so that a case reads back the names it
// wrote and counts only its own resources.

// namespace rewrites a check's requests into the part of a service's
// directory that is the check's own.
type namespace struct {
	// prefix starts the userName and externalId of every user, and the
	// displayName and externalId of every group, the check creates. It
	// holds only lower-case ASCII letters, digits and "-", which JSON
	// never escapes, so that it reads the same in every response.
	prefix string

	// ids maps the ids a golden conversation recorded to those the
	// service gave the same resources, for a replay; nil for a case of the
	// suite, which sees the service's own ids.
	ids map[string]string
}

// endpointOf returns the endpoint a request path is under, such as
// "Users" for "/Users/2819c223", or "".
func endpointOf(path string) string {
	ep, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return ep
}

// marked reports whether attr, an attribute of the resource type at
// endpoint as a request names it (in any case, perhaps qualified by a
// schema URN), is one whose values carry the prefix.
func marked(endpoint, attr string) bool {
	if i := strings.LastIndexByte(attr, ':'); i >= 0 {
		attr = attr[i+1:]
	}
	switch {
	case strings.EqualFold(attr, "externalId"):
		return true
	case endpoint == "Users":
		return strings.EqualFold(attr, "userName")
	case endpoint == "Groups":
		return strings.EqualFold(attr, "displayName")
	}
	return false
}

// scopeAttr is the attribute a list of the resources at endpoint is
// scoped by: one that every resource of the type has.
func scopeAttr(endpoint string) string {
	if endpoint == "Groups" {
		return "displayName"
	}
	return "userName"
}

// target returns the path and query of a request to method path with
// query q, in the namespace: ids mapped, the literals of filters on marked
// attributes prefixed, and a list of /Users or /Groups scoped to the
// prefix with a filter.
func (ns *namespace) target(method, path string, q url.Values) string {
	path = ns.path(path)
	ep := endpointOf(path)
	q = maps.Clone(q) // target only sets keys, never appends to a value
	f := q.Get("filter")
	if f != "" {
		f = ns.filter(ep, f)
	}
	if method == http.MethodGet && (path == "/Users" || path == "/Groups") {
		scope := scopeAttr(ep) + " sw " + quoteJSON(ns.prefix)
		if f != "" {
			scope += " and (" + f + ")"
		}
		f = scope
	}
	if f != "" {
		q.Set("filter", f)
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// path returns a request path with its ids mapped.
func (ns *namespace) path(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if id, ok := ns.ids[s]; ok {
			segs[i] = url.PathEscape(id)
		}
	}
	return strings.Join(segs, "/")
}

// prefixOps are the operators whose literal, compared with a marked
// attribute, gets the prefix: with the same prefix on both sides they
// compare as the names alone would. co and ew do without it.
var prefixOps = map[string]bool{"eq": true, "ne": true, "sw": true, "gt": true, "ge": true, "lt": true, "le": true}

// filter returns filter text f, for the resources at endpoint, in the
// namespace.
func (ns *namespace) filter(endpoint, f string) string {
	return rewriteLiterals(f, func(attr, op, lit string) (string, bool) {
		if marked(endpoint, attr) && prefixOps[op] {
			return ns.prefix + lit, true
		}
		id, ok := ns.ids[lit]
		return id, ok
	})
}

// request returns body, the JSON of a request to method path, in the
// namespace: the marked attributes of the resources it carries prefixed
// (in a POST or PUT, the operations of a PATCH and the data of a Bulk
// request), and ids mapped. A body that is not a JSON object is returned
// as it is.
func (ns *namespace) request(method, path string, body []byte) []byte {
	var m doc
	if len(body) == 0 || decodeJSON(body, &m) != nil || m == nil {
		return body
	}
	switch ep := endpointOf(path); {
	case path == "/Bulk":
		for _, o := range list(member(m, "Operations")) {
			o, _ := o.(doc)
			data, _ := member(o, "data").(doc)
			p, _ := member(o, "path").(string)
			if p != "" {
				o[key(o, "path")] = ns.path(p)
			}
			if data == nil {
				continue
			}
			if strings.EqualFold(str(o, "method"), http.MethodPatch) {
				ns.patch(endpointOf(p), data)
			} else {
				ns.resource(endpointOf(p), data)
			}
		}
	case method == http.MethodPatch:
		ns.patch(ep, m)
	case method == http.MethodPost || method == http.MethodPut:
		ns.resource(ep, m)
	}
	return encodeJSON(ns.mapIDs(m))
}

// resource prefixes the marked attributes of m, a resource at endpoint.
func (ns *namespace) resource(endpoint string, m doc) {
	for k, v := range m {
		if s, ok := v.(string); ok && marked(endpoint, k) {
			m[k] = ns.prefix + s
		}
	}
}

// patch rewrites the operations of m, a PatchOp request for a resource at
// endpoint: the value of one whose path is a marked attribute is
// prefixed, a value filter in a path is rewritten as a filter is, and a
// value without a path is rewritten as a resource is.
func (ns *namespace) patch(endpoint string, m doc) {
	for _, o := range list(member(m, "Operations")) {
		o, _ := o.(doc)
		pathKey, valueKey := key(o, "path"), key(o, "value")
		p, _ := o[pathKey].(string)
		switch v := o[valueKey].(type) {
		case string:
			if p != "" && marked(endpoint, p) {
				o[valueKey] = ns.prefix + v
			}
		case doc:
			if p == "" {
				ns.resource(endpoint, v)
			}
		}
		if strings.Contains(p, "[") {
			o[pathKey] = ns.filter(endpoint, p)
		}
	}
}

// mapIDs returns v with every string that is a recorded id replaced by
// the service's id for it.
func (ns *namespace) mapIDs(v any) any {
	if ns.ids == nil {
		return v
	}
	switch v := v.(type) {
	case string:
		if id, ok := ns.ids[v]; ok {
			return id
		}
	case doc:
		for k, e := range v {
			v[k] = ns.mapIDs(e)
		}
	case []any:
		for i, e := range v {
			v[i] = ns.mapIDs(e)
		}
	}
	return v
}

// response returns a response body out of the namespace: without the
// prefix, wherever it is.
func (ns *namespace) response(body []byte) []byte {
	return bytes.ReplaceAll(body, []byte(ns.prefix), nil)
}

// key returns the key of m that equals name case-insensitively, or name.
func key(m doc, name string) string {
	for k := range m {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

// member returns the member of m whose key equals name
// case-insensitively, or nil.
func member(m doc, name string) any { return m[key(m, name)] }

// decodeJSON decodes data into v, keeping numbers as written.
func decodeJSON(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	return d.Decode(v)
}

// encodeJSON returns v as JSON, with <, > and & as they are.
func encodeJSON(v any) []byte {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// quoteJSON returns s as a JSON string.
func quoteJSON(s string) string { return string(encodeJSON(s)) }

// filterOps are the operators of RFC 7644 §3.4.2.2 that take a literal.
var filterOps = map[string]bool{"eq": true, "ne": true, "co": true, "sw": true, "ew": true, "gt": true, "ge": true, "lt": true, "le": true}

// rewriteLiterals returns the filter text f (or a PATCH path with a value
// filter) with the literal of each comparison replaced by what rewrite
// returns for it, leaving the rest of the text as it was written. rewrite
// is given the attribute as written, the operator in lower case, and the
// literal: a string's value, or a bare word (such as an unquoted id) as it
// is; it returns the new literal and true, or false to keep the old. A
// string stays a JSON string, and a bare word stays bare unless the new
// literal cannot be.
func rewriteLiterals(f string, rewrite func(attr, op, lit string) (string, bool)) string {
	type token struct {
		start, end int
		kind       byte // '"' a string, 'w' a word, or the bracket or parenthesis itself
	}
	var toks []token
	for i := 0; i < len(f); {
		switch c := f[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"':
			_, j, err := lex.String(f, i)
			if err != nil {
				// Not a string a filter can hold: leave the rest as it is.
				toks = append(toks, token{i, len(f), '!'})
				i = len(f)
				continue
			}
			toks = append(toks, token{i, j, '"'})
			i = j
		case lex.Class[c]&lex.Bare != 0:
			j := lex.Skip(f, i, lex.Bare)
			toks = append(toks, token{i, j, 'w'})
			i = j
		default:
			toks = append(toks, token{i, i + 1, c}) // a bracket, a parenthesis or a control character
			i++
		}
	}
	var b strings.Builder
	last := 0
	for k := 2; k < len(toks); k++ {
		attr, op, lit := toks[k-2], toks[k-1], toks[k]
		opText := strings.ToLower(f[op.start:op.end])
		if attr.kind != 'w' || op.kind != 'w' || !filterOps[opText] || lit.kind != '"' && lit.kind != 'w' {
			continue
		}
		value := f[lit.start:lit.end]
		if lit.kind == '"' {
			value, _, _ = lex.String(value, 0)
		}
		next, ok := rewrite(f[attr.start:attr.end], opText, value)
		if !ok {
			continue
		}
		b.WriteString(f[last:lit.start])
		if lit.kind == 'w' && next != "" && lex.Skip(next, 0, lex.Bare) == len(next) {
			b.WriteString(next)
		} else {
			b.WriteString(quoteJSON(next))
		}
		last = lit.end
	}
	b.WriteString(f[last:])
	return b.String()
}
