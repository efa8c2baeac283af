package resource_test

import (
	"encoding/json"
	"testing"

	"github.com/scim-go/scim/resource"
)

// The benchmarks work on the RFC 7643 §8.3 enterprise user. The JSON ones do
// the same work schema-blind, with encoding/json and map[string]any, as a
// baseline to compare with in one run.

func BenchmarkDecode(b *testing.B) {
	data := readFile(b, "enterprise_user.json")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := resource.Decode(userRT, data, resource.DecodeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeStrict(b *testing.B) {
	data := readFile(b, "enterprise_user.json")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := resource.Decode(userRT, data, resource.DecodeOptions{Strict: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONUnmarshalMap(b *testing.B) {
	data := readFile(b, "enterprise_user.json")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshal(b *testing.B) {
	r := storedEnterpriseUser(b)
	b.SetBytes(int64(len(resource.Marshal(userRT, r, nil))))
	b.ReportAllocs()
	for b.Loop() {
		resource.Marshal(userRT, r, nil)
	}
}

// BenchmarkAppendJSON reuses its buffer, as the server does with a pool.
func BenchmarkAppendJSON(b *testing.B) {
	r := storedEnterpriseUser(b)
	buf := resource.Marshal(userRT, r, nil)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = resource.AppendJSON(buf[:0], userRT, r, nil)
	}
}

func BenchmarkMarshalProjection(b *testing.B) {
	r := storedEnterpriseUser(b)
	p := resource.NewProjection(userRT, []string{"userName", "name.givenName", "emails.value", entURN + ":manager"}, nil)
	b.ReportAllocs()
	for b.Loop() {
		resource.Marshal(userRT, r, p)
	}
}

func BenchmarkJSONMarshalMap(b *testing.B) {
	var m map[string]any
	if err := json.Unmarshal(readFile(b, "enterprise_user.json"), &m); err != nil {
		b.Fatal(err)
	}
	out, err := json.Marshal(m)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendJSONSparse writes a user with the few attributes identity
// providers send (userName, name, two emails, active), as most stored
// users are, served at an endpoint.
func BenchmarkAppendJSONSparse(b *testing.B) {
	r, err := resource.Decode(userRT, []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
		"externalId":"ext-42","userName":"user42","name":{"givenName":"Given42","familyName":"Family42"},
		"emails":[{"type":"work","primary":true,"value":"user42@example.org"},{"type":"home","value":"user42@home.example.net"}],
		"active":true}`), resource.DecodeOptions{})
	if err != nil {
		b.Fatal(err)
	}
	r.ID = "0000002a-0000-4000-8000-00000000002a"
	r.Meta = resource.Meta{Created: created, LastModified: lastModified, Version: "1"}
	buf := resource.AppendJSONAt(nil, userRT, r, nil, "https://example.com/scim/v2/Users")
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = resource.AppendJSONAt(buf[:0], userRT, r, nil, "https://example.com/scim/v2/Users")
	}
}
