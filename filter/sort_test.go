package filter_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// sortedIDs sorts rs, stably, by sortBy and sortOrder and returns their ids.
func sortedIDs(t *testing.T, rt *schema.ResourceType, sortBy, sortOrder string, rs []*resource.Resource) []string {
	t.Helper()
	s, err := filter.ResolveSort(rt, sortBy, sortOrder)
	if err != nil {
		t.Fatal(err)
	}
	rs = slices.Clone(rs)
	slices.SortStableFunc(rs, s.Compare)
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

func sortUsers() []*resource.Resource {
	return []*resource.Resource{
		{ID: "carol", Meta: resource.Meta{Created: created.Add(2 * time.Hour)}, Attributes: map[string]any{
			"userName": "carol",
			"name":     map[string]any{"givenName": "Carol"},
			"active":   true,
			"emails": []any{
				map[string]any{"value": "z@example.com", "type": "home", "primary": false},
				map[string]any{"value": "c@example.com", "type": "work", "primary": true},
			},
		}},
		{ID: "Alice", Meta: resource.Meta{Created: created.In(time.FixedZone("EST", -5*3600))}, Attributes: map[string]any{
			"userName": "Alice",
			"name":     map[string]any{"givenName": "alice"},
			"active":   false,
			"emails": []map[string]any{
				{"value": "b@example.com", "type": "work"},
				{"value": "a@example.com", "type": "home"},
			},
		}},
		{ID: "bob", Meta: resource.Meta{Created: created.Add(time.Hour)}, Attributes: map[string]any{
			"userName": "bob",
			"name":     map[string]any{},
			"emails":   []any{},
		}},
		{ID: "alice", Attributes: map[string]any{
			"userName": "alice",
			"name":     map[string]any{"givenName": "Älice"},
			"active":   true,
			schema.EnterpriseUserURN: map[string]any{
				"employeeNumber": "7",
				"manager":        map[string]any{"value": "m2"},
			},
		}},
		{ID: "nameless", Meta: resource.Meta{Created: created.Add(-time.Hour)}, Attributes: map[string]any{
			schema.EnterpriseUserURN: map[string]any{
				"employeeNumber": "10",
				"manager":        map[string]any{"value": "M1"},
			},
		}},
	}
}

func sortDevices() []*resource.Resource {
	return []*resource.Resource{
		{ID: "d1", Attributes: map[string]any{
			"name":  "b",
			"code":  "b",
			"count": int64(5),
			"big":   int64(9007199254740993),
			"ratio": 0.5,
			"seen":  tenOClock,
			"tags":  []string{"zeta", "alpha"},
			"parts": []map[string]any{
				{"value": "p9", "size": 1},
				{"value": "p1", "size": 20, "primary": true},
			},
		}},
		{ID: "d2", Attributes: map[string]any{
			"name":    "B",
			"code":    "B",
			"count":   7,
			"big":     json.Number("9007199254740994"),
			"ratio":   json.Number("2.5"),
			"enabled": true,
			"seen":    "2020-01-01T11:30:00+02:00",
			"tags":    []any{"beta"},
			"parts":   []any{map[string]any{"value": "p5", "size": int64(5)}},
		}},
		{ID: "d3", Attributes: map[string]any{
			"name":    "a",
			"code":    "a",
			"count":   json.Number("10"),
			"big":     9007199254740993,
			"ratio":   int64(2),
			"enabled": false,
			"seen":    tenOClock.Add(30 * time.Minute).In(time.FixedZone("IST", 5*3600+1800)),
			"tags":    []string{},
		}},
		{ID: "d4", Attributes: map[string]any{
			"name":  "A",
			"code":  "A",
			"big":   int64(9007199254740992),
			"ratio": float32(1.5),
			"seen":  "2020-01-01T10:15:00Z",
		}},
		{ID: "d5", Attributes: map[string]any{}},
	}
}

func TestSort(t *testing.T) {
	users, devices := schema.UserResourceType(), deviceType()
	tests := []struct {
		rt            *schema.ResourceType
		sortBy, order string
		want          []string
	}{
		// Strings compare case-insensitively, then exactly so that the
		// order does not depend on the store's; missing values sort last
		// in either direction.
		{users, "userName", "", []string{"Alice", "alice", "bob", "carol", "nameless"}},
		{users, "userName", "ascending", []string{"Alice", "alice", "bob", "carol", "nameless"}},
		{users, "USERNAME", "DESCENDING", []string{"carol", "bob", "alice", "Alice", "nameless"}},
		{users, "name.givenName", "", []string{"Alice", "carol", "alice", "bob", "nameless"}},
		{users, "name.givenName", "descending", []string{"alice", "carol", "Alice", "bob", "nameless"}},
		{devices, "name", "", []string{"d4", "d3", "d2", "d1", "d5"}},
		{devices, "name", "descending", []string{"d1", "d2", "d3", "d4", "d5"}},
		// caseExact strings compare exactly.
		{devices, "code", "", []string{"d4", "d2", "d3", "d1", "d5"}},
		{devices, "code", "descending", []string{"d1", "d3", "d2", "d4", "d5"}},

		// A multi-valued attribute sorts by its primary value, else its
		// first; a complex one by "value".
		{users, "emails", "", []string{"Alice", "carol", "bob", "alice", "nameless"}},
		{users, "emails.value", "descending", []string{"carol", "Alice", "bob", "alice", "nameless"}},
		{users, "emails.type", "", []string{"carol", "Alice", "bob", "alice", "nameless"}},
		{devices, "tags", "", []string{"d2", "d1", "d3", "d4", "d5"}},
		{devices, "tags", "descending", []string{"d1", "d2", "d3", "d4", "d5"}},
		{devices, "parts", "", []string{"d1", "d2", "d3", "d4", "d5"}},
		{devices, "parts.size", "", []string{"d2", "d1", "d3", "d4", "d5"}},
		{devices, "parts.size", "descending", []string{"d1", "d2", "d3", "d4", "d5"}},

		// Numbers compare numerically whatever their Go type, integers
		// exactly.
		{devices, "count", "", []string{"d1", "d2", "d3", "d4", "d5"}},
		{devices, "count", "descending", []string{"d3", "d2", "d1", "d4", "d5"}},
		{devices, "big", "", []string{"d4", "d1", "d3", "d2", "d5"}},
		{devices, "big", "descending", []string{"d2", "d1", "d3", "d4", "d5"}},
		{devices, "ratio", "", []string{"d1", "d4", "d3", "d2", "d5"}},
		{devices, "ratio", "descending", []string{"d2", "d3", "d4", "d1", "d5"}},

		// Booleans: false before true.
		{devices, "enabled", "", []string{"d3", "d2", "d1", "d4", "d5"}},
		{devices, "enabled", "descending", []string{"d2", "d3", "d1", "d4", "d5"}},
		{users, "active", "", []string{"Alice", "carol", "alice", "bob", "nameless"}},

		// dateTimes compare as instants, in any zone, as time.Time or
		// string.
		{devices, "seen", "", []string{"d2", "d1", "d4", "d3", "d5"}},
		{devices, "seen", "descending", []string{"d3", "d4", "d1", "d2", "d5"}},
		{users, "meta.created", "", []string{"nameless", "Alice", "bob", "carol", "alice"}},
		{users, "meta.created", "descending", []string{"carol", "bob", "Alice", "nameless", "alice"}},

		// Extension attributes.
		{users, schema.EnterpriseUserURN + ":employeeNumber", "", []string{"nameless", "alice", "carol", "Alice", "bob"}},
		{users, schema.EnterpriseUserURN + ":manager", "", []string{"nameless", "alice", "carol", "Alice", "bob"}},
		{users, schema.EnterpriseUserURN + ":manager.value", "descending", []string{"alice", "nameless", "carol", "Alice", "bob"}},

		// Attributes nobody has keep the store's order.
		{users, "title", "descending", []string{"carol", "Alice", "bob", "alice", "nameless"}},
		{users, "id", "", []string{"Alice", "alice", "bob", "carol", "nameless"}},
	}
	for _, tt := range tests {
		t.Run(tt.sortBy+"/"+tt.order, func(t *testing.T) {
			var rs []*resource.Resource
			if tt.rt.Name == "User" {
				rs = sortUsers()
			} else {
				rs = sortDevices()
			}
			if diff := cmp.Diff(tt.want, sortedIDs(t, tt.rt, tt.sortBy, tt.order, rs)); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveSort(t *testing.T) {
	users := schema.UserResourceType()
	tests := []struct {
		sortBy, order string
		want          string // canonical path
		descending    bool
	}{
		{"userName", "", "userName", false},
		{"userName", "Ascending", "userName", false},
		{"userName", "DESCENDING", "userName", true},
		{"emails", "", "emails.value", false},
		{"Meta.LastModified", "descending", "meta.lastModified", true},
		{"urn:ietf:params:scim:schemas:core:2.0:User:name.familyName", "", "name.familyName", false},
		{schema.EnterpriseUserURN + ":manager", "", schema.EnterpriseUserURN + ":manager.value", false},
	}
	for _, tt := range tests {
		t.Run(tt.sortBy+"/"+tt.order, func(t *testing.T) {
			s, err := filter.ResolveSort(users, tt.sortBy, tt.order)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]any{tt.want, tt.descending}, []any{s.Attr.String(), s.Descending}); diff != "" {
				t.Errorf("ResolveSort (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveSortErrors(t *testing.T) {
	users := schema.UserResourceType()
	tests := []struct {
		sortBy, order string
		want          filter.AttributeError
	}{
		{`emails[type eq "work"]`, "", filter.AttributeError{Path: `emails[type eq "work"]`, Msg: "sortBy must be an attribute path without a filter"}},
		{`emails[type eq "work"].value`, "", filter.AttributeError{Path: `emails[type eq "work"].value`, Msg: "sortBy must be an attribute path without a filter"}},
		{"nothing", "", filter.AttributeError{Path: "nothing", Msg: "no such attribute in resource type User", Undefined: true}},
		{"name.nickname", "", filter.AttributeError{Path: "name.nickname", Msg: `name has no sub-attribute "nickname"`, Undefined: true}},
		{"urn:example:foo:User:userName", "", filter.AttributeError{Path: "urn:example:foo:User:userName", Msg: "unknown schema urn:example:foo:User for resource type User", Undefined: true}},
		{schema.EnterpriseUserURN, "", filter.AttributeError{Path: schema.EnterpriseUserURN, Msg: "a schema URN alone is not an attribute"}},
		{"password", "", filter.AttributeError{Path: "password", Msg: "cannot be used in a filter or for sorting"}},
		{"name", "", filter.AttributeError{Path: "name", Msg: `a complex attribute without a "value" sub-attribute cannot be sorted by`}},
		{"meta", "", filter.AttributeError{Path: "meta", Msg: `a complex attribute without a "value" sub-attribute cannot be sorted by`}},
		{"userName", "sideways", filter.AttributeError{Path: "userName", Msg: `sortOrder must be "ascending" or "descending", found "sideways"`}},
		{"userName", "asc", filter.AttributeError{Path: "userName", Msg: `sortOrder must be "ascending" or "descending", found "asc"`}},
		{"userName", " ascending", filter.AttributeError{Path: "userName", Msg: `sortOrder must be "ascending" or "descending", found " ascending"`}},
	}
	for _, tt := range tests {
		t.Run(tt.sortBy+"/"+tt.order, func(t *testing.T) {
			s, err := filter.ResolveSort(users, tt.sortBy, tt.order)
			checkAttributeError(t, tt.want, s, err)
		})
	}
	for _, by := range []string{"", "user name", "emails[", "userName eq \"x\""} {
		t.Run("syntax/"+by, func(t *testing.T) {
			_, err := filter.ResolveSort(users, by, "")
			var se *filter.SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("ResolveSort(%q) = %v, want *SyntaxError", by, err)
			}
		})
	}
}

// TestSortFold sorts strings beyond ASCII: by filter.Fold, then byte by
// byte, unless caseExact. The order differs from that of strings.ToLower:
// "ſ" sorts as "s", "Μ" as MICRO SIGN before "ß", and "İ" as itself, not as
// "i".
func TestSortFold(t *testing.T) {
	rt := deviceType()
	for _, tt := range []struct {
		sortBy, order string
		want          []string
	}{
		{"name", "", []string{"i", "k", "kelvin", "s", "long", "ss", "mu", "sharp", "upper", "lower", "dotted", "dz3", "dz1", "dz2", "sigma"}},
		{"name", "descending", []string{"sigma", "dz2", "dz1", "dz3", "dotted", "lower", "upper", "sharp", "mu", "ss", "long", "s", "kelvin", "k", "i"}},
		{"code", "", []string{"ss", "i", "k", "s", "upper", "sharp", "lower", "dotted", "long", "dz3", "dz1", "dz2", "mu", "sigma", "kelvin"}},
	} {
		t.Run(tt.sortBy+"/"+tt.order, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, sortedIDs(t, rt, tt.sortBy, tt.order, foldDevices())); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSortCompareIsFold checks Sort.Compare on every pair of foldDevices
// against its definition.
func TestSortCompareIsFold(t *testing.T) {
	rt := deviceType()
	asc, err := filter.ResolveSort(rt, "name", "")
	if err != nil {
		t.Fatal(err)
	}
	desc, err := filter.ResolveSort(rt, "name", "descending")
	if err != nil {
		t.Fatal(err)
	}
	rs := foldDevices()
	for _, a := range rs {
		for _, b := range rs {
			x, y := a.Attributes["name"].(string), b.Attributes["name"].(string)
			want := strings.Compare(filter.Fold(x), filter.Fold(y))
			if want == 0 {
				want = strings.Compare(x, y)
			}
			if got := asc.Compare(a, b); got != want {
				t.Errorf("Compare(%q, %q) = %d, want %d", x, y, got, want)
			}
			if got := desc.Compare(a, b); got != -want {
				t.Errorf("descending Compare(%q, %q) = %d, want %d", x, y, got, -want)
			}
		}
	}
}
