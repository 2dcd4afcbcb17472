package discordtest

import (
	"bytes"
	"cmp"
	_ "embed" // the OpenAPI document
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/big"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// openAPI is Discord's OpenAPI 3.1 description (see testdata/SOURCES.md). It is embedded so that
// tests of any package importing discordtest find it whatever their working directory.
//
//go:embed testdata/openapi.json
var openAPI []byte

// spec is the parsed OpenAPI document. It never changes after parsing.
//
// Why a validator of our own rather than a maintained OpenAPI 3.1 one: kin-openapi v0.153.0, the
// maintained Go library that reads 3.1 (its EnableJSONSchema2020 mode, over santhosh-tekuri/jsonschema),
// was tried on this very document (December 2026). It loads and accepts it, and accepts a valid
// interaction callback, but it does not fit a fake that checks every payload of every test:
//   - it took 23 ms a body (it compiles the schema on each VisitJSON call) and 0.7 s to load the
//     document, where this one takes microseconds and ~20 ms; the HTTP benchmarks push thousands of
//     payloads a second through the fake, and the whole test suite would slow by minutes;
//   - it refuses an integer sent as a string ("flags":"64"), which Discord's spec README allows and
//     discordgo relies on for snowflakes and bit sets, so every body would need rewriting first;
//   - for a union it reports every alternative, where this one reports the alternative the sender
//     meant (told by its "type" member), which is what makes a failing test readable;
//   - it would add 37 modules to go.mod for a test helper.
//
// So this file implements the JSON Schema 2020-12 keywords the document uses, and no more (see
// validator.validate); spec_internal_test.go pins the document it was written against.
type spec struct {
	doc      map[string]any
	ops      map[string]any            // operationId -> application/json request body schema
	patterns map[string]*regexp.Regexp // every "pattern" in the document, compiled
	refs     map[string]any            // every "$ref" in the document, resolved
	keywords map[uintptr]*keywords     // every object of the document, by map identity, read as a schema
}

// keywords are the validation keywords of one schema object, read when the document is loaded, so
// that validating does not look up some twenty keywords in every schema it visits. The numeric
// keywords (minimum, ...) are rare and still read from the schema.
type keywords struct {
	ref                              any // the $ref's target, or nil
	refErr                           error
	typ                              any // the "type" keyword (a name or a list of names), or nil
	constV                           any
	hasConst                         bool
	enum                             []any // nil when absent
	hasEnum                          bool
	maxLength, minLength             int // -1 when absent
	maxItems, minItems               int
	maxProperties, minProperties     int
	pattern                          *regexp.Regexp
	patternSrc, format               string
	uniqueItems                      bool
	prefixItems                      []any
	items                            any
	hasItems                         bool
	required                         []string
	properties                       map[string]any
	additional                       any
	hasAdditional, additionalIsFalse bool
	allOf, anyOf, oneOf              []any
	not                              any
	hasNot                           bool
}

// readKeywords reads s's keywords (see keywords).
func (sp *spec) readKeywords(s map[string]any) *keywords {
	kw := &keywords{}
	if ref, ok := s["$ref"].(string); ok {
		if t, ok := sp.refs[ref]; ok {
			kw.ref = t
		} else if t, err := sp.resolve(ref); err != nil {
			kw.refErr = err
		} else {
			kw.ref = t
		}
	}
	kw.typ = s["type"]
	kw.constV, kw.hasConst = s["const"]
	kw.enum, kw.hasEnum = s["enum"].([]any)
	intKw := func(k string) int {
		if m, ok := intKeyword(s, k); ok {
			return m
		}
		return -1
	}
	kw.maxLength, kw.minLength = intKw("maxLength"), intKw("minLength")
	kw.maxItems, kw.minItems = intKw("maxItems"), intKw("minItems")
	kw.maxProperties, kw.minProperties = intKw("maxProperties"), intKw("minProperties")
	if p, ok := s["pattern"].(string); ok {
		kw.patternSrc, kw.pattern = p, sp.patterns[p]
	}
	kw.format, _ = s["format"].(string)
	kw.uniqueItems, _ = s["uniqueItems"].(bool)
	kw.prefixItems, _ = s["prefixItems"].([]any)
	kw.items, kw.hasItems = s["items"]
	if req, ok := s["required"].([]any); ok {
		for _, r := range req {
			if name, _ := r.(string); name != "" {
				kw.required = append(kw.required, name)
			}
		}
	}
	kw.properties, _ = s["properties"].(map[string]any)
	kw.additional, kw.hasAdditional = s["additionalProperties"]
	if b, isBool := kw.additional.(bool); isBool && !b {
		kw.additionalIsFalse = true
	}
	kw.allOf, _ = s["allOf"].([]any)
	kw.anyOf, _ = s["anyOf"].([]any)
	kw.oneOf, _ = s["oneOf"].([]any)
	kw.not, kw.hasNot = s["not"]
	return kw
}

// keywordsOf returns s's keywords: read at load time for the document's objects, else now.
func (sp *spec) keywordsOf(s map[string]any) *keywords {
	if kw, ok := sp.keywords[reflect.ValueOf(s).Pointer()]; ok {
		return kw
	}
	return sp.readKeywords(s)
}

// loadSpec parses the embedded document once per process. It is a package-level variable only because
// the result is immutable, read-only data shared by every Server and ValidateJSON call; parsing it
// per test would cost ~20ms each.
var loadSpec = sync.OnceValues(func() (*spec, error) {
	d := json.NewDecoder(bytes.NewReader(openAPI))
	d.UseNumber()
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse openapi.json: %w", err)
	}
	sp := &spec{doc: doc, ops: map[string]any{}, patterns: map[string]*regexp.Regexp{}, refs: map[string]any{},
		keywords: map[uintptr]*keywords{}}
	paths, _ := doc["paths"].(map[string]any)
	for _, p := range paths {
		item, _ := p.(map[string]any)
		for _, op := range item {
			o, ok := op.(map[string]any)
			if !ok {
				continue
			}
			id, _ := o["operationId"].(string)
			schema := dig(o, "requestBody", "content", "application/json", "schema")
			if id != "" && schema != nil {
				sp.ops[id] = schema
			}
		}
	}
	var compile func(v any) error
	compile = func(v any) error {
		switch v := v.(type) {
		case map[string]any:
			if p, ok := v["pattern"].(string); ok {
				re, err := regexp.Compile(p)
				if err != nil {
					return fmt.Errorf("compile pattern %q: %w", p, err)
				}
				sp.patterns[p] = re
			}
			if ref, ok := v["$ref"].(string); ok {
				if target, err := sp.resolve(ref); err == nil {
					sp.refs[ref] = target // unresolvable ones are reported when validation meets them
				}
			}
			for _, e := range v {
				if err := compile(e); err != nil {
					return err
				}
			}
		case []any:
			for _, e := range v {
				if err := compile(e); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := compile(doc["components"]); err != nil {
		return nil, err
	}
	if err := compile(sp.ops); err != nil {
		return nil, err
	}
	// Then, with every pattern and $ref known, read the keywords of every object. The document is
	// never changed or freed, so its maps' identities are stable keys.
	var read func(v any)
	read = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			p := reflect.ValueOf(v).Pointer()
			if _, done := sp.keywords[p]; done {
				return
			}
			sp.keywords[p] = sp.readKeywords(v)
			for _, e := range v {
				read(e)
			}
		case []any:
			for _, e := range v {
				read(e)
			}
		}
	}
	read(doc)
	return sp, nil
})

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// ValidateJSON checks body against a schema of Discord's OpenAPI description. schemaRef is either a JSON
// pointer into the document ("#/components/schemas/CreateMessageInteractionCallbackRequest"), a bare
// component schema name ("RichEmbed"), or an operationId, meaning that operation's JSON request body
// ("create_interaction_response", "update_original_webhook_message", "execute_webhook",
// "bulk_set_application_commands", "bulk_set_guild_application_commands", ...).
// Following the spec's README, a string holding an integer is accepted where an integer is expected.
// The error lists every violation found, one per line, each prefixed with its JSON pointer.
func ValidateJSON(schemaRef string, body []byte) error {
	_, err := validateBody(schemaRef, body)
	return err
}

// validateBody is ValidateJSON that also returns the decoded body (numbers as json.Number), for the
// checks that go on to apply Discord's rules to it.
func validateBody(schemaRef string, body []byte) (any, error) {
	sp, err := loadSpec()
	if err != nil {
		return nil, err
	}
	schema, err := sp.lookup(schemaRef)
	if err != nil {
		return nil, err
	}
	v, err := decodeJSON(body)
	if err != nil {
		return nil, err
	}
	if errs := sp.validate(schema, v, "", 0); len(errs) > 0 {
		return v, &SchemaError{Ref: schemaRef, Problems: errs}
	}
	return v, nil
}

// SchemaError lists the ways a body breaks a schema.
type SchemaError struct {
	Ref      string   // the schemaRef passed to ValidateJSON
	Problems []string // "pointer: problem", e.g. "/data/content: 2001 characters, want at most 2000"
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("body does not match %s:\n\t%s", e.Ref, strings.Join(e.Problems, "\n\t"))
}

func decodeJSON(body []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode JSON: %w", err)
	}
	if d.More() {
		return nil, errors.New("decode JSON: trailing data after the value")
	}
	return v, nil
}

func (sp *spec) lookup(ref string) (any, error) {
	switch {
	case strings.HasPrefix(ref, "#/"):
		return sp.resolve(ref)
	case sp.ops[ref] != nil:
		return sp.ops[ref], nil
	}
	if s := dig(sp.doc, "components", "schemas", ref); s != nil {
		return s, nil
	}
	return nil, fmt.Errorf("unknown schema or operation %q", ref)
}

func (sp *spec) resolve(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("unsupported $ref %q", ref)
	}
	var v any = sp.doc
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("unresolvable $ref %q", ref)
		}
		if v, ok = m[part]; !ok {
			return nil, fmt.Errorf("unresolvable $ref %q", ref)
		}
	}
	return v, nil
}

// maxDepth bounds schema recursion ($ref chains plus instance nesting).
const maxDepth = 200

// validator walks a schema and a value. In quiet mode (used to try the alternatives of anyOf and oneOf)
// it stops at the first problem and neither formats messages nor builds JSON pointers, and it visits an
// object's "type" member first (Discord's unions are told apart by it); the alternatives are validated
// again, loudly, only when none matched. Quiet mode is most of the work: keep it allocation-free.
type validator struct {
	sp    *spec
	quiet bool
}

// quietProblem stands for any problem in quiet mode.
const quietProblem = "?"

func (sp *spec) validate(schema, v any, path string, depth int) []string {
	return validator{sp: sp}.validate(schema, v, path, depth)
}

// validate returns the problems of v against schema, each prefixed with its JSON pointer.
// It implements the JSON Schema 2020-12 keywords the Discord document uses: $ref, type (incl. lists and null),
// const, enum, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minLength, maxLength, pattern,
// format (int32, int64, snowflake, date-time, uri), items, prefixItems, minItems, maxItems, uniqueItems,
// properties, required, additionalProperties, minProperties, maxProperties, allOf, anyOf, oneOf, not.
// Annotations (title, description, x-discord-*, contentEncoding) are ignored.
func (vd validator) validate(schema, v any, path string, depth int) []string {
	if depth > maxDepth {
		return []string{at(path) + ": schema nesting too deep"}
	}
	switch s := schema.(type) {
	case bool:
		if !s {
			return []string{at(path) + ": no value is allowed here"}
		}
		return nil
	case map[string]any:
		return vd.validateObject(s, v, path, depth)
	}
	return []string{at(path) + ": invalid schema"}
}

func at(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

func (vd validator) validateObject(s map[string]any, v any, path string, depth int) []string {
	var errs []string
	add := func(format string, args ...any) {
		errs = append(errs, at(path)+": "+fmt.Sprintf(format, args...))
	}
	sub := func(schema, v any, p string) bool { // reports whether validation may go on
		errs = append(errs, vd.validate(schema, v, p, depth+1)...)
		return !vd.quiet || len(errs) == 0
	}
	child := func(name string) string { // the JSON pointer of a member or item; quiet mode needs none
		if vd.quiet {
			return ""
		}
		return path + "/" + strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
	}

	kw := vd.sp.keywordsOf(s)
	if kw.refErr != nil {
		return []string{at(path) + ": " + kw.refErr.Error()}
	}
	if kw.ref != nil && !sub(kw.ref, v, path) {
		return errs
	}

	if t := kw.typ; t != nil {
		// Discord accepts a string holding an integer where an integer is expected.
		if str, isStr := v.(string); isStr && !typeListHas(t, "string") && (typeListHas(t, "integer") || typeListHas(t, "number")) {
			if n, ok := toNum(json.Number(str)); ok && n.isInt() && !strings.ContainsAny(str, ".eE") {
				v = json.Number(str)
			}
		}
		if !typeMatches(t, v) {
			if vd.quiet {
				return quiet()
			}
			add("got %s, want %s", kind(v), strings.Join(typeList(t), " or "))
			return errs // the other keywords would only repeat the mismatch
		}
	}
	if kw.hasConst && !jsonEqual(kw.constV, v) {
		if vd.quiet {
			return quiet()
		}
		add("got %s, want %s", short(v), short(kw.constV))
	}
	if e := kw.enum; kw.hasEnum && !slices.ContainsFunc(e, func(x any) bool { return jsonEqual(x, v) }) {
		if vd.quiet {
			return quiet()
		}
		add("got %s, want one of %s", short(v), short(e))
	}

	switch v := v.(type) {
	case json.Number:
		if vd.quiet {
			if numberFails(s, v) {
				return quiet()
			}
		} else {
			vd.numberProblems(s, v, add)
		}
	case string:
		if m := kw.maxLength; m >= 0 {
			if n := utf8.RuneCountInString(v); n > m {
				if vd.quiet {
					return quiet()
				}
				add("%d characters, want at most %d", n, m)
			}
		}
		if m := kw.minLength; m >= 0 {
			if n := utf8.RuneCountInString(v); n < m {
				if vd.quiet {
					return quiet()
				}
				add("%d characters, want at least %d", n, m)
			}
		}
		if re := kw.pattern; re != nil && !re.MatchString(v) {
			if vd.quiet {
				return quiet()
			}
			add("%s does not match %s", short(v), kw.patternSrc)
		}
		if f := kw.format; f != "" {
			if msg := stringFormat(f, v); msg != "" {
				if vd.quiet {
					return quiet()
				}
				add("%s", msg)
			}
		}
	case []any:
		if m := kw.maxItems; m >= 0 && len(v) > m {
			if vd.quiet {
				return quiet()
			}
			add("%d items, want at most %d", len(v), m)
		}
		if m := kw.minItems; m >= 0 && len(v) < m {
			if vd.quiet {
				return quiet()
			}
			add("%d items, want at least %d", len(v), m)
		}
		if kw.uniqueItems {
			for i := range v {
				for j := range i {
					if jsonEqual(v[i], v[j]) {
						if vd.quiet {
							return quiet()
						}
						add("items %d and %d are equal, want unique items", j, i)
					}
				}
			}
		}
		prefix, items, hasItems := kw.prefixItems, kw.items, kw.hasItems
		for i, item := range v {
			var is any
			switch {
			case i < len(prefix):
				is = prefix[i]
			case hasItems:
				is = items
			default:
				continue
			}
			p := ""
			if !vd.quiet {
				p = path + "/" + strconv.Itoa(i)
			}
			if !sub(is, item, p) {
				return errs
			}
		}
	case map[string]any:
		if m := kw.maxProperties; m >= 0 && len(v) > m {
			if vd.quiet {
				return quiet()
			}
			add("%d properties, want at most %d", len(v), m)
		}
		if m := kw.minProperties; m >= 0 && len(v) < m {
			if vd.quiet {
				return quiet()
			}
			add("%d properties, want at least %d", len(v), m)
		}
		for _, name := range kw.required {
			if _, ok := v[name]; !ok {
				if vd.quiet {
					return quiet()
				}
				add("missing required property %q", name)
			}
		}
		props, ap, hasAP := kw.properties, kw.additional, kw.hasAdditional
		member := func(k string, e any) bool { // reports whether validation may go on
			if ps, ok := props[k]; ok {
				return sub(ps, e, child(k))
			}
			if !hasAP {
				return true
			}
			if kw.additionalIsFalse {
				if vd.quiet {
					errs = append(errs, quietProblem)
					return false
				}
				errs = append(errs, child(k)+": unknown property")
				return true
			}
			return sub(ap, e, child(k))
		}
		if vd.quiet {
			// Any order will do: the first problem ends it. The discriminator first rules out most
			// alternatives of a union at once.
			if t, ok := v["type"]; ok && !member("type", t) {
				return errs
			}
			for k, e := range v {
				if k != "type" && !member(k, e) {
					return errs
				}
			}
		} else {
			for _, k := range slices.Sorted(maps.Keys(v)) {
				member(k, v[k])
			}
		}
	}

	if all := kw.allOf; all != nil {
		for _, a := range all {
			if !sub(a, v, path) {
				return errs
			}
		}
	}
	if anyOf := kw.anyOf; anyOf != nil {
		if !vd.matchesAny(anyOf, v, depth) {
			if vd.quiet {
				return quiet()
			}
			errs = append(errs, vd.noMatch(anyOf, v, path, depth, "anyOf")...)
		}
	}
	if oneOf := kw.oneOf; oneOf != nil {
		switch matched := vd.matches(oneOf, v, depth); {
		case len(matched) == 0:
			if vd.quiet {
				return quiet()
			}
			errs = append(errs, vd.noMatch(oneOf, v, path, depth, "oneOf")...)
		case len(matched) > 1:
			if vd.quiet {
				return quiet()
			}
			add("matches %d alternatives of oneOf (%v), want exactly one", len(matched), matched)
		}
	}
	if not := kw.not; kw.hasNot && len(validator{sp: vd.sp, quiet: true}.validate(not, v, "", depth+1)) == 0 {
		if vd.quiet {
			return quiet()
		}
		add("matches a schema it must not match")
	}
	return errs
}

// quiet is the result of a failed quiet validation.
func quiet() []string { return []string{quietProblem} }

// matchesAny reports whether v matches one of alts, trying them in order until one does.
func (vd validator) matchesAny(alts []any, v any, depth int) bool {
	q := validator{sp: vd.sp, quiet: true}
	for _, alt := range alts {
		if len(q.validate(alt, v, "", depth+1)) == 0 {
			return true
		}
	}
	return false
}

// matches returns the indexes of the alternatives v matches, stopping at the second: oneOf needs no more.
func (vd validator) matches(alts []any, v any, depth int) []int {
	var matched []int
	q := validator{sp: vd.sp, quiet: true}
	for i, alt := range alts {
		if len(q.validate(alt, v, "", depth+1)) == 0 {
			if matched = append(matched, i); len(matched) == 2 && vd.quiet {
				break
			}
		}
	}
	return matched
}

// noMatch returns the problems to report when v matches none of alts (a single placeholder in quiet mode).
// Alternatives ruled out by their discriminator (a wrong JSON type at path, or a wrong "type" member, as
// Discord's unions use) are skipped; of the rest, the one with the fewest problems is reported, as it is
// most likely the one the sender meant.
func (vd validator) noMatch(alts []any, v any, path string, depth int, keyword string) []string {
	if vd.quiet {
		return []string{quietProblem}
	}
	var candidates, branches [][]string
	for _, alt := range alts {
		b := vd.validate(alt, v, path, depth+1)
		branches = append(branches, b)
		if !slices.ContainsFunc(b, func(e string) bool {
			return strings.HasPrefix(e, at(path)+": got ") || strings.HasPrefix(e, path+"/type: ")
		}) {
			candidates = append(candidates, b)
		}
	}
	if len(candidates) == 0 {
		firsts := make([]string, 0, len(branches))
		for _, b := range branches {
			firsts = append(firsts, strings.TrimPrefix(b[0], at(path)+": "))
		}
		return []string{fmt.Sprintf("%s: matches none of the %d alternatives of %s (%s)", at(path), len(branches), keyword, strings.Join(firsts, "; "))}
	}
	return slices.MinFunc(candidates, func(a, b []string) int { return len(a) - len(b) })
}

// typeMatches reports whether v has one of the types of a "type" keyword (a name or a list of names).
func typeMatches(t, v any) bool {
	switch t := t.(type) {
	case string:
		return hasType(t, v)
	case []any:
		for _, e := range t {
			if name, ok := e.(string); ok && hasType(name, v) {
				return true
			}
		}
	}
	return false
}

// typeListHas reports whether a "type" keyword names typ.
func typeListHas(t any, typ string) bool {
	switch t := t.(type) {
	case string:
		return t == typ
	case []any:
		return slices.Contains(t, any(typ))
	}
	return false
}

func typeList(t any) []string {
	switch t := t.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func hasType(t string, v any) bool {
	switch t {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		n, ok := toNum(v)
		_, isNumber := v.(json.Number)
		return ok && isNumber && n.isInt()
	}
	return false
}

func kind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string " + short(v)
	case json.Number:
		return "number " + string(v)
	}
	return fmt.Sprintf("%T", v)
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 60 {
		return string(b[:57]) + "..."
	}
	return string(b)
}

// num is a JSON number: an int64 when it is one (the common case, compared without allocating), else a big.Rat.
type num struct {
	i    int64
	r    *big.Rat // nil when the number is the int64 i
	text string
}

func toNum(v any) (num, bool) {
	switch v := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return num{i: i, text: string(v)}, true
		}
		if r, ok := new(big.Rat).SetString(string(v)); ok {
			return num{r: r, text: string(v)}, true
		}
	case float64:
		if v == math.Trunc(v) && math.Abs(v) <= 1<<53 {
			return num{i: int64(v), text: strconv.FormatFloat(v, 'f', -1, 64)}, true
		}
		if !math.IsInf(v, 0) && !math.IsNaN(v) {
			return num{r: new(big.Rat).SetFloat64(v), text: strconv.FormatFloat(v, 'g', -1, 64)}, true
		}
	case int:
		return num{i: int64(v), text: strconv.Itoa(v)}, true
	}
	return num{}, false
}

func (n num) rat() *big.Rat {
	if n.r != nil {
		return n.r
	}
	return new(big.Rat).SetInt64(n.i)
}

func (n num) isInt() bool { return n.r == nil || n.r.IsInt() }

func (n num) cmp(m num) int {
	if n.r == nil && m.r == nil {
		return cmp.Compare(n.i, m.i)
	}
	return n.rat().Cmp(m.rat())
}

// int64 returns n as an int64 when it is an integer that fits.
func (n num) int64() (int64, bool) {
	if n.r == nil {
		return n.i, true
	}
	if n.r.IsInt() && n.r.Num().IsInt64() {
		return n.r.Num().Int64(), true
	}
	return 0, false
}

func intKeyword(s map[string]any, k string) (int, bool) {
	n, ok := toNum(s[k])
	if !ok {
		return 0, false
	}
	i, ok := n.int64()
	return int(i), ok
}

// jsonEqual compares two decoded JSON values, numbers by value.
func jsonEqual(a, b any) bool {
	switch a := a.(type) {
	case string: // the common case (const and enum members, discriminators): no number parsing
		bs, ok := b.(string)
		return ok && a == bs
	case json.Number:
		if bn, ok := b.(json.Number); ok && a == bn {
			return true // same text: the same number (or the same non-number)
		}
	}
	if !isNumber(a) && !isNumber(b) {
		return jsonEqualComposite(a, b)
	}
	na, aok := toNum(a)
	nb, bok := toNum(b)
	return aok && bok && na.cmp(nb) == 0
}

// isNumber reports whether v is a JSON number as decoded here (json.Number) or built by Go code.
func isNumber(v any) bool {
	switch v.(type) {
	case json.Number, float64, int:
		return true
	}
	return false
}

// jsonEqualComposite is jsonEqual for values that are not numbers.
func jsonEqualComposite(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, av := range a {
			bv, ok := bm[k]
			if !ok || !jsonEqual(av, bv) {
				return false
			}
		}
		return true
	case []any:
		bs, ok := b.([]any)
		return ok && slices.EqualFunc(a, bs, jsonEqual)
	}
	return a == b
}

// numberFails reports whether n breaks one of s's numeric keywords (quiet mode's numberProblems).
func numberFails(s map[string]any, n json.Number) bool {
	failed := false
	validator{}.numberProblems(s, n, func(string, ...any) { failed = true })
	return failed
}

func (vd validator) numberProblems(s map[string]any, n json.Number, add func(string, ...any)) {
	v, ok := toNum(n)
	if !ok {
		add("not a number")
		return
	}
	if m, ok := toNum(s["minimum"]); ok && v.cmp(m) < 0 {
		add("%s is less than the minimum %s", n, m.text)
	}
	if m, ok := toNum(s["maximum"]); ok && v.cmp(m) > 0 {
		add("%s is more than the maximum %s", n, m.text)
	}
	if m, ok := toNum(s["exclusiveMinimum"]); ok && v.cmp(m) <= 0 {
		add("%s is not more than %s", n, m.text)
	}
	if m, ok := toNum(s["exclusiveMaximum"]); ok && v.cmp(m) >= 0 {
		add("%s is not less than %s", n, m.text)
	}
	if m, ok := toNum(s["multipleOf"]); ok && m.rat().Sign() != 0 && !new(big.Rat).Quo(v.rat(), m.rat()).IsInt() {
		add("%s is not a multiple of %s", n, m.text)
	}
	if v.isInt() {
		x, fits64 := v.int64()
		switch s["format"] {
		case "int32":
			if !fits64 || x < math.MinInt32 || x > math.MaxInt32 {
				add("%s does not fit int32", n)
			}
		case "int64":
			if !fits64 {
				add("%s does not fit int64", n)
			}
		}
	}
}

func stringFormat(format, v string) string {
	switch format {
	case "snowflake":
		if _, err := strconv.ParseUint(v, 10, 64); err != nil {
			return fmt.Sprintf("%s is not a snowflake", short(v))
		}
	case "date-time":
		if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
			return fmt.Sprintf("%s is not an RFC 3339 date-time", short(v))
		}
	case "uri":
		if u, err := url.Parse(v); err != nil || u.Scheme == "" {
			return fmt.Sprintf("%s is not an absolute URI", short(v))
		}
	}
	return ""
}
