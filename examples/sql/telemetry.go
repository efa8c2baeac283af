package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/otelscim"
)

// setupTelemetry exports traces and metrics of the SCIM requests with
// OTLP over HTTP when the standard environment variables name a collector:
// traces when OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, metrics when
// OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_METRICS_ENDPOINT is.
// The exporters read the rest of their configuration from the environment
// too (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, OTEL_SERVICE_NAME,
// OTEL_METRIC_EXPORT_INTERVAL, OTEL_TRACES_SAMPLER, ...). The providers
// and a W3C Trace Context propagator become OpenTelemetry's globals, so
// that other instrumentation, such as a database driver's, joins the
// request's trace, and OpenTelemetry's errors, such as an export that
// fails, are logged to logger.
//
// wrap(srv, next) serves next, the handler in front of srv, with a span
// and metrics for each request (otelscim.Handler); shutdown flushes what is
// left to export and stops the exporters. When none of the variables is
// set, or OTEL_SDK_DISABLED is true, setupTelemetry creates nothing: wrap
// returns next as it is, and shutdown does nothing.
func setupTelemetry(ctx context.Context, logger *slog.Logger) (wrap func(srv *scim.Server, next http.Handler) http.Handler, shutdown func(context.Context) error, err error) {
	set := func(name string) bool { return os.Getenv(name) != "" }
	traces := set("OTEL_EXPORTER_OTLP_ENDPOINT") || set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
	metrics := set("OTEL_EXPORTER_OTLP_ENDPOINT") || set("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")
	if strings.EqualFold(strings.TrimSpace(os.Getenv("OTEL_SDK_DISABLED")), "true") || !traces && !metrics {
		return func(_ *scim.Server, next http.Handler) http.Handler { return next },
			func(context.Context) error { return nil }, nil
	}

	// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, read last, win.
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName("scim-sql")),
		resource.WithTelemetrySDK(),
		resource.WithFromEnv(),
	)
	if err != nil {
		return nil, nil, err
	}
	var shutdowns []func(context.Context) error
	shutdown = func(ctx context.Context) error {
		var errs []error
		for _, f := range shutdowns {
			errs = append(errs, f(ctx))
		}
		return errors.Join(errs...)
	}
	cfg := &otelscim.Config{Propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})}
	if traces {
		exp, err := otlptracehttp.New(ctx)
		if err != nil {
			return nil, nil, errors.Join(err, shutdown(ctx))
		}
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
		shutdowns = append(shutdowns, tp.Shutdown)
		cfg.TracerProvider = tp
	}
	if metrics {
		exp, err := otlpmetrichttp.New(ctx)
		if err != nil {
			return nil, nil, errors.Join(err, shutdown(ctx))
		}
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp)), sdkmetric.WithResource(res))
		shutdowns = append(shutdowns, mp.Shutdown)
		cfg.MeterProvider = mp
	}
	if cfg.TracerProvider != nil {
		otel.SetTracerProvider(cfg.TracerProvider)
	}
	if cfg.MeterProvider != nil {
		otel.SetMeterProvider(cfg.MeterProvider)
	}
	otel.SetTextMapPropagator(cfg.Propagator)
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		logger.Error("opentelemetry", "error", err)
	}))
	logger.Info("exporting telemetry with OTLP/HTTP", "traces", traces, "metrics", metrics)
	return func(srv *scim.Server, next http.Handler) http.Handler {
		return otelscim.Handler(srv, next, cfg)
	}, shutdown, nil
}
