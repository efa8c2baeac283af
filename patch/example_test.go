package patch_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/scim-go/scim/patch"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// A PATCH request is parsed once against the resource type, then applied
// to a copy of the stored resource, so that a failing operation leaves the
// stored resource as it was.
func ExampleApply() {
	rt := schema.UserResourceType()
	stored, err := resource.Decode(rt, []byte(`{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "bjensen",
		"name": {"givenName": "Barbara", "familyName": "Jensen"},
		"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}]
	}`), resource.DecodeOptions{})
	if err != nil {
		panic(err)
	}

	ops, err := patch.Parse(rt, []byte(`{
		"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [
			{"op": "replace", "path": "name.familyName", "value": "Jensen-Smith"},
			{"op": "add", "path": "emails", "value": {"value": "babs@jensen.org", "type": "home", "primary": true}}
		]
	}`), patch.Options{})
	if err != nil {
		panic(err) // a *patch.Error: answer 400 with its Type as the scimType
	}
	r := stored.Clone()
	if err := patch.Apply(rt, r, ops); err != nil {
		panic(err)
	}
	if err := resource.CheckRequired(rt, r); err != nil {
		panic(err)
	}

	var out bytes.Buffer
	json.Indent(&out, resource.Marshal(rt, r, nil), "", "  ")
	fmt.Println(out.String())
	// Output:
	// {
	//   "schemas": [
	//     "urn:ietf:params:scim:schemas:core:2.0:User"
	//   ],
	//   "userName": "bjensen",
	//   "name": {
	//     "familyName": "Jensen-Smith",
	//     "givenName": "Barbara"
	//   },
	//   "emails": [
	//     {
	//       "value": "bjensen@example.com",
	//       "type": "work"
	//     },
	//     {
	//       "value": "babs@jensen.org",
	//       "type": "home",
	//       "primary": true
	//     }
	//   ]
	// }
}

// Parse resolves every operation against the resource type and expands a
// path-less value into one operation per attribute, here with Entra ID's
// capitalised operation name and dotted and URN-qualified keys.
func ExampleParse() {
	rt := schema.UserResourceType()
	ops, err := patch.Parse(rt, []byte(`{
		"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{"op": "Replace", "value": {
			"id": "2819c223",
			"name.givenName": "Babs",
			"active": "False",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager": "26118915"
		}}]
	}`), patch.Options{})
	if err != nil {
		panic(err)
	}
	for _, o := range ops {
		fmt.Printf("%d %s %s %v\n", o.Index, o.Op, o.Path.Attr, o.Value)
	}

	_, err = patch.Parse(rt, []byte(`{
		"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{"op": "Replace", "path": "active", "value": "False"}]
	}`), patch.Options{Strict: true})
	var pe *patch.Error
	if errors.As(err, &pe) {
		fmt.Println(pe.Type+":", pe)
	}
	// Output:
	// 0 replace active false
	// 0 replace name.givenName Babs
	// 0 replace urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager map[value:26118915]
	// invalidSyntax: operation 0 (Replace active): "op" must be "add", "remove" or "replace"
}
