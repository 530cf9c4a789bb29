package clients

import (
	"strings"
	"testing"
)

func TestRedactText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"json env value", `        "BRAVE_API_KEY": "sk-test-REPLACE-ME"`, `        "BRAVE_API_KEY": "<redacted>"`},
		{"json placeholder kept", `  "GITHUB_TOKEN": "${input:token}",`, `  "GITHUB_TOKEN": "${input:token}",`},
		{"toml", `API_KEY = "abc123def"`, `API_KEY = "<redacted>"`},
		{"yaml plain", `      GITHUB_PERSONAL_ACCESS_TOKEN: hunter2hunter2`, `      GITHUB_PERSONAL_ACCESS_TOKEN: <redacted>`},
		{"shape in args", `"args": ["--key", "ghp_abcdefghijklmnopqrstuvwxyz0123"]`, `"args": ["--key", "<redacted>"]`},
		{"harmless", `"command": "npx",`, `"command": "npx",`},
		{"crlf kept", "\"token\": \"abcdef\"\r\n", "\"token\": \"<redacted>\"\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactText(tt.in); got != tt.want {
				t.Errorf("RedactText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzRedactText(f *testing.F) {
	f.Add(`"API_KEY": "sk-abcdefgh"` + "\n")
	f.Add("token = 'x'\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		out := RedactText(s)
		if strings.Count(out, "\n") != strings.Count(s, "\n") {
			t.Fatalf("line count changed: %q -> %q", s, out)
		}
		if m := secretShape.FindString(out); m != "" {
			t.Fatalf("key shape %q left in %q", m, out)
		}
	})
}
