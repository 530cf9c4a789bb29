package vault

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		name    string
		ok      bool
		wantMsg string
	}{
		{"github", true, ""},
		{"OPENAI_KEY", true, ""},
		{"team.prod-key_2", true, ""},
		{"9lives", true, ""},
		{strings.Repeat("a", MaxNameLen), true, ""},
		{"", false, "the name is empty"},
		{strings.Repeat("a", MaxNameLen+1), false, "the limit is 128"},
		{"my key", false, "a space"},
		{"a/b", false, "a slash"},
		{`a\b`, false, "a slash"},
		{"..", false, "must start with a letter or digit"},
		{"-rf", false, "must start with a letter or digit"},
		{"_x", false, "must start with a letter or digit"},
		{"clé", false, "a non-ASCII character"},
		{"tab\tname", false, "a control character"},
		{"a:b", false, `the character ':'`},
		{"a#b", false, `the character '#'`}, // '#' is reserved for chunk accounts
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateName(tt.name)
			if tt.ok {
				if err != nil {
					t.Fatalf("ValidateName(%q) = %v, want nil", tt.name, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidName) {
				t.Fatalf("ValidateName(%q) = %v, want ErrInvalidName", tt.name, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
		})
	}
}

func TestValidateValue(t *testing.T) {
	tests := []struct {
		desc, value, want string
	}{
		{"empty", "", "the value is empty"},
		{"too large", strings.Repeat("x", MaxValueLen+1), "the limit is 65536"},
		{"nul", "ab\x00cd", "NUL byte"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			err := validateValue("k", tt.value)
			if !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("validateValue = %v, want ErrInvalidValue saying %q", err, tt.want)
			}
		})
	}
	if err := validateValue("k", strings.Repeat("x", MaxValueLen)); err != nil {
		t.Fatalf("a value of exactly MaxValueLen: %v", err)
	}
}

func TestErrorMessages(t *testing.T) {
	nf := &notFoundError{name: "github"}
	want := `secret "github" not found: store it with: printf %s "$VALUE" | countersign secrets set github`
	if nf.Error() != want {
		t.Errorf("not found:\n got %s\nwant %s", nf.Error(), want)
	}
	if !errors.Is(nf, ErrNotFound) || errors.Is(nf, ErrUnavailable) {
		t.Error("notFoundError must be ErrNotFound and only that")
	}
	un := &unavailableError{name: "github", op: "read", cause: errors.New("dial unix /x: connect: no such file")}
	if !errors.Is(un, ErrUnavailable) || errors.Is(un, ErrNotFound) {
		t.Error("unavailableError must be ErrUnavailable and only that")
	}
	for _, s := range []string{`secret "github"`, "keychain unavailable", "no such file", "Secret Service"} {
		if !strings.Contains(un.Error(), s) {
			t.Errorf("unavailable error %q lacks %q", un, s)
		}
	}
}

func TestScrubWithholdsValue(t *testing.T) {
	secret := "hunter2-very-secret\nsecond-line"
	tests := []struct {
		desc   string
		cause  string
		scrubs bool
	}{
		{"whole value", "exit status 1: " + secret, true},
		{"one line of it", "bad input: second-line", true},
		{"unrelated", "exit status 1: keychain not found", false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got := scrub(errors.New(tt.cause), secret).Error()
			if strings.Contains(got, "hunter2") || strings.Contains(got, "second-line") {
				t.Fatalf("scrubbed error still holds the value: %q", got)
			}
			if !tt.scrubs && got != tt.cause {
				t.Fatalf("unrelated error changed: %q", got)
			}
		})
	}
}
