package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/scimtest"
	"github.com/scim-go/scim/sqlstore"
)

// postgresEnv names the environment variable with the DSN of a PostgreSQL
// database for the tests; each test works in a schema of its own.
const postgresEnv = "SCIM_TEST_POSTGRES_DSN"

// dsns returns a fresh SQLite file, and a fresh PostgreSQL schema when
// postgresEnv is set.
func dsns(t *testing.T) map[string]func(t *testing.T) string {
	out := map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return filepath.Join(t.TempDir(), "app.db") },
	}
	if os.Getenv(postgresEnv) == "" {
		t.Logf("PostgreSQL skipped: %s is not set", postgresEnv)
		return out
	}
	out["postgres"] = func(t *testing.T) string {
		dsn := os.Getenv(postgresEnv)
		admin, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		var b [6]byte
		rand.Read(b[:])
		name := "app_" + hex.EncodeToString(b[:])
		if _, err := admin.Exec("CREATE SCHEMA " + name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if admin, err := sql.Open("pgx", dsn); err == nil {
				admin.Exec("DROP SCHEMA " + name + " CASCADE")
				admin.Close()
			}
		})
		u, _ := url.Parse(dsn)
		q := u.Query()
		q.Set("search_path", name+",public")
		u.RawQuery = q.Encode()
		return u.String()
	}
	return out
}

// openApp opens the application's database at dsn and returns its SCIM
// server, as run does.
func openApp(t *testing.T, dsn string) (*scim.Server, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	db, d, err := openDB(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv, err := newServer(ctx, db, d, "", "", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return srv, db
}

// TestConformance runs the library's conformance suite against the
// application's mapping, on SQLite and, when configured, PostgreSQL, with
// two organisations as tenants.
func TestConformance(t *testing.T) {
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) {
			scimtest.Run(t, func(t *testing.T) *scimtest.Store {
				ctx := context.Background()
				db, d, err := openDB(ctx, dsn(t))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				cfg := mapping(db, d, slog.New(slog.DiscardHandler))
				cfg.Hash = func(s string) (string, error) {
					// bcrypt's minimum cost: the suite writes many passwords.
					h, err := bcrypt.GenerateFromPassword([]byte(s), bcrypt.MinCost)
					return string(h), err
				}
				if err := sqlstore.CreateTables(ctx, cfg); err != nil {
					t.Fatal(err)
				}
				store, err := sqlstore.New(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				st := &scimtest.Store{
					Tenant: func(ctx context.Context, n int) context.Context {
						return context.WithValue(ctx, orgKey{}, fmt.Sprint("org", n))
					},
					Dump: func(ctx context.Context) (string, error) {
						var b strings.Builder
						for _, table := range []string{"accounts", "teams", "team_members"} {
							rows, err := db.QueryContext(ctx, "SELECT * FROM "+table)
							if err != nil {
								return "", err
							}
							cols, _ := rows.Columns()
							for rows.Next() {
								vals := make([]any, len(cols))
								ptrs := make([]any, len(cols))
								for i := range vals {
									ptrs[i] = &vals[i]
								}
								rows.Scan(ptrs...)
								fmt.Fprintf(&b, "%s %s\n", table, fmt.Sprint(vals...))
							}
							rows.Close()
						}
						return b.String(), nil
					},
				}
				for _, ep := range store.Endpoints() {
					if ep.Type.Name == "User" {
						st.Users = ep
					} else {
						st.Groups = ep
					}
				}
				return st
			})
		})
	}
}

// TestProvisioning drives the application as an identity provider does,
// through its HTTP surface: a user with a password, a team, a member
// added, a deactivation, and what the application's own tables then hold.
func TestProvisioning(t *testing.T) {
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) {
			srv, db := openApp(t, dsn(t))
			h := requireBearer("t0ken", "acme", srv)
			requests := 0
			send := func(method, target, body string) (int, string) {
				req := httptest.NewRequest(method, target, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer t0ken")
				if method != "GET" {
					requests++
					req.Header.Set("X-Request-Id", fmt.Sprint("r", requests))
				}
				req.Header.Set("Content-Type", "application/scim+json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				b, _ := io.ReadAll(rec.Body)
				return rec.Code, string(b)
			}
			code, body := send("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Ada@Example.com",
				"name":{"formatted":"Ada Lovelace"},"password":"analytical-3ngine",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Engines"}}`)
			if code != 201 || strings.Contains(body, "3ngine") {
				t.Fatalf("POST /Users: %d %s", code, body)
			}
			if code, body = send("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineers"}`); code != 201 {
				t.Fatalf("POST /Groups: %d %s", code, body)
			}
			if code, body = send("PATCH", "/Groups/1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"1"}]}]}`); code != 204 {
				t.Errorf("PATCH /Groups/1: %d %s, want 204", code, body)
			}
			// Ada logs in to the application.
			expires := any(time.Now().Add(time.Hour).UTC())
			if name == "sqlite" {
				expires = time.Now().Add(time.Hour).UTC().Format(filter.TextTimeLayout)
			}
			if _, err := db.Exec(rebindTest(name, "INSERT INTO sessions (account_id, token_hash, expires_at) VALUES (1, 'x', ?)"), expires); err != nil {
				t.Fatal(err)
			}
			if code, body = send("PATCH", "/Users/1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`); code != 200 || !strings.Contains(body, `"active":false`) {
				t.Errorf("PATCH /Users/1: %d %s, want 200 with the user", code, body)
			}
			var sessions int
			db.QueryRow("SELECT COUNT(*) FROM sessions WHERE account_id = 1").Scan(&sessions)
			if sessions != 0 {
				t.Errorf("%d sessions left after the deactivation, want none", sessions)
			}
			var email, fullName, dept, hash string
			var active bool
			if err := db.QueryRow("SELECT email, full_name, is_active, department, password_hash FROM accounts WHERE id = 1").Scan(&email, &fullName, &active, &dept, &hash); err != nil {
				t.Fatal(err)
			}
			if email != "Ada@Example.com" || fullName != "Ada Lovelace" || active || dept != "Engines" {
				t.Errorf("accounts row: %q %q %v %q", email, fullName, active, dept)
			}
			if bcrypt.CompareHashAndPassword([]byte(hash), []byte("analytical-3ngine")) != nil {
				t.Errorf("password_hash %q is not the bcrypt hash of the password sent", hash)
			}
			var members int
			db.QueryRow("SELECT COUNT(*) FROM team_members WHERE team_id = 1 AND account_id = 1").Scan(&members)
			if members != 1 {
				t.Errorf("team_members holds %d rows for the membership, want 1", members)
			}
			if code, _ := send("GET", "/Users?filter="+url.QueryEscape(`userName eq "ADA@EXAMPLE.COM"`), ""); code != http.StatusOK {
				t.Errorf("lookup: %d", code)
			}
			var audit []string
			rows, err := db.Query("SELECT org_id, caller, request_id, kind, resource_type, resource_id, attributes, members_added FROM audit_log ORDER BY id")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var f [8]string
				rows.Scan(&f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7])
				audit = append(audit, strings.Join(f[:], "|"))
			}
			rows.Close()
			want := []string{
				"acme|the token of acme|r1|create|User|1|name password urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department userName|",
				"acme|the token of acme|r2|create|Group|1|displayName|",
				"acme|the token of acme|r3|patch|Group|1|members|1",
				"acme|the token of acme|r4|deactivate|User|1|active|",
			}
			if diff := cmp.Diff(want, audit); diff != "" {
				t.Errorf("audit log (-want +got):\n%s", diff)
			}
			if strings.Contains(strings.Join(audit, ""), "3ngine") || strings.Contains(strings.Join(audit, ""), "Lovelace") {
				t.Errorf("the audit log holds values: %v", audit)
			}
		})
	}
}

// TestLongPassword checks that a password bcrypt cannot take is the
// client's mistake, 400 invalidValue without the password in it, on POST,
// PUT and PATCH, and that the application's URL is the one configured.
func TestLongPassword(t *testing.T) {
	db, d, err := openDB(context.Background(), filepath.Join(t.TempDir(), "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv, err := newServer(context.Background(), db, d, "", "https://app.example.com/scim/v2", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	h := requireBearer("t0ken", "acme", srv)
	send := func(method, target, body string) (int, string) {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer t0ken")
		req.Header.Set("Content-Type", "application/scim+json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	code, body := send("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada"}`)
	if code != 201 || !strings.Contains(body, `"location":"https://app.example.com/scim/v2/Users/1"`) {
		t.Fatalf("POST /Users: %d %s, want 201 with the configured URL", code, body)
	}
	long := strings.Repeat("p", maxPasswordBytes) + "ZZ"
	for _, c := range []struct{ method, target, body string }{
		{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bob","password":"` + long + `"}`},
		{"PUT", "/Users/1", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada","password":"` + long + `"}`},
		{"PATCH", "/Users/1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"password","value":"` + long + `"}]}`},
	} {
		code, body := send(c.method, c.target, c.body)
		if code != 400 || !strings.Contains(body, `"scimType":"invalidValue"`) || strings.Contains(body, "ZZ") {
			t.Errorf("%s %s with a %d-byte password: %d %s, want 400 invalidValue without the password", c.method, c.target, len(long), code, body)
		}
	}
	if code, body := send("PATCH", "/Users/1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"password","value":"`+long[:maxPasswordBytes]+`"}]}`); code != 200 {
		t.Errorf("PATCH with a %d-byte password: %d %s, want 200", maxPasswordBytes, code, body)
	}
}

func rebindTest(db, q string) string {
	if db != "postgres" {
		return q
	}
	return strings.Replace(q, "?", "$1", 1)
}

// TestOpenDBUnreachable checks that a database that cannot be reached is
// an error at start-up rather than a server that fails every request.
func TestOpenDBUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, _, err = openDB(context.Background(), "postgres://app@"+addr+"/app?sslmode=disable")
	if err == nil || !strings.Contains(err.Error(), "connecting to the database") {
		t.Errorf("openDB of an unreachable database: %v, want a connection error", err)
	}
}
