package filter_test

import (
	"errors"
	"fmt"
	"slices"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// exampleUsers returns three users, as a store that evaluates filters in
// memory keeps them.
func exampleUsers(rt *schema.ResourceType) []*resource.Resource {
	var out []*resource.Resource
	for _, body := range []string{
		`{"userName": "bjensen", "name": {"familyName": "Jensen"}, "active": true,
		  "emails": [{"value": "bjensen@example.com", "type": "work"}]}`,
		`{"userName": "jsmith", "name": {"familyName": "Smith"}, "active": false,
		  "emails": [{"value": "jsmith@example.com", "type": "work"}]}`,
		`{"userName": "Ärger", "name": {"familyName": "Ärger"}, "active": true,
		  "emails": [{"value": "aerger@example.org", "type": "home"}]}`,
	} {
		r, err := resource.Decode(rt, []byte(`{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], `+body[1:]), resource.DecodeOptions{})
		if err != nil {
			panic(err)
		}
		r.ID = r.Attributes["userName"].(string)
		out = append(out, r)
	}
	return out
}

// A store that keeps resources in memory compiles a filter once against
// the resource type and matches each resource with it. An attribute the
// type does not define is an *AttributeError, which the server answers
// with 400 invalidFilter.
func ExampleCompile() {
	rt := schema.UserResourceType()
	f, err := filter.Compile(rt, `active eq true and emails[type eq "work" and value ew "@EXAMPLE.COM"]`)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range exampleUsers(rt) {
		fmt.Println(r.ID, f.Match(r))
	}

	_, err = filter.Compile(rt, `emails[kind eq "work"]`)
	var ae *filter.AttributeError
	fmt.Println(errors.As(err, &ae), err)
	// Output:
	// bjensen true
	// jsmith false
	// Ärger false
	// true filter: attribute "emails.kind": emails has no sub-attribute "kind"
}

// Filter.Equality finds the comparison every match satisfies, so that a
// store answers userName eq lookups from an index and checks only the
// candidates with Match.
func ExampleFilter_Equality() {
	f, err := filter.Compile(schema.UserResourceType(), `userName eq "bjensen" and active eq true`)
	if err != nil {
		fmt.Println(err)
		return
	}
	attr, value, ok := f.Equality()
	fmt.Println(attr, value, ok)
	// Output:
	// userName bjensen true
}

// sortBy and sortOrder are resolved once; Sort.Compare then orders
// resources. Strings that are not caseExact compare case-folded, rune by
// rune rather than by a language's collation, so that "Ärger" comes after
// "Smith".
func ExampleResolveSort() {
	rt := schema.UserResourceType()
	s, err := filter.ResolveSort(rt, "name.familyName", "descending")
	if err != nil {
		fmt.Println(err)
		return
	}
	users := exampleUsers(rt)
	slices.SortStableFunc(users, s.Compare)
	for _, r := range users {
		fmt.Println(r.ID)
	}
	// Output:
	// Ärger
	// jsmith
	// bjensen
}

// A store that lists from memory lays each resource out as a Record once,
// when it stores it or when a list first needs it, and evaluates every
// filter on the records. The records must be built with the resource type
// the filters are resolved against.
func ExampleFilter_MatchRecord() {
	rt := schema.UserResourceType()
	var records []*filter.Record
	for _, r := range exampleUsers(rt) {
		records = append(records, filter.NewRecord(rt, r))
	}
	f, err := filter.Compile(rt, `emails[type eq "WORK" and value co "Example.COM"] and active eq true or name.familyName sw "är"`)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, rec := range records {
		fmt.Println(rec.Resource().ID, f.MatchRecord(rec))
	}
	// Output:
	// bjensen true
	// jsmith false
	// Ärger true
}
