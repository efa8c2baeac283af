package otelscim_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/otelscim"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

// BenchmarkHandler serves a small request (a 404 for a missing user) bare,
// through Handler with no-op providers, and through Handler recording with
// the SDK, so that what telemetry adds to a request shows.
func BenchmarkHandler(b *testing.B) {
	users := schema.UserResourceType()
	srv, err := scim.NewServer(scim.Config{
		Endpoints: []scim.Endpoint{{Type: users, Handler: scimtest.NewMemoryHandler(users)}},
	})
	if err != nil {
		b.Fatal(err)
	}
	// Spans recorded and dropped: a recorder would keep every one.
	tp := sdktrace.NewTracerProvider()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	for _, c := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", srv},
		{"noop", otelscim.Handler(srv, nil, &otelscim.Config{TracerProvider: tracenoop.NewTracerProvider(), MeterProvider: metricnoop.NewMeterProvider()})},
		{"sdk", otelscim.Handler(srv, nil, &otelscim.Config{TracerProvider: tp, MeterProvider: mp})},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/Users/2819c223", nil)
			b.ReportAllocs()
			for b.Loop() {
				c.h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
