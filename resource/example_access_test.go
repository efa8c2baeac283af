package resource_test

import (
	"fmt"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// A store that keeps users in its own rows builds a resource from a row by
// attribute path, and reads what a client sent the same way, with the
// values in their Go types. A misspelt path, or a value of the wrong type,
// is an error rather than a value lost.
func ExampleAccessor() {
	rt := schema.UserResourceType()
	users := resource.NewAccessor(rt)

	r := &resource.Resource{ID: "2819c223"}
	for _, s := range []struct {
		path  string
		value any
	}{
		{"userName", "bjensen"},
		{"name.familyName", "Jensen"},
		{"active", true},
		{`emails[type eq "work"].value`, "bjensen@example.com"},
		{"manager.value", "26118915"}, // the enterprise extension's manager
	} {
		if err := users.Set(r, s.path, s.value); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Printf("%s\n", resource.Marshal(rt, r, nil))

	email, ok, err := users.String(r, `emails[type eq "work"].value`)
	fmt.Println(email, ok, err)
	active, ok, err := users.Bool(r, "active")
	fmt.Println(active, ok, err)
	nick, ok, err := users.String(r, "nickName")
	fmt.Printf("%q %v %v\n", nick, ok, err)

	fmt.Println(users.Set(r, "name.familyNmae", "Jensen"))
	fmt.Println(users.Set(r, "active", "yes"))
	// Output:
	// {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"id":"2819c223","userName":"bjensen","name":{"familyName":"Jensen"},"active":true,"emails":[{"value":"bjensen@example.com","type":"work"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"26118915"}}}
	// bjensen@example.com true <nil>
	// true true <nil>
	// "" false <nil>
	// resource: set "name.familyNmae": name has no sub-attribute "familyNmae"
	// resource: set "active": active takes a bool, not string
}

// A value path sets the values its filter selects, creates one from the
// filter when none matches, and removes them given nil; a path through a
// multi-valued attribute reads what it selects from every value.
func ExampleAccessor_Set() {
	rt := schema.UserResourceType()
	users := resource.NewAccessor(rt)
	r, err := resource.Decode(rt, []byte(`{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "bjensen",
		"emails": [
			{"value": "bjensen@example.com", "type": "work", "primary": true},
			{"value": "babs@jensen.org", "type": "home"}
		]
	}`), resource.DecodeOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}

	show := func(path string) {
		v, err := users.Get(r, path)
		fmt.Printf("%s: %v %v\n", path, v, err)
	}
	users.Set(r, `emails[type eq "home"].primary`, true) // the work email is primary no more
	show(`emails[primary eq true].value`)
	users.Set(r, `emails[type eq "other"].value`, "barbara@example.org")
	show("emails.type")
	users.Set(r, `emails[type eq "work"]`, nil)
	show("emails.value")
	// Output:
	// emails[primary eq true].value: [babs@jensen.org] <nil>
	// emails.type: [work home other] <nil>
	// emails.value: [babs@jensen.org barbara@example.org] <nil>
}
