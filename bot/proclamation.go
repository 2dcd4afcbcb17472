package bot

import "github.com/glowcloud/glowcloud/limits"

// Proclamation is the post of a scheduled proclamation: the reply that
// /glowcloud (kind CmdGlowcloud) or /manifesto topic:TOPIC (kind
// CmdManifesto) gives for seed, with the same embed, footer and "Hail again"
// button, within Discord's limits. The kind of a post is the command whose
// reply it is; topic is ignored for a glowcloud. The topic takes the way in
// of every typed topic (ShownTopic), whatever was stored: one kept raw by an
// older release is shown, and one too long for a topic is cut. ok is false
// when w is nil or has nothing to say. With publicURL set (Config.PublicURL)
// the post carries a "Share" link to its page, as replies do.
func Proclamation(w Writer, kind, topic string, seed uint64, publicURL string) (r Reply, ok bool) {
	if w == nil {
		return Reply{}, false
	}
	act := action{command: CmdGlowcloud}
	if kind == CmdManifesto {
		shown, err := ShownTopic(topic)
		if err != nil {
			shown, _ = ShownTopic(clip(topic, limits.MaxTopic))
		}
		act = action{command: CmdManifesto, topic: shown, paragraphs: limits.DefParagraphs}
	}
	if r, ok = generate(w, act, seed, publicURL); !ok {
		return Reply{}, false
	}
	return LimitReply(r), true
}
