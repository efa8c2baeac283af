package scim

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/internal/clip"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// listParams are the query parameters of a list request (RFC 7644
// §3.4.2), from a URL query or a SearchRequest body (§3.4.3).
type listParams struct {
	filter, sortBy, sortOrder string
	startIndex, count         string // "" when absent
	cursor                    string
	hasCursor                 bool // cursor pagination asked for (RFC 9865)
	attributes, excluded      []string
}

func urlListParams(r *http.Request) listParams {
	v := r.URL.Query()
	_, hasCursor := v["cursor"]
	return listParams{
		filter:     v.Get("filter"),
		sortBy:     v.Get("sortBy"),
		sortOrder:  v.Get("sortOrder"),
		startIndex: v.Get("startIndex"),
		count:      v.Get("count"),
		cursor:     v.Get("cursor"),
		hasCursor:  hasCursor,
		attributes: splitList(v["attributes"]),
		excluded:   splitList(v["excludedAttributes"]),
	}
}

// list serves GET on a resource type's endpoint (RFC 7644 §3.4.2).
func (s *Server) list(w http.ResponseWriter, r *http.Request, ep *endpoint) {
	s.serveList(w, r, ep, urlListParams(r))
}

func (s *Server) serveList(w http.ResponseWriter, r *http.Request, ep *endpoint, p listParams) {
	q, err := s.query(ep, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	base := s.baseURL(r)
	endpoint := s.endpointURL(base, ep)
	q.EndpointURL = endpoint
	proj := q.Projection
	page, err := ep.h.List(r.Context(), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(page.Resources) > q.Count {
		page.Resources = page.Resources[:q.Count]
	}
	if page.Resources, err = s.fillGroups(r.Context(), ep, page.Resources, proj); err != nil {
		s.fail(w, r, err)
		return
	}
	bp := bufPool.Get().(*[]byte)
	buf := appendListCounts((*bp)[:0], page.TotalResults, len(page.Resources))
	if p.hasCursor {
		offset := q.StartIndex - 1
		if next := offset + len(page.Resources); next < page.TotalResults && len(page.Resources) > 0 {
			buf = append(buf, `,"nextCursor":"`...)
			buf = append(buf, s.encodeCursor(s.cursorAt(ep, q, next))...)
			buf = append(buf, '"')
		}
		if offset > 0 {
			buf = append(buf, `,"previousCursor":"`...)
			buf = append(buf, s.encodeCursor(s.cursorAt(ep, q, max(offset-q.Count, 0)))...)
			buf = append(buf, '"')
		}
	} else {
		buf = append(buf, `,"startIndex":`...)
		buf = strconv.AppendInt(buf, int64(q.StartIndex), 10)
	}
	buf = append(buf, `,"Resources":[`...)
	for i, res := range page.Resources {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = resource.AppendJSONAt(buf, ep.rt, s.present(r.Context(), base, ep, res), proj, endpoint)
	}
	buf = append(buf, "]}"...)
	s.writeJSON(w, r, http.StatusOK, buf)
	*bp = buf
	if cap(buf) <= 64<<10 {
		bufPool.Put(bp)
	}
}

// cursorAt returns the cursor for the page of q starting at offset.
func (s *Server) cursorAt(ep *endpoint, q *Query, offset int) cursor {
	return cursor{
		offset:  offset,
		expires: s.now().Add(s.cfg.CursorTimeout).Unix(),
		digest:  queryDigest(ep.rt.Endpoint, q),
	}
}

// query reads the filter (RFC 7644 §3.4.2.2), sorting (§3.4.2.3) and paging
// (§3.4.2.4, RFC 9865) parameters. With index paging, startIndex below 1 is
// taken as 1, a negative count as 0, and count is capped at
// Config.MaxPageSize. With cursor paging, a count outside 0 to MaxPageSize
// is invalidCount.
func (s *Server) query(ep *endpoint, p listParams) (*Query, error) {
	q := &Query{StartIndex: 1, Count: s.cfg.DefaultPageSize, Projection: resource.NewProjection(ep.rt, p.attributes, p.excluded)}
	if p.filter != "" {
		e, err := ep.parser.Parse(p.filter)
		if err == nil {
			q.Filter, err = filter.Resolve(ep.rt, e)
		}
		if err != nil {
			return nil, filterError(err)
		}
	}
	if p.sortBy != "" {
		var err error
		if q.Sort, err = filter.ResolveSort(ep.rt, p.sortBy, p.sortOrder); err != nil {
			return nil, filterError(err)
		}
	}
	if p.hasCursor && !s.cfg.CursorPagination {
		return nil, Errorf(http.StatusBadRequest, InvalidValue, "this server pages with startIndex and count; cursor pagination (RFC 9865) is not enabled")
	}
	if p.startIndex != "" {
		if p.hasCursor {
			return nil, Errorf(http.StatusBadRequest, InvalidValue, "startIndex and cursor cannot be used together")
		}
		n, err := atoi(p.startIndex)
		if err != nil {
			return nil, Errorf(http.StatusBadRequest, InvalidValue, "startIndex must be an integer, found %s", clip.Quote(p.startIndex))
		}
		q.StartIndex = max(n, 1)
	}
	if p.count != "" {
		n, err := atoi(p.count)
		if err != nil {
			return nil, Errorf(http.StatusBadRequest, InvalidValue, "count must be an integer, found %s", clip.Quote(p.count))
		}
		if p.hasCursor && (n < 0 || n > s.cfg.MaxPageSize) {
			return nil, Errorf(http.StatusBadRequest, InvalidCount, "count must be between 0 and %d", s.cfg.MaxPageSize)
		}
		q.Count = min(max(n, 0), s.cfg.MaxPageSize)
	}
	if p.hasCursor && p.cursor != "" {
		c, err := s.decodeCursor(p.cursor, queryDigest(ep.rt.Endpoint, q), s.now())
		if err != nil {
			return nil, err
		}
		q.StartIndex = c.offset + 1
	}
	return q, nil
}

// appendListHeader appends the opening of an index-paged ListResponse
// (RFC 7644 §3.4.2) up to the opening bracket of its Resources.
func appendListHeader(dst []byte, total, items, start int) []byte {
	dst = appendListCounts(dst, total, items)
	dst = append(dst, `,"startIndex":`...)
	dst = strconv.AppendInt(dst, int64(start), 10)
	return append(dst, `,"Resources":[`...)
}

// appendListCounts appends the opening of a ListResponse up to its
// itemsPerPage.
func appendListCounts(dst []byte, total, items int) []byte {
	dst = append(dst, `{"schemas":["`+schema.ListResponseURN+`"],"totalResults":`...)
	dst = strconv.AppendInt(dst, int64(total), 10)
	dst = append(dst, `,"itemsPerPage":`...)
	return strconv.AppendInt(dst, int64(items), 10)
}

// writeJSON writes a JSON body in the media type r accepts.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	s.writeTagged(w, r, status, body, "")
}

// writeTagged writes a JSON body in the media type r accepts, with the
// ETag of version when that is not "". Its headers share one allocation.
func (s *Server) writeTagged(w http.ResponseWriter, r *http.Request, status int, body []byte, version string) {
	var tmp [64]byte
	b := strconv.AppendInt(tmp[:0], int64(len(body)), 10)
	n := len(b)
	if version != "" {
		b = resource.AppendETag(b, version)
	}
	str := string(b)
	vals := make([]string, 3)
	vals[0], vals[1], vals[2] = responseType(r), str[:n], str[n:]
	h := w.Header()
	h["Content-Type"] = vals[0:1:1]
	h["Content-Length"] = vals[1:2:2]
	if version != "" {
		h["Etag"] = vals[2:3:3]
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// filterError turns an error from parsing or resolving a filter or sortBy
// into 400 invalidFilter.
func filterError(err error) error {
	var se *filter.SyntaxError
	var ae *filter.AttributeError
	if errors.As(err, &se) || errors.As(err, &ae) {
		return &Error{Status: http.StatusBadRequest, Type: InvalidFilter, Detail: err.Error()}
	}
	return err
}

// atoi parses an integer parameter, taking one too large for an int as the
// largest int (or smallest, if negative): startIndex and count are clamped
// anyway (RFC 7644 §3.4.2.4).
func atoi(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		return n, nil // Atoi returns the clamped value with ErrRange
	}
	return n, err
}
