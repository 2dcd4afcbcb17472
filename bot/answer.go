package bot

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Responder is what a transport gives Answer to deliver a reply. Answer
// calls either Respond, or Defer and then Edit, once per interaction.
type Responder interface {
	// Respond sends the initial response: callback type 4, or 7 when r.Update.
	Respond(ctx context.Context, r Reply) error
	// Defer acknowledges the interaction with callback type 5 ("thinking…"),
	// ephemeral when asked. Transports send type 5 for buttons as well, since
	// the "Hail again" button posts a new message rather than updating one.
	Defer(ctx context.Context, ephemeral bool) error
	// Edit replaces the deferred response (PATCH .../messages/@original).
	Edit(ctx context.Context, r Reply) error
}

// Answer handles req and delivers the reply through rs within Discord's
// deadline: if Handle has not finished after the Bot's DeferAfter, Answer
// defers the interaction and edits the reply in when it is ready. It records
// metrics and logs one line per interaction (command, guild, user, latency,
// outcome), never the token. It returns the transport's error, if any.
//
// A deferred reply is always public: whether it will be an error is unknown
// when deferring, and Discord cannot make a message ephemeral in an edit. In
// practice only generation is slow, and polite errors are fast. The admin
// commands (/proclaim, /hush), whose replies are all ephemeral, defer
// ephemerally.
//
// /retrain is the exception: an operator's allowed request is deferred at
// once, ephemerally, and handed to the Retrainer, whose job runs in the
// background and edits the reply (see answerRetrain); Answer returns when it
// has deferred.
func (b *Bot) Answer(ctx context.Context, req Request, rs Responder) error {
	if req.Kind == KindCommand && req.Command == cmdRetrain {
		return b.answerRetrain(ctx, req, rs)
	}
	if isScriptureAdd(req) {
		return b.answerScripture(ctx, req, rs)
	}
	start := time.Now()
	if req.Kind == KindAutocomplete {
		// Suggestions take microseconds, and an autocomplete interaction
		// cannot be deferred: answer at once.
		r, res := b.handle(ctx, req, true)
		var err error
		if err = rs.Respond(ctx, r); err != nil {
			err = fmt.Errorf("respond: %w", err)
		}
		return b.answered(ctx, req, res, false, start, err)
	}
	type handled struct {
		reply Reply
		res   result
	}
	done := make(chan handled, 1) // buffered: the goroutine never blocks
	go func() {
		r, res := b.handle(ctx, req, true)
		done <- handled{r, res}
	}()

	timer := time.NewTimer(b.deferAfter)
	defer timer.Stop()

	var (
		h        handled
		deferred bool
		err      error
	)
	select {
	case h = <-done:
		if err = rs.Respond(ctx, h.reply); err != nil {
			err = fmt.Errorf("respond: %w", err)
		}
	case <-timer.C:
		deferred = true
		// Admin commands (/scripture too) answer ephemerally, so their
		// deferral is too, and so do a quiz's votes and personal records.
		if err = rs.Defer(ctx, isAdminCommand(req) || isScripture(req) || (isQuiz(req) && quizEphemeral(req))); err != nil {
			err = fmt.Errorf("defer: %w", err)
			// Discord would not accept an edit now; still wait for the
			// handler so the log line tells what it was doing.
			h = <-done
			break
		}
		select {
		case h = <-done:
			if err = rs.Edit(ctx, h.reply); err != nil {
				err = fmt.Errorf("edit deferred reply: %w", err)
			}
		case <-ctx.Done():
			h.res = result{command: commandLabel(req), outcome: outcomeError}
			err = fmt.Errorf("wait for reply: %w", context.Cause(ctx))
		}
	case <-ctx.Done():
		h.res = result{command: commandLabel(req), outcome: outcomeError}
		err = fmt.Errorf("wait for reply: %w", context.Cause(ctx))
	}

	return b.answered(ctx, req, h.res, deferred, start, err)
}

// answered records an answered interaction: the metrics, and one log line
// (command, guild, user, latency, outcome), never the token. It returns err
// wrapped with the interaction id.
func (b *Bot) answered(ctx context.Context, req Request, res result, deferred bool, start time.Time, err error) error {
	outcome := res.outcome
	switch {
	case err != nil:
		outcome = outcomeError
	case deferred && outcome == outcomeOK:
		outcome = outcomeDeferred
	}
	latency := time.Since(start)
	b.metrics.Interaction(res.command, outcome, latency)

	level := slog.LevelInfo
	if outcome == outcomeError || outcome == outcomePanic {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("command", res.command),
		slog.String("kind", kindName(req.Kind)),
		slog.String("guild", req.GuildID),
		slog.String("user", req.UserID),
		slog.Duration("latency", latency),
		slog.String("outcome", outcome),
		slog.Bool("deferred", deferred),
	}
	if err != nil {
		attrs = append(attrs, slog.String("err", err.Error()))
	}
	b.log.LogAttrs(ctx, level, "interaction", attrs...)
	if err != nil {
		return fmt.Errorf("answer interaction %s: %w", req.ID, err)
	}
	return nil
}

// commandLabel is the bounded metric label of req's command, for when handle
// did not report one.
func commandLabel(req Request) string {
	if req.Kind == KindCommand || req.Kind == KindAutocomplete {
		if _, ok := Lookup(req.Command); ok {
			return req.Command
		}
	}
	if req.Kind == KindComponent {
		if isQuizCustomID(req.CustomID) {
			return CmdQuiz
		}
		if isScriptureCustomID(req.CustomID) {
			return CmdScripture
		}
		if act, err := decodeCustomID(req.CustomID); err == nil {
			return act.command
		}
	}
	return "unknown"
}

// kindName is the name of a Kind, as logged.
func kindName(k Kind) string {
	switch k {
	case KindPing:
		return "ping"
	case KindCommand:
		return "command"
	case KindComponent:
		return "component"
	case KindAutocomplete:
		return "autocomplete"
	}
	return "unknown"
}
