package patch

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/internal/jsonv"
	"github.com/scim-go/scim/schema"
)

// FuzzEnvelope checks readEnvelope against the body parsed into maps, as
// encoding/json would hold it: it must accept the same bodies and read
// the same schemas, operations and duplicate members.
func FuzzEnvelope(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails","value":[{"value":"a@example.com"}]}]}`,
		`{"Schemas":["x","urn:ietf:params:scim:api:messages:2.0:patchop"],"operations":[{"OP":"Replace","value":{"active":false}},{"op":"remove","path":null}]}`,
		`{"schemas":[],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[1,"x",null,{"op":1,"path":2}]}`,
		`{"schemas":"x","SCHEMAS":[],"Operations":{}}`,
		`{"Operations":[{"op":"add","Op":"remove"},{"path":"a","PATH":"b"},{"value":1,"Value":2}],"Operations":[{"op":"add","op":"remove","path":"x","path":null}]}`,
		`{"a":{"b":[1,2,{"c":"\u00e9\ud83d\ude00"}]},"Operations":[],"schemas":[1,true]}`,
		` {"Operations" : [ { "op" : "add" , "value" : -1.5e3 } ] } `,
		`{"Operations":[{"op":"add"}]} x`, `[]`, `"x"`, `{`, `{"a":}`, `{"a":1,}`, ``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got, ok := readEnvelope([]byte(body), math.MaxInt)
		v, valid := jsonv.Parse([]byte(body), nil)
		doc, isObject := v.(map[string]any)
		if ok != (valid && isObject) {
			t.Fatalf("readEnvelope ok = %v, want %v", ok, valid && isObject)
		}
		if !ok {
			return
		}
		want := envelopeOf(doc)
		if diff := cmp.Diff(want, summary(got)); diff != "" {
			t.Fatalf("readEnvelope(%q) (-maps +envelope):\n%s", body, diff)
		}
		// Keeping fewer operations keeps the first ones, and counts all.
		few, _ := readEnvelope([]byte(body), 1)
		if few.count != got.count || got.count != len(got.ops) || len(few.ops) > 1 ||
			len(few.ops) == 1 && !cmp.Equal(few.ops[0], got.ops[0], cmp.AllowUnexported(rawOp{}, spelling{})) {
			t.Fatalf("readEnvelope(%q, 1) kept %d of %d operations, counted %d; all: %d", body, len(few.ops), few.count, got.count, len(got.ops))
		}
	})
}

// envelopeSummary is what Parse uses of an envelope.
type envelopeSummary struct {
	Twice     string // "schemas" or "Operations" given under two spellings
	HasSchema bool
	IsArray   bool
	Ops       []opSummary
}

type opSummary struct {
	NotObject               bool
	Twice                   string
	OpName, PathText        string
	HasOp, HasPath, BadPath bool
	Value                   any
}

func summary(env *envelope) envelopeSummary {
	var s envelopeSummary
	switch {
	case env.schemas.twice:
		s.Twice = "schemas"
	case env.operations.twice:
		s.Twice = "Operations"
	default:
		s.HasSchema, s.IsArray = env.hasSchema, env.isArray
		if !env.isArray {
			return s
		}
		s.Ops = []opSummary{}
		for _, o := range env.ops {
			os := opSummary{NotObject: o.notObject}
			switch {
			case o.notObject:
			case o.op.twice:
				os.Twice = "op"
			case o.path.twice:
				os.Twice = "path"
			case o.value.twice:
				os.Twice = "value"
			default:
				os.OpName, os.PathText, os.Value = o.opName, o.pathText, o.v
				os.HasOp, os.HasPath, os.BadPath = o.op.name != "", o.hasPath, o.badPath
			}
			s.Ops = append(s.Ops, os)
		}
	}
	return s
}

// envelopeOf reads doc, a body parsed into maps, as Parse reads a body.
func envelopeOf(doc map[string]any) envelopeSummary {
	var s envelopeSummary
	if name := twiceIn(doc, "schemas", "Operations"); name != "" {
		s.Twice = name
		return s
	}
	for k, v := range doc {
		switch {
		case strings.EqualFold(k, "schemas"):
			list, _ := v.([]any)
			for _, e := range list {
				if e, ok := e.(string); ok && strings.EqualFold(e, schema.PatchOpURN) {
					s.HasSchema = true
				}
			}
		case strings.EqualFold(k, "Operations"):
			list, isArray := v.([]any)
			s.IsArray = isArray
			if !isArray {
				continue
			}
			s.Ops = []opSummary{}
			for _, raw := range list {
				obj, ok := raw.(map[string]any)
				os := opSummary{NotObject: !ok}
				if name := twiceIn(obj, "op", "path", "value"); ok && name != "" {
					os.Twice = name
				} else if ok {
					for k, v := range obj {
						switch {
						case strings.EqualFold(k, "op"):
							os.OpName, _ = v.(string)
							os.HasOp = true
						case strings.EqualFold(k, "path"):
							if v != nil {
								os.PathText, os.HasPath = v.(string)
								os.BadPath = !os.HasPath
							}
						case strings.EqualFold(k, "value"):
							os.Value = v
						}
					}
				}
				s.Ops = append(s.Ops, os)
			}
		}
	}
	return s
}

// twiceIn returns the first of names that obj has under more than one
// spelling, or "".
func twiceIn(obj map[string]any, names ...string) string {
	for _, name := range names {
		n := 0
		for k := range obj {
			if strings.EqualFold(k, name) {
				n++
			}
		}
		if n > 1 {
			return name
		}
	}
	return ""
}
