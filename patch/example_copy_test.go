package patch_test

import (
	"errors"
	"fmt"

	"github.com/scim-go/scim/patch"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// A store applies a PATCH to a copy of the resource it keeps, which shares
// what the operations leave alone, so that the patch costs what it
// changes; when an operation fails, the kept resource is as it was, and
// the *patch.Error carries the scimType the server answers with.
func ExampleApplyCopy() {
	rt := schema.GroupResourceType()
	stored, err := resource.Decode(rt, []byte(`{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"displayName": "Tour Guides",
		"members": [{"value": "2819c223"}, {"value": "902c246b"}]
	}`), resource.DecodeOptions{})
	if err != nil {
		panic(err)
	}
	members := func(r *resource.Resource) []any {
		var ids []any
		for _, m := range r.Attributes["members"].([]any) {
			ids = append(ids, m.(map[string]any)["value"])
		}
		return ids
	}

	ops, err := patch.Parse(rt, []byte(`{
		"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [
			{"op": "remove", "path": "members[value eq \"2819c223\"]"},
			{"op": "add", "path": "members", "value": [{"value": "e9e30dba"}]}
		]
	}`), patch.Options{})
	if err != nil {
		panic(err)
	}
	next, err := patch.ApplyCopy(rt, stored, ops)
	fmt.Println(members(next), err)
	fmt.Println(members(stored))

	ops, err = patch.Parse(rt, []byte(`{
		"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [
			{"op": "replace", "path": "displayName", "value": "Guides"},
			{"op": "remove", "path": "members[value eq \"0000\"]"}
		]
	}`), patch.Options{NoIdempotentRemove: true})
	if err != nil {
		panic(err)
	}
	_, err = patch.ApplyCopy(rt, next, ops)
	var pe *patch.Error
	if errors.As(err, &pe) {
		fmt.Println(pe.Type+":", pe)
	}
	fmt.Println(next.Attributes["displayName"])
	// Output:
	// [902c246b e9e30dba] <nil>
	// [2819c223 902c246b]
	// noTarget: operation 1 (remove members[value eq "0000"]): no value of members matches value eq "0000"
	// Tour Guides
}
