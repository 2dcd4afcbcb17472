package discordtest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Message flags Discord accepts on interaction responses and follow-ups.
const (
	flagSuppressEmbeds   = 1 << 2
	flagEphemeral        = 1 << 6
	flagSuppressNotify   = 1 << 12
	flagVoiceMessage     = 1 << 13
	flagComponentsV2     = 1 << 15
	allowedReplyFlags    = flagSuppressEmbeds | flagEphemeral | flagSuppressNotify | flagVoiceMessage | flagComponentsV2
	allowedEditFlags     = flagSuppressEmbeds | flagComponentsV2
	maxEmbedTotal        = 6000
	maxCommandChars      = 8000
	maxLegacyActionRows  = 5
	maxCommandsPerType1  = 100
	maxCommandsPerType23 = 15
)

// commandNameRE is Discord's CHAT_INPUT name rule (application-commands.mdx); Go's \p{Devanagari} and \p{Thai}
// are the scripts Discord writes as \p{sc=Deva} and \p{sc=Thai}. Compiling it is cheap, so it is not cached.
const commandNamePattern = `^[-_'\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`

// RuleError lists the ways a body breaks Discord's documented rules that the OpenAPI schemas do not express
// (or the project's policy that every message sets allowed_mentions to {"parse":[]}).
type RuleError struct {
	What     string   // e.g. "interaction response", "application commands"
	Problems []string // "pointer: problem"
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("%s breaks Discord's rules:\n\t%s", e.What, strings.Join(e.Problems, "\n\t"))
}

func ruleErr(what string, probs []string) error {
	if len(probs) == 0 {
		return nil
	}
	return &RuleError{What: what, Problems: probs}
}

// CheckInteractionResponse checks an interaction response body, as the bot POSTs it to
// /interactions/{id}/{token}/callback or returns it inline to an HTTP interaction: the OpenAPI schema
// (operation create_interaction_response), Discord's message rules (non-empty type 4 message, allowed flags,
// embed total ≤6000, ≤5 action rows, unique custom_ids, button fields), and allowed_mentions {"parse":[]}
// on every message with content, embeds or components. The error is a *SchemaError or a *RuleError.
func CheckInteractionResponse(body []byte) error {
	return checkResponse(body, 0, 0, true)
}

// checkCallback checks a callback POST; itype is the interaction's type when the fake knows it, else 0.
func checkCallback(body []byte, files, itype int) error {
	return checkResponse(body, files, itype, false)
}

func checkResponse(body []byte, files, itype int, inline bool) error {
	v, err := validateBody("create_interaction_response", body)
	if err != nil {
		return err
	}
	m, _ := v.(map[string]any)
	typ := intValue(m["type"])
	data, _ := m["data"].(map[string]any)
	var probs []string
	if typ == 1 && !inline {
		probs = append(probs, "/type: PONG (1) must be the inline answer to an HTTP PING, never a callback")
	}
	if allowed := allowedCallbacks(itype); allowed != nil && !strings.Contains(allowed.list, ","+strconv.Itoa(typ)+",") {
		probs = append(probs, fmt.Sprintf("/type: callback type %d cannot answer a %s interaction (allowed: %s)",
			typ, allowed.name, strings.Trim(allowed.list, ",")))
	}
	switch typ {
	case 4, 7:
		probs = append(probs, messageProblems(data, "/data", messageRules{requireBody: typ == 4, files: files, flags: allowedReplyFlags})...)
	case 5:
		if f := intValue(data["flags"]); f&^flagEphemeral != 0 {
			probs = append(probs, fmt.Sprintf("/data/flags: %d; a deferred response takes only EPHEMERAL (64)", f))
		}
		for _, k := range []string{"content", "embeds", "components"} {
			if !empty(data[k]) {
				probs = append(probs, fmt.Sprintf("/data/%s: Discord ignores %s in a deferred (type 5) response; edit @original instead", k, k))
			}
		}
	case 6:
		if len(data) > 0 {
			probs = append(probs, "/data: a deferred update (type 6) takes no data")
		}
	case 8:
		probs = append(probs, choicesProblems(data)...)
	}
	return ruleErr("interaction response", probs)
}

type callbackSet struct{ name, list string }

func allowedCallbacks(itype int) *callbackSet {
	switch itype {
	case 1:
		return &callbackSet{"PING", ",1,"}
	case 2:
		return &callbackSet{"APPLICATION_COMMAND", ",4,5,9,12,"}
	case 3:
		return &callbackSet{"MESSAGE_COMPONENT", ",4,5,6,7,9,12,"}
	case 4:
		return &callbackSet{"APPLICATION_COMMAND_AUTOCOMPLETE", ",8,"}
	case 5:
		return &callbackSet{"MODAL_SUBMIT", ",4,5,6,7,"}
	}
	return nil
}

// CheckWebhookEdit checks a PATCH /webhooks/{app}/{token}/messages/@original body: the OpenAPI schema
// (update_original_webhook_message), Discord's message rules and the allowed_mentions policy.
func CheckWebhookEdit(body []byte) error { return checkEdit(body, 0) }

func checkEdit(body []byte, files int) error {
	v, err := validateBody("update_original_webhook_message", body)
	if err != nil {
		return err
	}
	m, _ := v.(map[string]any)
	return ruleErr("message edit", messageProblems(m, "", messageRules{files: files, flags: allowedEditFlags}))
}

// CheckFollowup checks a POST /webhooks/{app}/{token} (follow-up message) body: the OpenAPI schema
// (execute_webhook), Discord's message rules (including non-empty) and the allowed_mentions policy.
func CheckFollowup(body []byte) error { return checkFollowup(body, 0) }

func checkFollowup(body []byte, files int) error {
	v, err := validateBody("execute_webhook", body)
	if err != nil {
		return err
	}
	m, _ := v.(map[string]any)
	return ruleErr("follow-up message", messageProblems(m, "", messageRules{requireBody: true, files: files, flags: allowedReplyFlags}))
}

type messageRules struct {
	requireBody bool // the message must not be empty ("Cannot send an empty message", 50006)
	files       int  // multipart file parts sent along
	flags       int  // flags allowed
}

func messageProblems(m map[string]any, path string, r messageRules) []string {
	var probs []string
	add := func(p, format string, args ...any) {
		probs = append(probs, at(path+p)+": "+fmt.Sprintf(format, args...))
	}

	content, _ := m["content"].(string)
	embeds, _ := m["embeds"].([]any)
	components, _ := m["components"].([]any)
	visible := content != "" || len(embeds) > 0 || len(components) > 0
	if r.requireBody && !visible && r.files == 0 && empty(m["attachments"]) && m["poll"] == nil && empty(m["sticker_ids"]) {
		add("", "empty message: set content, embeds, components or files (Discord error 50006)")
	}

	flags := intValue(m["flags"])
	if bad := flags &^ r.flags; bad != 0 {
		add("/flags", "%d includes flags Discord does not accept here (%d)", flags, bad)
	}
	v2 := flags&flagComponentsV2 != 0
	if v2 && (content != "" || len(embeds) > 0) {
		add("", "IS_COMPONENTS_V2 messages cannot have content or embeds")
	}
	if !v2 {
		if len(components) > maxLegacyActionRows {
			add("/components", "%d action rows, want at most %d", len(components), maxLegacyActionRows)
		}
		for i, c := range components {
			if cm, _ := c.(map[string]any); intValue(cm["type"]) != 1 {
				add(fmt.Sprintf("/components/%d", i), "top-level components must be action rows (type 1) unless IS_COMPONENTS_V2")
			}
		}
	}
	seen := map[string]string{}
	walkComponents(components, path+"/components", func(p string, c map[string]any) {
		id, hasID := c["custom_id"].(string)
		if hasID && id != "" {
			if prev, dup := seen[id]; dup {
				add(p[len(path):], "custom_id %q is also used at %s; custom_ids must be unique per message", id, prev)
			}
			seen[id] = p
		}
		if intValue(c["type"]) != 2 {
			return
		}
		style := intValue(c["style"])
		url, _ := c["url"].(string)
		switch style {
		case 5:
			if url == "" || hasID {
				add(p[len(path):], "a link button (style 5) needs url and no custom_id")
			}
		case 6:
			if empty(c["sku_id"]) {
				add(p[len(path):], "a premium button (style 6) needs sku_id")
			}
		default:
			if !hasID || id == "" || url != "" {
				add(p[len(path):], "a button of style %d needs custom_id and no url", style)
			}
		}
		if style != 6 && empty(c["label"]) && c["emoji"] == nil {
			add(p[len(path):], "a button needs a label or an emoji")
		}
	})

	total := 0
	for _, e := range embeds {
		em, _ := e.(map[string]any)
		total += runes(em["title"]) + runes(em["description"]) + runes(dig(em, "footer", "text")) + runes(dig(em, "author", "name"))
		fields, _ := em["fields"].([]any)
		for _, f := range fields {
			fm, _ := f.(map[string]any)
			total += runes(fm["name"]) + runes(fm["value"])
		}
	}
	if total > maxEmbedTotal {
		add("/embeds", "%d characters across embeds, want at most %d", total, maxEmbedTotal)
	}

	if visible {
		probs = append(probs, mentionProblems(m["allowed_mentions"], path)...)
	}
	return probs
}

// mentionProblems enforces the project's policy: allowed_mentions is exactly {"parse":[]}
// (a nil Go slice encodes as null, which lets Discord parse every mention).
func mentionProblems(am any, path string) []string {
	p := at(path + "/allowed_mentions")
	m, ok := am.(map[string]any)
	if !ok {
		return []string{p + `: missing; every message must set allowed_mentions to {"parse":[]} (project policy)`}
	}
	var probs []string
	if parse, ok := m["parse"].([]any); !ok || len(parse) != 0 {
		probs = append(probs, fmt.Sprintf(`%s/parse: %s; want [] so generated text cannot ping anyone (project policy)`, p, short(m["parse"])))
	}
	for _, k := range []string{"users", "roles"} {
		if !empty(m[k]) {
			probs = append(probs, fmt.Sprintf("%s/%s: %s; want none (project policy)", p, k, short(m[k])))
		}
	}
	if b, _ := m["replied_user"].(bool); b {
		probs = append(probs, p+"/replied_user: true; want false (project policy)")
	}
	return probs
}

func walkComponents(cs []any, path string, f func(string, map[string]any)) {
	for i, c := range cs {
		cm, ok := c.(map[string]any)
		if !ok {
			continue
		}
		p := path + "/" + strconv.Itoa(i)
		f(p, cm)
		if sub, ok := cm["components"].([]any); ok {
			walkComponents(sub, p+"/components", f)
		}
		if acc, ok := cm["accessory"].(map[string]any); ok {
			f(p+"/accessory", acc)
		}
	}
}

// CheckCommands checks a bulk overwrite body (PUT /applications/{app}/commands or .../guilds/{g}/commands):
// the OpenAPI schema (bulk_set_application_commands) and Discord's command rules: CHAT_INPUT names match
// ^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$ and are lower case; descriptions are 1-100 characters
// (empty for USER and MESSAGE commands); ≤25 options and choices; required options first; unique names;
// subcommand nesting; choice values match the option type; not both choices and autocomplete;
// min ≤ max; ≤8000 characters per command; ≤100 CHAT_INPUT, ≤15 USER and ≤15 MESSAGE commands.
func CheckCommands(body []byte) error {
	v, err := validateBody("bulk_set_application_commands", body)
	if err != nil {
		return err
	}
	list, _ := v.([]any)
	re := regexp.MustCompile(commandNamePattern)
	var probs []string
	counts := map[int]int{}
	names := map[string]int{}
	for i, c := range list {
		cm, _ := c.(map[string]any)
		p := "/" + strconv.Itoa(i)
		probs = append(probs, commandProblems(re, cm, p)...)
		typ := commandTypeOf(cm)
		counts[typ]++
		key := strconv.Itoa(typ) + "/" + stringOr(cm["name"], "")
		if j, dup := names[key]; dup {
			probs = append(probs, fmt.Sprintf("%s/name: %q (type %d) duplicates command %d", p, cm["name"], typ, j))
		}
		names[key] = i
	}
	if counts[1] > maxCommandsPerType1 {
		probs = append(probs, fmt.Sprintf("/: %d CHAT_INPUT commands, want at most %d", counts[1], maxCommandsPerType1))
	}
	for _, t := range []int{2, 3} {
		if counts[t] > maxCommandsPerType23 {
			probs = append(probs, fmt.Sprintf("/: %d commands of type %d, want at most %d", counts[t], t, maxCommandsPerType23))
		}
	}
	return ruleErr("application commands", probs)
}

// checkCommand checks one command (POST .../commands).
func checkCommand(body []byte) error {
	v, err := validateBody("create_application_command", body)
	if err != nil {
		return err
	}
	m, _ := v.(map[string]any)
	return ruleErr("application command", commandProblems(regexp.MustCompile(commandNamePattern), m, ""))
}

func commandTypeOf(c map[string]any) int {
	if t := intValue(c["type"]); t != 0 {
		return t
	}
	return 1
}

func commandProblems(re *regexp.Regexp, c map[string]any, path string) []string {
	var probs []string
	add := func(p, format string, args ...any) {
		probs = append(probs, at(path+p)+": "+fmt.Sprintf(format, args...))
	}
	typ := commandTypeOf(c)
	name, _ := c["name"].(string)
	desc, _ := c["description"].(string)
	switch typ {
	case 1:
		probs = append(probs, nameProblems(re, name, path+"/name")...)
		if n := utf8.RuneCountInString(desc); n < 1 || n > 100 {
			add("/description", "%d characters, want 1-100 for a CHAT_INPUT command", n)
		}
		probs = append(probs, optionsProblems(re, c["options"], path+"/options", 0)...)
	case 2, 3:
		if n := utf8.RuneCountInString(name); n < 1 || n > 32 {
			add("/name", "%d characters, want 1-32", n)
		}
		if desc != "" {
			add("/description", "must be empty for USER and MESSAGE commands")
		}
		if !empty(c["options"]) {
			add("/options", "only CHAT_INPUT commands take options")
		}
	}
	if n := commandChars(c); n > maxCommandChars {
		add("", "%d characters in names, descriptions and choices, want at most %d", n, maxCommandChars)
	}
	return probs
}

func nameProblems(re *regexp.Regexp, name, path string) []string {
	if !re.MatchString(name) {
		return []string{fmt.Sprintf("%s: %q does not match %s", path, name, commandNamePattern)}
	}
	if strings.ToLower(name) != name {
		return []string{fmt.Sprintf("%s: %q must be lower case", path, name)}
	}
	return nil
}

// optionsProblems checks an options list; level is 0 for a command, 1 inside a subcommand group or subcommand.
func optionsProblems(re *regexp.Regexp, raw any, path string, level int) []string {
	opts, _ := raw.([]any)
	var probs []string
	add := func(p, format string, args ...any) { probs = append(probs, p+": "+fmt.Sprintf(format, args...)) }
	if len(opts) > 25 {
		add(path, "%d options, want at most 25", len(opts))
	}
	seen := map[string]bool{}
	optional := false
	subs, others := 0, 0
	for i, o := range opts {
		om, _ := o.(map[string]any)
		p := path + "/" + strconv.Itoa(i)
		name, _ := om["name"].(string)
		probs = append(probs, nameProblems(re, name, p+"/name")...)
		if seen[name] {
			add(p+"/name", "%q is used twice", name)
		}
		seen[name] = true
		if n := runes(om["description"]); n < 1 || n > 100 {
			add(p+"/description", "%d characters, want 1-100", n)
		}
		typ := intValue(om["type"])
		switch typ {
		case 1, 2:
			subs++
			if level > 0 && typ == 2 {
				add(p+"/type", "a subcommand group can only be nested at the top level")
			}
			if level > 1 {
				add(p+"/type", "subcommands nest at most two levels deep")
			}
			sub, _ := om["options"].([]any)
			for j, so := range sub {
				st := intValue(dig(so, "type"))
				if typ == 2 && st != 1 {
					add(fmt.Sprintf("%s/options/%d/type", p, j), "a subcommand group may only contain subcommands")
				}
				if typ == 1 && (st == 1 || st == 2) {
					add(fmt.Sprintf("%s/options/%d/type", p, j), "a subcommand cannot contain subcommands")
				}
			}
			probs = append(probs, optionsProblems(re, om["options"], p+"/options", level+1)...)
			continue
		default:
			others++
		}
		req, _ := om["required"].(bool)
		if req && optional {
			add(p+"/required", "required options must come before optional ones")
		}
		if !req {
			optional = true
		}
		choices, _ := om["choices"].([]any)
		if len(choices) > 0 {
			if ac, _ := om["autocomplete"].(bool); ac {
				add(p, "choices and autocomplete cannot both be set")
			}
			for j, ch := range choices {
				cp := fmt.Sprintf("%s/choices/%d", p, j)
				if n := runes(dig(ch, "name")); n < 1 || n > 100 {
					add(cp+"/name", "%d characters, want 1-100", n)
				}
				val := dig(ch, "value")
				switch typ {
				case 3:
					if s, ok := val.(string); !ok || utf8.RuneCountInString(s) > 100 {
						add(cp+"/value", "want a string of at most 100 characters for a STRING option")
					}
				case 4, 10:
					if _, ok := val.(json.Number); !ok {
						add(cp+"/value", "want a number for an INTEGER or NUMBER option")
					}
				}
			}
		}
		if lo, hi := numberValue(om["min_value"]), numberValue(om["max_value"]); lo != nil && hi != nil && *lo > *hi {
			add(p, "min_value %v is more than max_value %v", *lo, *hi)
		}
		if lo, hi := numberValue(om["min_length"]), numberValue(om["max_length"]); lo != nil && hi != nil && *lo > *hi {
			add(p, "min_length %v is more than max_length %v", *lo, *hi)
		}
	}
	if subs > 0 && others > 0 {
		add(path, "subcommands and subcommand groups cannot be mixed with other options")
	}
	return probs
}

// commandChars counts what Discord's 8000-character limit counts: names, descriptions and choice
// names and values, each at its longest localization.
func commandChars(c map[string]any) int {
	longest := func(m map[string]any, key string) int {
		n := runes(m[key])
		if loc, ok := m[key+"_localizations"].(map[string]any); ok {
			for _, v := range loc {
				n = max(n, runes(v))
			}
		}
		return n
	}
	total := longest(c, "name") + longest(c, "description")
	opts, _ := c["options"].([]any)
	for _, o := range opts {
		om, _ := o.(map[string]any)
		total += commandChars(om)
		choices, _ := om["choices"].([]any)
		for _, ch := range choices {
			cm, _ := ch.(map[string]any)
			total += longest(cm, "name")
			switch v := cm["value"].(type) {
			case string:
				total += utf8.RuneCountInString(v)
			case json.Number:
				total += len(v)
			}
		}
	}
	return total
}

func runes(v any) int {
	s, _ := v.(string)
	return utf8.RuneCountInString(s)
}

// empty reports whether a decoded JSON value is absent, null, "", [] or {}.
func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// intValue returns a decoded JSON integer (json.Number, float64, or a string holding an integer), else 0.
func intValue(v any) int {
	switch v := v.(type) {
	case json.Number:
		n, _ := strconv.ParseInt(string(v), 10, 64)
		return int(n)
	case float64:
		return int(v)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return int(n)
	}
	return 0
}

func numberValue(v any) *float64 {
	if n, ok := v.(json.Number); ok {
		if f, err := n.Float64(); err == nil {
			return &f
		}
	}
	return nil
}

// choicesProblems checks an autocomplete result's data (callback type 8):
// at most 25 choices, each with a name of 1-100 characters and a string
// value of at most 100, and nothing of a message beside them.
func choicesProblems(data map[string]any) []string {
	var probs []string
	choices, _ := data["choices"].([]any)
	if len(choices) > 25 {
		probs = append(probs, fmt.Sprintf("/data/choices: %d choices, want at most 25", len(choices)))
	}
	for i, ch := range choices {
		p := fmt.Sprintf("/data/choices/%d", i)
		if n := runes(dig(ch, "name")); n < 1 || n > 100 {
			probs = append(probs, fmt.Sprintf("%s/name: %d characters, want 1-100", p, n))
		}
		if v, ok := dig(ch, "value").(string); !ok || utf8.RuneCountInString(v) > 100 {
			probs = append(probs, p+"/value: want a string of at most 100 characters")
		}
	}
	for _, k := range []string{"content", "embeds", "components", "flags"} {
		if !empty(data[k]) {
			probs = append(probs, fmt.Sprintf("/data/%s: an autocomplete result (type 8) takes only choices", k))
		}
	}
	return probs
}
