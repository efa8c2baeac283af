package jsonv

import "testing"

func TestUnescapeAt(t *testing.T) {
	for _, c := range []struct {
		in   string
		r    rune
		n    int
		fail bool
	}{
		{in: `\n`, r: '\n', n: 2},
		{in: `\/x`, r: '/', n: 2},
		{in: `\u00e9`, r: 'é', n: 6},
		{in: `\u00E9`, r: 'é', n: 6},
		{in: `\ud83d\ude00`, r: '😀', n: 12},
		{in: `\ud83d`, r: '\uFFFD', n: 6},
		{in: `\ud83d\u0041`, r: '\uFFFD', n: 6},
		{in: `\ude00\ud83d`, r: '\uFFFD', n: 6},
		{in: `\u0000`, r: 0, n: 6},
		{in: `\u00g0`, fail: true},
		{in: `\u00`, fail: true},
		{in: `\x`, fail: true},
		{in: `\`, fail: true},
		{in: `n`, fail: true},
	} {
		r, n, ok := UnescapeAt(c.in, 0)
		if ok == c.fail || !c.fail && (r != c.r || n != c.n) {
			t.Errorf("UnescapeAt(%q) = %q, %d, %v; want %q, %d, %v", c.in, r, n, ok, c.r, c.n, !c.fail)
		}
		if r2, n2, ok2 := UnescapeAt([]byte(c.in), 0); r2 != r || n2 != n || ok2 != ok {
			t.Errorf("UnescapeAt([]byte(%q)) differs from the string form", c.in)
		}
	}
}
