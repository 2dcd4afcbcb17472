package bot

import "context"

// writerFor returns the Writer whose model the commands use in the server
// guildID ("" in DMs): Config.WriterFor's, or Config.Writer's when that is
// nil or returns nil. It may be nil (no model yet).
func (b *Bot) writerFor(ctx context.Context, guildID string) Writer {
	if b.guildWrite != nil {
		if w := b.guildWrite(ctx, guildID); w != nil {
			return w
		}
	}
	return b.writer()
}

// ShareBase is the public URL a piece written by w may link its page
// under: publicURL when w writes from the same model as essay (the model
// the pages serve), "" for any other, such as a server's scripture blend,
// whose pieces carry no "Share" link: a server's texts are its own, and the
// pages are public.
func ShareBase(essay, w Writer, publicURL string) string {
	if publicURL == "" || essay == nil || w == nil || essay.ModelID() != w.ModelID() {
		return ""
	}
	return publicURL
}
