package resource_test

import (
	"fmt"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// A POST body is decoded against the User resource type: names are matched
// case-insensitively, the read-only id is dropped, "True" becomes a boolean
// and a single email is wrapped in a list. The server then sets the id and
// meta and returns the resource, in full or projected.
func ExampleDecode() {
	rt := schema.UserResourceType()
	body := []byte(`{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "chosen-by-client",
		"USERNAME": "bjensen",
		"active": "True",
		"password": "t1meMa$heen",
		"emails": {"value": "bjensen@example.com", "primary": true}
	}`)
	r, err := resource.Decode(rt, body, resource.DecodeOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := resource.CheckRequired(rt, r); err != nil {
		fmt.Println(err)
		return
	}
	r.ID = "2819c223"
	r.Meta = resource.Meta{ResourceType: "User", Version: "1"}
	fmt.Printf("%s\n", resource.Marshal(rt, r, nil))

	p := resource.NewProjection(rt, []string{"userName"}, nil)
	fmt.Printf("%s\n", resource.Marshal(rt, r, p))

	_, err = resource.Decode(rt, []byte(`{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": 42}`), resource.DecodeOptions{})
	fmt.Println(err)
	// Output:
	// {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223","userName":"bjensen","active":true,"emails":[{"value":"bjensen@example.com","primary":true}],"meta":{"resourceType":"User","version":"W/\"1\""}}
	// {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223","userName":"bjensen"}
	// attribute "userName": expected a string, found a number
}
