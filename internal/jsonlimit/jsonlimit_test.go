package jsonlimit

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	l := Limits{MaxDepth: 3, MaxMembers: 2}
	for _, tc := range []struct {
		in, want string
	}{
		{`{"a":[{"b":1}]}`, ""},
		{`{"a":[{"b":[1]}]}`, "request body nests deeper than 3 levels"},
		{`{"a":"[[[[[[","b":"{{{{"}`, ""},
		{`{"a":"\"[[[[","b":1}`, ""},
		{`{"a":1,"b":2,"c":3}`, "an object in the request body has more than 2 members"},
		{`{"a":{"x":1,"y":2},"b":{"x":1,"y":2}}`, ""},
		{`{"a":"x:y:z","b":["p:q","r:s","t:u"]}`, ""},
		{"{\"a\":\"\xff\"}", "request body is not valid UTF-8"},
		{strings.Repeat("[", 100000), "request body nests deeper than 3 levels"},
		{`]]]]}}}{"a":1}`, ""},
	} {
		err := Check([]byte(tc.in), l)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("Check(%.40q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// Beyond the tracked stack the depth is still counted.
	deep := strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
	if err := Check([]byte(deep), Limits{MaxDepth: 200, MaxMembers: 1}); err != nil {
		t.Errorf("deep document within limits: %v", err)
	}
}

func FuzzCheck(f *testing.F) {
	f.Add([]byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}`))
	f.Add([]byte(`[[[[{"a":"\\\""}]]]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		Check(data, Limits{MaxDepth: 8, MaxMembers: 4})
	})
}

func TestCheckSurrogates(t *testing.T) {
	for _, tc := range []struct {
		in, msg, path string
	}{
		{`{"a":"\ud83d\ude00"}`, "", ""},
		{`{"a":"\uD83D\uDE00 and \u00e9 and \\ud800"}`, "", ""},
		{`{"userName":"x\ud800"}`, `a string holds a lone UTF-16 surrogate (\ud800), which is not a character`, "userName"},
		{`{"userName":"x\ud800y"}`, `a string holds a lone UTF-16 surrogate (\ud800), which is not a character`, "userName"},
		{`{"userName":"\udc00\ud800"}`, `a string holds a lone UTF-16 surrogate (\udc00), which is not a character`, "userName"},
		{`{"userName":"\ud800\u0041"}`, `a string holds a lone UTF-16 surrogate (\ud800), which is not a character`, "userName"},
		{`{"emails":[{"type":"work"},{"value":"\uDBFF"}]}`, `a string holds a lone UTF-16 surrogate (\uDBFF), which is not a character`, "emails.value"},
		{`{"urn:x:Ext":{"a":1,"b":{"c":["\ud800"]}}}`, `a string holds a lone UTF-16 surrogate (\ud800), which is not a character`, "urn:x:Ext.b.c"},
		{`{"a\ud800":1}`, `a string holds a lone UTF-16 surrogate (\ud800), which is not a character`, ""},
		{`{"a":"\ud80`, "", ""},
		{`{"a":"\ud800\u`, `a string holds a lone UTF-16 surrogate (\ud800), which is not a character`, "a"},
	} {
		err := Check([]byte(tc.in), Limits{})
		var msg, path string
		if err != nil {
			msg, path = err.Error(), err.(*Error).Path
		}
		if msg != tc.msg || path != tc.path {
			t.Errorf("Check(%q) = %q at %q, want %q at %q", tc.in, msg, path, tc.msg, tc.path)
		}
	}
}
