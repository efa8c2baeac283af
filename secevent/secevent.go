// Package secevent turns the events of scim.Config.OnEvent into the claims
// sets of Security Event Tokens (SETs, RFC 8417) for the provisioning
// events of RFC 9967, "SCIM Profile for Security Event Tokens".
//
// An Issuer makes a Claims value from a scim.Event: Notice for a feed that
// names the attributes a write changed, Full for one that carries the
// resource itself. Marshalled with encoding/json, Claims is the payload of
// the token. The package neither signs nor delivers: the host signs the
// payload with its own keys as a JWS (RFC 7515) with the header "typ":
// "secevent+jwt" (RFC 8417 §2.3), and delivers the token by push (RFC 8935)
// or lets receivers poll for it (RFC 8936), on a goroutine or a queue of its
// own, since OnEvent runs before the response is sent:
//
//	iss, err := secevent.NewIssuer(secevent.Options{
//		Issuer:   "https://scim.example.com",
//		Audience: []string{"https://receiver.example.com/feeds/7"},
//	})
//	...
//	cfg.OnEvent = func(ctx context.Context, e scim.Event) {
//		c, err := iss.Notice(e)
//		if err != nil {
//			log.Print(err)
//			return
//		}
//		payload, _ := json.Marshal(c)
//		outbox <- payload // signed and delivered elsewhere
//	}
//
// # Events
//
// Each kind of scim.Event has the event of RFC 9967 §2.4 of the same name:
//
//	scim.Created      urn:ietf:params:scim:event:prov:create:notice or :full
//	scim.Replaced     urn:ietf:params:scim:event:prov:put:notice or :full
//	scim.Patched      urn:ietf:params:scim:event:prov:patch:notice or :full
//	scim.Deleted      urn:ietf:params:scim:event:prov:delete
//	scim.Activated    urn:ietf:params:scim:event:prov:activate
//	scim.Deactivated  urn:ietf:params:scim:event:prov:deactivate
//
// The subject is the "sub_id" claim in the "scim" format of RFC 9967 §2.1:
// the resource's path relative to the service provider's base URL, such as
// "/Users/2819c223". The event's payload has the resource's entity tag as
// "version" (RFC 9967 §2.2), when the write left one, and, for a create,
// put or patch, either the changed attributes' names as "attributes"
// (Notice) or the resource's JSON as "data" (Full). A delete, an
// activation and a deactivation have no other payload.
//
// A deactivation or reactivation carries its own event beside the put or
// patch event of the write that made it (scim.Event.Write), in one token,
// as RFC 9967 §2.1 allows for several events of one change; a create, put
// or patch whose Changes report a deactivation or activation does the
// same. The members a write added to a group or removed from it have no
// place in RFC 9967's events: the attributes of a notice name "members",
// and Full's data holds them.
//
// # Notice and full
//
// scim.Event carries no attribute values, by design, so a notice is all it
// can make on its own; it is what RFC 9967 calls co-ordinated provisioning
// (Appendix A.2), where a receiver reads the resource back with a SCIM GET
// under its own access rights. A receiver that keeps a replica (domain
// based replication, Appendix A.1) wants the values in the token: Full takes
// the resource's JSON from the host, which reads it from its store after
// the write, as a GET would return it. Those values are personal data, and
// the token must travel over TLS (RFC 9967 §5); a resource as a GET returns
// it holds no password or other attribute returned "never".
//
// The package imports package scim, as scimtest does; package scim does not
// import it.
package secevent

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// The provisioning event URIs of RFC 9967 §2.4, registered in §7.4. The
// ones ending in "notice" name the attributes a write changed; those ending
// in "full" carry the resource's data.
const (
	CreateNotice = "urn:ietf:params:scim:event:prov:create:notice"
	CreateFull   = "urn:ietf:params:scim:event:prov:create:full"
	PatchNotice  = "urn:ietf:params:scim:event:prov:patch:notice"
	PatchFull    = "urn:ietf:params:scim:event:prov:patch:full"
	PutNotice    = "urn:ietf:params:scim:event:prov:put:notice"
	PutFull      = "urn:ietf:params:scim:event:prov:put:full"
	Delete       = "urn:ietf:params:scim:event:prov:delete"
	Activate     = "urn:ietf:params:scim:event:prov:activate"
	Deactivate   = "urn:ietf:params:scim:event:prov:deactivate"
)

// NoticeURIs returns the event URIs Issuer.Notice issues, for a service
// provider to list as securityEvents.eventUris in its
// /ServiceProviderConfig (RFC 9967 §4) through
// scim.Config.SecurityEventURIs. Each call returns a new slice.
func NoticeURIs() []string {
	return []string{CreateNotice, PutNotice, PatchNotice, Delete, Activate, Deactivate}
}

// FullURIs returns the event URIs Issuer.Full issues, as NoticeURIs does
// for Notice.
func FullURIs() []string {
	return []string{CreateFull, PutFull, PatchFull, Delete, Activate, Deactivate}
}

// SubjectFormat is the format of a SCIM resource's subject identifier in
// the "sub_id" claim (RFC 9967 §2.1).
const SubjectFormat = "scim"

// ErrUnsupported is the error, matched with errors.Is, for a scim.Event of
// a kind that RFC 9967 has no provisioning event for.
var ErrUnsupported = errors.New("secevent: no RFC 9967 event for this kind of change")

// Options configures an Issuer. Only Issuer is required; the zero value of
// every other field selects the default written on it. The functions are
// called from the goroutines that call the Issuer's methods, concurrently
// when those are (OnEvent runs concurrently for different resources), and
// must be safe for that.
type Options struct {
	// Issuer is the "iss" claim (RFC 8417 §2.2): the service provider that
	// issues the tokens, such as "https://scim.example.com". Required.
	Issuer string

	// Audience is the "aud" claim: the receivers a token is for, such as
	// the URL of their feed or stream. Nil leaves it out, as RFC 8417
	// allows; a receiver that checks it needs it. A host that delivers to
	// several receivers, each with its own audience, uses an Issuer for
	// each.
	Audience []string

	// ResourceTypes are the resource types the server serves, as in
	// scim.Config.Endpoints: an event's ResourceType is looked up by name,
	// and the subject's uri is the type's Endpoint and the resource's id.
	// Nil means the User and Group types of RFC 7643, at "/Users" and
	// "/Groups".
	ResourceTypes []*schema.ResourceType

	// NewID returns the "jti" claim, which identifies one token and must
	// differ between tokens (RFC 8417 §2.2). Nil means 16 random bytes from
	// crypto/rand in hex.
	NewID func() string

	// Txn returns the "txn" claim for an event: the same for every token
	// issued about one write (to other receivers, or again), so that a
	// receiver can tell a duplicate (RFC 9967 §2.2 requires it for
	// co-ordinated provisioning and replication). "" leaves it out. Nil
	// means a digest of the event's kind, resource type, id, version and
	// time, 32 hex digits: equal for equal events, and different for two
	// writes unless they are of one resource, with one version, at the same
	// instant. A host that stores events and issues their tokens later must
	// keep Time to the nanosecond, or give its own Txn.
	Txn func(e scim.Event) string

	// Now returns the time the token is issued, the "iat" claim. Nil means
	// time.Now.
	Now func() time.Time
}

// Issuer makes the claims sets of SETs from events. It is safe for
// concurrent use when the functions of its Options are.
type Issuer struct {
	opts      Options
	endpoints map[string]string // resource type name to endpoint
}

// NewIssuer checks o and returns an Issuer for it. It reports an empty
// Issuer, a nil resource type, one with no name or an endpoint that is not
// a path such as "/Users", and two types with the same name.
func NewIssuer(o Options) (*Issuer, error) {
	if o.Issuer == "" {
		return nil, errors.New("secevent: Options.Issuer is empty")
	}
	types := o.ResourceTypes
	if types == nil {
		types = []*schema.ResourceType{schema.UserResourceType(), schema.GroupResourceType()}
	}
	is := &Issuer{opts: o, endpoints: make(map[string]string, len(types))}
	for i, rt := range types {
		switch {
		case rt == nil:
			return nil, fmt.Errorf("secevent: Options.ResourceTypes[%d] is nil", i)
		case rt.Name == "":
			return nil, fmt.Errorf("secevent: Options.ResourceTypes[%d] has no name", i)
		case len(rt.Endpoint) < 2 || rt.Endpoint[0] != '/':
			return nil, fmt.Errorf("secevent: resource type %q: endpoint %q is not a path such as \"/Users\"", rt.Name, rt.Endpoint)
		}
		if _, dup := is.endpoints[rt.Name]; dup {
			return nil, fmt.Errorf("secevent: two resource types named %q", rt.Name)
		}
		is.endpoints[rt.Name] = rt.Endpoint
	}
	is.opts.Audience = append([]string(nil), o.Audience...)
	if len(o.Audience) == 0 {
		is.opts.Audience = nil
	}
	return is, nil
}

// Notice returns the claims set of the token that reports e with the
// "notice" events of RFC 9967 §2.4: a create, put or patch names the
// attributes e.Changes lists, in their order ("attributes" is present even
// when e lists none, as §2.4 requires it or "data"). It reports an error
// wrapping ErrUnsupported for a kind of change other than scim's six, and
// an error for an event without an id or of a resource type the Issuer
// does not know.
func (is *Issuer) Notice(e scim.Event) (*Claims, error) {
	return is.claims(e, nil, false)
}

// Full returns the claims set of the token that reports e with the "full"
// events of RFC 9967 §2.4, whose payload for a create, put or patch is
// data, a JSON object: the resource after the write, as a GET would return
// it, which RFC 9967 §2.4 calls its final representation. (The patch
// example of RFC 9967, Figure 6, shows the PatchOp request instead; Full
// does not look inside data, so a host that keeps the request may pass
// that.) Data is copied, and ignored for a delete, an activation and a
// deactivation, which have no full form. Full reports the errors Notice
// does, and an error when a create, put or patch has no data or data that
// is not a JSON object.
func (is *Issuer) Full(e scim.Event, data json.RawMessage) (*Claims, error) {
	return is.claims(e, data, true)
}

// claims makes the claims set of e, as a notice or with data.
func (is *Issuer) claims(e scim.Event, data json.RawMessage, full bool) (*Claims, error) {
	kind := e.Kind
	if (kind == scim.Deactivated || kind == scim.Activated) && (e.Write == scim.Replaced || e.Write == scim.Patched) {
		kind = e.Write
	}
	var uri string
	switch kind {
	case scim.Created:
		uri = pick(full, CreateFull, CreateNotice)
	case scim.Replaced:
		uri = pick(full, PutFull, PutNotice)
	case scim.Patched:
		uri = pick(full, PatchFull, PatchNotice)
	case scim.Deleted:
		uri = Delete
	case scim.Activated:
		uri = Activate
	case scim.Deactivated:
		uri = Deactivate
	default:
		return nil, fmt.Errorf("%w: kind %q", ErrUnsupported, e.Kind)
	}
	if e.ID == "" {
		return nil, fmt.Errorf("secevent: %s event of a %s has no id", e.Kind, e.ResourceType)
	}
	endpoint, ok := is.endpoints[e.ResourceType]
	if !ok {
		return nil, fmt.Errorf("secevent: %s event of unknown resource type %q; see Options.ResourceTypes", e.Kind, e.ResourceType)
	}

	p := Payload{}
	if e.Version != "" {
		p.Version = resource.ETag(e.Version)
	}
	changed := kind == scim.Created || kind == scim.Replaced || kind == scim.Patched
	switch {
	case changed && full:
		if err := checkData(data); err != nil {
			return nil, fmt.Errorf("secevent: %s event of %s %s: %w", e.Kind, e.ResourceType, e.ID, err)
		}
		p.Data = bytes.Clone(data)
	case changed:
		p.Attributes = append(make([]string, 0, len(e.Attributes)), e.Attributes...)
	}
	events := map[string]Payload{uri: p}
	if changed && (e.Deactivated || e.Kind == scim.Deactivated) {
		events[Deactivate] = Payload{}
	}
	if changed && (e.Activated || e.Kind == scim.Activated) {
		events[Activate] = Payload{}
	}

	c := &Claims{
		ID:       is.newID(),
		Issuer:   is.opts.Issuer,
		IssuedAt: is.now().Unix(),
		Audience: append([]string(nil), is.opts.Audience...),
		Subject:  Subject{Format: SubjectFormat, URI: endpoint + "/" + url.PathEscape(e.ID)},
		Events:   events,
	}
	if is.opts.Txn != nil {
		c.Txn = is.opts.Txn(e)
	} else {
		c.Txn = digest(e)
	}
	if !e.Time.IsZero() {
		c.TimeOfEvent = e.Time.Unix()
	}
	return c, nil
}

func pick(full bool, ifFull, ifNotice string) string {
	if full {
		return ifFull
	}
	return ifNotice
}

// checkData reports whether data is missing or not a JSON object.
func checkData(data json.RawMessage) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case data == nil:
		return errors.New("no data for a full event")
	case len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(data):
		return errors.New("data is not a JSON object")
	}
	return nil
}

func (is *Issuer) newID() string {
	if is.opts.NewID != nil {
		return is.opts.NewID()
	}
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

func (is *Issuer) now() time.Time {
	if is.opts.Now != nil {
		return is.opts.Now()
	}
	return time.Now()
}

// digest returns the default txn of e: 16 bytes of the SHA-256 of its
// kind, resource type, id, version and time, in hex.
func digest(e scim.Event) string {
	var b []byte
	for _, s := range []string{string(e.Kind), e.ResourceType, e.ID, e.Version} {
		b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
		b = append(b, s...)
	}
	if !e.Time.IsZero() {
		b = binary.BigEndian.AppendUint64(b, uint64(e.Time.UnixNano()))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// Claims is the claims set of a Security Event Token (RFC 8417 §2.2) that
// reports a provisioning event (RFC 9967 §2.4). encoding/json marshals it
// to the JSON the token's issuer signs, and unmarshals that JSON back into
// it (though not an "aud" of one string, which RFC 7519 also allows). A
// host may change its fields before marshalling, to set
// Subject.ExternalID, say.
type Claims struct {
	// ID is the "jti" claim, unique to the token.
	ID string `json:"jti"`
	// Issuer is the "iss" claim, from Options.Issuer.
	Issuer string `json:"iss"`
	// IssuedAt is the "iat" claim, in seconds since 1970 (a NumericDate).
	IssuedAt int64 `json:"iat"`
	// Audience is the "aud" claim, from Options.Audience; left out when
	// empty.
	Audience []string `json:"aud,omitempty"`
	// Txn is the "txn" claim, which a write's tokens share; left out when
	// empty.
	Txn string `json:"txn,omitempty"`
	// TimeOfEvent is the "toe" claim (RFC 8417 §2.2), when the write
	// committed (scim.Event.Time), in seconds since 1970; left out when 0.
	TimeOfEvent int64 `json:"toe,omitempty"`
	// Subject is the "sub_id" claim, the resource the events are about.
	// RFC 9967 §2.1 forbids the "sub" claim for it.
	Subject Subject `json:"sub_id"`
	// Events is the "events" claim: the event URIs, such as CreateNotice,
	// and their payloads. It holds one event, or an event and an
	// activation or deactivation of the same write.
	Events map[string]Payload `json:"events"`
}

// Subject identifies a SCIM resource in the "sub_id" claim, as a subject
// identifier (RFC 9493) of format "scim" (RFC 9967 §2.1).
type Subject struct {
	// Format is SubjectFormat, "scim".
	Format string `json:"format"`
	// URI is the resource's path relative to the service provider's base
	// URL, such as "/Users/2819c223": its type's endpoint and its id.
	URI string `json:"uri"`
	// ExternalID is the resource's externalId, which a receiver may know
	// it by; left out when empty. An Issuer leaves it empty, as a
	// scim.Event does not carry it: a host that knows it sets it.
	ExternalID string `json:"externalId,omitempty"`
	// ID is the resource's id, which RFC 9967 allows beside URI for
	// receivers that expect it; left out when empty. An Issuer leaves it
	// empty.
	ID string `json:"id,omitempty"`
}

// Payload is the value of an event in the "events" claim (RFC 9967 §2.2).
// A notice has Attributes and no Data, a full event Data and no
// Attributes, and a delete, activation or deactivation neither.
type Payload struct {
	// Version is the entity tag of the resource after the write, such as
	// `W/"3"`, as the ETag header and meta.version give it (RFC 7644
	// §3.14), which is how RFC 9967 §2.2 defines it (its provisioning
	// examples show the bare version); left out when empty.
	Version string `json:"version,omitempty"`
	// Attributes are the names of the attributes the write set, changed or
	// removed, as paths of RFC 7644 §3.5.2 (those of an extension prefixed
	// with its URN). Present when not nil, even when empty.
	Attributes []string `json:"attributes,omitzero"`
	// Data is the resource's JSON object; present when not nil.
	Data json.RawMessage `json:"data,omitzero"`
}
