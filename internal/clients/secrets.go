package clients

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// secretFields names the string fields of an entry that hold a plaintext
// secret: a secret-looking name (…_KEY, …_TOKEN, …_SECRET, …PASSWORD…)
// with a literal value, or any value shaped like a well-known key. Values are
// never returned.
func secretFields(n *node) []string {
	var out []string
	var walk func(n *node, name, path string)
	walk = func(n *node, name, path string) {
		switch n.kind {
		case kString:
			if looksSecret(name, n.str) {
				out = append(out, path)
			}
		case kObject:
			for _, m := range n.members {
				p := m.key
				if path != "" {
					p = path + "." + m.key
				}
				walk(m.val, m.key, p)
			}
		case kArray:
			for i, el := range n.elems {
				walk(el, "", path+"["+strconv.Itoa(i)+"]")
			}
		}
	}
	walk(n, "", "")
	return out
}

var (
	secretShape = regexp.MustCompile(`(^|[^A-Za-z0-9])(sk-[A-Za-z0-9_-]{6,}|sk_(live|test)_[A-Za-z0-9]{6,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abposr]-[A-Za-z0-9-]{6,}|AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|lin_api_[A-Za-z0-9_]{6,}|glpat-[A-Za-z0-9_-]{10,}|AIza[0-9A-Za-z_-]{30,})`)
	// placeholders the client expands: ${X}, ${env:X}, ${input:x}, $X, %X%, {env:X}, {file:p}, ${{ secrets.X }}, <YOUR_TOKEN>
	placeholder = regexp.MustCompile(`\$\{[^}]*\}|^\$[A-Za-z_][A-Za-z0-9_]*$|%[A-Za-z_][A-Za-z0-9_]*%|\{(env|file):[^}]*\}|<[^<>]+>`)
	// secretRef is a reference Countersign resolves from the keychain.
	secretRef = regexp.MustCompile(`^secret:[A-Za-z0-9][A-Za-z0-9._-]*$`)
	bearer    = regexp.MustCompile(`(?i)^(bearer|token|basic)\s+`)
)

func looksSecret(name, value string) bool {
	if secretShape.MatchString(value) {
		return true
	}
	if !secretName(name) {
		return false
	}
	v := strings.TrimSpace(bearer.ReplaceAllString(strings.TrimSpace(value), ""))
	if v == "" || placeholder.MatchString(v) || secretRef.MatchString(v) {
		return false
	}
	return true
}

// secretName matches names such as OPENAI_API_KEY, apiKey, github_token,
// PGPASSWORD and the Authorization header.
func secretName(name string) bool {
	u := strings.ToUpper(snake(name))
	if u == "AUTHORIZATION" || u == "X_API_KEY" || u == "API_KEY" || u == "TOKEN" || u == "SECRET" {
		return true
	}
	for _, s := range []string{"_KEY", "_TOKEN", "_SECRET", "_PAT", "_APIKEY"} {
		if strings.HasSuffix(u, s) {
			return true
		}
	}
	return strings.Contains(u, "PASSWORD") || strings.Contains(u, "PASSWD") || strings.Contains(u, "SECRET")
}

// snake turns camelCase and kebab-case into SNAKE_CASE boundaries.
func snake(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if r == '-' || r == '.' || r == ' ' {
			b.WriteRune('_')
			continue
		}
		if i > 0 && unicode.IsUpper(r) && unicode.IsLower(rs[i-1]) {
			b.WriteRune('_')
		}
		b.WriteRune(r)
	}
	return b.String()
}
