package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/scim-go/scim/schema"
)

// ErrorType is a "scimType" error keyword of RFC 7644 §3.12 or RFC 9865.
type ErrorType string

// The scimType keywords.
const (
	// InvalidFilter: the filter syntax was invalid or the attribute and
	// comparison combination is not supported.
	InvalidFilter ErrorType = "invalidFilter"
	// TooMany: the filter yields more results than the server will process.
	TooMany ErrorType = "tooMany"
	// Uniqueness: one or more attribute values are already in use.
	Uniqueness ErrorType = "uniqueness"
	// Mutability: the request tried to modify an immutable attribute.
	Mutability ErrorType = "mutability"
	// InvalidSyntax: the request body was not a valid SCIM message.
	InvalidSyntax ErrorType = "invalidSyntax"
	// InvalidPath: the "path" attribute was invalid or malformed.
	InvalidPath ErrorType = "invalidPath"
	// NoTarget: the path did not yield an attribute or value to operate on.
	NoTarget ErrorType = "noTarget"
	// InvalidValue: a required value was missing or a value was not
	// compatible with the attribute's type.
	InvalidValue ErrorType = "invalidValue"
	// InvalidVersion: the protocol version is not supported.
	InvalidVersion ErrorType = "invalidVers"
	// Sensitive: the request cannot be completed because of sensitive
	// information in the URI, such as personal data in a filter.
	Sensitive ErrorType = "sensitive"
	// InvalidCursor: the cursor is invalid (RFC 9865).
	InvalidCursor ErrorType = "invalidCursor"
	// ExpiredCursor: the cursor has expired (RFC 9865).
	ExpiredCursor ErrorType = "expiredCursor"
	// InvalidCount: the count is beyond what the server supports (RFC 9865).
	InvalidCount ErrorType = "invalidCount"
)

// Error is a SCIM error: an HTTP status, an optional scimType and a detail
// for the client. It is written as the error response of RFC 7644 §3.12.
// A host may return an *Error from a ResourceHandler to send it as it is.
type Error struct {
	Status int       // HTTP status code, such as 400
	Type   ErrorType // scimType, or "" when none applies
	Detail string    // human-readable; sent to the client
	err    error     // wrapped error, for errors.Is; never sent
}

// Errorf returns an *Error with the given status, scimType and detail
// formatted as by fmt.Sprintf.
func Errorf(status int, typ ErrorType, format string, args ...any) *Error {
	return &Error{Status: status, Type: typ, Detail: fmt.Sprintf(format, args...)}
}

// Error returns the status, scimType and detail.
func (e *Error) Error() string {
	s := "scim: " + strconv.Itoa(e.Status)
	if e.Type != "" {
		s += " " + string(e.Type)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the error e was made from, if any.
func (e *Error) Unwrap() error { return e.err }

// Is reports whether e stands for target, one of the sentinels ErrNotFound,
// ErrUniqueness and ErrVersionMismatch, by its status and scimType.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrUniqueness:
		return e.Status == http.StatusConflict && e.Type == Uniqueness
	case ErrVersionMismatch:
		return e.Status == http.StatusPreconditionFailed
	}
	return false
}

// MarshalJSON writes the error body of RFC 7644 §3.12, with the status as a
// string.
func (e *Error) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Schemas []string  `json:"schemas"`
		Type    ErrorType `json:"scimType,omitempty"`
		Detail  string    `json:"detail,omitempty"`
		Status  string    `json:"status"`
	}{[]string{schema.ErrorURN}, e.Type, e.Detail, strconv.Itoa(e.Status)})
}

// Sentinel errors a ResourceHandler returns, possibly wrapped; the server
// answers them with the status shown.
var (
	// ErrNotFound: the resource does not exist (404).
	ErrNotFound = errors.New("scim: resource not found")
	// ErrUniqueness: a value is already in use by another resource (409
	// uniqueness).
	ErrUniqueness = errors.New("scim: uniqueness violation")
	// ErrVersionMismatch: the stored version is not the one the write was
	// conditioned on (412).
	ErrVersionMismatch = errors.New("scim: version mismatch")
)

// WriteError writes err to w as a SCIM error response. An *Error is written
// as it is; any other error as the server would answer it, a sentinel by its
// status and anything else as a 500 with a generic detail. Middleware uses
// it to refuse a request in SCIM form:
//
//	scim.WriteError(w, scim.Errorf(http.StatusUnauthorized, "", "missing bearer token"))
func WriteError(w http.ResponseWriter, err error) {
	writeError(w, nil, classify(err))
}

// writeError writes e in the media type r accepts; r may be nil.
func writeError(w http.ResponseWriter, r *http.Request, e *Error) {
	body, _ := e.MarshalJSON()
	h := w.Header()
	h.Set("Content-Type", responseType(r))
	h.Del("ETag")
	w.WriteHeader(e.Status)
	w.Write(body)
}

// classify maps any error to the *Error sent to the client. It is the one
// place that decides what a client sees; unknown errors become a generic 500.
func classify(err error) *Error {
	var e *Error
	switch {
	case errors.As(err, &e):
		if e.Status < 400 || e.Status > 599 {
			// A host's *Error without an error status: keep its meaning
			// where the scimType gives one (RFC 7644 §3.12).
			switch {
			case e.Type == Uniqueness:
				return &Error{Status: http.StatusConflict, Type: e.Type, Detail: e.Detail}
			case e.Type != "":
				return &Error{Status: http.StatusBadRequest, Type: e.Type, Detail: e.Detail}
			}
			return &Error{Status: http.StatusInternalServerError, Detail: "internal server error", err: err}
		}
		return e
	case errors.Is(err, ErrNotFound):
		return &Error{Status: http.StatusNotFound, Detail: "resource not found"}
	case errors.Is(err, ErrUniqueness):
		return &Error{Status: http.StatusConflict, Type: Uniqueness, Detail: "a unique attribute value is already in use"}
	case errors.Is(err, ErrVersionMismatch):
		return &Error{Status: http.StatusPreconditionFailed, Detail: "resource version does not match"}
	}
	return &Error{Status: http.StatusInternalServerError, Detail: "internal server error", err: err}
}

const contentType = "application/scim+json"

// responseType returns the media type of a response to r: SCIM's own
// (RFC 7644 §8.1) unless the Accept header asks for application/json and
// not for it, as some clients do, which RFC 7644 §3.8 says a server should
// serve with SCIM behaviour all the same. An Accept that names neither
// still gets SCIM's: the server answers rather than refuse with 406.
func responseType(r *http.Request) string {
	if r == nil {
		return contentType
	}
	accept := r.Header.Get("Accept")
	if accept == "" {
		return contentType
	}
	scimOK, jsonOK := false, false
	for len(accept) > 0 {
		var part string
		part, accept, _ = strings.Cut(accept, ",")
		mt, params, _ := strings.Cut(part, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
		if refused(params) {
			continue
		}
		switch mt {
		case contentType, "*/*", "application/*":
			scimOK = true
		case "application/json":
			jsonOK = true
		}
	}
	if jsonOK && !scimOK {
		return "application/json"
	}
	return contentType
}

// refused reports whether the parameters of a media range in an Accept
// header give it a quality of zero ("q=0", "q=0.0", ...).
func refused(params string) bool {
	for len(params) > 0 {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			v = strings.TrimRight(strings.TrimSpace(v), "0")
			return v == "" || v == "0" || v == "0."
		}
	}
	return false
}

// WriteTooManyRequests writes a 429 Too Many Requests response with a SCIM
// error body and a Retry-After header of retryAfter, rounded up to whole
// seconds (RFC 6585 §4, RFC 9110 §10.2.3), for rate-limiting middleware:
// a client that honours it waits that long and retries, as Okta documents
// for its provisioning tasks, where other errors fail the task.
func WriteTooManyRequests(w http.ResponseWriter, retryAfter time.Duration) {
	secs := int64((retryAfter + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
	writeError(w, nil, Errorf(http.StatusTooManyRequests, "", "too many requests; retry after %d seconds", max(secs, 1)))
}
