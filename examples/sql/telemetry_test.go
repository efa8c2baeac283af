package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel"
	collectormetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	collectortracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

// telemetryEnv sets the variables setupTelemetry and the exporters read to
// vars, and all the others it knows of to "", for the rest of the test.
func telemetryEnv(t *testing.T, vars map[string]string) {
	for _, name := range []string{
		"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
		"OTEL_SDK_DISABLED", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_TRACES_SAMPLER",
		"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_COMPRESSION", "OTEL_EXPORTER_OTLP_TIMEOUT",
	} {
		t.Setenv(name, vars[name])
	}
}

// keepGlobals restores OpenTelemetry's globals, which setupTelemetry sets,
// when the test ends.
func keepGlobals(t *testing.T) {
	tp, mp, prop, eh := otel.GetTracerProvider(), otel.GetMeterProvider(), otel.GetTextMapPropagator(), otel.GetErrorHandler()
	t.Cleanup(func() {
		otel.SetTracerProvider(tp)
		otel.SetMeterProvider(mp)
		otel.SetTextMapPropagator(prop)
		otel.SetErrorHandler(eh)
	})
}

// propagatorFields returns the headers the global propagator reads, sorted.
func propagatorFields() []string {
	return slices.Sorted(slices.Values(otel.GetTextMapPropagator().Fields()))
}

func newTelemetryServer(t *testing.T) *scim.Server {
	users := schema.UserResourceType()
	srv, err := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{{Type: users, Handler: scimtest.NewMemoryHandler(users)}}})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// Without a collector named in the environment, setupTelemetry creates
// nothing and changes nothing.
func TestTelemetryOff(t *testing.T) {
	for name, vars := range map[string]map[string]string{
		"no endpoint": {},
		"disabled":    {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_SDK_DISABLED": "true"},
	} {
		t.Run(name, func(t *testing.T) {
			telemetryEnv(t, vars)
			tp, mp, fields := otel.GetTracerProvider(), otel.GetMeterProvider(), propagatorFields()
			var log bytes.Buffer
			wrap, shutdown, err := setupTelemetry(context.Background(), slog.New(slog.NewTextHandler(&log, nil)))
			if err != nil {
				t.Fatal(err)
			}
			next := http.NewServeMux()
			if h := wrap(newTelemetryServer(t), next); h != http.Handler(next) {
				t.Errorf("wrap returned %T, want next as it is", h)
			}
			if otel.GetTracerProvider() != tp || otel.GetMeterProvider() != mp {
				t.Errorf("global providers changed to %T, %T", otel.GetTracerProvider(), otel.GetMeterProvider())
			}
			if diff := cmp.Diff(fields, propagatorFields()); diff != "" {
				t.Errorf("global propagator changed (-want +got):\n%s", diff)
			}
			if err := shutdown(context.Background()); err != nil {
				t.Errorf("shutdown: %v", err)
			}
			if log.Len() != 0 {
				t.Errorf("logged %q, want nothing", log.String())
			}
		})
	}
}

// With OTEL_EXPORTER_OTLP_ENDPOINT set, a request's span and metrics reach
// the collector by shutdown at the latest.
func TestTelemetryOTLP(t *testing.T) {
	var mu sync.Mutex
	bodies := map[string][][]byte{} // by path
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies[r.URL.Path] = append(bodies[r.URL.Path], body)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	telemetryEnv(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL, "OTEL_EXPORTER_OTLP_TIMEOUT": "5000"})
	keepGlobals(t)

	log := &syncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	wrap, shutdown, err := setupTelemetry(ctx, slog.New(slog.NewTextHandler(log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := newTelemetryServer(t)
	rec := httptest.NewRecorder()
	wrap(srv, srv).ServeHTTP(rec, httptest.NewRequest("GET", "/Users?filter=userName+eq+%22bjensen%22", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /Users: %d %s", rec.Code, rec.Body)
	}
	if err := shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	var spans []string
	for _, body := range bodies["/v1/traces"] {
		var req collectortracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			t.Fatal(err)
		}
		for _, rs := range req.ResourceSpans {
			service := ""
			for _, kv := range rs.Resource.GetAttributes() {
				if kv.Key == "service.name" {
					service = kv.Value.GetStringValue()
				}
			}
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					spans = append(spans, service+": "+s.Name+" "+s.Kind.String())
				}
			}
		}
	}
	if diff := cmp.Diff([]string{"scim-sql: SCIM GET /Users " + tracepb.Span_SPAN_KIND_SERVER.String()}, spans); diff != "" {
		t.Errorf("spans exported (-want +got):\n%s", diff)
	}
	var metrics []string
	for _, body := range bodies["/v1/metrics"] {
		var req collectormetricpb.ExportMetricsServiceRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			t.Fatal(err)
		}
		for _, rm := range req.ResourceMetrics {
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					metrics = append(metrics, m.Name)
				}
			}
		}
	}
	slices.Sort(metrics)
	if diff := cmp.Diff([]string{"scim.server.request.duration", "scim.server.requests"}, slices.Compact(metrics)); diff != "" {
		t.Errorf("metrics exported (-want +got):\n%s", diff)
	}
	if bytes.Contains(log.Bytes(), []byte("level=ERROR")) {
		t.Errorf("log: %s", log.Bytes())
	}
}

// syncBuffer is a bytes.Buffer for a logger that exporters' goroutines
// write to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}
