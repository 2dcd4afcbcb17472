package bot

// This file is the contract between the core and its transports
// (bot/gateway, bot/httpapi, bot/console).

// Kind says what sort of interaction a Request is.
type Kind int

// The interaction kinds the bot understands. Transports map Discord's
// interaction types onto these; anything else becomes KindUnknown.
const (
	KindUnknown      Kind = iota
	KindPing              // HTTP PING (type 1); answered by the transport itself
	KindCommand           // APPLICATION_COMMAND (type 2)
	KindComponent         // MESSAGE_COMPONENT (type 3), e.g. the "Hail again" button
	KindAutocomplete      // APPLICATION_COMMAND_AUTOCOMPLETE (type 4): a user is typing an option
)

// Attachment is a file attached to a command (used by /retrain).
type Attachment struct {
	ID          string
	Filename    string
	ContentType string
	Size        int
	URL         string
}

// Request holds the parts of an interaction that a handler reads, whatever
// the transport delivered it. The zero value is a valid (unknown) request.
type Request struct {
	Kind     Kind
	ID       string // interaction id
	Token    string // interaction token (never logged)
	AppID    string
	Command  string         // command name for KindCommand
	Options  map[string]any // decoded option values: string, float64 (JSON numbers), bool
	CustomID string         // component custom_id for KindComponent
	// Focused is, for KindAutocomplete, the option the user is typing; its
	// partial value is in Options.
	Focused   string
	UserID    string // the invoking user (member.user or user)
	GuildID   string // empty in DMs
	ChannelID string
	Locale    string
	// Attachments resolved from data.resolved.attachments, keyed by id.
	Attachments map[string]Attachment

	// Subcommand is the name of the subcommand used ("start" of /proclaim
	// start); Options then holds the subcommand's options.
	Subcommand string
	// Permissions is member.permissions in a guild: the member's permission
	// bit set in this channel, as a decimal string. Empty in DMs.
	Permissions string
	// BotDM reports an interaction in a DM with the bot (context 1), whose
	// only other member is the user.
	BotDM bool
}

// Embed is a Discord embed, limited to what the bot sends.
type Embed struct {
	Title       string
	Description string
	Footer      string
	Color       int
}

// Button is a message component button: one with a custom_id, which sends
// the bot an interaction when pressed, or a link button with a URL (and no
// custom_id), which opens it.
type Button struct {
	Label    string
	CustomID string
	URL      string // a link button's address (http or https); CustomID is then empty
	Emoji    string // a unicode emoji, optional
	// Disabled shows the button greyed out: it cannot be pressed.
	Disabled bool
}

// Reply is the bot's answer. Transports send it with allowed_mentions
// parsing nothing, so generated or echoed text never pings anyone.
type Reply struct {
	Content   string
	Embeds    []Embed
	Buttons   []Button
	Ephemeral bool // only the caller sees it (flags 64)
	// Update, for component interactions, edits the message the button is on
	// (callback type 7) instead of posting a new one (type 4).
	Update bool
	// Autocomplete marks the answer to a KindAutocomplete request (callback
	// type 8): Choices are offered as the option's values (each both the
	// name shown and the value sent), and nothing else of the reply is sent.
	Autocomplete bool
	Choices      []string
}

// Writer is what the bot needs from the text generator; *compose.Writer
// satisfies it. Implementations must be safe for concurrent use. The same
// seed must give the same text for the same model, so a footer's seed and
// model id let anyone reproduce a reply.
type Writer interface {
	// Manifesto returns a titled manifesto: paragraphs is 1..5, topic may be empty.
	// len(title) <= 256 and len(body) <= 4096 characters.
	Manifesto(seed uint64, topic string, paragraphs int) (title, body string)
	// Squint returns a short text (<= 2000 characters) that opens by declaring
	// thing anarchist if you squint.
	Squint(seed uint64, thing string) string
	// Glowcloud returns a short proclamation (<= 2000 characters).
	Glowcloud(seed uint64) string
	// ModelID is a short id of the model that generated the text.
	ModelID() string
}
