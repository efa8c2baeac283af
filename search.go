package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/internal/clip"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// search serves POST /{ResourceType}/.search (RFC 7644 §3.4.3): a list
// request whose parameters travel in a SearchRequest body.
func (s *Server) search(ep *endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			s.allow(w, r, "POST")
			return
		}
		p, err := s.searchParams(w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.serveList(w, r, ep, p)
	}
}

// searchParams reads a SearchRequest body.
func (s *Server) searchParams(w http.ResponseWriter, r *http.Request) (listParams, error) {
	body, err := s.readBody(w, r)
	if err != nil {
		return listParams{}, err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return listParams{}, Errorf(http.StatusBadRequest, InvalidSyntax, "request body is not a SearchRequest: %s", jsonProblem(err))
	}
	var p listParams
	var schemas []string
	for k, raw := range doc {
		var err error
		switch strings.ToLower(k) {
		case "schemas":
			err = json.Unmarshal(raw, &schemas)
		case "attributes":
			p.attributes, err = stringList(raw)
		case "excludedattributes":
			p.excluded, err = stringList(raw)
		case "filter":
			err = json.Unmarshal(raw, &p.filter)
		case "sortby":
			err = json.Unmarshal(raw, &p.sortBy)
		case "sortorder":
			err = json.Unmarshal(raw, &p.sortOrder)
		case "startindex":
			p.startIndex, err = numberText(raw)
		case "count":
			p.count, err = numberText(raw)
		case "cursor":
			p.hasCursor = true
			if string(raw) != "null" {
				err = json.Unmarshal(raw, &p.cursor)
			}
		}
		if err != nil {
			return listParams{}, Errorf(http.StatusBadRequest, InvalidSyntax, "SearchRequest member %s has the wrong type", clip.Quote(k))
		}
	}
	if !hasURN(schemas, schema.SearchRequestURN) {
		return listParams{}, Errorf(http.StatusBadRequest, InvalidSyntax, "schemas must list %s", schema.SearchRequestURN)
	}
	return p, nil
}

// stringList reads an array of strings, or a string of comma-separated
// names, as some clients send attributes.
func stringList(raw json.RawMessage) ([]string, error) {
	var list []string
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, err
	}
	return splitList([]string{one}), nil
}

// numberText reads a JSON number or a string holding one, as its text.
func numberText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var n json.Number
	err := json.Unmarshal(raw, &n)
	return string(n), err
}

// root serves GET / and POST /.search: a query across every resource type
// (RFC 7644 §3.4.2.1, §3.4.3). Each resource keeps its own schemas.
func (s *Server) root(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		s.serveRootList(w, r, urlListParams(r))
	default:
		s.allow(w, r, "GET")
	}
}

func (s *Server) rootSearch(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.allow(w, r, "POST")
		return
	}
	p, err := s.searchParams(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.serveRootList(w, r, p)
}

// rootPart is the share of one resource type in a root query.
type rootPart struct {
	ep    *endpoint
	q     *Query
	proj  *resource.Projection
	total int
}

func (s *Server) serveRootList(w http.ResponseWriter, r *http.Request, p listParams) {
	if p.hasCursor {
		s.fail(w, r, Errorf(http.StatusBadRequest, InvalidValue, "cursor pagination is not available across resource types; use startIndex"))
		return
	}
	var expr filter.Expr
	if p.filter != "" {
		var err error
		if expr, err = s.endpoints[0].parser.Parse(p.filter); err != nil {
			s.fail(w, r, filterError(err))
			return
		}
	}
	// Each type resolves the filter and sort itself. An attribute a type
	// does not define has no value there (RFC 7644 §3.4.2.1); an attribute
	// no type defines is the client's mistake.
	base := p
	base.filter, base.sortBy = "", ""
	var parts []*rootPart
	var srt *filter.Sort
	var filterErr, sortErr error
	defined := false
	baseURL := s.baseURL(r)
	for _, ep := range s.endpoints {
		q, err := s.query(ep, base)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		q.EndpointURL = s.endpointURL(baseURL, ep)
		if expr != nil {
			f, err := filter.Resolve(ep.rt, expr)
			if err != nil && undefined(err) {
				if filterErr == nil {
					filterErr = err
				}
				f, err = filter.ResolveAbsent(ep.rt, expr)
			} else if err == nil {
				defined = true
			}
			if err != nil {
				s.fail(w, r, filterError(err))
				return
			}
			q.Filter = f
		}
		if p.sortBy != "" {
			q.Sort, err = filter.ResolveSort(ep.rt, p.sortBy, p.sortOrder)
			switch {
			case err != nil && undefined(err):
				if sortErr == nil {
					sortErr = err // this type's resources sort last
				}
			case err != nil:
				s.fail(w, r, filterError(err))
				return
			case srt == nil:
				srt = q.Sort
			}
		}
		parts = append(parts, &rootPart{ep: ep, q: q, proj: q.Projection})
	}
	if expr != nil && !defined {
		s.fail(w, r, filterError(filterErr))
		return
	}
	if p.sortBy != "" && srt == nil {
		s.fail(w, r, filterError(sortErr))
		return
	}
	start, count := parts[0].q.StartIndex, parts[0].q.Count
	type item struct {
		part *rootPart
		res  *resource.Resource
	}
	var items []item
	total := 0
	sorted := srt != nil
	for _, part := range parts {
		q := *part.q
		q.StartIndex, q.Count = 1, 0
		page, err := part.ep.h.List(r.Context(), &q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		part.total = page.TotalResults
		total += page.TotalResults
	}
	if sorted && start <= total {
		if start-1 > s.cfg.MaxPageSize-count {
			// Merging sorted types reads the first startIndex+count of each.
			s.fail(w, r, Errorf(http.StatusBadRequest, TooMany, "a sorted query across resource types reaches at most the first %d resources; query one resource type to page further", s.cfg.MaxPageSize))
			return
		}
		for _, part := range parts {
			q := *part.q
			q.StartIndex, q.Count = 1, start-1+count
			page, err := part.ep.h.List(r.Context(), &q)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			for _, res := range page.Resources {
				items = append(items, item{part, res})
			}
		}
	}
	if sorted {
		slices.SortStableFunc(items, func(a, b item) int { return srt.Compare(a.res, b.res) })
		lo := min(start-1, len(items))
		items = items[lo:min(lo+count, len(items))]
	} else {
		offset := 0 // index in the concatenation of the first resource of part
		end := start - 1 + count
		if end < 0 { // overflow: the page reaches past every resource
			end = total
		}
		for _, part := range parts {
			lo, hi := max(start-1, offset), min(end, offset+part.total)
			if lo < hi {
				q := *part.q
				q.StartIndex, q.Count = lo-offset+1, hi-lo
				page, err := part.ep.h.List(r.Context(), &q)
				if err != nil {
					s.fail(w, r, err)
					return
				}
				for _, res := range page.Resources[:min(len(page.Resources), q.Count)] {
					items = append(items, item{part, res})
				}
			}
			offset += part.total
		}
	}
	// Fill in the groups of each type's resources at once.
	for _, part := range parts {
		var res []*resource.Resource
		var at []int
		for i, it := range items {
			if it.part == part {
				res, at = append(res, it.res), append(at, i)
			}
		}
		filled, err := s.fillGroups(r.Context(), part.ep, res, part.proj)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for j, i := range at {
			items[i].res = filled[j]
		}
	}
	buf := appendListHeader(nil, total, len(items), start)
	for i, it := range items {
		if i > 0 {
			buf = append(buf, ',')
		}
		ep := it.part.ep
		buf = resource.AppendJSONAt(buf, ep.rt, s.present(r.Context(), baseURL, ep, it.res), it.part.proj, s.endpointURL(baseURL, ep))
	}
	s.writeJSON(w, r, http.StatusOK, append(buf, "]}"...))
}

// undefined reports whether err says an attribute is not defined by the
// resource type, as opposed to misused.
func undefined(err error) bool {
	var ae *filter.AttributeError
	return errors.As(err, &ae) && ae.Undefined
}

// me serves /Me (RFC 7644 §3.11): the resource of the authenticated
// caller, as Config.Me names it, with GET, PUT, PATCH and DELETE.
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Me == nil {
		s.fail(w, r, Errorf(http.StatusNotImplemented, "", "this server does not support /Me"))
		return
	}
	typ, id, err := s.cfg.Me(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var ep *endpoint
	for _, e := range s.endpoints {
		if strings.EqualFold(e.rt.Name, typ) {
			ep = e
		}
	}
	if ep == nil {
		s.fail(w, r, errors.New("scim: Config.Me returned unknown resource type "+strconv.Quote(typ)))
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.get(w, r, ep, id)
	case http.MethodPut:
		s.replace(w, r, ep, id)
	case http.MethodPatch:
		s.patch(w, r, ep, id)
	case http.MethodDelete:
		s.delete(w, r, ep, id)
	default:
		s.allow(w, r, "GET, PUT, PATCH, DELETE")
	}
}
