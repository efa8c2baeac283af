package sqlstore_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/schema"
)

// This file generates the inputs of FuzzDifferential: a dataset of users
// and groups, and queries over it, every choice drawn from a diffGen.

// diffGen makes the generator's choices: from the fuzzer's bytes while they
// last, so that a mutation of the input changes a few choices, then from a
// PCG seeded with a hash of the whole input.
type diffGen struct {
	data []byte
	pcg  rand.PCG
}

func newDiffGen(data []byte) *diffGen {
	sum := sha256.Sum256(data)
	g := &diffGen{data: data}
	g.pcg.Seed(binary.LittleEndian.Uint64(sum[:8]), binary.LittleEndian.Uint64(sum[8:16]))
	return g
}

// clone returns a diffGen that makes the same choices as g from here on.
func (g *diffGen) clone() *diffGen {
	c := *g
	return &c
}

// intn returns a choice in [0, n).
func (g *diffGen) intn(n int) int {
	if n <= 1 {
		return 0
	}
	if len(g.data) > 0 && n <= 256 {
		b := g.data[0]
		g.data = g.data[1:]
		return int(b) % n
	}
	return int(g.pcg.Uint64() % uint64(n))
}

// oneIn reports true once in n times.
func (g *diffGen) oneIn(n int) bool { return g.intn(n) == 0 }

func pickFrom[T any](g *diffGen, s []T) T { return s[g.intn(len(s))] }

// diffPieces are what generated strings are made of: letters whose case
// folds are not what a byte-wise or locale-aware lower() gives (the
// Kelvin sign, long s, dz digraphs, dotted and dotless i, final sigma,
// micro and Ohm signs, sharp s and its capital), LIKE and GLOB
// metacharacters, and quotes.
var diffPieces = []string{
	"a", "A", "b", "B", "x", "X", "z", "Z", "k", "K", "\u212a", "s", "S", "ss", "SS", "ß", "ẞ", "ſ",
	"ǅ", "ǆ", "Ǆ", "İ", "i", "I", "ı", "Σ", "σ", "ς", "Ä", "ä", "é", "É", "µ", "Μ", "μ", "Ω", "ω", "\u2126",
	"0", "1", "9", "%", "_", "!", "*", "?", "[", "]", "(", ")", "-", ".", "@", " ", "'", "\\", "\"", "😀",
	"work", "Work",
}

// str returns a string of between lo and hi pieces.
func (g *diffGen) str(lo, hi int) string {
	n := lo + g.intn(hi-lo+1)
	var b strings.Builder
	for range n {
		b.WriteString(pickFrom(g, diffPieces))
	}
	return b.String()
}

// variant returns a string related to s: s itself, in another case, case
// folded rune by rune, or a listPart of it, so that comparisons with stored
// values hold and fail at their edges.
func (g *diffGen) variant(s string) string {
	r := []rune(s)
	switch g.intn(9) {
	case 1:
		return strings.ToUpper(s)
	case 2:
		return strings.ToLower(s)
	case 3:
		return filter.Fold(s)
	case 4:
		for i := range r {
			for k := g.intn(4); k > 0; k-- {
				r[i] = unicode.SimpleFold(r[i])
			}
		}
		return string(r)
	case 5:
		if len(r) > 0 {
			return string(r[:1+g.intn(len(r))])
		}
	case 6:
		if len(r) > 0 {
			return string(r[g.intn(len(r)):])
		}
	case 7:
		if len(r) > 1 {
			i := g.intn(len(r))
			return string(r[i : i+1+g.intn(len(r)-i)])
		}
	case 8:
		return s + pickFrom(g, diffPieces)
	}
	return s
}

// optStr sets m[key] to a generated string, or to "", or leaves it out.
func (g *diffGen) optStr(m map[string]any, key string) {
	switch g.intn(6) {
	case 0, 1:
	case 2:
		m[key] = ""
	default:
		m[key] = g.str(1, 3)
	}
}

// dataset is what one input stores: users (some for a second tenant) and
// groups, as request bodies.
type dataset struct {
	users []map[string]any
	// textIDs and times are the id (for a mapping with text ids) and the
	// time of creation of each user, then of each group.
	textIDs []string
	times   []time.Time
	// foreign are users of another tenant, for mappings with one.
	foreign []map[string]any
	groups  []dsGroup
	// hostUsers and hostGroups are rows the host wrote into its tables
	// itself, with values the server would refuse or never write: empty
	// names, and no times of creation.
	hostUsers  []hostRow
	hostGroups []hostRow
}

// hostRow is a row of the users' or the groups' table, written with SQL.
type hostRow struct {
	id         string // for text ids
	name       string // userName or displayName
	formatted  any    // a string or nil
	externalID any
	active     bool
	at         any // the time of creation and modification, or nil
	members    []int
	emails     [][3]any // value, type and primary, each possibly nil
}

type dsGroup struct {
	body map[string]any
	// members are indexes into users, or -1 for a member that does not
	// exist.
	members []int
}

var diffEpoch = time.Date(2024, 2, 29, 23, 59, 58, 0, time.UTC)

func genDataset(g *diffGen, textIDs bool) *dataset {
	ds := &dataset{}
	now := diffEpoch
	used := map[string]bool{}
	newID := func() string {
		for {
			id := g.str(1, 2)
			if g.oneIn(2) {
				id = pickFrom(g, []string{"1", "2", "9", "10", "a", "A", "b"}) + id
			}
			if !used[id] && !strings.ContainsAny(id, "/") {
				used[id] = true
				return id
			}
		}
	}
	tick := func() time.Time {
		switch g.intn(4) {
		case 0: // the same instant as the previous write
		case 1:
			now = now.Add(time.Microsecond)
		default:
			now = now.Add(time.Duration(1+g.intn(3)) * time.Second)
		}
		return now
	}
	nUsers := 5 + g.intn(26)
	for range nUsers {
		ds.users = append(ds.users, genUser(g, textIDs, ds.users))
		ds.textIDs = append(ds.textIDs, newID())
		ds.times = append(ds.times, tick())
	}
	if !textIDs {
		for range g.intn(3) {
			ds.foreign = append(ds.foreign, genUser(g, false, ds.users))
		}
	}
	for range g.intn(6) {
		body := map[string]any{"schemas": []any{schema.GroupURN}, "displayName": g.str(1, 3)}
		if g.oneIn(3) {
			body["displayName"] = g.variant(ds.users[g.intn(len(ds.users))]["userName"].(string))
		}
		g.optStr(body, "externalId")
		var members []int
		for range g.intn(6) {
			if g.oneIn(8) {
				members = append(members, -1)
			} else {
				members = append(members, g.intn(len(ds.users)))
			}
		}
		ds.groups = append(ds.groups, dsGroup{body: body, members: members})
		ds.textIDs = append(ds.textIDs, newID())
		ds.times = append(ds.times, tick())
	}
	nullable := func() any {
		switch g.intn(3) {
		case 0:
			return nil
		case 1:
			return ""
		}
		return g.str(1, 2)
	}
	host := func() hostRow {
		r := hostRow{id: newID(), name: pickFrom(g, []string{"", g.str(1, 3)}), formatted: nullable(),
			externalID: nullable(), active: g.oneIn(2)}
		if g.oneIn(2) {
			r.at = tick()
		}
		return r
	}
	for range g.intn(3) {
		r := host()
		for range g.intn(3) {
			r.emails = append(r.emails, [3]any{nullable(), nullable(), pickFrom(g, []any{nil, true, false})})
		}
		ds.hostUsers = append(ds.hostUsers, r)
	}
	for range g.intn(3) {
		r := host()
		for range g.intn(4) {
			r.members = append(r.members, g.intn(len(ds.users)))
		}
		ds.hostGroups = append(ds.hostGroups, r)
	}
	return ds
}

// genUser returns the body of a new user, whose userName is sometimes a
// variant of an earlier one's, so that uniqueness under case folding is
// tested too.
func genUser(g *diffGen, textIDs bool, earlier []map[string]any) map[string]any {
	u := map[string]any{"schemas": []any{schema.UserURN}, "userName": g.str(1, 4)}
	if len(earlier) > 0 && g.oneIn(6) {
		u["userName"] = g.variant(earlier[g.intn(len(earlier))]["userName"].(string))
	}
	if g.oneIn(40) {
		u["userName"] = ""
	}
	if !g.oneIn(3) {
		name := map[string]any{}
		g.optStr(name, "formatted")
		u["name"] = name
	}
	switch g.intn(3) {
	case 0:
		u["active"] = true
	case 1:
		u["active"] = false
	}
	g.optStr(u, "externalId")
	if textIDs {
		g.optStr(u, "displayName")
		g.optStr(u, "nickName")
	}
	if !g.oneIn(3) {
		ent := map[string]any{}
		g.optStr(ent, "department")
		u[schema.EnterpriseUserURN] = ent
		u["schemas"] = []any{schema.UserURN, schema.EnterpriseUserURN}
	}
	var emails []any
	primary := false
	for range g.intn(4) {
		e := map[string]any{}
		if !textIDs || !g.oneIn(6) {
			e["value"] = g.str(1, 2) + pickFrom(g, []string{"@x.io", "@X.IO", "@ä.de", "@Ä.DE", "", "@"}) + g.str(0, 1)
		}
		switch g.intn(6) {
		case 0:
		case 1:
			e["type"] = g.str(1, 2)
		default:
			e["type"] = pickFrom(g, []string{"work", "home", "other", "Work", "WORK"})
		}
		switch g.intn(4) {
		case 0:
			if !primary {
				e["primary"] = true
				primary = true
			}
		case 1:
			e["primary"] = false
		}
		if textIDs {
			g.optStr(e, "display")
		}
		emails = append(emails, e)
	}
	if len(emails) > 0 {
		u["emails"] = emails
	}
	return u
}

// valuePools are the values of a dataset as stored, which literals of filters
// are made from.
type valuePools map[valuePool][]string

type valuePool int

const (
	pNone valuePool = iota
	pUserName
	pFormatted
	pDisplay
	pNick
	pDept
	pUserExt
	pEmail
	pEmailType
	pEmailDisplay
	pGroupName
	pGroupExt
	pUserID
	pGroupID
	pGroupType
	pVersion
	pResourceType
	pLocation
)

// dkind is the kind of values an attribute holds, for the literals it is
// compared with.
type dkind int

const (
	kStr dkind = iota
	kBool
	kTime
	kComplex
)

// dattr is an attribute filters and sorts may name.
type dattr struct {
	path      string
	kind      dkind
	valuePool valuePool
	subs      []dattr // of a complex attribute, for value paths
}

var (
	emailSubs  = []dattr{{"value", kStr, pEmail, nil}, {"type", kStr, pEmailType, nil}, {"primary", kBool, pNone, nil}, {"display", kStr, pEmailDisplay, nil}}
	groupsSubs = []dattr{{"value", kStr, pGroupID, nil}, {"display", kStr, pGroupName, nil}, {"type", kStr, pGroupType, nil}}
	memberSubs = []dattr{{"value", kStr, pUserID, nil}, {"display", kStr, pUserName, nil}, {"type", kStr, pResourceType, nil}}
	nameSubs   = []dattr{{"formatted", kStr, pFormatted, nil}, {"formatted", kStr, pFormatted, nil}, {"formatted", kStr, pFormatted, nil}, {"givenName", kStr, pFormatted, nil}}
	metaAttrs  = []dattr{
		{"meta.created", kTime, pNone, nil}, {"meta.lastModified", kTime, pNone, nil},
		{"meta.version", kStr, pVersion, nil}, {"meta.resourceType", kStr, pResourceType, nil},
		{"meta.location", kStr, pLocation, nil},
	}
	userAttrs = append([]dattr{
		{"userName", kStr, pUserName, nil},
		{"urn:ietf:params:scim:schemas:core:2.0:User:userName", kStr, pUserName, nil},
		{"name.formatted", kStr, pFormatted, nil},
		{"name", kComplex, pNone, nameSubs},
		{"displayName", kStr, pDisplay, nil},
		{"nickName", kStr, pNick, nil},
		{"active", kBool, pNone, nil},
		{schema.EnterpriseUserURN + ":department", kStr, pDept, nil},
		{"externalId", kStr, pUserExt, nil},
		{"id", kStr, pUserID, nil},
		{"emails", kComplex, pEmail, emailSubs},
		{"emails.value", kStr, pEmail, nil},
		{"emails.type", kStr, pEmailType, nil},
		{"emails.primary", kBool, pNone, nil},
		{"emails.display", kStr, pEmailDisplay, nil},
		{"groups", kComplex, pGroupID, groupsSubs},
		{"groups.value", kStr, pGroupID, nil},
		{"groups.display", kStr, pGroupName, nil},
	}, metaAttrs...)
	groupAttrs = append([]dattr{
		{"displayName", kStr, pGroupName, nil},
		{"externalId", kStr, pGroupExt, nil},
		{"id", kStr, pGroupID, nil},
		{"members", kComplex, pUserID, memberSubs},
		{"members.value", kStr, pUserID, nil},
		{"members.display", kStr, pUserName, nil},
	}, metaAttrs...)
	rootAttrs = append(append([]dattr{{"title", kStr, pNick, nil}}, userAttrs...), groupAttrs[:6]...)
)

// dquery is a list request: its endpoint and its parameters, "" for those
// left out.
type dquery struct {
	endpoint                                string // "/Users", "/Groups" or "/"
	filter, sortBy, sortOrder, start, count string
}

// qgen generates queries over the values of valuePools.
type qgen struct {
	*diffGen
	p     valuePools
	times []time.Time
}

func (q *qgen) query() dquery {
	var d dquery
	attrs := userAttrs
	switch k := q.intn(20); {
	case k < 11:
		d.endpoint = "/Users"
	case k < 17:
		d.endpoint, attrs = "/Groups", groupAttrs
	default:
		d.endpoint, attrs = "/", rootAttrs
	}
	if !q.oneIn(8) {
		d.filter = q.expr(attrs, 3)
	}
	if q.oneIn(2) {
		a := pickFrom(q.diffGen, attrs)
		for a.path == "name" && !q.oneIn(10) {
			a = pickFrom(q.diffGen, attrs)
		}
		d.sortBy = q.pathCase(a.path)
		d.sortOrder = pickFrom(q.diffGen, []string{"", "", "ascending", "descending", "DESCENDING"})
	}
	if !q.oneIn(3) {
		d.start = strconv.Itoa(pickFrom(q.diffGen, []int{-1, 0, 1, 1, 2, 3, 5, 8, 13, 21, 34}))
	}
	if !q.oneIn(3) {
		d.count = strconv.Itoa(pickFrom(q.diffGen, []int{-1, 0, 1, 2, 3, 5, 7, 10, 20, 40}))
	}
	return d
}

// expr returns a filter over attrs, nested at most depth deep.
func (q *qgen) expr(attrs []dattr, depth int) string {
	k := q.intn(12)
	if depth == 0 {
		k = 5 + q.intn(7)
	}
	switch k {
	case 0:
		return q.expr(attrs, depth-1) + q.word(" and ") + q.expr(attrs, depth-1)
	case 1:
		return q.expr(attrs, depth-1) + q.word(" or ") + q.expr(attrs, depth-1)
	case 2:
		return q.word("not") + " (" + q.expr(attrs, depth-1) + ")"
	case 3:
		return "(" + q.expr(attrs, depth-1) + ")"
	case 4, 5:
		var complexes []dattr
		for _, a := range attrs {
			if a.subs != nil {
				complexes = append(complexes, a)
			}
		}
		if complexes == nil { // inside a value path
			break
		}
		a := pickFrom(q.diffGen, complexes)
		return q.pathCase(a.path) + "[" + q.expr(a.subs, min(depth, 2)) + "]"
	}
	return q.leaf(pickFrom(q.diffGen, attrs))
}

// word returns a keyword, sometimes in upper or mixed case.
func (q *qgen) word(w string) string {
	switch q.intn(10) {
	case 0:
		return strings.ToUpper(w)
	case 1:
		return strings.ToUpper(w[:2]) + w[2:]
	}
	return w
}

// pathCase returns an attribute path, sometimes with the case of its
// letters changed (attribute names match case-insensitively).
func (q *qgen) pathCase(p string) string {
	if strings.HasPrefix(p, "urn:") || !q.oneIn(6) {
		return p
	}
	b := []byte(p)
	for i, c := range b {
		if q.oneIn(2) {
			switch {
			case 'a' <= c && c <= 'z':
				b[i] = c - 'a' + 'A'
			case 'A' <= c && c <= 'Z':
				b[i] = c - 'A' + 'a'
			}
		}
	}
	return string(b)
}

var diffOps = []string{"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"}

// leaf returns a comparison or presence test on a.
func (q *qgen) leaf(a dattr) string {
	path := q.pathCase(a.path)
	op := pickFrom(q.diffGen, diffOps)
	switch {
	case a.kind == kBool && !q.oneIn(10):
		op = pickFrom(q.diffGen, []string{"eq", "ne", "pr"})
	case a.kind == kTime && !q.oneIn(10):
		op = pickFrom(q.diffGen, []string{"eq", "ne", "gt", "ge", "lt", "le", "pr"})
	case a.kind == kComplex && q.oneIn(2):
		op = "pr"
	}
	if op == "pr" {
		return path + " " + q.word(op)
	}
	if q.oneIn(25) {
		return path + " " + q.word(pickFrom(q.diffGen, []string{"eq", "ne"})) + " null"
	}
	return path + " " + q.word(op) + " " + q.literal(a)
}

// literal returns a value to compare a with, as filter text.
func (q *qgen) literal(a dattr) string {
	switch {
	case a.kind == kBool && !q.oneIn(20):
		return pickFrom(q.diffGen, []string{"true", "false"})
	case a.kind == kTime && len(q.times) > 0 && !q.oneIn(20):
		t := pickFrom(q.diffGen, q.times).Add(pickFrom(q.diffGen, []time.Duration{0, 0, time.Nanosecond, -time.Nanosecond, 500 * time.Nanosecond, -500 * time.Nanosecond, time.Microsecond, -time.Microsecond, time.Second, -time.Second}))
		if q.oneIn(4) {
			return `"` + t.In(time.FixedZone("", 2*3600)).Format(time.RFC3339Nano) + `"`
		}
		return `"` + t.Format(time.RFC3339Nano) + `"`
	}
	var s string
	vals := q.p[a.valuePool]
	switch k := q.intn(10); {
	case k < 6 && len(vals) > 0:
		s = q.variant(pickFrom(q.diffGen, vals))
		if (a.valuePool == pUserID || a.valuePool == pGroupID) && q.oneIn(2) {
			// Ids are caseExact, but members.value and groups.value
			// are not.
			s = pickFrom(q.diffGen, []func(string) string{strings.ToUpper, strings.ToLower, filter.Fold})(s)
		}
	case k < 8:
		s = q.str(0, 2)
	case k < 9:
		s = ""
	default:
		s = pickFrom(q.diffGen, []string{"1", "999999", "abc", "01", "%", "_", "!", "*", "?", "["})
	}
	b, _ := json.Marshal(s)
	return string(b)
}
