package scim

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// list serves GET on a resource type's endpoint (RFC 7644 §3.4.2).
func (s *Server) list(w http.ResponseWriter, r *http.Request, ep *endpoint) {
	q, err := s.query(r, ep)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	proj, err := projection(r, ep.rt)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := ep.h.List(r.Context(), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(page.Resources) > q.Count {
		page.Resources = page.Resources[:q.Count]
	}
	bp := bufPool.Get().(*[]byte)
	buf := appendListHeader((*bp)[:0], page.TotalResults, len(page.Resources), q.StartIndex)
	for i, res := range page.Resources {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = resource.AppendJSON(buf, ep.rt, s.present(r, ep, res), proj)
	}
	buf = append(buf, "]}"...)
	s.writeJSON(w, r, http.StatusOK, buf)
	*bp = buf
	if cap(buf) <= 64<<10 {
		bufPool.Put(bp)
	}
}

// query reads the filter (RFC 7644 §3.4.2.2), sorting (§3.4.2.3) and paging
// (§3.4.2.4) parameters: startIndex below 1 is taken as 1, a negative count
// as 0, and count is capped at Config.MaxPageSize.
func (s *Server) query(r *http.Request, ep *endpoint) (*Query, error) {
	v := r.URL.Query()
	q := &Query{StartIndex: 1, Count: s.cfg.DefaultPageSize}
	if f := v.Get("filter"); f != "" {
		e, err := ep.parser.Parse(f)
		if err == nil {
			q.Filter, err = filter.Resolve(ep.rt, e)
		}
		if err != nil {
			return nil, filterError(err)
		}
	}
	if by := v.Get("sortBy"); by != "" {
		var err error
		if q.Sort, err = filter.ResolveSort(ep.rt, by, v.Get("sortOrder")); err != nil {
			return nil, filterError(err)
		}
	}
	if p := v.Get("startIndex"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, Errorf(http.StatusBadRequest, InvalidValue, "startIndex must be an integer, found %q", p)
		}
		q.StartIndex = max(n, 1)
	}
	if p := v.Get("count"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, Errorf(http.StatusBadRequest, InvalidValue, "count must be an integer, found %q", p)
		}
		q.Count = min(max(n, 0), s.cfg.MaxPageSize)
	}
	return q, nil
}

// appendListHeader appends the opening of a ListResponse (RFC 7644 §3.4.2)
// up to the opening bracket of its Resources.
func appendListHeader(dst []byte, total, items, start int) []byte {
	dst = append(dst, `{"schemas":["`+schema.ListResponseURN+`"],"totalResults":`...)
	dst = strconv.AppendInt(dst, int64(total), 10)
	dst = append(dst, `,"itemsPerPage":`...)
	dst = strconv.AppendInt(dst, int64(items), 10)
	dst = append(dst, `,"startIndex":`...)
	dst = strconv.AppendInt(dst, int64(start), 10)
	return append(dst, `,"Resources":[`...)
}

// writeJSON writes a JSON body with the SCIM content type.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
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
