package scimtest

import (
	"fmt"
	"net/url"
	"slices"
)

var (
	ruleGroupsOf  = rule{"RFC 7643 §4.1.2", "a User's groups lists the groups it is a direct member of, with their ids and displayNames, on a GET and in lists"}
	ruleDeleteOut = rule{"RFC 7643 §4.1.2, §4.2, scim.Memberships", "deleting a resource removes it from the members of every group that listed it"}
)

// testMemberships checks a User's groups and the clean-up of memberships
// when a member or a group is deleted.
func (s *suite) testMemberships() {
	alice := str(s.mustCreate("/Users", userJSON("alice")), "id")
	bob := str(s.mustCreate("/Users", userJSON("bob")), "id")
	g1 := str(s.mustCreate("/Groups", groupJSON("Tour Guides", alice, bob)), "id")
	g2 := str(s.mustCreate("/Groups", groupJSON("Admins", alice)), "id")

	groupsOf := func(u doc) []string {
		var out []string
		for _, g := range list(u["groups"]) {
			m, _ := g.(map[string]any)
			out = append(out, str(m, "value")+"="+str(m, "display"))
		}
		slices.Sort(out)
		return out
	}
	want := []string{g2 + "=Admins", g1 + "=Tour Guides"}
	slices.Sort(want)
	if r := s.do("GET", userPath(alice), ""); s.expect(ruleGroupsOf, r, 200) {
		if got := groupsOf(r.obj); !slices.Equal(got, want) {
			s.errorf(ruleGroupsOf, "GET %s: groups %v, want %v", userPath(alice), got, want)
		}
	}
	r := s.do("GET", "/Users?filter="+url.QueryEscape(fmt.Sprintf("userName eq %q", "bob")), "")
	if s.expect(ruleGroupsOf, r, 200) {
		res := list(r.obj["Resources"])
		if len(res) != 1 {
			s.fatalf(ruleGroupsOf, "%s: %d resources, want bob", r.req, len(res))
		}
		u, _ := res[0].(map[string]any)
		if got, want := groupsOf(u), []string{g1 + "=Tour Guides"}; !slices.Equal(got, want) {
			s.errorf(ruleGroupsOf, "%s: bob's groups %v, want %v", r.req, got, want)
		}
	}

	s.expect(ruleDelete, s.do("DELETE", userPath(alice), ""), 204)
	for _, g := range []string{g1, g2} {
		r := s.do("GET", groupPath(g), "")
		if !s.expect(ruleDeleteOut, r, 200) {
			continue
		}
		for _, m := range list(r.obj["members"]) {
			if obj, _ := m.(map[string]any); str(obj, "value") == alice {
				s.errorf(ruleDeleteOut, "GET %s after deleting %s: still a member", groupPath(g), alice)
			}
		}
	}
	s.expect(ruleDelete, s.do("DELETE", groupPath(g1), ""), 204)
	if r := s.do("GET", userPath(bob), ""); s.expect(ruleDeleteOut, r, 200) {
		if got := groupsOf(r.obj); len(got) != 0 {
			s.errorf(ruleDeleteOut, "GET %s after deleting group %s: groups %v, want none", userPath(bob), g1, got)
		}
	}
}
