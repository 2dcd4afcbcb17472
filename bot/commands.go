package bot

import "github.com/glowcloud/glowcloud/limits"

// The slash commands, as data. The transports turn these definitions into
// their own types (bot/discord for discordgo), and the console reads them to
// type and name the options it parses, so a command is defined once.

// OptionType is the type of a slash command option's value.
type OptionType int

// The option types the commands use, numbered as Discord numbers them.
const (
	OptionString     OptionType = 3
	OptionInteger    OptionType = 4
	OptionAttachment OptionType = 11

	OptionSubcommand OptionType = 1 // a subcommand: its Options are its own
	OptionChannel    OptionType = 7 // a channel; its value is the channel id
)

// Choice is one value a string option may take when it has Choices.
type Choice struct {
	Name  string // what the user sees
	Value string
}

// Option is one option of a slash command.
type Option struct {
	Name        string
	Description string
	Type        OptionType
	Required    bool
	// MinLength and MaxLength bound a string option's length in characters;
	// MinLength nil or MaxLength 0 means no bound.
	MinLength *int
	MaxLength int
	// MinValue and MaxValue bound an integer option; MinValue nil or
	// MaxValue 0 means no bound.
	MinValue *float64
	MaxValue float64
	// Autocomplete makes Discord ask for suggestions while the option is
	// typed (a KindAutocomplete request); a string option only.
	Autocomplete bool

	// Choices, when set, are the only values a string option takes.
	Choices []Choice
	// ChannelTypes restricts a channel option to these channel types
	// (Discord's numbers: 0 text, 5 announcement).
	ChannelTypes []int
	// Options are a subcommand's options.
	Options []Option
}

// Command is a slash command's definition.
type Command struct {
	Name        string
	Description string
	Options     []Option
	// Operators marks an operator command: it exists in guilds only, and its
	// default_member_permissions of "0" hides it from everyone but server
	// administrators (the handler still checks Config.Operators, since
	// admins may grant the command to anyone). Other commands work in
	// guilds, in DMs with the bot and, for user installs, anywhere.
	Operators bool
	// Admin marks a server admins' command (/proclaim, /hush): it exists in
	// guilds only, for guild installs, with default_member_permissions
	// "32" (Manage Server); the handler checks the member's permissions
	// again, since a server can override who may use a command.
	Admin bool
}

// Commands returns the slash commands to register: /squint, /glowcloud,
// /manifesto, /quiz, the server admins' /proclaim and /hush, their
// /scripture when scripture is set, and the operators' /retrain when
// retrain is set. Each call returns fresh values, so a caller may change
// them.
func Commands(retrain, scripture bool) []Command {
	cmds := []Command{
		{
			Name:        CmdSquint,
			Description: "Squint at anything until it turns out to be anarchist. Everything is, if you squint.",
			Options: []Option{{
				Type:         OptionString,
				Name:         "thing",
				Description:  "The thing to squint at: a state, a cafeteria, a toaster, your landlord.",
				Required:     true,
				MinLength:    ptr(1),
				MaxLength:    limits.MaxThing,
				Autocomplete: true,
			}},
		},
		{
			Name:        CmdGlowcloud,
			Description: "Receive a proclamation from the mighty Glow Cloud. All hail.",
		},
		{
			Name:        CmdManifesto,
			Description: "Generate a parody manifesto. Hail the singularity! Hail the mighty Glow Cloud!",
			Options: []Option{
				{
					Type:         OptionString,
					Name:         "topic",
					Description:  "What the revolution is about this time (robots, rent, the cafeteria).",
					MaxLength:    limits.MaxTopic,
					Autocomplete: true,
				},
				{
					Type:        OptionInteger,
					Name:        "paragraphs",
					Description: "How many paragraphs of theory to endure, from 1 to 5.",
					MinValue:    ptr(float64(limits.MinParagraphs)),
					MaxValue:    limits.MaxParagraphs,
				},
				{
					Type:        OptionInteger,
					Name:        "seed",
					Description: "The seed printed under an earlier manifesto, to read it again word for word.",
					MinValue:    ptr(0.0),
					MaxValue:    limits.MaxSeed,
				},
			},
		},
	}
	cmds = append(cmds, quizCommand())
	cmds = append(cmds, adminCommands()...)
	if scripture {
		cmds = append(cmds, scriptureCommand())
	}
	if retrain {
		cmds = append(cmds, Command{
			Name:        cmdRetrain,
			Description: "Operators only: feed the Glow Cloud new scripture and retrain the model.",
			Operators:   true,
			Options: []Option{
				{Type: OptionAttachment, Name: OptScripture, Description: "A .txt or .md file of new scripture for the corpus."},
				{Type: OptionAttachment, Name: OptApocrypha, Description: "Another text file to learn from."},
				{Type: OptionAttachment, Name: OptPamphlet, Description: "One more text file to learn from."},
			},
		})
	}
	return cmds
}

// Lookup returns the definition of the command name, if it is one of
// Commands(false, true) (so not /retrain), and reports whether there is
// one.
func Lookup(name string) (Command, bool) {
	for _, c := range Commands(false, true) {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

func ptr[T any](v T) *T { return &v }
