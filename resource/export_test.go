package resource

import "github.com/scim-go/scim/schema"

// DecodeCopying is Decode building new objects and arrays rather than
// rewriting those of its parse in place, as DecodeValue does.
func DecodeCopying(rt *schema.ResourceType, data []byte, opt DecodeOptions) (*Resource, error) {
	m, err := parseObject(data)
	if err != nil {
		return nil, err
	}
	d := decoder{rt: rt, opt: opt}
	return d.resource(m)
}
