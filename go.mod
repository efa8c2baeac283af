module github.com/scim-go/scim

go 1.24

require (
	github.com/google/go-cmp v0.7.0
	github.com/scim2/filter-parser/v2 v2.2.0
)

require github.com/di-wu/parser v0.2.2 // indirect
