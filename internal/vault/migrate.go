package vault

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Moving plaintext values out of a client config's "env" block into the
// keychain. The client-config rewriter calls MigrateEnv with a server's env
// map, puts the returned specs into the shim arguments (--env SPEC each) and
// deletes the moved keys from the config; when it cannot write the config it
// calls Rollback, so no new keychain item outlives a failed rewrite.

// maxNameTries bounds the suffixes tried when a derived name is taken by a
// different value ("gh-github_token", "gh-github_token-2", ...).
const maxNameTries = 9

// placeholderRE matches values a client expands itself (${X}, ${env:X},
// ${input:x}, $X, %X%, {env:X}, <YOUR_TOKEN>): there is nothing to move.
var placeholderRE = regexp.MustCompile(`\$\{[^}]*\}|^\$[A-Za-z_][A-Za-z0-9_]*$|%[A-Za-z_][A-Za-z0-9_]*%|\{(env|file):[^}]*\}|^<[^<>]+>$`)

// SecretLooking reports whether the environment variable key=value looks
// like a plaintext secret worth moving to the keychain: a literal value
// (not empty, not a placeholder the client expands) under a secret-looking
// name (…_KEY, …_TOKEN, …_SECRET, …_PAT, …PASSWORD…, API_KEY, TOKEN), or
// any value with a well-known key shape (sk-…, ghp_…, xoxb-…, AKIA…, JWTs,
// private keys). It never logs or returns the value.
func SecretLooking(key, value string) bool {
	v := strings.TrimSpace(value)
	if v == "" || placeholderRE.MatchString(v) || IsReference(v) {
		return false
	}
	return secretLookingKey(key) || ContainsSecretShape([]byte(value))
}

func secretLookingKey(key string) bool {
	u := strings.ToUpper(key)
	switch u {
	case "API_KEY", "APIKEY", "TOKEN", "SECRET", "PASSWORD", "AUTHORIZATION":
		return true
	}
	for _, s := range []string{"_KEY", "_TOKEN", "_SECRET", "_PAT", "_APIKEY", "_CREDENTIALS"} {
		if strings.HasSuffix(u, s) {
			return true
		}
	}
	return strings.Contains(u, "PASSWORD") || strings.Contains(u, "PASSWD") || strings.Contains(u, "SECRET")
}

// DerivedName returns the secret name a migrated variable is stored under:
// "<server>-<lowercased key>", with every byte a name cannot hold replaced by
// '-', a leading non-alphanumeric dropped, and cut to MaxNameLen. Examples:
// ("github", "GITHUB_TOKEN") → "github-github_token"; ("My Server/1",
// "API_KEY") → "my-server-1-api_key".
func DerivedName(server, key string) string {
	raw := strings.ToLower(server) + "-" + strings.ToLower(key)
	b := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !isNameByte(c) {
			c = '-'
		}
		if c == '-' && len(b) > 0 && b[len(b)-1] == '-' {
			continue // collapse runs of replaced bytes
		}
		b = append(b, c)
	}
	s := strings.TrimLeft(string(b), "-_.")
	if s == "" {
		s = "secret"
	}
	if len(s) > MaxNameLen {
		s = s[:MaxNameLen]
	}
	return s
}

// EnvMigration is the outcome of MigrateEnv.
type EnvMigration struct {
	// Specs are the shim --env values, "KEY=secret:NAME", sorted by KEY.
	Specs []string
	// Moved maps each migrated KEY to its secret name: the rewriter deletes
	// these keys from the config's env block. Keys not in Moved stay.
	Moved map[string]string
	// Created are the names this migration added to the keychain (a name
	// that already held the same value is reused, not created).
	Created []string
}

// MigrateEnv stores every secret-looking value of env (see SecretLooking)
// in kc under DerivedName(server, KEY) and returns the references that
// replace them. A derived name already holding the same value is reused; one
// holding a different value is never overwritten: "-2", "-3", ... are tried.
// It is all or nothing: on any error the items it created are deleted again
// and the error (which never contains a value) is returned. Values that
// cannot travel in an environment variable (NUL bytes, too large) are errors,
// not silently left in the config.
func MigrateEnv(ctx context.Context, kc Keychain, server string, env map[string]string) (*EnvMigration, error) {
	keys := make([]string, 0, len(env))
	for k, v := range env {
		if SecretLooking(k, v) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !validEnvKey(k) {
			return nil, fmt.Errorf("%w: migrate %s: %q is not a variable name the shim can set", ErrInvalidReference, server, k)
		}
	}
	m := &EnvMigration{Moved: map[string]string{}}
	taken := map[string]bool{} // names used by this migration already
	for _, k := range keys {
		name, created, err := storeUnique(ctx, kc, DerivedName(server, k), env[k], taken)
		if err != nil {
			m.rollback(ctx, kc)
			return nil, fmt.Errorf("migrate %s variable %s: %w", server, k, err)
		}
		taken[name] = true
		if created {
			m.Created = append(m.Created, name)
		}
		m.Moved[k] = name
		m.Specs = append(m.Specs, k+"="+RefPrefix+name)
	}
	return m, nil
}

// storeUnique stores value under base, or base-2, base-3, ...: the first
// name that is free (created) or already holds exactly value (reused).
func storeUnique(ctx context.Context, kc Keychain, base, value string, taken map[string]bool) (name string, created bool, err error) {
	for i := 1; i <= maxNameTries; i++ {
		name = base
		if i > 1 {
			suffix := "-" + strconv.Itoa(i)
			if len(base)+len(suffix) > MaxNameLen {
				name = base[:MaxNameLen-len(suffix)]
			}
			name += suffix
		}
		if taken[name] {
			continue
		}
		cur, err := kc.Get(ctx, name)
		switch {
		case errors.Is(err, ErrNotFound):
			if err := kc.Set(ctx, name, value); err != nil {
				return "", false, err
			}
			return name, true, nil
		case err != nil:
			return "", false, err
		case subtle.ConstantTimeCompare([]byte(cur), []byte(value)) == 1:
			return name, false, nil
		}
	}
	return "", false, fmt.Errorf("%w: %q and %d variants are taken by other values; store it yourself with countersign secrets set", ErrInvalidName, base, maxNameTries-1)
}

// Rollback deletes the keychain items the migration created, for a
// rewriter that could not write the config. Items it reused stay.
func (m *EnvMigration) Rollback(ctx context.Context, kc Keychain) error {
	return m.rollback(ctx, kc)
}

func (m *EnvMigration) rollback(ctx context.Context, kc Keychain) error {
	var errs []error
	for _, name := range m.Created {
		if err := kc.Delete(ctx, name); err != nil && !errors.Is(err, ErrNotFound) {
			errs = append(errs, err)
		}
	}
	m.Created = nil
	return errors.Join(errs...)
}
