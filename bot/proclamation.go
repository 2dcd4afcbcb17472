package bot

// Kinds of scheduled proclamation, the values of /proclaim start kind:.
const (
	PostGlowcloud = "glowcloud" // what /glowcloud replies
	PostManifesto = "manifesto" // what /manifesto topic:TOPIC replies
)

// Proclamation is the post of a scheduled proclamation: the reply that
// /glowcloud (kind "glowcloud") or /manifesto topic:TOPIC (kind
// "manifesto") gives for seed, with the same embed, footer and "Hail again"
// button, within Discord's limits. topic is ignored for a glowcloud. ok is
// false when w is nil or has nothing to say.
func Proclamation(w Writer, kind, topic string, seed uint64) (r Reply, ok bool) {
	if w == nil {
		return Reply{}, false
	}
	act := action{command: CmdGlowcloud}
	if kind == PostManifesto {
		act = action{command: CmdManifesto, topic: topic, paragraphs: DefParagraphs}
	}
	if r, ok = generate(w, act, seed); !ok {
		return Reply{}, false
	}
	return LimitReply(r), true
}
