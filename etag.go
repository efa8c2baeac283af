package scim

import (
	"net/url"
	"strings"

	"github.com/scim-go/scim/resource"
)

// matchETag reports whether the If-Match or If-None-Match header value h
// names the entity tag of version, comparing weakly (RFC 7232 §2.3.2): "*"
// matches any existing resource, and W/"x" matches "x".
func matchETag(h, version string) bool {
	h = strings.TrimSpace(h)
	if h == "*" {
		return true
	}
	if version == "" || h == "" {
		return false
	}
	want := opaque(resource.ETag(version))
	for h != "" {
		var tag string
		tag, h, _ = strings.Cut(h, ",")
		if opaque(strings.TrimSpace(tag)) == want {
			return true
		}
	}
	return false
}

// opaque strips the weakness indicator and quotes of an entity tag.
func opaque(tag string) string {
	tag = strings.TrimPrefix(tag, "W/")
	if len(tag) >= 2 && tag[0] == '"' && tag[len(tag)-1] == '"' {
		tag = tag[1 : len(tag)-1]
	}
	return tag
}

// etagVersion returns the version whose entity tag is h, an If-Match
// header value, and true, when h is one entity tag; it returns false for a
// list of several. The percent-encoding of resource.ETag is undone, so
// that a tag the server sent gives back the version it came from.
func etagVersion(h string) (string, bool) {
	h = strings.TrimSpace(h)
	if strings.Contains(h, ",") {
		return "", false
	}
	tag := opaque(h)
	if v, err := url.PathUnescape(tag); err == nil {
		return v, true
	}
	return tag, true
}
