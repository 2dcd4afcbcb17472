package bot

import (
	"context"
	"fmt"
	"mime"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/glowcloud/glowcloud/corpus"
)

// /retrain: operators feed the Glow Cloud new scripture from Discord.
//
// The command is registered with default_member_permissions "0", which hides
// it from everyone but a server's administrators, who may grant it to anyone;
// so the bot checks the caller against its own operator list as well. Handle
// (checkRetrain) judges a request without I/O: who asks, and whether each
// attachment looks like a text file the corpus takes, by what Discord
// reports of it (corpus owns that rule). Answer (answerRetrain) then claims
// the Retrainer's one slot, defers ephemerally, so only the operator sees
// the progress, and hands the files to the Retrainer's background job,
// which downloads them, checks what actually arrived, retrains and edits
// the deferred reply with what was learnt or why not.

// The /retrain options, each an optional attachment, in the order their
// files are learnt.
const (
	OptScripture = "scripture"
	OptApocrypha = "apocrypha"
	OptPamphlet  = "pamphlet"
)

// retrainOptions lists the /retrain options in order.
func retrainOptions() [3]string { return [3]string{OptScripture, OptApocrypha, OptPamphlet} }

// Retrainer runs the jobs /retrain starts; *retrain.Runner is one. Only one
// job runs at a time: Answer claims the slot before it defers, so a second
// operator is told at once to wait. Implementations must be safe for
// concurrent use.
type Retrainer interface {
	// Claim takes the one retrain slot, or reports false while a job holds
	// it. A true Claim is followed by exactly one Run or Release.
	Claim() bool
	// Release gives back a claimed slot unused (the deferral failed).
	Release()
	// Run starts the claimed job in the background and returns: it learns
	// files (the attachments Handle accepted, in order; maybe none) for the
	// operator of req, ends by editing the deferred reply through rs, and
	// gives the slot back once the retraining is over. ctx carries values
	// only: the job outlives Answer.
	Run(ctx context.Context, req Request, files []Attachment, rs Responder)
}

// What the operator (or a would-be one) reads.
const (
	msgNotOperator = "Only the Glow Cloud's operators may feed it new scripture. The Glow Cloud appreciates your devotion all the same."
	msgRetrainOff  = "Retraining is not configured here. (Operators: set GLOWCLOUD_CORPUS_DIR.)"
	msgRetrainBusy = "The Glow Cloud is already absorbing scripture. Try again when it has finished."
)

// checkRetrain judges a /retrain request without I/O. It returns the
// attachments to learn from, in option order, or an error fit for the user
// and the outcome to log.
func (b *Bot) checkRetrain(req Request) ([]Attachment, string, error) {
	if !b.isOperator(req.UserID) {
		return nil, outcomeForbidden, userError(msgNotOperator)
	}
	if b.retrainer == nil {
		return nil, outcomeBadRequest, userError(msgRetrainOff)
	}
	names := retrainOptions()
	for k := range req.Options {
		if !slices.Contains(names[:], k) {
			return nil, outcomeBadRequest, userError(fmt.Sprintf("/%s has no option “%s”. Attach files as %s, %s or %s.",
				cmdRetrain, shown(clip(k, 32)), OptScripture, OptApocrypha, OptPamphlet))
		}
	}
	var files []Attachment
	seen := make(map[string]bool, len(names))
	for _, name := range names {
		v, present := req.Options[name]
		if !present {
			continue
		}
		id, ok := v.(string)
		a, found := req.Attachments[id]
		if !ok || id == "" || !found {
			return nil, outcomeBadRequest, userError(fmt.Sprintf("Discord did not pass on the file attached as %s. Please attach it again.", name))
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		if err := checkAttachment(a); err != nil {
			return nil, outcomeBadRequest, err
		}
		files = append(files, a)
	}
	return files, outcomeOK, nil
}

// checkAttachment judges an attachment by what Discord reports of it: its
// name and size (by corpus's rule for uploads), content type and URL. Its
// content is checked once downloaded.
func checkAttachment(a Attachment) error {
	name := DisplayName(a.Filename)
	if !corpus.IsTextName(a.Filename) {
		return userError(name + " is not scripture: the Glow Cloud learns only from .txt and .md files.")
	}
	if a.Size < 0 || a.Size > corpus.MaxUpload {
		return userError(fmt.Sprintf("%s is %s; the Glow Cloud takes files of at most %s.", name, ByteSize(int64(a.Size)), ByteSize(corpus.MaxUpload)))
	}
	if a.ContentType != "" {
		mt, params, err := mime.ParseMediaType(a.ContentType)
		if err != nil || !strings.HasPrefix(mt, "text/") {
			return userError(fmt.Sprintf("%s is %s, not text. The Glow Cloud learns only from text.", name, shown(clip(a.ContentType, 64))))
		}
		if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "utf8" && cs != "us-ascii" {
			return userError(fmt.Sprintf("%s is in %s; the Glow Cloud reads only UTF-8.", name, shown(clip(cs, 32))))
		}
	}
	if u, err := url.Parse(a.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return userError(fmt.Sprintf("Discord gave no usable link to %s. Please attach it again.", name))
	}
	return nil
}

// DisplayName is a file name as quoted in replies: short, and shown, never
// rendered (markdown escaped, links defanged, mentions broken, bidi
// controls that could disguise an extension gone).
func DisplayName(name string) string {
	if name = shown(clip(name, 64)); name == "" {
		name = "(unnamed)"
	}
	return name
}

// ByteSize renders n bytes for people: "8 MiB", "12.5 KiB", "300 bytes".
func ByteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// retrainPlanned is Handle's reply to an allowed /retrain.
func retrainPlanned(files []Attachment) string {
	if len(files) == 0 {
		return "The Glow Cloud will retrain from its corpus as it is."
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = DisplayName(f.Filename)
	}
	return "The Glow Cloud will absorb " + strings.Join(names, ", ") + " and retrain."
}

// answerRetrain answers /retrain. A refusal is sent at once, and so is
// "wait" while another job holds the Retrainer's slot, before anything is
// downloaded. An allowed request is deferred, ephemerally, and its job run
// by the Retrainer in the background; answerRetrain returns once it has
// deferred.
func (b *Bot) answerRetrain(ctx context.Context, req Request, rs Responder) error {
	start := time.Now()
	reply, res := b.handle(ctx, req, true)
	if res.outcome == outcomeOK && !b.retrainer.Claim() {
		reply, res.outcome = ephemeral(msgRetrainBusy), outcomeCooldown
	}
	if res.outcome != outcomeOK {
		var err error
		if err = rs.Respond(ctx, reply); err != nil {
			err = fmt.Errorf("respond: %w", err)
		}
		return b.answered(ctx, req, res, false, start, err)
	}
	if err := rs.Defer(ctx, true); err != nil {
		b.retrainer.Release()
		return b.answered(ctx, req, res, true, start, fmt.Errorf("defer: %w", err))
	}
	b.retrainer.Run(context.WithoutCancel(ctx), req, res.files, rs)
	return b.answered(ctx, req, res, true, start, nil)
}
