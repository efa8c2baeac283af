package filter

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fuzzSeeds returns every filter of the test tables.
func fuzzSeeds() []string {
	var seeds []string
	for _, tt := range append(rfcFilters, grammarFilters...) {
		seeds = append(seeds, tt.in)
	}
	for _, tt := range filterErrors {
		seeds = append(seeds, tt.in)
	}
	for _, q := range fpQuirks {
		seeds = append(seeds, q.in)
	}
	for _, q := range onlyOurs {
		seeds = append(seeds, q.in)
	}
	return append(seeds, diffCorpus...)
}

// checkError fails unless err is a *SyntaxError with a sensible offset.
func checkError(t *testing.T, s string, err error) {
	t.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error for %q is %T, not a *SyntaxError: %v", s, err, err)
	}
	if se.Offset < 0 || se.Offset > len(s) || se.Msg == "" {
		t.Fatalf("bad SyntaxError for %q: %#v", s, se)
	}
	_ = se.Error()
}

// FuzzParse checks that Parse never panics, fails only with a *SyntaxError,
// and that whatever it accepts round-trips through String.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			checkError(t, s, err)
			return
		}
		checkRoundTrip(t, e)
	})
}

// FuzzParsePath is FuzzParse for ParsePath.
func FuzzParsePath(f *testing.F) {
	for _, tt := range pathTests {
		f.Add(tt.in)
	}
	for _, tt := range pathErrors {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			checkError(t, s, err)
			return
		}
		checkPathRoundTrip(t, p)
	})
}

// FuzzDifferential compares Parse with filter-parser/v2 (fp) both ways:
// what fp accepts, Parse accepts with the same meaning (see fpQuirks); and
// the canonical text of what Parse accepts, when it stays within fp's
// grammar, fp reads with the same meaning.
func FuzzDifferential(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 256 {
			return // fp backtracks and gets slow on long input
		}
		compareWithFP(t, s)
		e, err := Parse(s)
		if err != nil || !fpCanRead(e) {
			return
		}
		canon := e.String()
		theirs, err := fpParse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which fp rejects: %v", s, canon, err)
		}
		want, err := fromFP(theirs)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(normalize(want), normalize(e)); diff != "" {
			t.Fatalf("fp reads %q differently (-fp +ours):\n%s", canon, diff)
		}
	})
}

// fpCanRead reports whether the canonical text of e is within fp's grammar:
// no value paths (fp allows only one and/or in them) and URNs of letters,
// digits, dots and colons.
func fpCanRead(e Expr) bool {
	urnOK := func(a AttrPath) bool {
		for _, c := range []byte(a.URN) {
			if c == '-' || c == '_' {
				return false
			}
		}
		return true
	}
	switch e := e.(type) {
	case Compare:
		return urnOK(e.Attr)
	case Present:
		return urnOK(e.Attr)
	case And:
		return fpCanRead(e.Left) && fpCanRead(e.Right)
	case Or:
		return fpCanRead(e.Left) && fpCanRead(e.Right)
	case Not:
		return fpCanRead(e.X)
	}
	return false
}
