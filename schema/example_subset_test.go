package schema_test

import (
	"fmt"
	"log"

	"github.com/scim-go/scim/schema"
)

// A store that keeps only some of a User's attributes serves the User
// resource type cut down to them, so that /Schemas advertises no more than
// it keeps. Leaving out a required attribute is an error.
func ExampleResourceType_Subset() {
	users, err := schema.UserResourceType().Subset(
		"userName", "name.givenName", "name.familyName", "active", "emails",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
	)
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range users.Schema.Attributes {
		fmt.Print(a.Name)
		for _, s := range a.SubAttributes {
			fmt.Print(" ", s.Name)
		}
		fmt.Println()
	}
	for _, e := range users.Extensions {
		for _, a := range e.Schema.Attributes {
			fmt.Println(e.Schema.ID + ":" + a.Name)
		}
	}

	_, err = schema.UserResourceType().Subset("name", "emails")
	fmt.Println(err)
	// Output:
	// userName
	// name familyName givenName
	// active
	// emails value display type primary
	// urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber
	// schema: userName is required by its schema and cannot be left out
}

// A schema declared in Go is checked once, at start-up: Validate names the
// schema and the attribute at fault.
func ExampleSchema_Validate() {
	device := &schema.Schema{
		ID:   "urn:example:scim:schemas:Device",
		Name: "Device",
		Attributes: []*schema.Attribute{
			{Name: "serialNumber", Required: true, CaseExact: true, Uniqueness: schema.UniquenessGlobal},
			{Name: "owner", Type: schema.Complex, SubAttributes: []*schema.Attribute{
				{Name: "value"},
				{Name: "display name"},
			}},
		},
	}
	fmt.Println(device.Validate())
	// Output:
	// schema urn:example:scim:schemas:Device: attribute "owner.display name": invalid name: want a letter followed by letters, digits, "-" or "_" (RFC 7643 §2.1)
}
