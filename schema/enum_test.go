package schema

import (
	"encoding"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// enumValue is implemented by pointers to the enums of this package.
type enumValue interface {
	encoding.TextMarshaler
	encoding.TextUnmarshaler
	String() string
}

func TestEnumText(t *testing.T) {
	type value struct {
		v    enumValue
		text string
	}
	tests := []struct {
		name   string
		values []value
		zero   func() enumValue
	}{
		{"Type", []value{
			{ptr(String), "string"}, {ptr(Boolean), "boolean"}, {ptr(Decimal), "decimal"},
			{ptr(Integer), "integer"}, {ptr(DateTime), "dateTime"}, {ptr(Binary), "binary"},
			{ptr(Reference), "reference"}, {ptr(Complex), "complex"},
		}, func() enumValue { return new(Type) }},
		{"Mutability", []value{
			{ptr(ReadWrite), "readWrite"}, {ptr(ReadOnly), "readOnly"},
			{ptr(Immutable), "immutable"}, {ptr(WriteOnly), "writeOnly"},
		}, func() enumValue { return new(Mutability) }},
		{"Returned", []value{
			{ptr(ReturnedDefault), "default"}, {ptr(ReturnedAlways), "always"},
			{ptr(ReturnedNever), "never"}, {ptr(ReturnedRequest), "request"},
		}, func() enumValue { return new(Returned) }},
		{"Uniqueness", []value{
			{ptr(UniquenessNone), "none"}, {ptr(UniquenessServer), "server"}, {ptr(UniquenessGlobal), "global"},
		}, func() enumValue { return new(Uniqueness) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, v := range tt.values {
				b, err := v.v.MarshalText()
				if err != nil {
					t.Fatalf("%s.MarshalText: %v", v.text, err)
				}
				if diff := cmp.Diff(v.text, string(b)); diff != "" {
					t.Errorf("MarshalText mismatch (-want +got):\n%s", diff)
				}
				if got := v.v.String(); got != v.text {
					t.Errorf("String() = %q, want %q", got, v.text)
				}
				for _, in := range []string{v.text, strings.ToUpper(v.text), strings.ToLower(v.text)} {
					got := tt.zero()
					if err := got.UnmarshalText([]byte(in)); err != nil {
						t.Errorf("UnmarshalText(%q): %v", in, err)
						continue
					}
					if got.String() != v.text {
						t.Errorf("UnmarshalText(%q) = %s, want %s", in, got, v.text)
					}
				}
			}
			for _, in := range []string{"", "unknown", tt.values[0].text + " "} {
				got := tt.zero()
				err := got.UnmarshalText([]byte(in))
				if err == nil || !strings.HasPrefix(err.Error(), "schema: unknown ") {
					t.Errorf("UnmarshalText(%q) error = %v, want schema: unknown ...", in, err)
				}
			}
		})
	}
}

func TestEnumInvalid(t *testing.T) {
	tests := []struct {
		v        enumValue
		str, err string
	}{
		{ptr(Type(-1)), "Type(-1)", "schema: invalid type -1"},
		{ptr(Type(8)), "Type(8)", "schema: invalid type 8"},
		{ptr(Mutability(4)), "Mutability(4)", "schema: invalid mutability 4"},
		{ptr(Returned(9)), "Returned(9)", "schema: invalid returned 9"},
		{ptr(Uniqueness(3)), "Uniqueness(3)", "schema: invalid uniqueness 3"},
	}
	for _, tt := range tests {
		t.Run(tt.str, func(t *testing.T) {
			if got := tt.v.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			_, err := tt.v.MarshalText()
			if err == nil || err.Error() != tt.err {
				t.Errorf("MarshalText error = %v, want %q", err, tt.err)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
