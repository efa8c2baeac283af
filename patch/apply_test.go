package patch_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/patch"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

const (
	babsID  = "2819c223-7f76-453a-919d-413861904646"
	mandyID = "902c246b-6245-4190-8e05-00816be7344a"
	jamesID = "08e1d05d-121c-4561-8b96-473d93df9210"
	cert    = "MIIDQzCCAqygAwIBAgICEAAwDQYJ"
)

// bjensen is the user of RFC 7643 §8.2, shortened, with the enterprise
// extension.
func bjensen() *resource.Resource {
	return &resource.Resource{
		ID:         babsID,
		ExternalID: "bjensen",
		Meta:       resource.Meta{ResourceType: "User", Version: "3694e05e9dff591"},
		Attributes: obj{
			"userName":    "bjensen",
			"name":        obj{"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara"},
			"displayName": "Babs Jensen",
			"emails": []any{
				obj{"value": "bjensen@example.com", "type": "work", "primary": true},
				obj{"value": "babs@jensen.org", "type": "home"},
			},
			"addresses": []any{
				obj{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "region": "CA", "postalCode": "91608", "country": "USA", "primary": true},
				obj{"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood", "region": "CA", "postalCode": "91608", "country": "USA"},
			},
			"phoneNumbers":     []any{obj{"value": "555-555-5555", "type": "work"}},
			"x509Certificates": []any{obj{"value": cert}},
			"active":           true,
			entURN: obj{
				"employeeNumber": "701984",
				"department":     "Tour Operations",
				"manager":        obj{"value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"},
			},
		},
	}
}

// tourGuides is the group of RFC 7643 §8.4 with types on its members.
func tourGuides() *resource.Resource {
	return &resource.Resource{
		ID:   "e9e30dba-f08f-4109-8486-d5c6a331660a",
		Meta: resource.Meta{ResourceType: "Group", Version: "3694e05e9dff592"},
		Attributes: obj{
			"displayName": "Tour Guides",
			"members": []any{
				obj{"value": babsID, "$ref": "https://example.com/v2/Users/" + babsID, "display": "Babs Jensen", "type": "User"},
				obj{"value": mandyID, "$ref": "https://example.com/v2/Users/" + mandyID, "display": "Mandy Pepperidge", "type": "User"},
			},
		},
	}
}

// gateway is a device with every immutable attribute set.
func gateway() *resource.Resource {
	return &resource.Resource{
		ID: "d1",
		Attributes: obj{
			"displayName":  "Gateway",
			"serialNumber": "SN-1",
			"badge":        obj{"number": "42", "issuer": "HQ"},
			"tags":         []any{"edge"},
			"ports":        []any{obj{"value": "eth0", "type": "wan", "primary": true}},
			auditURN:       obj{"memo": "installed", "lockedBy": "ops"},
		},
	}
}

// blank is a device with only its required attribute.
func blank() *resource.Resource {
	return &resource.Resource{ID: "d2", Attributes: obj{"displayName": "Blank"}}
}

// attrs returns the attribute map of r's extension urn, or r's own.
func attrs(r *resource.Resource, urn string) obj {
	if urn == "" {
		return r.Attributes
	}
	return r.Attributes[urn].(obj)
}

func elems(r *resource.Resource, name string) []any { return r.Attributes[name].([]any) }

func elem(r *resource.Resource, name string, i int) obj { return elems(r, name)[i].(obj) }

type applyCase struct {
	name   string
	rt     *schema.ResourceType          // default userRT
	before func() *resource.Resource     // default bjensen
	opt    patch.Options                 // for Parse
	ops    []string                      // operations of one request
	want   func(want *resource.Resource) // changes before() into the result
	err    *patch.Error                  // or the error Apply reports
}

func TestApply(t *testing.T) {
	for _, tt := range []applyCase{
		// RFC 7644 §3.5.2.1: add.
		{
			name: "RFC 7644 §3.5.2.1 add a member",
			rt:   groupRT, before: tourGuides,
			ops: []string{`{"op":"add","path":"members","value":[{"display":"James Smith","$ref":"https://example.com/v2/Users/` + jamesID + `","value":"` + jamesID + `"}]}`},
			want: func(r *resource.Resource) {
				r.Attributes["members"] = append(elems(r, "members"), obj{"display": "James Smith", "$ref": "https://example.com/v2/Users/" + jamesID, "value": jamesID})
			},
		},
		{
			name: "RFC 7644 §3.5.2.1 path-less add; an email already held is not added again",
			ops:  []string{`{"op":"add","value":{"emails":[{"value":"babs@jensen.org","type":"home"}],"nickname":"Babs"}}`},
			want: func(r *resource.Resource) { r.Attributes["nickName"] = "Babs" },
		},
		{
			name: "add appends new values and skips held ones, compared case-insensitively",
			ops:  []string{`{"op":"add","path":"emails","value":[{"value":"BJensen@Example.com","type":"WORK"},{"value":"barbara@example.org","type":"other"}]}`},
			want: func(r *resource.Resource) {
				r.Attributes["emails"] = append(elems(r, "emails"), obj{"value": "barbara@example.org", "type": "other"})
			},
		},
		{
			name: "add the same value twice in one request",
			ops: []string{
				`{"op":"add","path":"phoneNumbers","value":[{"value":"555-555-4444","type":"mobile"},{"value":"555-555-4444","type":"mobile"}]}`,
				`{"op":"add","path":"phoneNumbers","value":{"value":"555-555-4444","type":"mobile"}}`,
			},
			want: func(r *resource.Resource) {
				r.Attributes["phoneNumbers"] = append(elems(r, "phoneNumbers"), obj{"value": "555-555-4444", "type": "mobile"})
			},
		},
		{
			name: "members are the same by value and type",
			rt:   groupRT, before: tourGuides,
			ops: []string{`{"op":"add","path":"members","value":[
				{"value":"` + babsID + `"},
				{"value":"` + mandyID + `","type":"User","display":"Mandy"},
				{"value":"` + babsID + `","type":"Group"}]}`},
			want: func(r *resource.Resource) {
				r.Attributes["members"] = append(elems(r, "members"), obj{"value": babsID, "type": "Group"})
			},
		},
		{
			name: "add a new primary value takes the flag",
			ops:  []string{`{"op":"add","path":"emails","value":{"value":"barbara@example.org","type":"other","primary":true}}`},
			want: func(r *resource.Resource) {
				delete(elem(r, "emails", 0), "primary")
				r.Attributes["emails"] = append(elems(r, "emails"), obj{"value": "barbara@example.org", "type": "other", "primary": true})
			},
		},
		{
			name: "add sets a simple value, assigned or not",
			ops:  []string{`{"op":"add","path":"displayName","value":"Barbara"}`, `{"op":"add","path":"title","value":"Tour Guide"}`},
			want: func(r *resource.Resource) {
				r.Attributes["displayName"] = "Barbara"
				r.Attributes["title"] = "Tour Guide"
			},
		},
		{
			name: "add merges sub-attributes into a complex value",
			ops:  []string{`{"op":"add","path":"name","value":{"middleName":"Jane","givenName":"Babs"}}`},
			want: func(r *resource.Resource) {
				attrs(r, "")["name"] = obj{"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Babs", "middleName": "Jane"}
			},
		},
		{
			name: "add a sub-attribute to an absent complex value",
			before: func() *resource.Resource {
				r := bjensen()
				delete(r.Attributes, "name")
				return r
			},
			ops:  []string{`{"op":"add","path":"name.givenName","value":"Barbara"}`},
			want: func(r *resource.Resource) { r.Attributes["name"] = obj{"givenName": "Barbara"} },
		},
		{
			name: "add to an absent extension creates it",
			before: func() *resource.Resource {
				r := bjensen()
				delete(r.Attributes, entURN)
				return r
			},
			ops:  []string{`{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter","value":"4130"}`},
			want: func(r *resource.Resource) { r.Attributes[entURN] = obj{"costCenter": "4130"} },
		},
		{
			name: "add the manager by its id",
			ops:  []string{`{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"m2"}`},
			want: func(r *resource.Resource) {
				attrs(r, entURN)["manager"] = obj{"value": "m2", "displayName": "John Smith"}
			},
		},
		{
			name: "add by a value filter sets a sub-attribute of the matches",
			ops:  []string{`{"op":"add","path":"emails[type eq \"home\"].display","value":"Home"}`},
			want: func(r *resource.Resource) { elem(r, "emails", 1)["display"] = "Home" },
		},
		{
			name: "add by a value filter that matches nothing creates a value from its eq terms",
			ops: []string{
				`{"op":"Add","path":"addresses[type eq \"other\" and country eq \"DK\"].locality","value":"Aarhus"}`,
				`{"op":"Add","path":"addresses[type eq \"other\" and country eq \"DK\"].postalCode","value":"8000"}`,
				`{"op":"Add","path":"addresses[type eq \"other\" and country eq \"DK\"]","value":{"streetAddress":"Banegaardspladsen 1"}}`,
			},
			want: func(r *resource.Resource) {
				r.Attributes["addresses"] = append(elems(r, "addresses"), obj{
					"type": "other", "country": "DK", "locality": "Aarhus", "postalCode": "8000", "streetAddress": "Banegaardspladsen 1",
				})
			},
		},
		{
			name: "add by a value filter creates the attribute",
			before: func() *resource.Resource {
				r := bjensen()
				delete(r.Attributes, "phoneNumbers")
				return r
			},
			ops: []string{`{"op":"add","path":"phoneNumbers[type eq \"mobile\"].value","value":"555-555-8377"}`},
			want: func(r *resource.Resource) {
				r.Attributes["phoneNumbers"] = []any{obj{"type": "mobile", "value": "555-555-8377"}}
			},
		},
		{
			name: "add by a value filter in the extension",
			rt:   deviceRT, before: blank,
			ops: []string{`{"op":"add","path":"urn:example:params:scim:schemas:extension:net:2.0:Device:links[type eq \"fiber\"].value","value":"l1"}`},
			want: func(r *resource.Resource) {
				r.Attributes[netURN] = obj{"links": []any{obj{"type": "fiber", "value": "l1"}}}
			},
		},
		{
			name: "add by a value filter giving primary takes the flag",
			ops:  []string{`{"op":"add","path":"addresses[type eq \"home\"].primary","value":true}`},
			want: func(r *resource.Resource) {
				delete(elem(r, "addresses", 0), "primary")
				elem(r, "addresses", 1)["primary"] = true
			},
		},
		{
			name: "add externalId",
			ops:  []string{`{"op":"add","path":"externalId","value":"babs"}`},
			want: func(r *resource.Resource) { r.ExternalID = "babs" },
		},

		// RFC 7644 §3.5.2.2: remove.
		{
			name: "RFC 7644 §3.5.2.2 remove a single-valued attribute",
			ops:  []string{`{"op":"remove","path":"displayName"}`},
			want: func(r *resource.Resource) { delete(r.Attributes, "displayName") },
		},
		{
			name: "RFC 7644 §3.5.2.2 remove all members",
			rt:   groupRT, before: tourGuides,
			ops:  []string{`{"op":"remove","path":"members"}`},
			want: func(r *resource.Resource) { delete(r.Attributes, "members") },
		},
		{
			name: "RFC 7644 §3.5.2.2 remove one member",
			rt:   groupRT, before: tourGuides,
			ops:  []string{`{"op":"remove","path":"members[value eq \"` + babsID + `\"]"}`},
			want: func(r *resource.Resource) { r.Attributes["members"] = elems(r, "members")[1:] },
		},
		{
			name: "RFC 7644 §3.5.2.2 remove a certificate by value; the attribute is left unassigned",
			ops:  []string{`{"op":"remove","path":"x509Certificates[value eq \"` + cert + `\"]"}`},
			want: func(r *resource.Resource) { delete(r.Attributes, "x509Certificates") },
		},
		{
			name: "RFC 7644 §3.5.2.2 replace a member by remove and add",
			rt:   groupRT, before: tourGuides,
			ops: []string{
				`{"op":"remove","path":"members[value eq \"` + babsID + `\"]"}`,
				`{"op":"add","path":"members","value":[{"display":"James Smith","$ref":"https://example.com/v2/Users/` + jamesID + `","value":"` + jamesID + `"}]}`,
			},
			want: func(r *resource.Resource) {
				r.Attributes["members"] = []any{elem(r, "members", 1), obj{"display": "James Smith", "$ref": "https://example.com/v2/Users/" + jamesID, "value": jamesID}}
			},
		},
		{
			name: "RFC 7644 §3.5.2.2 replace all members by remove and add",
			rt:   groupRT, before: tourGuides,
			ops: []string{
				`{"op":"remove","path":"members"}`,
				`{"op":"add","path":"members","value":[{"value":"` + jamesID + `"}]}`,
			},
			want: func(r *resource.Resource) { r.Attributes["members"] = []any{obj{"value": jamesID}} },
		},
		{
			name: "remove the values a filter selects",
			ops:  []string{`{"op":"remove","path":"emails[type eq \"work\" or type eq \"home\"]"}`},
			want: func(r *resource.Resource) { delete(r.Attributes, "emails") },
		},
		{
			name: "remove a sub-attribute of the filtered values",
			ops:  []string{`{"op":"remove","path":"addresses[locality eq \"Hollywood\"].country"}`},
			want: func(r *resource.Resource) {
				delete(elem(r, "addresses", 0), "country")
				delete(elem(r, "addresses", 1), "country")
			},
		},
		{
			name: "remove the last sub-attribute of a value removes the value",
			ops:  []string{`{"op":"remove","path":"x509Certificates[value eq \"` + cert + `\"].value"}`},
			want: func(r *resource.Resource) { delete(r.Attributes, "x509Certificates") },
		},
		{
			name: "remove a sub-attribute",
			ops:  []string{`{"op":"remove","path":"name.formatted"}`},
			want: func(r *resource.Resource) { delete(attrs(r, "")["name"].(obj), "formatted") },
		},
		{
			name: "remove the last sub-attribute of a complex value removes it",
			ops: []string{
				`{"op":"remove","path":"name.formatted"}`,
				`{"op":"remove","path":"name.familyName"}`,
				`{"op":"remove","path":"name.givenName"}`,
			},
			want: func(r *resource.Resource) { delete(r.Attributes, "name") },
		},
		{
			name: "remove what is not there",
			ops: []string{
				`{"op":"remove","path":"nickName"}`,
				`{"op":"remove","path":"name.middleName"}`,
				`{"op":"remove","path":"ims"}`,
				`{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter"}`,
			},
			want: func(*resource.Resource) {},
		},
		{
			name: "remove from an absent extension",
			before: func() *resource.Resource {
				r := bjensen()
				delete(r.Attributes, entURN)
				return r
			},
			ops: []string{
				`{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}`,
				`{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"}`,
				`{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}`,
			},
			want: func(*resource.Resource) {},
		},
		{
			name: "remove members by a value array; absent values are ignored",
			rt:   groupRT, before: tourGuides,
			ops:  []string{`{"op":"Remove","path":"members","value":[{"value":"` + mandyID + `"},{"value":"not-a-member"},{"value":"` + babsID + `","type":"Group"}]}`},
			want: func(r *resource.Resource) { r.Attributes["members"] = elems(r, "members")[:1] },
		},
		{
			name: "remove members by a value array that converts to nothing removes nothing",
			rt:   groupRT, before: tourGuides,
			ops:  []string{`{"op":"remove","path":"members","value":[]}`, `{"op":"remove","path":"members","value":[{"displayName":"Babs"}]}`},
			want: func(*resource.Resource) {},
		},
		{
			name: "remove the last members by value unassigns members",
			rt:   groupRT, before: tourGuides,
			ops:  []string{`{"op":"remove","path":"members","value":[{"value":"` + mandyID + `"},{"value":"` + babsID + `"}]}`},
			want: func(r *resource.Resource) { delete(r.Attributes, "members") },
		},
		{
			name: "remove every extension attribute removes the extension",
			ops: []string{
				`{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"}`,
				`{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}`,
				`{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}`,
			},
			want: func(r *resource.Resource) { delete(r.Attributes, entURN) },
		},
		{
			name: "remove the extension",
			ops:  []string{`{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}`},
			want: func(r *resource.Resource) { delete(r.Attributes, entURN) },
		},
		{
			name: "remove externalId",
			ops:  []string{`{"op":"remove","path":"externalId"}`},
			want: func(r *resource.Resource) { r.ExternalID = "" },
		},
		{
			name: "a remove may leave a required attribute missing",
			rt:   deviceRT, before: blank,
			ops:  []string{`{"op":"remove","path":"displayName"}`},
			want: func(r *resource.Resource) { delete(r.Attributes, "displayName") },
		},

		// RFC 7644 §3.5.2.3: replace.
		{
			name: "RFC 7644 §3.5.2.3 replace all members",
			rt:   groupRT, before: tourGuides,
			ops: []string{`{"op":"replace","path":"members","value":[{"display":"James Smith","$ref":"https://example.com/v2/Users/` + jamesID + `","value":"` + jamesID + `"}]}`},
			want: func(r *resource.Resource) {
				r.Attributes["members"] = []any{obj{"display": "James Smith", "$ref": "https://example.com/v2/Users/" + jamesID, "value": jamesID}}
			},
		},
		{
			name: "RFC 7644 §3.5.2.3 replace the work address",
			ops: []string{`{"op":"replace","path":"addresses[type eq \"work\"]","value":{"type":"work","streetAddress":"911 Universal City Plaza",
				"locality":"Hollywood","region":"CA","postalCode":"91608","country":"US","formatted":"911 Universal City Plaza\nHollywood, CA 91608 US","primary":true}}`},
			want: func(r *resource.Resource) {
				elems(r, "addresses")[0] = obj{"type": "work", "streetAddress": "911 Universal City Plaza", "locality": "Hollywood", "region": "CA",
					"postalCode": "91608", "country": "US", "formatted": "911 Universal City Plaza\nHollywood, CA 91608 US", "primary": true}
			},
		},
		{
			name: "RFC 7644 §3.5.2.3 replace a sub-attribute of the work address",
			ops:  []string{`{"op":"replace","path":"addresses[type eq \"work\"].streetAddress","value":"1010 Broadway Ave"}`},
			want: func(r *resource.Resource) { elem(r, "addresses", 0)["streetAddress"] = "1010 Broadway Ave" },
		},
		{
			name: "RFC 7644 §3.5.2.3 path-less replace",
			ops: []string{`{"op":"replace","value":{"emails":[{"value":"bjensen@example.com","type":"work","primary":true},
				{"value":"babs@jensen.org","type":"home"}],"nickname":"Babs"}}`},
			want: func(r *resource.Resource) { r.Attributes["nickName"] = "Babs" },
		},
		{
			name: "replace a multi-valued attribute whole",
			ops:  []string{`{"op":"replace","path":"emails","value":{"value":"b@example.com","type":"other"}}`},
			want: func(r *resource.Resource) {
				r.Attributes["emails"] = []any{obj{"value": "b@example.com", "type": "other"}}
			},
		},
		{
			name: "replace with an empty array unassigns",
			ops:  []string{`{"op":"replace","path":"emails","value":[]}`},
			want: func(r *resource.Resource) { delete(r.Attributes, "emails") },
		},
		{
			name: "replace merges sub-attributes into a complex value",
			ops:  []string{`{"op":"replace","path":"name","value":{"givenName":"Babs"}}`, `{"op":"replace","value":{"name":{"middleName":"J"}}}`},
			want: func(r *resource.Resource) {
				r.Attributes["name"] = obj{"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Babs", "middleName": "J"}
			},
		},
		{
			name: "replace with an empty object changes nothing",
			ops:  []string{`{"op":"replace","path":"name","value":{}}`, `{"op":"replace","path":"emails[type eq \"work\"]","value":{}}`},
			want: func(*resource.Resource) {},
		},
		{
			name: "replace null sub-attributes unassigns them",
			ops: []string{
				`{"op":"replace","path":"name","value":{"givenName":null,"familyName":"Jensen-Smith"}}`,
				`{"op":"replace","value":{"name":{"formatted":null}}}`,
				`{"op":"replace","path":"addresses[type eq \"home\"]","value":{"country":null,"region":null}}`,
			},
			want: func(r *resource.Resource) {
				r.Attributes["name"] = obj{"familyName": "Jensen-Smith"}
				delete(elem(r, "addresses", 1), "country")
				delete(elem(r, "addresses", 1), "region")
			},
		},
		{
			name: "replace with null unassigns",
			ops: []string{
				`{"op":"replace","path":"displayName","value":null}`,
				`{"op":"replace","value":{"active":null,"name":null}}`,
				`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}`,
			},
			want: func(r *resource.Resource) {
				delete(r.Attributes, "displayName")
				delete(r.Attributes, "active")
				delete(r.Attributes, "name")
				delete(attrs(r, entURN), "manager")
			},
		},
		{
			name: "replace the extension with null removes it",
			ops:  []string{`{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":null}}`},
			want: func(r *resource.Resource) { delete(r.Attributes, entURN) },
		},
		{
			name: "replace filtered values with null unassigns them",
			ops:  []string{`{"op":"replace","path":"emails[type eq \"home\"]","value":null}`},
			want: func(r *resource.Resource) { r.Attributes["emails"] = elems(r, "emails")[:1] },
		},
		{
			name: "replace an unassigned attribute adds it",
			ops:  []string{`{"op":"replace","path":"title","value":"Tour Guide"}`, `{"op":"replace","path":"ims","value":[{"value":"babs","type":"xmpp"}]}`},
			want: func(r *resource.Resource) {
				r.Attributes["title"] = "Tour Guide"
				r.Attributes["ims"] = []any{obj{"value": "babs", "type": "xmpp"}}
			},
		},
		{
			name: "replace a filtered primary moves the flag",
			ops:  []string{`{"op":"replace","path":"emails[type eq \"home\"].primary","value":true}`},
			want: func(r *resource.Resource) {
				delete(elem(r, "emails", 0), "primary")
				elem(r, "emails", 1)["primary"] = true
			},
		},
		{
			name: "replace a filtered value with primary moves the flag",
			ops:  []string{`{"op":"replace","path":"emails[value eq \"babs@jensen.org\"]","value":{"primary":"True"}}`},
			want: func(r *resource.Resource) {
				delete(elem(r, "emails", 0), "primary")
				elem(r, "emails", 1)["primary"] = true
			},
		},
		{
			name: "replace the whole list keeps the given primary",
			ops:  []string{`{"op":"replace","path":"addresses","value":[{"type":"other","locality":"Aarhus","primary":true}]}`},
			want: func(r *resource.Resource) {
				r.Attributes["addresses"] = []any{obj{"type": "other", "locality": "Aarhus", "primary": true}}
			},
		},
		{
			name: "Entra ID replace operations",
			ops: []string{
				`{"op":"Replace","path":"active","value":"False"}`,
				`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"}`,
				`{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}`,
			},
			want: func(r *resource.Resource) {
				r.Attributes["active"] = false
				elem(r, "emails", 0)["value"] = "updatedEmail@microsoft.com"
				attrs(r, "")["name"].(obj)["familyName"] = "updatedFamilyName"
			},
		},
		{
			name: "Okta path-less replace with the id",
			ops:  []string{`{"op":"replace","value":{"id":"` + babsID + `","active":false}}`},
			want: func(r *resource.Resource) { r.Attributes["active"] = false },
		},
		{
			name: "replace externalId, and with null",
			ops:  []string{`{"op":"replace","value":{"externalId":"babs"}}`, `{"op":"replace","path":"externalId","value":null}`, `{"op":"add","path":"externalId","value":"b2"}`},
			want: func(r *resource.Resource) { r.ExternalID = "b2" },
		},
		{
			name: "replace externalId with null",
			ops:  []string{`{"op":"replace","value":{"externalId":null}}`},
			want: func(r *resource.Resource) { r.ExternalID = "" },
		},
		{
			name: "replace a member's display",
			rt:   groupRT,
			before: func() *resource.Resource {
				r := tourGuides()
				delete(elem(r, "members", 1), "display")
				return r
			},
			ops:  []string{`{"op":"replace","path":"members[value eq \"` + mandyID + `\"].display","value":"Mandy"}`},
			want: func(r *resource.Resource) { elem(r, "members", 1)["display"] = "Mandy" },
		},

		// Failures.
		{
			name: "replace with a filter that matches nothing, strictly",
			opt:  patch.Options{NoAddByFilter: true},
			ops: []string{
				`{"op":"replace","path":"nickName","value":"changed"}`,
				`{"op":"replace","path":"emails[type eq \"other\"].value","value":"x@example.com"}`,
			},
			err: &patch.Error{
				Index: 1, Op: "replace", Path: `emails[type eq "other"].value`, Type: "noTarget",
				Msg: `no value of emails matches type eq "other"`,
			},
		},
		{
			name: "replace filtered values with null when none match, strictly",
			opt:  patch.Options{NoIdempotentRemove: true},
			ops:  []string{`{"op":"replace","path":"ims[type eq \"aim\"]","value":null}`},
			err:  &patch.Error{Index: 0, Op: "replace", Path: `ims[type eq "aim"]`, Type: "noTarget", Msg: `no value of ims matches type eq "aim"`},
		},
		{
			name: "remove with a filter that matches nothing, strictly",
			opt:  patch.Options{NoIdempotentRemove: true},
			rt:   groupRT, before: tourGuides,
			ops: []string{`{"op":"remove","path":"members[value eq \"` + jamesID + `\"]"}`},
			err: &patch.Error{
				Index: 0, Op: "remove", Path: `members[value eq "` + jamesID + `"]`, Type: "noTarget",
				Msg: `no value of members matches value eq "` + jamesID + `"`,
			},
		},
		{
			// Entra ID sets a work email on a user who has none.
			name: "replace with a filter that matches nothing creates the value",
			ops: []string{
				`{"op":"replace","path":"emails[type eq \"other\"].value","value":"x@example.com"}`,
				`{"op":"Replace","path":"phoneNumbers[type eq \"mobile\"].value","value":"555-0100"}`,
				`{"op":"replace","path":"addresses[type eq \"other\"].streetAddress","value":"1 Main St"}`,
			},
			want: func(r *resource.Resource) {
				r.Attributes["emails"] = append(elems(r, "emails"), obj{"type": "other", "value": "x@example.com"})
				r.Attributes["phoneNumbers"] = append(elems(r, "phoneNumbers"), obj{"type": "mobile", "value": "555-0100"})
				r.Attributes["addresses"] = append(elems(r, "addresses"), obj{"type": "other", "streetAddress": "1 Main St"})
			},
		},
		{
			name: "replace with a filter that is not eq terms and matches nothing",
			ops:  []string{`{"op":"replace","path":"emails[type ne \"work\" and value co \"nope\"].value","value":"x@example.com"}`},
			err: &patch.Error{
				Index: 0, Op: "replace", Path: `emails[type ne "work" and value co "nope"].value`, Type: "noTarget",
				Msg: `no value of emails matches type ne "work" and value co "nope", and the filter is not eq terms joined by and to create one from`,
			},
		},
		{
			// Okta and Entra ID remove a member who may have gone already.
			name: "remove with a filter that matches nothing changes nothing",
			rt:   groupRT, before: tourGuides,
			ops:  []string{`{"op":"remove","path":"members[value eq \"` + jamesID + `\"]"}`, `{"op":"replace","path":"ims[type eq \"aim\"]","value":null}`},
			want: func(r *resource.Resource) {},
		},
		{
			// Entra ID removes a manager by value.
			name: "remove a single-valued complex attribute whose value matches",
			ops:  []string{`{"op":"Remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq \"26118915-6090-4610-87e4-49d8ca9f808d\"]"}`},
			want: func(r *resource.Resource) { delete(attrs(r, entURN), "manager") },
		},
		{
			name: "remove a single-valued complex attribute whose value does not match",
			ops:  []string{`{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq \"someone-else\"]"}`},
			want: func(r *resource.Resource) {},
		},
		{
			name: "remove a single-valued complex attribute that does not match, strictly",
			opt:  patch.Options{NoIdempotentRemove: true},
			ops:  []string{`{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq \"someone-else\"]"}`},
			err: &patch.Error{
				Index: 0, Op: "remove", Path: `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq "someone-else"]`, Type: "noTarget",
				Msg: `manager does not match value eq "someone-else"`,
			},
		},
		{
			// python-scim's tester, and clients building PATCH from objects.
			name: "add and replace a whole extension by its URN",
			ops: []string{
				`{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":{"employeeNumber":"7"}}`,
				`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":{"department":"Sales","costCenter":"42"}}`,
			},
			want: func(r *resource.Resource) {
				e := attrs(r, entURN)
				e["employeeNumber"], e["department"], e["costCenter"] = "7", "Sales", "42"
			},
		},
		{
			name: "add with a filter that is not eq terms and matches nothing",
			ops:  []string{`{"op":"add","path":"emails[value co \"@example.org\"].display","value":"x"}`},
			err: &patch.Error{
				Index: 0, Op: "add", Path: `emails[value co "@example.org"].display`, Type: "noTarget",
				Msg: `no value of emails matches value co "@example.org", and the filter is not eq terms joined by and to create one from`,
			},
		},
		{
			name: "NoAddByFilter",
			opt:  patch.Options{NoAddByFilter: true},
			ops:  []string{`{"op":"add","path":"addresses[type eq \"other\"].locality","value":"Aarhus"}`},
			err: &patch.Error{
				Index: 0, Op: "add", Path: `addresses[type eq "other"].locality`, Type: "noTarget",
				Msg: `no value of addresses matches type eq "other"`,
			},
		},
		{
			name: "Strict refuses to add by a filter",
			opt:  patch.Options{Strict: true},
			ops:  []string{`{"op":"add","path":"addresses[type eq \"other\"]","value":{"locality":"Aarhus"}}`},
			err: &patch.Error{
				Index: 0, Op: "add", Path: `addresses[type eq "other"]`, Type: "noTarget",
				Msg: `no value of addresses matches type eq "other"`,
			},
		},
		{
			name: "a sub-attribute of a multi-valued attribute needs a filter",
			ops:  []string{`{"op":"replace","path":"emails.value","value":"x@example.com"}`},
			err: &patch.Error{
				Index: 0, Op: "replace", Path: "emails.value", Type: "invalidPath",
				Msg: `select the values of emails with a value filter, as emails[type eq "work"].value`,
			},
		},
		{
			name: "a member's value is immutable",
			rt:   groupRT, before: tourGuides,
			ops: []string{`{"op":"replace","path":"members[value eq \"` + mandyID + `\"].value","value":"other"}`},
			err: &patch.Error{
				Index: 0, Op: "replace", Path: `members[value eq "` + mandyID + `"].value`, Type: "mutability",
				Msg: "value is immutable: it can be set once but not changed or removed",
			},
		},
		{
			name: "a member's display is immutable when set",
			rt:   groupRT, before: tourGuides,
			ops: []string{`{"op":"add","path":"members[value eq \"` + babsID + `\"]","value":{"display":"Babs"}}`},
			err: &patch.Error{
				Index: 0, Op: "add", Path: `members[value eq "` + babsID + `"]`, Type: "mutability",
				Msg: "display is immutable: it can be set once but not changed or removed",
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) { runApply(t, tt) })
	}
}

// TestApplyImmutable checks that immutable attributes of every shape can be
// set while unassigned, kept as they are, but not changed or removed
// (RFC 7643 §7), whatever path reaches them.
func TestApplyImmutable(t *testing.T) {
	mutability := func(i int, op, path, name string) *patch.Error {
		return &patch.Error{Index: i, Op: op, Path: path, Type: "mutability", Msg: name + " is immutable: it can be set once but not changed or removed"}
	}
	for _, tt := range []applyCase{
		{
			name:   "set once",
			before: blank,
			ops: []string{
				`{"op":"add","path":"serialNumber","value":"SN-2"}`,
				`{"op":"replace","path":"badge.number","value":"7"}`,
				`{"op":"add","path":"tags","value":["a","b"]}`,
				`{"op":"add","path":"ports[value eq \"eth1\"].type","value":"lan"}`,
				`{"op":"add","path":"urn:example:params:scim:schemas:extension:audit:2.0:Device:lockedBy","value":"me"}`,
			},
			want: func(r *resource.Resource) {
				r.Attributes["serialNumber"] = "SN-2"
				r.Attributes["badge"] = obj{"number": "7"}
				r.Attributes["tags"] = []any{"a", "b"}
				r.Attributes["ports"] = []any{obj{"value": "eth1", "type": "lan"}}
				r.Attributes[auditURN] = obj{"lockedBy": "me"}
			},
		},
		{
			name:   "set once without a path",
			before: blank,
			ops: []string{`{"op":"replace","value":{"serialNumber":"SN-2","badge":{"number":"7","issuer":"HQ"},"tags":"a",
				"ports":{"value":"eth1"},"urn:example:params:scim:schemas:extension:audit:2.0:Device":{"lockedBy":"me"}}}`},
			want: func(r *resource.Resource) {
				r.Attributes["serialNumber"] = "SN-2"
				r.Attributes["badge"] = obj{"number": "7", "issuer": "HQ"}
				r.Attributes["tags"] = []any{"a"}
				r.Attributes["ports"] = []any{obj{"value": "eth1"}}
				r.Attributes[auditURN] = obj{"lockedBy": "me"}
			},
		},
		{
			name: "unchanged values are accepted",
			ops: []string{
				`{"op":"replace","path":"serialNumber","value":"sn-1"}`,
				`{"op":"add","path":"badge","value":{"number":"42"}}`,
				`{"op":"replace","path":"badge.issuer","value":"HQ"}`,
				`{"op":"add","path":"tags","value":"edge"}`,
				`{"op":"replace","path":"tags","value":["edge"]}`,
				`{"op":"add","path":"ports","value":{"value":"eth0","type":"wan"}}`,
				`{"op":"replace","path":"ports[value eq \"eth0\"].type","value":"wan"}`,
				`{"op":"remove","path":"ports[value eq \"eth0\"].kind"}`,
				`{"op":"replace","path":"urn:example:params:scim:schemas:extension:audit:2.0:Device:lockedBy","value":"ops"}`,
			},
			want: func(*resource.Resource) {},
		},
		{
			name: "other attributes of the extension can change",
			ops:  []string{`{"op":"remove","path":"urn:example:params:scim:schemas:extension:audit:2.0:Device:memo"}`},
			want: func(r *resource.Resource) { delete(attrs(r, auditURN), "memo") },
		},
		{
			name: "change a simple value",
			ops:  []string{`{"op":"replace","path":"serialNumber","value":"SN-2"}`},
			err:  mutability(0, "replace", "serialNumber", "serialNumber"),
		},
		{
			name: "change a simple value without a path",
			ops:  []string{`{"op":"add","value":{"displayName":"Gateway 2","serialNumber":"SN-2"}}`},
			err:  mutability(0, "add", "serialNumber", "serialNumber"),
		},
		{
			name: "remove a simple value",
			ops:  []string{`{"op":"remove","path":"serialNumber"}`},
			err:  mutability(0, "remove", "serialNumber", "serialNumber"),
		},
		{
			name: "replace a simple value with null",
			ops:  []string{`{"op":"replace","value":{"serialNumber":null}}`},
			err:  mutability(0, "replace", "serialNumber", "serialNumber"),
		},
		{
			name: "change a sub-attribute of a complex value",
			ops:  []string{`{"op":"replace","path":"badge.number","value":"43"}`},
			err:  mutability(0, "replace", "badge.number", "badge"),
		},
		{
			name: "add a sub-attribute to a complex value",
			before: func() *resource.Resource {
				r := gateway()
				r.Attributes["badge"] = obj{"number": "42"}
				return r
			},
			ops: []string{`{"op":"add","path":"badge.issuer","value":"HQ"}`},
			err: mutability(0, "add", "badge.issuer", "badge"),
		},
		{
			name: "merge into a complex value",
			ops:  []string{`{"op":"replace","path":"badge","value":{"issuer":"Branch"}}`},
			err:  mutability(0, "replace", "badge", "badge"),
		},
		{
			name: "remove a sub-attribute of a complex value",
			ops:  []string{`{"op":"remove","path":"badge.issuer"}`},
			err:  mutability(0, "remove", "badge.issuer", "badge"),
		},
		{
			name: "remove a complex value",
			ops:  []string{`{"op":"remove","path":"badge"}`},
			err:  mutability(0, "remove", "badge", "badge"),
		},
		{
			name: "add to a multi-valued attribute",
			ops:  []string{`{"op":"add","path":"tags","value":["core"]}`},
			err:  mutability(0, "add", "tags", "tags"),
		},
		{
			name: "replace a multi-valued attribute",
			ops:  []string{`{"op":"replace","path":"tags","value":["core"]}`},
			err:  mutability(0, "replace", "tags", "tags"),
		},
		{
			name: "remove a value by value",
			ops:  []string{`{"op":"remove","path":"tags","value":["edge"]}`},
			err:  mutability(0, "remove", "tags", "tags"),
		},
		{
			name: "remove a multi-valued attribute",
			ops:  []string{`{"op":"remove","path":"tags"}`},
			err:  mutability(0, "remove", "tags", "tags"),
		},
		{
			name: "remove a value by filter",
			ops:  []string{`{"op":"remove","path":"ports[value eq \"eth0\"]"}`},
			err:  mutability(0, "remove", `ports[value eq "eth0"]`, "ports"),
		},
		{
			name: "change a filtered sub-attribute",
			ops:  []string{`{"op":"replace","path":"ports[value eq \"eth0\"].type","value":"lan"}`},
			err:  mutability(0, "replace", `ports[value eq "eth0"].type`, "ports"),
		},
		{
			name: "merge into a filtered value",
			ops:  []string{`{"op":"add","path":"ports[value eq \"eth0\"]","value":{"type":"lan"}}`},
			err:  mutability(0, "add", `ports[value eq "eth0"]`, "ports"),
		},
		{
			name: "create a value by filter",
			ops:  []string{`{"op":"add","path":"ports[value eq \"eth1\"].type","value":"lan"}`},
			err:  mutability(0, "add", `ports[value eq "eth1"].type`, "ports"),
		},
		{
			name: "add a primary value",
			ops:  []string{`{"op":"add","path":"ports","value":{"value":"eth1","primary":true}}`},
			err:  mutability(0, "add", "ports", "ports"),
		},
		{
			name: "change an extension attribute",
			ops:  []string{`{"op":"replace","value":{"urn:example:params:scim:schemas:extension:audit:2.0:Device":{"lockedBy":"me"}}}`},
			err:  mutability(0, "replace", auditURN+":lockedBy", "lockedBy"),
		},
		{
			name: "remove the extension holding an immutable attribute",
			ops:  []string{`{"op":"remove","path":"urn:example:params:scim:schemas:extension:audit:2.0:Device"}`},
			err:  mutability(0, "remove", auditURN, "lockedBy"),
		},
		{
			name: "replace the extension holding an immutable attribute with null",
			ops:  []string{`{"op":"Replace","value":{"urn:example:params:scim:schemas:extension:audit:2.0:Device":null}}`},
			err:  mutability(0, "Replace", auditURN, "lockedBy"),
		},
		{
			name: "a later failure",
			ops: []string{
				`{"op":"replace","path":"displayName","value":"Renamed"}`,
				`{"op":"remove","path":"urn:example:params:scim:schemas:extension:audit:2.0:Device:memo"}`,
				`{"op":"replace","path":"badge.number","value":"43"}`,
			},
			err: mutability(2, "replace", "badge.number", "badge"),
		},
	} {
		tt.rt = deviceRT
		if tt.before == nil {
			tt.before = gateway
		}
		t.Run(tt.name, func(t *testing.T) { runApply(t, tt) })
	}
}

// runApply parses tt's operations, applies them to a clone of
// tt.before(), and checks the result or the error, that the original is
// unchanged, and that Apply left the operations as Parse made them.
func runApply(t *testing.T, tt applyCase) {
	t.Helper()
	rt := tt.rt
	if rt == nil {
		rt = userRT
	}
	before := tt.before
	if before == nil {
		before = bjensen
	}
	ops, err := patch.Parse(rt, body(tt.ops...), tt.opt)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	orig := before()
	got := orig.Clone()
	err = patch.Apply(rt, got, ops)
	if diff := cmp.Diff(before(), orig); diff != "" {
		t.Errorf("Apply changed the resource it was given a clone of (-want +got):\n%s", diff)
	}
	fresh, _ := patch.Parse(rt, body(tt.ops...), tt.opt)
	if diff := cmp.Diff(view(fresh), view(ops)); diff != "" {
		t.Errorf("Apply changed its operations (-want +got):\n%s", diff)
	}
	// ApplyCopy leaves what it is given as it was, and agrees with Apply.
	shared := before()
	copied, cerr := patch.ApplyCopy(rt, shared, ops)
	if diff := cmp.Diff(before(), shared); diff != "" {
		t.Errorf("ApplyCopy changed the resource it was given (-want +got):\n%s", diff)
	}
	if (err == nil) != (cerr == nil) || err != nil && err.Error() != cerr.Error() {
		t.Errorf("ApplyCopy: error %v; Apply: %v", cerr, err)
	}
	if err == nil && cerr == nil {
		if diff := cmp.Diff(got, copied); diff != "" {
			t.Errorf("ApplyCopy differs from Apply (-Apply +ApplyCopy):\n%s", diff)
		}
	}
	if tt.err != nil {
		if err == nil {
			t.Fatalf("Apply succeeded with %s, want error %v", resource.Marshal(rt, got, nil), tt.err)
		}
		if diff := cmp.Diff(tt.err, patchError(t, err)); diff != "" {
			t.Errorf("Apply error (-want +got):\n%s", diff)
		}
		return
	}
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	want := before()
	tt.want(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Apply (-want +got):\n%s", diff)
	}
}

func TestApplyRequired(t *testing.T) {
	// Apply leaves required attributes to resource.CheckRequired.
	ops, err := patch.Parse(deviceRT, body(`{"op":"remove","path":"displayName"}`), patch.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := blank()
	if err := patch.Apply(deviceRT, r, ops); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	err = resource.CheckRequired(deviceRT, r)
	want := &resource.Error{Type: "invalidValue", Path: "displayName", Msg: "required attribute is missing"}
	if diff := cmp.Diff(want, err); diff != "" {
		t.Errorf("CheckRequired (-want +got):\n%s", diff)
	}
}

func TestApplyNilAttributes(t *testing.T) {
	ops, err := patch.Parse(userRT, body(`{"op":"add","path":"userName","value":"bjensen"}`), patch.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &resource.Resource{ID: "u1"}
	if err := patch.Apply(userRT, r, ops); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	want := &resource.Resource{ID: "u1", Attributes: obj{"userName": "bjensen"}}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("Apply (-want +got):\n%s", diff)
	}
}

func TestApplyTwice(t *testing.T) {
	// Operations can be applied to several resources, or again after a
	// failed conditional write: applying them does not change them.
	req := body(
		`{"op":"add","path":"emails","value":[{"value":"a@example.com","type":"other","primary":true}]}`,
		`{"op":"replace","path":"emails[type eq \"other\"].type","value":"home"}`,
		`{"op":"add","path":"emails","value":[{"value":"b@example.com","type":"other","primary":true}]}`,
	)
	ops, err := patch.Parse(userRT, req, patch.Options{})
	if err != nil {
		t.Fatal(err)
	}
	first, second := bjensen(), bjensen()
	if err := patch.Apply(userRT, first, ops); err != nil {
		t.Fatal(err)
	}
	fresh, _ := patch.Parse(userRT, req, patch.Options{})
	if diff := cmp.Diff(view(fresh), view(ops)); diff != "" {
		t.Errorf("Apply changed its operations (-want +got):\n%s", diff)
	}
	if err := patch.Apply(userRT, second, ops); err != nil {
		t.Fatalf("second Apply: %v", err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("second Apply (-first +second):\n%s", diff)
	}
}

// BenchmarkPatch parses and applies the PATCH an identity provider sends
// most: a sub-attribute replaced and an email added.
func BenchmarkPatch(b *testing.B) {
	req := body(
		`{"op":"replace","path":"name.familyName","value":"Jensen-Smith"}`,
		`{"op":"add","path":"emails","value":[{"value":"barbara@example.org","type":"other","primary":true}]}`,
	)
	stored := bjensen()
	b.ReportAllocs()
	for b.Loop() {
		ops, err := patch.Parse(userRT, req, patch.Options{})
		if err != nil {
			b.Fatal(err)
		}
		r := stored.Clone()
		if err := patch.Apply(userRT, r, ops); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApply applies the same operations, parsed once.
func BenchmarkApply(b *testing.B) {
	ops, err := patch.Parse(userRT, body(
		`{"op":"replace","path":"name.familyName","value":"Jensen-Smith"}`,
		`{"op":"add","path":"emails","value":[{"value":"barbara@example.org","type":"other","primary":true}]}`,
	), patch.Options{})
	if err != nil {
		b.Fatal(err)
	}
	stored := bjensen()
	b.ReportAllocs()
	for b.Loop() {
		r := stored.Clone()
		if err := patch.Apply(userRT, r, ops); err != nil {
			b.Fatal(err)
		}
	}
}
