package filter_test

import (
	"errors"
	"fmt"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/schema"
)

// A host keeps Users in a table "users u" and their emails in
// "user_emails e", and lists a page of them with PostgreSQL placeholders.
func ExampleSQL() {
	users := &filter.SQL{
		Placeholder: filter.Dollar,
		Columns: map[string]string{
			"id":                "u.id",
			"userName":          "u.user_name",
			"name.familyName":   "u.family_name",
			"active":            "u.active",
			"meta.lastModified": "u.last_modified",
		},
		Tables: map[string]filter.SQLTable{
			"emails": {
				From: "user_emails e",
				Join: "e.user_id = u.id",
				Columns: map[string]string{
					"value":   "e.value",
					"type":    "e.type",
					"primary": "e.is_primary",
				},
			},
		},
	}

	rt := schema.UserResourceType()
	f, err := filter.Compile(rt, `userName sw "J" and emails[type eq "work" and value co "@example.com"] and not (active eq false)`)
	if err != nil {
		fmt.Println(err)
		return
	}
	srt, err := filter.ResolveSort(rt, "name.familyName", "descending")
	if err != nil {
		fmt.Println(err)
		return
	}

	// The host's own condition comes first and takes $1.
	args := []any{"tenant-1"}
	where, args, err := users.Where(f, args)
	if err != nil {
		fmt.Println(err)
		return
	}
	order, args, err := users.OrderBy(srt, args)
	if err != nil {
		fmt.Println(err)
		return
	}
	limit, args := users.Limit(1, 10, args)
	fmt.Println("SELECT u.id FROM users u")
	fmt.Println("WHERE u.tenant = $1 AND", where)
	fmt.Println("ORDER BY", order)
	fmt.Println(limit)
	fmt.Printf("%#v\n", args)
	// Output:
	// SELECT u.id FROM users u
	// WHERE u.tenant = $1 AND ((LOWER(u.user_name) LIKE $2 ESCAPE '!') AND (EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND ((LOWER(e.type) = $3) AND (LOWER(e.value) LIKE $4 ESCAPE '!')))) AND (u.active IS NULL OR u.active <> $5))
	// ORDER BY CASE WHEN u.family_name IS NULL THEN 1 ELSE 0 END, LOWER(u.family_name) DESC, u.family_name DESC, u.id ASC
	// LIMIT $6 OFFSET $7
	// []interface {}{"tenant-1", "j%", "work", "%@example.com%", false, 10, 0}
}

// A filter on an attribute the host keeps no column for is an
// *UnmappedError; the host may refuse it or filter in memory instead.
func ExampleUnmappedError() {
	users := &filter.SQL{Columns: map[string]string{"id": "u.id", "userName": "u.user_name"}}
	f, err := filter.Compile(schema.UserResourceType(), `userName eq "bjensen" or nickName eq "Babs"`)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _, err = users.Where(f, nil)
	var ue *filter.UnmappedError
	if errors.As(err, &ue) {
		fmt.Println(ue.Path)
		fmt.Println(err)
	}
	// Output:
	// nickName
	// filter: attribute "nickName" is not mapped to SQL
}

// A host on PostgreSQL defines a function scim_fold that computes
// filter.Fold, and sets Fold and Exact so that strings compare and sort as
// Filter.Match and Sort.Compare do, beyond ASCII too; a host on SQLite
// registers scim_fold with its driver and sets Fold and Glob.
func ExampleSQL_fold() {
	columns := map[string]string{
		"id":         "u.id",
		"userName":   "u.user_name",
		"externalId": "u.external_id",
	}
	postgres := &filter.SQL{
		Placeholder: filter.Dollar,
		Columns:     columns,
		Fold:        func(col string) string { return "(scim_fold(" + col + `) COLLATE "C")` },
		Exact:       func(col string) string { return col + ` COLLATE "C"` },
	}
	sqlite := &filter.SQL{
		Columns: columns,
		Fold:    func(col string) string { return "scim_fold(" + col + ")" },
		Glob:    true,
	}

	rt := schema.UserResourceType()
	f, err := filter.Compile(rt, `userName sw "ÄR" and externalId gt "K*" and not (externalId co "*")`)
	if err != nil {
		fmt.Println(err)
		return
	}
	srt, err := filter.ResolveSort(rt, "userName", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range []*filter.SQL{postgres, sqlite} {
		where, args, err := m.Where(f, nil)
		if err != nil {
			fmt.Println(err)
			return
		}
		order, _, err := m.OrderBy(srt, nil)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("WHERE", where)
		fmt.Printf("%q\n", args)
		fmt.Println("ORDER BY", order)
	}
	// Output:
	// WHERE (((scim_fold(u.user_name) COLLATE "C") LIKE $1 ESCAPE '!') AND (u.external_id COLLATE "C" > $2) AND (u.external_id IS NULL OR u.external_id NOT LIKE $3 ESCAPE '!'))
	// ["är%" "K*" "%*%"]
	// ORDER BY CASE WHEN u.user_name IS NULL THEN 1 ELSE 0 END, (scim_fold(u.user_name) COLLATE "C") ASC, u.user_name COLLATE "C" ASC, u.id ASC
	// WHERE ((scim_fold(u.user_name) GLOB ?) AND (u.external_id > ?) AND (u.external_id IS NULL OR u.external_id NOT GLOB ?))
	// ["är*" "K*" "*[*]*"]
	// ORDER BY CASE WHEN u.user_name IS NULL THEN 1 ELSE 0 END, scim_fold(u.user_name) ASC, u.user_name ASC, u.id ASC
}
