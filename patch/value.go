package patch

import (
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// pathless expands an add or replace without a path (RFC 7644 §3.5.2.1,
// §3.5.2.3) into one operation per attribute of its value, which must be an
// object of attributes.
func (p *parser) pathless(ops []Operation, i int, op Op, opName string, value any) ([]Operation, error) {
	obj, ok := value.(map[string]any)
	if !ok {
		return nil, &Error{Index: i, Op: opName, Type: "invalidValue", Msg: "without a path, the value must be an object of attributes"}
	}
	fail := func(path string, e *opError) error {
		return &Error{Index: i, Op: opName, Path: path, Type: e.typ, Msg: e.msg}
	}
	// Keys are applied in a fixed order, so that overlapping keys such as
	// "name" and "name.givenName" have one outcome.
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		v := obj[k]
		switch {
		case strings.EqualFold(k, "schemas"), strings.EqualFold(k, "id"), strings.EqualFold(k, "meta"):
			continue // read-only, or the message's own
		case strings.EqualFold(k, p.rt.Schema.ID):
			inner, ok := v.(map[string]any)
			if !ok {
				return nil, fail(k, &opError{"invalidValue", "expected an object of attributes"})
			}
			var err error
			if ops, err = p.pathless(ops, i, op, opName, inner); err != nil {
				return nil, err
			}
			continue
		}
		if ext := p.rt.Extension(k); ext != nil {
			if v == nil && op == Replace {
				ops = append(ops, Operation{Index: i, Op: Remove, Path: Path{Extension: ext.ID, Text: ext.ID}})
				continue
			}
			inner, ok := v.(map[string]any)
			if !ok {
				return nil, fail(k, &opError{"invalidValue", "expected an object of attributes of " + ext.ID})
			}
			for _, k2 := range slices.Sorted(maps.Keys(inner)) {
				var err *opError
				if ops, err = p.keyed(ops, i, op, ext.ID+":"+k2, inner[k2], true); err != nil {
					return nil, fail(ext.ID+":"+k2, err)
				}
			}
			continue
		}
		isPath := strings.ContainsAny(k, ".:")
		if isPath && !p.opt.on(p.opt.NoPathKeys) {
			if p.opt.on(p.opt.RejectUnknown) {
				continue
			}
			return nil, fail(k, &opError{"invalidPath", "not an attribute name"})
		}
		var err *opError
		if ops, err = p.keyed(ops, i, op, k, v, true); err != nil {
			return nil, fail(k, err)
		}
	}
	return ops, nil
}

// keyed appends the operation for one key of a path-less value. Read-only
// attributes there are ignored, as in a POST body.
func (p *parser) keyed(ops []Operation, i int, op Op, key string, v any, fromValue bool) ([]Operation, *opError) {
	path, skip, err := p.path(key)
	if err != nil && err.typ == "mutability" && fromValue {
		return ops, nil
	}
	if err != nil {
		return nil, err
	}
	if skip {
		return ops, nil
	}
	if path.Filter != nil {
		return nil, &opError{"invalidPath", "a key of a value cannot hold a value filter"}
	}
	if v == nil && op == Replace {
		return append(ops, Operation{Index: i, Op: Remove, Path: path}), nil
	}
	return p.appendOp(ops, i, op, path, v)
}

// appendOp converts raw, the value of an operation on path, and appends
// the operations it resolves to. A value that holds nothing once converted
// (an empty array or object, or an object of nulls and undefined or
// read-only sub-attributes) adds nothing, and replaces nothing in a complex
// value, where a sub-attribute given null is unassigned (RFC 7643 §2.5): a
// replace of "name" with {"givenName": null} removes name.givenName and
// leaves the rest of the name. An empty array still replaces a whole
// multi-valued attribute, unassigning it.
func (p *parser) appendOp(ops []Operation, i int, op Op, path Path, raw any) ([]Operation, *opError) {
	v, err := p.value(op, &path, raw)
	if err != nil {
		return nil, err
	}
	complexTarget := path.Extension == "" && path.Sub == nil && path.Attr.Sub == nil &&
		path.Attr.Attr.Type == schema.Complex && (path.Filter != nil || !path.Attr.Attr.MultiValued)
	if v != nil || raw == nil || op == Remove || op == Replace && !complexTarget {
		ops = append(ops, Operation{Index: i, Op: op, Path: path, Value: v,
			createOnNoMatch: p.opt.on(p.opt.NoAddByFilter), removeNoMatch: p.opt.on(p.opt.NoIdempotentRemove)})
	}
	obj, _ := raw.(map[string]any)
	if op != Replace || !complexTarget || obj == nil {
		return ops, nil
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		s := path.Attr.Attr.SubAttribute(k)
		if obj[k] != nil || s == nil || s.Mutability == schema.ReadOnly {
			continue
		}
		sub := path
		sub.Text = path.Text + "." + s.Name
		if path.Filter != nil {
			sub.Sub = s
		} else {
			sub.Attr.Sub = s
		}
		ops = append(ops, Operation{Index: i, Op: Remove, Path: sub})
	}
	return ops, nil
}

// value converts an operation's value to the type of its target.
func (p *parser) value(op Op, path *Path, raw any) (any, *opError) {
	opt := p.decodeOptions()
	if path.Extension != "" {
		if op != Remove {
			return nil, &opError{"invalidPath", "add or replace an extension's attributes by their own paths, or without a path"}
		}
		return nil, nil
	}
	if op == Remove {
		if raw == nil {
			return nil, nil
		}
		if path.Filter == nil && path.Attr.Sub == nil && path.Attr.Attr.MultiValued && p.opt.on(p.opt.NoRemoveByValue) {
			v, err := convert(resource.DecodeValue(path.Attr.Attr, raw, opt, path.Text))
			if err == nil && v == nil {
				// Values that convert to nothing, as [] or [{}], remove
				// nothing; a nil value would remove them all.
				v = []any{}
			}
			return v, err
		}
		if p.opt.Strict || p.opt.NoRemoveByValue {
			return nil, &opError{"invalidValue", "remove takes no value"}
		}
		return nil, nil
	}
	if raw == nil {
		if op == Add {
			return nil, &opError{"invalidValue", "add needs a value"}
		}
		return nil, nil // replace with null unassigns; see Apply
	}
	leaf := path.leaf()
	switch {
	case path.Filter != nil && path.Sub == nil:
		// A value of the filtered attribute, to merge into the matches.
		return convert(resource.DecodeElement(path.Attr.Attr, raw, opt, path.Text))
	case leaf.MultiValued:
		return convert(resource.DecodeValue(leaf, raw, opt, path.Text))
	case leaf.Type == schema.Complex && p.opt.on(p.opt.NoValueShorthand):
		raw = shorthand(leaf, raw)
	}
	return convert(resource.DecodeElement(leaf, raw, opt, path.Text))
}

// shorthand turns a bare value or a one-element array, given for a
// single-valued complex attribute with a "value" sub-attribute, into that
// attribute's object form: "manager": "26118915" becomes
// {"value": "26118915"}.
func shorthand(a *schema.Attribute, raw any) any {
	if list, ok := raw.([]any); ok && len(list) == 1 {
		raw = list[0]
	}
	if _, isObj := raw.(map[string]any); !isObj && a.SubAttribute("value") != nil {
		if _, isList := raw.([]any); !isList {
			return map[string]any{"value": raw}
		}
	}
	return raw
}

// convert turns a *resource.Error from converting a value into an opError.
func convert(v any, err error) (any, *opError) {
	if err == nil {
		return v, nil
	}
	var re *resource.Error
	if errors.As(err, &re) {
		return nil, &opError{re.Type, re.Error()}
	}
	return nil, &opError{"invalidValue", err.Error()}
}
