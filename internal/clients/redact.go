package clients

import (
	"regexp"
	"strings"
)

// keyValue finds one "key: value" / "key = value" pair on a line of JSON,
// JSONC, TOML or YAML: group 2 is the key, group 4 the value (quoted or
// plain, up to a comma, comment or line end).
var keyValue = regexp.MustCompile(`(["']?)([A-Za-z0-9_.\-]+)(["']?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,#"'{}\[\]][^,#\r\n]*)`)

// RedactText masks plaintext secrets in config text meant for a person (a
// diff preview): values of secret-named keys (API_KEY, token, password,
// Authorization, ...) that are literal rather than placeholders, and any
// value shaped like a well-known key. The layout of the text is kept so a
// diff stays readable; a masked value reads "<redacted>".
func RedactText(s string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, line := range lines {
		line = keyValue.ReplaceAllStringFunc(line, func(m string) string {
			sub := keyValue.FindStringSubmatch(m)
			val := strings.TrimSpace(sub[4])
			unq := strings.Trim(val, `"'`)
			if !looksSecret(sub[2], unq) {
				return m
			}
			q := ""
			if strings.HasPrefix(val, `"`) || strings.HasPrefix(val, `'`) {
				q = val[:1]
			}
			return sub[1] + sub[2] + sub[3] + q + "<redacted>" + q
		})
		lines[i] = secretShape.ReplaceAllStringFunc(line, func(m string) string {
			// keep the non-key character the pattern may have matched first
			if m != "" && !isKeyChar(m[0]) {
				return m[:1] + "<redacted>"
			}
			return "<redacted>"
		})
	}
	return strings.Join(lines, "")
}

func isKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
