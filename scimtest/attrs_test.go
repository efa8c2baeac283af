package scimtest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/schema"
)

func cutUsers(t *testing.T) *schema.ResourceType {
	t.Helper()
	rt, err := schema.UserResourceType().Subset("userName", "name.formatted", "emails.value", schema.EnterpriseUserURN+":department")
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

func TestHasAttr(t *testing.T) {
	full, cut := schema.UserResourceType(), cutUsers(t)
	ent := schema.EnterpriseUserURN
	tests := []struct {
		path      string
		full, cut bool
	}{
		{"userName", true, true},
		{"USERNAME", true, true},
		{"id", true, true},
		{"externalId", true, true},
		{"meta.lastModified", true, true},
		{"nickName", true, false},
		{"name", true, true},
		{"name.formatted", true, true},
		{"name.givenName", true, false},
		{"emails.value", true, true},
		{"emails.type", true, false},
		{"password", true, false},
		{"userName.x", false, false},
		{"noSuchAttribute", false, false},
		{ent + ":department", true, true},
		{ent + ":costCenter", true, false},
		{ent + ":manager.value", true, false},
		{schema.UserURN + ":userName", true, true},
		{"urn:example:other:userName", false, false},
	}
	for _, tt := range tests {
		if got := hasAttr(full, tt.path); got != tt.full {
			t.Errorf("hasAttr(User, %q) = %v, want %v", tt.path, got, tt.full)
		}
		if got := hasAttr(cut, tt.path); got != tt.cut {
			t.Errorf("hasAttr(cut User, %q) = %v, want %v", tt.path, got, tt.cut)
		}
	}
}

func TestPrune(t *testing.T) {
	ent := schema.EnterpriseUserURN
	got := prune(cutUsers(t), doc{
		"schemas":      []any{schema.UserURN, ent},
		"userName":     "bjensen",
		"externalId":   "x",
		"nickName":     "Babs",
		"name":         doc{"formatted": "Ms. Barbara J Jensen", "givenName": "Barbara"},
		"emails":       []any{doc{"value": "b@example.com", "type": "work"}, doc{"type": "home"}},
		"phoneNumbers": []any{doc{"value": "555"}},
		ent:            doc{"department": "Tour Operations", "costCenter": "4130"},
	})
	want := doc{
		"schemas":    []any{schema.UserURN, ent},
		"userName":   "bjensen",
		"externalId": "x",
		"name":       doc{"formatted": "Ms. Barbara J Jensen"},
		"emails":     []any{doc{"value": "b@example.com"}},
		ent:          doc{"department": "Tour Operations"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("prune (-want +got):\n%s", diff)
	}
	got = prune(cutUsers(t), doc{"schemas": []any{schema.UserURN, ent}, "userName": "a", ent: doc{"costCenter": "1"}})
	want = doc{"schemas": []any{schema.UserURN}, "userName": "a"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("prune of an extension left empty (-want +got):\n%s", diff)
	}
}

func TestNoteAttr(t *testing.T) {
	cut := cutUsers(t)
	titled, err := schema.UserResourceType().Subset("userName", "title")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		rt   *schema.ResourceType
		want string
	}{
		{"User", schema.UserResourceType(), "nickName"},
		{"User cut to userName and title", titled, "title"},
		{"User cut to userName, name.formatted, emails.value and department", cut, "externalId"},
	} {
		if got := noteAttr(tt.rt); got != tt.want {
			t.Errorf("noteAttr(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
