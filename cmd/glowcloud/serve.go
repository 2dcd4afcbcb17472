package main

import (
	"context"
	"errors"
)

// runServe runs the Discord bot. (Wired to package bot in progress.)
func (e environment) runServe(ctx context.Context, args []string) error {
	return errors.New("serve: not built yet")
}

// runConsole runs the bot's commands at a local prompt.
func (e environment) runConsole(ctx context.Context, args []string) error {
	return errors.New("console: not built yet")
}
