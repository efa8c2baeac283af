package otelscim_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/otelscim"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

// A server mounted under /scim/v2 with a span for each request, named by
// the route it reaches: the id and the query stay out of it.
func ExampleHandler() {
	users := schema.UserResourceType()
	srv, err := scim.NewServer(scim.Config{
		Endpoints: []scim.Endpoint{{Type: users, Handler: scimtest.NewMemoryHandler(users)}},
	})
	if err != nil {
		panic(err)
	}
	spans := tracetest.NewSpanRecorder() // in production, an exporter's batcher
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))

	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", otelscim.Handler(srv, nil, &otelscim.Config{TracerProvider: tp})))

	req := httptest.NewRequest("GET", "/scim/v2/Users/2819c223?attributes=userName", nil)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	for _, s := range spans.Ended() {
		fmt.Println(s.Name())
		for _, kv := range s.Attributes() {
			fmt.Printf("\t%s=%s\n", kv.Key, kv.Value.Emit())
		}
	}
	// Output:
	// 404
	// SCIM GET /Users/{id}
	//	http.request.method=GET
	//	http.route=/Users/{id}
	//	http.response.status_code=404
}
