package filter_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// BenchmarkValuePathScan evaluates
//
//	emails[type eq "work" and value co "example.org"]
//
// over 10,000 users and keeps one page of 100 matches, as a store without
// an index answers a list request. The target: the filter within 3x the
// time of plainLoop, the loop a developer would write by hand for this one
// filter over the same resources. record is the filter on the resources
// laid out by filter.NewRecord, as a store that keeps them in memory
// evaluates it.
func BenchmarkValuePathScan(b *testing.B) {
	const n, pageSize = 10_000, 100
	users := valuePathUsers(n)
	rt := schema.UserResourceType()
	f, err := filter.Compile(rt, `emails[type eq "work" and value co "example.org"]`)
	if err != nil {
		b.Fatal(err)
	}
	// Both sides find the same resources.
	want, got := plainWorkEmailMatch(users), filterMatch(f, users)
	if diff := cmp.Diff(ids(want), ids(got)); diff != "" {
		b.Fatalf("filter and plain loop disagree (-plain +filter):\n%s", diff)
	}
	if len(want) < n/4 || len(want) > n/2 {
		b.Fatalf("%d of %d users match; want about a third", len(want), n)
	}
	b.Run("filter", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			matched := filterMatch(f, users)
			pageSink, totalSink = matched[:min(pageSize, len(matched))], len(matched)
		}
	})
	b.Run("record", func(b *testing.B) {
		recs := make([]*filter.Record, len(users))
		for i, r := range users {
			recs[i] = filter.NewRecord(rt, r)
		}
		b.ReportAllocs()
		for b.Loop() {
			var matched []*resource.Resource
			for _, rec := range recs {
				if f.MatchRecord(rec) {
					matched = append(matched, rec.Resource())
				}
			}
			pageSink, totalSink = matched[:min(pageSize, len(matched))], len(matched)
		}
	})
	b.Run("plainLoop", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			matched := plainWorkEmailMatch(users)
			pageSink, totalSink = matched[:min(pageSize, len(matched))], len(matched)
		}
	})
}

var (
	pageSink  []*resource.Resource
	totalSink int
)

func filterMatch(f *filter.Filter, users []*resource.Resource) []*resource.Resource {
	var matched []*resource.Resource
	for _, r := range users {
		if f.Match(r) {
			matched = append(matched, r)
		}
	}
	return matched
}

// plainWorkEmailMatch is the filter written by hand for resources as
// resource.Decode produces them.
func plainWorkEmailMatch(users []*resource.Resource) []*resource.Resource {
	var matched []*resource.Resource
	for _, r := range users {
		emails, _ := r.Attributes["emails"].([]any)
		for _, e := range emails {
			m, _ := e.(map[string]any)
			typ, _ := m["type"].(string)
			value, _ := m["value"].(string)
			if strings.EqualFold(typ, "work") && strings.Contains(strings.ToLower(value), "example.org") {
				matched = append(matched, r)
				break
			}
		}
	}
	return matched
}

func ids(rs []*resource.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// valuePathUsers returns n users with two or three emails each. A third of
// them have a work address at example.org (in varying case); others have a
// work address elsewhere and a home or other address at example.org, so
// that only a match within one email finds the right third.
func valuePathUsers(n int) []*resource.Resource {
	domains := []string{"corp.example.com", "example.net", "mail.example.io"}
	users := make([]*resource.Resource, n)
	for i := range users {
		id := strconv.Itoa(i)
		first, last := "user"+id, "family"+strconv.Itoa(i%97)
		workDomain := domains[i%len(domains)]
		if i%3 == 0 {
			workDomain = "example.org"
			if i%9 == 0 {
				workDomain = "Example.ORG"
			}
		}
		workType := "work"
		if i%5 == 0 {
			workType = "Work"
		}
		emails := []any{
			map[string]any{"value": first + "." + last + "@" + workDomain, "type": workType, "primary": true},
			map[string]any{"value": first + "@home.example.net", "type": "home"},
		}
		if i%2 == 1 {
			emails[1].(map[string]any)["value"] = first + "@example.org"
		}
		if i%4 == 0 {
			emails = append(emails, map[string]any{"value": last + "." + id + "@example.org", "type": "other"})
		}
		users[i] = &resource.Resource{
			ID:         "id-" + id,
			ExternalID: "ext-" + id,
			Meta:       resource.Meta{ResourceType: "User", Created: created, LastModified: created, Version: "1"},
			Attributes: map[string]any{
				"userName":    first + "@example.com",
				"name":        map[string]any{"givenName": first, "familyName": last},
				"displayName": first + " " + last,
				"active":      i%10 != 0,
				"emails":      emails,
			},
		}
	}
	return users
}

// BenchmarkContainsWorstCase searches a long value for a long literal that
// almost matches everywhere: the search stays linear.
func BenchmarkContainsWorstCase(b *testing.B) {
	rt := schema.UserResourceType()
	value := strings.Repeat("a", 1<<20)
	f, err := filter.Compile(rt, `displayName co "`+strings.Repeat("a", 4000)+`b"`)
	if err != nil {
		b.Fatal(err)
	}
	r := &resource.Resource{Attributes: map[string]any{"displayName": value}}
	b.ReportAllocs()
	for b.Loop() {
		if f.Match(r) {
			b.Fatal("matched")
		}
	}
}
