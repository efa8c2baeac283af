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
