package resource_test

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// FuzzAccessor checks, for any path and values of every Go type Set
// takes, that the Accessor never panics and fails only with a
// *PathError; that a path Get refuses Set refuses too; that a failing Set
// leaves the resource as it was, and no Set changes a resource that shares
// values with the one it sets; and that Set then Get round-trips: Get
// returns the value set or, where the path selects several values, values
// that each are the value set (a map having at least its sub-attributes),
// and the typed getter of the value's type returns it.
func FuzzAccessor(f *testing.F) {
	for _, p := range []string{
		"userName", "name.familyName", "NAME.givenName", "active", "emails", "emails.value",
		`emails[type eq "work"].value`, `emails[type eq "work"]`, `emails[type eq work and primary eq true].display`,
		`emails[value eq "bjensen@example.com"].type`, `emails[type eq "other"].primary`, `phoneNumbers[type eq "work"].value`,
		`emails[type eq "work" and type eq "home"].value`, `emails[primary eq "true"]`, `emails [type eq "\u0077ork"] `,
		"manager", "manager.value", entURN, entURN + ":employeeNumber", entURN + ":manager.displayName",
		"id", "externalId", "meta", "meta.version", "groups", "x509Certificates", "password",
		"count", "weight", "built", "blob", "link", "tags", "part", "part.revision", "parts", "parts.sizes",
		`parts[value eq "p1"].sizes`, `parts[primary eq true]`, `parts[value eq p2].primary`, `parts[value eq "p3"].note`,
		auditURN, auditURN + ":level", "level",
		"", ".", "[", "]", `emails[`, `emails[]`, `emails[type eq "\`, `emails[type eq 1e999]`, `emails[type eq -0]`,
		"urn:", "urn:x:y", userURN + ":", entURN + ":", "name..familyName", "emails[type eq \"work\"].value.x",
	} {
		f.Add(p, "bjensen@example.com", int64(42), 2.5, true)
	}
	f.Add(`emails[type eq "work"].value`, "a\x00", int64(-1), -0.0, false)
	f.Add("blob", "aGk=", int64(1)<<62, 1e300, false)
	f.Add("tags", "", int64(0), 0.0, true)
	f.Add("externalId", "", int64(0), 0.0, true)

	type fixture struct {
		a  *resource.Accessor
		rt *schema.ResourceType
		r  func() *resource.Resource
	}
	user := accessUser(f)
	fixtures := []fixture{
		{users, userRT, user.Clone},
		{widgets, widgetRT, fullWidget},
	}
	f.Fuzz(func(t *testing.T, path, s string, n int64, x float64, b bool) {
		when := time.Unix(n%(1<<40), 0).UTC()
		candidates := []any{
			nil, s, b, n, x, when,
			[]any{s}, []any{n}, []string{s, s},
			map[string]any{}, map[string]any{"value": s}, map[string]any{"value": s, "primary": b},
			[]any{map[string]any{"value": s}},
		}
		for _, fx := range fixtures {
			r := fx.r()
			_, getErr := fx.a.Get(r, path)
			checkFuzzError(t, getErr)
			_, _, err := fx.a.String(r, path)
			checkFuzzError(t, err)
			_, err = fx.a.Strings(r, path)
			checkFuzzError(t, err)
			_, _, err = fx.a.Bool(r, path)
			checkFuzzError(t, err)
			_, _, err = fx.a.Int(r, path)
			checkFuzzError(t, err)
			_, _, err = fx.a.Float(r, path)
			checkFuzzError(t, err)
			_, _, err = fx.a.Time(r, path)
			checkFuzzError(t, err)
			if !reflect.DeepEqual(r, fx.r()) {
				t.Fatalf("%s: reading %q changed the resource", fx.rt.Name, path)
			}

			for _, v := range candidates {
				shared := *r // shares every map and slice with r
				shared.Attributes = maps.Clone(r.Attributes)
				err := fx.a.Set(&shared, path, v)
				if !reflect.DeepEqual(r, fx.r()) {
					t.Fatalf("%s: Set(%q, %#v) changed a resource that shares values with the one set", fx.rt.Name, path, v)
				}
				if err != nil {
					checkFuzzError(t, err)
					if !reflect.DeepEqual(&shared, r) {
						t.Fatalf("%s: Set(%q, %#v) failed with %v, and changed the resource", fx.rt.Name, path, v, err)
					}
					continue
				}
				if getErr != nil {
					t.Fatalf("%s: Get(%q) fails with %v, but Set(%#v) succeeds", fx.rt.Name, path, getErr, v)
				}
				got, err := fx.a.Get(&shared, path)
				if err != nil {
					t.Fatalf("%s: Get(%q) after Set: %v", fx.rt.Name, path, err)
				}
				if !holds(got, v) {
					t.Fatalf("%s: Set(%q, %#v), then Get returns %#v", fx.rt.Name, path, v, got)
				}
				checkTyped(t, fx.a, &shared, path, v)
				resource.Marshal(fx.rt, &shared, nil)
			}
		}
	})
}

func checkFuzzError(t *testing.T, err error) {
	t.Helper()
	var pe *resource.PathError
	if err != nil && !errors.As(err, &pe) {
		t.Fatalf("error %v is a %T, want *resource.PathError", err, err)
	}
}

// checkTyped checks that the typed getter of v's Go type returns v at
// path, where Set has just set it.
func checkTyped(t *testing.T, a *resource.Accessor, r *resource.Resource, path string, v any) {
	t.Helper()
	var got any
	var ok bool
	var err error
	switch v := v.(type) {
	case string:
		got, ok, err = a.String(r, path)
		if v == "" && !ok && err == nil {
			return // an empty externalId is none
		}
	case bool:
		got, ok, err = a.Bool(r, path)
	case int64:
		if got, ok, err = a.Int(r, path); err != nil {
			got, ok, err = a.Float(r, path) // a decimal attribute
		}
	case time.Time:
		got, ok, err = a.Time(r, path)
	default:
		return
	}
	if err != nil || !ok || !same(got, v) {
		t.Fatalf("after Set(%q, %#v), the typed getter returns %#v, %v, %v", path, v, got, ok, err)
	}
}

// holds reports whether got, what Get returns after Set of want, is want:
// either itself, or, where the path selects several values, a list of
// values each of which is want.
func holds(got, want any) bool {
	if empty(want) || want == "" {
		// An empty map or slice is no value, and so is an empty
		// externalId.
		if got == nil {
			return true
		}
	} else if want == nil {
		return got == nil
	}
	l, ok := got.([]any)
	if !ok {
		return same(got, want)
	}
	if len(l) == 0 {
		return false
	}
	if wl, ok := list(want); ok {
		// A list set whole, or as the sub-attribute of every value a path
		// selects: each value found is one of the list's, and each of the
		// list's is found.
		for _, g := range l {
			if !slices.ContainsFunc(wl, func(w any) bool { return same(g, w) }) {
				return false
			}
		}
		for _, w := range wl {
			if !slices.ContainsFunc(l, func(g any) bool { return same(g, w) }) {
				return false
			}
		}
		return true
	}
	for _, g := range l {
		if !same(g, want) {
			return false
		}
	}
	return true
}

func empty(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

func list(v any) ([]any, bool) {
	switch v := v.(type) {
	case []any:
		return v, true
	case []string:
		l := make([]any, len(v))
		for i, s := range v {
			l[i] = s
		}
		return l, true
	}
	return nil, false
}

// same reports whether got, a value Get returns, is want, a value given to
// Set: a map has at least want's sub-attributes, numbers are compared by
// value and times by instant.
func same(got, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			if !same(g[k], wv) {
				return false
			}
		}
		return true
	case time.Time:
		g, ok := got.(time.Time)
		return ok && g.Equal(w)
	case int64, float64:
		wf, _ := resource.Float64(w)
		gf, ok := resource.Float64(got)
		return ok && gf == wf
	}
	return got == want
}
