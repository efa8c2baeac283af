package sqlstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/sqlstore"
)

// newServer returns a SCIM server over s's endpoints.
func newServer(t testing.TB, s *sqlstore.Store, cfg scim.Config) http.Handler {
	t.Helper()
	cfg.Endpoints = s.Endpoints()
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://example.com/scim/v2"
	}
	srv, err := scim.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// call sends one request, as tenant when not "", and returns the status
// and the decoded body.
func call(t testing.TB, h http.Handler, tenant, method, target, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	if tenant != "" {
		req = req.WithContext(context.WithValue(req.Context(), tenantKey{}, tenant))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var doc map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatalf("%s %s: %v: %s", method, target, err, rec.Body)
		}
	}
	return rec.Code, doc
}

// must sends a request and fails the test unless it gets status want.
func must(t testing.TB, h http.Handler, want int, method, target, body string) map[string]any {
	t.Helper()
	code, doc := call(t, h, "", method, target, body)
	if code != want {
		t.Fatalf("%s %s: status %d, want %d: %v", method, target, code, want, doc)
	}
	return doc
}

// ids returns the ids of a list response's resources, in order.
func ids(doc map[string]any) []string {
	var out []string
	list, _ := doc["Resources"].([]any)
	for _, r := range list {
		m, _ := r.(map[string]any)
		id, _ := m["id"].(string)
		out = append(out, id)
	}
	return out
}

func user(userName string, more ...string) string {
	s := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":` + jsonString(userName)
	for _, m := range more {
		s += "," + m
	}
	return s + "}"
}

func group(displayName string, members ...string) string {
	s := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":` + jsonString(displayName)
	if len(members) > 0 {
		var vals []string
		for _, m := range members {
			vals = append(vals, `{"value":`+jsonString(m)+`}`)
		}
		s += `,"members":[` + strings.Join(vals, ",") + `]`
	}
	return s + "}"
}

func patchOps(ops ...string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Join(ops, ",") + `]}`
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func jsonEncoder(w *bytes.Buffer) *json.Encoder { return json.NewEncoder(w) }

func decodeJSON(t testing.TB, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatal(err)
	}
}
