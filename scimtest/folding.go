package scimtest

import (
	"errors"
	"net/http"
	"slices"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/resource"
)

// userName is not caseExact (RFC 7643 §4.1.1), and strings that are not
// caseExact compare as filter.Fold makes them: by Unicode simple case
// folding, the relation strings.EqualFold compares by. Lower-casing ASCII
// letters alone, as SQLite's LOWER does, is not enough.

// foldedUserNames are userNames, each with others that are the same under
// case folding.
var foldedUserNames = []struct {
	first string   // created first
	same  []string // then refused
}{
	{"ÄBC", []string{"äbc", "Äbc"}},
	{"\u212Aelvin", []string{"kelvin", "KELVIN"}},        // U+212A KELVIN SIGN
	{"\u01C5emal", []string{"\u01C6emal", "\u01C4EMAL"}}, // ǅ, ǆ and Ǆ
	{"groß", []string{"GROß", "GRO\u1E9E"}},              // U+1E9E CAPITAL SHARP S
	{"ΣΊΣΥΦΟΣ", []string{"σίσυφος", "Σίσυφος"}},          // σ and final ς
}

func (s *suite) testUniquenessUnicode() {
	var names []string
	paths := make(map[string]string)
	for _, tt := range foldedUserNames {
		u := s.mustCreate("/Users", userJSON(tt.first))
		names = append(names, tt.first)
		paths[tt.first] = userPath(str(u, "id"))
		for _, same := range tt.same {
			r := s.do("POST", "/Users", userJSON(same))
			if r.status != http.StatusConflict || str(r.obj, "scimType") != "uniqueness" {
				s.errorf(ruleUniqueFold, "POST of userName %q after %q: status %d, want 409 uniqueness; body %s", same, tt.first, r.status, r.snippet())
			}
		}
	}
	// Simple case folding does not turn ß into ss.
	if r := s.do("POST", "/Users", userJSON("gross")); r.status != http.StatusCreated {
		s.errorf(ruleUniqueFold, "POST of userName \"gross\" after \"groß\": status %d, want 201; body %s", r.status, r.snippet())
	} else {
		names = append(names, "gross")
		paths["gross"] = userPath(str(r.obj, "id"))
	}
	l := s.list(ruleUniqueFold, "/Users", "count", "1000")
	if got := sorted(keys(listed(l), "userName")); !slices.Equal(got, sorted(names)) {
		s.errorf(ruleUniqueFold, "%s after POSTs refused for uniqueness: userNames %q, want %q", l.req, got, sorted(names))
	}

	// Writes that would give a user another's userName in another case.
	if path, ok := paths["gross"]; ok {
		before, _ := s.mustGet(path)
		if r := s.do("PUT", path, userJSON("KELVIN")); r.status != http.StatusConflict {
			s.errorf(ruleUniqueFold, "PUT giving gross the userName \"KELVIN\" of \"\\u212Aelvin\": status %d, want 409 uniqueness; body %s", r.status, r.snippet())
		}
		if r := s.do("PATCH", path, patchJSON(op("replace", "userName", "\u01C4EMAL"))); r.status != http.StatusConflict {
			s.errorf(ruleUniqueFold, "PATCH giving gross the userName \"\u01C4EMAL\" of \"\u01C5emal\": status %d, want 409 uniqueness; body %s", r.status, r.snippet())
		}
		s.checkSame(ruleUniqueWrite, path, before, "writes refused for uniqueness")
	}
	if s.uh != nil {
		if r, err := s.uh.Create(s.ctx, s.decode(s.users, userJSON("Äbc"))); !errors.Is(err, scim.ErrUniqueness) {
			s.errorf(ruleUniqueFold, "Create of userName \"Äbc\" after \"ÄBC\": resource %s, error %v, want an error wrapping scim.ErrUniqueness", describe(r), err)
		}
	}

	// A user may take its own userName in another case.
	if r := s.do("PUT", paths["ÄBC"], userJSON("äbc")); s.expect(ruleUniqueSelf, r, http.StatusOK) && str(r.obj, "userName") != "äbc" {
		s.errorf(ruleUniqueSelf, "%s: userName %q, want \"äbc\"", r.req, str(r.obj, "userName"))
	}
}

// foldedFilterNames are the userNames filter-unicode lists.
var foldedFilterNames = []string{"äbc", "abc", "ÄBD", "\u212Aelvin", "\u01C5emal", "groß", "gross", "σίσυφος", "Zoë", "zoe"}

// foldedFilters are filters on foldedFilterNames and the userNames they
// match. (TestFoldedFilters checks them against filter.Filter.Match.)
var foldedFilters = []struct {
	filter string
	want   []string
}{
	{`userName eq "ÄBC"`, []string{"äbc"}},
	{`userName eq "abc"`, []string{"abc"}},
	{`userName eq "kelvin"`, []string{"\u212Aelvin"}},
	{`userName eq "KELVIN"`, []string{"\u212Aelvin"}},
	{"userName eq \"\u01C4EMAL\"", []string{"\u01C5emal"}},
	{"userName eq \"GRO\u1E9E\"", []string{"groß"}},
	{`userName eq "GROSS"`, []string{"gross"}},
	{`userName eq "ΣΊΣΥΦΟΣ"`, []string{"σίσυφος"}},
	{`userName ne "ÄBC"`, []string{"abc", "ÄBD", "\u212Aelvin", "\u01C5emal", "groß", "gross", "σίσυφος", "Zoë", "zoe"}},
	{`userName sw "Ä"`, []string{"äbc", "ÄBD"}},
	{`userName co "ELV"`, []string{"\u212Aelvin"}},
	{`userName ew "SS"`, []string{"gross"}},
	{"userName ew \"\u1E9E\"", []string{"groß"}},
	{`userName gt "ZOE"`, []string{"äbc", "ÄBD", "\u01C5emal", "σίσυφος", "Zoë"}},
	{`userName le "ZOË"`, []string{"abc", "\u212Aelvin", "groß", "gross", "Zoë", "zoe"}},
}

func (s *suite) testFilterUnicode() {
	for _, name := range foldedFilterNames {
		s.mustCreate("/Users", userJSON(name))
	}
	for _, tt := range foldedFilters {
		s.checkFilter(ruleFilterFold, "/Users", "userName", tt.filter, tt.want)
	}
	for _, order := range []string{"ascending", "descending"} {
		want := foldedSort(s, order)
		got, n := s.sortKeys(ruleSortFold, "/Users", "userName", "sortBy", "userName", "sortOrder", order)
		if !slices.Equal(got, want) || n != len(want) {
			s.errorf(ruleSortFold, "GET /Users sorted by userName %s: totalResults %d, order %q, want %d and %q (filter.Sort.Compare)", order, n, got, len(want), want)
		}
	}
}

// foldedSort returns foldedFilterNames in the order filter.Sort.Compare
// puts users with those userNames.
func foldedSort(s *suite, order string) []string {
	srt, err := filter.ResolveSort(s.users, "userName", order)
	if err != nil {
		s.rep.Errorf("suite error: sortBy userName: %v", err)
		s.rep.FailNow()
	}
	var res []*resource.Resource
	for _, name := range foldedFilterNames {
		res = append(res, &resource.Resource{Attributes: map[string]any{"userName": name}})
	}
	slices.SortFunc(res, srt.Compare)
	out := make([]string, len(res))
	for i, r := range res {
		out[i] = r.Attributes["userName"].(string)
	}
	return out
}
