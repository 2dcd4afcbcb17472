package discordtest

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"regexp"
	"testing"
)

// TestEmbeddedSpecMatchesSources checks that the embedded document is the one SOURCES.md describes.
func TestEmbeddedSpecMatchesSources(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/SOURCES.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("SHA-256 `([0-9a-f]{64})`").FindSubmatch(src)
	if m == nil {
		t.Fatal("SOURCES.md names no SHA-256")
	}
	sum := sha256.Sum256(openAPI)
	if got := hex.EncodeToString(sum[:]); got != string(m[1]) {
		t.Errorf("openapi.json SHA-256 = %s, SOURCES.md says %s", got, m[1])
	}
	sp, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"create_interaction_response", "update_original_webhook_message", "execute_webhook",
		"bulk_set_application_commands", "bulk_set_guild_application_commands", "create_application_command"} {
		if sp.ops[op] == nil {
			t.Errorf("operation %s has no JSON request body schema", op)
		}
	}
}

// FuzzValidateJSON checks that the validator and the rule checks never panic, whatever the body.
func FuzzValidateJSON(f *testing.F) {
	for _, s := range []string{
		`{"type":4,"data":{"content":"x","allowed_mentions":{"parse":[]}}}`,
		`{"type":4,"data":{"components":[{"type":1,"components":[{"type":2,"style":1,"custom_id":"a","label":"x"}]}]}}`,
		`{"type":5,"data":{"flags":"64"}}`,
		`[{"name":"x","description":"d","options":[{"type":1,"name":"s","description":"d","options":[{"type":2}]}]}]`,
		`{"type":1e400}`, `null`, `[]`, `"x"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_ = CheckInteractionResponse(body)
		_ = CheckWebhookEdit(body)
		_ = CheckFollowup(body)
		_ = CheckCommands(body)
	})
}
