package scim

import (
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
	if version == "" {
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
