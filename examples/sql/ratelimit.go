package main

import (
	"net/http"
	"sync"
	"time"

	"github.com/scim-go/scim"
)

// rateLimit passes on at most rate requests a second per bearer token, in
// bursts of at most burst, and answers the others with 429 and a
// Retry-After telling when the next one would pass: Entra ID and Okta back
// off and retry on a 429, where other errors fail the provisioning run.
// It runs after requireBearer, so only tokens that authenticate have a
// bucket.
func rateLimit(rate float64, burst int, next http.Handler) http.Handler {
	l := &limiter{rate: rate, burst: float64(burst), buckets: make(map[string]*bucket), now: time.Now}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, _ := r.Context().Value(tokenKey{}).(string)
		if wait := l.take(key); wait > 0 {
			scim.WriteTooManyRequests(w, wait)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// tokenKey is where requireBearer puts a name for the token a request
// authenticated with, for rate limits.
type tokenKey struct{}

type limiter struct {
	rate, burst float64
	now         func() time.Time
	mu          sync.Mutex
	buckets     map[string]*bucket
}

// bucket is a token bucket: tokens, refilled at the limiter's rate up to
// its burst, as of last.
type bucket struct {
	tokens float64
	last   time.Time
}

// take takes a token from key's bucket and returns 0, or, if it is empty,
// how long until it has one.
func (l *limiter) take(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}
