package schema_test

import (
	"fmt"
	"log"

	"github.com/scim-go/scim/schema"
)

// A host describes a custom resource type in JSON, as RFC 7643 §6 and §7
// represent it, and loads it at start-up. Its resource type may also refer
// to the built-in schemas.
func ExampleParseResourceType() {
	deviceSchema := []byte(`{
	  "id": "urn:example:scim:schemas:Device",
	  "name": "Device",
	  "attributes": [
	    {"name": "serialNumber", "type": "string", "required": true,
	     "caseExact": true, "uniqueness": "global"},
	    {"name": "owner", "type": "complex", "subAttributes": [
	      {"name": "value", "type": "string"},
	      {"name": "$ref", "type": "reference", "referenceTypes": ["User"]}
	    ]}
	  ]
	}`)
	deviceType := []byte(`{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
	  "id": "Device",
	  "name": "Device",
	  "endpoint": "/Devices",
	  "description": "Managed devices",
	  "schema": "urn:example:scim:schemas:Device",
	  "schemaExtensions": [
	    {"schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "required": false}
	  ]
	}`)

	schemas, err := schema.ParseSchemas(deviceSchema)
	if err != nil {
		log.Fatal(err)
	}
	rt, err := schema.ParseResourceType(deviceType, append(schemas, schema.EnterpriseUser()))
	if err != nil {
		log.Fatal(err)
	}
	if err := rt.Validate(); err != nil {
		log.Fatal(err)
	}

	fmt.Println(rt.Name, rt.Endpoint, rt.Schema.ID)
	serial := rt.Schema.Attribute("serialnumber") // names match case-insensitively
	fmt.Println(serial.Name, serial.Type, serial.Required, serial.CaseExact, serial.Uniqueness)
	ref := rt.Schema.Attribute("owner").SubAttribute("$ref")
	fmt.Println(ref.Name, ref.Type, ref.ReferenceTypes)
	fmt.Println(rt.Extensions[0].Schema.Name, rt.Extensions[0].Required)
	// Output:
	// Device /Devices urn:example:scim:schemas:Device
	// serialNumber string true true global
	// $ref reference [User]
	// EnterpriseUser false
}

func ExampleUser() {
	user := schema.User()
	password := user.Attribute("password")
	fmt.Println(password.Mutability, password.Returned)
	emailType := user.Attribute("emails").SubAttribute("type")
	fmt.Println(emailType.CanonicalValues)
	// Output:
	// writeOnly never
	// [work home other]
}
