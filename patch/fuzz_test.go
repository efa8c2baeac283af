package patch_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/patch"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

// richUser is bjensen with most of the User schema's attributes assigned,
// read-only and write-only ones included.
func richUser() *resource.Resource {
	r := bjensen()
	for k, v := range (obj{
		"nickName":          "Babs",
		"profileUrl":        "https://login.example.com/bjensen",
		"title":             "Tour Guide",
		"userType":          "Employee",
		"preferredLanguage": "en-US",
		"locale":            "en-US",
		"timezone":          "America/Los_Angeles",
		"password":          "t1meMa$heen",
		"ims":               []any{obj{"value": "someaimhandle", "type": "aim"}},
		"photos": []any{
			obj{"value": "https://photos.example.com/profilephoto/72930000000Ccne/F", "type": "photo"},
			obj{"value": "https://photos.example.com/profilephoto/72930000000Ccne/T", "type": "thumbnail"},
		},
		"groups":       []any{obj{"value": "e9e30dba-f08f-4109-8486-d5c6a331660a", "display": "Tour Guides"}},
		"entitlements": []any{obj{"value": "admin", "primary": true}},
		"roles":        []any{obj{"value": "guide", "type": "staff"}},
	}) {
		r.Attributes[k] = v
	}
	r.Attributes["phoneNumbers"] = append(r.Attributes["phoneNumbers"].([]any), obj{"value": "555-555-4444", "type": "mobile", "primary": true})
	return r
}

// fuzzSeeds are PATCH bodies of RFC 7644 §3.5.2 and identity providers,
// and shapes near the edges of what Parse accepts.
var fuzzSeeds = []string{
	// RFC 7644 §3.5.2.1 to §3.5.2.3.
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"display":"Babs Jensen","$ref":"https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646","value":"2819c223-7f76-453a-919d-413861904646"}]}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"emails":[{"value":"babs@jensen.org","type":"home"}],"nickname":"Babs"}}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"2819c223-7f76-...413861904646\"]"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"x509Certificates[value eq \"MIIDQzCCAqygAwIBAgICEAAwDQYJ\"]"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"2819c223...919d-413861904646\"]"},{"op":"add","path":"members","value":[{"display":"James Smith","$ref":"https://example.com/v2/Users/08e1d05d...473d93df9210","value":"08e1d05d...473d93df9210"}]}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"members","value":[{"display":"Babs Jensen","$ref":"https://example.com/v2/Users/2819c223...413861904646","value":"2819c223...413861904646"}]}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"addresses[type eq \"work\"]","value":{"type":"work","streetAddress":"911 Universal City Plaza","locality":"Hollywood","region":"CA","postalCode":"91608","country":"US","formatted":"911 Universal City Plaza\nHollywood, CA 91608 US","primary":true}}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"addresses[type eq \"work\"].streetAddress","value":"1010 Broadway Ave"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}],"nickname":"Babs"}}]}`,
	// Identity providers.
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"},{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"2819c223"},{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"addresses[type eq \"work\"].locality","value":"Redmond"},{"op":"Add","path":"addresses[type eq \"work\"].postalCode","value":"98052"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","value":{"name.givenName":"Barbara","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"701984","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":["26118915"]}}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"u1","active":false}}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"value":"u2"},{"value":"not-a-member"}]}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":null,"name":{"givenName":null},"externalId":null}}]}`,
	// Edges.
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"]","value":null},{"op":"add","path":"emails[type eq \"x\"]","value":{}}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails[primary eq true and type eq \"other\"].value","value":"p@example.com"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value","value":"m"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"ports[value eq \"eth0\"].primary","value":"true"},{"op":"remove","path":"tags","value":"edge"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"count","value":"1e3"},{"op":"replace","path":"built","value":"2011-05-13T04:42:34Z"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"name[givenName eq \"x\"]","value":{}}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{}]}`,
	`{"Operations":[{"op":"remove","path":"title"}]}`,
	`[]`,
	``,
}

// goldenBodies returns the bodies of the PATCH requests in the server's
// golden exchanges.
func goldenBodies(t testing.TB) []string {
	convs, err := scimtest.ReadConversations(os.DirFS(filepath.Join("..", "testdata", "exchanges")), "patch*.txt")
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, name := range slices.Sorted(maps.Keys(convs)) {
		for _, x := range convs[name].Exchanges {
			if x.Method == "PATCH" {
				bodies = append(bodies, x.Body)
			}
		}
	}
	return bodies
}

var scimTypes = map[string]bool{"invalidSyntax": true, "invalidPath": true, "invalidValue": true, "noTarget": true, "mutability": true}

// checkError fails unless err is a *patch.Error with a scimType of RFC
// 7644 §3.12 that PATCH may report.
func checkError(t *testing.T, what string, err error) {
	t.Helper()
	var pe *patch.Error
	if !errors.As(err, &pe) {
		t.Fatalf("%s error %v is a %T, want *patch.Error", what, err, err)
	}
	if !scimTypes[pe.Type] || pe.Msg == "" || pe.Index < -1 || pe.Error() == "" {
		t.Fatalf("%s error %#v", what, pe)
	}
}

// FuzzPatch checks that Parse and Apply never panic and fail only with a
// *patch.Error; that Apply leaves alone the resource whose clone it
// changes, and its operations; and that what it produces marshals to valid
// JSON that resource.Decode accepts and that marshals again to the same
// bytes.
func FuzzPatch(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, s := range goldenBodies(f) {
		f.Add(s)
	}
	targets := []struct {
		rt     *schema.ResourceType
		stored func() *resource.Resource
	}{
		{userRT, richUser},
		{groupRT, tourGuides},
		{deviceRT, gateway},
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, tg := range targets {
			for _, opt := range []patch.Options{{}, {Strict: true}} {
				ops, err := patch.Parse(tg.rt, []byte(body), opt)
				if err != nil {
					checkError(t, "Parse", err)
					continue
				}
				for _, o := range ops {
					if o.Path.Attr.Attr == nil && o.Path.Extension == "" {
						t.Fatalf("Parse returned an operation without a path: %+v", o)
					}
				}
				orig := tg.stored()
				r := orig.Clone()
				err = patch.Apply(tg.rt, r, ops)
				if diff := cmp.Diff(tg.stored(), orig); diff != "" {
					t.Fatalf("%s: Apply changed the original (-want +got):\n%s", tg.rt.Name, diff)
				}
				shared := tg.stored()
				copied, cerr := patch.ApplyCopy(tg.rt, shared, ops)
				if diff := cmp.Diff(tg.stored(), shared); diff != "" {
					t.Fatalf("%s: ApplyCopy changed the resource it was given (-want +got):\n%s", tg.rt.Name, diff)
				}
				if (err == nil) != (cerr == nil) {
					t.Fatalf("%s: ApplyCopy error %v, Apply error %v", tg.rt.Name, cerr, err)
				}
				if err == nil {
					if diff := cmp.Diff(r, copied); diff != "" {
						t.Fatalf("%s: ApplyCopy differs from Apply (-Apply +ApplyCopy):\n%s", tg.rt.Name, diff)
					}
				}
				again, _ := patch.Parse(tg.rt, []byte(body), opt)
				if diff := cmp.Diff(view(again), view(ops)); diff != "" {
					t.Fatalf("%s: Apply changed its operations (-want +got):\n%s", tg.rt.Name, diff)
				}
				if err != nil {
					checkError(t, "Apply", err)
					continue
				}
				out := resource.Marshal(tg.rt, r, nil)
				if !json.Valid(out) {
					t.Fatalf("%s: Marshal of the result is not valid JSON:\n%s", tg.rt.Name, out)
				}
				if !bytes.HasPrefix(out, []byte(`{"schemas":`)) {
					out = append([]byte(`{"schemas":["`+tg.rt.Schema.ID+`"],`), out[1:]...)
				}
				decoded, err := resource.Decode(tg.rt, out, resource.DecodeOptions{Strict: true})
				if err != nil {
					t.Fatalf("%s: Decode of the result: %v\n%s", tg.rt.Name, err, out)
				}
				// Carry over what Decode drops: id, meta, read-only values.
				if err := resource.Merge(tg.rt, r, decoded); err != nil {
					t.Fatalf("%s: Merge of the result into itself: %v", tg.rt.Name, err)
				}
				if out2 := resource.Marshal(tg.rt, decoded, nil); !bytes.Equal(resource.Marshal(tg.rt, r, nil), out2) {
					t.Fatalf("%s: the result does not survive Marshal and Decode:\nbefore: %s\nafter:  %s", tg.rt.Name, out, out2)
				}
			}
		}
	})
}
