package main

import (
	"github.com/scim-go/scim/schema"
)

// NewResources returns a store for resources of a type without tables of
// its own, such as one loaded with -schemas: the rows of the resources
// table whose type column is rt.Name, with every attribute but id,
// externalId and meta as JSON in the data column. Filters and sorts on id,
// externalId, meta.created and meta.lastModified run in the database;
// those on other attributes in memory (see Store). Top-level attributes
// whose schema says uniqueness "server" or "global" are kept unique within
// the type through the resource_keys table.
func NewResources(db *DB, rt *schema.ResourceType) *Store {
	s := newStore(db, rt, tableDef{
		table:   "resources",
		alias:   "r",
		counter: "resources",
		scope:   "type",
	})
	for _, a := range rt.Schema.Attributes {
		if a.Uniqueness != schema.UniquenessNone && !a.MultiValued && a.Type != schema.Complex {
			s.keys = append(s.keys, a)
		}
	}
	return s
}
