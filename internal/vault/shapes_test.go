package vault

import (
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// Fake keys are assembled at run time so that this file does not itself
// look like a leaked credential to secret scanners.
const mix62 = "Zq8Xw2Lk9PvR4tYb7NcM3sHd6JfG1aUe5QoTiK0yBnWgVmSxElCr"

func body(n int) string { return strings.Repeat(mix62, n/len(mix62)+1)[:n] }

func TestSecretShapesPositive(t *testing.T) {
	jwtTok := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + "." + "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ" + "." + "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	pemKey := "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEowIBAAKCAQEA" + body(64) + "\n" + body(40) + "==\n-----END RSA " + "PRIVATE KEY-----"
	tests := []struct {
		desc, text, secret, kind string
	}{
		{"openai legacy", `{"key":"%s"}`, "sk-" + body(48), "openai-or-anthropic-key"},
		{"openai project", "OPENAI_API_KEY=%s", "sk-proj-" + body(40) + "_" + body(60) + "-" + body(50), "openai-or-anthropic-key"},
		{"anthropic", "key: %s\n", "sk-ant-api03-" + body(93) + "AA", "openai-or-anthropic-key"},
		{"after json newline escape", `"notes line one\n%s"`, "sk-" + body(48), "openai-or-anthropic-key"},
		{"after json unicode escape", `"x\u0020%s"`, "sk-" + body(48), "openai-or-anthropic-key"},
		{"github classic", "token %s", "ghp_" + body(36), "github-token"},
		{"github oauth", "%s", "gho_" + body(36), "github-token"},
		{"github user-to-server", "%s", "ghu_" + body(36), "github-token"},
		{"github server-to-server", "%s", "ghs_" + body(36), "github-token"},
		{"github refresh", "%s", "ghr_" + body(36), "github-token"},
		{"github fine-grained", "%s", "github_pat_11A" + body(19) + "_" + body(59), "github-token"},
		{"slack bot", "SLACK=%s", "xoxb-1234567890-1234567890123-" + body(24), "slack-token"},
		{"slack user", "%s", "xoxp-1234567890-1234567890-1234567890123-" + strings.ToLower(body(32)), "slack-token"},
		{"slack app", "%s", "xoxa-2-1234567890-" + body(20), "slack-token"},
		{"aws access key", `"aws_access_key_id": "%s"`, "AKIA" + "IOSFODNN7EXAMPLE", "aws-access-key-id"},
		{"aws temporary key", "%s,", "ASIA" + "Y34FZKBOKMUTVV7A", "aws-access-key-id"},
		{"google api key", "key=%s&q=1", "AIza" + "SyA" + body(32), "google-api-key"},
		{"stripe live secret", "%s", "sk_live_" + body(24), "stripe-key"},
		{"stripe restricted", "%s", "rk_live_" + body(24), "stripe-key"},
		{"jwt", "cookie: session=%s; Path=/", jwtTok, "jwt"},
		{"jwt unsigned", "%s", "eyJhbGciOiJub25lIn0" + "." + "eyJzdWIiOiIxMjM0NTY3ODkwIn0" + ".", "jwt"},
		{"pem rsa", "%s\n", pemKey, "private-key"},
		{"pem openssh json-escaped", `{"k":"%s"}`, strings.ReplaceAll("-----BEGIN OPENSSH "+"PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA"+body(70)+"\n-----END OPENSSH "+"PRIVATE KEY-----", "\n", `\n`), "private-key"},
		{"pem truncated", "%s", "-----BEGIN " + "PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC" + body(50), "private-key"},
		{"bearer hex", "Authorization: %s", "Bearer 8f3a2b1c9d4e5f6a7b8c9d0e1f2a3b4c", "bearer-token"},
		{"bearer lower-case scheme", "authorization: %s", "bearer " + body(40), "bearer-token"},
		{"bearer upper-case scheme", "%s", "BEARER " + body(40), "bearer-token"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			text := []byte(strings.Replace(tt.text, "%s", tt.secret, 1))
			if !ContainsSecretShape(text) {
				t.Fatalf("ContainsSecretShape(%q) = false", text)
			}
			if kinds := SecretShapes(text); !slices.Contains(kinds, tt.kind) {
				t.Errorf("SecretShapes = %v, want %s", kinds, tt.kind)
			}
			out := string(mustRedactor(t, nil).Redact(text))
			if strings.Contains(out, tt.secret) || !strings.Contains(out, RedactedMarker) {
				t.Fatalf("Redact(%q) = %q", text, out)
			}
			if want := strings.Replace(tt.text, "%s", RedactedMarker, 1); out != want {
				t.Errorf("Redact:\n got %q\nwant %q", out, want)
			}
		})
	}
}

func TestSecretShapesNegative(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	img := make([]byte, 256<<10)
	for i := range img {
		img[i] = byte(rng.Uint32())
	}
	tests := []struct{ desc, text string }{
		{"task list", "see the task-list and ask-for-help pages; risk-assessment-2024-q3-report-final"},
		{"skeleton", "skeleton screens, sk8er boi, desk-lamp"},
		{"kebab slug after sk-", "pip install sk-learn-model-2024-final-version-with-extras"},
		{"short sk-", "sk-12345"},
		{"stripe test key", "sk_test_" + body(24)},
		{"stripe publishable", "pk_live_" + body(24)},
		{"ghp too short", "ghp_" + body(20)},
		{"ghp one class", "ghp_" + strings.Repeat("abcdefghij", 4)},
		{"ghp glued to a word", "xghp_" + body(36)},
		{"aws too long", "AKIA" + "IOSFODNN7EXAMPLEX"},
		{"aws lower-case tail", "AKIA" + "IOSFODNN7EXAMPLEabc"},
		{"aws glued to a word", "XAKIA" + "IOSFODNN7EXAMPLE"},
		{"aws too short", "AKIA" + "IOSFODNN7EXAM"},
		{"google too short", "AIza" + body(30)},
		{"slack no digits", "xoxb-abcdefghijklmno"},
		{"slack other letter", "xoxo-1234567890-gossip"},
		{"jwt header only", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"},
		{"jwt payload not json", "eyJhbGciOiJIUzI1NiJ9.c29tZXRoaW5nLWVsc2U.sig"},
		{"jwt short", "eyJhbGc.eyJzdWI.x"},
		{"certificate", "-----BEGIN CERTIFICATE-----\nMIIB" + body(60) + "\n-----END CERTIFICATE-----"},
		{"public key", "-----BEGIN PUBLIC KEY-----\nMIIB" + body(60) + "\n-----END PUBLIC KEY-----"},
		{"bearer reference", "Authorization: Bearer secret:linear"},
		{"bearer prose", "Bearer authentication is described in RFC 6750; a bearer token must be kept safe."},
		{"bearer one class", "Bearer abcdefghijklmnopqrstuvwxyz"},
		{"uuid and digests", "id 123e4567-e89b-12d3-a456-426614174000 sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
		{"base64 image", `{"image":"data:image/png;base64,` + base64.StdEncoding.EncodeToString(img) + `"}`},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if ContainsSecretShape([]byte(tt.text)) {
				t.Fatalf("ContainsSecretShape flagged %v in %.200q", SecretShapes([]byte(tt.text)), tt.text)
			}
			if out := mustRedactor(t, nil).Redact([]byte(tt.text)); string(out) != tt.text {
				t.Fatalf("Redact changed clean text: %.200q", out)
			}
		})
	}
}

func TestRedactShapesKeepsJSONValid(t *testing.T) {
	args := map[string]any{
		"token":   "ghp_" + body(36),
		"note":    "use sk-" + body(48) + "\nthen \"quote\" and \\ backslash",
		"key":     "-----BEGIN EC " + "PRIVATE KEY-----\n" + body(80) + "\n-----END EC " + "PRIVATE KEY-----\n",
		"nested":  []any{"Bearer " + body(30), "clean"},
		"unicode": "héllo AKIA" + "IOSFODNN7EXAMPLE <tag>",
	}
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	out := mustRedactor(t, nil).Redact(b)
	if !json.Valid(out) {
		t.Fatalf("redacted JSON is invalid: %s", out)
	}
	if ContainsSecretShape(out) {
		t.Fatalf("shapes left after redaction: %v in %s", SecretShapes(out), out)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if got["token"] != RedactedMarker || got["nested"].([]any)[1] != "clean" {
		t.Fatalf("unexpected redaction: %s", out)
	}
}

func mustRedactor(t testing.TB, secrets map[string]string) *Redactor {
	t.Helper()
	r, err := NewRedactor(secrets)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
