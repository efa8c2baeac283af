package resource_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// FuzzDecode checks that Decode never panics and fails only with an
// *Error, and that what it accepts marshals to valid JSON that decodes,
// strictly, to a resource that marshals to the same bytes. It also checks
// that Equal is reflexive on decoded values and that merging a resource into
// itself is accepted.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"enterprise_user.json", "minimal_user.json", "group.json"} {
		f.Add(readFile(f, name), false)
	}
	f.Add(resource.Marshal(widgetRT, fullWidget(), nil), true)
	for _, s := range []string{
		``,
		`{}`,
		`[]`,
		`null`,
		`"x"`,
		`{"schemas":`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]} {}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","USERNAME":"b"}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","urn:ietf:params:scim:schemas:core:2.0:User":{"name":{"givenName":"B"}}}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"emails":[{"value":"a","primary":true},{"value":"b","primary":"True"}]}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"emails":{"value":"a"},"active":"TRUE","x509Certificates":[{"value":"AAEC\n"}]}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER"],"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER":{"manager":{"value":"m","displayName":"x"}}}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"g","members":[{"value":"1","display":"\u2028\ud800"}]}`,
		`{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget"],"count":"1e3","weight":-0,"built":"2011-05-13T04:42:34.123456789+14:00","parts":[{"value":"v","sizes":[1.0,"2"]}]}`,
		`{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget"],"count":9223372036854775807,"weight":1e-400,"built":"0000-01-01T00:00:00-00:00","blob":""}`,
		`{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget"],"count":"0x1p4","weight":"1_0","enabled":"false","tags":[null,"",null]}`,
		`{"schemas":["urn:example:params:scim:schemas:core:2.0:Widget","urn:example:params:scim:schemas:extension:audit:2.0:Widget"],"urn:example:params:scim:schemas:extension:audit:2.0:Widget":{"memo":"m"}}`,
	} {
		f.Add([]byte(s), false)
	}
	rts := []*schema.ResourceType{userRT, groupRT, widgetRT}
	f.Fuzz(func(t *testing.T, data []byte, strict bool) {
		for _, rt := range rts {
			r, err := resource.Decode(rt, data, resource.DecodeOptions{Strict: strict})
			copied, cerr := resource.DecodeCopying(rt, data, resource.DecodeOptions{Strict: strict})
			if (err == nil) != (cerr == nil) {
				t.Fatalf("%s: Decode error %v; building new values, %v", rt.Name, err, cerr)
			}
			if err == nil && !reflect.DeepEqual(r, copied) {
				t.Fatalf("%s: Decode in place and building new values differ:\n%s\n%s", rt.Name, resource.Marshal(rt, r, nil), resource.Marshal(rt, copied, nil))
			}
			if err != nil {
				var re *resource.Error
				if !errors.As(err, &re) {
					t.Fatalf("%s: Decode error %v is a %T, want *resource.Error", rt.Name, err, err)
				}
				if re.Type != "invalidSyntax" && re.Type != "invalidValue" {
					t.Fatalf("%s: Decode error %v has type %q", rt.Name, err, re.Type)
				}
				continue
			}
			out := resource.Marshal(rt, r, nil)
			if !json.Valid(out) {
				t.Fatalf("%s: Marshal output is not valid JSON:\n%s", rt.Name, out)
			}
			again, err := resource.Decode(rt, out, resource.DecodeOptions{Strict: true})
			if err != nil {
				t.Fatalf("%s: Decode of Marshal output: %v\n%s", rt.Name, err, out)
			}
			if out2 := resource.Marshal(rt, again, nil); !bytes.Equal(out, out2) {
				t.Fatalf("%s: Marshal is not idempotent:\nfirst:  %s\nsecond: %s", rt.Name, out, out2)
			}

			checkReflexive(t, rt.Schema.Attributes, r.Attributes)
			for _, e := range rt.Extensions {
				if m, ok := r.Attributes[e.Schema.ID].(map[string]any); ok {
					checkReflexive(t, e.Schema.Attributes, m)
				}
			}
			if err := resource.Merge(rt, r, r.Clone()); err != nil {
				t.Fatalf("%s: merging a resource into itself: %v", rt.Name, err)
			}
			_ = resource.CheckRequired(rt, r)
		}
	})
}

func checkReflexive(t *testing.T, attrs []*schema.Attribute, m map[string]any) {
	t.Helper()
	for _, a := range attrs {
		if v, ok := m[a.Name]; ok && !resource.Equal(a, v, v) {
			t.Fatalf("Equal(%s, %#v, itself) = false", a.Name, v)
		}
	}
}

// FuzzProjection checks that NewProjection and ResolvePath never panic on
// any attribute paths, and that the projected resource is valid JSON that
// decodes strictly and has only members its resource type defines.
func FuzzProjection(f *testing.F) {
	f.Add("userName,name.givenName,emails.value", "")
	f.Add("", "emails,meta,name.familyName,id")
	f.Add(entURN+":manager.displayName,"+entURN, "")
	f.Add(entURN, entURN+":manager")
	f.Add("META.VERSION,meta.created,externalId", "meta.created")
	f.Add("secret,part.note,parts.note,"+auditURN+":memo", "part.kind,status")
	f.Add(widgetURN+":count,urn:,urn:x:y,:,.,name..x", " , ")
	f.Add("password,groups.display,x509Certificates.value", "groups")
	type subject struct {
		rt *schema.ResourceType
		r  *resource.Resource
	}
	subjects := []subject{
		{userRT, storedEnterpriseUser(f)},
		{widgetRT, fullWidget()},
		{groupRT, &resource.Resource{ID: "g1", Attributes: attrs("displayName", "G", "members", []any{attrs("value", "u1")})}},
	}
	// Members a resource of each type may have.
	members := make([]map[string]bool, len(subjects))
	for i, s := range subjects {
		members[i] = map[string]bool{"schemas": true, "id": true, "externalId": true, "meta": true}
		for _, a := range s.rt.Schema.Attributes {
			members[i][a.Name] = true
		}
		for _, e := range s.rt.Extensions {
			members[i][e.Schema.ID] = true
		}
	}
	f.Fuzz(func(t *testing.T, attributes, excluded string) {
		include := strings.Split(attributes, ",")
		exclude := strings.Split(excluded, ",")
		for i, s := range subjects {
			for _, path := range append(include, exclude...) {
				resource.ResolvePath(s.rt, path)
			}
			p := resource.NewProjection(s.rt, include, exclude)
			out := resource.Marshal(s.rt, s.r, p)
			var got map[string]any
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%s: Marshal output is not valid JSON: %v\n%s", s.rt.Name, err, out)
			}
			for k := range got {
				if !members[i][k] {
					t.Errorf("%s: unknown member %q:\n%s", s.rt.Name, k, out)
				}
			}
			if _, err := resource.Decode(s.rt, out, resource.DecodeOptions{Strict: true}); err != nil {
				t.Fatalf("%s: Decode of projected output: %v\n%s", s.rt.Name, err, out)
			}
		}
	})
}

// FuzzMarshalString checks that any Go string, valid UTF-8 or not, is
// written as a JSON string that reads back with each invalid byte replaced
// by U+FFFD.
func FuzzMarshalString(f *testing.F) {
	for _, s := range []string{"", "plain", "a\"b\\c\n\x00\x1f\x7f", "\u2028\u2029", "\xff\xed\xa0\x80", "😀é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := resource.Marshal(groupRT, &resource.Resource{ID: s, Attributes: attrs("displayName", s)}, nil)
		var got struct {
			ID          string
			DisplayName string
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("Marshal output is not valid JSON: %v\n%q", err, out)
		}
		want := string([]rune(s))
		if got.ID != want || got.DisplayName != want {
			t.Fatalf("%q reads back as %q and %q, want %q", s, got.ID, got.DisplayName, want)
		}
	})
}
