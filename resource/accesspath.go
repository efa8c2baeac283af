package resource

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/scim-go/scim/internal/lex"
	"github.com/scim-go/scim/schema"
)

// resolve resolves path against a's resource type.
func (a *Accessor) resolve(op, path string) (target, error) {
	t := target{op: op, path: path}
	if a == nil || a.rt == nil || a.rt.Schema == nil {
		return target{}, t.fail("the Accessor has no resource type")
	}
	head, rest, filtered := strings.Cut(strings.TrimSpace(path), "[")
	head = strings.TrimSpace(head)
	attr, sub, ext := ResolvePath(a.rt, head)
	if attr == nil && ext != "" && !filtered {
		t.ext = ext // an extension's URN alone
		return t, nil
	}
	if attr == nil || strings.HasSuffix(head, ".") {
		return target{}, t.fail(a.unknown(head))
	}
	t.attr, t.sub, t.ext = attr, sub, ext
	if !filtered {
		return t, nil
	}
	switch {
	case sub != nil:
		return target{}, t.fail("a value filter must follow an attribute, not a sub-attribute")
	case attr.Type != schema.Complex || !attr.MultiValued:
		return target{}, t.fail("a value filter selects values of a multi-valued complex attribute, and " + attr.Name + " is not one")
	}
	sc := scanner{s: rest}
	if err := t.parseFilter(&sc); err != nil {
		return target{}, err
	}
	if after := rest[sc.i:]; after != "" {
		name, ok := strings.CutPrefix(after, ".")
		if !ok {
			return target{}, t.fail(`expected "." and a sub-attribute, or the end of the path, after "]"; found ` + quote(after))
		}
		if t.sub = attr.SubAttribute(name); t.sub == nil {
			return target{}, t.fail(attr.Name + " has no sub-attribute " + quote(name))
		}
	}
	return t, nil
}

// unknown says why ResolvePath finds nothing at path.
func (a *Accessor) unknown(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		if attr, sub, _ := ResolvePath(a.rt, path[:i]); attr != nil && sub == nil {
			if attr.Type != schema.Complex {
				return attr.Name + " has no sub-attributes"
			}
			return attr.Name + " has no sub-attribute " + quote(path[i+1:])
		}
	}
	if len(path) < 4 || !strings.EqualFold(path[:4], "urn:") {
		if name, _, _ := strings.Cut(path, "."); a.rt.Ambiguous(name) {
			return quote(name) + " is an attribute of more than one extension of resource type " + a.rt.Name + "; qualify it by its schema URN"
		}
	}
	return "no such attribute in resource type " + a.rt.Name
}

// parseFilter parses the value filter after the "[" of a value path, up to
// and including the "]", into t.terms.
func (t *target) parseFilter(sc *scanner) error {
	const form = `a value filter here is eq comparisons joined by "and"`
	a := t.attr
	for {
		sc.space()
		name := sc.word()
		if name == "" {
			return t.fail("expected a sub-attribute of " + a.Name + " in the value filter; found " + sc.found())
		}
		s := a.SubAttribute(name)
		if s == nil {
			return t.fail(a.Name + " has no sub-attribute " + quote(name))
		}
		if s.MultiValued || s.Type == schema.Complex {
			return t.fail("the value filter cannot compare " + a.Name + "." + s.Name + ", which is multi-valued")
		}
		sc.space()
		if op := sc.word(); !strings.EqualFold(op, "eq") {
			if op == "" {
				return t.fail(form + "; found " + sc.found())
			}
			return t.fail(form + "; found " + quote(op))
		}
		sc.space()
		lit, msg := sc.literal()
		if msg != "" {
			return t.fail(msg)
		}
		v, err := literal(s, lit, a.Name+"."+s.Name)
		if err != nil {
			return t.fail(a.Name + "." + s.Name + ": " + err.(*Error).Msg)
		}
		t.terms = append(t.terms, term{s, v})
		sc.space()
		if sc.i < len(sc.s) && sc.s[sc.i] == ']' {
			sc.i++
			return nil
		}
		if w := sc.word(); !strings.EqualFold(w, "and") {
			if w == "" {
				return t.fail(`expected "and" or "]" in the value filter; found ` + sc.found())
			}
			return t.fail(form + "; found " + quote(w))
		}
	}
}

// literal converts a value written in a value filter to the type of
// attribute a, as package filter does: a number or boolean written for a
// string attribute is its text, and a string for a boolean or number is
// read as one.
func literal(a *schema.Attribute, lit token, path string) (any, error) {
	v := lit.v
	switch a.Type {
	case schema.String, schema.Reference, schema.Binary:
		v = lit.text
	}
	return Coerce(a, v, true, path)
}

// scanner reads the tokens of a value filter.
type scanner struct {
	s string
	i int
}

// token is a value written in a value filter: a string, a json.Number or
// a bool, and its text (a string's without quotes and escapes).
type token struct {
	v    any
	text string
}

func (sc *scanner) space() { sc.i = lex.Skip(sc.s, sc.i, lex.Space) }

// word reads a name, an operator or an unquoted value: a run of the bytes
// a filter's unquoted value may hold, up to a space, a bracket, a
// parenthesis, a double quote or a control character.
func (sc *scanner) word() string {
	start := sc.i
	sc.i = lex.Skip(sc.s, sc.i, lex.Bare)
	return sc.s[start:sc.i]
}

// found describes what is at the scanner's position, for messages.
func (sc *scanner) found() string {
	if sc.i >= len(sc.s) {
		return "the end of the path"
	}
	return quote(sc.s[sc.i : sc.i+1])
}

// literal reads a value as package filter reads one: a JSON string, or an
// unquoted word that is true, false, a JSON number or else a string. It
// returns a message when there is none.
func (sc *scanner) literal() (token, string) {
	if sc.i < len(sc.s) && sc.s[sc.i] == '"' {
		s, end, err := lex.String(sc.s, sc.i)
		if err != nil {
			return token{}, "a string in the value filter: " + err.Msg
		}
		sc.i = end
		return token{s, s}, ""
	}
	start := sc.i
	w := sc.word()
	switch {
	case w == "":
		return token{}, "expected a value after eq; found " + sc.found()
	case !utf8.ValidString(w):
		sc.i = lex.BadUTF8(w, start)
		return token{}, "invalid UTF-8 in the value filter"
	case strings.EqualFold(w, "true"):
		return token{true, w}, ""
	case strings.EqualFold(w, "false"):
		return token{false, w}, ""
	case strings.EqualFold(w, "null"):
		return token{}, "eq null selects nothing; a value filter here compares with values"
	case lex.IsNumber(w):
		return token{json.Number(w), w}, ""
	}
	return token{w, w}, ""
}
