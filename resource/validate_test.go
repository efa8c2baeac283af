package resource_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// validWidget returns widget attributes that satisfy every requirement.
func validWidget() map[string]any {
	return attrs(
		"name", "w",
		"part", attrs("label", "l"),
		"parts", []any{attrs("value", "p")},
		auditURN, attrs("auditor", "a"),
	)
}

func TestCheckRequired(t *testing.T) {
	tests := []struct {
		name  string
		rt    *schema.ResourceType
		attrs map[string]any
		want  *resource.Error
	}{
		{
			name:  "user with userName",
			rt:    userRT,
			attrs: attrs("userName", "b"),
		},
		{
			name:  "missing core attribute",
			rt:    userRT,
			attrs: attrs("displayName", "Babs"),
			want:  &resource.Error{Type: "invalidValue", Path: "userName", Msg: "required attribute is missing"},
		},
		{
			name:  "nil core attribute",
			rt:    userRT,
			attrs: attrs("userName", nil),
			want:  &resource.Error{Type: "invalidValue", Path: "userName", Msg: "required attribute is missing"},
		},
		{
			name: "no attributes",
			rt:   groupRT,
			want: &resource.Error{Type: "invalidValue", Path: "displayName", Msg: "required attribute is missing"},
		},
		{
			name:  "optional extension absent",
			rt:    userRT,
			attrs: attrs("userName", "b"),
		},
		{
			name:  "widget with everything required",
			rt:    widgetRT,
			attrs: validWidget(),
		},
		{
			name: "read-only required attribute is the server's to set",
			rt:   widgetRT,
			attrs: func() map[string]any {
				m := validWidget()
				delete(m, "status")
				return m
			}(),
		},
		{
			name: "missing sub-attribute of a single-valued complex attribute",
			rt:   widgetRT,
			attrs: func() map[string]any {
				m := validWidget()
				m["part"] = attrs("code", "c")
				return m
			}(),
			want: &resource.Error{Type: "invalidValue", Path: "part.label", Msg: "required attribute is missing"},
		},
		{
			name: "missing sub-attribute in one value of a multi-valued attribute",
			rt:   widgetRT,
			attrs: func() map[string]any {
				m := validWidget()
				m["parts"] = []any{attrs("value", "p"), attrs("primary", true)}
				return m
			}(),
			want: &resource.Error{Type: "invalidValue", Path: "parts.value", Msg: "required attribute is missing"},
		},
		{
			name: "host values as []map[string]any",
			rt:   widgetRT,
			attrs: func() map[string]any {
				m := validWidget()
				m["parts"] = []map[string]any{{"value": "p"}, {"value": "q"}}
				return m
			}(),
		},
		{
			name: "missing sub-attribute in []map[string]any",
			rt:   widgetRT,
			attrs: func() map[string]any {
				m := validWidget()
				m["parts"] = []map[string]any{{"value": "p"}, {"primary": true}}
				return m
			}(),
			want: &resource.Error{Type: "invalidValue", Path: "parts.value", Msg: "required attribute is missing"},
		},
		{
			name: "missing required extension",
			rt:   widgetRT,
			attrs: func() map[string]any {
				m := validWidget()
				delete(m, auditURN)
				return m
			}(),
			want: &resource.Error{Type: "invalidValue", Path: auditURN, Msg: "required extension is missing"},
		},
		{
			name: "missing attribute of an extension",
			rt:   widgetRT,
			attrs: func() map[string]any {
				m := validWidget()
				m[auditURN] = attrs("level", int64(2))
				return m
			}(),
			want: &resource.Error{Type: "invalidValue", Path: auditURN + ":auditor", Msg: "required attribute is missing"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := resource.CheckRequired(tt.rt, &resource.Resource{Attributes: tt.attrs})
			checkError(t, tt.want, err)
		})
	}
}

// TestCheckRequiredExtensionAttribute makes the enterprise extension
// required, as the example of RFC 7643 §8.6 does, and its employeeNumber.
func TestCheckRequiredExtensionAttribute(t *testing.T) {
	rt := schema.UserResourceType()
	rt.Extensions[0].Required = true
	rt.Extensions[0].Schema.Attribute("employeeNumber").Required = true
	tests := []struct {
		name  string
		attrs map[string]any
		want  *resource.Error
	}{
		{
			name:  "present",
			attrs: attrs("userName", "b", entURN, attrs("employeeNumber", "1")),
		},
		{
			name:  "extension missing",
			attrs: attrs("userName", "b"),
			want:  &resource.Error{Type: "invalidValue", Path: entURN, Msg: "required extension is missing"},
		},
		{
			name:  "attribute missing",
			attrs: attrs("userName", "b", entURN, attrs("costCenter", "1")),
			want:  &resource.Error{Type: "invalidValue", Path: entURN + ":employeeNumber", Msg: "required attribute is missing"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkError(t, tt.want, resource.CheckRequired(rt, &resource.Resource{Attributes: tt.attrs}))
		})
	}
}

func TestMerge(t *testing.T) {
	created := time.Date(2010, 1, 23, 4, 56, 22, 0, time.UTC)
	meta := resource.Meta{ResourceType: "User", Created: created, LastModified: created, Location: "https://example.com/v2/Users/u1", Version: "3"}
	tests := []struct {
		name         string
		rt           *schema.ResourceType
		stored, next *resource.Resource
		want         *resource.Resource
	}{
		{
			name:   "id and meta come from the stored resource",
			rt:     userRT,
			stored: &resource.Resource{ID: "u1", ExternalID: "e1", Meta: meta, Attributes: attrs("userName", "b")},
			next:   &resource.Resource{ID: "other", ExternalID: "e2", Meta: resource.Meta{Version: "9"}, Attributes: attrs("userName", "c")},
			want:   &resource.Resource{ID: "u1", ExternalID: "e2", Meta: meta, Attributes: attrs("userName", "c")},
		},
		{
			name:   "omitted externalId is cleared",
			rt:     userRT,
			stored: &resource.Resource{ID: "u1", ExternalID: "e1", Attributes: attrs("userName", "b")},
			next:   &resource.Resource{Attributes: attrs("userName", "b")},
			want:   &resource.Resource{ID: "u1", Attributes: attrs("userName", "b")},
		},
		{
			name: "read-only groups are carried",
			rt:   userRT,
			stored: &resource.Resource{ID: "u1", Attributes: attrs(
				"userName", "b",
				"groups", []any{attrs("value", "g1", "display", "Admins")},
			)},
			next: &resource.Resource{Attributes: attrs("userName", "b")},
			want: &resource.Resource{ID: "u1", Attributes: attrs(
				"userName", "b",
				"groups", []any{attrs("value", "g1", "display", "Admins")},
			)},
		},
		{
			name: "read-only values in the body are replaced by the stored ones",
			rt:   widgetRT,
			stored: &resource.Resource{ID: "w1", Attributes: attrs(
				"name", "w", "status", "ok", "part", attrs("label", "l", "revision", int64(3)),
			)},
			next: &resource.Resource{Attributes: attrs(
				"name", "w", "status", "hacked", "part", attrs("label", "m", "revision", int64(9)),
			)},
			want: &resource.Resource{ID: "w1", Attributes: attrs(
				"name", "w", "status", "ok", "part", attrs("label", "m", "revision", int64(3)),
			)},
		},
		{
			name:   "omitted password (returned never) is kept",
			rt:     userRT,
			stored: &resource.Resource{ID: "u1", Attributes: attrs("userName", "b", "password", "t1meMa$heen")},
			next:   &resource.Resource{Attributes: attrs("userName", "b")},
			want:   &resource.Resource{ID: "u1", Attributes: attrs("userName", "b", "password", "t1meMa$heen")},
		},
		{
			name:   "given password replaces the stored one",
			rt:     userRT,
			stored: &resource.Resource{ID: "u1", Attributes: attrs("userName", "b", "password", "old")},
			next:   &resource.Resource{Attributes: attrs("userName", "b", "password", "new")},
			want:   &resource.Resource{ID: "u1", Attributes: attrs("userName", "b", "password", "new")},
		},
		{
			name:   "omitted immutable attributes are kept",
			rt:     widgetRT,
			stored: &resource.Resource{ID: "w1", Attributes: attrs("name", "w", "serial", "S-1", "aliases", []any{"a"}, auditURN, attrs("auditor", "x", "level", int64(2)))},
			next:   &resource.Resource{Attributes: attrs("name", "v")},
			want:   &resource.Resource{ID: "w1", Attributes: attrs("name", "v", "serial", "S-1", "aliases", []any{"a"}, auditURN, attrs("level", int64(2)))},
		},
		{
			name:   "an unchanged immutable attribute is accepted",
			rt:     widgetRT,
			stored: &resource.Resource{ID: "w1", Attributes: attrs("serial", "S-1", auditURN, attrs("level", int64(2)))},
			next:   &resource.Resource{Attributes: attrs("serial", "S-1", auditURN, attrs("level", int64(2)))},
			want:   &resource.Resource{ID: "w1", Attributes: attrs("serial", "S-1", auditURN, attrs("level", int64(2)))},
		},
		{
			name:   "an immutable attribute may be set once",
			rt:     widgetRT,
			stored: &resource.Resource{ID: "w1", Attributes: attrs("name", "w")},
			next:   &resource.Resource{Attributes: attrs("name", "w", "serial", "S-1")},
			want:   &resource.Resource{ID: "w1", Attributes: attrs("name", "w", "serial", "S-1")},
		},
		{
			name:   "an immutable sub-attribute compares case-insensitively",
			rt:     widgetRT,
			stored: &resource.Resource{ID: "w1", Attributes: attrs("part", attrs("label", "l", "code", "ABC"))},
			next:   &resource.Resource{Attributes: attrs("part", attrs("label", "m", "code", "abc"))},
			want:   &resource.Resource{ID: "w1", Attributes: attrs("part", attrs("label", "m", "code", "abc"))},
		},
		{
			name:   "an omitted immutable sub-attribute is kept",
			rt:     widgetRT,
			stored: &resource.Resource{ID: "w1", Attributes: attrs("part", attrs("label", "l", "code", "ABC"))},
			next:   &resource.Resource{Attributes: attrs("part", attrs("label", "m"))},
			want:   &resource.Resource{ID: "w1", Attributes: attrs("part", attrs("label", "m", "code", "ABC"))},
		},
		{
			name:   "an immutable multi-valued attribute stored as []string",
			rt:     widgetRT,
			stored: &resource.Resource{ID: "w1", Attributes: attrs("aliases", []string{"a", "b"})},
			next:   &resource.Resource{Attributes: attrs("aliases", []any{"a", "b"})},
			want:   &resource.Resource{ID: "w1", Attributes: attrs("aliases", []any{"a", "b"})},
		},
		{
			name:   "an immutable integer stored as another Go type",
			rt:     widgetRT,
			stored: &resource.Resource{ID: "w1", Attributes: attrs(auditURN, attrs("auditor", "x", "level", 2))},
			next:   &resource.Resource{Attributes: attrs(auditURN, attrs("auditor", "y", "level", int64(2)))},
			want:   &resource.Resource{ID: "w1", Attributes: attrs(auditURN, attrs("auditor", "y", "level", int64(2)))},
		},
		{
			name: "read-only manager.displayName is carried",
			rt:   userRT,
			stored: &resource.Resource{ID: "u1", Attributes: attrs(
				"userName", "b",
				entURN, attrs("employeeNumber", "1", "manager", attrs("value", "m1", "displayName", "John Smith")),
			)},
			next: &resource.Resource{Attributes: attrs(
				"userName", "b",
				entURN, attrs("manager", attrs("value", "m2")),
			)},
			want: &resource.Resource{ID: "u1", Attributes: attrs(
				"userName", "b",
				entURN, attrs("manager", attrs("value", "m2", "displayName", "John Smith")),
			)},
		},
		{
			name: "omitted read-write attributes are cleared",
			rt:   userRT,
			stored: &resource.Resource{ID: "u1", Attributes: attrs(
				"userName", "b", "displayName", "Babs", "name", attrs("givenName", "B"),
				"emails", []any{attrs("value", "b@example.com")},
				entURN, attrs("employeeNumber", "1", "manager", attrs("value", "m1", "displayName", "John Smith")),
			)},
			next: &resource.Resource{Attributes: attrs("userName", "b")},
			want: &resource.Resource{ID: "u1", Attributes: attrs("userName", "b")},
		},
		{
			name:   "nil attributes",
			rt:     userRT,
			stored: &resource.Resource{ID: "u1", Attributes: attrs("userName", "b", "password", "p")},
			next:   &resource.Resource{},
			want:   &resource.Resource{ID: "u1", Attributes: attrs("password", "p")},
		},
		{
			name:   "extension only in the body",
			rt:     userRT,
			stored: &resource.Resource{ID: "u1", Attributes: attrs("userName", "b")},
			next:   &resource.Resource{Attributes: attrs("userName", "b", entURN, attrs("costCenter", "4130"))},
			want:   &resource.Resource{ID: "u1", Attributes: attrs("userName", "b", entURN, attrs("costCenter", "4130"))},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stored := tt.stored.Clone()
			if err := resource.Merge(tt.rt, tt.stored, tt.next); err != nil {
				t.Fatalf("Merge: %v", err)
			}
			if diff := cmp.Diff(tt.want, tt.next); diff != "" {
				t.Errorf("Merge mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(stored, tt.stored); diff != "" {
				t.Errorf("Merge changed the stored resource (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMergeDoesNotShareStoredValues(t *testing.T) {
	stored := &resource.Resource{ID: "u1", Attributes: attrs(
		"userName", "b",
		"groups", []any{attrs("value", "g1")},
	)}
	next := &resource.Resource{Attributes: attrs("userName", "b")}
	if err := resource.Merge(userRT, stored, next); err != nil {
		t.Fatal(err)
	}
	next.Attributes["groups"].([]any)[0].(map[string]any)["value"] = "changed"
	if got := stored.Attributes["groups"].([]any)[0].(map[string]any)["value"]; got != "g1" {
		t.Errorf("changing the merged resource changed the stored one: groups.value = %v", got)
	}
}

func TestMergeErrors(t *testing.T) {
	tests := []struct {
		name         string
		rt           *schema.ResourceType
		stored, next map[string]any
		want         *resource.Error
	}{
		{
			name:   "changed immutable attribute",
			rt:     widgetRT,
			stored: attrs("serial", "S-1"),
			next:   attrs("serial", "S-2"),
			want:   &resource.Error{Type: "mutability", Path: "serial", Msg: "immutable attribute cannot be changed once set"},
		},
		{
			name:   "case change of a caseExact immutable attribute",
			rt:     widgetRT,
			stored: attrs("serial", "s-1"),
			next:   attrs("serial", "S-1"),
			want:   &resource.Error{Type: "mutability", Path: "serial", Msg: "immutable attribute cannot be changed once set"},
		},
		{
			name:   "reordered immutable multi-valued attribute",
			rt:     widgetRT,
			stored: attrs("aliases", []any{"a", "b"}),
			next:   attrs("aliases", []any{"b", "a"}),
			want:   &resource.Error{Type: "mutability", Path: "aliases", Msg: "immutable attribute cannot be changed once set"},
		},
		{
			name:   "changed immutable sub-attribute",
			rt:     widgetRT,
			stored: attrs("part", attrs("label", "l", "code", "ABC")),
			next:   attrs("part", attrs("label", "l", "code", "XYZ")),
			want:   &resource.Error{Type: "mutability", Path: "part.code", Msg: "immutable attribute cannot be changed once set"},
		},
		{
			name:   "changed immutable extension attribute",
			rt:     widgetRT,
			stored: attrs(auditURN, attrs("auditor", "a", "level", int64(2))),
			next:   attrs(auditURN, attrs("auditor", "a", "level", int64(3))),
			want:   &resource.Error{Type: "mutability", Path: auditURN + ":level", Msg: "immutable attribute cannot be changed once set"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := resource.Merge(tt.rt, &resource.Resource{ID: "x", Attributes: tt.stored}, &resource.Resource{Attributes: tt.next})
			checkError(t, tt.want, err)
		})
	}
}

func TestEqual(t *testing.T) {
	caseIgnore := &schema.Attribute{Name: "s"}
	caseExact := &schema.Attribute{Name: "s", CaseExact: true}
	multi := &schema.Attribute{Name: "m", MultiValued: true}
	integer := &schema.Attribute{Name: "i", Type: schema.Integer}
	decimal := &schema.Attribute{Name: "d", Type: schema.Decimal}
	boolean := &schema.Attribute{Name: "b", Type: schema.Boolean}
	dateTime := &schema.Attribute{Name: "t", Type: schema.DateTime}
	emails := userRT.Schema.Attribute("emails")
	name := userRT.Schema.Attribute("name")
	x509 := userRT.Schema.Attribute("x509Certificates")
	t0 := time.Date(2011, 5, 13, 4, 42, 34, 0, time.UTC)

	tests := []struct {
		name string
		attr *schema.Attribute
		a, b any
		want bool
	}{
		{"case-insensitive string", caseIgnore, "Bjensen", "bJENSEN", true},
		{"case-insensitive non-ASCII string", caseIgnore, "ÉCOLE", "école", true},
		{"different strings", caseIgnore, "a", "b", false},
		{"caseExact string", caseExact, "Bjensen", "bjensen", false},
		{"caseExact same string", caseExact, "bjensen", "bjensen", true},
		{"string and number", caseIgnore, "1", int64(1), false},

		{"multi-valued, same order", multi, []any{"a", "B"}, []any{"A", "b"}, true},
		{"multi-valued, other order", multi, []any{"a", "b"}, []any{"b", "a"}, false},
		{"multi-valued, other length", multi, []any{"a"}, []any{"a", "a"}, false},
		{"multi-valued, []string and []any", multi, []string{"a", "b"}, []any{"a", "b"}, true},
		{"multi-valued, []string differs", multi, []string{"a", "b"}, []any{"a", "c"}, false},
		{"multi-valued, single value and list of one", multi, "a", []any{"a"}, true},
		{"multi-valued, both empty", multi, []any{}, nil, true},

		{"complex, same", name, attrs("givenName", "Barbara", "familyName", "Jensen"), attrs("familyName", "JENSEN", "givenName", "barbara"), true},
		{"complex, other value", name, attrs("givenName", "Barbara"), attrs("givenName", "Babs"), false},
		{"complex, extra sub-attribute", name, attrs("givenName", "B"), attrs("givenName", "B", "familyName", "J"), false},
		{"complex, other sub-attribute", name, attrs("givenName", "B"), attrs("familyName", "B"), false},
		{"complex, not a map", name, attrs("givenName", "B"), "B", false},
		{
			"multi-valued complex", emails,
			[]any{attrs("value", "b@example.com", "primary", true), attrs("value", "c@example.com")},
			[]any{attrs("value", "B@EXAMPLE.COM", "primary", true), attrs("value", "c@example.com")},
			true,
		},
		{
			"multi-valued complex, []map[string]any", emails,
			[]map[string]any{{"value": "b@example.com", "type": "work"}},
			[]any{attrs("value", "b@example.com", "type", "WORK")},
			true,
		},
		{
			"multi-valued complex, primary differs", emails,
			[]any{attrs("value", "b@example.com", "primary", true)},
			[]any{attrs("value", "b@example.com", "primary", false)},
			false,
		},
		{
			"caseExact binary sub-attribute", x509,
			[]any{attrs("value", "QUJD")}, []any{attrs("value", "qujd")},
			false,
		},

		{"int64 and int", integer, int64(42), 42, true},
		{"int64 and int32", integer, int64(-7), int32(-7), true},
		{"int64 and uint64", integer, int64(7), uint64(7), true},
		{"int64 and float64", integer, int64(3), 3.0, true},
		{"int64 and json.Number", integer, int64(12), json.Number("12"), true},
		{"int64 and json.Number with exponent", integer, int64(1000), json.Number("1e3"), true},
		{"different integers", integer, int64(1), int64(2), false},
		{"large integers one apart", integer, int64(1<<53 + 1), int64(1 << 53), false},
		{"large integer and json.Number one apart", integer, int64(9007199254740993), json.Number("9007199254740992"), false},
		{"large integer and equal json.Number", integer, int64(9007199254740993), json.Number("9007199254740993"), true},
		{"max int64 and max int64 - 1", integer, int64(1<<63 - 1), int64(1<<63 - 2), false},
		{"uint64 beyond int64", integer, uint64(1 << 63), int64(-1 << 63), false},
		{"integer and string", integer, int64(1), "1", false},
		{"invalid json.Number", integer, json.Number("x"), json.Number("x"), false},
		{"float64 and float32", decimal, 0.5, float32(0.5), true},
		{"decimals differ", decimal, 0.5, 0.25, false},
		{"booleans", boolean, true, true, true},
		{"booleans differ", boolean, true, false, false},
		{"boolean and string", boolean, true, "true", false},

		{"same instant in two zones", dateTime, t0, t0.In(time.FixedZone("CEST", 2*3600)), true},
		{"different instants", dateTime, t0, t0.Add(time.Nanosecond), false},
		{"time and string", dateTime, t0, "2011-05-13T04:42:34Z", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := resource.Equal(tt.attr, tt.a, tt.b); got != tt.want {
				t.Errorf("Equal(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := resource.Equal(tt.attr, tt.b, tt.a); got != tt.want {
				t.Errorf("Equal(%v, %v) = %v, want %v (reversed)", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

func TestClone(t *testing.T) {
	r := fullWidget()
	r.Attributes["tags"] = []string{"a", "b"}
	r.Attributes["parts"] = []map[string]any{{"value": "p1", "sizes": []any{int64(1)}}}
	c := r.Clone()
	if diff := cmp.Diff(r, c); diff != "" {
		t.Fatalf("Clone mismatch (-want +got):\n%s", diff)
	}
	c.Attributes["part"].(map[string]any)["label"] = "changed"
	c.Attributes["tags"].([]string)[0] = "changed"
	c.Attributes["parts"].([]map[string]any)[0]["value"] = "changed"
	c.Attributes["parts"].([]map[string]any)[0]["sizes"].([]any)[0] = int64(9)
	c.Attributes[auditURN].(map[string]any)["auditor"] = "changed"
	if diff := cmp.Diff(fullWidgetWith("tags", []string{"a", "b"}, "parts", []map[string]any{{"value": "p1", "sizes": []any{int64(1)}}}), r); diff != "" {
		t.Errorf("changing the clone changed the original (-want +got):\n%s", diff)
	}
	if (*resource.Resource)(nil).Clone() != nil {
		t.Error("nil.Clone() is not nil")
	}
}

// fullWidgetWith returns fullWidget with some attributes replaced.
func fullWidgetWith(kv ...any) *resource.Resource {
	r := fullWidget()
	for k, v := range attrs(kv...) {
		r.Attributes[k] = v
	}
	return r
}

func TestCheckValues(t *testing.T) {
	users := schema.UserResourceType()
	three := []any{"a", "b", "c"}
	tests := []struct {
		name  string
		max   int
		attrs map[string]any
		want  *resource.Error
	}{
		{name: "at the limit", max: 3, attrs: attrs("emails", three)},
		{name: "no limit", max: 0, attrs: attrs("emails", three)},
		{name: "top-level attribute", max: 2, attrs: attrs("emails", three),
			want: &resource.Error{Type: "invalidValue", Path: "emails", Msg: "more than 2 values"}},
		{name: "as []string", max: 2, attrs: attrs("schemas", []string{"a", "b", "c"}),
			want: &resource.Error{Type: "invalidValue", Path: "schemas", Msg: "more than 2 values"}},
		{name: "as []map[string]any", max: 1, attrs: attrs("emails", []map[string]any{{}, {}}),
			want: &resource.Error{Type: "invalidValue", Path: "emails", Msg: "more than 1 values"}},
		{name: "sub-attribute of a complex value", max: 2, attrs: attrs("parts", []any{attrs("tags", []any{"x"}), attrs("tags", three)}),
			want: &resource.Error{Type: "invalidValue", Path: "parts.tags", Msg: "more than 2 values"}},
		{name: "sub-attribute of a single complex value", max: 2, attrs: attrs("part", attrs("tags", three)),
			want: &resource.Error{Type: "invalidValue", Path: "part.tags", Msg: "more than 2 values"}},
		{name: "an empty name", max: 2, attrs: attrs("", three),
			want: &resource.Error{Type: "invalidValue", Path: "", Msg: "more than 2 values"}},
		{name: "extension attribute", max: 2, attrs: attrs(schema.EnterpriseUserURN, attrs("codes", three)),
			want: &resource.Error{Type: "invalidValue", Path: schema.EnterpriseUserURN + ":codes", Msg: "more than 2 values"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := resource.CheckValues(users, &resource.Resource{Attributes: tt.attrs}, tt.max)
			checkError(t, tt.want, err)
		})
	}
}
