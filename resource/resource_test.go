package resource_test

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

const (
	userURN   = schema.UserURN
	entURN    = schema.EnterpriseUserURN
	widgetURN = "urn:example:params:scim:schemas:core:2.0:Widget"
	auditURN  = "urn:example:params:scim:schemas:extension:audit:2.0:Widget"
)

// The resource types are shared by the tests, which only read them.
var (
	userRT   = schema.UserResourceType()
	groupRT  = schema.GroupResourceType()
	widgetRT = widgetType()
)

// widgetType is a custom resource type with an attribute of every type and
// every mutability and returned characteristic, at the top level and as
// sub-attributes, and a required extension.
func widgetType() *schema.ResourceType {
	core := &schema.Schema{
		ID:   widgetURN,
		Name: "Widget",
		Attributes: []*schema.Attribute{
			{Name: "name", Required: true},
			{Name: "serial", CaseExact: true, Mutability: schema.Immutable},
			{Name: "count", Type: schema.Integer},
			{Name: "weight", Type: schema.Decimal},
			{Name: "enabled", Type: schema.Boolean},
			{Name: "built", Type: schema.DateTime},
			{Name: "blob", Type: schema.Binary, CaseExact: true},
			{Name: "link", Type: schema.Reference, ReferenceTypes: []string{"external"}},
			{Name: "tags", MultiValued: true},
			{Name: "aliases", MultiValued: true, Mutability: schema.Immutable},
			{Name: "secret", Returned: schema.ReturnedRequest},
			{Name: "token", Mutability: schema.WriteOnly, Returned: schema.ReturnedNever},
			{Name: "status", Required: true, Mutability: schema.ReadOnly, Returned: schema.ReturnedAlways},
			{Name: "part", Type: schema.Complex, SubAttributes: []*schema.Attribute{
				{Name: "label", Required: true},
				{Name: "code", Mutability: schema.Immutable},
				{Name: "note", Returned: schema.ReturnedRequest},
				{Name: "hidden", Returned: schema.ReturnedNever},
				{Name: "kind", Returned: schema.ReturnedAlways},
				{Name: "revision", Type: schema.Integer, Mutability: schema.ReadOnly},
			}},
			{Name: "parts", Type: schema.Complex, MultiValued: true, SubAttributes: []*schema.Attribute{
				{Name: "value", Required: true},
				{Name: "primary", Type: schema.Boolean},
				{Name: "note", Returned: schema.ReturnedRequest},
				{Name: "sizes", Type: schema.Integer, MultiValued: true},
			}},
		},
	}
	audit := &schema.Schema{
		ID:   auditURN,
		Name: "Audit",
		Attributes: []*schema.Attribute{
			{Name: "auditor", Required: true},
			{Name: "level", Type: schema.Integer, Mutability: schema.Immutable},
			{Name: "memo", Returned: schema.ReturnedRequest},
		},
	}
	rt := &schema.ResourceType{
		ID:         "Widget",
		Name:       "Widget",
		Endpoint:   "/Widgets",
		Schema:     core,
		Extensions: []schema.Extension{{Schema: audit, Required: true}},
	}
	if err := rt.Validate(); err != nil {
		panic(err)
	}
	return rt
}

func TestWidgetTypeIsValid(t *testing.T) {
	if err := widgetType().Validate(); err != nil {
		t.Fatal(err)
	}
}

// readFile reads a file under testdata.
func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// asError returns err as a *resource.Error, failing the test if it is
// another kind of error.
func asError(t *testing.T, err error) *resource.Error {
	t.Helper()
	if err == nil {
		return nil
	}
	var re *resource.Error
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T) is not a *resource.Error", err, err)
	}
	return re
}

// checkError compares err with want, as whole *resource.Error values.
func checkError(t *testing.T, want *resource.Error, err error) {
	t.Helper()
	if diff := cmp.Diff(want, asError(t, err)); diff != "" {
		t.Errorf("error mismatch (-want +got):\n%s", diff)
	}
}

func TestLogValueRedacts(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	r := &resource.Resource{ID: "u1", Meta: resource.Meta{ResourceType: "User", Version: "3"},
		Attributes: map[string]any{"userName": "bjensen@example.com", "password": "t1meMa$heen"}}
	logger.Info("stored", "resource", r)
	got := buf.String()
	if strings.Contains(got, "bjensen@example.com") || strings.Contains(got, "t1meMa$heen") {
		t.Errorf("log shows attribute values: %s", got)
	}
	if !strings.Contains(got, "resource.id=u1") || !strings.Contains(got, "[password userName]") {
		t.Errorf("log lacks the id and attribute names: %s", got)
	}
}

func TestCommonValue(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := &resource.Resource{ID: "u1", Meta: resource.Meta{ResourceType: "User", Created: created, Version: "3"}}
	for _, c := range []struct {
		name, sub string
		want      any
	}{
		{"id", "", "u1"},
		{"externalId", "", nil},
		{"meta", "created", created},
		{"meta", "lastModified", nil},
		{"meta", "version", `W/"3"`},
		{"meta", "", map[string]any{"resourceType": "User", "created": created, "version": `W/"3"`}},
		{"userName", "", nil},
	} {
		if diff := cmp.Diff(c.want, r.CommonValue(c.name, c.sub)); diff != "" {
			t.Errorf("CommonValue(%q, %q) (-want +got):\n%s", c.name, c.sub, diff)
		}
	}
	if got := (&resource.Resource{}).CommonValue("meta", ""); got != nil {
		t.Errorf("CommonValue of an empty meta = %#v, want nil", got)
	}
}
