package scim_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestGuidesShowRecordedRequests checks that every request a guide in
// docs/ shows in an http block is the one the exchange it names sends, as
// (golden: `okta.txt`, "the exchange's title"): just before the block,
// the title without the source in parentheses that may end it; so that
// what the guides say a provider sends is what the tests replay.
func TestGuidesShowRecordedRequests(t *testing.T) {
	_, convs := goldens(t)
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
		for _, b := range httpBlocks(string(data)) {
			shown++
			line, body, _ := strings.Cut(b.block, "\n")
			ref := goldenRef.FindStringSubmatch(b.before)
			if ref == nil {
				t.Errorf("%s: the request %q names no golden exchange, as (golden: `name.txt`, \"title\"): just before it", file, line)
				continue
			}
			name, title := ref[1], strings.Join(strings.Fields(ref[2]), " ")
			conv, ok := convs[name]
			if !ok {
				t.Errorf("%s: the request %q names %s.txt, which is not in testdata/exchanges", file, line, name)
				continue
			}
			found := false
			for _, x := range conv.Exchanges {
				// A title may end with its source, in parentheses, which
				// a guide leaves out.
				if t := strings.Join(strings.Fields(x.Title), " "); t != title && !strings.HasPrefix(t, title+" (") {
					continue
				}
				found = true
				if requestKey(x.Method+" "+x.Target, x.Body) != requestKey(line, body) {
					t.Errorf("%s: the request %q is not the one %s.txt's %q sends: %s %s", file, line, name, title, x.Method, x.Target)
				}
			}
			if !found {
				t.Errorf("%s: the request %q names %s.txt's %q, which has no exchange of that title", file, line, name, title)
			}
		}
	}
	if shown == 0 {
		t.Error("the guides show no request")
	}
}

// goldenRef is how a guide names the golden exchange of the request it
// shows next: (golden: `okta.txt`, "title"):, possibly over several lines,
// and with quotes in the title.
var goldenRef = regexp.MustCompile("\\(golden:\\s*`([^`]+)\\.txt`,\\s*\"((?s:.*))\"\\):\\s*$")

// httpBlock is the content of a ```http block of a Markdown text, and the
// text between it and the block before it.
type httpBlock struct{ before, block string }

// httpBlocks returns the ```http blocks of a Markdown text.
func httpBlocks(md string) []httpBlock {
	var out []httpBlock
	for {
		before, rest, ok := strings.Cut(md, "```http\n")
		if !ok {
			return out
		}
		block, after, ok := strings.Cut(rest, "```")
		if !ok {
			return out
		}
		if i := strings.LastIndex(before, "```"); i >= 0 {
			before = before[i+3:]
		}
		out = append(out, httpBlock{before, block})
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
