package sqlstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// Conversions between SCIM values (see package resource for their Go
// types) and what the database takes and gives.

// idArg converts a SCIM id into the argument for the table's id column,
// reporting false for one that no row can have: not a decimal integer for
// an IntegerID, not a UUID for a UUIDID, and for any kind a string that is
// not text PostgreSQL could hold (invalid UTF-8, U+0000), which would
// otherwise be a driver error rather than a missing resource.
func (t *table) idArg(id string) (any, bool) {
	return idArg(t.t.IDKind, id)
}

func idArg(kind IDKind, id string) (any, bool) {
	switch kind {
	case IntegerID:
		n, err := strconv.ParseInt(id, 10, 64)
		return n, err == nil && strconv.FormatInt(n, 10) == id
	case UUIDID:
		if !isUUID(id) {
			return nil, false
		}
		return strings.ToLower(id), true
	}
	return id, utf8.ValidString(id) && strings.IndexByte(id, 0) < 0
}

// memberArg converts a member's value into the argument for the join
// table's Member column: as the id of the member types, when they agree
// on a kind of id.
func (m *members) memberArg(v string) (any, bool) {
	return idArg(m.kind(), v)
}

// kind returns the kind of id the Member column holds: that of the member
// types, or TextID when they differ.
func (m *members) kind() IDKind {
	kind := m.types[0].t.IDKind
	for _, mt := range m.types[1:] {
		if mt.t.IDKind != kind {
			kind = TextID
		}
	}
	return kind
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// idString converts an id as the database gives it into a SCIM id.
func idString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case []byte:
		return string(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case json.Number:
		return v.String()
	case [16]byte:
		return fmt.Sprintf("%x-%x-%x-%x-%x", v[0:4], v[4:6], v[6:8], v[8:10], v[10:16])
	}
	return fmt.Sprint(v)
}

// arg converts a value of attribute a into the argument for its column.
func (d Dialect) arg(a *schema.Attribute, v any) any {
	switch v := v.(type) {
	case nil:
		return nil
	case time.Time:
		return d.timeArg(v)
	case string, bool, int64, float64:
		return v
	}
	if a.Type == schema.Integer {
		if n, ok := resource.Int64(v); ok {
			return n
		}
	}
	if f, ok := resource.Float64(v); ok {
		return f
	}
	return fmt.Sprint(v)
}

// value converts what the database gives for a column, or a cell of a JSON
// array built by a subquery, into a value of attribute a, or nil.
func value(a *schema.Attribute, v any) any {
	if v == nil {
		return nil
	}
	switch a.Type {
	case schema.Boolean:
		switch v := v.(type) {
		case bool:
			return v
		case int64:
			return v != 0
		case json.Number:
			return v != "0"
		case []byte:
			return parseBool(string(v))
		case string:
			return parseBool(v)
		}
	case schema.Integer:
		switch v := v.(type) {
		case int64:
			return v
		case float64:
			if v == math.Trunc(v) {
				return int64(v)
			}
		case json.Number, []byte, string:
			if n, err := strconv.ParseInt(text(v), 10, 64); err == nil {
				return n
			}
		}
	case schema.Decimal:
		switch v := v.(type) {
		case float64:
			return v
		case int64:
			return float64(v)
		case json.Number, []byte, string:
			if f, err := strconv.ParseFloat(text(v), 64); err == nil {
				return f
			}
		}
	case schema.DateTime:
		if t := parseTime(v); !t.IsZero() {
			return t
		}
	default:
		switch v := v.(type) {
		case string:
			return v
		case []byte:
			return string(v)
		case int64, float64, json.Number:
			return idString(v)
		}
	}
	return nil
}

func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case json.Number:
		return v.String()
	}
	return ""
}

func parseBool(s string) any {
	switch strings.ToLower(s) {
	case "1", "t", "true":
		return true
	case "0", "f", "false":
		return false
	}
	return nil
}

// decodeRows decodes a JSON array of arrays, as a subquery builds it.
func decodeRows(v any) ([][]any, error) {
	var b []byte
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return nil, fmt.Errorf("a JSON array came as %T", v)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var rows [][]any
	if err := dec.Decode(&rows); err != nil {
		return nil, err
	}
	return rows, nil
}
