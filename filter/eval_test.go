package filter_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// The Device resource type exercises every SCIM data type, caseExact and
// not, single- and multi-valued, with an extension.
const (
	deviceURN    = "urn:example:params:scim:schemas:core:1.0:Device"
	deviceExtURN = "urn:example:params:scim:schemas:extension:lab:1.0:Device"
)

func deviceType() *schema.ResourceType {
	return &schema.ResourceType{
		Name:     "Device",
		Endpoint: "/Devices",
		Schema: &schema.Schema{
			ID:   deviceURN,
			Name: "Device",
			Attributes: []*schema.Attribute{
				{Name: "name", Type: schema.String},
				{Name: "code", Type: schema.String, CaseExact: true},
				{Name: "count", Type: schema.Integer},
				{Name: "big", Type: schema.Integer},
				{Name: "ratio", Type: schema.Decimal},
				{Name: "enabled", Type: schema.Boolean},
				{Name: "seen", Type: schema.DateTime},
				{Name: "blob", Type: schema.Binary, CaseExact: true},
				{Name: "link", Type: schema.Reference, ReferenceTypes: []string{"external"}},
				{Name: "tags", Type: schema.String, MultiValued: true},
				{Name: "readings", Type: schema.Integer, MultiValued: true},
				{Name: "parts", Type: schema.Complex, MultiValued: true, SubAttributes: []*schema.Attribute{
					{Name: "value", Type: schema.String},
					{Name: "kind", Type: schema.String, CaseExact: true},
					{Name: "size", Type: schema.Integer},
					{Name: "pin", Type: schema.String, Mutability: schema.WriteOnly, Returned: schema.ReturnedNever},
					{Name: "primary", Type: schema.Boolean},
				}},
				{Name: "owner", Type: schema.Complex, SubAttributes: []*schema.Attribute{
					{Name: "value", Type: schema.String},
					{Name: "display", Type: schema.String},
				}},
				{Name: "secret", Type: schema.String, Mutability: schema.WriteOnly},
				{Name: "hash", Type: schema.String, Mutability: schema.ReadOnly, Returned: schema.ReturnedNever},
			},
		},
		Extensions: []schema.Extension{{Schema: &schema.Schema{
			ID:   deviceExtURN,
			Name: "Lab",
			Attributes: []*schema.Attribute{
				{Name: "room", Type: schema.String},
				{Name: "since", Type: schema.DateTime},
			},
		}}},
	}
}

func TestDeviceTypeIsValid(t *testing.T) {
	if err := deviceType().Validate(); err != nil {
		t.Fatal(err)
	}
}

var (
	created   = time.Date(2011, 5, 13, 4, 42, 34, 0, time.UTC)
	tenOClock = time.Date(2020, 1, 1, 10, 0, 0, 0, time.UTC)
)

// testUsers are Users as a host might hold them: mostly the Go types
// resource.Decode produces, some others a host may use.
func testUsers() []*resource.Resource {
	return []*resource.Resource{
		{
			ID:         "bjensen",
			ExternalID: "701984",
			Meta: resource.Meta{
				ResourceType: "User",
				Created:      created,
				LastModified: created.Add(time.Hour),
				Location:     "https://example.com/v2/Users/bjensen",
				Version:      "3",
			},
			Attributes: map[string]any{
				"userName": "bjensen@example.com",
				"name":     map[string]any{"givenName": "Barbara", "familyName": "Jensen"},
				"title":    "Tour Guide",
				"userType": "Employee",
				"active":   true,
				"emails": []any{
					map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true},
					map[string]any{"value": "babs@jensen.org", "type": "home"},
				},
				schema.EnterpriseUserURN: map[string]any{
					"employeeNumber": "701984",
					"manager":        map[string]any{"value": "u3"},
				},
			},
		},
		{
			ID:         "jsmith",
			ExternalID: "JSMITH",
			Meta:       resource.Meta{Created: created.Add(24 * time.Hour).In(time.FixedZone("PST", -8*3600))},
			Attributes: map[string]any{
				"userName":     "jsmith",
				"title":        "",
				"active":       false,
				"name":         map[string]any{"givenName": "", "familyName": nil},
				"emails":       []map[string]any{{"value": "John.Smith@Example.ORG", "type": "Work"}},
				"phoneNumbers": []map[string]any{},
			},
		},
		{
			ID: "alice",
			Attributes: map[string]any{
				"userName":    "Älice",
				"displayName": "ΟΔΥΣΣΕΥΣ",
				"nickName":    "\u212Aelvin", // KELVIN SIGN
				"name":        map[string]any{},
				"emails": []any{
					map[string]any{"value": "alice@example.com", "type": "home"},
					map[string]any{"value": "alice@work.example.net", "type": "work"},
				},
				"ims":              []any{},
				"x509Certificates": []any{map[string]any{"value": "QUJD"}},
			},
		},
		{
			ID: "ghost",
			Attributes: map[string]any{
				"userName": "ghost",
				"emails":   []any{map[string]any{}},
				"photos":   []map[string]any{{"value": "", "type": nil}},
			},
		},
	}
}

func testGroups() []*resource.Resource {
	return []*resource.Resource{
		{ID: "admins", Attributes: map[string]any{
			"displayName": "Admins",
			"members": []any{
				map[string]any{"value": "bjensen", "type": "User", "display": "Babs"},
				map[string]any{"value": "ops", "type": "Group"},
			},
		}},
		{ID: "empty", Attributes: map[string]any{"displayName": "Nobody", "members": []any{}}},
	}
}

// testDevices hold values of the Go types a host may put in a resource:
// int64, int, json.Number, float32, []string, []map[string]any, dateTimes
// as time.Time in any zone or as strings.
func testDevices() []*resource.Resource {
	return []*resource.Resource{
		{ID: "d1", Attributes: map[string]any{
			"name":     "ÄBC Lamp",
			"code":     "AbC",
			"count":    int64(5),
			"big":      int64(9007199254740993),
			"ratio":    0.5,
			"enabled":  true,
			"seen":     tenOClock,
			"blob":     "QUJD",
			"link":     "https://example.com/devices/1",
			"tags":     []any{"red", "Blue"},
			"readings": []any{int64(1), int64(200)},
			"parts": []any{
				map[string]any{"value": "p1", "kind": "Screw", "size": int64(3)},
				map[string]any{"value": "p2", "kind": "nut", "size": int64(10)},
			},
			"owner":      map[string]any{"value": "u1", "display": "Babs"},
			deviceExtURN: map[string]any{"room": "R1", "since": "2019-06-01T00:00:00Z"},
		}},
		{ID: "d2", Attributes: map[string]any{
			"name":     "\u212Aettle", // KELVIN SIGN
			"code":     "abc",
			"count":    7,
			"big":      9007199254740993,
			"ratio":    json.Number("2.5"),
			"enabled":  false,
			"seen":     "2020-01-01T12:00:00+02:00",
			"blob":     "qujd",
			"link":     "urn:example:device:2",
			"tags":     []string{"green"},
			"readings": []any{json.Number("3")},
			"parts":    []map[string]any{{"value": "p3", "kind": "screw", "size": 3}},
		}},
		{ID: "d3", Attributes: map[string]any{
			"name":     "kettle",
			"code":     "ABC",
			"count":    json.Number("10"),
			"big":      json.Number("9007199254740993"),
			"ratio":    int64(2),
			"seen":     tenOClock.In(time.FixedZone("IST", 5*3600+1800)),
			"tags":     []string{},
			"parts":    []any{map[string]any{"value": "", "kind": nil}},
			"readings": []any{},
		}},
		{ID: "d4", Attributes: map[string]any{
			"big":   int64(9007199254740992),
			"ratio": float32(1.5),
			"seen":  "2020-01-01T10:00:00.5Z",
			"tags":  []any{},
		}},
	}
}

type matchTest struct {
	filter string
	want   []string // ids of the matching resources, in order
}

func TestMatch(t *testing.T) {
	users, groups, devices := schema.UserResourceType(), schema.GroupResourceType(), deviceType()
	suites := []struct {
		name  string
		rt    *schema.ResourceType
		rs    []*resource.Resource
		tests []matchTest
	}{
		{"User", users, testUsers(), userMatchTests},
		{"Group", groups, testGroups(), groupMatchTests},
		{"Device", devices, testDevices(), deviceMatchTests},
	}
	for _, s := range suites {
		for _, tt := range s.tests {
			t.Run(s.name+"/"+tt.filter, func(t *testing.T) {
				f, err := filter.Compile(s.rt, tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, matching(t, s.rt, f, s.rs)); diff != "" {
					t.Errorf("Match (-want +got):\n%s", diff)
				}
				// The canonical text resolves to a filter that matches
				// the same resources.
				g, err := filter.Compile(s.rt, f.String())
				if err != nil {
					t.Fatalf("Compile(%q): %v", f.String(), err)
				}
				if diff := cmp.Diff(tt.want, matching(t, s.rt, g, s.rs)); diff != "" {
					t.Errorf("round trip through %q (-want +got):\n%s", f.String(), diff)
				}
			})
		}
	}
}

// matching returns the ids of the resources f matches, and reports a
// resource on which MatchRecord disagrees with Match.
func matching(t *testing.T, rt *schema.ResourceType, f *filter.Filter, rs []*resource.Resource) []string {
	t.Helper()
	var ids []string
	for _, r := range rs {
		got := f.Match(r)
		if rec := f.MatchRecord(filter.NewRecord(rt, r)); rec != got {
			t.Errorf("%s on %s: MatchRecord = %v, Match = %v", f, r.ID, rec, got)
		}
		if got {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

var userMatchTests = []matchTest{
	// Strings are case-insensitive unless caseExact.
	{`userName eq "BJENSEN@EXAMPLE.COM"`, []string{"bjensen"}},
	{`UserName Eq "jsmith"`, []string{"jsmith"}},
	{`userName eq "älice"`, []string{"alice"}},
	{`userName co "LIC"`, []string{"alice"}},
	{`userName sw "ä"`, []string{"alice"}},
	{`userName ew "@EXAMPLE.com"`, []string{"bjensen"}},
	{`userName gt "b" and userName lt "k"`, []string{"bjensen", "jsmith", "ghost"}},
	{`userName ge "GHOST" and userName le "ghost"`, []string{"ghost"}},
	{`userName eq 42`, nil},
	{`nickName eq "KELVIN"`, []string{"alice"}},
	{`nickName sw "kel"`, []string{"alice"}},
	{`nickName co "\u212A"`, []string{"alice"}},
	{`displayName eq "οδυσσευς"`, []string{"alice"}},
	{`displayName ew "σευς"`, []string{"alice"}},
	{`displayName co "Σσευς"`, []string{"alice"}},
	{`displayName sw "ΟΔΥς"`, []string{"alice"}},
	{`displayName sw "ΟΔΑ"`, nil},
	{`id eq "bjensen"`, []string{"bjensen"}},
	{`id eq "BJENSEN"`, nil},
	{`externalId eq "JSMITH"`, []string{"jsmith"}},
	{`externalId eq "jsmith"`, nil},
	{`externalId pr`, []string{"bjensen", "jsmith"}},
	{`x509Certificates.value eq "QUJD"`, []string{"alice"}},
	{`x509Certificates.value eq "qujd"`, nil},

	// ne is not eq, so it matches resources without the attribute.
	{`userName ne "jsmith"`, []string{"bjensen", "alice", "ghost"}},
	{`title ne "tour guide"`, []string{"jsmith", "alice", "ghost"}},
	{`emails.type ne "work"`, []string{"ghost"}},
	{`active ne true`, []string{"jsmith", "alice", "ghost"}},

	// pr is false for null, "", [], {} and objects whose values are all
	// empty.
	{`title pr`, []string{"bjensen"}},
	{`name pr`, []string{"bjensen"}},
	{`name.givenName pr`, []string{"bjensen"}},
	{`emails pr`, []string{"bjensen", "jsmith", "alice"}},
	{`photos pr`, nil},
	{`phoneNumbers pr`, nil},
	{`ims pr`, nil},
	{`nickName pr`, []string{"alice"}},
	{`title eq null`, []string{"jsmith", "alice", "ghost"}},
	{`title ne null`, []string{"bjensen"}},
	{`name eq null`, []string{"jsmith", "alice", "ghost"}},
	{`emails eq null`, []string{"ghost"}},
	{`emails.value eq null`, []string{"ghost"}},

	// Multi-valued attributes match when any value does; a complex one
	// compares by "value".
	{`emails eq "babs@jensen.org"`, []string{"bjensen"}},
	{`emails co "SMITH"`, []string{"jsmith"}},
	{`emails.value ew ".org"`, []string{"bjensen", "jsmith"}},
	{`emails.type eq "work"`, []string{"bjensen", "jsmith", "alice"}},

	// A value path matches within one element; the same conditions on
	// dotted paths match across elements.
	{`emails[type eq "work" and value co "example.com"]`, []string{"bjensen"}},
	{`emails.type eq "work" and emails.value co "example.com"`, []string{"bjensen", "alice"}},
	{`emails[type eq "work" and value co "example.org"]`, []string{"jsmith"}},
	{`emails[type eq "work"].value eq "bjensen@example.com"`, []string{"bjensen"}},
	{`emails[primary eq true]`, []string{"bjensen"}},
	{`emails[not (type eq "work")]`, []string{"bjensen", "alice", "ghost"}},
	{`emails[type eq "home" or value ew ".net"]`, []string{"bjensen", "alice"}},
	{`emails[value pr]`, []string{"bjensen", "jsmith", "alice"}},
	{`emails[type eq null]`, []string{"ghost"}},
	{`name[givenName eq "barbara"]`, []string{"bjensen"}},
	{`name[givenName pr or familyName pr]`, []string{"bjensen"}},

	// Booleans, also given as strings.
	{`active eq true`, []string{"bjensen"}},
	{`active eq "False"`, []string{"jsmith"}},

	// The common attributes live in resource.Resource fields.
	{`meta.created eq "2011-05-13T06:42:34+02:00"`, []string{"bjensen"}},
	{`meta.created gt "2011-05-13T04:42:34Z"`, []string{"jsmith"}},
	{`meta.created ge "2011-05-13T04:42:34Z"`, []string{"bjensen", "jsmith"}},
	{`meta.created lt "2011-05-14T04:42:34Z"`, []string{"bjensen"}},
	{`meta.created le "2011-05-13T20:42:34-08:00"`, []string{"bjensen", "jsmith"}},
	{`meta.created ne "2011-05-13T04:42:34Z"`, []string{"jsmith", "alice", "ghost"}},
	{`meta.lastModified ge "2011-05-13T05:42:34Z"`, []string{"bjensen"}},
	{`meta.version eq "W/\"3\""`, []string{"bjensen"}},
	{`meta.version eq "3"`, nil},
	{`meta.version pr`, []string{"bjensen"}},
	{`meta.resourceType eq "User"`, []string{"bjensen"}},
	{`meta.resourceType eq "user"`, nil},
	{`meta.location sw "HTTPS://example.com/"`, []string{"bjensen"}},
	{`meta[resourceType eq "User" and version pr]`, []string{"bjensen"}},
	{`meta pr`, []string{"bjensen", "jsmith"}},
	{`meta.created pr and not (meta.version pr)`, []string{"jsmith"}},

	// Extension attributes by their URN-qualified paths, and core ones too.
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`, []string{"bjensen"}},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "U3"`, []string{"bjensen"}},
	{`URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:MANAGER.VALUE eq "u3"`, []string{"bjensen"}},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq "u3"]`, []string{"bjensen"}},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department pr`, nil},
	{`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "j"`, []string{"jsmith"}},

	// Logic.
	{`not (userName sw "j") and (title pr or active eq false)`, []string{"bjensen"}},
	{`userName eq "jsmith" or userName eq "ghost"`, []string{"jsmith", "ghost"}},
	{`not (not (userName eq "ghost"))`, []string{"ghost"}},
}

var groupMatchTests = []matchTest{
	{`displayName eq "admins"`, []string{"admins"}},
	{`members eq "bjensen"`, []string{"admins"}},
	{`members[type eq "group" and value eq "ops"]`, []string{"admins"}},
	{`members[type eq "group" and value eq "bjensen"]`, nil},
	{`members pr`, []string{"admins"}},
	{`members.display co "ab"`, []string{"admins"}},
	{`not (members pr)`, []string{"empty"}},
}

var deviceMatchTests = []matchTest{
	// integer, held as int64 (d1), int (d2) and json.Number (d3).
	{`count eq 5`, []string{"d1"}},
	{`count eq 7`, []string{"d2"}},
	{`count eq 10`, []string{"d3"}},
	{`count ne 5`, []string{"d2", "d3", "d4"}},
	{`count gt 5`, []string{"d2", "d3"}},
	{`count ge 7`, []string{"d2", "d3"}},
	{`count lt 7`, []string{"d1"}},
	{`count le 7`, []string{"d1", "d2"}},
	{`count eq 5.0`, []string{"d1"}},
	{`count lt 5.5`, []string{"d1"}},
	{`count gt 5E0`, []string{"d2", "d3"}},
	{`count gt "6"`, []string{"d2", "d3"}},
	{`count pr`, []string{"d1", "d2", "d3"}},
	{`count eq null`, []string{"d4"}},
	{`count gt -1 and count lt 1E1`, []string{"d1", "d2"}},
	// Integers compare exactly beyond 2^53, whatever their Go type.
	{`big eq 9007199254740993`, []string{"d1", "d2", "d3"}},
	{`big eq 9007199254740992`, []string{"d4"}},
	{`big gt 9007199254740992`, []string{"d1", "d2", "d3"}},
	{`big lt 9007199254740993`, []string{"d4"}},
	{`big ne 9007199254740993`, []string{"d4"}},
	{`readings gt 100`, []string{"d1"}},
	{`readings eq 3`, []string{"d2"}},
	{`readings pr`, []string{"d1", "d2"}},

	// decimal, held as float64, json.Number, int64 and float32.
	{`ratio eq 0.5`, []string{"d1"}},
	{`ratio eq 2`, []string{"d3"}},
	{`ratio eq 2.0`, []string{"d3"}},
	{`ratio gt 1`, []string{"d2", "d3", "d4"}},
	{`ratio ge 2.5`, []string{"d2"}},
	{`ratio le 1.5`, []string{"d1", "d4"}},
	{`ratio lt 25E-1`, []string{"d1", "d3", "d4"}},
	{`ratio ne 0.5`, []string{"d2", "d3", "d4"}},

	// boolean.
	{`enabled eq true`, []string{"d1"}},
	{`enabled eq false`, []string{"d2"}},
	{`enabled eq "TRUE"`, []string{"d1"}},
	{`enabled ne true`, []string{"d2", "d3", "d4"}},
	{`enabled pr`, []string{"d1", "d2"}},

	// dateTime: instants, in any zone, as time.Time or string.
	{`seen eq "2020-01-01T10:00:00Z"`, []string{"d1", "d2", "d3"}},
	{`seen eq "2020-01-01T05:00:00-05:00"`, []string{"d1", "d2", "d3"}},
	{`seen ne "2020-01-01T10:00:00Z"`, []string{"d4"}},
	{`seen gt "2020-01-01T10:00:00Z"`, []string{"d4"}},
	{`seen ge "2020-01-01T11:00:00+01:00"`, []string{"d1", "d2", "d3", "d4"}},
	{`seen lt "2020-01-01T10:00:00.5Z"`, []string{"d1", "d2", "d3"}},
	{`seen le "2020-01-01T10:00:00.500000000Z"`, []string{"d1", "d2", "d3", "d4"}},

	// binary, caseExact here as RFC 7643 §2.3.6 says.
	{`blob eq "QUJD"`, []string{"d1"}},
	{`blob ne "QUJD"`, []string{"d2", "d3", "d4"}},
	{`blob co "uj"`, []string{"d2"}},
	{`blob sw "Q"`, []string{"d1"}},
	{`blob ew "d"`, []string{"d2"}},

	// reference, not caseExact here.
	{`link sw "HTTPS://"`, []string{"d1"}},
	{`link co "DEVICE"`, []string{"d1", "d2"}},
	{`link eq "URN:example:device:2"`, []string{"d2"}},
	{`link ew "/1"`, []string{"d1"}},
	{`link gt "t"`, []string{"d2"}},

	// caseExact string.
	{`code eq "abc"`, []string{"d2"}},
	{`code ne "abc"`, []string{"d1", "d3", "d4"}},
	{`code co "bC"`, []string{"d1"}},
	{`code sw "A"`, []string{"d1", "d3"}},
	{`code ew "c"`, []string{"d2"}},
	{`code lt "a"`, []string{"d1", "d3"}},
	{`code gt "AbC"`, []string{"d2"}},
	{`code ge "AbC"`, []string{"d1", "d2"}},
	{`code le "ABC"`, []string{"d3"}},

	// string, with non-ASCII case folding.
	{`name co "äb"`, []string{"d1"}},
	{`name sw "äbc"`, []string{"d1"}},
	{`name eq "äbc lamp"`, []string{"d1"}},
	{`name ew "LAMP"`, []string{"d1"}},
	{`name eq "KETTLE"`, []string{"d2", "d3"}},
	{`name sw "ke"`, []string{"d2", "d3"}},
	{`name sw "\u212A"`, []string{"d2", "d3"}},
	{`name co "\u212Aet"`, []string{"d2", "d3"}},
	{`name ew "TTLE"`, []string{"d2", "d3"}},
	{`name co ""`, []string{"d1", "d2", "d3"}},
	{`name gt "j"`, []string{"d1", "d2", "d3"}},

	// multi-valued strings, as []any and []string.
	{`tags eq "blue"`, []string{"d1"}},
	{`tags eq "GREEN"`, []string{"d2"}},
	{`tags co "e"`, []string{"d1", "d2"}},
	{`tags ne "red"`, []string{"d2", "d3", "d4"}},
	{`tags pr`, []string{"d1", "d2"}},
	{`tags eq null`, []string{"d3", "d4"}},

	// multi-valued complex, as []any and []map[string]any.
	{`parts[kind eq "screw"]`, []string{"d2"}},
	{`parts[kind eq "Screw" and size gt 5]`, nil},
	{`parts.kind eq "Screw" and parts.size gt 5`, []string{"d1"}},
	{`parts[size ge 3 and not (kind eq "nut")]`, []string{"d1", "d2"}},
	{`parts eq "P3"`, []string{"d2"}},
	{`parts pr`, []string{"d1", "d2"}},
	{`parts[value pr]`, []string{"d1", "d2"}},
	{`parts[value eq null]`, []string{"d3"}},
	{`parts.size eq 3`, []string{"d1", "d2"}},

	// single-valued complex.
	{`owner eq "U1"`, []string{"d1"}},
	{`owner.display co "ab"`, []string{"d1"}},
	{`owner[display sw "b" and value eq "u1"]`, []string{"d1"}},
	{`owner pr`, []string{"d1"}},

	// extension.
	{`urn:example:params:scim:schemas:extension:lab:1.0:Device:room eq "r1"`, []string{"d1"}},
	{`urn:example:params:scim:schemas:extension:lab:1.0:Device:since lt "2019-06-01T02:00:00+01:00"`, []string{"d1"}},
	{`urn:example:params:scim:schemas:core:1.0:Device:count eq 5`, []string{"d1"}},
}

// TestMatchHandBuilt evaluates trees built in Go rather than parsed.
func TestMatchHandBuilt(t *testing.T) {
	rt := deviceType()
	tests := []struct {
		name string
		expr filter.Expr
		want []string
	}{
		{
			"integer compared with a string number",
			filter.Compare{Attr: filter.AttrPath{Name: "count"}, Op: filter.Ge, Value: "7"},
			[]string{"d2", "d3"},
		},
		{
			"boolean compared with a string",
			filter.Compare{Attr: filter.AttrPath{Name: "enabled"}, Op: filter.Eq, Value: "false"},
			[]string{"d2"},
		},
		{
			"string compared with a number",
			filter.Compare{Attr: filter.AttrPath{Name: "tags"}, Op: filter.Eq, Value: true},
			nil,
		},
		{
			"URN-qualified core path",
			filter.Present{Attr: filter.AttrPath{URN: deviceURN, Name: "Owner", Sub: "Display"}},
			[]string{"d1"},
		},
	}
	rs := testDevices()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := filter.Resolve(rt, tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, matching(t, rt, f, rs)); diff != "" {
				t.Errorf("Match (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMatchDoesNotModify checks that Match leaves the resource as it was.
func TestMatchDoesNotModify(t *testing.T) {
	rt := schema.UserResourceType()
	f, err := filter.Compile(rt, `emails[type eq "work"] and meta pr and not (title eq null) and name.givenName sw "b"`)
	if err != nil {
		t.Fatal(err)
	}
	rs := testUsers()
	for _, r := range rs {
		f.Match(r)
	}
	if diff := cmp.Diff(testUsers(), rs); diff != "" {
		t.Errorf("resources changed (-want +got):\n%s", diff)
	}
}

type equalityResult struct {
	Path  string
	Value any
	OK    bool
}

func TestEquality(t *testing.T) {
	users, devices := schema.UserResourceType(), deviceType()
	none := equalityResult{}
	tests := []struct {
		rt     *schema.ResourceType
		filter string
		want   equalityResult
	}{
		// Top-level eq, alone or under and, in either operand.
		{users, `userName eq "bjensen"`, equalityResult{"userName", "bjensen", true}},
		{users, `USERNAME EQ "BJensen"`, equalityResult{"userName", "BJensen", true}},
		{users, `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "b"`, equalityResult{"userName", "b", true}},
		{users, `userName eq "a" and title pr`, equalityResult{"userName", "a", true}},
		{users, `title pr and userName eq "a"`, equalityResult{"userName", "a", true}},
		{users, `(title pr and emails pr) and (active eq true and userName eq "a")`, equalityResult{"active", true, true}},
		{users, `userName eq "x" and (title eq "y" or active eq true)`, equalityResult{"userName", "x", true}},
		{users, `title sw "T" and not (active eq false) and externalId eq "e"`, equalityResult{"externalId", "e", true}},
		{users, `id eq "2819c223"`, equalityResult{"id", "2819c223", true}},
		{users, `userName eq 42`, equalityResult{"userName", "42", true}},
		{users, `active eq "True"`, equalityResult{"active", true, true}},
		{users, `name.givenName eq "Barbara"`, equalityResult{"name.givenName", "Barbara", true}},
		{users, `meta.created eq "2011-05-13T06:42:34+02:00"`, equalityResult{"meta.created", time.Date(2011, 5, 13, 4, 42, 34, 0, time.UTC), true}},
		{users, `meta.version eq "W/\"3\""`, equalityResult{"meta.version", `W/"3"`, true}},
		{users, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"`,
			equalityResult{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "1", true}},
		{users, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "u3"`,
			equalityResult{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", "u3", true}},
		{devices, `count eq 5`, equalityResult{"count", int64(5), true}},
		{devices, `count eq 5.5`, equalityResult{"count", 5.5, true}},
		{devices, `big eq 9007199254740993`, equalityResult{"big", int64(9007199254740993), true}},
		{devices, `ratio eq 2`, equalityResult{"ratio", 2.0, true}},
		{devices, `owner eq "u1"`, equalityResult{"owner.value", "u1", true}},

		// Anything else that does not pin one value.
		{users, `userName eq "a" or userName eq "b"`, none},
		{users, `userName eq "a" or title pr`, none},
		{users, `not (userName eq "a")`, none},
		{users, `userName ne "a"`, none},
		{users, `userName co "a"`, none},
		{users, `userName sw "a"`, none},
		{users, `userName gt "a"`, none},
		{users, `userName ge "a" and userName le "a"`, none},
		{users, `userName pr`, none},
		{users, `userName eq null`, none},
		{users, `userName ne null`, none},
		{users, `emails[value eq "a"]`, none},
		{users, `emails[type eq "work"].value eq "a"`, none},
		{users, `name[givenName eq "a"]`, none},
		{users, `emails.value eq "a"`, none},
		{users, `emails eq "a"`, none},
		{users, `title pr and emails[value eq "a"]`, none},
		{devices, `tags eq "a"`, none},
		{devices, `readings eq 1`, none},
		{devices, `parts.size eq 1`, none},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			f, err := filter.Compile(tt.rt, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			a, v, ok := f.Equality()
			got := equalityResult{Value: v, OK: ok}
			if ok {
				got.Path = a.String()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Equality (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEqualityAgreesWithMatch checks the promise of Equality: every
// resource the filter matches has the attribute equal to the value.
func TestEqualityAgreesWithMatch(t *testing.T) {
	rt := schema.UserResourceType()
	for _, s := range []string{
		`userName eq "BJENSEN@example.com" and title pr`,
		`userName pr and externalId eq "JSMITH"`,
		`meta.version eq "W/\"3\""`,
		`userName eq "ÄLICE"`,
	} {
		t.Run(s, func(t *testing.T) {
			f, err := filter.Compile(rt, s)
			if err != nil {
				t.Fatal(err)
			}
			a, v, ok := f.Equality()
			if !ok {
				t.Fatal("no equality")
			}
			eq, err := filter.Resolve(rt, filter.Compare{Attr: filter.AttrPath{URN: a.URN, Name: a.Attr.Name, Sub: subName(a)}, Op: filter.Eq, Value: v})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range testUsers() {
				if f.Match(r) {
					n++
					if !eq.Match(r) {
						t.Errorf("%s matches %s but not %s", s, r.ID, eq)
					}
				}
			}
			if n == 0 {
				t.Errorf("%s matches nothing", s)
			}
		})
	}
}

func subName(a filter.Attribute) string {
	if a.Sub == nil {
		return ""
	}
	return a.Sub.Name
}

// TestContainsLongLiteral covers co, sw and ew with literals longer than
// the byte-by-byte search handles, on a value built to be its worst case.
func TestContainsLongLiteral(t *testing.T) {
	users := schema.UserResourceType()
	value := strings.Repeat("a", 5000) + "B" + strings.Repeat("a", 30)
	r := &resource.Resource{Attributes: map[string]any{"displayName": value}}
	for _, tc := range []struct {
		filter string
		want   bool
	}{
		{`displayName co "` + strings.Repeat("A", 30) + `b"`, true},
		{`displayName co "` + strings.Repeat("a", 30) + `c"`, false},
		{`displayName co "b` + strings.Repeat("A", 30) + `"`, true},
		{`displayName sw "` + strings.Repeat("A", 40) + `"`, true},
		{`displayName ew "b` + strings.Repeat("A", 30) + `"`, true},
		{`displayName ew "` + strings.Repeat("a", 40) + `"`, false},
	} {
		f, err := filter.Compile(users, tc.filter)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Match(r); got != tc.want {
			t.Errorf("%.60s...: Match = %v, want %v", tc.filter, got, tc.want)
		}
	}
}

// foldDevices have names (not caseExact) and codes (caseExact) that fold
// differently from their lower case.
func foldDevices() []*resource.Resource {
	values := map[string]string{
		"upper":  "ÄBC",
		"lower":  "äbc",
		"kelvin": "\u212Aelvin", // KELVIN SIGN
		"k":      "kelvin",
		"sharp":  "ß",
		"ss":     "SS",
		"dz1":    "ǅ",
		"dz2":    "ǆ",
		"dz3":    "Ǆ",
		"long":   "ſ", // LATIN SMALL LETTER LONG S
		"s":      "s",
		"dotted": "İ",
		"i":      "i",
		"sigma":  "ς",
		"mu":     "Μ", // GREEK CAPITAL MU
	}
	var rs []*resource.Resource
	for _, id := range []string{"upper", "lower", "kelvin", "k", "sharp", "ss", "dz1", "dz2", "dz3", "long", "s", "dotted", "i", "sigma", "mu"} {
		rs = append(rs, &resource.Resource{ID: id, Attributes: map[string]any{"name": values[id], "code": values[id]}})
	}
	return rs
}

// TestMatchFold covers strings beyond ASCII: every comparison on an
// attribute that is not caseExact is one of filter.Fold of the value with
// Fold of the literal, which differs from strings.ToLower for some letters.
func TestMatchFold(t *testing.T) {
	rt := deviceType()
	for _, tt := range []matchTest{
		{`name eq "äBc"`, []string{"upper", "lower"}},
		{`name eq "kelvin"`, []string{"kelvin", "k"}},
		{`name eq "\u212AELVIN"`, []string{"kelvin", "k"}},
		{`name sw "\u212A"`, []string{"kelvin", "k"}},
		{`name ew "VIN"`, []string{"kelvin", "k"}},
		{`name eq "ß"`, []string{"sharp"}},
		{`name eq "ẞ"`, []string{"sharp"}},
		{`name eq "ss"`, []string{"ss"}},
		{`name co "s"`, []string{"ss", "long", "s"}},
		{`name eq "ǅ"`, []string{"dz1", "dz2", "dz3"}},
		{`name eq "ſ"`, []string{"long", "s"}},
		{`name eq "S"`, []string{"long", "s"}},
		{`name eq "i"`, []string{"i"}},
		{`name eq "İ"`, []string{"dotted"}},
		{`name eq "σ"`, []string{"sigma"}},
		{`name eq "µ"`, []string{"mu"}}, // MICRO SIGN
		{`name ne "äbc"`, []string{"kelvin", "k", "sharp", "ss", "dz1", "dz2", "dz3", "long", "s", "dotted", "i", "sigma", "mu"}},

		// Order is that of the folded strings: "ſ" is "s" < "t", though
		// "ſ" > "t"; "İ" stays "İ" > "j", though its lower case is "i";
		// "Μ" is MICRO SIGN < "ÿ", though its lower case "μ" > "ÿ".
		{`name lt "t"`, []string{"kelvin", "k", "ss", "long", "s", "i"}},
		{`name gt "j" and name lt "Ā"`, []string{"upper", "lower", "kelvin", "k", "sharp", "ss", "long", "s", "mu"}},
		{`name ge "ǅ"`, []string{"dz1", "dz2", "dz3", "sigma"}},
		{`name le "ǆ" and name ge "Ǆ"`, []string{"dz1", "dz2", "dz3"}},
		{`name gt "İ"`, []string{"dz1", "dz2", "dz3", "sigma"}},

		// caseExact: byte by byte.
		{`code eq "äbc"`, []string{"lower"}},
		{`code eq "kelvin"`, []string{"k"}},
		{`code eq "ſ"`, []string{"long"}},
		{`code lt "t"`, []string{"k", "ss", "s", "i"}},
	} {
		t.Run(tt.filter, func(t *testing.T) {
			f, err := filter.Compile(rt, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, matching(t, rt, f, foldDevices())); diff != "" {
				t.Errorf("Match (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMatchIsFold checks Match on every pair of value and literal from a
// corpus against the definitions through filter.Fold.
func TestMatchIsFold(t *testing.T) {
	corpus := []string{
		"", "a", "A", "ab", "AB", "s", "S", "ſ", "ss", "ß", "ẞ", "k", "K", "\u212A", "ä", "Ä", "ÄBC", "äbc",
		"ǅ", "ǆ", "Ǆ", "σ", "ς", "Σ", "µ", "Μ", "μ", "i", "I", "İ", "ı", "t", "ÿ", "ΟΔΥΣΣΕΥΣ", "οδυσσευς",
		"\u212Aelvin", "KELVIN", "%_*?", strings.Repeat("Ab", 10) + "ſ", strings.Repeat("aB", 10) + "S",
	}
	rt := deviceType()
	defs := map[filter.Op]func(v, lit string) bool{
		filter.Eq: func(v, lit string) bool { return v == lit },
		filter.Ne: func(v, lit string) bool { return v != lit },
		filter.Co: strings.Contains,
		filter.Sw: strings.HasPrefix,
		filter.Ew: strings.HasSuffix,
		filter.Gt: func(v, lit string) bool { return strings.Compare(v, lit) > 0 },
		filter.Ge: func(v, lit string) bool { return strings.Compare(v, lit) >= 0 },
		filter.Lt: func(v, lit string) bool { return strings.Compare(v, lit) < 0 },
		filter.Le: func(v, lit string) bool { return strings.Compare(v, lit) <= 0 },
	}
	for _, lit := range corpus {
		for op, def := range defs {
			for _, attr := range []string{"name", "code"} {
				f, err := filter.Resolve(rt, filter.Compare{Attr: filter.AttrPath{Name: attr}, Op: op, Value: lit})
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range corpus {
					r := &resource.Resource{Attributes: map[string]any{attr: v}}
					want := def(v, lit)
					if attr == "name" {
						want = def(filter.Fold(v), filter.Fold(lit))
					}
					if got := f.Match(r); got != want {
						t.Errorf("%s %s %q on %q: Match = %v, want %v", attr, op, lit, v, got, want)
					}
					if got := f.MatchRecord(filter.NewRecord(rt, r)); got != want {
						t.Errorf("%s %s %q on %q: MatchRecord = %v, want %v", attr, op, lit, v, got, want)
					}
				}
			}
		}
	}
}
