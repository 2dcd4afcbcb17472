package main

import (
	"fmt"
	"log/slog"

	"github.com/glowcloud/glowcloud/bot/rest"
	"github.com/glowcloud/glowcloud/scripture"
)

// scriptureCommands are /scripture's commands over db: within the server
// limits, downloading attachments through the REST client (so
// DISCORD_API_BASE applies to them as to every REST call), nudging svc's
// trainer and telling it what changed.
func (c serveConfig) scriptureCommands(db database, svc *scripture.Service, log *slog.Logger) (*scripture.Commands, error) {
	client, err := rest.Client(nil, c.apiBase)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	return scripture.NewCommands(db, scripture.CommandsConfig{
		Limits:  c.scripture.limits,
		Client:  client,
		Nudge:   svc.Nudge,
		Changed: svc.Changed,
		Alone:   svc.Alone,
		Log:     log,
	}), nil
}
