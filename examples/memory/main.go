// Command memory runs a SCIM 2.0 server for Users and Groups kept in
// memory, mounted under /scim/v2. It needs no set-up:
//
//	go run ./examples/memory -addr 127.0.0.1:8080
//	curl -s http://127.0.0.1:8080/scim/v2/ServiceProviderConfig
//
// Resources are lost when it stops, and it checks no credentials: put your
// authentication middleware in front of the server in a real deployment.
package main

import (
	"flag"
	"log"
	"log/slog"
	"net/http"
	"os"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	users, groups := schema.UserResourceType(), schema.GroupResourceType()
	srv, err := scim.NewServer(scim.Config{
		Endpoints: []scim.Endpoint{
			{Type: users, Handler: scimtest.NewMemoryHandler(users)},
			{Type: groups, Handler: scimtest.NewMemoryHandler(groups)},
		},
		Logger: logger,
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", logRequests(logger, srv)))
	logger.Info("serving SCIM", "url", "http://"+*addr+"/scim/v2")
	log.Fatal(http.ListenAndServe(*addr, mux))
}

// logRequests logs each request's method, path and status.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "status", rec.status)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}
