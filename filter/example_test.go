package filter_test

import (
	"errors"
	"fmt"

	"github.com/scim-go/scim/filter"
)

func ExampleParse() {
	e, err := filter.Parse(`userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`)
	if err != nil {
		fmt.Println(err)
		return
	}
	and := e.(filter.And)
	fmt.Printf("%#v\n", and.Left)
	fmt.Println(and.Right)
	// Output:
	// filter.Compare{Attr:filter.AttrPath{URN:"", Name:"userType", Sub:""}, Op:"eq", Value:"Employee"}
	// emails[type eq "work" and value co "@example.com"]
}

func ExampleParse_lenient() {
	for _, s := range []string{
		`UserName EQ bjensen@example.com`,
		`emails[type eq "work"].value eq "bjensen@example.com"`,
		`not(active eq FALSE)or  title pr`,
	} {
		e, err := filter.Parse(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(e)
	}
	// Output:
	// UserName eq "bjensen@example.com"
	// emails[type eq "work" and value eq "bjensen@example.com"]
	// not (active eq false) or title pr
}

func ExampleParse_error() {
	_, err := filter.Parse(`userName eqq "bjensen"`)
	var se *filter.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Offset, se.Found)
	}
	fmt.Println(err)
	// Output:
	// 9 eqq
	// filter: expected comparison operator at offset 9, found "eqq"
}

func ExampleParsePath() {
	for _, s := range []string{
		`members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`,
	} {
		p, err := filter.ParsePath(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("URN=%q Name=%q Sub=%q Filter=%v Sub=%q\n", p.Attr.URN, p.Attr.Name, p.Attr.Sub, p.Filter, p.Sub)
	}
	// Output:
	// URN="" Name="members" Sub="" Filter=value eq "2819c223-7f76-453a-919d-413861904646" Sub="displayName"
	// URN="urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" Name="manager" Sub="value" Filter=<nil> Sub=""
	// URN="urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" Name="" Sub="" Filter=<nil> Sub=""
}

func ExampleCompare_value() {
	e, _ := filter.Parse(`a eq 12345678901234567890 or b eq 1.5 or c eq "x" or d eq true or e eq null`)
	var values []filter.Value
	var walk func(filter.Expr)
	walk = func(e filter.Expr) {
		switch e := e.(type) {
		case filter.Or:
			walk(e.Left)
			walk(e.Right)
		case filter.Compare:
			values = append(values, e.Value)
		}
	}
	walk(e)
	for _, v := range values {
		switch v := v.(type) {
		case filter.Number:
			fmt.Println("number", string(v))
		case string:
			fmt.Println("string", v)
		case bool:
			fmt.Println("bool", v)
		case nil:
			fmt.Println("null")
		}
	}
	// Output:
	// number 12345678901234567890
	// number 1.5
	// string x
	// bool true
	// null
}

func ExampleParser() {
	p := &filter.Parser{MaxLength: 64, MaxDepth: 2}
	_, err := p.Parse(`not (not (not (active eq true)))`)
	fmt.Println(err)
	// Output:
	// filter: nesting deeper than 2 levels at offset 10, found "not"
}
