package filter_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// FuzzMatchRecord checks that MatchRecord agrees with Match for every
// filter that resolves against the test types, on every test resource,
// and for filters across types (ResolveAbsent) too.
func FuzzMatchRecord(f *testing.F) {
	for _, tests := range [][]matchTest{userMatchTests, groupMatchTests, deviceMatchTests} {
		for _, tt := range tests {
			f.Add(tt.filter)
		}
	}
	type suite struct {
		rt   *schema.ResourceType
		recs []*filter.Record
	}
	var suites []suite
	for _, s := range []struct {
		rt *schema.ResourceType
		rs []*resource.Resource
	}{
		{schema.UserResourceType(), testUsers()},
		{schema.GroupResourceType(), testGroups()},
		{deviceType(), testDevices()},
		{deviceType(), foldDevices()},
	} {
		var recs []*filter.Record
		for _, r := range s.rs {
			recs = append(recs, filter.NewRecord(s.rt, r))
		}
		suites = append(suites, suite{s.rt, recs})
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := filter.Parse(s)
		if err != nil {
			return
		}
		for _, su := range suites {
			for _, resolve := range []func(*schema.ResourceType, filter.Expr) (*filter.Filter, error){filter.Resolve, filter.ResolveAbsent} {
				fl, err := resolve(su.rt, e)
				if err != nil {
					continue
				}
				for _, rec := range su.recs {
					if got, want := fl.MatchRecord(rec), fl.Match(rec.Resource()); got != want {
						t.Fatalf("%s on %s: MatchRecord = %v, Match = %v", fl, rec.Resource().ID, got, want)
					}
				}
			}
		}
	})
}

// TestRecordDoesNotModify checks that NewRecord leaves the resource as it
// was and that a Record keeps the values it lays out as they were when it
// was built.
func TestRecordDoesNotModify(t *testing.T) {
	rt := schema.UserResourceType()
	rs := testUsers()
	f, err := filter.Compile(rt, `emails[type eq "work" and value co "example"] or name.givenName sw "b"`)
	if err != nil {
		t.Fatal(err)
	}
	var recs []*filter.Record
	var want []bool
	for _, r := range rs {
		rec := filter.NewRecord(rt, r)
		recs = append(recs, rec)
		want = append(want, f.MatchRecord(rec))
	}
	if diff := cmp.Diff(testUsers(), rs); diff != "" {
		t.Errorf("resources changed (-want +got):\n%s", diff)
	}
	for _, r := range rs {
		delete(r.Attributes, "emails")
		delete(r.Attributes, "name")
	}
	for i, rec := range recs {
		if got := f.MatchRecord(rec); got != want[i] {
			t.Errorf("%s: MatchRecord after the resource changed = %v, want %v as when the record was built", rs[i].ID, got, want[i])
		}
	}
}

// TestMatchRecordOtherType checks that a Record built with another copy of
// the resource type, whose attributes are other pointers, still gives the
// answers of Match.
func TestMatchRecordOtherType(t *testing.T) {
	f, err := filter.Compile(schema.UserResourceType(), `emails[type eq "work" and value co "EXAMPLE"] and userName pr`)
	if err != nil {
		t.Fatal(err)
	}
	other := schema.UserResourceType()
	n := 0
	for _, r := range testUsers() {
		want := f.Match(r)
		if got := f.MatchRecord(filter.NewRecord(other, r)); got != want {
			t.Errorf("%s: MatchRecord = %v, Match = %v", r.ID, got, want)
		}
		if want {
			n++
		}
	}
	if n == 0 {
		t.Error("the filter matches no test user")
	}
}
