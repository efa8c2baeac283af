package scimtest

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// TestFoldedFilters checks the filters of the filter-unicode case against
// filter.Filter.Match, the oracle the case names.
func TestFoldedFilters(t *testing.T) {
	users := schema.UserResourceType()
	for _, tt := range foldedFilters {
		t.Run(tt.filter, func(t *testing.T) {
			f, err := filter.Compile(users, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, name := range foldedFilterNames {
				if f.Match(&resource.Resource{Attributes: map[string]any{"userName": name}}) {
					got = append(got, name)
				}
			}
			if diff := cmp.Diff(sorted(tt.want), sorted(got)); diff != "" {
				t.Errorf("matches (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFoldedUserNames checks the userNames of the uniqueness-unicode case
// against filter.Fold.
func TestFoldedUserNames(t *testing.T) {
	var folds []string
	for _, tt := range foldedUserNames {
		for _, same := range tt.same {
			if filter.Fold(same) != filter.Fold(tt.first) {
				t.Errorf("Fold(%q) = %q, Fold(%q) = %q; want them equal", same, filter.Fold(same), tt.first, filter.Fold(tt.first))
			}
		}
		folds = append(folds, filter.Fold(tt.first))
	}
	if filter.Fold("gross") == filter.Fold("groß") {
		t.Errorf("Fold(\"gross\") == Fold(\"groß\")")
	}
	if len(slices.Compact(slices.Sorted(slices.Values(folds)))) != len(folds) {
		t.Errorf("two first userNames fold alike: %q", folds)
	}
}
