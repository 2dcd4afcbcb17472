package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const secretToken = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.c2VjcmV0LXRva2VuLXNob3VsZC1uZXZlci1sZWFr"

func TestTokenNeverPrinted(t *testing.T) {
	t.Parallel()
	tok := Token(secretToken)
	type config struct {
		Token Token
		AppID string
	}
	cfg := config{Token: tok, AppID: "1"}
	type holder struct {
		Name  string
		Token Token
	}
	for _, tt := range []struct {
		name string
		got  func() string
	}{
		{"String", tok.String},
		{"Sprint", func() string { return fmt.Sprint(tok) }},
		{"%v", func() string { return fmt.Sprintf("%v", tok) }},
		{"%+v", func() string { return fmt.Sprintf("%+v", tok) }},
		{"%#v", func() string { return fmt.Sprintf("%#v", tok) }},
		{"%s", func() string { return fmt.Sprintf("%s", tok) }},
		{"%q", func() string { return fmt.Sprintf("%q", tok) }},
		{"%x", func() string { return fmt.Sprintf("%x", tok) }},
		{"%X", func() string { return fmt.Sprintf("%X", tok) }},
		{"%40s", func() string { return fmt.Sprintf("%40s", tok) }},
		{"pointer %v", func() string { return fmt.Sprintf("%v", &tok) }},
		{"struct %v", func() string { return fmt.Sprintf("%v", holder{"x", tok}) }},
		{"struct %+v", func() string { return fmt.Sprintf("%+v", holder{"x", tok}) }},
		{"struct %#v", func() string { return fmt.Sprintf("%#v", holder{"x", tok}) }},
		{"config %+v", func() string { return fmt.Sprintf("%+v", cfg) }},
		{"config %#v", func() string { return fmt.Sprintf("%#v", cfg) }},
		{"error %v", func() string { return fmt.Errorf("connect with %v: %w", tok, errors.New("x")).Error() }},
		{"json", func() string {
			b, err := json.Marshal(holder{"x", tok})
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}},
		{"slog text", func() string {
			var buf bytes.Buffer
			slog.New(slog.NewTextHandler(&buf, nil)).Info("start", "token", tok, "cfg", cfg, "holder", holder{"x", tok})
			return buf.String()
		}},
		{"slog json", func() string {
			var buf bytes.Buffer
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("start", "token", tok, "cfg", cfg, "holder", holder{"x", tok})
			return buf.String()
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.got()
			if strings.Contains(got, secretToken) || strings.Contains(got, secretToken[:10]) {
				t.Errorf("%s shows the token: %s", tt.name, got)
			}
			if !strings.Contains(got, redacted) && !strings.Contains(got, fmt.Sprintf("%x", redacted)) {
				t.Errorf("%s = %q, want it to say %s", tt.name, got, redacted)
			}
		})
	}
}

func TestTokenAuthorization(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"abc", "Bot abc"},
		{"Bot abc", "Bot abc"},
		{" abc\n", "Bot abc"},
	} {
		if got := Token(tt.in).Authorization(); got != tt.want {
			t.Errorf("Token(%q).Authorization() = %q, want %q", tt.in, got, tt.want)
		}
	}
}
