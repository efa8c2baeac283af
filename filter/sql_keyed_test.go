package filter

import (
	"errors"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/schema"
)

// This file tests the SQLTable fields Key and Parent, and the SQL field
// Convert, as a store on a host's tables sets them: integer ids, members in
// a join table of integer keys, emails correlated by key.

// keyedSQL maps Groups to a table "g" with integer ids and members to a
// join table "m", and Users' emails to a keyed table.
func keyedGroupSQL() *SQL {
	return &SQL{
		Columns: map[string]string{"id": "g.id", "displayName": "g.name", "externalId": "g.external_id"},
		Tables: map[string]SQLTable{
			"members": {From: "team_members m", Key: "m.team_id", Parent: "g.id", Columns: map[string]string{
				"value": "m.account_id", "type": "m.kind",
			}},
		},
		Convert: func(col string) func(string) (any, bool) {
			if col != "g.id" && col != "m.account_id" {
				return nil
			}
			return func(s string) (any, bool) {
				n, err := strconv.ParseInt(s, 10, 64)
				return n, err == nil
			}
		},
	}
}

func TestSQLKeyedAndConverted(t *testing.T) {
	runSQLTests(t, schema.GroupResourceType(), keyedGroupSQL(), []sqlTest{
		// The Entra ID membership check: both ids converted, members
		// looked up by key.
		{
			`id eq "12" and members[value eq "7"]`,
			`((g.id = ?) AND (g.id IN (SELECT m.team_id FROM team_members m WHERE (m.account_id = ?))))`,
			[]any{int64(12), int64(7)},
		},
		{`members.value eq "7"`, `(g.id IN (SELECT m.team_id FROM team_members m WHERE (m.account_id = ?)))`, []any{int64(7)}},
		// Negated, the join is written out.
		{`not (members.value eq "7")`, `(NOT EXISTS (SELECT 1 FROM team_members m WHERE (m.team_id = g.id) AND (m.account_id = ?)))`, []any{int64(7)}},
		// A string no integer equals decides the comparison.
		{`id eq "abc"`, `(1 = 0)`, nil},
		{`id ne "abc"`, `(1 = 1)`, nil},
		{`members[value eq "x1"]`, `(g.id IN (SELECT m.team_id FROM team_members m WHERE (1 = 0)))`, nil},
		// pr on a converted column cannot compare it with ''.
		{`id pr`, `(g.id IS NOT NULL)`, nil},
		{`members pr`, `(g.id IN (SELECT m.team_id FROM team_members m WHERE ((m.account_id IS NOT NULL) OR (m.kind <> ''))))`, nil},
		// Columns Convert leaves alone are strings.
		{`displayName eq "Sales"`, `(LOWER(g.name) = ?)`, []any{"sales"}},
		{`members[type eq "User" and value eq "7"]`, `(g.id IN (SELECT m.team_id FROM team_members m WHERE ((LOWER(m.kind) = ?) AND (m.account_id = ?))))`, []any{"user", int64(7)}},
	})
}

func TestSQLConvertedIsUnmappedBeyondEquality(t *testing.T) {
	rt := schema.GroupResourceType()
	m := keyedGroupSQL()
	for _, in := range []string{`id gt "5"`, `id sw "1"`, `members.value co "1"`, `members[value le "9"]`} {
		f, err := Compile(rt, in)
		if err != nil {
			t.Fatal(err)
		}
		var ue *UnmappedError
		if _, _, err := m.Where(f, nil); !errors.As(err, &ue) {
			t.Errorf("Where(%s): %v, want an *UnmappedError", in, err)
		}
	}
	for _, by := range []string{"id", "members.value"} {
		srt, err := ResolveSort(rt, by, "")
		if err != nil {
			t.Fatal(err)
		}
		var ue *UnmappedError
		if _, _, err := m.OrderBy(srt, nil); !errors.As(err, &ue) || ue.Path != by {
			t.Errorf("OrderBy(%s): %v, want an *UnmappedError for %s", by, err, by)
		}
	}
	// Sorting by another attribute keeps the keyed join in its sort key.
	srt, _ := ResolveSort(rt, "displayName", "")
	order, _, err := m.OrderBy(srt, nil)
	want := `CASE WHEN g.name IS NULL THEN 1 ELSE 0 END, LOWER(g.name) ASC, g.name ASC, g.id ASC`
	if err != nil || order != want {
		t.Errorf("OrderBy(displayName) = %q, %v\nwant %q", order, err, want)
	}
	// A sort key on the keyed table correlates by Key = Parent.
	srt, _ = ResolveSort(rt, "members.type", "descending")
	order, _, err = m.OrderBy(srt, nil)
	want = `CASE WHEN (SELECT MIN(LOWER(m.kind)) FROM team_members m WHERE (m.team_id = g.id)) IS NULL THEN 1 ELSE 0 END, ` +
		`(SELECT MIN(LOWER(m.kind)) FROM team_members m WHERE (m.team_id = g.id)) DESC, g.id ASC`
	if diff := cmp.Diff(want, order); err != nil || diff != "" {
		t.Errorf("OrderBy(members.type) (-want +got): %v\n%s", err, diff)
	}
}
