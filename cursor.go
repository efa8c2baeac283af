package scim

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"time"
)

// Cursor-based pagination (RFC 9865). A client asks for it with a cursor
// parameter, empty for the first page; each page then carries nextCursor
// (and previousCursor after the first page) to pass back. The server builds
// cursors itself on top of the handler's startIndex/count paging, so every
// ResourceHandler supports them: a cursor holds the offset of its page, a
// digest of the query it belongs to and an expiry time, sealed with an
// HMAC so that a client can neither forge nor alter one.

// cursorLen is the size of a decoded cursor: version, offset, expiry,
// query digest and MAC.
const (
	cursorVersion = 1
	digestLen     = 8
	macLen        = 16
	cursorLen     = 1 + 8 + 8 + digestLen + macLen
)

// cursor is a decoded cursor.
type cursor struct {
	offset  int   // 0-based index of the page's first resource
	expires int64 // Unix seconds
	digest  [digestLen]byte
}

// queryDigest identifies the query a cursor belongs to: its endpoint,
// filter, sort and page size.
func queryDigest(endpoint string, q *Query) [digestLen]byte {
	h := sha256.New()
	h.Write([]byte(endpoint))
	h.Write([]byte{0})
	if q.Filter != nil {
		h.Write([]byte(q.Filter.String()))
	}
	h.Write([]byte{0})
	if q.Sort != nil {
		h.Write([]byte(q.Sort.Attr.String()))
		if q.Sort.Descending {
			h.Write([]byte{1})
		}
	}
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(q.Count))
	h.Write(n[:])
	var d [digestLen]byte
	copy(d[:], h.Sum(nil))
	return d
}

func (s *Server) encodeCursor(c cursor) string {
	b := make([]byte, 0, cursorLen)
	b = append(b, cursorVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(c.offset))
	b = binary.BigEndian.AppendUint64(b, uint64(c.expires))
	b = append(b, c.digest[:]...)
	b = append(b, s.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) mac(b []byte) []byte {
	m := hmac.New(sha256.New, s.cursorKey)
	m.Write(b)
	return m.Sum(nil)[:macLen]
}

// decodeCursor checks a cursor a client sent for the query with the given
// digest.
func (s *Server) decodeCursor(text string, digest [digestLen]byte, now time.Time) (cursor, error) {
	invalid := Errorf(http.StatusBadRequest, InvalidCursor, "cursor is not one this server issued for this query; send an empty cursor for the first page")
	b, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil || len(b) != cursorLen || b[0] != cursorVersion {
		return cursor{}, invalid
	}
	body, sum := b[:cursorLen-macLen], b[cursorLen-macLen:]
	if !hmac.Equal(sum, s.mac(body)) {
		return cursor{}, invalid
	}
	c := cursor{
		offset:  int(binary.BigEndian.Uint64(body[1:9])),
		expires: int64(binary.BigEndian.Uint64(body[9:17])),
	}
	copy(c.digest[:], body[17:])
	if c.digest != digest || c.offset < 0 {
		return cursor{}, invalid
	}
	if now.Unix() > c.expires {
		return cursor{}, Errorf(http.StatusBadRequest, ExpiredCursor, "cursor has expired; start again with an empty cursor")
	}
	return c, nil
}

func newCursorKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}
