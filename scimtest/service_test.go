package scimtest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recorder is a service that answers with answer and keeps what it was
// sent, for the tests of what CheckEndpoint sends.
type recorder struct {
	mu     sync.Mutex
	sent   []string // method, path and query, and body
	accept []string // the Accept header of each request
	answer func(n int, r *http.Request, w http.ResponseWriter)
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	n := len(rec.sent)
	line := r.Method + " " + r.URL.RequestURI()
	if len(body) > 0 {
		line += " " + string(body)
	}
	rec.sent = append(rec.sent, line)
	rec.accept = append(rec.accept, r.Header.Get("Accept"))
	rec.mu.Unlock()
	rec.answer(n, r, w)
}

func newRecorded(t *testing.T, answer func(n int, r *http.Request, w http.ResponseWriter)) (*recorder, *service) {
	rec := &recorder{answer: answer}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return rec, &service{base: srv.URL, client: srv.Client(), redact: redactor(nil)}
}

// TestSendRetries checks that a request answered 429 Too Many Requests
// is sent again, body and all, after the Retry-After it was given, a few
// times; and that a retry ends with the request's context.
func TestSendRetries(t *testing.T) {
	t.Run("then answered", func(t *testing.T) {
		rec, sv := newRecorded(t, func(n int, r *http.Request, w http.ResponseWriter) {
			if n < 2 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			w.Write([]byte(`{"id":"u1"}`))
		})
		x := sv.send(context.Background(), http.MethodPatch, "/Users/u1", nil, []byte(`{"a":1}`))
		if x.err != nil || x.status != http.StatusOK || string(x.resp) != `{"id":"u1"}` {
			t.Errorf("send = %v, %d, %s; want the third answer, 200", x.err, x.status, x.resp)
		}
		want := []string{`PATCH /Users/u1 {"a":1}`, `PATCH /Users/u1 {"a":1}`, `PATCH /Users/u1 {"a":1}`}
		if diff := cmp.Diff(want, rec.sent); diff != "" {
			t.Errorf("sent (-want +got):\n%s", diff)
		}
	})
	t.Run("always 429", func(t *testing.T) {
		rec, sv := newRecorded(t, func(n int, r *http.Request, w http.ResponseWriter) {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		})
		x := sv.send(context.Background(), http.MethodGet, "/Users", nil, nil)
		if x.err != nil || x.status != http.StatusTooManyRequests || len(rec.sent) != retries+1 {
			t.Errorf("send = %v, %d after %d requests; want 429 after %d", x.err, x.status, len(rec.sent), retries+1)
		}
	})
	t.Run("context ends", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rec, sv := newRecorded(t, func(n int, r *http.Request, w http.ResponseWriter) {
			w.Header().Set("Retry-After", "10")
			w.WriteHeader(http.StatusTooManyRequests)
			cancel()
		})
		x := sv.send(ctx, http.MethodGet, "/Users", nil, nil)
		if !errors.Is(x.err, context.Canceled) || len(rec.sent) != 1 {
			t.Errorf("send = %v after %d requests; want context.Canceled after 1", x.err, len(rec.sent))
		}
	})
}

// TestExchangePatchNoContent checks that a PATCH answered 204 No Content
// is followed by a GET of the resource, with the PATCH's Accept header,
// whose response stands for the PATCH's; and that one answered 200 is not.
func TestExchangePatchNoContent(t *testing.T) {
	rec, sv := newRecorded(t, func(n int, r *http.Request, w http.ResponseWriter) {
		switch {
		case r.Method == http.MethodPatch && r.URL.Path == "/Users/u1":
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodPatch:
			w.Write([]byte(`{"id":"u2","patched":true}`))
		default:
			w.Write([]byte(`{"id":"u1"}`))
		}
	})
	ns := &namespace{prefix: "p-"}
	accept := http.Header{"Accept": {"application/scim+json"}}
	x := sv.exchange(context.Background(), ns, http.MethodPatch, "/Users/u1", nil, accept, []byte(`{}`))
	if x.err != nil || x.status != http.StatusOK || string(x.resp) != `{"id":"u1"}` || x.note == "" {
		t.Errorf("exchange = %v, %d, %s, note %q; want the GET's 200 and a note", x.err, x.status, x.resp, x.note)
	}
	x = sv.exchange(context.Background(), ns, http.MethodPatch, "/Users/u2", nil, accept, []byte(`{}`))
	if x.status != http.StatusOK || string(x.resp) != `{"id":"u2","patched":true}` || x.note != "" {
		t.Errorf("exchange = %d, %s, note %q; want the PATCH's own 200", x.status, x.resp, x.note)
	}
	want := []string{"PATCH /Users/u1 {}", "GET /Users/u1", "PATCH /Users/u2 {}"}
	if diff := cmp.Diff(want, rec.sent); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
	if len(rec.accept) > 1 && rec.accept[1] != "application/scim+json" {
		t.Errorf("the GET after a 204 was sent with Accept %q, want the PATCH's", rec.accept[1])
	}
}

// TestCleanupFailures checks that cleanup deletes only the run's
// resources, and reports those it could not delete and an endpoint it
// could not list.
func TestCleanupFailures(t *testing.T) {
	rec, sv := newRecorded(t, func(n int, r *http.Request, w http.ResponseWriter) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/Groups":
			w.WriteHeader(http.StatusInternalServerError)
		case r.Method == http.MethodGet:
			w.Write([]byte(`{"totalResults":3,"Resources":[{"id":"u1","userName":"run-01-a"},{"id":"u2","userName":"theirs"},{"id":"u3","userName":"RUN-02-b"}]}`))
		case r.URL.Path == "/Users/u1":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	c := &checker{sv: sv, prefix: "run-", n: 2}
	res := c.cleanup(context.Background())
	var deleted []string
	for _, s := range rec.sent {
		if strings.HasPrefix(s, "DELETE ") {
			deleted = append(deleted, s)
		}
	}
	if diff := cmp.Diff([]string{"DELETE /Users/u3", "DELETE /Users/u1"}, deleted); diff != "" {
		t.Errorf("deleted (-want +got):\n%s", diff)
	}
	if len(res.Failures) != 2 ||
		!strings.HasPrefix(res.Failures[0], "could not list what is left of the run's resources at /Groups") ||
		!strings.HasPrefix(res.Failures[1], "could not delete /Users/u1") {
		t.Errorf("failures %q; want /Groups not listed and /Users/u1 not deleted", res.Failures)
	}
	if len(res.Notes) != 1 || !strings.HasPrefix(res.Notes[0], "2 resources of the run were left at /Users") {
		t.Errorf("notes %q; want the 2 left at /Users", res.Notes)
	}
}

// TestSendRedacts checks that a string to redact is hidden in a response's
// headers as well as in its body.
func TestSendRedacts(t *testing.T) {
	_, sv := newRecorded(t, func(n int, r *http.Request, w http.ResponseWriter) {
		w.Header().Set("X-Echo", "Bearer s3cret-token")
		w.Write([]byte(`{"echo":"s3cret-token"}`))
	})
	sv.redact = redactor([]string{"s3cret-token"})
	x := sv.send(context.Background(), http.MethodGet, "/Users", nil, nil)
	if got := x.header.Get("X-Echo"); got != "Bearer [redacted]" {
		t.Errorf("header X-Echo = %q, want the token redacted", got)
	}
	if string(x.resp) != `{"echo":"[redacted]"}` {
		t.Errorf("body %s, want the token redacted", x.resp)
	}
}
