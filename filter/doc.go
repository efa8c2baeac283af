// Package filter parses SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths
// (RFC 7644 §3.5.2), resolves them against a resource type, evaluates them
// in memory, sorts by them, and translates them to SQL.
//
// [Parse] turns a filter such as
//
//	userType eq "Employee" and emails[type eq "work" and value co "@example.com"]
//
// into an [Expr] built from [Compare], [Present], [And], [Or], [Not] and
// [ValuePath] nodes. [ParsePath] turns a PATCH path such as
//
//	members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName
//
// into a [Path]. Parsing is purely syntactic: attribute names are kept as
// written.
//
// [Resolve] (or [Compile], which parses too) then checks a parsed filter
// against a schema.ResourceType and converts every value to its attribute's
// type, giving a [Filter] that [Filter.Match] evaluates on a
// resource.Resource; [ResolveSort] does the same for sortBy and sortOrder,
// giving a [Sort]. A store that keeps resources in memory and evaluates
// filters on many of them lays each out once as a [Record], which
// [Filter.MatchRecord] evaluates several times faster than Match, with the
// same results. A store that keeps resources in relational tables maps
// attribute paths to columns in an [SQL] and gets a parameterised WHERE
// condition, ORDER BY and LIMIT from it instead.
//
// Strings of attributes that are not caseExact compare and sort through
// [Fold], a case fold defined rune by rune, so that a database that
// computes it (see [SQL.Fold]) gives the same results as Match and
// Compare, for every string and not only ASCII.
//
// # Syntax
//
// The grammar is the ABNF of RFC 7644 figure 1:
//
//   - comparisons "attrPath op value" with the operators eq, ne, co, sw, ew,
//     gt, ge, lt and le, and the presence test "attrPath pr";
//   - "and", "or", "not (...)" and grouping with parentheses. "not" binds
//     tightest, then "and", then "or"; chains associate to the left;
//   - value paths "attrPath[valFilter]", whose filter may use and, or, not
//     and parentheses but not another value path;
//   - attribute paths "[URN:]name[.sub]". A URN-qualified path is split at
//     its last colon, so the dots in a version such as "2.0" stay in the URN:
//     urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value
//     has the URN ...:enterprise:2.0:User, the name manager and the
//     sub-attribute value. A name is ALPHA *("-" / "_" / DIGIT / ALPHA)
//     (RFC 7643 §2.1), optionally preceded by "$" as in "$ref";
//   - values as in JSON (RFC 8259): strings with every escape decoded,
//     numbers kept as written ([Number]), true, false and null. A string
//     may not contain U+0000, not even as the escape \u0000: no SCIM value
//     holds it, and PostgreSQL cannot take it as a text argument.
//
// Operators, "and", "or", "not", "pr", true, false and null are matched
// case-insensitively; [Op] is stored in lower case.
//
// A PATCH path is "attrPath", or "attrPath[valFilter]" optionally followed
// by ".sub". A path may also be a schema URN alone, such as
// urn:ietf:params:scim:schemas:extension:enterprise:2.0:User, to address a
// whole extension; it parses to an [AttrPath] with only URN set. Which URNs
// may stand alone is set by [Parser.SchemaURNs].
//
// # Leniency
//
// Identity providers do not always follow the RFC, so the parser also
// accepts:
//
//   - any run of spaces, tabs, carriage returns and line feeds wherever the
//     RFC has a single space, around the whole input, and before the "[" of
//     a value path; none is needed where a token ends unambiguously, as in
//     eq"x", not(...) and "x"and;
//   - unquoted values: a bare word that is not true, false, null or a JSON
//     number is a string, so externalId eq jyoung and
//     userName eq bjensen@example.com compare with "jyoung" and
//     "bjensen@example.com". A bare word ends at a space, a parenthesis, a
//     bracket or a double quote;
//   - Microsoft Entra ID's emails[type eq "work"].value eq "x", which
//     parses as emails[type eq "work" and value eq "x"]: a ValuePath whose
//     filter is an And of the bracketed filter and the trailing comparison.
//     That is what it means, and String renders it that way;
//   - attribute names and operators in any case, such as UserName Eq "x".
//
// # Limits
//
// A [Parser] bounds the input length and the nesting depth, by default to
// [DefaultMaxLength] bytes and [DefaultMaxDepth] levels; [Parse] and
// [ParsePath] use those defaults. Input over a limit is a [*SyntaxError].
// The parser does not panic on any input.
//
// # Errors
//
// Every error is a [*SyntaxError] holding the byte offset of the problem,
// what was expected, and the offending token, such as
//
//	filter: expected comparison operator at offset 9, found "eqq"
//
// # Output
//
// Each node's String method renders canonical filter text: single spaces,
// lower-case operators, quoted strings, and only the parentheses precedence
// requires. Parsing that text again gives an equal tree.
package filter
