package secevent_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
	"github.com/scim-go/scim/secevent"
)

// jsonValue decodes b into the generic form encoding/json gives, for
// comparing JSON documents whatever their member order and spacing.
func jsonValue(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	return v
}

func fixed(jti string, iat int64, aud ...string) secevent.Options {
	return secevent.Options{
		Issuer:   "https://scim.example.com",
		Audience: aud,
		NewID:    func() string { return jti },
		Now:      func() time.Time { return time.Unix(iat, 0) },
		Txn:      func(scim.Event) string { return "" }, // the figures have none
	}
}

const (
	feed1 = "https://scim.example.com/Feeds/98d52461fa5bbc879593b7754"
	feed2 = "https://scim.example.com/Feeds/5d7604516b1d08641d7676ee7"
)

// TestRFC9967Examples reproduces the provisioning examples of RFC 9967
// §2.4 (Figures 4 to 11, kept as the RFC prints them in
// testdata/rfc9967) from scim.Events that describe the same writes. The
// RFC's figures give "version" as a bare string; RFC 9967 §2.2 defines it
// as the resource's entity tag, as the ETag header carries it, which is
// what the Issuer writes, so the expected version is the figure's wrapped
// as the weak tag this server sends.
func TestRFC9967Examples(t *testing.T) {
	tests := []struct {
		figure     string
		opts       secevent.Options
		event      scim.Event
		full       bool
		data       string
		externalID string
	}{
		{
			figure: "figure4", // create, full
			opts:   fixed("4d3559ec67504aaba65d40b0363faad8", 1458496404, feed1, feed2),
			event:  scim.Event{Kind: scim.Created, ResourceType: "User", ID: "44f6142df96bd6ab61e7521d9"},
			full:   true,
			data: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
				"emails":[{"type":"work","value":"jdoe@example.com"}],
				"userName":"jdoe","name":{"givenName":"John","familyName":"Doe"}}`,
			externalID: "jdoe",
		},
		{
			figure: "figure5", // create, notice
			opts:   fixed("4d3559ec67504aaba65d40b0363faad8", 1458496404, feed1, feed2),
			event: scim.Event{Kind: scim.Created, ResourceType: "User", ID: "44f6142df96bd6ab61e7521d9",
				Changes: scim.Changes{Attributes: []string{"id", "name", "userName", "password", "emails"}}},
			externalID: "jdoe",
		},
		{
			figure: "figure6", // patch, full, with the PatchOp request as data
			opts:   fixed("6164f3bbf6ff41a88dc94f18cb0620e8", 1458505044, feed1),
			event: scim.Event{Kind: scim.Patched, ResourceType: "Group", ID: "176f397ec4c44b94b2cfcb759780b8c2", Version: "a330bc54f0671c9",
				Changes: scim.Changes{Attributes: []string{"members"}, MembersAdded: []string{"2819c223-7f76-453a-919d-413861904646"}}},
			full: true,
			data: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
				"Operations":[{"op":"add","path":"members","value":[{"display":"Babs Jensen",
				"$ref":"/Users/2819c223...413861904646","value":"2819c223-7f76-453a-919d-413861904646"}]}]}`,
			externalID: "crmUsers",
		},
		{
			figure: "figure7", // patch, notice
			opts:   fixed("6164f3bbf6ff41a88dc94f18cb0620e8", 1458505044, feed1),
			event: scim.Event{Kind: scim.Patched, ResourceType: "Group", ID: "176f397ec4c44b94b2cfcb759780b8c2", Version: "a330bc54f0671c9",
				Changes: scim.Changes{Attributes: []string{"members"}, MembersAdded: []string{"2819c223-7f76-453a-919d-413861904646"}}},
			externalID: "crmUsers",
		},
		{
			figure: "figure8", // put, full
			opts:   fixed("6164f3bbf6ff41a88dc94f18cb0620e8", 1458505044, feed1),
			event: scim.Event{Kind: scim.Replaced, ResourceType: "User", ID: "2819c223-7f76-453a-919d-413861904646", Version: "a330bc54f0671c9",
				Changes: scim.Changes{Attributes: []string{"emails", "externalId", "name", "roles", "userName"}}},
			full: true,
			data: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"jdoe","externalId":"jdoe",
				"name":{"formatted":"Mr. Jon Jack Doe III","familyName":"Doe","givenName":"Jon","middleName":"Jack"},
				"roles":[],"emails":[{"value":"jdoe@example.com"},{"value":"anon@jdoe.org"}]}`,
		},
		{
			figure: "figure9", // put, notice
			opts:   fixed("6164f3bbf6ff41a88dc94f18cb0620e8", 1458505044, feed1),
			event: scim.Event{Kind: scim.Replaced, ResourceType: "User", ID: "2819c223-7f76-453a-919d-413861904646", Version: "a330bc54f0671c9",
				Changes: scim.Changes{Attributes: []string{"userName", "externalId", "name", "roles", "emails"}}},
		},
		{
			figure:     "figure10", // delete
			opts:       fixed("6164f3bbf6ff41a88dc94f18cb0620e8", 1458505044, feed1),
			event:      scim.Event{Kind: scim.Deleted, ResourceType: "User", ID: "2b2f880af6674ac284bae9381673d462"},
			externalID: "jDoe",
		},
		{
			figure: "figure11", // activate
			opts:   fixed("6164f3bbf6ff41a88dc94f18cb0620e8", 1458505044, feed1),
			event: scim.Event{Kind: scim.Activated, ResourceType: "User", ID: "2b2f880af6674ac284bae9381673d462",
				Changes: scim.Changes{Attributes: []string{"active"}, Activated: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.figure, func(t *testing.T) {
			file, err := os.ReadFile(filepath.Join("testdata", "rfc9967", tt.figure+".json"))
			if err != nil {
				t.Fatal(err)
			}
			want := jsonValue(t, file)
			for _, p := range want.(map[string]any)["events"].(map[string]any) {
				p := p.(map[string]any)
				if v, ok := p["version"].(string); ok {
					p["version"] = `W/"` + v + `"`
				}
			}

			iss, err := secevent.NewIssuer(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var c *secevent.Claims
			if tt.full {
				c, err = iss.Full(tt.event, json.RawMessage(tt.data))
			} else {
				c, err = iss.Notice(tt.event)
			}
			if err != nil {
				t.Fatal(err)
			}
			c.Subject.ExternalID = tt.externalID // a scim.Event does not carry it
			got, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, jsonValue(t, got)); diff != "" {
				t.Errorf("claims (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEvents checks the events each kind of scim.Event gives, as a notice
// and in full.
func TestEvents(t *testing.T) {
	const data = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"bjensen","active":false}`
	user := func(kind scim.ChangeKind, version string, c scim.Changes) scim.Event {
		return scim.Event{Kind: kind, ResourceType: "User", ID: "u1", Version: version, Changes: c}
	}
	tests := []struct {
		name  string
		event scim.Event
		full  bool
		want  string // the events claim
	}{
		{"create", user(scim.Created, "1", scim.Changes{Attributes: []string{"active", "userName"}}), false,
			`{"urn:ietf:params:scim:event:prov:create:notice":{"version":"W/\"1\"","attributes":["active","userName"]}}`},
		{"create with no attributes", user(scim.Created, "", scim.Changes{}), false,
			`{"urn:ietf:params:scim:event:prov:create:notice":{"attributes":[]}}`},
		{"create full", user(scim.Created, "1", scim.Changes{Attributes: []string{"userName"}}), true,
			`{"urn:ietf:params:scim:event:prov:create:full":{"version":"W/\"1\"","data":` + data + `}}`},
		{"put", user(scim.Replaced, "2", scim.Changes{Attributes: []string{"title"}}), false,
			`{"urn:ietf:params:scim:event:prov:put:notice":{"version":"W/\"2\"","attributes":["title"]}}`},
		{"put full", user(scim.Replaced, "2", scim.Changes{Attributes: []string{"title"}}), true,
			`{"urn:ietf:params:scim:event:prov:put:full":{"version":"W/\"2\"","data":` + data + `}}`},
		{"patch", user(scim.Patched, "3", scim.Changes{Attributes: []string{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}}), false,
			`{"urn:ietf:params:scim:event:prov:patch:notice":{"version":"W/\"3\"","attributes":["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"]}}`},
		{"patch full", user(scim.Patched, "3", scim.Changes{Attributes: []string{"title"}}), true,
			`{"urn:ietf:params:scim:event:prov:patch:full":{"version":"W/\"3\"","data":` + data + `}}`},
		{"delete", user(scim.Deleted, "", scim.Changes{}), false,
			`{"urn:ietf:params:scim:event:prov:delete":{}}`},
		{"delete full", user(scim.Deleted, "", scim.Changes{}), true,
			`{"urn:ietf:params:scim:event:prov:delete":{}}`},
		{"deactivate", user(scim.Deactivated, "4", scim.Changes{Attributes: []string{"active", "title"}, Deactivated: true}), false,
			`{"urn:ietf:params:scim:event:prov:deactivate":{"version":"W/\"4\""}}`},
		{"deactivate full", user(scim.Deactivated, "4", scim.Changes{Attributes: []string{"active"}, Deactivated: true}), true,
			`{"urn:ietf:params:scim:event:prov:deactivate":{"version":"W/\"4\""}}`},
		{"activate", user(scim.Activated, "5", scim.Changes{Attributes: []string{"active"}, Activated: true}), false,
			`{"urn:ietf:params:scim:event:prov:activate":{"version":"W/\"5\""}}`},
		{"deactivating patch", func() scim.Event {
			e := user(scim.Deactivated, "8", scim.Changes{Attributes: []string{"active", "title"}, Deactivated: true})
			e.Write = scim.Patched
			return e
		}(), false,
			`{"urn:ietf:params:scim:event:prov:patch:notice":{"version":"W/\"8\"","attributes":["active","title"]},
			  "urn:ietf:params:scim:event:prov:deactivate":{}}`},
		{"activating put, full", func() scim.Event {
			e := user(scim.Activated, "9", scim.Changes{Attributes: []string{"active"}, Activated: true})
			e.Write = scim.Replaced
			return e
		}(), true,
			`{"urn:ietf:params:scim:event:prov:put:full":{"version":"W/\"9\"","data":` + data + `},
			  "urn:ietf:params:scim:event:prov:activate":{}}`},
		{"patch that deactivates", user(scim.Patched, "6", scim.Changes{Attributes: []string{"active"}, Deactivated: true}), false,
			`{"urn:ietf:params:scim:event:prov:patch:notice":{"version":"W/\"6\"","attributes":["active"]},
			  "urn:ietf:params:scim:event:prov:deactivate":{}}`},
		{"put that activates, full", user(scim.Replaced, "7", scim.Changes{Attributes: []string{"active"}, Activated: true}), true,
			`{"urn:ietf:params:scim:event:prov:put:full":{"version":"W/\"7\"","data":` + data + `},
			  "urn:ietf:params:scim:event:prov:activate":{}}`},
		{"version that is no entity tag as it is", user(scim.Patched, `a"b`, scim.Changes{Attributes: []string{"title"}}), false,
			`{"urn:ietf:params:scim:event:prov:patch:notice":{"version":"W/\"a%22b\"","attributes":["title"]}}`},
	}
	iss, err := secevent.NewIssuer(secevent.Options{Issuer: "https://scim.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c *secevent.Claims
			if tt.full {
				c, err = iss.Full(tt.event, json.RawMessage(data))
			} else {
				c, err = iss.Notice(tt.event)
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(c.Events)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(jsonValue(t, []byte(tt.want)), jsonValue(t, got)); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if want := (secevent.Subject{Format: "scim", URI: "/Users/u1"}); c.Subject != want {
				t.Errorf("Subject = %+v, want %+v", c.Subject, want)
			}
		})
	}
}

// TestSubject checks the uri of the subject for resource types of the
// host's and for ids that need escaping in a path.
func TestSubject(t *testing.T) {
	devices := &schema.ResourceType{Name: "Device", Endpoint: "/Devices"}
	iss, err := secevent.NewIssuer(secevent.Options{
		Issuer:        "https://scim.example.com",
		ResourceTypes: []*schema.ResourceType{schema.UserResourceType(), devices},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		resourceType, id, want string
	}{
		{"User", "2819c223-7f76-453a-919d-413861904646", "/Users/2819c223-7f76-453a-919d-413861904646"},
		{"Device", "d1", "/Devices/d1"},
		{"User", "a/b c?", "/Users/a%2Fb%20c%3F"},
	}
	for _, tt := range tests {
		c, err := iss.Notice(scim.Event{Kind: scim.Deleted, ResourceType: tt.resourceType, ID: tt.id})
		if err != nil {
			t.Fatal(err)
		}
		if c.Subject.URI != tt.want {
			t.Errorf("%s %q: uri %q, want %q", tt.resourceType, tt.id, c.Subject.URI, tt.want)
		}
	}
	if _, err := iss.Notice(scim.Event{Kind: scim.Deleted, ResourceType: "Group", ID: "g1"}); err == nil {
		t.Error("Group, which Options.ResourceTypes leaves out: no error")
	}
}

// TestErrors checks the events an Issuer refuses and why.
func TestErrors(t *testing.T) {
	iss, err := secevent.NewIssuer(secevent.Options{Issuer: "https://scim.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	patched := scim.Event{Kind: scim.Patched, ResourceType: "User", ID: "u1", Version: "2"}
	tests := []struct {
		name        string
		event       scim.Event
		full        bool
		data        string
		nilData     bool
		want        string
		unsupported bool
	}{
		{name: "unknown kind", event: scim.Event{Kind: "merge", ResourceType: "User", ID: "u1"},
			want: `secevent: no RFC 9967 event for this kind of change: kind "merge"`, unsupported: true},
		{name: "no kind", event: scim.Event{ResourceType: "User", ID: "u1"},
			want: `secevent: no RFC 9967 event for this kind of change: kind ""`, unsupported: true},
		{name: "unknown kind, full", event: scim.Event{Kind: "merge", ResourceType: "User", ID: "u1"}, full: true, data: `{}`,
			want: `secevent: no RFC 9967 event for this kind of change: kind "merge"`, unsupported: true},
		{name: "no id", event: scim.Event{Kind: scim.Deleted, ResourceType: "User"},
			want: "secevent: delete event of a User has no id"},
		{name: "unknown resource type", event: scim.Event{Kind: scim.Created, ResourceType: "Device", ID: "d1"},
			want: `secevent: create event of unknown resource type "Device"; see Options.ResourceTypes`},
		{name: "full without data", event: patched, full: true, nilData: true,
			want: "secevent: patch event of User u1: no data for a full event"},
		{name: "full with empty data", event: patched, full: true, data: "",
			want: "secevent: patch event of User u1: data is not a JSON object"},
		{name: "full with an array", event: patched, full: true, data: `[{"userName":"bjensen"}]`,
			want: "secevent: patch event of User u1: data is not a JSON object"},
		{name: "full with invalid JSON", event: patched, full: true, data: `{"userName":`,
			want: "secevent: patch event of User u1: data is not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c *secevent.Claims
			var err error
			switch {
			case !tt.full:
				c, err = iss.Notice(tt.event)
			case tt.nilData:
				c, err = iss.Full(tt.event, nil)
			default:
				c, err = iss.Full(tt.event, json.RawMessage(tt.data))
			}
			if err == nil {
				t.Fatalf("no error; claims %+v", c)
			}
			if err.Error() != tt.want {
				t.Errorf("error %q, want %q", err, tt.want)
			}
			if errors.Is(err, secevent.ErrUnsupported) != tt.unsupported {
				t.Errorf("errors.Is(%v, ErrUnsupported) = %v, want %v", err, !tt.unsupported, tt.unsupported)
			}
		})
	}
}

// TestNewIssuerErrors checks the options NewIssuer refuses.
func TestNewIssuerErrors(t *testing.T) {
	tests := []struct {
		name string
		opts secevent.Options
		want string
	}{
		{"no issuer", secevent.Options{}, "secevent: Options.Issuer is empty"},
		{"nil type", secevent.Options{Issuer: "i", ResourceTypes: []*schema.ResourceType{nil}},
			"secevent: Options.ResourceTypes[0] is nil"},
		{"no name", secevent.Options{Issuer: "i", ResourceTypes: []*schema.ResourceType{{Endpoint: "/Users"}}},
			"secevent: Options.ResourceTypes[0] has no name"},
		{"no endpoint", secevent.Options{Issuer: "i", ResourceTypes: []*schema.ResourceType{{Name: "User"}}},
			`secevent: resource type "User": endpoint "" is not a path such as "/Users"`},
		{"relative endpoint", secevent.Options{Issuer: "i", ResourceTypes: []*schema.ResourceType{{Name: "User", Endpoint: "Users"}}},
			`secevent: resource type "User": endpoint "Users" is not a path such as "/Users"`},
		{"two of a name", secevent.Options{Issuer: "i", ResourceTypes: []*schema.ResourceType{schema.UserResourceType(), schema.UserResourceType()}},
			`secevent: two resource types named "User"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := secevent.NewIssuer(tt.opts)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestRoundTrip marshals claims sets of every shape and unmarshals them
// back.
func TestRoundTrip(t *testing.T) {
	at := time.Date(2026, 5, 14, 15, 23, 38, 123456789, time.UTC)
	iss, err := secevent.NewIssuer(secevent.Options{
		Issuer:   "https://scim.example.com",
		Audience: []string{feed1, feed2},
	})
	if err != nil {
		t.Fatal(err)
	}
	events := []struct {
		e    scim.Event
		data string
	}{
		{scim.Event{Kind: scim.Created, ResourceType: "User", ID: "u1", Version: "1", Time: at,
			Changes: scim.Changes{Attributes: []string{"userName"}}}, ""},
		{scim.Event{Kind: scim.Created, ResourceType: "User", ID: "u1", Time: at}, ""}, // "attributes": []
		{scim.Event{Kind: scim.Created, ResourceType: "User", ID: "u1", Version: "1", Time: at},
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"bjensen"}`},
		{scim.Event{Kind: scim.Patched, ResourceType: "Group", ID: "g1", Version: "2", Time: at,
			Changes: scim.Changes{Attributes: []string{"active"}, Deactivated: true}}, ""},
		{scim.Event{Kind: scim.Deleted, ResourceType: "Group", ID: "g1", Time: at}, ""},
		{scim.Event{Kind: scim.Deactivated, ResourceType: "User", ID: "u\u2028/1", Version: "3"}, ""},
	}
	for _, ev := range events {
		var c *secevent.Claims
		if ev.data != "" {
			c, err = iss.Full(ev.e, json.RawMessage(ev.data))
		} else {
			c, err = iss.Notice(ev.e)
		}
		if err != nil {
			t.Fatal(err)
		}
		c.Subject.ExternalID, c.Subject.ID = "x1", ev.e.ID
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var back secevent.Claims
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c, &back); diff != "" {
			t.Errorf("%s: round trip of %s (-want +got):\n%s", ev.e.Kind, b, diff)
		}
		again, err := json.Marshal(&back)
		if err != nil {
			t.Fatal(err)
		}
		if string(again) != string(b) {
			t.Errorf("marshalled again:\n%s\nwant\n%s", again, b)
		}
	}
}

// TestClaims checks the claims besides the events: their defaults, and
// what the options set.
func TestClaims(t *testing.T) {
	at := time.Date(2026, 5, 14, 15, 23, 38, 500, time.UTC)
	e := scim.Event{Kind: scim.Patched, ResourceType: "User", ID: "u1", Version: "2", Time: at,
		Changes: scim.Changes{Attributes: []string{"title"}}}

	aud := []string{feed1}
	one, err := secevent.NewIssuer(secevent.Options{Issuer: "https://scim.example.com", Audience: aud})
	if err != nil {
		t.Fatal(err)
	}
	aud[0] = "changed after NewIssuer"
	other, err := secevent.NewIssuer(secevent.Options{Issuer: "https://scim.example.com", Audience: []string{feed2}})
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().Unix()
	a, err := one.Notice(e)
	if err != nil {
		t.Fatal(err)
	}
	b, err := other.Full(e, json.RawMessage(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now().Unix()

	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, c := range []*secevent.Claims{a, b} {
		if !hex32.MatchString(c.ID) || !hex32.MatchString(c.Txn) {
			t.Errorf("jti %q, txn %q: want 32 hex digits each", c.ID, c.Txn)
		}
		if c.IssuedAt < before || c.IssuedAt > after {
			t.Errorf("iat %d, not between %d and %d", c.IssuedAt, before, after)
		}
		if c.TimeOfEvent != at.Unix() {
			t.Errorf("toe %d, want %d", c.TimeOfEvent, at.Unix())
		}
		if c.Issuer != "https://scim.example.com" {
			t.Errorf("iss %q", c.Issuer)
		}
	}
	if diff := cmp.Diff([]string{feed1}, a.Audience); diff != "" {
		t.Errorf("aud (-want +got):\n%s", diff)
	}
	if a.ID == b.ID {
		t.Errorf("two tokens with jti %q", a.ID)
	}
	if a.Txn != b.Txn {
		t.Errorf("one write, two txn: %q and %q", a.Txn, b.Txn)
	}
	for _, d := range []scim.Event{
		{Kind: scim.Patched, ResourceType: "User", ID: "u1", Version: "3", Time: at},
		{Kind: scim.Patched, ResourceType: "User", ID: "u1", Version: "2", Time: at.Add(time.Nanosecond)},
		{Kind: scim.Patched, ResourceType: "User", ID: "u2", Version: "2", Time: at},
		{Kind: scim.Patched, ResourceType: "Group", ID: "u1", Version: "2", Time: at},
		{Kind: scim.Deactivated, ResourceType: "User", ID: "u1", Version: "2", Time: at},
	} {
		c, err := one.Notice(d)
		if err != nil {
			t.Fatal(err)
		}
		if c.Txn == a.Txn {
			t.Errorf("%+v: txn %q, as for another write", d, c.Txn)
		}
	}

	// Neither aud, txn nor toe when there is none.
	bare, err := secevent.NewIssuer(secevent.Options{
		Issuer: "https://scim.example.com",
		NewID:  func() string { return "j1" },
		Now:    func() time.Time { return time.Unix(1458505044, 0) },
		Txn:    func(scim.Event) string { return "" },
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := bare.Notice(scim.Event{Kind: scim.Deleted, ResourceType: "User", ID: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"jti":"j1","iss":"https://scim.example.com","iat":1458505044,"sub_id":{"format":"scim","uri":"/Users/u1"},"events":{"urn:ietf:params:scim:event:prov:delete":{}}}`
	if string(got) != want {
		t.Errorf("claims\n%s\nwant\n%s", got, want)
	}
}

// TestData checks that Full keeps its own copy of data.
func TestData(t *testing.T) {
	iss, err := secevent.NewIssuer(secevent.Options{Issuer: "https://scim.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	data := []byte(`{"userName":"bjensen"}`)
	c, err := iss.Full(scim.Event{Kind: scim.Created, ResourceType: "User", ID: "u1"}, data)
	if err != nil {
		t.Fatal(err)
	}
	copy(data, `{"userName":"xxxxxxx"}`)
	if got := string(c.Events[secevent.CreateFull].Data); got != `{"userName":"bjensen"}` {
		t.Errorf("data %s after the caller's changed", got)
	}
}

// TestURIs checks the lists for securityEvents.eventUris.
func TestURIs(t *testing.T) {
	notice := []string{
		"urn:ietf:params:scim:event:prov:create:notice",
		"urn:ietf:params:scim:event:prov:put:notice",
		"urn:ietf:params:scim:event:prov:patch:notice",
		"urn:ietf:params:scim:event:prov:delete",
		"urn:ietf:params:scim:event:prov:activate",
		"urn:ietf:params:scim:event:prov:deactivate",
	}
	if diff := cmp.Diff(notice, secevent.NoticeURIs()); diff != "" {
		t.Errorf("NoticeURIs (-want +got):\n%s", diff)
	}
	full := make([]string, len(notice))
	for i, u := range notice {
		full[i] = strings.Replace(u, ":notice", ":full", 1)
	}
	if diff := cmp.Diff(full, secevent.FullURIs()); diff != "" {
		t.Errorf("FullURIs (-want +got):\n%s", diff)
	}
	secevent.NoticeURIs()[0] = "changed"
	if secevent.NoticeURIs()[0] != notice[0] {
		t.Error("NoticeURIs returns a slice its caller can change for others")
	}
}

// TestServer issues notices from the events of a server's writes: a
// create, a PATCH that deactivates, a PUT that reactivates and changes
// more, a group's membership and a delete.
func TestServer(t *testing.T) {
	users, groups := schema.UserResourceType(), schema.GroupResourceType()
	uh, gh := scimtest.NewMemoryHandler(users), scimtest.NewMemoryHandler(groups)
	uh.NewID, gh.NewID = func() string { return "u1" }, func() string { return "g1" }
	iss, err := secevent.NewIssuer(secevent.Options{
		Issuer:        "https://scim.example.com",
		ResourceTypes: []*schema.ResourceType{users, groups},
	})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []string
	srv, err := scim.NewServer(scim.Config{
		Endpoints: []scim.Endpoint{{Type: users, Handler: uh}, {Type: groups, Handler: gh}},
		OnEvent: func(ctx context.Context, e scim.Event) {
			c, err := iss.Notice(e)
			if err != nil {
				t.Error(err)
				return
			}
			b, err := json.Marshal(struct {
				URI    string                      `json:"uri"`
				Events map[string]secevent.Payload `json:"events"`
			}{c.Subject.URI, c.Events})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got = append(got, string(b))
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	const user = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"`
	for _, r := range []struct{ method, path, body string }{
		{"POST", "/Users", `{` + user + `,"active":true,"password":"t1meMa$heen"}`},
		{"PATCH", "/Users/u1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`},
		{"PUT", "/Users/u1", `{` + user + `,"active":true,"title":"Tour Guide"}`},
		{"POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Tour Guides"}`},
		{"PATCH", "/Groups/g1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"u1"}]}]}`},
		{"DELETE", "/Users/u1", ""},
	} {
		req := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
		req.Header.Set("Content-Type", "application/scim+json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 300 {
			t.Fatalf("%s %s: %d %s", r.method, r.path, rec.Code, rec.Body)
		}
	}
	want := []string{
		`{"uri":"/Users/u1","events":{"urn:ietf:params:scim:event:prov:create:notice":{"version":"W/\"1\"","attributes":["active","password","userName"]}}}`,
		`{"uri":"/Users/u1","events":{"urn:ietf:params:scim:event:prov:deactivate":{},"urn:ietf:params:scim:event:prov:patch:notice":{"version":"W/\"2\"","attributes":["active"]}}}`,
		`{"uri":"/Users/u1","events":{"urn:ietf:params:scim:event:prov:activate":{},"urn:ietf:params:scim:event:prov:put:notice":{"version":"W/\"3\"","attributes":["active","title"]}}}`,
		`{"uri":"/Groups/g1","events":{"urn:ietf:params:scim:event:prov:create:notice":{"version":"W/\"1\"","attributes":["displayName"]}}}`,
		`{"uri":"/Groups/g1","events":{"urn:ietf:params:scim:event:prov:patch:notice":{"version":"W/\"2\"","attributes":["members"]}}}`,
		`{"uri":"/Users/u1","events":{"urn:ietf:params:scim:event:prov:delete":{}}}`,
		// Deleting u1 removed it from the group.
		`{"uri":"/Groups/g1","events":{"urn:ietf:params:scim:event:prov:patch:notice":{"version":"W/\"3\"","attributes":["members"]}}}`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tokens (-want +got):\n%s", diff)
	}
}

func BenchmarkNotice(b *testing.B) {
	iss, err := secevent.NewIssuer(secevent.Options{Issuer: "https://scim.example.com", Audience: []string{feed1}})
	if err != nil {
		b.Fatal(err)
	}
	e := scim.Event{Kind: scim.Patched, ResourceType: "User", ID: "2819c223-7f76-453a-919d-413861904646", Version: "7",
		Time: time.Now(), Changes: scim.Changes{Attributes: []string{"emails", "name", "title"}}}
	b.ReportAllocs()
	for b.Loop() {
		c, err := iss.Notice(e)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(c); err != nil {
			b.Fatal(err)
		}
	}
}
