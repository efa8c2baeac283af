package resource_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// Members that open a body, for concatenation.
const (
	userSchemas   = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]`
	entSchemas    = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]`
	groupSchemas  = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]`
	widgetSchemas = `"schemas":["urn:example:params:scim:schemas:core:2.0:Widget"]`
)

func attrs(kv ...any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func TestDecode(t *testing.T) {
	strict := resource.DecodeOptions{Strict: true}
	tests := []struct {
		name string
		rt   *schema.ResourceType // userRT when nil
		body string
		opt  resource.DecodeOptions
		want *resource.Resource
	}{
		{
			name: "canonical names from case-insensitive input",
			body: `{"SCHEMAS":["URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER"],"USERNAME":"bjensen","externalid":"x1",` +
				`"Name":{"GIVENNAME":"Barbara","familyname":"Jensen"},"eMails":[{"VALUE":"b@example.com","Primary":true}]}`,
			want: &resource.Resource{ExternalID: "x1", Attributes: attrs(
				"userName", "bjensen",
				"name", attrs("givenName", "Barbara", "familyName", "Jensen"),
				"emails", []any{attrs("value", "b@example.com", "primary", true)},
			)},
		},
		{
			name: "case-insensitive names in strict mode",
			body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:user"],"username":"bjensen","NAME":{"givenname":"B"}}`,
			opt:  strict,
			want: &resource.Resource{Attributes: attrs("userName", "bjensen", "name", attrs("givenName", "B"))},
		},
		{
			name: "read-only id, meta, groups and manager.displayName are dropped",
			body: `{` + entSchemas + `,"id":"2819c223","meta":{"resourceType":"User","version":"W/\"1\""},"userName":"b",` +
				`"groups":[{"value":"g1","display":"Admins"}],` +
				`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m1","displayName":"Boss"}}}`,
			opt: strict,
			want: &resource.Resource{Attributes: attrs(
				"userName", "b",
				entURN, attrs("manager", attrs("value", "m1")),
			)},
		},
		{
			name: "read-only values are dropped before their type is checked",
			body: `{` + userSchemas + `,"id":42,"meta":"x","groups":true,"userName":"b"}`,
			want: &resource.Resource{Attributes: attrs("userName", "b")},
		},
		{
			name: "a complex value of only read-only sub-attributes is unassigned",
			body: `{` + entSchemas + `,"userName":"b","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"displayName":"Boss"}}}`,
			want: &resource.Resource{Attributes: attrs("userName", "b")},
		},
		{
			name: "null and empty values are unassigned",
			body: `{` + entSchemas + `,"userName":"b","displayName":null,"externalId":null,"emails":[],"name":{},` +
				`"addresses":[{}],"phoneNumbers":[null,{"value":null}],"x509Certificates":null,"active":null,` +
				`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{},"costCenter":null}}`,
			want: &resource.Resource{Attributes: attrs("userName", "b")},
		},
		{
			name: "null extension",
			body: `{` + entSchemas + `,"userName":"b","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":null}`,
			want: &resource.Resource{Attributes: attrs("userName", "b")},
		},
		{
			name: "empty extension",
			body: `{` + entSchemas + `,"userName":"b","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{}}`,
			want: &resource.Resource{Attributes: attrs("userName", "b")},
		},
		{
			// RFC 7643 §2.5 makes null and [] unassigned, not "".
			name: "an empty string is a value",
			body: `{` + userSchemas + `,"userName":"b","title":"","externalId":""}`,
			want: &resource.Resource{Attributes: attrs("userName", "b", "title", "")},
		},
		{
			name: "a single value of a multi-valued attribute is wrapped in an array",
			body: `{` + userSchemas + `,"userName":"b","emails":{"value":"b@example.com","primary":true}}`,
			want: &resource.Resource{Attributes: attrs(
				"userName", "b",
				"emails", []any{attrs("value", "b@example.com", "primary", true)},
			)},
		},
		{
			name: "a single simple value of a multi-valued attribute is wrapped",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"tags":"red","parts":{"value":"p","sizes":3}}`,
			want: &resource.Resource{Attributes: attrs(
				"tags", []any{"red"},
				"parts", []any{attrs("value", "p", "sizes", []any{int64(3)})},
			)},
		},
		{
			name: "a single group member is wrapped",
			rt:   groupRT,
			body: `{` + groupSchemas + `,"displayName":"g","members":{"value":"u1","display":"Babs"}}`,
			want: &resource.Resource{Attributes: attrs(
				"displayName", "g",
				"members", []any{attrs("value", "u1", "display", "Babs")},
			)},
		},
		{
			name: "extension under its URN, matched case-insensitively",
			body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER"],"userName":"b",` +
				`"Urn:Ietf:Params:Scim:Schemas:Extension:Enterprise:2.0:User":{"EMPLOYEENUMBER":"701984","manager":{"VALUE":"m1","$REF":"../Users/m1"}}}`,
			opt: strict,
			want: &resource.Resource{Attributes: attrs(
				"userName", "b",
				entURN, attrs("employeeNumber", "701984", "manager", attrs("value", "m1", "$ref", "../Users/m1")),
			)},
		},
		{
			name: "core attributes under the core schema URN",
			body: `{` + userSchemas + `,"urn:ietf:params:scim:schemas:core:2.0:User":{"userName":"b","name":{"givenName":"B"}},"displayName":"Babs"}`,
			opt:  strict,
			want: &resource.Resource{Attributes: attrs(
				"userName", "b",
				"name", attrs("givenName", "B"),
				"displayName", "Babs",
			)},
		},
		{
			name: "null under the core schema URN is unassigned",
			body: `{` + userSchemas + `,"userName":"b","urn:ietf:params:scim:schemas:core:2.0:User":null}`,
			want: &resource.Resource{Attributes: attrs("userName", "b")},
		},
		{
			name: "unknown attributes, sub-attributes and schema URNs are ignored",
			body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:example:unknown"],"userName":"b","nonsense":1,` +
				`"urn:example:unknown":{"a":1},"name":{"nickname2":"x","givenName":"B"},` +
				`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"shoeSize":44,"costCenter":"4130"}}`,
			want: &resource.Resource{Attributes: attrs(
				"userName", "b",
				"name", attrs("givenName", "B"),
				entURN, attrs("costCenter", "4130"),
			)},
		},
		{
			name: "strings are converted to booleans and numbers unless strict",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"enabled":"True","count":"42","weight":"2.5","parts":[{"value":"a","primary":"FALSE","sizes":["1","2"]}]}`,
			want: &resource.Resource{Attributes: attrs(
				"enabled", true,
				"count", int64(42),
				"weight", 2.5,
				"parts", []any{attrs("value", "a", "primary", false, "sizes", []any{int64(1), int64(2)})},
			)},
		},
		{
			name: "the string of a whole decimal is an integer",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"count":"4.0"}`,
			want: &resource.Resource{Attributes: attrs("count", int64(4))},
		},
		{
			name: "every type",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"name":"w","serial":"S-1","count":42,"weight":2.5,"enabled":false,` +
				`"built":"2011-05-13T04:42:34Z","blob":"aGVsbG8=","link":"https://example.com/w/1","tags":["a","b"],` +
				`"secret":"s","token":"t","part":{"label":"l","code":"c","note":"n","hidden":"h","kind":"k"}}`,
			opt: strict,
			want: &resource.Resource{Attributes: attrs(
				"name", "w", "serial", "S-1", "count", int64(42), "weight", 2.5, "enabled", false,
				"built", time.Date(2011, 5, 13, 4, 42, 34, 0, time.UTC),
				"blob", "aGVsbG8=", "link", "https://example.com/w/1", "tags", []any{"a", "b"},
				"secret", "s", "token", "t",
				"part", attrs("label", "l", "code", "c", "note", "n", "hidden", "h", "kind", "k"),
			)},
		},
		{
			name: "dateTime with an offset and fractional seconds",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"built":"2011-05-13T06:42:34.5+02:00"}`,
			want: &resource.Resource{Attributes: attrs(
				"built", time.Date(2011, 5, 13, 4, 42, 34, 500_000_000, time.UTC),
			)},
		},
		{
			name: "integer written as a whole decimal",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"count":1.0}`,
			opt:  strict,
			want: &resource.Resource{Attributes: attrs("count", int64(1))},
		},
		{
			name: "integer in exponent notation",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"count":1e3}`,
			want: &resource.Resource{Attributes: attrs("count", int64(1000))},
		},
		{
			name: "integer extremes, and -0 repeating 0",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"count":-9223372036854775808,"parts":[{"value":"a","sizes":[9223372036854775807,0,-0]}]}`,
			want: &resource.Resource{Attributes: attrs(
				"count", int64(math.MinInt64),
				"parts", []any{attrs("value", "a", "sizes", []any{int64(math.MaxInt64), int64(0)})},
			)},
		},
		{
			name: "decimal written as an integer",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"weight":3}`,
			want: &resource.Resource{Attributes: attrs("weight", 3.0)},
		},
		{
			name: "decimal extremes",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"weight":1.7976931348623157e308}`,
			want: &resource.Resource{Attributes: attrs("weight", math.MaxFloat64)},
		},
		{
			name: "binary with padding and an empty value",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"blob":""}`,
			want: &resource.Resource{Attributes: attrs("blob", "")},
		},
		{
			name: "a string keeps escapes and replaces invalid UTF-8",
			body: "{" + userSchemas + `,"userName":"a\"b\\c\u2028\ud83d\ude00` + "\xff" + `"}`,
			want: &resource.Resource{Attributes: attrs("userName", "a\"b\\c\u2028\U0001F600\uFFFD")},
		},
		{
			name: "the RFC 7643 §8.4 group",
			rt:   groupRT,
			body: string(readFile(t, "group.json")),
			opt:  strict,
			want: &resource.Resource{Attributes: attrs(
				"displayName", "Tour Guides",
				"members", []any{
					attrs("value", "2819c223-7f76-453a-919d-413861904646",
						"$ref", "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
						"display", "Babs Jensen"),
					attrs("value", "902c246b-6245-4190-8e05-00816be7344a",
						"$ref", "https://example.com/v2/Users/902c246b-6245-4190-8e05-00816be7344a",
						"display", "Mandy Pepperidge"),
				},
			)},
		},
		{
			name: "trailing whitespace",
			body: "{" + userSchemas + `,"userName":"b"}` + " \n\t\r\n",
			want: &resource.Resource{Attributes: attrs("userName", "b")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := tt.rt
			if rt == nil {
				rt = userRT
			}
			got, err := resource.Decode(rt, []byte(tt.body), tt.opt)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decode mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeKeepsTimeZone(t *testing.T) {
	r, err := resource.Decode(widgetRT, []byte(`{`+widgetSchemas+`,"built":"2011-05-13T06:42:34+02:00"}`), resource.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := r.Attributes["built"].(time.Time).Format(time.RFC3339)
	if want := "2011-05-13T06:42:34+02:00"; got != want {
		t.Errorf("built = %s, want %s", got, want)
	}
}

func TestDecodeErrors(t *testing.T) {
	strict := resource.DecodeOptions{Strict: true}
	tests := []struct {
		name string
		rt   *schema.ResourceType // userRT when nil
		body string
		opt  resource.DecodeOptions
		want *resource.Error
	}{
		// The body as a whole.
		{
			name: "invalid JSON",
			body: `{"schemas" ["x"]}`,
			want: &resource.Error{Type: "invalidSyntax", Msg: "request body is not valid JSON: invalid character '[' after object key at offset 12"},
		},
		{
			name: "truncated JSON",
			body: `{"schemas":`,
			want: &resource.Error{Type: "invalidSyntax", Msg: "request body is not valid JSON: unexpected end of input"},
		},
		{
			name: "empty body",
			body: ``,
			want: &resource.Error{Type: "invalidSyntax", Msg: "request body is not valid JSON: unexpected end of input"},
		},
		{
			name: "trailing object",
			body: `{` + userSchemas + `,"userName":"b"} {}`,
			want: &resource.Error{Type: "invalidSyntax", Msg: "request body has data after the JSON object"},
		},
		{
			name: "trailing garbage",
			body: `{` + userSchemas + `,"userName":"b"}x`,
			want: &resource.Error{Type: "invalidSyntax", Msg: "request body has data after the JSON object"},
		},
		{
			name: "trailing brace",
			body: `{` + userSchemas + `,"userName":"b"}}`,
			want: &resource.Error{Type: "invalidSyntax", Msg: "request body has data after the JSON object"},
		},
		{
			name: "array body",
			body: `[{` + userSchemas + `}]`,
			want: &resource.Error{Type: "invalidSyntax", Msg: "request body must be a JSON object, found an array"},
		},
		{
			name: "string body",
			body: `"user"`,
			want: &resource.Error{Type: "invalidSyntax", Msg: `request body must be a JSON object, found the string "user"`},
		},
		{
			name: "null body",
			body: `null`,
			want: &resource.Error{Type: "invalidSyntax", Msg: "request body must be a JSON object, found null"},
		},
		{
			name: "number body",
			body: `42`,
			want: &resource.Error{Type: "invalidSyntax", Msg: "request body must be a JSON object, found a number"},
		},

		// schemas.
		{
			name: "missing schemas",
			body: `{"userName":"b"}`,
			want: &resource.Error{Type: "invalidSyntax", Path: "schemas", Msg: "required; it must list urn:ietf:params:scim:schemas:core:2.0:User"},
		},
		{
			name: "null schemas",
			body: `{"schemas":null,"userName":"b"}`,
			want: &resource.Error{Type: "invalidSyntax", Path: "schemas", Msg: "required; it must list urn:ietf:params:scim:schemas:core:2.0:User"},
		},
		{
			name: "schemas not an array",
			body: `{"schemas":"urn:ietf:params:scim:schemas:core:2.0:User","userName":"b"}`,
			want: &resource.Error{Type: "invalidSyntax", Path: "schemas", Msg: `expected an array of schema URNs, found the string "urn:ietf:params:scim:schemas:core:2.0:Us..."`},
		},
		{
			name: "schemas with a number",
			body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",1],"userName":"b"}`,
			want: &resource.Error{Type: "invalidSyntax", Path: "schemas", Msg: "expected an array of schema URNs, found an element that is a number"},
		},
		{
			name: "empty schemas",
			body: `{"schemas":[],"userName":"b"}`,
			want: &resource.Error{Type: "invalidSyntax", Path: "schemas", Msg: "must list urn:ietf:params:scim:schemas:core:2.0:User"},
		},
		{
			name: "schemas without the core schema",
			body: `{"schemas":["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"b"}`,
			want: &resource.Error{Type: "invalidSyntax", Path: "schemas", Msg: "must list urn:ietf:params:scim:schemas:core:2.0:User"},
		},
		{
			name: "schemas of another resource type",
			body: `{` + groupSchemas + `,"displayName":"g"}`,
			want: &resource.Error{Type: "invalidSyntax", Path: "schemas", Msg: "must list urn:ietf:params:scim:schemas:core:2.0:User"},
		},
		{
			name: "schemas given twice",
			body: `{` + userSchemas + `,"Schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"b"}`,
			want: &resource.Error{Type: "invalidSyntax", Path: "schemas", Msg: "given more than once"},
		},
		{
			name: "strict: unknown schema",
			body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:example:unknown"],"userName":"b"}`,
			opt:  strict,
			want: &resource.Error{Type: "invalidSyntax", Path: "schemas", Msg: `unknown schema "urn:example:unknown" for resource type User`},
		},

		// Unknown attributes in strict mode.
		{
			name: "strict: unknown attribute",
			body: `{` + userSchemas + `,"userName":"b","nonsense":1}`,
			opt:  strict,
			want: &resource.Error{Type: "invalidSyntax", Path: "nonsense", Msg: "not defined by schema urn:ietf:params:scim:schemas:core:2.0:User"},
		},
		{
			name: "strict: unknown URN member",
			body: `{` + userSchemas + `,"userName":"b","urn:example:unknown":{}}`,
			opt:  strict,
			want: &resource.Error{Type: "invalidSyntax", Path: "urn:example:unknown", Msg: "not defined by schema urn:ietf:params:scim:schemas:core:2.0:User"},
		},
		{
			name: "strict: unknown sub-attribute",
			body: `{` + userSchemas + `,"userName":"b","name":{"nickname":"x"}}`,
			opt:  strict,
			want: &resource.Error{Type: "invalidSyntax", Path: "name.nickname", Msg: `not a sub-attribute of "name"`},
		},
		{
			name: "strict: unknown extension attribute",
			body: `{` + entSchemas + `,"userName":"b","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"shoeSize":44}}`,
			opt:  strict,
			want: &resource.Error{Type: "invalidSyntax", Path: entURN + ":shoeSize", Msg: "not defined by schema " + entURN},
		},
		{
			name: "strict: unknown attribute under the core URN",
			body: `{` + userSchemas + `,"urn:ietf:params:scim:schemas:core:2.0:User":{"userName":"b","shoeSize":44}}`,
			opt:  strict,
			want: &resource.Error{Type: "invalidSyntax", Path: userURN + ":shoeSize", Msg: "not defined by schema " + userURN},
		},

		// Wrong types.
		{
			name: "number for a string",
			body: `{` + userSchemas + `,"userName":5}`,
			want: &resource.Error{Type: "invalidValue", Path: "userName", Msg: "expected a string, found a number"},
		},
		{
			name: "boolean for a string",
			body: `{` + userSchemas + `,"userName":true}`,
			want: &resource.Error{Type: "invalidValue", Path: "userName", Msg: "expected a string, found a boolean"},
		},
		{
			name: "string for a boolean",
			body: `{` + userSchemas + `,"userName":"b","active":"yes"}`,
			want: &resource.Error{Type: "invalidValue", Path: "active", Msg: `expected a boolean, found the string "yes"`},
		},
		{
			name: "strict: string for a boolean",
			body: `{` + userSchemas + `,"userName":"b","active":"True"}`,
			opt:  strict,
			want: &resource.Error{Type: "invalidValue", Path: "active", Msg: `expected a boolean, found the string "True"`},
		},
		{
			name: "strict: string for an integer",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"count":"42"}`,
			opt:  strict,
			want: &resource.Error{Type: "invalidValue", Path: "count", Msg: `expected an integer, found the string "42"`},
		},
		{
			name: "strict: string for a decimal",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"weight":"2.5"}`,
			opt:  strict,
			want: &resource.Error{Type: "invalidValue", Path: "weight", Msg: `expected a decimal number, found the string "2.5"`},
		},
		{
			name: "non-numeric string for an integer",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"count":"many"}`,
			want: &resource.Error{Type: "invalidValue", Path: "count", Msg: `expected an integer, found the string "many"`},
		},
		{
			name: "fraction for an integer",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"count":1.5}`,
			want: &resource.Error{Type: "invalidValue", Path: "count", Msg: "expected an integer, found 1.5"},
		},
		{
			name: "integer overflow",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"count":9223372036854775808}`,
			want: &resource.Error{Type: "invalidValue", Path: "count", Msg: "expected an integer, found 9223372036854775808"},
		},
		{
			name: "integer underflow",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"count":-9223372036854775809}`,
			want: &resource.Error{Type: "invalidValue", Path: "count", Msg: "expected an integer, found -9223372036854775809"},
		},
		{
			name: "integer overflow in exponent notation",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"count":1e19}`,
			want: &resource.Error{Type: "invalidValue", Path: "count", Msg: "expected an integer, found 1e19"},
		},
		{
			name: "lenient NaN for an integer",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"count":"NaN"}`,
			want: &resource.Error{Type: "invalidValue", Path: "count", Msg: "expected an integer, found NaN"},
		},
		{
			name: "decimal overflow",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"weight":1e400}`,
			want: &resource.Error{Type: "invalidValue", Path: "weight", Msg: "expected a decimal number, found 1e400"},
		},
		{
			name: "lenient infinity for a decimal",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"weight":"+Inf"}`,
			want: &resource.Error{Type: "invalidValue", Path: "weight", Msg: "expected a decimal number, found +Inf"},
		},
		{
			name: "invalid dateTime",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"built":"2011-05-13 04:42:34"}`,
			want: &resource.Error{Type: "invalidValue", Path: "built", Msg: `expected a dateTime such as "2011-05-13T04:42:34Z", found "2011-05-13 04:42:34"`},
		},
		{
			name: "number for a dateTime",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"built":1305261754}`,
			want: &resource.Error{Type: "invalidValue", Path: "built", Msg: "expected a dateTime string, found a number"},
		},
		{
			name: "invalid base64",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"blob":"not base64!"}`,
			want: &resource.Error{Type: "invalidValue", Path: "blob", Msg: "expected base64-encoded binary data"},
		},
		{
			name: "URL-safe base64",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"blob":"-_-_"}`,
			want: &resource.Error{Type: "invalidValue", Path: "blob", Msg: "expected base64-encoded binary data"},
		},
		{
			name: "number for a binary",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"blob":12}`,
			want: &resource.Error{Type: "invalidValue", Path: "blob", Msg: "expected a base64 string, found a number"},
		},
		{
			name: "number for a reference",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"link":12}`,
			want: &resource.Error{Type: "invalidValue", Path: "link", Msg: "expected a reference string, found a number"},
		},
		{
			name: "wrong type in a multi-valued simple attribute",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"tags":["a",2]}`,
			want: &resource.Error{Type: "invalidValue", Path: "tags", Msg: "expected a string, found a number"},
		},
		{
			name: "wrong type of a sub-attribute",
			body: `{` + userSchemas + `,"userName":"b","emails":[{"value":"b@example.com","primary":"yes"}]}`,
			want: &resource.Error{Type: "invalidValue", Path: "emails.primary", Msg: `expected a boolean, found the string "yes"`},
		},
		{
			name: "wrong type in an extension",
			body: `{` + entSchemas + `,"userName":"b","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":7}}}`,
			want: &resource.Error{Type: "invalidValue", Path: entURN + ":manager.value", Msg: "expected a string, found a number"},
		},
		{
			name: "wrong type under the core URN",
			body: `{` + userSchemas + `,"urn:ietf:params:scim:schemas:core:2.0:User":{"userName":false}}`,
			want: &resource.Error{Type: "invalidValue", Path: userURN + ":userName", Msg: "expected a string, found a boolean"},
		},
		{
			name: "externalId not a string",
			body: `{` + userSchemas + `,"userName":"b","externalId":701984}`,
			want: &resource.Error{Type: "invalidValue", Path: "externalId", Msg: "expected a string, found a number"},
		},
		{
			name: "long string in a message is cut",
			body: `{` + userSchemas + `,"userName":"b","active":"0123456789012345678901234567890123456789X"}`,
			want: &resource.Error{Type: "invalidValue", Path: "active", Msg: `expected a boolean, found the string "0123456789012345678901234567890123456789..."`},
		},

		// Arrays and objects where they do not belong.
		{
			name: "array for a single-valued string",
			body: `{` + userSchemas + `,"userName":["b"]}`,
			want: &resource.Error{Type: "invalidValue", Path: "userName", Msg: "expected a string, found an array"},
		},
		{
			name: "array for a single-valued complex attribute",
			body: `{` + userSchemas + `,"userName":"b","name":[{"givenName":"B"}]}`,
			want: &resource.Error{Type: "invalidValue", Path: "name", Msg: "expected an object, found an array"},
		},
		{
			name: "empty array for a single-valued attribute",
			body: `{` + userSchemas + `,"userName":"b","displayName":[]}`,
			want: &resource.Error{Type: "invalidValue", Path: "displayName", Msg: "expected a string, found an array"},
		},
		{
			name: "nested array in a multi-valued attribute",
			body: `{` + userSchemas + `,"userName":"b","emails":[[{"value":"b@example.com"}]]}`,
			want: &resource.Error{Type: "invalidValue", Path: "emails", Msg: "expected an object, found an array"},
		},
		{
			name: "array for a sub-attribute",
			body: `{` + userSchemas + `,"userName":"b","name":{"givenName":["B"]}}`,
			want: &resource.Error{Type: "invalidValue", Path: "name.givenName", Msg: "expected a string, found an array"},
		},
		{
			name: "object for a simple attribute",
			body: `{` + userSchemas + `,"userName":{"value":"b"}}`,
			want: &resource.Error{Type: "invalidValue", Path: "userName", Msg: "expected a string, found an object"},
		},
		{
			name: "object for a sub-attribute",
			body: `{` + userSchemas + `,"userName":"b","emails":[{"value":{"v":"b@example.com"}}]}`,
			want: &resource.Error{Type: "invalidValue", Path: "emails.value", Msg: "expected a string, found an object"},
		},
		{
			name: "string for a complex attribute",
			body: `{` + userSchemas + `,"userName":"b","name":"Barbara Jensen"}`,
			want: &resource.Error{Type: "invalidValue", Path: "name", Msg: `expected an object, found the string "Barbara Jensen"`},
		},
		{
			name: "string for a multi-valued complex attribute",
			body: `{` + userSchemas + `,"userName":"b","emails":["b@example.com"]}`,
			want: &resource.Error{Type: "invalidValue", Path: "emails", Msg: `expected an object, found the string "b@example.com"`},
		},
		{
			name: "extension not an object",
			body: `{` + entSchemas + `,"userName":"b","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":"x"}`,
			want: &resource.Error{Type: "invalidValue", Path: entURN, Msg: `expected an object, found the string "x"`},
		},
		{
			name: "core schema URN member not an object",
			body: `{` + userSchemas + `,"urn:ietf:params:scim:schemas:core:2.0:User":[]}`,
			want: &resource.Error{Type: "invalidValue", Path: userURN, Msg: "expected an object, found an array"},
		},

		// primary.
		{
			name: "two primary values",
			body: `{` + userSchemas + `,"userName":"b","emails":[{"value":"a@example.com","primary":true},{"value":"b@example.com","primary":true}]}`,
			want: &resource.Error{Type: "invalidValue", Path: "emails", Msg: `more than one value has "primary" set to true`},
		},
		{
			name: "two primary values, one given as a string",
			body: `{` + userSchemas + `,"userName":"b","emails":[{"value":"a@example.com","primary":true},{"value":"b@example.com","PRIMARY":"true"}]}`,
			want: &resource.Error{Type: "invalidValue", Path: "emails", Msg: `more than one value has "primary" set to true`},
		},
		{
			name: "two primary values in a custom attribute",
			rt:   widgetRT,
			body: `{` + widgetSchemas + `,"parts":[{"value":"a","primary":true},{"value":"b","primary":false},{"value":"c","primary":true}]}`,
			want: &resource.Error{Type: "invalidValue", Path: "parts", Msg: `more than one value has "primary" set to true`},
		},

		// Names given twice in different case. The message names the
		// canonical spelling first, or else the spellings in sorted order,
		// whatever order the map yields them.
		{
			name: "attribute given twice, neither time canonically",
			body: `{` + userSchemas + `,"Username":"a","USERNAME":"b"}`,
			want: &resource.Error{Type: "invalidSyntax", Path: "userName", Msg: `given twice, as "USERNAME" and "Username"`},
		},
		{
			name: "attribute given twice",
			body: `{` + userSchemas + `,"userName":"a","USERNAME":"b"}`,
			want: &resource.Error{Type: "invalidSyntax", Path: "userName", Msg: `given twice, as "userName" and "USERNAME"`},
		},
		{
			name: "attribute given twice, once under the core URN",
			body: `{` + userSchemas + `,"userName":"a","urn:ietf:params:scim:schemas:core:2.0:User":{"UserName":"b"}}`,
			want: &resource.Error{Type: "invalidSyntax", Path: "userName", Msg: `given twice, as "userName" and "UserName"`},
		},
		{
			name: "attribute given twice canonically, once under the core URN",
			body: `{` + userSchemas + `,"userName":"a","urn:ietf:params:scim:schemas:core:2.0:User":{"userName":"b"}}`,
			want: &resource.Error{Type: "invalidSyntax", Path: "userName", Msg: `given twice, as "userName" and "userName"`},
		},
		{
			name: "attribute given twice under the core URN, at the top level as well",
			body: `{` + userSchemas + `,"USERNAME":"a","urn:ietf:params:scim:schemas:core:2.0:User":{"displayName":"x","userName":"b"}}`,
			want: &resource.Error{Type: "invalidSyntax", Path: "userName", Msg: `given twice, as "userName" and "USERNAME"`},
		},
		{
			name: "externalId given twice",
			body: `{` + userSchemas + `,"userName":"a","externalId":"1","EXTERNALID":"2"}`,
			want: &resource.Error{Type: "invalidSyntax", Path: "externalId", Msg: `given twice, as "externalId" and "EXTERNALID"`},
		},
		{
			name: "sub-attribute given twice",
			body: `{` + userSchemas + `,"userName":"a","name":{"givenName":"B","GivenName":"C"}}`,
			want: &resource.Error{Type: "invalidSyntax", Path: "name.givenName", Msg: `given twice, as "givenName" and "GivenName"`},
		},
		{
			name: "sub-attribute of a multi-valued attribute given twice",
			body: `{` + userSchemas + `,"userName":"a","emails":[{"value":"B","VALUE":"C"}]}`,
			want: &resource.Error{Type: "invalidSyntax", Path: "emails.value", Msg: `given twice, as "value" and "VALUE"`},
		},
		{
			name: "extension attribute given twice",
			body: `{` + entSchemas + `,"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"costCenter":"1","costcenter":"2"}}`,
			want: &resource.Error{Type: "invalidSyntax", Path: entURN + ":costCenter", Msg: `given twice, as "costCenter" and "costcenter"`},
		},
		{
			name: "extension given twice",
			body: `{` + entSchemas + `,"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{},"URN:ietf:params:scim:schemas:extension:enterprise:2.0:User":{}}`,
			want: &resource.Error{Type: "invalidSyntax", Path: entURN,
				Msg: `given twice, as "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" and "URN:ietf:params:scim:schemas:extension:enterprise:2.0:User"`},
		},
		{
			name: "read-only attribute given twice",
			body: `{` + userSchemas + `,"userName":"a","groups":[],"Groups":[]}`,
			want: &resource.Error{Type: "invalidSyntax", Path: "groups", Msg: `given twice, as "groups" and "Groups"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := tt.rt
			if rt == nil {
				rt = userRT
			}
			// Map order varies from run to run; decode a few times so an
			// error that depends on it shows.
			for range 5 {
				r, err := resource.Decode(rt, []byte(tt.body), tt.opt)
				if err == nil {
					t.Fatalf("Decode succeeded with %+v, want error", r)
				}
				checkError(t, tt.want, err)
				if t.Failed() {
					return
				}
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  *resource.Error
		want string
	}{
		{&resource.Error{Type: "invalidSyntax", Msg: "request body has data after the JSON object"}, "request body has data after the JSON object"},
		{&resource.Error{Type: "invalidValue", Path: "emails.value", Msg: "expected a string, found a number"}, `attribute "emails.value": expected a string, found a number`},
		{&resource.Error{Type: "invalidValue", Path: "a\"b", Msg: "m"}, `attribute "a\"b": m`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.err.Error()); diff != "" {
				t.Errorf("Error() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCoerce(t *testing.T) {
	tests := []struct {
		name    string
		attr    *schema.Attribute
		v       any
		lenient bool
		want    any
		wantErr *resource.Error
	}{
		{name: "string", attr: &schema.Attribute{}, v: "x", want: "x"},
		{name: "reference", attr: &schema.Attribute{Type: schema.Reference}, v: "urn:x", want: "urn:x"},
		{name: "boolean", attr: &schema.Attribute{Type: schema.Boolean}, v: true, want: true},
		{name: "lenient boolean", attr: &schema.Attribute{Type: schema.Boolean}, v: "fAlSe", lenient: true, want: false},
		{name: "integer", attr: &schema.Attribute{Type: schema.Integer}, v: json.Number("-7"), want: int64(-7)},
		{name: "lenient integer", attr: &schema.Attribute{Type: schema.Integer}, v: "42", lenient: true, want: int64(42)},
		{name: "decimal", attr: &schema.Attribute{Type: schema.Decimal}, v: json.Number("0.25"), want: 0.25},
		{name: "dateTime", attr: &schema.Attribute{Type: schema.DateTime}, v: "2010-01-23T04:56:22Z", want: time.Date(2010, 1, 23, 4, 56, 22, 0, time.UTC)},
		{name: "binary", attr: &schema.Attribute{Type: schema.Binary}, v: "AAEC", want: "AAEC"},
		{
			name: "strict boolean string", attr: &schema.Attribute{Type: schema.Boolean}, v: "true",
			wantErr: &resource.Error{Type: "invalidValue", Path: "p", Msg: `expected a boolean, found the string "true"`},
		},
		{
			name: "float64 is not a JSON number from UseNumber", attr: &schema.Attribute{Type: schema.Integer}, v: 1.0,
			wantErr: &resource.Error{Type: "invalidValue", Path: "p", Msg: "expected an integer, found a number"},
		},
		{
			name: "complex", attr: &schema.Attribute{Name: "name", Type: schema.Complex}, v: "x",
			wantErr: &resource.Error{Type: "invalidValue", Path: "p", Msg: `expected a value for a sub-attribute of "name"`},
		},
		{
			name: "empty lenient integer", attr: &schema.Attribute{Type: schema.Integer}, v: "", lenient: true,
			wantErr: &resource.Error{Type: "invalidValue", Path: "p", Msg: `expected an integer, found the string ""`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resource.Coerce(tt.attr, tt.v, tt.lenient, "p")
			checkError(t, tt.wantErr, err)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Coerce mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
