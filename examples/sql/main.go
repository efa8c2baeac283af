// Command sql is a SaaS backend that serves its own accounts, teams and
// team_members tables over SCIM 2.0, as identity providers such as Entra
// ID and Okta provision them: app.go is the application's schema, and
// scim.go the mapping from its tables to Users and Groups, all the code
// SCIM takes. It runs on SQLite by default, through a pure-Go driver, so
// that it starts on a fresh machine with nothing to set up, and on
// PostgreSQL with the same code. It is mounted under /scim/v2:
//
//	go run ./examples/sql                          # SQLite in ./scim.db, prints a bearer token
//	export SCIM_TOKEN=$(openssl rand -hex 32)
//	go run ./examples/sql -db postgres://user:pass@localhost/app
//	curl -s -H "Authorization: Bearer $SCIM_TOKEN" http://127.0.0.1:8080/scim/v2/Users
//
// Flags:
//
//	-addr     listen address (default 127.0.0.1:8080)
//	-db       a SQLite file (default scim.db), or a postgres:// DSN
//	-token    the bearer token clients must send, at least 16 characters
//	          (default $SCIM_TOKEN, which keeps it out of the process
//	          list); when both are empty, a random one is generated and
//	          printed at start
//	-org      the organisation the token provisions (default "default")
//	-base-url the absolute URL clients reach the server at, such as
//	          https://app.example.com/scim/v2, for meta.location and
//	          Location; set it behind a proxy, since without it they come
//	          from each request's Host header
//	-rate     requests a second a token may make (default 50), in bursts
//	          of at most -burst (default 200); beyond them 429 with
//	          Retry-After
//	-schemas  a directory of resource type and schema JSON files (see
//	          schema.LoadDir) whose resource types are served too, each
//	          from a table of its own that the store creates
//
// Requests without the token are answered with a SCIM 401 and
// WWW-Authenticate: Bearer. Every request is logged through log/slog with
// its method, path (never the query, which may hold personal data in a
// filter), status, size and duration, and has 30 seconds, after which its
// database queries stop. User PATCHes are answered with 200 and the user,
// group PATCHes with 204, so that adding a member to a large group never
// sends the group back. Every change is recorded in the audit_log table,
// and deactivating or deleting a user ends their sessions (events.go).
// Traces and metrics of the SCIM requests are exported with OTLP over HTTP
// when OTEL_EXPORTER_OTLP_ENDPOINT names a collector (telemetry.go).
package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/sqlstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "sql:", err)
		os.Exit(1)
	}
}

// minTokenLen is the shortest bearer token the server takes: a short one
// is guessed by a client that tries tokens.
const minTokenLen = 16

// run runs the server until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sql", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen `address`")
	dsn := fs.String("db", "scim.db", "a SQLite `file`, or a postgres:// DSN")
	// The default is not $SCIM_TOKEN itself: a flag's default is printed
	// in the usage text, on any mistake in the flags.
	token := fs.String("token", "", "the bearer `token` clients must send, at least 16 characters (default $SCIM_TOKEN, which keeps it out of the process list); when both are empty, one is generated and printed")
	schemas := fs.String("schemas", "", "a `directory` of extra resource type and schema JSON files to serve")
	org := fs.String("org", "default", "the `organisation` the token provisions")
	rate := fs.Float64("rate", 50, "the `requests` a second a token may make, beyond bursts")
	burst := fs.Int("burst", 200, "the `requests` a token may make at once")
	baseURL := fs.String("base-url", "", "the absolute `URL` clients reach the server at, such as https://app.example.com/scim/v2 (default: from each request's Host header)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		*token = os.Getenv("SCIM_TOKEN")
	}
	if *token != "" && len(*token) < minTokenLen {
		return fmt.Errorf("-token (or $SCIM_TOKEN) must be at least %d characters, such as the output of openssl rand -hex 32", minTokenLen)
	}
	if !(*rate > 0) || *burst < 1 {
		// A rate of 0 would never refill a bucket, and NaN or a negative
		// rate would let every request through.
		return fmt.Errorf("-rate must be positive and -burst at least 1")
	}
	if u, err := url.Parse(*baseURL); *baseURL != "" && (err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "") {
		return fmt.Errorf("-base-url must be an absolute http or https URL, such as https://app.example.com/scim/v2")
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	// The address first: when it is taken, say so before printing a token
	// or creating a database file.
	ln, err := listen(*addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if *token == "" {
		*token = newToken()
		fmt.Fprintf(stdout, "bearer token: %s\n", *token)
	}
	db, d, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if d == sqlstore.SQLite {
		// Checkpoints run beside the server, not in a request's commit.
		ckpt, stop := context.WithCancel(ctx)
		defer stop()
		go sqlstore.CheckpointSQLite(ckpt, db, 25*time.Millisecond)
	}
	srv, err := newServer(ctx, db, d, *schemas, *baseURL, logger)
	if err != nil {
		return err
	}
	wrap, shutdownTelemetry, err := setupTelemetry(ctx, logger)
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := shutdownTelemetry(ctx); err != nil {
			logger.Error("flushing telemetry", "error", err)
		}
	}()
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", wrap(srv, requireBearer(*token, *org, rateLimit(*rate, *burst, srv)))))

	hs := newHTTPServer(logRequests(logger, withDeadline(requestTimeout, mux)), logger)
	logger.Info("serving SCIM", "url", "http://"+ln.Addr().String()+"/scim/v2", "db", d.String())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// listen listens on addr, and when another program holds it, says which
// flag chooses another.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("%s is in use by another program; choose another address with -addr, as in -addr 127.0.0.1:8081", addr)
	}
	return ln, err
}

// newServer returns the SCIM server for the application's tables, and for
// the resource types defined in the directory schemaDir, if not "", mounted
// at baseURL, or at the URL each request names when it is "".
func newServer(ctx context.Context, db *sql.DB, d sqlstore.Dialect, schemaDir, baseURL string, logger *slog.Logger) (*scim.Server, error) {
	cfg := mapping(db, d, logger)
	if schemaDir != "" {
		rts, _, err := schema.LoadDir(os.DirFS(schemaDir))
		if err != nil {
			return nil, err
		}
		for _, rt := range rts {
			cfg.Types = append(cfg.Types, extraType(rt))
		}
	}
	// Creates the tables of -schemas types, the indexes the store's
	// queries need (on the application's tables too, among them a unique
	// index on (org_id, scim_fold(email)) of accounts), and on PostgreSQL
	// the function scim_fold; no column of the application's is added or
	// changed. An application with a large accounts table, or one whose
	// emails may differ only in case, creates store.Indexes() in a
	// migration instead (on PostgreSQL, CREATE INDEX CONCURRENTLY).
	if err := sqlstore.CreateTables(ctx, cfg); err != nil {
		return nil, err
	}
	store, err := sqlstore.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	endpoints := store.Endpoints()
	for i := range endpoints {
		endpoints[i].PatchNoContent = endpoints[i].Type.Name == "Group"
	}
	return scim.NewServer(scim.Config{
		Endpoints: endpoints,
		BaseURL:   baseURL,
		Logger:    logger,
		OnEvent:   onEvent(db, d, logger),
		Caller: func(ctx context.Context) string {
			org, _ := ctx.Value(orgKey{}).(string)
			return "the token of " + org
		},
		AuthenticationSchemes: []scim.AuthenticationScheme{{
			Type:        "oauthbearertoken",
			Name:        "Bearer token",
			Description: "The token given to the server with -token or $SCIM_TOKEN, in an Authorization: Bearer header (RFC 6750).",
			SpecURI:     "https://www.rfc-editor.org/rfc/rfc6750",
			Primary:     true,
		}},
	})
}

// newHTTPServer returns the HTTP server for h, with the limits every
// server facing the Internet needs: timeouts for reading a request, writing
// its response and keeping an idle connection, and a bound on headers. The
// library bounds the body itself (scim.Config.MaxBodyBytes).
func newHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler: h,
		// A client gets this long for its headers, and for its whole
		// request: a connection trickling in a body holds its memory no
		// longer than that.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Writing the response, from the end of the request's headers:
		// the request, then OnEvent after its commit, then the writing.
		WriteTimeout: requestTimeout + eventTimeout + 10*time.Second,
		// A keep-alive connection with no request is closed after this.
		IdleTimeout:    60 * time.Second,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}
}

// requestTimeout bounds the work one request may cause: its context ends
// then, and with it every query the store runs for it.
const requestTimeout = 30 * time.Second

// withDeadline gives each request a context that ends after d.
func withDeadline(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// newToken returns a random bearer token.
func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// orgKey is where requireBearer puts the organisation a request acts for.
type orgKey struct{}

// requireBearer passes on the requests that carry token as their bearer
// token (RFC 6750 §2.1), as requests of org, and answers the others with a
// SCIM 401. The token is compared in constant time, as digests of equal
// length, so that not even its length shows in the time an answer takes.
func requireBearer(token, org string, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, got, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
			scim.WriteError(w, scim.Errorf(http.StatusUnauthorized, "", "missing or invalid bearer token"))
			return
		}
		ctx := context.WithValue(r.Context(), orgKey{}, org)
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, tokenKey{}, org)))
	})
}

// logRequests logs each request's method, path, status, response size and
// duration. It leaves out the query, whose filter may hold personal data.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		level := slog.LevelInfo
		if rec.status >= 500 && rec.status != http.StatusNotImplemented {
			// A server fault; 501 is a feature this server leaves out,
			// such as /Me.
			level = slog.LevelError
		}
		logger.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Int64("bytes", rec.bytes),
			slog.Duration("duration", time.Since(start)),
		)
	})
}

// recorder records the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
