package jsonv

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// reference decodes data as the callers did before: encoding/json's
// Decoder with UseNumber, one value and nothing after it.
func reference(data []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}

var samples = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e-3`, `-12.25E+10`, `true`, `false`, `null`,
	` {"a" : [1, "two", {"three": null}], "b": true} `,
	`{"a":1,"a":2}`,
	`"esc \" \\ \/ \b \f \n \r \t \u00e9 \u20AC \ud83d\ude00"`,
	`"lone \ud800 and \udc00 and \ud800\u0041 and \ud800\ud800"`,
	"\"bad utf-8 \xff\xfe and \xe2\x82\"",
	"\"ok é € 😀\"",
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","emails":[{"value":"b@example.com","primary":true}]}`,
	strings.Repeat("[", 100) + strings.Repeat("]", 100),
	// Invalid.
	``, ` `, `{`, `}`, `[`, `[1,]`, `{"a":1,}`, `{"a"}`, `{"a":}`, `{a:1}`, `{'a':1}`, `01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`,
	`tru`, `truex`, `nul`, `"abc`, "\"tab\there\"", `"\x"`, `"\u12"`, `"\u12G4"`, `"\ud800\uZZZZ"`, `{} {}`, `[] x`, `NaN`, `Infinity`,
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
}

func TestParseMatchesEncodingJSON(t *testing.T) {
	for _, s := range samples {
		want, wantOK := reference([]byte(s))
		got, ok := Parse([]byte(s), nil)
		if ok != wantOK {
			t.Errorf("Parse(%.60q): valid %v, encoding/json says %v", s, ok, wantOK)
			continue
		}
		if !reflect.DeepEqual(want, got) {
			t.Errorf("Parse(%.60q) differs from encoding/json (-want +got):\n%s", s, cmp.Diff(want, got))
		}
	}
}

func TestDepth(t *testing.T) {
	for _, n := range []int{maxDepth, maxDepth + 1} {
		s := strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n)
		_, ok := Parse([]byte(s), nil)
		_, want := reference([]byte(s))
		if ok != want || ok != (n <= maxDepth) {
			t.Errorf("depth %d: valid %v, encoding/json says %v", n, ok, want)
		}
		d := NewDecoder([]byte(s))
		if skipped := d.Skip() && d.End(); skipped != ok {
			t.Errorf("depth %d: Skip says valid %v, Parse %v", n, skipped, ok)
		}
		d.Close()
	}
}

// TestDecoderDepth checks that a Decoder, reading the members of an object
// and of an array in it, stops at the depth Parse stops at.
func TestDecoderDepth(t *testing.T) {
	for _, n := range []int{maxDepth - 2, maxDepth - 1} {
		s := `{"a":[` + strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) + `]}`
		_, want := Parse([]byte(s), nil)
		d := NewDecoder([]byte(s))
		ok := d.Object(func(string) bool {
			return d.Array(func() bool { _, ok := d.Value(); return ok })
		}) && d.End()
		d.Close()
		if ok != want || ok != (n+2 <= maxDepth) {
			t.Errorf("depth %d: Decoder says valid %v, Parse %v", n+2, ok, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range samples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantOK := reference(data)
		got, ok := Parse(data, nil)
		if ok != wantOK {
			t.Fatalf("Parse(%q): valid %v, encoding/json says %v", data, ok, wantOK)
		}
		d := NewDecoder(data)
		skipped := d.Skip() && d.End()
		d.Close()
		if skipped != ok {
			t.Fatalf("Decoder.Skip(%q): valid %v, Parse says %v", data, skipped, ok)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("Parse(%q) differs from encoding/json (-want +got):\n%s", data, cmp.Diff(want, got))
		}
	})
}

var user = []byte(`{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "externalId": "701984",
  "userName": "bjensen@example.com",
  "name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara"},
  "displayName": "Babs Jensen",
  "emails": [
    {"value": "bjensen@example.com", "type": "work", "primary": true},
    {"value": "babs@jensen.org", "type": "home"}
  ],
  "phoneNumbers": [{"value": "555-555-5555", "type": "work"}],
  "active": true,
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "costCenter": "4130"}
}`)

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Parse(user, nil); !ok {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkEncodingJSON(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := reference(user); !ok {
			b.Fatal("invalid")
		}
	}
}
