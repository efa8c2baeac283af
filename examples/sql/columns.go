package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// A field is a single-valued attribute kept in a column of the resource's
// own row rather than in its JSON data, so that filters and sorts on it run
// in the database: userName, name.givenName, the enterprise employeeNumber.
type field struct {
	urn  string // the extension's schema URN, or "" for the core schema
	name string // the top-level attribute
	sub  string // the sub-attribute, or ""
	col  string // the column
	attr *schema.Attribute
}

// path returns the field's canonical path, as filter.Attribute.String
// writes it and filter.SQL.Columns is keyed.
func (f *field) path() string {
	p := f.name
	if f.sub != "" {
		p += "." + f.sub
	}
	if f.urn != "" {
		p = f.urn + ":" + p
	}
	return p
}

// fields resolves column mappings, written as "path=column" with the path
// relative to urn, against rt. It panics on a mapping rt does not define:
// the mappings are constants of this program.
func fields(rt *schema.ResourceType, urn string, mappings ...string) []field {
	s := rt.Schema
	if urn != "" {
		s = rt.Extension(urn)
	}
	var out []field
	for _, m := range mappings {
		path, col, _ := strings.Cut(m, "=")
		name, sub, _ := strings.Cut(path, ".")
		a := s.Attribute(name)
		f := field{urn: urn, name: name, sub: sub, col: col, attr: a}
		if sub != "" && a != nil {
			f.attr = a.SubAttribute(sub)
		}
		if f.attr == nil || f.attr.MultiValued || f.attr.Type == schema.Complex {
			panic("no single-valued attribute " + path + " in " + s.ID)
		}
		out = append(out, f)
	}
	return out
}

// take removes the field's value from attrs, a copy of a resource's
// attributes, and returns it, or nil; complex values and extensions left
// empty are removed too.
func (f *field) take(attrs map[string]any) any {
	m := attrs
	if f.urn != "" {
		m, _ = attrs[f.urn].(map[string]any)
	}
	if m == nil {
		return nil
	}
	var v any
	if f.sub == "" {
		v = m[f.name]
		delete(m, f.name)
	} else if c, ok := m[f.name].(map[string]any); ok {
		v = c[f.sub]
		delete(c, f.sub)
		if len(c) == 0 {
			delete(m, f.name)
		}
	}
	if f.urn != "" && len(m) == 0 {
		delete(attrs, f.urn)
	}
	return v
}

// put sets the field's value in attrs.
func (f *field) put(attrs map[string]any, v any) {
	m := attrs
	if f.urn != "" {
		m, _ = attrs[f.urn].(map[string]any)
		if m == nil {
			m = make(map[string]any)
			attrs[f.urn] = m
		}
	}
	if f.sub == "" {
		m[f.name] = v
		return
	}
	c, _ := m[f.name].(map[string]any)
	if c == nil {
		c = make(map[string]any)
		m[f.name] = c
	}
	c[f.sub] = v
}

// arg converts a value of the field's attribute to a column value; nil
// stays NULL.
func (d *dialect) arg(v any) any {
	if t, ok := v.(time.Time); ok {
		return d.timeArg(t)
	}
	return v
}

// scanner returns a destination for Scan for a column holding values of
// type t, and a function that returns the scanned value as a resource
// holds it, or nil for NULL.
func scanner(t schema.Type) (any, func() any) {
	switch t {
	case schema.Boolean:
		var v sql.NullBool
		return &v, func() any {
			if !v.Valid {
				return nil
			}
			return v.Bool
		}
	case schema.Integer:
		var v sql.NullInt64
		return &v, func() any {
			if !v.Valid {
				return nil
			}
			return v.Int64
		}
	case schema.Decimal:
		var v sql.NullFloat64
		return &v, func() any {
			if !v.Valid {
				return nil
			}
			return v.Float64
		}
	case schema.DateTime:
		var v nullTime
		return &v, func() any {
			if !v.valid {
				return nil
			}
			return v.t
		}
	}
	var v sql.NullString
	return &v, func() any {
		if !v.Valid {
			return nil
		}
		return v.String
	}
}

// nullTime scans a dateTime column: a time from PostgreSQL, text in
// filter.TextTimeLayout from SQLite.
type nullTime struct {
	t     time.Time
	valid bool
}

func (n *nullTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		n.valid = false
		return nil
	case time.Time:
		n.t, n.valid = v.UTC(), true
		return nil
	case string:
		return n.parse(v)
	case []byte:
		return n.parse(string(v))
	}
	return fmt.Errorf("cannot scan %T into a time", src)
}

func (n *nullTime) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	n.t, n.valid = t.UTC(), true
	return nil
}

// encodeData returns the JSON of the attributes not kept in columns or
// child tables. dateTimes are written in RFC 3339 form and read back by
// decodeData with the schema's help.
func encodeData(attrs map[string]any) (string, error) {
	if len(attrs) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(attrs)
	return string(b), err
}

// decodeData reads the JSON encodeData wrote into attrs, converting each
// value to the Go type of its attribute (see package resource) with
// resource.DecodeValue. Attributes the resource type no longer defines are
// dropped.
func decodeData(rt *schema.ResourceType, data string, attrs map[string]any) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(data)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("decoding stored data: %w", err)
	}
	put := func(dst map[string]any, s *schema.Schema, k string, v any) error {
		a := s.Attribute(k)
		if a == nil {
			return nil
		}
		val, err := resource.DecodeValue(a, v, resource.DecodeOptions{}, a.Name)
		if err != nil {
			return fmt.Errorf("decoding stored %s: %w", a.Name, err)
		}
		if val != nil {
			dst[a.Name] = val
		}
		return nil
	}
	for k, v := range m {
		if ext := rt.Extension(k); ext != nil {
			obj, _ := v.(map[string]any)
			em, _ := attrs[ext.ID].(map[string]any)
			if em == nil {
				em = make(map[string]any, len(obj))
			}
			for ek, ev := range obj {
				if err := put(em, ext, ek, ev); err != nil {
					return err
				}
			}
			if len(em) > 0 {
				attrs[ext.ID] = em
			}
			continue
		}
		if err := put(attrs, rt.Schema, k, v); err != nil {
			return err
		}
	}
	return nil
}
