package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRequireBearer(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})
	h := requireBearer("s3cret", "acme", next)
	for _, c := range []struct {
		name, auth string
		want       int
	}{
		{"no header", "", 401},
		{"wrong token", "Bearer s3cre", 401},
		{"longer token", "Bearer s3cret2", 401},
		{"another scheme", "Basic s3cret", 401},
		{"no token", "Bearer", 401},
		{"the token", "Bearer s3cret", http.StatusTeapot},
		{"scheme in lower case", "bearer s3cret", http.StatusTeapot},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/Users", nil)
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.want {
				t.Fatalf("status %d, want %d", rec.Code, c.want)
			}
			if c.want != 401 {
				return
			}
			if got := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate %q, want Bearer", got)
			}
			if got := rec.Header().Get("Content-Type"); got != "application/scim+json" {
				t.Errorf("Content-Type %q", got)
			}
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if body["status"] != "401" || body["schemas"].([]any)[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
				t.Errorf("body %v, want a SCIM error with status 401", body)
			}
		})
	}
}

// logRequests logs the method, path and status, and never the query.
func TestLogRequests(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	h := logRequests(logger, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte("hello"))
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", `/scim/v2/Users?filter=userName+eq+"secret@example.com"`, nil))
	got := buf.String()
	for _, want := range []string{"method=POST", "path=/scim/v2/Users", "status=201", "bytes=5"} {
		if !strings.Contains(got, want) {
			t.Errorf("log %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "secret") {
		t.Errorf("log %q shows the query", got)
	}
}

// The server starts on a fresh SQLite file, takes its token from
// $SCIM_TOKEN or else prints one it generates, serves requests that carry
// the token, and stops when its context ends.
func TestRun(t *testing.T) {
	for _, env := range []string{"", "a-token-from-the-environment"} {
		t.Run("SCIM_TOKEN="+env, func(t *testing.T) {
			t.Setenv("SCIM_TOKEN", env)
			testRun(t, env)
		})
	}
}

func testRun(t *testing.T, env string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout bytes.Buffer
	stderr := &logWriter{ready: make(chan string, 1)}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-db", t.TempDir() + "/scim.db"}, &stdout, stderr)
	}()
	var url string
	select {
	case url = <-stderr.ready:
	case err := <-done:
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	token := env
	if env == "" {
		var ok bool
		if token, ok = strings.CutPrefix(strings.TrimSpace(stdout.String()), "bearer token: "); !ok {
			t.Fatalf("stdout %q, want the generated token", stdout.String())
		}
	} else if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing: the token is the environment's", stdout.String())
	}
	for _, c := range []struct {
		auth string
		want int
	}{{"", 401}, {"Bearer " + token, 200}} {
		req, _ := http.NewRequest("GET", url+"/ServiceProviderConfig", nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("GET with %q: %d, want %d", c.auth, resp.StatusCode, c.want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
}

// TestRunAddressInUse checks that when the address is taken, run says which
// flag to use and has neither printed a token nor created a database.
func TestRunAddressInUse(t *testing.T) {
	t.Setenv("SCIM_TOKEN", "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dbFile := filepath.Join(t.TempDir(), "scim.db")
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"-addr", ln.Addr().String(), "-db", dbFile}, &stdout, &stderr)
	want := ln.Addr().String() + " is in use by another program; choose another address with -addr, as in -addr 127.0.0.1:8081"
	if err == nil || err.Error() != want {
		t.Errorf("run: %v, want %q", err, want)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
	if _, err := os.Stat(dbFile); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("database file: %v, want it not created", err)
	}
}

// logWriter collects the server's log and sends the URL it serves at on
// ready.
type logWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan string
}

func (w *logWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, url, ok := strings.Cut(string(b), "url="); ok && strings.Contains(string(b), "serving SCIM") {
		url, _, _ = strings.Cut(url, " ")
		select {
		case w.ready <- url:
		default:
		}
	}
	return w.buf.Write(b)
}

func (w *logWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestHTTPServerLimits checks that the example's HTTP server bounds every
// phase of a connection, so that slow or idle clients cannot hold memory
// and connections indefinitely, and that a request's context carries a
// deadline for the store's queries.
func TestHTTPServerLimits(t *testing.T) {
	hs := newHTTPServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": hs.ReadHeaderTimeout, "ReadTimeout": hs.ReadTimeout,
		"WriteTimeout": hs.WriteTimeout, "IdleTimeout": hs.IdleTimeout,
	} {
		if d <= 0 || d > 2*time.Minute {
			t.Errorf("%s = %v, want a bound of at most two minutes", name, d)
		}
	}
	if hs.MaxHeaderBytes <= 0 || hs.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes = %d, want a bound below the default 1 MiB", hs.MaxHeaderBytes)
	}
	var deadline time.Time
	h := withDeadline(requestTimeout, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		deadline, _ = r.Context().Deadline()
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if left := time.Until(deadline); left <= 0 || left > requestTimeout {
		t.Errorf("request context deadline in %v, want within %v", left, requestTimeout)
	}
}

// TestLogLevels checks that a server fault is logged at Error, and a 501,
// a feature the server leaves out, is not.
func TestLogLevels(t *testing.T) {
	for status, want := range map[int]string{500: "level=ERROR", 501: "level=INFO", 404: "level=INFO"} {
		var buf bytes.Buffer
		h := logRequests(slog.New(slog.NewTextHandler(&buf, nil)), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
		}))
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/scim/v2/Me", nil))
		if !strings.Contains(buf.String(), want) {
			t.Errorf("status %d logged as %q, want %s", status, buf.String(), want)
		}
	}
}

// TestRateLimit checks the per-token limit: a burst passes, the next
// request gets 429 with a Retry-After, and tokens come back with time.
func TestRateLimit(t *testing.T) {
	clock := time.Unix(0, 0)
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	l := &limiter{rate: 2, burst: 3, buckets: make(map[string]*bucket), now: func() time.Time { return clock }}
	for i := range 3 {
		if wait := l.take("a"); wait != 0 {
			t.Fatalf("request %d of a burst of 3 waits %v", i+1, wait)
		}
	}
	if wait := l.take("a"); wait != 500*time.Millisecond {
		t.Errorf("the 4th request waits %v, want 500ms at 2 a second", wait)
	}
	if wait := l.take("b"); wait != 0 {
		t.Errorf("another token's first request waits %v", wait)
	}
	clock = clock.Add(time.Second)
	if wait := l.take("a"); wait != 0 {
		t.Errorf("after a second, a request waits %v", wait)
	}
	rec := httptest.NewRecorder()
	scimRate := rateLimit(1, 1, next)
	ctx := context.WithValue(context.Background(), tokenKey{}, "t")
	scimRate.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil).WithContext(ctx))
	scimRate.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil).WithContext(ctx))
	if rec.Code != 429 || rec.Header().Get("Retry-After") == "" {
		t.Errorf("over the limit: %d, Retry-After %q; want 429 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
}

// TestRunFlags checks that run refuses flags that would leave the server
// unprotected or wrong, before it listens or creates a database.
func TestRunFlags(t *testing.T) {
	t.Setenv("SCIM_TOKEN", "")
	for _, args := range [][]string{
		{"-token", "s3cret"},
		{"-rate", "0"},
		{"-rate", "-1"},
		{"-rate", "NaN"},
		{"-burst", "0"},
		{"-base-url", "app.example.com/scim/v2"},
		{"-base-url", "ftp://app.example.com/scim/v2"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dbFile := filepath.Join(t.TempDir(), "scim.db")
			var stdout, stderr bytes.Buffer
			// Were the flag taken, run would serve until this ends.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := run(ctx, append([]string{"-addr", "127.0.0.1:0", "-db", dbFile}, args...), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), args[0]) {
				t.Fatalf("run: %v, want an error naming %s", err, args[0])
			}
			if strings.Contains(stderr.String(), "s3cret") {
				t.Errorf("stderr shows the token: %s", stderr.String())
			}
			if _, err := os.Stat(dbFile); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("database file: %v, want it not created", err)
			}
		})
	}
}
