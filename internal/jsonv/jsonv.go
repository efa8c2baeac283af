// Package jsonv parses JSON into the generic values encoding/json decodes
// into an any with UseNumber (map[string]any, []any, json.Number, string,
// bool and nil), in one pass and without reflection. Request bodies go
// through it on every write; it accepts exactly what encoding/json accepts
// and yields the same values, which its tests check against encoding/json.
// It reports no error text: for a body it refuses, a caller asks
// encoding/json why, so that messages stay those clients already see.
//
// Object keys and numbers are cut from one copy of the document, which
// they keep alive, unless a key is one of the names the caller interns;
// string values are copies of their own, since a store may keep them long
// after the document is gone.
//
// A Decoder reads a document a member or element at a time, for a caller
// that wants a few members of an object (the PatchOp envelope) without a
// map of them all.
//
// UnescapeAt and Hex4 decode a JSON string's escapes for the other parsers
// that read JSON string syntax (filter literals, jsonlimit), so that all of
// them read an escape as Parse does.
package jsonv

import (
	"encoding/json"
	"sync"
	"unicode/utf8"
)

// maxDepth is the nesting at which encoding/json stops, too.
const maxDepth = 10000

// Parse parses data, one JSON value with optional white space around it,
// and reports whether it is valid. An object key that intern maps (from
// itself) is given as intern's string; intern may be nil.
func Parse(data []byte, intern map[string]string) (any, bool) {
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	p := parser{data: data, src: string(data), intern: intern, scratch: sc}
	p.space()
	v, ok := p.value(0)
	if !ok {
		return nil, false
	}
	p.space()
	if p.i != len(p.data) {
		return nil, false
	}
	return v, true
}

type parser struct {
	data   []byte
	src    string // data as a string, for keys and numbers
	intern map[string]string
	i      int
	*scratch
}

// scratch is the space a parse works in, kept between parses. It holds no
// value once a parse is done.
type scratch struct {
	buf   []byte   // strings with escapes
	elems []any    // the elements of open arrays
	keys  []string // and the members of open objects
	vals  []any
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// release returns sc to the pool, holding on to nothing of the document,
// unless a large document grew it.
func (sc *scratch) release() {
	if cap(sc.keys) <= 1024 && cap(sc.elems) <= 1024 && cap(sc.buf) <= 64<<10 {
		clear(sc.keys[:cap(sc.keys)])
		clear(sc.vals[:cap(sc.vals)])
		clear(sc.elems[:cap(sc.elems)])
		sc.keys, sc.vals, sc.elems, sc.buf = sc.keys[:0], sc.vals[:0], sc.elems[:0], sc.buf[:0]
		scratchPool.Put(sc)
	}
}

func (p *parser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (any, bool) {
	if p.i >= len(p.data) {
		return nil, false
	}
	switch c := p.data[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		return p.string()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	}
	return nil, false
}

func (p *parser) literal(word string) bool {
	if len(p.data)-p.i < len(word) || string(p.data[p.i:p.i+len(word)]) != word {
		return false
	}
	p.i += len(word)
	return true
}

func (p *parser) object(depth int) (any, bool) {
	base := len(p.keys)
	defer func() { p.keys, p.vals = p.keys[:base], p.vals[:base] }()
	ok := p.members(depth, func(k string) bool {
		v, ok := p.value(depth)
		p.keys, p.vals = append(p.keys, k), append(p.vals, v)
		return ok
	})
	if !ok {
		return nil, false
	}
	m := make(map[string]any, len(p.keys)-base)
	for j, k := range p.keys[base:] {
		m[k] = p.vals[base+j]
	}
	clear(p.vals[base:]) // let the values go with the map
	return m, true
}

// members parses the object at p.i, which is '{', at depth, calling member
// with each key once p.i is at the start of the member's value, which
// member parses.
func (p *parser) members(depth int, member func(key string) bool) bool {
	if depth > maxDepth {
		return false
	}
	p.i++ // {
	p.space()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return true
	}
	for {
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			return false
		}
		k, ok := p.key()
		if !ok {
			return false
		}
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return false
		}
		p.i++
		p.space()
		if !member(k) {
			return false
		}
		p.space()
		if p.i >= len(p.data) {
			return false
		}
		switch p.data[p.i] {
		case ',':
			p.i++
			p.space()
		case '}':
			p.i++
			return true
		default:
			return false
		}
	}
}

func (p *parser) array(depth int) (any, bool) {
	base := len(p.elems)
	defer func() { p.elems = p.elems[:base] }()
	ok := p.elements(depth, func() bool {
		v, ok := p.value(depth)
		p.elems = append(p.elems, v)
		return ok
	})
	if !ok {
		return nil, false
	}
	list := make([]any, len(p.elems)-base)
	copy(list, p.elems[base:])
	clear(p.elems[base:])
	return list, true
}

// elements parses the array at p.i, which is '[', at depth, calling elem
// once p.i is at the start of each element, which elem parses.
func (p *parser) elements(depth int, elem func() bool) bool {
	if depth > maxDepth {
		return false
	}
	p.i++ // [
	p.space()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		p.space()
		if p.i >= len(p.data) {
			return false
		}
		switch p.data[p.i] {
		case ',':
			p.i++
			p.space()
		case ']':
			p.i++
			return true
		default:
			return false
		}
	}
}

func (p *parser) number() (any, bool) {
	start := p.i
	end, ok := p.scanNumber()
	if !ok {
		return nil, false
	}
	p.i = end
	return json.Number(p.src[start:end]), true
}

// scanNumber returns the end of the number at p.i, and whether there is
// one.
func (p *parser) scanNumber() (int, bool) {
	d, i := p.data, p.i
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	default:
		return 0, false
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return 0, false
		}
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return 0, false
		}
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	}
	return i, true
}

// skip reads the value at p.i, at depth, as value does, without building
// it.
func (p *parser) skip(depth int) bool {
	if p.i >= len(p.data) {
		return false
	}
	switch c := p.data[p.i]; {
	case c == '{':
		return p.members(depth+1, func(string) bool { return p.skip(depth + 1) })
	case c == '[':
		return p.elements(depth+1, func() bool { return p.skip(depth + 1) })
	case c == '"':
		return p.skipString()
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		end, ok := p.scanNumber()
		p.i = end
		return ok
	}
	return false
}

// skipString reads the string at p.i, which is '"', as str does, without
// building it.
func (p *parser) skipString() bool {
	d := p.data
	for i := p.i + 1; i < len(d); {
		switch c := d[i]; {
		case c == '"':
			p.i = i + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			_, n, ok := UnescapeAt(d, i)
			if !ok {
				return false
			}
			i += n
		default:
			i++
		}
	}
	return false
}

// key parses an object's key at p.i, which is '"': cut from p.src unless
// it has escapes.
func (p *parser) key() (string, bool) {
	d := p.data
	for i := p.i + 1; i < len(d); i++ {
		c := d[i]
		if c == '"' {
			k, ok := p.intern[string(d[p.i+1:i])]
			if !ok {
				k = p.src[p.i+1 : i]
			}
			p.i = i + 1
			return k, true
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
	}
	return p.str()
}

func (p *parser) string() (any, bool) {
	s, ok := p.str()
	if !ok {
		return nil, false
	}
	return s, true
}

// str parses a string at p.i, which is '"'. As encoding/json does, it
// turns a byte of invalid UTF-8 and a lone surrogate escape into U+FFFD.
func (p *parser) str() (string, bool) {
	d := p.data
	i := p.i + 1
	// The common case: no escapes, no control characters, valid UTF-8.
	for i < len(d) {
		c := d[i]
		if c == '"' {
			s := string(d[p.i+1 : i])
			p.i = i + 1
			return s, true
		}
		if c == '\\' || c < 0x20 {
			break
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(d[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	buf := append(p.buf[:0], d[p.i+1:i]...)
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			p.i = i + 1
			p.buf = buf
			return string(buf), true
		case c < 0x20:
			return "", false
		case c == '\\':
			r, n, ok := UnescapeAt(d, i)
			if !ok {
				return "", false
			}
			buf = utf8.AppendRune(buf, r)
			i += n
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				buf = utf8.AppendRune(buf, utf8.RuneError)
			} else {
				buf = append(buf, d[i:i+size]...)
			}
			i += size
		}
	}
	return "", false
}

// A Decoder reads one JSON document a piece at a time, for a caller that
// wants a few members of its objects rather than a map of every member:
// Object and Array hand over each member or element in turn, which the
// caller reads with Value, String, Object or Array. A Decoder accepts
// exactly the documents Parse accepts, with the same values, and reads
// object keys as Parse does without interning.
type Decoder struct {
	p     parser
	depth int
}

// NewDecoder returns a Decoder of data. Its Close lets go of the space it
// works in.
func NewDecoder(data []byte) Decoder {
	return Decoder{p: parser{data: data, src: string(data), scratch: scratchPool.Get().(*scratch)}}
}

// Close ends the decoding.
func (d *Decoder) Close() {
	d.p.scratch.release()
	d.p.scratch = nil
}

// Next returns the first byte of the next value, after white space, or 0
// at the end of the document.
func (d *Decoder) Next() byte {
	d.p.space()
	if d.p.i >= len(d.p.data) {
		return 0
	}
	return d.p.data[d.p.i]
}

// Object reads an object, calling member with each key when the member's
// value is next; member reads the value and reports whether it could.
// Object reports whether the object, and every value member read, is
// valid JSON.
func (d *Decoder) Object(member func(key string) bool) bool {
	if d.Next() != '{' {
		return false
	}
	d.depth++
	ok := d.p.members(d.depth, member)
	d.depth--
	return ok
}

// Array reads an array, calling elem when each element is next; elem
// reads the element and reports whether it could.
func (d *Decoder) Array(elem func() bool) bool {
	if d.Next() != '[' {
		return false
	}
	d.depth++
	ok := d.p.elements(d.depth, elem)
	d.depth--
	return ok
}

// Value reads the next value as Parse does.
func (d *Decoder) Value() (any, bool) {
	d.p.space()
	return d.p.value(d.depth)
}

// Skip reads the next value, as Value does, without building it.
func (d *Decoder) Skip() bool {
	d.p.space()
	return d.p.skip(d.depth)
}

// String reads the next value, which must be a string.
func (d *Decoder) String() (string, bool) {
	if d.Next() != '"' {
		return "", false
	}
	return d.p.str()
}

// End reports whether nothing but white space follows.
func (d *Decoder) End() bool { return d.Next() == 0 && d.p.i == len(d.p.data) }
