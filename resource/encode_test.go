package resource_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

var (
	created      = time.Date(2010, 1, 23, 4, 56, 22, 0, time.UTC)
	lastModified = time.Date(2011, 5, 13, 4, 42, 34, 0, time.UTC)
)

// fullWidget returns a widget with every attribute set.
func fullWidget() *resource.Resource {
	return &resource.Resource{
		ID:         "w1",
		ExternalID: "ext-1",
		Meta: resource.Meta{
			ResourceType: "Widget",
			Created:      created,
			LastModified: lastModified,
			Location:     "https://example.com/v2/Widgets/w1",
			Version:      "7",
		},
		Attributes: attrs(
			"name", "w",
			"serial", "S-1",
			"count", int64(42),
			"weight", 2.5,
			"enabled", true,
			"built", lastModified,
			"blob", "aGVsbG8=",
			"link", "https://example.com/w/1",
			"tags", []any{"a", "b"},
			"aliases", []any{"x"},
			"secret", "s",
			"token", "t",
			"status", "ok",
			"part", attrs("label", "l", "code", "c", "note", "n", "hidden", "h", "kind", "k", "revision", int64(3)),
			"parts", []any{
				attrs("value", "p1", "primary", true, "note", "n1", "sizes", []any{int64(1), int64(2)}),
				attrs("value", "p2"),
			},
			auditURN, attrs("auditor", "a", "level", int64(2), "memo", "m"),
		),
	}
}

// Pieces of the JSON of fullWidget.
const (
	widgetHead = `{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget","urn:example:params:scim:schemas:extension:audit:2.0:Widget"],"id":"w1"`
	widgetBody = `,"name":"w","serial":"S-1","count":42,"weight":2.5,"enabled":true,"built":"2011-05-13T04:42:34Z",` +
		`"blob":"aGVsbG8=","link":"https://example.com/w/1","tags":["a","b"],"aliases":["x"],"status":"ok",` +
		`"part":{"label":"l","code":"c","kind":"k","revision":3},` +
		`"parts":[{"value":"p1","primary":true,"sizes":[1,2]},{"value":"p2"}]`
	widgetAudit = `,"urn:example:params:scim:schemas:extension:audit:2.0:Widget":{"auditor":"a","level":2}`
	widgetMeta  = `,"meta":{"resourceType":"Widget","created":"2010-01-23T04:56:22Z","lastModified":"2011-05-13T04:42:34Z",` +
		`"location":"https://example.com/v2/Widgets/w1","version":"W/\"7\""}`
)

func TestAppendJSONProjection(t *testing.T) {
	tests := []struct {
		name               string
		attributes, exclud []string
		want               string
	}{
		{
			name: "no projection: returned default and always",
			want: widgetHead + `,"externalId":"ext-1"` + widgetBody + widgetAudit + widgetMeta + `}`,
		},
		{
			name:       "returned request at the top level when named",
			attributes: []string{"secret"},
			want:       widgetHead + `,"secret":"s","status":"ok"}`,
		},
		{
			name:       "returned request sub-attribute when named",
			attributes: []string{"part.note"},
			want:       widgetHead + `,"status":"ok","part":{"note":"n","kind":"k"}}`,
		},
		{
			name:       "returned request sub-attribute not returned with its parent",
			attributes: []string{"part"},
			want:       widgetHead + `,"status":"ok","part":{"label":"l","code":"c","kind":"k","revision":3}}`,
		},
		{
			name:       "values left empty by the projection are dropped from a list",
			attributes: []string{"parts.note"},
			want:       widgetHead + `,"status":"ok","parts":[{"note":"n1"}]}`,
		},
		{
			name:       "a multi-valued sub-attribute",
			attributes: []string{"parts.sizes"},
			want:       widgetHead + `,"status":"ok","parts":[{"sizes":[1,2]}]}`,
		},
		{
			name:       "returned never and write-only are not returned when named",
			attributes: []string{"token", "part.hidden"},
			want:       widgetHead + `,"status":"ok","part":{"kind":"k"}}`,
		},
		{
			name:   "returned always cannot be excluded",
			exclud: []string{"id", "status", "part.kind", "name"},
			want: widgetHead + `,"externalId":"ext-1"` + strings.Replace(widgetBody, `,"name":"w"`, "", 1) +
				widgetAudit + widgetMeta + `}`,
		},
		{
			name:   "excluding a sub-attribute",
			exclud: []string{"part.code", "parts.primary", "parts.sizes"},
			want: widgetHead + `,"externalId":"ext-1"` +
				strings.NewReplacer(`"code":"c",`, "", `,"primary":true,"sizes":[1,2]`, "").Replace(widgetBody) +
				widgetAudit + widgetMeta + `}`,
		},
		{
			name:       "attributes names the always-returned only",
			attributes: []string{"id"},
			want:       widgetHead + `,"status":"ok"}`,
		},
		{
			name:       "whole extension by URN, without its returned request attributes",
			attributes: []string{auditURN},
			want:       widgetHead + `,"status":"ok"` + widgetAudit + `}`,
		},
		{
			name:       "extension attribute qualified by URN, case-insensitively",
			attributes: []string{strings.ToUpper(auditURN) + ":Memo"},
			want:       widgetHead + `,"status":"ok","urn:example:params:scim:schemas:extension:audit:2.0:Widget":{"memo":"m"}}`,
		},
		{
			name:       "the projection does not remove an extension from schemas",
			attributes: []string{"name"},
			want:       widgetHead + `,"name":"w","status":"ok"}`,
		},
		{
			name:       "extension URN and one of its returned request attributes",
			attributes: []string{auditURN, auditURN + ":memo"},
			want:       widgetHead + `,"status":"ok","urn:example:params:scim:schemas:extension:audit:2.0:Widget":{"auditor":"a","level":2,"memo":"m"}}`,
		},
		{
			name:   "excluding a whole extension",
			exclud: []string{auditURN},
			want:   widgetHead + `,"externalId":"ext-1"` + widgetBody + widgetMeta + `}`,
		},
		{
			name:   "excluding every attribute of an extension",
			exclud: []string{auditURN + ":auditor", auditURN + ":level"},
			want:   widgetHead + `,"externalId":"ext-1"` + widgetBody + widgetMeta + `}`,
		},
		{
			name:       "core attribute qualified by the core URN",
			attributes: []string{widgetURN + ":count", widgetURN + ":part.label"},
			want:       widgetHead + `,"count":42,"status":"ok","part":{"label":"l","kind":"k"}}`,
		},
		{
			name:       "attributes and excludedAttributes together",
			attributes: []string{"name", "count", "tags", "part"},
			exclud:     []string{"count", "tags", "part.label"},
			want:       widgetHead + `,"name":"w","status":"ok","part":{"code":"c","kind":"k","revision":3}}`,
		},
		{
			name:       "paths match case-insensitively and ignore spaces",
			attributes: []string{" NAME ", "Part.Label", "", "  "},
			want:       widgetHead + `,"name":"w","status":"ok","part":{"label":"l","kind":"k"}}`,
		},
		{
			name:       "unknown paths select nothing",
			attributes: []string{"nonsense", "part.nonsense", "urn:example:unknown:name", widgetURN + ":nonsense", auditURN + ":name", "name.x.y", "urn:"},
			want:       widgetHead + `,"status":"ok"}`,
		},
		{
			name:       "meta sub-attributes",
			attributes: []string{"meta.created", "META.VERSION"},
			want:       widgetHead + `,"status":"ok","meta":{"created":"2010-01-23T04:56:22Z","version":"W/\"7\""}}`,
		},
		{
			name:       "whole meta",
			attributes: []string{"meta"},
			want:       widgetHead + `,"status":"ok"` + widgetMeta + `}`,
		},
		{
			name:   "excluding meta sub-attributes",
			exclud: []string{"meta.location", "meta.version", "meta.resourceType"},
			want: widgetHead + `,"externalId":"ext-1"` + widgetBody + widgetAudit +
				`,"meta":{"created":"2010-01-23T04:56:22Z","lastModified":"2011-05-13T04:42:34Z"}}`,
		},
		{
			name:   "excluding all of meta",
			exclud: []string{"meta.location", "meta.version", "meta.resourceType", "meta.created", "meta.lastModified"},
			want:   widgetHead + `,"externalId":"ext-1"` + widgetBody + widgetAudit + `}`,
		},
		{
			name:       "externalId",
			attributes: []string{"externalId"},
			want:       widgetHead + `,"externalId":"ext-1","status":"ok"}`,
		},
		{
			name:   "excluding externalId and meta",
			exclud: []string{"externalid", "meta"},
			want:   widgetHead + widgetBody + widgetAudit + `}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := resource.NewProjection(widgetRT, tt.attributes, tt.exclud)
			got := string(resource.Marshal(widgetRT, fullWidget(), p))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Marshal mismatch (-want +got):\n%s", diff)
			}
			if !json.Valid([]byte(got)) {
				t.Errorf("Marshal output is not valid JSON: %s", got)
			}
		})
	}
}

func TestAppendJSONUserProjection(t *testing.T) {
	r, err := resource.Decode(userRT, readFile(t, "enterprise_user.json"), resource.DecodeOptions{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	r.ID = "u1"
	r.Attributes["groups"] = []any{attrs("value", "g1", "display", "Tour Guides")}
	r.Attributes[entURN].(map[string]any)["manager"].(map[string]any)["displayName"] = "John Smith"
	head := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"id":"u1"`
	tests := []struct {
		name               string
		attributes, exclud []string
		want               string
	}{
		{
			name:       "sub-attributes of core attributes",
			attributes: []string{"name.givenName", "emails.value", "userName"},
			want:       head + `,"userName":"bjensen@example.com","name":{"givenName":"Barbara"},"emails":[{"value":"bjensen@example.com"},{"value":"babs@jensen.org"}]}`,
		},
		{
			name:       "the password is never returned",
			attributes: []string{"password"},
			want:       head + `}`,
		},
		{
			name:       "read-only attributes are returned",
			attributes: []string{"groups", entURN + ":manager"},
			want: head + `,"groups":[{"value":"g1","display":"Tour Guides"}],` +
				`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d","$ref":"../Users/26118915-6090-4610-87e4-49d8ca9f808d","displayName":"John Smith"}}}`,
		},
		{
			name:       "extension sub-attribute",
			attributes: []string{entURN + ":manager.displayName"},
			want:       head + `,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"displayName":"John Smith"}}}`,
		},
		{
			name:       "an unqualified name of an extension attribute",
			attributes: []string{"employeeNumber", "manager.displayName"},
			want:       head + `,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984","manager":{"displayName":"John Smith"}}}`,
		},
		{
			name:       "core URN qualified sub-attribute",
			attributes: []string{userURN + ":name.familyName"},
			want:       head + `,"name":{"familyName":"Jensen"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := resource.NewProjection(userRT, tt.attributes, tt.exclud)
			got := string(resource.Marshal(userRT, r, p))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Marshal mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewProjectionNil(t *testing.T) {
	if p := resource.NewProjection(userRT, nil, []string{}); p != nil {
		t.Errorf("NewProjection(nil, []) = %v, want nil", p)
	}
}

func TestResolvePath(t *testing.T) {
	type result struct{ Attr, Sub, Ext string }
	name := func(a *schema.Attribute) string {
		if a == nil {
			return ""
		}
		return a.Name
	}
	tests := []struct {
		rt   *schema.ResourceType
		path string
		want result
	}{
		{userRT, "userName", result{"userName", "", ""}},
		{userRT, "USERNAME", result{"userName", "", ""}},
		{userRT, "name.givenName", result{"name", "givenName", ""}},
		{userRT, "emails.VALUE", result{"emails", "value", ""}},
		{userRT, "id", result{"id", "", ""}},
		{userRT, "meta.lastModified", result{"meta", "lastModified", ""}},
		{userRT, "externalId", result{"externalId", "", ""}},
		{userRT, userURN + ":userName", result{"userName", "", ""}},
		{userRT, userURN + ":meta.created", result{"meta", "created", ""}},
		{userRT, entURN, result{"", "", entURN}},
		{userRT, strings.ToLower(entURN), result{"", "", entURN}},
		{userRT, entURN + ":manager.displayName", result{"manager", "displayName", entURN}},
		{userRT, entURN + ":id", result{}},
		{userRT, "manager.displayName", result{"manager", "displayName", entURN}},
		{userRT, "EmployeeNumber", result{"employeeNumber", "", entURN}},
		{userRT, userURN + ":employeeNumber", result{}},
		{userRT, userURN, result{}},
		{userRT, userURN + ":", result{}},
		{userRT, userURN + "x:userName", result{}},
		{userRT, "urn:example:unknown:userName", result{}},
		{userRT, "name.nonsense", result{}},
		{userRT, "nonsense", result{}},
		{userRT, "", result{}},
		{userRT, "urn:", result{}},
		{userRT, "emails[type eq \"work\"].value", result{}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			a, sub, ext := resource.ResolvePath(tt.rt, tt.path)
			got := result{name(a), name(sub), ext}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ResolvePath mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// An extension URN may extend the core schema's URN, as in urn:acme:Device
// and urn:acme:Device:Network. A path names the longest URN it starts with.
func TestResolvePathNestedURN(t *testing.T) {
	rt := &schema.ResourceType{
		Name:     "Device",
		Endpoint: "/Devices",
		Schema: &schema.Schema{ID: "urn:acme:Device", Attributes: []*schema.Attribute{
			{Name: "name"},
		}},
		Extensions: []schema.Extension{{Schema: &schema.Schema{ID: "urn:acme:Device:Network", Attributes: []*schema.Attribute{
			{Name: "address"},
		}}}},
	}
	if err := rt.Validate(); err != nil {
		t.Fatal(err)
	}
	type result struct{ Attr, Sub, Ext string }
	tests := []struct {
		path string
		want result
	}{
		{"urn:acme:Device:name", result{"name", "", ""}},
		{"urn:acme:Device:Network", result{"", "", "urn:acme:Device:Network"}},
		{"urn:acme:Device:Network:address", result{"address", "", "urn:acme:Device:Network"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			a, sub, ext := resource.ResolvePath(rt, tt.path)
			got := result{Ext: ext}
			if a != nil {
				got.Attr = a.Name
			}
			if sub != nil {
				got.Sub = sub.Name
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ResolvePath mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendJSONEmptyValues(t *testing.T) {
	tests := []struct {
		name  string
		attrs map[string]any
		want  string
	}{
		{
			name: "nil, empty map, empty lists and empty extension",
			attrs: attrs(
				"name", nil,
				"part", map[string]any{},
				"tags", []any{},
				"aliases", []string{},
				"parts", []map[string]any{},
				auditURN, map[string]any{},
			),
			want: `{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget"],"id":"w1"}`,
		},
		{
			name: "list of empty values",
			attrs: attrs(
				"tags", []any{nil, nil},
				"parts", []any{map[string]any{}, attrs("value", nil)},
			),
			want: `{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget"],"id":"w1"}`,
		},
		{
			name: "list whose values are all empty after projection",
			attrs: attrs(
				"parts", []any{attrs("note", "n1"), attrs("note", "n2")},
				"part", attrs("hidden", "h", "note", "n"),
			),
			want: `{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget"],"id":"w1"}`,
		},
		{
			name: "empty values among others",
			attrs: attrs(
				"tags", []any{nil, "a", nil, "b"},
				"parts", []any{attrs("note", "n1"), map[string]any{}, attrs("value", "v"), attrs("sizes", []any{})},
			),
			want: `{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget"],"id":"w1","tags":["a","b"],"parts":[{"value":"v"}]}`,
		},
		{
			name:  "an extension with only values not returned by default",
			attrs: attrs("name", "w", auditURN, attrs("memo", "m")),
			want:  `{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget"],"id":"w1","name":"w"}`,
		},
		{
			name:  "an extension with only empty values",
			attrs: attrs("name", "w", auditURN, attrs("auditor", nil, "level", []any{})),
			want:  `{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget"],"id":"w1","name":"w"}`,
		},
		{
			name:  "an empty string is a value",
			attrs: attrs("name", ""),
			want:  `{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget"],"id":"w1","name":""}`,
		},
		{
			name: "attributes the schema does not define",
			attrs: attrs(
				"name", "w",
				"bogus", "x",
				"Name", "wrong case",
				"urn:example:other", attrs("a", "b"),
				"part", attrs("label", "l", "extra", "e"),
				auditURN, attrs("auditor", "a", "bogus", "b"),
			),
			want: `{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget","urn:example:params:scim:schemas:extension:audit:2.0:Widget"],"id":"w1",` +
				`"name":"w","part":{"label":"l"},"urn:example:params:scim:schemas:extension:audit:2.0:Widget":{"auditor":"a"}}`,
		},
		{
			name: "values of Go types that cannot hold the attribute's values",
			attrs: attrs(
				"name", []any{"a"},
				"part", "l",
				"parts", "p",
				"tags", []any{attrs("a", "b")},
				"count", struct{}{},
				auditURN, "a",
			),
			want: `{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget"],"id":"w1"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(resource.Marshal(widgetRT, &resource.Resource{ID: "w1", Attributes: tt.attrs}, nil))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Marshal mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendJSONGoTypes(t *testing.T) {
	tests := []struct {
		name  string
		attrs map[string]any
		want  string
	}{
		{"int", attrs("count", 5), `"count":5`},
		{"int32", attrs("count", int32(-3)), `"count":-3`},
		{"uint32", attrs("count", uint32(3)), `"count":3`},
		{"uint64", attrs("count", uint64(math.MaxUint64)), `"count":18446744073709551615`},
		{"int64 extremes", attrs("parts", []any{attrs("sizes", []any{int64(math.MinInt64), int64(math.MaxInt64)})}), `"parts":[{"sizes":[-9223372036854775808,9223372036854775807]}]`},
		{"json.Number", attrs("count", json.Number("12"), "weight", json.Number("-1.5e-3")), `"count":12,"weight":-1.5e-3`},
		{"invalid json.Number", attrs("count", json.Number("12abc")), ``},
		{"float32", attrs("weight", float32(0.1)), `"weight":0.1`},
		{"float32 large", attrs("weight", float32(1e21)), `"weight":1e+21`},
		{"float64", attrs("weight", 0.1), `"weight":0.1`},
		{"[]string", attrs("tags", []string{"a", "b"}), `"tags":["a","b"]`},
		{"[]map[string]any", attrs("parts", []map[string]any{{"value": "p1"}, {"value": "p2", "primary": true}}), `"parts":[{"value":"p1"},{"value":"p2","primary":true}]`},
		{"[]byte", attrs("blob", []byte("hello")), `"blob":"aGVsbG8="`},
		{"empty []byte", attrs("blob", []byte{}), `"blob":""`},
		{"single value of a multi-valued attribute", attrs("tags", "solo", "parts", attrs("value", "p")), `"tags":["solo"],"parts":[{"value":"p"}]`},
		{"time.Time in another zone", attrs("built", time.Date(2011, 5, 13, 6, 42, 34, 0, time.FixedZone("", 2*3600))), `"built":"2011-05-13T06:42:34+02:00"`},
		{"time.Time with nanoseconds", attrs("built", time.Date(2011, 5, 13, 4, 42, 34, 1, time.UTC)), `"built":"2011-05-13T04:42:34.000000001Z"`},
		{"int8 is not accepted", attrs("count", int8(1)), ``},
		{"map[string]string is not accepted", attrs("part", map[string]string{"label": "l"}), ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(resource.Marshal(widgetRT, &resource.Resource{Attributes: tt.attrs}, nil))
			want := `{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget"]`
			if tt.want != "" {
				want += "," + tt.want
			}
			want += "}"
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Marshal mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendJSONFloats(t *testing.T) {
	tests := []struct {
		f    float64
		want string // "" when the value is left out
	}{
		{0.5, "0.5"},
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{100, "100"},
		{1e20, "100000000000000000000"},
		{1e21, "1e+21"},
		{-1e21, "-1e+21"},
		{1e-6, "0.000001"},
		{1e-7, "1e-7"},
		{1.5e-10, "1.5e-10"},
		{123456789.125, "123456789.125"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.SmallestNonzeroFloat64, "5e-324"},
		{math.NaN(), ""},
		{math.Inf(1), ""},
		{math.Inf(-1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := string(resource.Marshal(widgetRT, &resource.Resource{Attributes: attrs("weight", tt.f)}, nil))
			want := `{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget"]}`
			if tt.want != "" {
				want = `{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget"],"weight":` + tt.want + `}`
				// The documented promise: floats are written as encoding/json writes them.
				if j, err := json.Marshal(tt.f); err != nil || string(j) != tt.want {
					t.Errorf("encoding/json writes %v as %s (%v), the table says %s", tt.f, j, err, tt.want)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Marshal mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendJSONStrings(t *testing.T) {
	tests := []struct {
		name, s, want string
	}{
		{"plain", "Babs Jensen", `"Babs Jensen"`},
		{"empty", "", `""`},
		{"quote and backslash", `a"b\c`, `"a\"b\\c"`},
		{"common controls", "a\nb\rc\td", `"a\nb\rc\td"`},
		{"other controls", "\x00\x01\x08\x0c\x1f", `"\u0000\u0001\u0008\u000c\u001f"`},
		{"DEL and HTML characters are kept", "\x7f<&>", "\"\x7f<&>\""},
		{"line and paragraph separators", "a\u2028b\u2029c", `"a\u2028b\u2029c"`},
		{"invalid UTF-8", "a\xffb\xc3", `"a\ufffdb\ufffd"`},
		{"encoded surrogate", "\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`},
		{"multi-byte characters", "école 😀 \u2027", "\"école 😀 \u2027\""},
		{"U+FFFD itself", "\uFFFD", "\"\uFFFD\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(resource.Marshal(widgetRT, &resource.Resource{Attributes: attrs("name", tt.s)}, nil))
			want := `{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget"],"name":` + tt.want + `}`
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("Marshal mismatch (-want +got):\n%s", diff)
			}
			var v struct{ Name string }
			if err := json.Unmarshal([]byte(got), &v); err != nil {
				t.Fatalf("Marshal output is not valid JSON: %v", err)
			}
			// Each invalid byte becomes one U+FFFD, as a []rune conversion does.
			if want := string([]rune(tt.s)); v.Name != want {
				t.Errorf("name reads back as %q, want %q", v.Name, want)
			}
		})
	}
}

func TestAppendJSONEscapesEverywhere(t *testing.T) {
	r := &resource.Resource{
		ID:         "a\"b",
		ExternalID: "c\nd",
		Meta:       resource.Meta{ResourceType: "W\\", Location: "https://example.com/\u2028", Version: "v\"1"},
		Attributes: attrs("part", attrs("label", "\x01"), auditURN, attrs("auditor", "\xff")),
	}
	got := string(resource.Marshal(widgetRT, r, nil))
	want := `{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget","urn:example:params:scim:schemas:extension:audit:2.0:Widget"],` +
		`"id":"a\"b","externalId":"c\nd","part":{"label":"\u0001"},` +
		`"urn:example:params:scim:schemas:extension:audit:2.0:Widget":{"auditor":"\ufffd"},` +
		`"meta":{"resourceType":"W\\","location":"https://example.com/\u2028","version":"W/\"v%221\""}}`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Marshal mismatch (-want +got):\n%s", diff)
	}
}

func TestAppendJSONAppends(t *testing.T) {
	dst := []byte(`{"Resources":[`)
	dst = resource.AppendJSON(dst, groupRT, &resource.Resource{ID: "g1", Attributes: attrs("displayName", "G")}, nil)
	dst = append(dst, ',')
	dst = resource.AppendJSON(dst, groupRT, &resource.Resource{ID: "g2"}, nil)
	dst = append(dst, "]}"...)
	want := `{"Resources":[{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g1","displayName":"G"},` +
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g2"}]}`
	if diff := cmp.Diff(want, string(dst)); diff != "" {
		t.Errorf("AppendJSON mismatch (-want +got):\n%s", diff)
	}
}

func TestAppendJSONMeta(t *testing.T) {
	tests := []struct {
		name string
		meta resource.Meta
		want string
	}{
		{"zero", resource.Meta{}, ``},
		{"version only", resource.Meta{Version: "3694e05e9dff591"}, `,"meta":{"version":"W/\"3694e05e9dff591\""}`},
		{"version with U+2028 and invalid UTF-8", resource.Meta{Version: "a\u2028b\xff"}, `,"meta":{"version":"W/\"a\u2028b%FF\""}`},
		{"times in their zone", resource.Meta{Created: created.In(time.FixedZone("", -7*3600))}, `,"meta":{"created":"2010-01-22T21:56:22-07:00"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(resource.Marshal(groupRT, &resource.Resource{Meta: tt.meta}, nil))
			want := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]` + tt.want + `}`
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Marshal mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestETag(t *testing.T) {
	tests := []struct{ version, want string }{
		{"", `W/""`},
		{"7", `W/"7"`},
		{"3694e05e9dff591", `W/"3694e05e9dff591"`},
		{`a"b`, `W/"a%22b"`},
		{`a\b`, `W/"a%5Cb"`},
		{"1,2", `W/"1%2C2"`},
		{"1_2", `W/"1_2"`},
		{"a%b", `W/"a%25b"`},
		{"a b\tc\x00\x7f", `W/"a%20b%09c%00%7F"`},
		{`W/"3694e05e9dff591"`, `W/"W/%223694e05e9dff591%22"`},
		{"!#~", `W/"!#~"`},
		{"é", "W/\"é\""},
		{"a\xffb\xc3", `W/"a%FFb%C3"`},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, resource.ETag(tt.version)); diff != "" {
				t.Errorf("ETag(%q) mismatch (-want +got):\n%s", tt.version, diff)
			}
		})
	}
}

// An extension whose only values are returned on request is listed in
// "schemas" when the projection returns them.
func TestAppendJSONRequestedExtension(t *testing.T) {
	r := &resource.Resource{ID: "w1", Attributes: attrs(auditURN, attrs("memo", "m"))}
	p := resource.NewProjection(widgetRT, []string{auditURN + ":memo"}, nil)
	got := string(resource.Marshal(widgetRT, r, p))
	want := `{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget","urn:example:params:scim:schemas:extension:audit:2.0:Widget"],"id":"w1",` +
		`"urn:example:params:scim:schemas:extension:audit:2.0:Widget":{"memo":"m"}}`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Marshal mismatch (-want +got):\n%s", diff)
	}
}

// meta.version, as JSON reads it back, is the ETag header value (RFC 7644
// §3.14), whatever bytes the version holds.
func TestETagMatchesMetaVersion(t *testing.T) {
	for _, version := range []string{"7", `a"b\c`, "a b", "\x00\x7f", "é", "\u2028", "\xff", "a\xc3", "\xed\xa0\x80", "😀"} {
		t.Run(version, func(t *testing.T) {
			out := resource.Marshal(groupRT, &resource.Resource{Meta: resource.Meta{Version: version}}, nil)
			var got struct{ Meta struct{ Version string } }
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("Marshal output is not valid JSON: %v\n%s", err, out)
			}
			if want := resource.ETag(version); got.Meta.Version != want {
				t.Errorf("meta.version = %q, ETag = %q", got.Meta.Version, want)
			}
		})
	}
}

func TestProjectionIncludes(t *testing.T) {
	groups := schema.GroupResourceType()
	users := schema.UserResourceType()
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	for _, tc := range []struct {
		rt                  *schema.ResourceType
		attributes, exclude []string
		path                string
		want                bool
	}{
		{groups, nil, nil, "members", true},
		{groups, nil, []string{"members"}, "members", false},
		{groups, nil, []string{"MEMBERS"}, "members", false},
		{groups, []string{"displayName"}, nil, "members", false},
		{groups, []string{"members.value"}, nil, "members", true},
		{groups, nil, []string{"members.display"}, "members", true},
		{groups, []string{"displayName"}, nil, "id", true},
		{users, nil, nil, "password", false},
		{users, []string{"password"}, nil, "password", false},
		{users, nil, []string{ent}, ent + ":manager", false},
		{users, []string{ent}, nil, ent + ":manager", true},
		{users, nil, nil, "nonsense", false},
	} {
		p := resource.NewProjection(tc.rt, tc.attributes, tc.exclude)
		if got := p.Includes(tc.rt, tc.path); got != tc.want {
			t.Errorf("NewProjection(%s, %q, %q).Includes(%q) = %v, want %v", tc.rt.Name, tc.attributes, tc.exclude, tc.path, got, tc.want)
		}
	}
}
