package filter

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Shorthands for building expected trees.

func attr(name string) AttrPath          { return AttrPath{Name: name} }
func sub(name, sub string) AttrPath      { return AttrPath{Name: name, Sub: sub} }
func pr(a AttrPath) Expr                 { return Present{Attr: a} }
func cmpx(a AttrPath, op Op, v any) Expr { return Compare{Attr: a, Op: op, Value: v} }
func eq(a AttrPath, v any) Expr          { return cmpx(a, Eq, v) }
func and(l, r Expr) Expr                 { return And{Left: l, Right: r} }
func or(l, r Expr) Expr                  { return Or{Left: l, Right: r} }
func not(x Expr) Expr                    { return Not{X: x} }
func vp(a AttrPath, f Expr) Expr         { return ValuePath{Attr: a, Filter: f} }

const (
	coreUser   = "urn:ietf:params:scim:schemas:core:2.0:User"
	enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

type parseTest struct {
	name string
	in   string
	want Expr
}

// rfcFilters are the example filters of RFC 7644 §3.4.2.2 (figure 2 and
// the text before it), without the "filter=" of the query string.
var rfcFilters = []parseTest{
	{"case insensitive op", `userName Eq "john"`, eq(attr("userName"), "john")},
	{"case insensitive name", `Username eq "john"`, eq(attr("Username"), "john")},
	{"eq", `userName eq "bjensen"`, eq(attr("userName"), "bjensen")},
	{"co sub-attribute", `name.familyName co "O'Malley"`, cmpx(sub("name", "familyName"), Co, "O'Malley")},
	{"sw", `userName sw "J"`, cmpx(attr("userName"), Sw, "J")},
	{"sw urn", `urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`,
		cmpx(AttrPath{URN: coreUser, Name: "userName"}, Sw, "J")},
	{"pr", `title pr`, pr(attr("title"))},
	{"gt", `meta.lastModified gt "2011-05-13T04:42:34Z"`, cmpx(sub("meta", "lastModified"), Gt, "2011-05-13T04:42:34Z")},
	{"ge", `meta.lastModified ge "2011-05-13T04:42:34Z"`, cmpx(sub("meta", "lastModified"), Ge, "2011-05-13T04:42:34Z")},
	{"lt", `meta.lastModified lt "2011-05-13T04:42:34Z"`, cmpx(sub("meta", "lastModified"), Lt, "2011-05-13T04:42:34Z")},
	{"le", `meta.lastModified le "2011-05-13T04:42:34Z"`, cmpx(sub("meta", "lastModified"), Le, "2011-05-13T04:42:34Z")},
	{"pr and", `title pr and userType eq "Employee"`, and(pr(attr("title")), eq(attr("userType"), "Employee"))},
	{"pr or", `title pr or userType eq "Intern"`, or(pr(attr("title")), eq(attr("userType"), "Intern"))},
	{"urn value", `schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`, eq(attr("schemas"), enterprise)},
	{"and group", `userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
		and(eq(attr("userType"), "Employee"), or(cmpx(attr("emails"), Co, "example.com"), cmpx(sub("emails", "value"), Co, "example.org")))},
	{"and not", `userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
		and(cmpx(attr("userType"), Ne, "Employee"), not(or(cmpx(attr("emails"), Co, "example.com"), cmpx(sub("emails", "value"), Co, "example.org"))))},
	{"and single group", `userType eq "Employee" and (emails.type eq "work")`,
		and(eq(attr("userType"), "Employee"), eq(sub("emails", "type"), "work"))},
	{"and value path", `userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`,
		and(eq(attr("userType"), "Employee"), vp(attr("emails"), and(eq(attr("type"), "work"), cmpx(attr("value"), Co, "@example.com"))))},
	{"value paths or", `emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
		or(vp(attr("emails"), and(eq(attr("type"), "work"), cmpx(attr("value"), Co, "@example.com"))),
			vp(attr("ims"), and(eq(attr("type"), "xmpp"), cmpx(attr("value"), Co, "@foo.com"))))},
	{"search example", `displayName sw "smith"`, cmpx(attr("displayName"), Sw, "smith")},
}

var grammarFilters = []parseTest{
	// Operators, in any case.
	{"ne", `a ne "x"`, cmpx(attr("a"), Ne, "x")},
	{"ew", `a ew "x"`, cmpx(attr("a"), Ew, "x")},
	{"upper ops", `a EQ "x" AND b PR OR NOT (c CO "y")`, or(and(eq(attr("a"), "x"), pr(attr("b"))), not(cmpx(attr("c"), Co, "y")))},
	{"mixed case ops", `a Sw "x" oR b eW "y" aNd c Pr`, or(cmpx(attr("a"), Sw, "x"), and(cmpx(attr("b"), Ew, "y"), pr(attr("c"))))},
	{"pascal case", `UserName Eq "x"`, eq(attr("UserName"), "x")},

	// Precedence and associativity.
	{"and before or", `a pr or b pr and c pr`, or(pr(attr("a")), and(pr(attr("b")), pr(attr("c"))))},
	{"and before or left", `a pr and b pr or c pr`, or(and(pr(attr("a")), pr(attr("b"))), pr(attr("c")))},
	{"and chain", `a pr and b pr and c pr`, and(and(pr(attr("a")), pr(attr("b"))), pr(attr("c")))},
	{"or chain", `a pr or b pr or c pr`, or(or(pr(attr("a")), pr(attr("b"))), pr(attr("c")))},
	{"right group", `a pr or (b pr or c pr)`, or(pr(attr("a")), or(pr(attr("b")), pr(attr("c"))))},
	{"group and", `(a pr or b pr) and c pr`, and(or(pr(attr("a")), pr(attr("b"))), pr(attr("c")))},
	{"redundant groups", `((a pr))`, pr(attr("a"))},
	{"not binds tight", `not (a pr) and b pr`, and(not(pr(attr("a"))), pr(attr("b")))},
	{"not not", `not (not (a pr))`, not(not(pr(attr("a"))))},
	{"not no space", `not(a pr)`, not(pr(attr("a")))},
	{"not upper", `NOT (a pr)`, not(pr(attr("a")))},
	{"attribute named not", `not eq "x"`, eq(attr("not"), "x")},
	{"attribute named not pr", `not pr`, pr(attr("not"))},
	{"attribute named and", `and pr and or pr`, and(pr(attr("and")), pr(attr("or")))},

	// Value paths.
	{"value path", `emails[type eq "work"]`, vp(attr("emails"), eq(attr("type"), "work"))},
	{"value path or", `emails[type eq "work" or primary eq true]`, vp(attr("emails"), or(eq(attr("type"), "work"), eq(attr("primary"), true)))},
	{"value path nested logic", `emails[(type eq "work" or type eq "home") and not (value ew ".org")]`,
		vp(attr("emails"), and(or(eq(attr("type"), "work"), eq(attr("type"), "home")), not(cmpx(attr("value"), Ew, ".org"))))},
	{"value path three", `emails[type eq "work" and primary eq true and value pr]`,
		vp(attr("emails"), and(and(eq(attr("type"), "work"), eq(attr("primary"), true)), pr(attr("value"))))},
	{"value path spaces", `emails [ type eq "work" ]`, vp(attr("emails"), eq(attr("type"), "work"))},
	{"value path urn", `urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"]`,
		vp(AttrPath{URN: coreUser, Name: "emails"}, eq(attr("type"), "work"))},
	{"ref", `members[$ref eq "https://example.com/v2/Users/2819c223"]`, vp(attr("members"), eq(attr("$ref"), "https://example.com/v2/Users/2819c223"))},
	{"ref sub", `members.$ref pr`, pr(sub("members", "$ref"))},
	{"not value path", `not (emails[type eq "work"])`, not(vp(attr("emails"), eq(attr("type"), "work")))},

	// Attribute paths.
	{"enterprise sub", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915"`,
		eq(AttrPath{URN: enterprise, Name: "manager", Sub: "value"}, "26118915")},
	{"enterprise", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`,
		eq(AttrPath{URN: enterprise, Name: "employeeNumber"}, "701984")},
	{"core urn sub", `urn:ietf:params:scim:schemas:core:2.0:User:name.givenName pr`, pr(AttrPath{URN: coreUser, Name: "name", Sub: "givenName"})},
	{"custom urn", `urn:example:ext:1.0:Thing:x-y_z1 pr`, pr(AttrPath{URN: "urn:example:ext:1.0:Thing", Name: "x-y_z1"})},
	{"name chars", `a-b_c9.D-e_1 pr`, pr(sub("a-b_c9", "D-e_1"))},

	// Values.
	{"true", `active eq true`, eq(attr("active"), true)},
	{"false", `active eq false`, eq(attr("active"), false)},
	{"null", `manager eq null`, eq(attr("manager"), nil)},
	{"upper literals", `a eq True or b eq FALSE or c eq NULL`, or(or(eq(attr("a"), true), eq(attr("b"), false)), eq(attr("c"), nil))},
	{"integer", `a eq 42`, eq(attr("a"), Number("42"))},
	{"negative", `a eq -1`, eq(attr("a"), Number("-1"))},
	{"zero", `a eq 0`, eq(attr("a"), Number("0"))},
	{"decimal", `a eq 1.5`, eq(attr("a"), Number("1.5"))},
	{"exponent", `a eq 1e3`, eq(attr("a"), Number("1e3"))},
	{"exponent sign", `a gt -2.50E+10`, cmpx(attr("a"), Gt, Number("-2.50E+10"))},
	{"big integer kept exact", `a eq 123456789012345678901234567890`, eq(attr("a"), Number("123456789012345678901234567890"))},
	{"empty string", `a eq ""`, eq(attr("a"), "")},
	{"escapes", `a eq "q\"b\\s\/b\bf\fn\nr\rt\t"`, eq(attr("a"), "q\"b\\s/b\bf\fn\nr\rt\t")},
	{"unicode escape", `a eq "caf\u00e9 \u00C9"`, eq(attr("a"), "café É")},
	{"surrogate pair", `a eq "\ud83d\ude00"`, eq(attr("a"), "😀")},
	{"lone surrogate", `a eq "\ud83dx"`, eq(attr("a"), "\uFFFDx")},
	{"reversed surrogates", `a eq "\ude00\ud83d"`, eq(attr("a"), "\uFFFD\uFFFD")},
	{"raw utf8", `a eq "日本"`, eq(attr("a"), "日本")},
	{"string with keywords", `a eq "x and b pr or (c)"`, eq(attr("a"), "x and b pr or (c)")},

	// Leniency.
	{"bare word", `externalId eq jyoung`, eq(attr("externalId"), "jyoung")},
	{"bare email", `userName eq bjensen@example.com`, eq(attr("userName"), "bjensen@example.com")},
	{"bare word in group", `(userName eq bjensen) and active eq true`, and(eq(attr("userName"), "bjensen"), eq(attr("active"), true))},
	{"bare word in brackets", `emails[value eq a@b.c]`, vp(attr("emails"), eq(attr("value"), "a@b.c"))},
	{"bare not a number", `a eq 01`, eq(attr("a"), "01")},
	{"bare unicode", `a eq jérôme`, eq(attr("a"), "jérôme")},
	{"entra", `emails[type eq "work"].value eq "x@example.com"`,
		vp(attr("emails"), and(eq(attr("type"), "work"), eq(attr("value"), "x@example.com")))},
	{"entra pr", `emails[type eq "work"].value pr`, vp(attr("emails"), and(eq(attr("type"), "work"), pr(attr("value"))))},
	{"entra or filter", `emails[type eq "work" or primary eq true].value sw "x"`,
		vp(attr("emails"), and(or(eq(attr("type"), "work"), eq(attr("primary"), true)), cmpx(attr("value"), Sw, "x")))},
	{"entra in logic", `emails[type eq "work"].value eq "x" and active eq true`,
		and(vp(attr("emails"), and(eq(attr("type"), "work"), eq(attr("value"), "x"))), eq(attr("active"), true))},
	{"tabs and runs", "\t userName \t eq  \"x\"\tand\t\ttitle   pr ", and(eq(attr("userName"), "x"), pr(attr("title")))},
	{"newlines", "userName eq \"x\"\r\nor title pr\n", or(eq(attr("userName"), "x"), pr(attr("title")))},
	{"no space before value", `userName eq"x"`, eq(attr("userName"), "x")},
	{"no space after value", `userName eq "x"and title pr`, and(eq(attr("userName"), "x"), pr(attr("title")))},
	{"no space in groups", `(a pr)or(b pr)`, or(pr(attr("a")), pr(attr("b")))},
}

func TestParse(t *testing.T) {
	for _, tt := range append(rfcFilters, grammarFilters...) {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

type pathTest struct {
	name string
	in   string
	want Path
}

var pathTests = []pathTest{
	// RFC 7644 §3.5.2 and its subsections.
	{"members filter", `members[value eq "2819c223-7f76-453a-919d-413861904646"]`,
		Path{Attr: attr("members"), Filter: eq(attr("value"), "2819c223-7f76-453a-919d-413861904646")}},
	{"members filter sub", `members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName`,
		Path{Attr: attr("members"), Filter: eq(attr("value"), "2819c223-7f76-453a-919d-413861904646"), Sub: "displayName"}},
	{"sub-attribute", `name.familyName`, Path{Attr: sub("name", "familyName")}},
	{"attribute", `members`, Path{Attr: attr("members")}},
	{"addresses", `addresses[type eq "work"]`, Path{Attr: attr("addresses"), Filter: eq(attr("type"), "work")}},
	{"addresses sub", `addresses[type eq "work"].streetAddress`,
		Path{Attr: attr("addresses"), Filter: eq(attr("type"), "work"), Sub: "streetAddress"}},
	{"emails and", `emails[type eq "work" and value ew "example.com"]`,
		Path{Attr: attr("emails"), Filter: and(eq(attr("type"), "work"), cmpx(attr("value"), Ew, "example.com"))}},
	{"enterprise attribute", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`,
		Path{Attr: AttrPath{URN: enterprise, Name: "employeeNumber"}}},
	{"enterprise sub", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`,
		Path{Attr: AttrPath{URN: enterprise, Name: "manager", Sub: "value"}}},
	{"enterprise only", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`,
		Path{Attr: AttrPath{URN: enterprise}}},
	{"enterprise only other case", `URN:IETF:params:scim:schemas:extension:enterprise:2.0:user`,
		Path{Attr: AttrPath{URN: "URN:IETF:params:scim:schemas:extension:enterprise:2.0:user"}}},
	{"core urn", `urn:ietf:params:scim:schemas:core:2.0:User:name.givenName`,
		Path{Attr: AttrPath{URN: coreUser, Name: "name", Sub: "givenName"}}},
	{"core urn filter", `urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value`,
		Path{Attr: AttrPath{URN: coreUser, Name: "emails"}, Filter: eq(attr("type"), "work"), Sub: "value"}},
	// Beyond the RFC examples.
	{"unknown urn splits at last colon", `urn:example:ext:1.0:Thing`, Path{Attr: AttrPath{URN: "urn:example:ext:1.0", Name: "Thing"}}},
	{"spaces", " emails [ type eq \"work\" ]  ", Path{Attr: attr("emails"), Filter: eq(attr("type"), "work")}},
	{"filter logic", `emails[not (type eq "work") or primary eq true]`,
		Path{Attr: attr("emails"), Filter: or(not(eq(attr("type"), "work")), eq(attr("primary"), true))}},
	{"ref", `members[$ref eq "x"].display`, Path{Attr: attr("members"), Filter: eq(attr("$ref"), "x"), Sub: "display"}},
}

func TestParsePath(t *testing.T) {
	for _, tt := range pathTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePath(tt.in)
			if err != nil {
				t.Fatalf("ParsePath(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParsePath(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

type errorTest struct {
	name string
	in   string
	want string // the error text
}

var filterErrors = []errorTest{
	{"empty", ``, `filter: expected attribute path, "not" or "(" at offset 0, found end of input`},
	{"blank", "  \t", `filter: expected attribute path, "not" or "(" at offset 3, found end of input`},
	{"unterminated string", `userName eq "bjensen`, `filter: unterminated string at offset 12, found "\"bjensen"`},
	{"unterminated after escape", `a eq "x\"`, `filter: unterminated string at offset 5, found "\"x\\\""`},
	{"missing value", `userName eq`, `filter: expected value at offset 11, found end of input`},
	{"missing value paren", `(userName eq )`, `filter: expected value at offset 13, found ")"`},
	{"missing right operand", `title pr and`, `filter: expected attribute path, "not" or "(" at offset 12, found end of input`},
	{"missing left operand", `and title pr`, `filter: expected comparison operator at offset 4, found "title"`},
	{"missing operand in group", `(title pr or)`, `filter: expected attribute path, "not" or "(" at offset 12, found ")"`},
	{"missing operator", `userName`, `filter: expected comparison operator at offset 8, found end of input`},
	{"unknown operator", `userName eqq "x"`, `filter: expected comparison operator at offset 9, found "eqq"`},
	{"unknown word operator", `userName like "x"`, `filter: expected comparison operator at offset 9, found "like"`},
	{"symbol operator", `userName = "x"`, `filter: expected comparison operator at offset 9, found "="`},
	{"unclosed paren", `(title pr`, `filter: expected "and", "or" or ")" at offset 9, found end of input`},
	{"unclosed paren junk", `(title pr title pr)`, `filter: unexpected value after "pr" at offset 10, found "title"`},
	{"extra close paren", `title pr)`, `filter: unmatched ")" at offset 8, found ")"`},
	{"empty parens", `()`, `filter: expected attribute path, "not" or "(" at offset 1, found ")"`},
	{"unclosed bracket", `emails[type eq "work"`, `filter: expected "and", "or" or "]" at offset 21, found end of input`},
	{"bracket closed by paren", `emails[type eq "work")`, `filter: expected "and", "or" or "]" at offset 21, found ")"`},
	{"paren closed by bracket", `emails[(type eq "work"]`, `filter: expected "and", "or" or ")" at offset 22, found "]"`},
	{"extra close bracket", `title pr]`, `filter: unmatched "]" at offset 8, found "]"`},
	{"empty brackets", `emails[]`, `filter: expected attribute path, "not" or "(" at offset 7, found "]"`},
	{"trailing garbage", `userName eq "x" foo`, `filter: expected "and" or "or" at offset 16, found "foo"`},
	{"trailing string", `userName eq "x" "y"`, `filter: expected "and" or "or" at offset 16, found "\"y\""`},
	{"glued keyword", `title pr andactive pr`, `filter: unexpected value after "pr" at offset 9, found "andactive"`},
	{"pr with value", `title pr "x"`, `filter: unexpected value after "pr" at offset 9, found "\"x\""`},
	{"pr with bare value", `title pr x`, `filter: unexpected value after "pr" at offset 9, found "x"`},
	{"not without parens", `not title pr`, `filter: expected "(" after "not" at offset 4, found "title"`},
	{"not unclosed", `not (title pr`, `filter: expected "and", "or" or ")" at offset 13, found end of input`},
	{"nested value path", `a[b[c eq 1]]`, `filter: value paths cannot be nested at offset 3, found "["`},
	{"nested value path in group", `emails[(x pr or b[c pr])]`, `filter: value paths cannot be nested at offset 17, found "["`},
	{"entra without operator", `emails[type eq "work"].value`, `filter: expected comparison operator at offset 28, found end of input`},
	{"entra bad sub", `emails[type eq "work"].1st eq "x"`, `filter: expected sub-attribute name at offset 23, found "1st"`},
	{"name starts with digit", `1abc pr`, `filter: expected attribute name at offset 0, found "1abc"`},
	{"two sub-attributes", `name.familyName.x pr`, `filter: expected sub-attribute name at offset 5, found "familyName.x"`},
	{"empty sub-attribute", `name. pr`, `filter: expected sub-attribute name at offset 5, found " "`},
	{"empty urn part", `urn::x:name pr`, `filter: expected attribute path at offset 0, found "urn::x:name"`},
	{"empty name after urn", `urn:x: pr`, `filter: expected attribute name at offset 6, found " "`},
	{"dollar in urn", `urn:$x:name pr`, `filter: expected attribute path at offset 0, found "urn:$x:name"`},
	{"schema urn alone", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User pr`,
		`filter: expected attribute name after schema URN at offset 0, found "urn:ietf:params:scim:schemas:ext..."`},
	{"starts with string", `"x" eq "y"`, `filter: expected attribute path, "not" or "(" at offset 0, found "\"x\""`},
	{"bad escape", `a eq "\x"`, `filter: invalid escape sequence in string at offset 6, found "\\x"`},
	{"short unicode escape", `a eq "\u12"`, `filter: invalid escape sequence in string at offset 6, found "\\u12"`},
	{"bad unicode escape", `a eq "\u12G4"`, `filter: invalid escape sequence in string at offset 6, found "\\u12G4"`},
	{"control character", "a eq \"x\ny\"", `filter: control character in string at offset 7, found "\n"`},
	{"escaped NUL", `a eq "x\u0000y"`, `filter: a string may not contain U+0000 at offset 5, found "\"x\\u0000y\""`},
	{"escaped NUL in bracket", `emails[value eq "\u0000"]`, `filter: a string may not contain U+0000 at offset 16, found "\"\\u0000\""`},
	{"raw NUL", "a eq \"x\x00\"", `filter: control character in string at offset 7, found "\x00"`},
	{"raw NUL bare", "a eq x\x00", `filter: expected "and" or "or" at offset 6, found "\x00"`},
	{"invalid utf8", "a eq \"ab\xffc\"", `filter: invalid UTF-8 in string at offset 8, found "\xffc"`},
	{"invalid utf8 bare", "a eq ab\xd9", `filter: invalid UTF-8 in value at offset 7, found "\xd9"`},
}

var pathErrors = []errorTest{
	{"empty", ``, `filter: expected attribute path at offset 0, found end of input`},
	{"unclosed bracket", `emails[type eq "work"`, `filter: expected "and", "or" or "]" at offset 21, found end of input`},
	{"comparison after path", `emails[type eq "work"].value eq "x"`, `filter: expected end of path at offset 29, found "eq"`},
	{"junk after path", `name.familyName x`, `filter: expected "[" or end of path at offset 16, found "x"`},
	{"junk after bracket", `emails[type eq "work"]x`, `filter: expected end of path at offset 22, found "x"`},
	{"filter on urn", enterprise + `[type eq "work"]`, `filter: expected end of path at offset 58, found "["`},
	{"nested value path", `emails[a[b pr]]`, `filter: value paths cannot be nested at offset 8, found "["`},
	{"bad sub", `emails[type eq "work"].`, `filter: expected sub-attribute name at offset 23, found end of input`},
	{"bad name", `-x`, `filter: expected attribute name at offset 0, found "-x"`},
	{"paren", `(name)`, `filter: expected attribute path at offset 0, found "("`},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range filterErrors {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.in)
			checkSyntaxError(t, tt, e, err)
		})
	}
}

func TestParsePathErrors(t *testing.T) {
	for _, tt := range pathErrors {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePath(tt.in)
			checkSyntaxError(t, tt, p, err)
		})
	}
}

func checkSyntaxError(t *testing.T, tt errorTest, got any, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("parsing %q = %v, want error %s", tt.in, got, tt.want)
	}
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("parsing %q: error %T is not a *SyntaxError", tt.in, err)
	}
	if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
		t.Errorf("parsing %q: error mismatch (-want +got):\n%s", tt.in, diff)
	}
}

func TestLimits(t *testing.T) {
	deep := func(n int) string {
		return strings.Repeat("(", n) + "a pr" + strings.Repeat(")", n)
	}
	tests := []struct {
		name   string
		p      *Parser
		in     string
		want   string // error text; empty for success
		asPath bool
	}{
		{"default length ok", nil, `a eq "` + strings.Repeat("x", DefaultMaxLength-7) + `"`, "", false},
		{"default length", nil, `a eq "` + strings.Repeat("x", DefaultMaxLength-6) + `"`,
			`filter: input longer than 4096 bytes at offset 4096, found "\""`, false},
		{"custom length", &Parser{MaxLength: 10}, `userName eq "bjensen"`,
			`filter: input longer than 10 bytes at offset 10, found "q"`, false},
		{"custom length path", &Parser{MaxLength: 4}, `name.familyName`,
			`filter: input longer than 4 bytes at offset 4, found ".familyName"`, true},
		{"default depth ok", nil, deep(DefaultMaxDepth), "", false},
		{"default depth", nil, deep(DefaultMaxDepth + 1), `filter: nesting deeper than 32 levels at offset 32, found "("`, false},
		{"custom depth ok", &Parser{MaxDepth: 2}, `not (a[b pr])`, "", false},
		{"custom depth", &Parser{MaxDepth: 2}, `a pr and (b pr or not (c[d pr]))`,
			`filter: nesting deeper than 2 levels at offset 24, found "["`, false},
		{"custom depth not", &Parser{MaxDepth: 1}, `(not (a pr))`, `filter: nesting deeper than 1 levels at offset 1, found "not"`, false},
		{"depth restored after group", &Parser{MaxDepth: 1}, `(a pr) and (b pr) and c[d pr]`, "", false},
		{"custom depth path", &Parser{MaxDepth: 1}, `emails[(type eq "work")]`,
			`filter: nesting deeper than 1 levels at offset 7, found "("`, true},
		{"negative means default", &Parser{MaxLength: -1, MaxDepth: -1}, deep(DefaultMaxDepth), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.asPath {
				_, err = tt.p.ParsePath(tt.in)
			} else {
				_, err = tt.p.Parse(tt.in)
			}
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSchemaURNs(t *testing.T) {
	const custom = "urn:example:scim:schemas:extension:acme:1.0:Device"
	p := &Parser{SchemaURNs: []string{custom}}
	tests := []struct {
		in   string
		want Path
	}{
		{custom, Path{Attr: AttrPath{URN: custom}}},
		{custom + ":serial", Path{Attr: AttrPath{URN: custom, Name: "serial"}}},
		// Not listed any more, so split at the last colon.
		{enterprise, Path{Attr: AttrPath{URN: "urn:ietf:params:scim:schemas:extension:enterprise:2.0", Name: "User"}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := p.ParsePath(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParsePath(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestString checks the rendering of trees that Parse cannot produce from
// the inputs above, in particular where parentheses are needed.
func TestString(t *testing.T) {
	a, b, c := pr(attr("a")), pr(attr("b")), pr(attr("c"))
	tests := []struct {
		name string
		e    fmt.Stringer
		want string
	}{
		{"or right or", or(a, or(b, c)), `a pr or (b pr or c pr)`},
		{"or left or", or(or(a, b), c), `a pr or b pr or c pr`},
		{"and right and", and(a, and(b, c)), `a pr and (b pr and c pr)`},
		{"and left or", and(or(a, b), c), `(a pr or b pr) and c pr`},
		{"and right or", and(a, or(b, c)), `a pr and (b pr or c pr)`},
		{"or of ands", or(and(a, b), and(b, c)), `a pr and b pr or b pr and c pr`},
		{"not", not(and(a, b)), `not (a pr and b pr)`},
		{"not in and", and(not(a), b), `not (a pr) and b pr`},
		{"value path", vp(AttrPath{URN: coreUser, Name: "emails"}, or(a, b)), coreUser + `:emails[a pr or b pr]`},
		{"strings", eq(attr("a"), "q\"\\\n\x01\x7f\xffé"), `a eq "q\"\\\n\u0001` + "\x7f" + `\uFFFDé"`},
		{"numbers", cmpx(attr("a"), Ge, Number("-1.5e3")), `a ge -1.5e3`},
		{"bools and null", and(eq(attr("a"), true), eq(attr("b"), nil)), `a eq true and b eq null`},
		{"nil operand", and(nil, a), `<nil> and a pr`},
		{"urn only path", Path{Attr: AttrPath{URN: enterprise}}, enterprise},
		{"path", Path{Attr: attr("emails"), Filter: a, Sub: "value"}, `emails[a pr].value`},
		{"path without filter ignores sub", Path{Attr: sub("name", "givenName"), Sub: "x"}, `name.givenName`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.e.String()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("String() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRoundTrip checks that Parse(e.String()) == e for every valid input of
// the tables, and that String is canonical: rendering again gives the same
// text.
func TestRoundTrip(t *testing.T) {
	for _, tt := range append(rfcFilters, grammarFilters...) {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			checkRoundTrip(t, e)
		})
	}
	for _, tt := range pathTests {
		t.Run("path/"+tt.name, func(t *testing.T) {
			p, err := ParsePath(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			checkPathRoundTrip(t, p)
		})
	}
}

// roomy has limits large enough for any rendering of an accepted input.
var roomy = &Parser{MaxLength: 1 << 20, MaxDepth: 1 << 10}

func checkRoundTrip(t *testing.T, e Expr) {
	t.Helper()
	s := e.String()
	e2, err := roomy.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q) of the rendered tree: %v", s, err)
	}
	if diff := cmp.Diff(e, e2); diff != "" {
		t.Fatalf("Parse(%q) mismatch (-want +got):\n%s", s, diff)
	}
	if s2 := e2.String(); s2 != s {
		t.Fatalf("String not canonical: %q, then %q", s, s2)
	}
}

func checkPathRoundTrip(t *testing.T, p Path) {
	t.Helper()
	s := p.String()
	p2, err := roomy.ParsePath(s)
	if err != nil {
		t.Fatalf("ParsePath(%q) of the rendered path: %v", s, err)
	}
	if diff := cmp.Diff(p, p2); diff != "" {
		t.Fatalf("ParsePath(%q) mismatch (-want +got):\n%s", s, diff)
	}
	if s2 := p2.String(); s2 != s {
		t.Fatalf("String not canonical: %q, then %q", s, s2)
	}
}

func TestNumber(t *testing.T) {
	if got, err := Number("-42").Int64(); err != nil || got != -42 {
		t.Errorf(`Number("-42").Int64() = %v, %v; want -42, nil`, got, err)
	}
	if _, err := Number("1.5").Int64(); err == nil {
		t.Errorf(`Number("1.5").Int64() succeeded; want an error`)
	}
	if got, err := Number("1e3").Float64(); err != nil || got != 1000 {
		t.Errorf(`Number("1e3").Float64() = %v, %v; want 1000, nil`, got, err)
	}
}

func TestSyntaxErrorFoundIsCut(t *testing.T) {
	long := strings.Repeat("é", 40) // 80 bytes
	_, err := Parse("a eq \"x\" " + long)
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Parse error = %v, want a *SyntaxError", err)
	}
	if want := strings.Repeat("é", 16) + "..."; se.Found != want {
		t.Errorf("Found = %q, want %q", se.Found, want)
	}
}
