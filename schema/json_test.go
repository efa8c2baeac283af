package schema

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// deviceJSON is a custom schema as a server would serve it, with the
// "schemas" and "meta" that decoding ignores, and member names and
// characteristic values in unusual case.
const deviceJSON = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
  "id": "urn:example:scim:schemas:Device",
  "name": "Device",
  "description": "A managed device",
  "attributes": [
    {"name": "serialNumber", "type": "string", "required": true, "caseExact": true,
     "uniqueness": "Global", "description": "Serial number"},
    {"NAME": "purchased", "Type": "DATETIME", "mutability": "immutable"},
    {"name": "ports", "type": "complex", "multiValued": true, "subAttributes": [
      {"name": "kind", "canonicalValues": ["usb", "hdmi"]},
      {"name": "$ref", "type": "reference", "referenceTypes": ["external"], "returned": "REQUEST"}
    ]},
    {"name": "secret", "type": "binary", "mutability": "writeOnly", "returned": "never",
     "canonicalValues": [], "futureCharacteristic": 1}
  ],
  "meta": {"resourceType": "Schema", "location": "/Schemas/urn:example:scim:schemas:Device"}
}`

func deviceSchema() *Schema {
	return &Schema{
		ID:          "urn:example:scim:schemas:Device",
		Name:        "Device",
		Description: "A managed device",
		Attributes: []*Attribute{
			{Name: "serialNumber", Required: true, CaseExact: true, Uniqueness: UniquenessGlobal, Description: "Serial number"},
			{Name: "purchased", Type: DateTime, Mutability: Immutable},
			{Name: "ports", Type: Complex, MultiValued: true, SubAttributes: []*Attribute{
				{Name: "kind", CanonicalValues: []string{"usb", "hdmi"}},
				{Name: "$ref", Type: Reference, ReferenceTypes: []string{"external"}, Returned: ReturnedRequest},
			}},
			{Name: "secret", Type: Binary, Mutability: WriteOnly, Returned: ReturnedNever},
		},
	}
}

const deviceResourceTypeJSON = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
  "id": "Device",
  "name": "Device",
  "endpoint": "/Devices",
  "description": "Managed devices",
  "schema": "urn:example:scim:schemas:Device",
  "schemaExtensions": [
    {"schema": "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER", "required": true}
  ],
  "meta": {"resourceType": "ResourceType", "location": "/ResourceTypes/Device"}
}`

func TestParseSchemas(t *testing.T) {
	user := User()
	userJSON, err := json.Marshal(user)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data string
		want []*Schema
	}{
		{"object", deviceJSON, []*Schema{deviceSchema()}},
		{"array", "[" + deviceJSON + "," + string(userJSON) + "]", []*Schema{deviceSchema(), user}},
		{"empty array", " [ ] ", []*Schema{}},
		{"list response", `{
			"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
			"totalResults": 2, "itemsPerPage": 2, "startIndex": 1,
			"Resources": [` + string(userJSON) + "," + deviceJSON + `]}`,
			[]*Schema{user, deviceSchema()}},
		{"list response lower case", `{"resources": [` + deviceJSON + `]}`, []*Schema{deviceSchema()}},
		{"no attributes", `{"id": "urn:x"}`, []*Schema{{ID: "urn:x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSchemas([]byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSchemasErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{"empty", "  ", "schema: empty JSON document"},
		{"string", `"urn:x"`, "schema: expected a JSON object or array"},
		{"bad JSON", `{"id": `, "schema: unexpected end of JSON input"},
		{"non-object element", `[{"id": "urn:x"}, 3]`, "schema: element 1 is not a JSON object"},
		{"bad Resources", `{"Resources": {}}`, "schema: ListResponse Resources: json: cannot unmarshal object into Go value of type []json.RawMessage"},
		{"unknown type", `{"id": "urn:x", "attributes": [{"name": "a", "type": "text"}]}`,
			`schema: decoding schema object: schema: unknown type "text"`},
		{"unknown mutability", `[{"id": "urn:x"}, {"id": "urn:y", "attributes": [{"name": "a", "mutability": "sometimes"}]}]`,
			`schema: decoding schema #1: schema: unknown mutability "sometimes"`},
		{"wrong JSON type", `{"id": "urn:x", "attributes": [{"name": "a", "required": "yes"}]}`,
			"schema: decoding schema object: json: cannot unmarshal string into Go struct field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSchemas([]byte(tt.data))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("ParseSchemas error = %v, want prefix %q", err, tt.want)
			}
		})
	}
}

func TestAttributeMarshalJSON(t *testing.T) {
	tests := []struct {
		name string
		attr *Attribute
		want string
	}{
		{"defaults", &Attribute{Name: "nickName"},
			`{"name":"nickName","type":"string","multiValued":false,"description":"","required":false,` +
				`"caseExact":false,"mutability":"readWrite","returned":"default","uniqueness":"none"}`},
		{"every characteristic", &Attribute{
			Name: "ref", Type: Reference, ReferenceTypes: []string{"User"}, MultiValued: true,
			Description: "d", Required: true, CaseExact: true, CanonicalValues: []string{"a"},
			Mutability: Immutable, Returned: ReturnedRequest, Uniqueness: UniquenessGlobal,
		}, `{"name":"ref","type":"reference","referenceTypes":["User"],"multiValued":true,"description":"d",` +
			`"required":true,"caseExact":true,"canonicalValues":["a"],"mutability":"immutable",` +
			`"returned":"request","uniqueness":"global"}`},
		{"empty lists omitted", &Attribute{Name: "c", Type: Complex, SubAttributes: []*Attribute{}, CanonicalValues: []string{}},
			`{"name":"c","type":"complex","multiValued":false,"description":"","required":false,` +
				`"caseExact":false,"mutability":"readWrite","returned":"default","uniqueness":"none"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.attr)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := json.Marshal(&Attribute{Name: "x", Mutability: Mutability(7)}); err == nil ||
		!strings.Contains(err.Error(), "schema: invalid mutability 7") {
		t.Errorf("marshalling an undefined mutability: error = %v", err)
	}
}

func TestSchemaMarshalJSON(t *testing.T) {
	tests := []struct {
		name     string
		schema   Schema
		location string
		want     string
		wantMeta string
	}{
		{"bare", Schema{ID: "urn:x"}, "",
			`{"id":"urn:x","attributes":[]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Schema"],"id":"urn:x","attributes":[],"meta":{"resourceType":"Schema"}}`},
		{"full", Schema{ID: "urn:x", Name: "X", Description: "An x", Attributes: []*Attribute{{Name: "a", Type: Integer}}},
			"https://example.com/v2/Schemas/urn:x",
			`{"id":"urn:x","name":"X","description":"An x","attributes":[{"name":"a","type":"integer",` +
				`"multiValued":false,"description":"","required":false,"caseExact":false,"mutability":"readWrite",` +
				`"returned":"default","uniqueness":"none"}]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Schema"],"id":"urn:x","name":"X","description":"An x",` +
				`"attributes":[{"name":"a","type":"integer","multiValued":false,"description":"","required":false,` +
				`"caseExact":false,"mutability":"readWrite","returned":"default","uniqueness":"none"}],` +
				`"meta":{"resourceType":"Schema","location":"https://example.com/v2/Schemas/urn:x"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.schema)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("MarshalJSON mismatch (-want +got):\n%s", diff)
			}
			got, err = tt.schema.MarshalWithMeta(tt.location)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantMeta, string(got)); diff != "" {
				t.Errorf("MarshalWithMeta mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResourceTypeMarshalJSON(t *testing.T) {
	device := deviceSchema()
	tests := []struct {
		name     string
		rt       *ResourceType
		location string
		want     string
		wantMeta string
	}{
		{"id from name, no extensions",
			&ResourceType{Name: "Device", Endpoint: "/Devices", Schema: device}, "",
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],"id":"Device","name":"Device",` +
				`"endpoint":"/Devices","schema":"urn:example:scim:schemas:Device"}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],"id":"Device","name":"Device",` +
				`"endpoint":"/Devices","schema":"urn:example:scim:schemas:Device","meta":{"resourceType":"ResourceType"}}`},
		{"extensions",
			&ResourceType{ID: "dev", Name: "Device", Description: "Devices", Endpoint: "/Devices", Schema: device,
				Extensions: []Extension{{Schema: EnterpriseUser(), Required: true}}},
			"https://example.com/v2/ResourceTypes/dev",
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],"id":"dev","name":"Device",` +
				`"endpoint":"/Devices","description":"Devices","schema":"urn:example:scim:schemas:Device",` +
				`"schemaExtensions":[{"schema":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","required":true}]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],"id":"dev","name":"Device",` +
				`"endpoint":"/Devices","description":"Devices","schema":"urn:example:scim:schemas:Device",` +
				`"schemaExtensions":[{"schema":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","required":true}],` +
				`"meta":{"resourceType":"ResourceType","location":"https://example.com/v2/ResourceTypes/dev"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.rt)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("MarshalJSON mismatch (-want +got):\n%s", diff)
			}
			got, err = tt.rt.MarshalWithMeta(tt.location)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantMeta, string(got)); diff != "" {
				t.Errorf("MarshalWithMeta mismatch (-want +got):\n%s", diff)
			}
		})
	}

	for _, rt := range []*ResourceType{
		{Name: "NoSchema", Endpoint: "/x"},
		{Name: "NilExtension", Endpoint: "/x", Schema: device, Extensions: []Extension{{}}},
	} {
		if _, err := json.Marshal(rt); err == nil {
			t.Errorf("marshalling resource type %s: no error", rt.Name)
		}
	}
}

func TestParseResourceType(t *testing.T) {
	device, enterprise := deviceSchema(), EnterpriseUser()
	schemas := []*Schema{nil, device, enterprise}
	got, err := ParseResourceType([]byte(deviceResourceTypeJSON), schemas)
	if err != nil {
		t.Fatal(err)
	}
	want := &ResourceType{
		ID: "Device", Name: "Device", Description: "Managed devices", Endpoint: "/Devices",
		Schema: device, Extensions: []Extension{{Schema: enterprise, Required: true}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if got.Schema != device || got.Extensions[0].Schema != enterprise {
		t.Error("ParseResourceType copied the schemas instead of pointing to them")
	}

	list, err := ParseResourceTypes([]byte(`{"Resources": [`+deviceResourceTypeJSON+`, {"name": "User", "endpoint": "/Users", "schema": "`+UserURN+`"}]}`),
		[]*Schema{device, enterprise, User()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Device", "User"}, []string{list[0].Name, list[1].Name}); diff != "" {
		t.Errorf("ParseResourceTypes names mismatch (-want +got):\n%s", diff)
	}
}

func TestParseResourceTypeErrors(t *testing.T) {
	schemas := []*Schema{deviceSchema()}
	tests := []struct {
		name string
		data string
		want string
	}{
		{"unknown schema", `{"name": "Device", "endpoint": "/Devices", "schema": "urn:example:Other"}`,
			`schema: resource type "Device": unknown schema "urn:example:Other"`},
		{"unknown extension", deviceResourceTypeJSON,
			`schema: resource type "Device": unknown schema "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER"`},
		{"no schema", `{"name": "Device", "endpoint": "/Devices"}`, `schema: resource type "Device": no schema URN`},
		{"two", `[{"name": "A"}, {"name": "B"}]`, "schema: expected one resource type, found 2"},
		{"bad JSON", `{"name": 3}`, "schema: decoding resource type: json: cannot unmarshal number"},
		{"not JSON", `Device`, "schema: expected a JSON object or array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseResourceType([]byte(tt.data), schemas)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("ParseResourceType error = %v, want prefix %q", err, tt.want)
			}
		})
	}

	var rt ResourceType
	if err := json.Unmarshal([]byte(deviceResourceTypeJSON), &rt); err == nil ||
		!strings.Contains(err.Error(), "ParseResourceType") {
		t.Errorf("json.Unmarshal into ResourceType: error = %v, want one pointing to ParseResourceType", err)
	}
}

func TestLoadDir(t *testing.T) {
	fsys := fstest.MapFS{
		"README.md":            {Data: []byte("not JSON, not loaded")},
		"schemas/device.json":  {Data: []byte(deviceJSON)},
		"schemas/badge.JSON":   {Data: []byte(`[{"id": "urn:example:scim:schemas:Badge", "attributes": [{"name": "level", "type": "integer"}]}]`)},
		"resource_types.json":  {Data: []byte(`{"Resources": [` + deviceResourceTypeJSON + `]}`)},
		"types/employees.json": {Data: []byte(`{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "name": "Employee", "endpoint": "/Employees", "schema": "` + UserURN + `", "schemaExtensions": [{"schema": "urn:example:scim:schemas:Badge"}]}`)},
	}
	rts, schemas, err := LoadDir(fsys)
	if err != nil {
		t.Fatal(err)
	}
	badge := &Schema{ID: "urn:example:scim:schemas:Badge", Attributes: []*Attribute{{Name: "level", Type: Integer}}}
	// Files are read in lexical order: resource_types.json, schemas/badge.JSON,
	// schemas/device.json, types/employees.json.
	if diff := cmp.Diff([]*Schema{badge, deviceSchema()}, schemas); diff != "" {
		t.Errorf("schemas mismatch (-want +got):\n%s", diff)
	}
	want := []*ResourceType{
		{ID: "Device", Name: "Device", Description: "Managed devices", Endpoint: "/Devices",
			Schema: deviceSchema(), Extensions: []Extension{{Schema: EnterpriseUser(), Required: true}}},
		{Name: "Employee", Endpoint: "/Employees", Schema: User(), Extensions: []Extension{{Schema: badge}}},
	}
	if diff := cmp.Diff(want, rts); diff != "" {
		t.Errorf("resource types mismatch (-want +got):\n%s", diff)
	}
	if len(rts) == 2 && rts[0].Schema != schemas[1] {
		t.Error("the Device resource type does not point to the returned Device schema")
	}
}

func TestLoadDirOverridesBuiltin(t *testing.T) {
	fsys := fstest.MapFS{
		"user.json": {Data: []byte(`{"id": "` + UserURN + `", "name": "User", "attributes": [{"name": "userName", "required": true}]}`)},
		"rt.json":   {Data: []byte(`{"name": "User", "endpoint": "/Users", "schema": "` + UserURN + `"}`)},
	}
	rts, schemas, err := LoadDir(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(rts) != 1 || len(schemas) != 1 || rts[0].Schema != schemas[0] {
		t.Fatalf("the resource type does not use the User schema from the directory: %d resource types, %d schemas", len(rts), len(schemas))
	}
	if diff := cmp.Diff([]string{"userName"}, names(rts[0].Schema.Attributes)); diff != "" {
		t.Errorf("attributes mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadDirErrors(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"bad JSON", fstest.MapFS{"a.json": {Data: []byte("{")}},
			"schema: load a.json: unexpected end of JSON input"},
		{"bad schema JSON", fstest.MapFS{"a.json": {Data: []byte(`[{"id": "urn:x", "attributes": 1}]`)}},
			"schema: load a.json: decoding schema object: json: cannot unmarshal number"},
		{"invalid schema", fstest.MapFS{"a.json": {Data: []byte(`{"id": "x"}`)}},
			"schema: load a.json: schema x: id is not a URN"},
		{"duplicate schema", fstest.MapFS{
			"a.json": {Data: []byte(`{"id": "urn:x"}`)},
			"b.json": {Data: []byte(`{"id": "URN:X"}`)},
		}, "schema: load b.json: schema URN:X: already defined in a.json"},
		{"unknown schema", fstest.MapFS{"rt.json": {Data: []byte(`{"name": "X", "endpoint": "/X", "schema": "urn:x"}`)}},
			`schema: load rt.json: schema: resource type "X": unknown schema "urn:x"`},
		{"invalid resource type", fstest.MapFS{"rt.json": {Data: []byte(`{"name": "X", "endpoint": "X", "schema": "` + GroupURN + `"}`)}},
			`schema: load rt.json: schema: resource type "X": endpoint "X" is not a path such as "/Users"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := LoadDir(tt.fsys)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("LoadDir error = %v, want prefix %q", err, tt.want)
			}
		})
	}
}
