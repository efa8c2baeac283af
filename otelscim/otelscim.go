// Package otelscim traces and measures the requests a scim.Server serves,
// with OpenTelemetry.
//
// Handler wraps the server, or the host's middleware in front of it, so
// that every request has a server span and is counted and timed:
//
//	srv, err := scim.NewServer(cfg)
//	if err != nil {
//		log.Fatal(err)
//	}
//	h := otelscim.Handler(srv, requireToken(srv), nil) // the global providers
//	http.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
//
// A request is named by the route it reaches (scim.Server.Route), such as
// "/Users/{id}", and by nothing else it carries: spans and metrics never
// hold an id, a path with ids, a query (whose filter may hold an email
// address), a header value or an attribute value. The span's context is the
// request's, so that spans the handlers start, such as a store's queries,
// are its children, and it continues the trace of a traceparent header
// (W3C Trace Context) when the propagator reads one.
//
// Spans and metrics follow the OpenTelemetry semantic conventions for HTTP
// servers where they apply: the attributes http.request.method,
// http.route and http.response.status_code, the span kind server, an
// error status for a 5xx response only (a 4xx is the client's mistake),
// and the duration histogram's buckets.
package otelscim

import (
	"net/http"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/scim-go/scim"
)

// ScopeName is the instrumentation scope of the tracer and the meter,
// the import path of this package.
const ScopeName = "github.com/scim-go/scim/otelscim"

// The names of the metrics Handler records. Both have the attributes
// http.request.method, http.route (left out when the request reaches no
// route) and http.response.status_code, and no others.
const (
	// RequestsMetric counts the requests served ({request}).
	RequestsMetric = "scim.server.requests"
	// DurationMetric is a histogram of the time requests took to serve,
	// from the start of the handler to its return, in seconds.
	DurationMetric = "scim.server.request.duration"
)

// Config configures Handler. A nil *Config, and the zero value of each
// field, selects the default written on the field.
type Config struct {
	// TracerProvider provides the tracer that starts a span for each
	// request. When nil, otel.GetTracerProvider() is used, looked up once
	// by Handler; the global provider hands spans on to a provider set
	// with otel.SetTracerProvider later.
	TracerProvider trace.TracerProvider

	// MeterProvider provides the meter of the request metrics. When nil,
	// otel.GetMeterProvider() is used, looked up once by Handler, and as
	// the global, it hands measurements on to a provider set later.
	MeterProvider metric.MeterProvider

	// Propagator reads the trace context a request carries in its
	// headers. When nil, otel.GetTextMapPropagator() is used, which reads
	// none until a host sets one with otel.SetTextMapPropagator, such as
	// propagation.TraceContext{}.
	Propagator propagation.TextMapPropagator
}

// Handler returns a handler that serves each request with next, in a
// server span named "SCIM <method> <route>", such as "SCIM GET
// /Users/{id}", and records its count and duration in the metrics
// RequestsMetric and DurationMetric. The route is srv.Route of the
// request as Handler sees it, so Handler goes where srv would, after
// http.StripPrefix; a request that reaches no route is named "SCIM
// <method> unknown". A method other than those of RFC 9110 §9 and PATCH is
// named _OTHER.
//
// next is what serves the request, such as the host's authentication in
// front of srv: requests it refuses are traced and counted too. When next
// is nil, srv itself serves. srv must not be nil.
//
// A span's status is an error when the response is a 5xx, or when next
// panics: the span ends and the request is counted, as a 500 unless a
// status was written, and the panic goes on. A nil cfg selects the
// defaults of Config. With no-op providers, as the globals are until set,
// a request costs a lookup of its route and a few small allocations. The
// returned handler is safe for concurrent use.
func Handler(srv *scim.Server, next http.Handler, cfg *Config) http.Handler {
	if srv == nil {
		panic("otelscim: Handler with a nil *scim.Server")
	}
	if next == nil {
		next = srv
	}
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.TracerProvider == nil {
		c.TracerProvider = otel.GetTracerProvider()
	}
	if c.MeterProvider == nil {
		c.MeterProvider = otel.GetMeterProvider()
	}
	if c.Propagator == nil {
		c.Propagator = otel.GetTextMapPropagator()
	}
	h := &handler{
		srv:        srv,
		next:       next,
		propagator: c.Propagator,
		tracer:     c.TracerProvider.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL)),
	}
	meter := c.MeterProvider.Meter(ScopeName, metric.WithSchemaURL(semconv.SchemaURL))
	var err error
	h.requests, err = meter.Int64Counter(RequestsMetric,
		metric.WithDescription("Requests served by the SCIM server."),
		metric.WithUnit("{request}"))
	if err != nil {
		otel.Handle(err)
	}
	if h.requests == nil {
		h.requests = noop.Int64Counter{}
	}
	h.duration, err = meter.Float64Histogram(DurationMetric,
		metric.WithDescription("Duration of requests served by the SCIM server."),
		metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10))
	if err != nil {
		otel.Handle(err)
	}
	if h.duration == nil {
		h.duration = noop.Float64Histogram{}
	}
	return h
}

var serverKind = trace.WithSpanKind(trace.SpanKindServer)

type handler struct {
	srv        *scim.Server
	next       http.Handler
	propagator propagation.TextMapPropagator
	tracer     trace.Tracer
	requests   metric.Int64Counter
	duration   metric.Float64Histogram
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	method := methodName(r.Method)
	route := h.srv.Route(r)
	name := "SCIM " + method + " unknown"
	attrs := make([]attribute.KeyValue, 1, 3)
	attrs[0] = semconv.HTTPRequestMethodKey.String(method)
	if route != "" {
		name = "SCIM " + method + " " + route
		attrs = append(attrs, semconv.HTTPRoute(route))
	}
	ctx := h.propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	ctx, span := h.tracer.Start(ctx, name, serverKind, trace.WithAttributes(attrs...))
	rec := &recorder{ResponseWriter: w}
	panicked := true
	defer func() {
		status := rec.status
		if status == 0 {
			status = http.StatusOK // nothing written: net/http sends 200
			if panicked {
				status = http.StatusInternalServerError
			}
		}
		attrs = append(attrs, semconv.HTTPResponseStatusCode(status))
		if span.IsRecording() {
			span.SetAttributes(attrs[len(attrs)-1])
			switch {
			case panicked:
				span.SetStatus(codes.Error, "panic")
			case status >= 500:
				span.SetStatus(codes.Error, "")
			}
		}
		span.End()
		if h.requests.Enabled(ctx) || h.duration.Enabled(ctx) {
			opt := metric.WithAttributeSet(attribute.NewSet(attrs...))
			h.requests.Add(ctx, 1, opt)
			h.duration.Record(ctx, time.Since(start).Seconds(), opt)
		}
	}()
	h.next.ServeHTTP(rec, r.WithContext(ctx))
	panicked = false
}

// methodName returns m if it is one of the methods of RFC 9110 §9 or
// PATCH (RFC 5789), and "_OTHER" otherwise: a name that neither leaks what
// a client sent nor makes a new metric series for each.
func methodName(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "_OTHER"
}

// recorder records the status of a response.
type recorder struct {
	http.ResponseWriter
	status int // 0 until the header is written
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		r.status = code // not an informational 1xx, after which another comes
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Flush flushes the underlying writer, if it can be.
func (r *recorder) Flush() {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	http.NewResponseController(r.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
