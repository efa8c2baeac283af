package otelscim_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/otelscim"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

const userSchema = "urn:ietf:params:scim:schemas:core:2.0:User"

// faulty is a Group store that fails: Get returns an error the server
// answers with 500, after a query span of its own, and List panics.
type faulty struct {
	*scimtest.MemoryHandler
	tracer trace.Tracer
}

func (f *faulty) Get(ctx context.Context, id string) (*resource.Resource, error) {
	_, span := f.tracer.Start(ctx, "query")
	span.End()
	return nil, errors.New("database is down")
}

func (f *faulty) List(ctx context.Context, q *scim.Query) (*scim.Page, error) {
	panic("out of cheese")
}

// telemetry is what a test server's requests record.
type telemetry struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	tp     *sdktrace.TracerProvider
	mp     *sdkmetric.MeterProvider
}

func newTelemetry() *telemetry {
	t := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	t.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(t.spans))
	t.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(t.reader))
	return t
}

// newServer returns a SCIM server for Users, in which the user bjensen has
// the id 2819c223, and Groups whose store fails; and the telemetry of its
// requests, which Handler records with the tracer and meter providers of
// cfg or, when cfg is nil, with the globals. The server is mounted under
// /scim/v2.
func newServer(t *testing.T, cfg *otelscim.Config, tel *telemetry, next func(http.Handler) http.Handler) http.Handler {
	t.Helper()
	users, groups := schema.UserResourceType(), schema.GroupResourceType()
	userStore := scimtest.NewMemoryHandler(users)
	userStore.NewID = func() string { return "2819c223" }
	srv, err := scim.NewServer(scim.Config{
		Endpoints: []scim.Endpoint{
			{Type: users, Handler: userStore},
			{Type: groups, Handler: &faulty{scimtest.NewMemoryHandler(groups), tel.tp.Tracer("store")}},
		},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, newRequest("POST", "/Users", `{"schemas":["`+userSchema+`"],"userName":"bjensen@example.com","emails":[{"value":"bjensen@example.com"}]}`))
	if rec.Code != http.StatusCreated {
		t.Fatalf("creating bjensen: %d %s", rec.Code, rec.Body)
	}
	var h http.Handler = srv
	if next != nil {
		h = next(srv)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", otelscim.Handler(srv, h, cfg)))
	return mux
}

func newRequest(method, target, body string) *http.Request {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	return req
}

// span is what a test compares of a recorded span.
type span struct {
	Name   string
	Kind   trace.SpanKind
	Attrs  map[string]string
	Status codes.Code
	Desc   string
}

func summarize(s sdktrace.ReadOnlySpan) span {
	return span{s.Name(), s.SpanKind(), attrMap(s.Attributes()), s.Status().Code, s.Status().Description}
}

func attrMap(kvs []attribute.KeyValue) map[string]string {
	m := make(map[string]string)
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.Emit()
	}
	return m
}

// key names a metric data point by its attributes, in their order.
func key(set attribute.Set) string {
	var parts []string
	for _, kv := range set.ToSlice() {
		parts = append(parts, string(kv.Key)+"="+kv.Value.Emit())
	}
	return strings.Join(parts, " ")
}

// metrics returns the requests counted and the durations recorded, by the
// attributes of their data points.
func (tel *telemetry) metrics(t *testing.T) (requests, durations map[string]int64) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := tel.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	requests, durations = map[string]int64{}, map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != otelscim.ScopeName {
			t.Errorf("scope %q, want %q", sm.Scope.Name, otelscim.ScopeName)
		}
		for _, m := range sm.Metrics {
			switch m.Name {
			case otelscim.RequestsMetric:
				sum, ok := m.Data.(metricdata.Sum[int64])
				if !ok || !sum.IsMonotonic || m.Unit != "{request}" {
					t.Errorf("%s: %T monotonic %v unit %q, want a monotonic int64 sum in {request}", m.Name, m.Data, ok && sum.IsMonotonic, m.Unit)
				}
				for _, dp := range sum.DataPoints {
					requests[key(dp.Attributes)] += dp.Value
				}
			case otelscim.DurationMetric:
				hist, ok := m.Data.(metricdata.Histogram[float64])
				if !ok || m.Unit != "s" {
					t.Errorf("%s: %T unit %q, want a float64 histogram in s", m.Name, m.Data, m.Unit)
				}
				for _, dp := range hist.DataPoints {
					durations[key(dp.Attributes)] += int64(dp.Count)
				}
			default:
				t.Errorf("unexpected metric %s", m.Name)
			}
		}
	}
	return requests, durations
}

func TestHandler(t *testing.T) {
	for _, c := range []struct {
		name                 string
		method, target, body string
		status               int
		span                 span
	}{{
		name: "list", method: "GET", target: "/scim/v2/Users", status: 200,
		span: span{Name: "SCIM GET /Users", Attrs: map[string]string{
			"http.request.method": "GET", "http.route": "/Users", "http.response.status_code": "200"}},
	}, {
		name: "get", method: "GET", target: "/scim/v2/Users/2819c223", status: 200,
		span: span{Name: "SCIM GET /Users/{id}", Attrs: map[string]string{
			"http.request.method": "GET", "http.route": "/Users/{id}", "http.response.status_code": "200"}},
	}, {
		name: "create", method: "POST", target: "/scim/v2/Users", body: `{"schemas":["` + userSchema + `"],"userName":"alice"}`, status: 201,
		span: span{Name: "SCIM POST /Users", Attrs: map[string]string{
			"http.request.method": "POST", "http.route": "/Users", "http.response.status_code": "201"}},
	}, {
		name: "no such user", method: "GET", target: "/scim/v2/Users/nobody", status: 404,
		span: span{Name: "SCIM GET /Users/{id}", Attrs: map[string]string{
			"http.request.method": "GET", "http.route": "/Users/{id}", "http.response.status_code": "404"}},
	}, {
		name: "no such endpoint", method: "GET", target: "/scim/v2/Things/1", status: 404,
		span: span{Name: "SCIM GET unknown", Attrs: map[string]string{
			"http.request.method": "GET", "http.response.status_code": "404"}},
	}, {
		name: "store error", method: "GET", target: "/scim/v2/Groups/g1", status: 500,
		span: span{Name: "SCIM GET /Groups/{id}", Status: codes.Error, Attrs: map[string]string{
			"http.request.method": "GET", "http.route": "/Groups/{id}", "http.response.status_code": "500"}},
	}, {
		name: "store panic", method: "GET", target: "/scim/v2/Groups", status: 500,
		span: span{Name: "SCIM GET /Groups", Status: codes.Error, Attrs: map[string]string{
			"http.request.method": "GET", "http.route": "/Groups", "http.response.status_code": "500"}},
	}, {
		name: "unknown method", method: "BREW", target: "/scim/v2/Users", status: 405,
		span: span{Name: "SCIM _OTHER /Users", Attrs: map[string]string{
			"http.request.method": "_OTHER", "http.route": "/Users", "http.response.status_code": "405"}},
	}} {
		t.Run(c.name, func(t *testing.T) {
			tel := newTelemetry()
			h := newServer(t, &otelscim.Config{TracerProvider: tel.tp, MeterProvider: tel.mp}, tel, nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, newRequest(c.method, c.target, c.body))
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, c.status, rec.Body)
			}
			var server []sdktrace.ReadOnlySpan
			for _, s := range tel.spans.Ended() {
				if s.SpanKind() == trace.SpanKindServer {
					server = append(server, s)
				}
			}
			if len(server) != 1 {
				t.Fatalf("%d server spans, want 1", len(server))
			}
			c.span.Kind = trace.SpanKindServer
			if diff := cmp.Diff(c.span, summarize(server[0])); diff != "" {
				t.Errorf("span (-want +got):\n%s", diff)
			}
			want := map[string]int64{key(attribute.NewSet(mapAttrs(c.span.Attrs)...)): 1}
			requests, durations := tel.metrics(t)
			if diff := cmp.Diff(want, requests); diff != "" {
				t.Errorf("%s (-want +got):\n%s", otelscim.RequestsMetric, diff)
			}
			if diff := cmp.Diff(want, durations); diff != "" {
				t.Errorf("%s counts (-want +got):\n%s", otelscim.DurationMetric, diff)
			}
		})
	}
}

func mapAttrs(m map[string]string) []attribute.KeyValue {
	var kvs []attribute.KeyValue
	for k, v := range m {
		if k == "http.response.status_code" {
			var n int
			fmt.Sscan(v, &n)
			kvs = append(kvs, attribute.Int(k, n))
			continue
		}
		kvs = append(kvs, attribute.String(k, v))
	}
	return kvs
}

// The request's context carries the server span to the store, whose spans
// are its children, and the span continues the trace of the request's
// traceparent header.
func TestHandlerContext(t *testing.T) {
	tel := newTelemetry()
	h := newServer(t, &otelscim.Config{TracerProvider: tel.tp, MeterProvider: tel.mp, Propagator: propagation.TraceContext{}}, tel, nil)
	req := newRequest("GET", "/scim/v2/Groups/g1", "")
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.ServeHTTP(httptest.NewRecorder(), req)
	spans := tel.spans.Ended()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want the store's and the server's", len(spans))
	}
	query, server := spans[0], spans[1]
	if query.Name() != "query" || server.SpanKind() != trace.SpanKindServer {
		t.Fatalf("spans %q, %q; want query then the server span", query.Name(), server.Name())
	}
	if query.Parent().SpanID() != server.SpanContext().SpanID() {
		t.Errorf("the store's span has parent %s, want the server span %s", query.Parent().SpanID(), server.SpanContext().SpanID())
	}
	if got := server.SpanContext().TraceID().String(); got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("trace %s, want the traceparent's", got)
	}
	if got := server.Parent().SpanID().String(); got != "00f067aa0ba902b7" || !server.Parent().IsRemote() {
		t.Errorf("parent %s (remote %v), want the traceparent's remote span", got, server.Parent().IsRemote())
	}
}

// Requests that next refuses before they reach the server are traced and
// counted too, and a panic in next ends the span and goes on.
func TestHandlerNext(t *testing.T) {
	tel := newTelemetry()
	h := newServer(t, &otelscim.Config{TracerProvider: tel.tp, MeterProvider: tel.mp}, tel, func(srv http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.Header.Get("Authorization") {
			case "":
				scim.WriteError(w, scim.Errorf(http.StatusUnauthorized, "", "missing token"))
			case "panic":
				panic(http.ErrAbortHandler)
			default:
				srv.ServeHTTP(w, r)
			}
		})
	})
	h.ServeHTTP(httptest.NewRecorder(), newRequest("DELETE", "/scim/v2/Users/2819c223", ""))
	req := newRequest("DELETE", "/scim/v2/Users/2819c223", "")
	req.Header.Set("Authorization", "panic")
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler", v)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), req)
	}()
	var got []span
	for _, s := range tel.spans.Ended() {
		got = append(got, summarize(s))
	}
	attrs := func(status string) map[string]string {
		return map[string]string{"http.request.method": "DELETE", "http.route": "/Users/{id}", "http.response.status_code": status}
	}
	want := []span{
		{Name: "SCIM DELETE /Users/{id}", Kind: trace.SpanKindServer, Attrs: attrs("401")},
		{Name: "SCIM DELETE /Users/{id}", Kind: trace.SpanKindServer, Attrs: attrs("500"), Status: codes.Error, Desc: "panic"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
	requests, _ := tel.metrics(t)
	wantRequests := map[string]int64{
		"http.request.method=DELETE http.response.status_code=401 http.route=/Users/{id}": 1,
		"http.request.method=DELETE http.response.status_code=500 http.route=/Users/{id}": 1,
	}
	if diff := cmp.Diff(wantRequests, requests); diff != "" {
		t.Errorf("%s (-want +got):\n%s", otelscim.RequestsMetric, diff)
	}
}

// Spans and metrics never hold an id, a query, a header or an attribute
// value: only the method, the route and the status.
func TestHandlerLeaksNothing(t *testing.T) {
	tel := newTelemetry()
	h := newServer(t, &otelscim.Config{TracerProvider: tel.tp, MeterProvider: tel.mp, Propagator: propagation.TraceContext{}}, tel, nil)
	secrets := []string{"2819c223", "bjensen", "example.com", "filter", "userName", "s3cret-token", "req-4711", "curl/8", "Babs"}
	for _, req := range []*http.Request{
		newRequest("GET", `/scim/v2/Users?filter=userName+eq+%22bjensen%40example.com%22&attributes=emails`, ""),
		newRequest("GET", `/scim/v2/Users/2819c223?attributes=userName`, ""),
		newRequest("PATCH", `/scim/v2/Users/2819c223`, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"name.givenName","value":"Babs"}]}`),
		newRequest("POST", `/scim/v2/Users/.search`, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"emails.value eq \"bjensen@example.com\""}`),
		newRequest("GET", `/scim/v2/Users/2819c223/bjensen@example.com`, ""),
		newRequest("DELETE", `/scim/v2/Groups/2819c223`, ""),
	} {
		req.Header.Set("Authorization", "Bearer s3cret-token")
		req.Header.Set("X-Request-Id", "req-4711")
		req.Header.Set("User-Agent", "curl/8")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	var seen []string // every name, attribute and status the requests recorded
	spans := tel.spans.Ended()
	if len(spans) < 6 {
		t.Fatalf("%d spans, want one a request at least", len(spans))
	}
	for _, s := range spans {
		seen = append(seen, s.Name(), s.Status().Description)
		for _, kv := range s.Attributes() {
			seen = append(seen, string(kv.Key), kv.Value.Emit())
		}
		for _, e := range s.Events() {
			seen = append(seen, e.Name)
			for _, kv := range e.Attributes {
				seen = append(seen, string(kv.Key), kv.Value.Emit())
			}
		}
	}
	requests, durations := tel.metrics(t)
	for k := range requests {
		seen = append(seen, k)
	}
	for k := range durations {
		seen = append(seen, k)
	}
	if len(requests) == 0 || len(durations) == 0 {
		t.Fatalf("no metrics: %v %v", requests, durations)
	}
	for _, s := range seen {
		for _, secret := range secrets {
			if strings.Contains(strings.ToLower(s), strings.ToLower(secret)) {
				t.Errorf("%q holds %q", s, secret)
			}
		}
	}
	slices.Sort(seen)
	t.Logf("recorded: %q", slices.Compact(seen))
}

// With a nil *Config, Handler records with the global providers.
func TestHandlerGlobals(t *testing.T) {
	tel := newTelemetry()
	prevTP, prevMP := otel.GetTracerProvider(), otel.GetMeterProvider()
	otel.SetTracerProvider(tel.tp)
	otel.SetMeterProvider(tel.mp)
	t.Cleanup(func() {
		otel.SetTracerProvider(prevTP)
		otel.SetMeterProvider(prevMP)
	})
	h := newServer(t, nil, tel, nil)
	h.ServeHTTP(httptest.NewRecorder(), newRequest("GET", "/scim/v2/ServiceProviderConfig", ""))
	if spans := tel.spans.Ended(); len(spans) != 1 || spans[0].Name() != "SCIM GET /ServiceProviderConfig" {
		t.Errorf("spans %v, want SCIM GET /ServiceProviderConfig", spans)
	}
	requests, _ := tel.metrics(t)
	want := map[string]int64{"http.request.method=GET http.response.status_code=200 http.route=/ServiceProviderConfig": 1}
	if diff := cmp.Diff(want, requests); diff != "" {
		t.Errorf("%s (-want +got):\n%s", otelscim.RequestsMetric, diff)
	}
}
