// Command scimcheck checks a deployed SCIM 2.0 service over HTTP, as
// scimtest.CheckEndpoint does: it runs the conformance cases of package
// scimtest that need nothing but HTTP, and replays the Entra ID and Okta
// provisioning conversations of the library's testdata/exchanges as those
// identity providers send them.
//
//	export SCIMCHECK_TOKEN=…
//	go run github.com/scim-go/scim/cmd/scimcheck -url https://app.example.com/scim/v2
//
// It creates users and groups of its own, whose userName, displayName and
// externalId start with a prefix of the run, such as
// "scimcheck-31415926-07-"; it lists only those, and deletes them
// afterwards, also when a check fails or the run is interrupted. The
// service's other resources are neither changed nor counted.
//
// It prints a line per check: PASS or FAIL, the check's name, the rule it
// checks and the section of the RFC that rule comes from, or SKIP and why
// the check did not run. Under a FAIL come what was wrong, the request sent
// and the response received, bodies cut short. The last line is
// "N passed, M failed". It exits with 0 when no check failed, 1 when one
// did or the run was interrupted, and 2 when the flags are wrong.
//
// Flags:
//
//	-url      the service's base URL, under which it serves /Users, /Groups
//	          and /ServiceProviderConfig (required)
//	-token    the bearer token to send in an Authorization header; when
//	          empty, $SCIMCHECK_TOKEN, which keeps it off the command line
//	-timeout  how long one request may take (default 30s)
//	-run      a regular expression; only the checks whose name it matches
//	          run, such as -run '^filter-' or -run entra. A case's name is
//	          as in scimtest.Run; a conversation's is its file's, and its
//	          exchanges are reported as name/1, name/2, ...
//	-v        also print every failure of a check, not only the first
//	          five, and what each check left out, and why
//
// The token is never printed.
package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/scim-go/scim/scimtest"
)

// conversations are the golden conversations scimcheck replays: the
// provisioning of users and groups by Entra ID and Okta, which a service
// should answer as the library does. exchanges holds copies of them from
// testdata/exchanges, which go generate refreshes and
// TestExchangeCopies keeps equal; go:embed cannot reach above this
// directory.
var conversations = []string{"cycle-entra", "cycle-okta", "entra-groups", "entra-users", "okta-group-push"}

//go:generate go test -run TestExchangeCopies -update .

//go:embed exchanges/*.txt
var exchanges embed.FS

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, a second one ends the program at once,
		// cleanup or not.
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// run runs scimcheck with the arguments given, and returns its exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("scimcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	baseURL := fs.String("url", "", "the service's base `URL`, such as https://app.example.com/scim/v2 (required)")
	token := fs.String("token", "", "the bearer `token` to send (default $SCIMCHECK_TOKEN)")
	timeout := fs.Duration("timeout", 30*time.Second, "how long one request may take")
	runRE := fs.String("run", "", "run only the checks whose name matches this `regexp`")
	verbose := fs.Bool("v", false, "print every failure of a check, and what each check left out")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: scimcheck -url URL [-token TOKEN] [-timeout DURATION] [-run REGEXP] [-v]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "scimcheck: "+format+"\n", a...)
		fs.Usage()
		return 2
	}
	if fs.NArg() > 0 {
		return usage("unexpected arguments %q", fs.Args())
	}
	u, err := url.Parse(*baseURL)
	if *baseURL == "" || err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return usage("-url must be the http or https URL of the service, such as https://app.example.com/scim/v2")
	}
	re, err := regexp.Compile(*runRE)
	if err != nil {
		return usage("-run: %v", err)
	}
	if *timeout <= 0 {
		return usage("-timeout must be positive")
	}
	if *token == "" {
		*token = getenv("SCIMCHECK_TOKEN")
	}
	convs, err := loadConversations()
	if err != nil {
		fmt.Fprintln(stderr, "scimcheck:", err)
		return 1
	}

	target := scimtest.Target{
		URL:           *baseURL,
		Client:        &http.Client{Timeout: *timeout, Transport: bearer{token: *token, host: u.Host, next: http.DefaultTransport}},
		Conversations: convs,
		Redact:        []string{*token},
	}
	if *runRE != "" {
		target.Select = re.MatchString
	}
	// Target.Redact hides the token in what the service sends back; the
	// rest of what is printed (an error of the client, say) is hidden
	// here. Control characters a service sends never reach the terminal.
	hide := printable
	if *token != "" {
		r := strings.NewReplacer(*token, "[redacted]")
		hide = func(s string) string { return printable(r.Replace(s)) }
	}
	passed, failed := 0, 0
	err = scimtest.CheckEndpoint(ctx, target, func(r scimtest.Result) {
		switch {
		case r.Skipped != "":
			fmt.Fprintf(stdout, "SKIP %s: %s\n", r.Name, r.Skipped)
		case r.Passed():
			passed++
			fmt.Fprintf(stdout, "PASS %s: %s (%s)\n", r.Name, r.Rule, r.Ref)
		default:
			failed++
			fmt.Fprintf(stdout, "FAIL %s: %s (%s)\n", r.Name, r.Rule, r.Ref)
			for i, f := range r.Failures {
				if i == maxFailures && !*verbose {
					fmt.Fprintf(stdout, "    and %d more failures; -v shows them all\n", len(r.Failures)-i)
					break
				}
				fmt.Fprintln(stdout, indent("    ", hide(f)))
			}
		}
		if *verbose {
			for _, n := range r.Notes {
				fmt.Fprintln(stdout, indent("    note: ", hide(n)))
			}
		}
	})
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "scimcheck: interrupted (%v); whether what the checks created was deleted, the cleanup line says\n", err)
		return 1
	case failed > 0:
		return 1
	}
	return 0
}

// printable returns s with its control characters other than newline and
// tab replaced by U+FFFD, so that a service cannot move the cursor or recolour the
// terminal scimcheck prints to.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return '\uFFFD'
	}, s)
}

// maxFailures is how many failures of a check are printed without -v.
const maxFailures = 5

// indent returns text with first before its first line, and as many
// spaces before each other line.
func indent(first, text string) string {
	return first + strings.ReplaceAll(text, "\n", "\n"+strings.Repeat(" ", len(first)))
}

// loadConversations parses the embedded conversations.
func loadConversations() (map[string]*scimtest.Conversation, error) {
	return scimtest.ReadConversations(exchanges, "exchanges/*.txt")
}

// bearer adds the bearer token (RFC 6750 §2.1) to the requests it sends to
// host, the service's, and to no other: a redirect elsewhere goes without
// it.
type bearer struct {
	token string
	host  string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	if b.token == "" || req.URL.Host != b.host {
		return b.next.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(req)
}
