package scimtest_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/patch"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

var memClock = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// memHandler returns a handler with ids "u1", "u2", ... and a clock that
// ticks one second per write.
func memHandler(rt *schema.ResourceType) *scimtest.MemoryHandler {
	h := scimtest.NewMemoryHandler(rt)
	var n int
	h.NewID = func() string { n++; return "u" + strconv.Itoa(n) }
	clock := memClock
	var mu sync.Mutex
	h.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	return h
}

func memUser(userName, externalID string, attrs ...any) *resource.Resource {
	r := &resource.Resource{ExternalID: externalID, Attributes: map[string]any{}}
	if userName != "" {
		r.Attributes["userName"] = userName
	}
	for i := 0; i+1 < len(attrs); i += 2 {
		r.Attributes[attrs[i].(string)] = attrs[i+1]
	}
	return r
}

func memCreate(t *testing.T, h *scimtest.MemoryHandler, r *resource.Resource) *resource.Resource {
	t.Helper()
	out, err := h.Create(context.Background(), r)
	if err != nil {
		t.Fatalf("Create %v: %v", r.Attributes["userName"], err)
	}
	return out
}

// memList lists with a filter and sortBy ("" for none) and returns the
// page's ids and the total.
func memList(t *testing.T, h *scimtest.MemoryHandler, rt *schema.ResourceType, f, sortBy string, start, count int) ([]string, int) {
	t.Helper()
	q := &scim.Query{StartIndex: start, Count: count}
	var err error
	if f != "" {
		if q.Filter, err = filter.Compile(rt, f); err != nil {
			t.Fatal(err)
		}
	}
	if sortBy != "" {
		if q.Sort, err = filter.ResolveSort(rt, sortBy, ""); err != nil {
			t.Fatal(err)
		}
	}
	page, err := h.List(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range page.Resources {
		ids = append(ids, r.ID)
	}
	return ids, page.TotalResults
}

// memScan answers a filter by listing everything and matching each
// resource, the reference for what an index must find.
func memScan(t *testing.T, h *scimtest.MemoryHandler, rt *schema.ResourceType, f string) []string {
	t.Helper()
	flt, err := filter.Compile(rt, f)
	if err != nil {
		t.Fatal(err)
	}
	page, err := h.List(context.Background(), &scim.Query{StartIndex: 1, Count: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range page.Resources {
		if flt.Match(r) {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// checkIndexed checks that List answers each filter as a scan does.
func checkIndexed(t *testing.T, h *scimtest.MemoryHandler, rt *schema.ResourceType, filters ...string) {
	t.Helper()
	for _, f := range filters {
		want := memScan(t, h, rt, f)
		got, total := memList(t, h, rt, f, "", 1, 1000)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("List(%s) differs from a scan (-want +got):\n%s", f, diff)
		}
		if total != len(want) {
			t.Errorf("List(%s): TotalResults %d, want %d", f, total, len(want))
		}
	}
}

func TestMemoryListIndexMatchesScan(t *testing.T) {
	rt := schema.UserResourceType()
	h := memHandler(rt)
	for _, r := range []*resource.Resource{
		memUser("bjensen", "shared", "active", true),                                 // u1
		memUser("BJensen2", "", "active", false),                                     // u2
		memUser("ſtar", "SHARED"),                                                    // u3, LATIN SMALL LETTER LONG S
		memUser("Ωmega", "shared", "title", "Boss"),                                  // u4
		memUser("\u212Aelvin", "e5"),                                                 // u5, KELVIN SIGN
		memUser("Straße", "e6"),                                                      // u6
		memUser("", "shared"),                                                        // u7, no userName
		memUser("jsmith", "e8", "emails", []any{map[string]any{"value": "bjensen"}}), // u8
	} {
		memCreate(t, h, r)
	}
	if err := h.Delete(context.Background(), "u2", ""); err != nil {
		t.Fatal(err)
	}
	memCreate(t, h, memUser("BJensen2", "", "active", true)) // u9

	for _, f := range []string{
		`userName eq "bjensen"`,
		`userName eq "BJENSEN"`,
		`USERNAME EQ "bJeNsEn"`,
		`userName eq "bjensen2"`,
		`userName eq "STAR"`,
		`userName eq "ſtar"`,
		`userName eq "ωMEGA"`,
		`userName eq "kelvin"`,
		`userName eq "KELVIN"`,
		`userName eq "STRASSE"`,
		`userName eq "straße"`,
		`userName eq "nobody"`,
		`userName eq ""`,
		`userName eq 42`,
		`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bjensen"`,
		`userName eq "bjensen" and active eq true`,
		`active eq true and userName eq "bjensen"`,
		`userName eq "bjensen" and active eq false`,
		`userName eq "bjensen" or userName eq "jsmith"`,
		`not (userName eq "bjensen")`,
		`userName ne "bjensen"`,
		`emails eq "bjensen"`,
		`id eq "u1"`,
		`id eq "U1"`,
		`id eq "u2"`,
		`id eq "nope"`,
		`id eq "u4" and title pr`,
		`id eq "u1" and title pr`,
		`externalId eq "shared"`,
		`externalId eq "SHARED"`,
		`externalId eq "e5" and userName eq "kelvin"`,
		`externalId eq "nope"`,
		`externalId eq "shared" and userName pr`,
	} {
		t.Run(f, func(t *testing.T) { checkIndexed(t, h, rt, f) })
	}
}

func TestMemoryUniqueness(t *testing.T) {
	ctx := context.Background()
	rt := schema.UserResourceType()
	h := memHandler(rt)
	u1 := memCreate(t, h, memUser("bjensen", ""))
	u2 := memCreate(t, h, memUser("jsmith", ""))
	memCreate(t, h, memUser("ſtar", ""))
	memCreate(t, h, memUser("", "")) // without a userName
	memCreate(t, h, memUser("", ""))

	isUniqueness := func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, scim.ErrUniqueness) {
			t.Fatalf("got %v, want ErrUniqueness", err)
		}
		var se *scim.Error
		if !errors.As(err, &se) || se.Status != 409 || se.Type != scim.Uniqueness {
			t.Errorf("got %#v, want a 409 uniqueness *scim.Error", err)
		}
	}
	for _, name := range []string{"bjensen", "BJENSEN", "BJensen", "STAR", "star", "ſTAR"} {
		t.Run("Create "+name, func(t *testing.T) {
			_, err := h.Create(ctx, memUser(name, ""))
			isUniqueness(t, err)
		})
	}

	t.Run("Replace with another's userName", func(t *testing.T) {
		r := u2.Clone()
		r.Attributes["userName"] = "BJensen"
		_, err := h.Replace(ctx, r, "")
		isUniqueness(t, err)
		// Nothing changed: both names still find their owners.
		checkIndexed(t, h, rt, `userName eq "jsmith"`, `userName eq "bjensen"`)
		got, err := h.Get(ctx, u2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(u2, got); diff != "" {
			t.Errorf("stored after a failed Replace (-want +got):\n%s", diff)
		}
	})

	t.Run("Replace keeping its own userName in another case", func(t *testing.T) {
		r := u1.Clone()
		r.Attributes["userName"] = "BJensen"
		if _, err := h.Replace(ctx, r, ""); err != nil {
			t.Fatal(err)
		}
		ids, _ := memList(t, h, rt, `userName eq "bjensen"`, "", 1, 10)
		if diff := cmp.Diff([]string{u1.ID}, ids); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("Replace frees the old userName", func(t *testing.T) {
		r := u2.Clone()
		r.Attributes["userName"] = "john"
		if _, err := h.Replace(ctx, r, ""); err != nil {
			t.Fatal(err)
		}
		u := memCreate(t, h, memUser("JSmith", ""))
		checkIndexed(t, h, rt, `userName eq "jsmith"`, `userName eq "john"`)
		ids, _ := memList(t, h, rt, `userName eq "jsmith"`, "", 1, 10)
		if diff := cmp.Diff([]string{u.ID}, ids); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("Delete frees the userName", func(t *testing.T) {
		if err := h.Delete(ctx, u1.ID, ""); err != nil {
			t.Fatal(err)
		}
		memCreate(t, h, memUser("bjensen", ""))
		checkIndexed(t, h, rt, `userName eq "bjensen"`)
	})

	t.Run("not unique", func(t *testing.T) {
		h := memHandler(schema.GroupResourceType())
		for range 2 {
			if _, err := h.Create(ctx, &resource.Resource{Attributes: map[string]any{"displayName": "Admins"}}); err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("caseExact", func(t *testing.T) {
		rt := &schema.ResourceType{Name: "Device", Endpoint: "/Devices", Schema: &schema.Schema{
			ID: "urn:example:Device",
			Attributes: []*schema.Attribute{
				{Name: "serial", CaseExact: true, Uniqueness: schema.UniquenessServer},
				{Name: "label", Uniqueness: schema.UniquenessGlobal},
			},
		}}
		h := memHandler(rt)
		for _, serial := range []string{"ABC", "abc", "Abc"} {
			if _, err := h.Create(ctx, &resource.Resource{Attributes: map[string]any{"serial": serial}}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := h.Create(ctx, &resource.Resource{Attributes: map[string]any{"serial": "abc"}})
		isUniqueness(t, err)
		_, err = h.Create(ctx, &resource.Resource{Attributes: map[string]any{"label": "x"}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.Create(ctx, &resource.Resource{Attributes: map[string]any{"serial": "new", "label": "X"}})
		isUniqueness(t, err)
		checkIndexed(t, h, rt, `serial eq "abc"`, `serial eq "ABC"`, `serial eq "aBC"`, `label eq "X"`, `serial eq "new"`)
	})
}

func TestMemoryVersions(t *testing.T) {
	ctx := context.Background()
	rt := schema.UserResourceType()
	h := memHandler(rt)
	v1 := memCreate(t, h, memUser("bjensen", ""))
	if v1.Meta.Version == "" {
		t.Fatal("Create set no version")
	}
	want := resource.Meta{ResourceType: "User", Created: memClock.Add(time.Second), LastModified: memClock.Add(time.Second), Version: v1.Meta.Version}
	if diff := cmp.Diff(want, v1.Meta); diff != "" {
		t.Errorf("Create: meta (-want +got):\n%s", diff)
	}

	if _, err := h.Replace(ctx, v1.Clone(), "bogus"); !errors.Is(err, scim.ErrVersionMismatch) {
		t.Errorf("Replace with a wrong version: %v, want ErrVersionMismatch", err)
	}
	v2, err := h.Replace(ctx, v1.Clone(), v1.Meta.Version)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Meta.Version == v1.Meta.Version {
		t.Errorf("Replace kept version %q", v2.Meta.Version)
	}
	if !v2.Meta.Created.Equal(v1.Meta.Created) || !v2.Meta.LastModified.After(v1.Meta.LastModified) {
		t.Errorf("Replace: meta %+v after %+v", v2.Meta, v1.Meta)
	}
	if _, err := h.Replace(ctx, v1.Clone(), v1.Meta.Version); !errors.Is(err, scim.ErrVersionMismatch) {
		t.Errorf("Replace with the old version: %v, want ErrVersionMismatch", err)
	}
	if err := h.Delete(ctx, v1.ID, v1.Meta.Version); !errors.Is(err, scim.ErrVersionMismatch) {
		t.Errorf("Delete with the old version: %v, want ErrVersionMismatch", err)
	}
	if err := h.Delete(ctx, v1.ID, `W/"`+v2.Meta.Version+`"`); !errors.Is(err, scim.ErrVersionMismatch) {
		t.Errorf("Delete with the ETag rather than the version: %v, want ErrVersionMismatch", err)
	}
	v3, err := h.Replace(ctx, v2.Clone(), "") // unconditional
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Delete(ctx, v1.ID, v2.Meta.Version); !errors.Is(err, scim.ErrVersionMismatch) {
		t.Errorf("Delete with the previous version: %v, want ErrVersionMismatch", err)
	}
	if err := h.Delete(ctx, v1.ID, v3.Meta.Version); err != nil {
		t.Errorf("Delete with the current version: %v", err)
	}
	if _, err := h.Get(ctx, v1.ID); !errors.Is(err, scim.ErrNotFound) {
		t.Errorf("Get after Delete: %v, want ErrNotFound", err)
	}
}

func TestMemoryNotFound(t *testing.T) {
	ctx := context.Background()
	rt := schema.UserResourceType()
	h := memHandler(rt)
	u := memCreate(t, h, memUser("bjensen", "e1"))
	ghost := memUser("ghost", "")
	ghost.ID = "nope"
	for name, err := range map[string]error{
		"Get":               second(h.Get(ctx, "nope")),
		"Get other case":    second(h.Get(ctx, "U1")),
		"Replace":           second(h.Replace(ctx, ghost, "")),
		"Replace versioned": second(h.Replace(ctx, ghost, "1")),
		"Delete":            h.Delete(ctx, "nope", ""),
		"Delete versioned":  h.Delete(ctx, "nope", u.Meta.Version),
	} {
		if !errors.Is(err, scim.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
	// The failed Replace stored nothing.
	checkIndexed(t, h, rt, `userName eq "ghost"`, `id eq "nope"`)
	if ids, total := memList(t, h, rt, "", "", 1, 10); total != 1 || len(ids) != 1 {
		t.Errorf("List: %v, %d; want one user", ids, total)
	}
	if err := h.Delete(ctx, u.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := h.Delete(ctx, u.ID, ""); !errors.Is(err, scim.ErrNotFound) {
		t.Errorf("second Delete: %v, want ErrNotFound", err)
	}
	if _, err := h.Replace(ctx, u, ""); !errors.Is(err, scim.ErrNotFound) {
		t.Errorf("Replace after Delete: %v, want ErrNotFound", err)
	}
	for _, f := range []string{`id eq "u1"`, `userName eq "bjensen"`, `externalId eq "e1"`} {
		if ids, total := memList(t, h, rt, f, "", 1, 10); total != 0 || ids != nil {
			t.Errorf("List(%s) after Delete: %v, %d", f, ids, total)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// fullUser has values of every kind a Clone must copy.
func fullUser() *resource.Resource {
	return &resource.Resource{
		ExternalID: "e1",
		Attributes: map[string]any{
			"userName": "bjensen",
			"name":     map[string]any{"givenName": "Barbara"},
			"emails": []any{
				map[string]any{"value": "bjensen@example.com", "type": "work"},
			},
			"phoneNumbers": []map[string]any{{"value": "555-555-5555"}},
			"entitlements": []string{"admin"},
			schema.EnterpriseUserURN: map[string]any{
				"manager": map[string]any{"value": "u9"},
			},
		},
	}
}

// TestMemorySnapshots checks that what a MemoryHandler returns, though not
// a copy, never changes: a write stores a new resource, also when Patch
// changes a group's members in place.
func TestMemorySnapshots(t *testing.T) {
	ctx := context.Background()
	users, groups := schema.UserResourceType(), schema.GroupResourceType()
	uh, gh := memHandler(users), memHandler(groups)
	type kept struct {
		what      string
		got, then *resource.Resource
	}
	var all []kept
	keep := func(what string, r *resource.Resource, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		all = append(all, kept{what, r, r.Clone()})
	}
	check := func(after string) {
		t.Helper()
		for _, k := range all {
			if diff := cmp.Diff(k.then, k.got); diff != "" {
				t.Errorf("after %s, what %s returned changed (-then +now):\n%s", after, k.what, diff)
			}
		}
	}
	ops := func(rt *schema.ResourceType, body string) []patch.Operation {
		t.Helper()
		ops, err := patch.Parse(rt, []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+body+`]}`), patch.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return ops
	}

	in := fullUser()
	in.Attributes["password"] = "t1meMa$heen"
	created, err := uh.Create(ctx, in)
	keep("Create", created, err)
	got, err := uh.Get(ctx, created.ID)
	keep("Get", got, err)
	for _, f := range []string{"", `userName eq "bjensen"`, `title eq null`} {
		q := &scim.Query{StartIndex: 1, Count: 10}
		if f != "" {
			q.Filter = mustCompile(t, users, f)
		}
		page, err := uh.List(ctx, q)
		if err == nil && len(page.Resources) != 1 {
			t.Fatalf("List %s: %d resources", f, len(page.Resources))
		}
		keep("List "+f, page.Resources[0], err)
	}
	next := fullUser()
	next.ID = created.ID
	next.Attributes["title"] = "Tour Guide"
	replaced, err := uh.Replace(ctx, next, "")
	check("Replace")
	keep("Replace", replaced, err)
	_, err = uh.Patch(ctx, &scim.PatchRequest{ID: created.ID, Operations: ops(users, `{"op":"replace","path":"name.givenName","value":"Babs"}`)})
	check("Patch of a user")
	got, err = uh.Get(ctx, created.ID)
	keep("Get after Patch", got, err)

	g, err := gh.Create(ctx, &resource.Resource{Attributes: map[string]any{"displayName": "Tour Guides",
		"members": []any{map[string]any{"value": "m0"}}}})
	keep("Create of a group", g, err)
	for i, body := range []string{
		`{"op":"add","path":"members","value":[{"value":"m1"}]}`,
		`{"op":"add","path":"members","value":[{"value":"m2"},{"value":"m3"}]}`,
		`{"op":"remove","path":"members[value eq \"m0\"]"}`,
		`{"op":"remove","path":"members","value":[{"value":"m2"}]}`,
		`{"op":"replace","path":"displayName","value":"Guides"}`,
		`{"op":"add","path":"members","value":[{"value":"m4"}]}`,
	} {
		got, err := gh.Get(ctx, g.ID)
		keep(fmt.Sprintf("Get of a group before PATCH %d", i+1), got, err)
		if _, err := gh.Patch(ctx, &scim.PatchRequest{ID: g.ID, Operations: ops(groups, body)}); err != nil {
			t.Fatalf("PATCH %d %s: %v", i+1, body, err)
		}
		check(fmt.Sprintf("PATCH %d of a group, %s", i+1, body))
	}
	got, err = gh.Get(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, m := range got.Attributes["members"].([]any) {
		values = append(values, m.(map[string]any)["value"].(string))
	}
	slices.Sort(values)
	if want := []string{"m1", "m3", "m4"}; !slices.Equal(values, want) {
		t.Errorf("members %v, want %v", values, want)
	}
	if err := gh.RemoveMember(ctx, "User", "m3"); err != nil {
		t.Fatal(err)
	}
	keep("Get of a group", got, nil)
	check("RemoveMember")
}

func mustCompile(t *testing.T, rt *schema.ResourceType, s string) *filter.Filter {
	t.Helper()
	f, err := filter.Compile(rt, s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestMemoryExternalIDIndex(t *testing.T) {
	ctx := context.Background()
	rt := schema.UserResourceType()
	h := memHandler(rt)
	a := memCreate(t, h, memUser("a", "shared"))
	b := memCreate(t, h, memUser("b", "shared"))
	c := memCreate(t, h, memUser("c", "other"))
	filters := []string{`externalId eq "shared"`, `externalId eq "other"`, `externalId eq "moved"`, `externalId pr`}
	step := func(name string, want map[string][]string, do func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			do(t)
			checkIndexed(t, h, rt, filters...)
			for f, ids := range want {
				got, _ := memList(t, h, rt, f, "", 1, 10)
				if diff := cmp.Diff(ids, got); diff != "" {
					t.Errorf("List(%s) (-want +got):\n%s", f, diff)
				}
			}
		})
	}
	replace := func(t *testing.T, r *resource.Resource, extID string) *resource.Resource {
		r = r.Clone()
		r.ExternalID = extID
		out, err := h.Replace(ctx, r, "")
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	step("created", map[string][]string{`externalId eq "shared"`: {"u1", "u2"}, `externalId eq "other"`: {"u3"}}, func(t *testing.T) {})
	step("Replace moves a", map[string][]string{`externalId eq "shared"`: {"u2"}, `externalId eq "moved"`: {"u1"}}, func(t *testing.T) {
		a = replace(t, a, "moved")
	})
	step("Replace moves a back, in creation order", map[string][]string{`externalId eq "shared"`: {"u1", "u2"}, `externalId eq "moved"`: nil}, func(t *testing.T) {
		a = replace(t, a, "shared")
	})
	step("Replace clears c's", map[string][]string{`externalId eq "other"`: nil, `externalId pr`: {"u1", "u2"}}, func(t *testing.T) {
		c = replace(t, c, "")
	})
	step("a failed Replace leaves the index", map[string][]string{`externalId eq "shared"`: {"u1", "u2"}, `externalId eq "other"`: nil}, func(t *testing.T) {
		r := c.Clone()
		r.ExternalID = "shared"
		r.Attributes["userName"] = "A"
		if _, err := h.Replace(ctx, r, ""); !errors.Is(err, scim.ErrUniqueness) {
			t.Fatalf("Replace: %v, want ErrUniqueness", err)
		}
	})
	step("Delete b", map[string][]string{`externalId eq "shared"`: {"u1"}}, func(t *testing.T) {
		if err := h.Delete(ctx, b.ID, ""); err != nil {
			t.Fatal(err)
		}
	})
	step("Delete a", map[string][]string{`externalId eq "shared"`: nil, `externalId pr`: nil}, func(t *testing.T) {
		if err := h.Delete(ctx, a.ID, ""); err != nil {
			t.Fatal(err)
		}
	})
	step("Create after Delete", map[string][]string{`externalId eq "shared"`: {"u4"}}, func(t *testing.T) {
		memCreate(t, h, memUser("d", "shared"))
	})
}

func TestMemoryPaging(t *testing.T) {
	rt := schema.UserResourceType()
	h := memHandler(rt)
	for i, name := range []string{"g", "c", "e", "a", "f", "b", "d"} {
		memCreate(t, h, memUser(name, "", "active", i%2 == 0))
	}
	// Creation order u1..u7 is g c e a f b d; active are u1 u3 u5 u7.
	tests := []struct {
		filter, sortBy string
		start, count   int
		want           []string
		total          int
	}{
		{"", "", 1, 100, []string{"u1", "u2", "u3", "u4", "u5", "u6", "u7"}, 7},
		{"", "", 1, 3, []string{"u1", "u2", "u3"}, 7},
		{"", "", 3, 3, []string{"u3", "u4", "u5"}, 7},
		{"", "", 6, 3, []string{"u6", "u7"}, 7},
		{"", "", 7, 1, []string{"u7"}, 7},
		{"", "", 8, 3, nil, 7},
		{"", "", 100, 3, nil, 7},
		{"", "", 1, 0, nil, 7},
		{"", "userName", 1, 3, []string{"u4", "u6", "u2"}, 7},
		{"", "userName", 4, 3, []string{"u7", "u3", "u5"}, 7},
		{"", "userName", 7, 3, []string{"u1"}, 7},
		{"", "userName", 2, 0, nil, 7},
		{`active eq true`, "", 1, 100, []string{"u1", "u3", "u5", "u7"}, 4},
		{`active eq true`, "", 2, 2, []string{"u3", "u5"}, 4},
		{`active eq true`, "", 4, 2, []string{"u7"}, 4},
		{`active eq true`, "", 5, 2, nil, 4},
		{`active eq true`, "", 1, 0, nil, 4},
		{`active eq true`, "userName", 1, 2, []string{"u7", "u3"}, 4},
		{`active eq true`, "userName", 3, 2, []string{"u5", "u1"}, 4},
		{`userName eq "c"`, "", 1, 10, []string{"u2"}, 1},
		{`userName eq "c"`, "", 2, 10, nil, 1},
		{`userName eq "c"`, "", 1, 0, nil, 1},
		{`userName eq "c"`, "userName", 1, 10, []string{"u2"}, 1},
		{`userName eq "z"`, "", 1, 10, nil, 0},
		{`id eq "u3" and active eq true`, "", 1, 10, []string{"u3"}, 1},
		{`id eq "u2" and active eq true`, "", 1, 10, nil, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%d/%d", tt.filter, tt.sortBy, tt.start, tt.count), func(t *testing.T) {
			ids, total := memList(t, h, rt, tt.filter, tt.sortBy, tt.start, tt.count)
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
			if total != tt.total {
				t.Errorf("TotalResults = %d, want %d", total, tt.total)
			}
		})
	}
}

// TestMemoryFilterOtherType checks that a filter resolved against another
// copy of the handler's resource type, whose attributes records are not
// laid out by, finds the same resources.
func TestMemoryFilterOtherType(t *testing.T) {
	ctx := context.Background()
	rt := schema.UserResourceType()
	h := scimtest.NewMemoryHandler(rt)
	for _, name := range []string{"alice", "bob", "carol"} {
		if _, err := h.Create(ctx, memUser(name, "g")); err != nil {
			t.Fatal(err)
		}
	}
	for _, typ := range []*schema.ResourceType{rt, schema.UserResourceType()} {
		f := mustCompile(t, typ, `userName sw "B" or userName ew "OL"`)
		page, err := h.List(ctx, &scim.Query{Filter: f, StartIndex: 1, Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range page.Resources {
			names = append(names, r.Attributes["userName"].(string))
		}
		if diff := cmp.Diff([]string{"bob", "carol"}, names); diff != "" {
			t.Errorf("same type %v: users found (-want +got):\n%s", typ == rt, diff)
		}
	}
}

// TestMemoryConcurrent runs writers and readers at once, for the race
// detector, and checks that uniqueness holds under contention. Readers
// list with a filter the index answers and with one evaluated on every
// resource, whose layout for filters readers build while writers drop it.
func TestMemoryConcurrent(t *testing.T) {
	ctx := context.Background()
	rt := schema.UserResourceType()
	h := scimtest.NewMemoryHandler(rt)
	f := mustCompile(t, rt, `userName eq "user0"`)
	scan := mustCompile(t, rt, `title eq "t" or userName sw "user1"`)
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				r, err := h.Create(ctx, memUser("user"+strconv.Itoa(i), "g"+strconv.Itoa(g)))
				if err == nil {
					mu.Lock()
					created++
					mu.Unlock()
					next := r.Clone() // r is what the handler keeps
					next.Attributes["title"] = "t"
					if _, err := h.Replace(ctx, next, r.Meta.Version); err != nil {
						t.Error(err)
					}
				} else if !errors.Is(err, scim.ErrUniqueness) {
					t.Error(err)
				}
				for _, f := range []*filter.Filter{f, scan} {
					if _, err := h.List(ctx, &scim.Query{Filter: f, StartIndex: 1, Count: 10}); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if created != 20 {
		t.Errorf("%d users created, want 20", created)
	}
	for _, f := range []*filter.Filter{nil, scan} {
		page, err := h.List(ctx, &scim.Query{Filter: f, StartIndex: 1, Count: 100})
		if err != nil {
			t.Fatal(err)
		}
		if page.TotalResults != 20 {
			t.Errorf("filter %v: TotalResults = %d, want 20, each with title t", f, page.TotalResults)
		}
	}
}

// TestMemorySecrets checks that a MemoryHandler keeps the values of
// write-only and never-returned attributes only as digests, returns them
// from no method, and keeps them through a Replace that does not carry
// them.
func TestMemorySecrets(t *testing.T) {
	const ent = schema.EnterpriseUserURN
	rt := schema.UserResourceType()
	e := rt.Extension(ent)
	e.Attributes = append(e.Attributes, &schema.Attribute{Name: "pin", Type: schema.String,
		Mutability: schema.WriteOnly, Returned: schema.ReturnedNever})
	h := memHandler(rt)
	ctx := context.Background()
	verify := func(what, path, value string, want bool) {
		t.Helper()
		got, err := h.VerifySecret(ctx, "u1", path, value)
		if err != nil || got != want {
			t.Errorf("after %s: VerifySecret(%q, %q) = %v, %v; want %v", what, path, value, got, err, want)
		}
	}
	returned := func(what string, r *resource.Resource, want map[string]any) {
		t.Helper()
		if diff := cmp.Diff(want, r.Attributes); diff != "" {
			t.Errorf("%s returned attributes (-want +got):\n%s", what, diff)
		}
	}

	out, err := h.Create(ctx, &resource.Resource{Attributes: map[string]any{
		"userName": "bjensen", "password": "t1meMa$heen", ent: map[string]any{"pin": "p1n-s3cret"}}})
	if err != nil {
		t.Fatal(err)
	}
	returned("Create", out, map[string]any{"userName": "bjensen"})
	got, err := h.Get(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	returned("Get", got, map[string]any{"userName": "bjensen"})
	page, err := h.List(ctx, &scim.Query{StartIndex: 1, Count: 10})
	if err != nil || len(page.Resources) != 1 {
		t.Fatalf("List: %v, %v", page, err)
	}
	returned("List", page.Resources[0], map[string]any{"userName": "bjensen"})
	verify("Create", "password", "t1meMa$heen", true)
	verify("Create", "password", "t1meMa$heen ", false)
	verify("Create", ent+":pin", "p1n-s3cret", true)
	dump := scimtest.Dump(h)
	if strings.Contains(dump, "t1meMa$heen") || strings.Contains(dump, "p1n-s3cret") || !strings.Contains(dump, "sha256:") {
		t.Errorf("Dump shows a secret as sent, or no digest:\n%s", dump)
	}

	out, err = h.Replace(ctx, &resource.Resource{ID: "u1", Attributes: map[string]any{"userName": "bjensen", "nickName": "B"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	returned("Replace", out, map[string]any{"userName": "bjensen", "nickName": "B"})
	verify("a Replace without secrets", "password", "t1meMa$heen", true)
	verify("a Replace without secrets", ent+":pin", "p1n-s3cret", true)

	if _, err := h.Replace(ctx, &resource.Resource{ID: "u1", Attributes: map[string]any{"userName": "bjensen", "password": "n3wPassw0rd"}}, ""); err != nil {
		t.Fatal(err)
	}
	verify("a Replace with a password", "password", "t1meMa$heen", false)
	verify("a Replace with a password", "password", "n3wPassw0rd", true)
	verify("a Replace with a password", ent+":pin", "p1n-s3cret", true)

	patchOps := func(body string) []patch.Operation {
		t.Helper()
		ops, err := patch.Parse(rt, []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+body+`]}`), patch.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return ops
	}
	first, err := h.Patch(ctx, &scim.PatchRequest{ID: "u1", Operations: patchOps(`{"op":"replace","path":"password","value":"p4tched"}`)})
	if err != nil {
		t.Fatal(err)
	}
	verify("a Patch of the password", "password", "p4tched", true)
	again, err := h.Patch(ctx, &scim.PatchRequest{ID: "u1", Operations: patchOps(`{"op":"replace","path":"password","value":"p4tched"}`)})
	if err != nil || again.Version != first.Version {
		t.Errorf("a Patch setting the same password again: version %v, error %v; want %q, as nothing changed", again, err, first.Version)
	}
	if _, err := h.Patch(ctx, &scim.PatchRequest{ID: "u1", Operations: patchOps(`{"op":"remove","path":"password"}`)}); err != nil {
		t.Fatal(err)
	}
	verify("a Patch removing the password", "password", "p4tched", false)
	verify("a Patch removing the password", ent+":pin", "p1n-s3cret", true)
	if strings.Contains(scimtest.Dump(h), "p4tched") {
		t.Errorf("Dump shows a patched password as sent:\n%s", scimtest.Dump(h))
	}

	if _, err := h.VerifySecret(ctx, "u2", "password", "x"); !errors.Is(err, scim.ErrNotFound) {
		t.Errorf("VerifySecret of an unknown id: error %v, want scim.ErrNotFound", err)
	}
	if _, err := h.VerifySecret(ctx, "u1", "userName", "bjensen"); err == nil {
		t.Errorf("VerifySecret of userName: no error")
	}
}
