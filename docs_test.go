package scim_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGuidesShowRecordedRequests checks that every request a guide in
// docs/ shows in an http block is one a golden conversation sends, so
// that what the guides say a provider sends is what the tests replay.
func TestGuidesShowRecordedRequests(t *testing.T) {
	recorded := map[string]bool{}
	_, convs := goldens(t)
	for _, conv := range convs {
		for _, x := range conv.Exchanges {
			recorded[requestKey(x.Method+" "+x.Target, x.Body)] = true
		}
	}
	guides, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(guides) == 0 {
		t.Fatal("no guides in docs/")
	}
	shown := 0
	for _, file := range guides {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, block := range httpBlocks(string(data)) {
			line, body, _ := strings.Cut(block, "\n")
			shown++
			if !recorded[requestKey(line, body)] {
				t.Errorf("%s: the request %q is in no golden conversation in testdata/exchanges", file, line)
			}
		}
	}
	if shown == 0 {
		t.Error("the guides show no request")
	}
}

// httpBlocks returns the contents of the ```http blocks of a Markdown text.
func httpBlocks(md string) []string {
	var out []string
	for {
		_, rest, ok := strings.Cut(md, "```http\n")
		if !ok {
			return out
		}
		block, after, ok := strings.Cut(rest, "```")
		if !ok {
			return out
		}
		out = append(out, block)
		md = after
	}
}

// requestKey is a request line and body, with the lines' indentation and
// blank lines taken away, as a guide's block indents inside a list item.
func requestKey(line, body string) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(line))
	for l := range strings.SplitSeq(body, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			b.WriteString("\n" + l)
		}
	}
	return b.String()
}
