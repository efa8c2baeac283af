package scimtest

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/scim-go/scim"
)

// testTenantIsolation checks, as tenant 1, what tenant 0 created: a store
// scopes every read, write and uniqueness check by the tenant its
// request's context carries (RFC 7644 §6).
func (s *suite) testTenantIsolation() {
	u := s.mustCreate("/Users", userJSON("bjensen", s.note, "zero"))
	id := str(u, "id")
	path := userPath(id)
	g := s.mustCreate("/Groups", s.groupJSON("Tour Guides", id))
	gid := str(g, "id")
	gpath := groupPath(gid)
	before, _ := s.mustGet(path)
	gbefore, _ := s.mustGet(gpath)

	t1 := s.as(1)
	for _, r := range []*response{
		t1.do("GET", path, ""),
		t1.do("GET", gpath, ""),
		t1.do("PUT", path, userJSON("bjensen", s.note, "one")),
		t1.do("PATCH", path, patchJSON(op("replace", s.note, "one"))),
		t1.do("PUT", gpath, groupJSON("Ones")),
		t1.do("PATCH", gpath, patchJSON(op("replace", "displayName", "Ones"))),
		t1.do("DELETE", path, ""),
		t1.do("DELETE", gpath, ""),
	} {
		if r.status != http.StatusNotFound {
			s.errorf(ruleTenantRead, "%s of tenant 0's resource, as tenant 1: status %d, want 404; body %s", r.req, r.status, r.snippet())
		}
	}
	if r, err := t1.uh.Get(t1.ctx, id); !errors.Is(err, scim.ErrNotFound) {
		s.errorf(ruleTenantRead, "Get(%q) of tenant 0's user, with tenant 1's context: resource %s, error %v, want an error wrapping scim.ErrNotFound", id, describe(r), err)
	}
	if r, err := t1.gh.Get(t1.ctx, gid); !errors.Is(err, scim.ErrNotFound) {
		s.errorf(ruleTenantRead, "Get(%q) of tenant 0's group, with tenant 1's context: resource %s, error %v, want an error wrapping scim.ErrNotFound", gid, describe(r), err)
	}

	lists := []string{
		"/Users",
		"/Users?count=0",
		"/Users?" + url.Values{"filter": {`userName eq "bjensen"`}}.Encode(),
		"/Users?" + url.Values{"filter": {fmt.Sprintf("id eq %q", id)}}.Encode(),
		"/Users?" + url.Values{"filter": {`userName sw "b"`}, "sortBy": {"userName"}}.Encode(),
		"/Groups",
		"/Groups?" + url.Values{"filter": {`displayName eq "Tour Guides"`}}.Encode(),
	}
	if s.hasMembers() {
		lists = append(lists, "/Groups?"+url.Values{"filter": {fmt.Sprintf("members.value eq %q", id)}}.Encode())
	}
	for _, target := range lists {
		r := t1.do("GET", target, "")
		if r.status != http.StatusOK || total(r) != 0 || len(listed(r)) != 0 {
			s.errorf(ruleTenantList, "%s as tenant 1, which has no resources: status %d, totalResults %d, %d resources, want 200, 0 and none; body %s",
				r.req, r.status, total(r), len(listed(r)), r.snippet())
		}
	}
	if p, err := t1.uh.List(t1.ctx, &scim.Query{StartIndex: 1, Count: 10}); err != nil || p == nil || p.TotalResults != 0 || len(p.Resources) != 0 {
		s.errorf(ruleTenantList, "List with tenant 1's context, which has no resources: page %v, error %v", p, err)
	}

	// Tenant 1 has a userName space of its own.
	u1 := t1.do("POST", "/Users", userJSON("bjensen", s.note, "one"))
	if u1.status != http.StatusCreated {
		s.fatalf(ruleTenantUnique, "%s of userName bjensen, taken in tenant 0 only, as tenant 1: status %d, want 201; body %s", u1.req, u1.status, u1.snippet())
	}
	id1 := str(u1.obj, "id")
	if r := t1.do("POST", "/Users", userJSON("BJensen")); r.status != http.StatusConflict {
		s.errorf(ruleUnique, "%s of userName BJensen as tenant 1, which has bjensen: status %d, want 409; body %s", r.req, r.status, r.snippet())
	}
	l := t1.list(ruleTenantList, "/Users")
	if ids := keys(listed(l), "id"); total(l) != 1 || !slices.Equal(ids, []string{id1}) {
		s.errorf(ruleTenantList, "%s as tenant 1: totalResults %d, ids %q, want 1 and tenant 1's own [%q]", l.req, total(l), ids, id1)
	}

	if s.can("members of another tenant", s.groups, "members.value") {
		t1.checkForeignMember(id, id1)
	}

	// Tenant 0 saw nothing of it.
	s.checkSame(ruleTenantRead, path, before, "tenant 1's requests")
	s.checkSame(ruleTenantRead, gpath, gbefore, "tenant 1's requests")
	l = s.list(ruleTenantList, "/Users")
	if ids := keys(listed(l), "id"); total(l) != 1 || !slices.Equal(ids, []string{id}) {
		s.errorf(ruleTenantList, "%s as tenant 0: totalResults %d, ids %q, want 1 and tenant 0's own [%q]", l.req, total(l), ids, id)
	}
}

// checkForeignMember checks, as tenant 1, that a group of its own never
// holds foreign, the id of tenant 0's user, when a POST, PUT or PATCH
// names it as a member next to own, a user of tenant 1.
func (s *suite) checkForeignMember(foreign, own string) {
	check := func(r *response, path string) {
		switch {
		case r.status == http.StatusBadRequest:
		case r.status < 300:
			got, _ := s.mustGet(path)
			if slices.Contains(memberIDs(got), foreign) {
				s.errorf(ruleTenantRef, "%s as tenant 1 naming tenant 0's user %q as a member: status %d, and the group has members %q", r.req, foreign, r.status, memberIDs(got))
			}
		default:
			s.errorf(ruleTenantRef, "%s as tenant 1 naming tenant 0's user %q as a member: status %d, want 400, or 2xx and the member left out; body %s", r.req, foreign, r.status, r.snippet())
		}
	}
	r := s.do("POST", "/Groups", groupJSON("Ones", own, foreign))
	path := ""
	if r.status < 300 {
		path = groupPath(str(r.obj, "id"))
	}
	check(r, path)
	if path == "" {
		path = groupPath(str(s.mustCreate("/Groups", groupJSON("Ones", own)), "id"))
	}
	check(s.do("PUT", path, groupJSON("Ones", own, foreign)), path)
	check(s.do("PATCH", path, patchJSON(op("add", "members", memberValues(foreign)))), path)
}
