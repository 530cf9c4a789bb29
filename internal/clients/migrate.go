package clients

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/countersign/countersign/internal/vault"
)

// Moving plaintext env values into the keychain while wrapping. Wrap asks
// WrapOptions.Migrate which values of an entry's env block to move; each
// moved value is replaced in place by its reference text "secret:NAME" (so
// nothing else in the entry moves), and the shim gets "--env KEY=secret:NAME"
// before "--", which is what the child actually receives. The journal never
// holds an env value: records cover only command and args.

// MigrateFunc stores the secret-looking values of one server's env (string
// values only) and returns the shim --env specs ("KEY=secret:NAME") and, for
// each moved KEY, the secret NAME. It must be all or nothing.
type MigrateFunc func(server string, env map[string]string) (specs []string, moved map[string]string, err error)

// envKeys are the member names clients keep a server's environment under.
var envKeys = []string{"env", "envs", "environment"}

// SecretRef is the text that replaces a migrated value in a config file.
func SecretRef(name string) string { return vault.RefPrefix + name }

// envBlock returns the env object of an entry and its decoded path: on the
// launch holder (Zed's legacy command object, Cline's transport) or on the
// entry itself.
func envBlock(e *entry) (*node, []any) {
	type place struct {
		n    *node
		path []any
	}
	places := []place{{e.node, e.path}}
	if e.launch != nil && e.launch.holder != e.node {
		places = append([]place{{e.launch.holder, e.launch.holderPath}}, places...)
	}
	for _, p := range places {
		for _, k := range envKeys {
			if v, dup := p.n.get(k); v != nil && v.kind == kObject && !dup {
				return v, appendPath(p.path, k)
			}
		}
	}
	return nil, nil
}

// migration is what Wrap decided for one entry's env.
type migration struct {
	specs   []string          // shim --env values, sorted
	moved   map[string]string // KEY -> secret name
	envPath []any
	splices []splice // value -> "secret:NAME" in place
	swaps   []swap   // what to scrub from backups
}

// swap is one text to replace in backups of the file: the old token (or the
// bare value) and its reference.
type swap struct{ old, new string }

// minBareValue is the shortest decoded value scrubbed on its own from a
// backup (besides its exact token): shorter ones could match unrelated text.
const minBareValue = 12

// scrubber returns a function that removes every moved value from a copy of
// the file.
func scrubber(swaps []swap) func([]byte) []byte {
	return func(b []byte) []byte {
		for _, s := range swaps {
			b = bytes.ReplaceAll(b, []byte(s.old), []byte(s.new))
		}
		return b
	}
}

// planMigration calls migrate for the plaintext string values of e's env.
// It returns nil when there is nothing to move.
func planMigration(src []byte, f Format, e *entry, migrate MigrateFunc) (*migration, error) {
	env, path := envBlock(e)
	if env == nil {
		return nil, nil
	}
	plain := map[string]string{}
	nodes := map[string]*node{}
	for _, m := range env.members {
		if m.val.kind == kString && m.val.spanOK && !containsAny(env.dupKeys, m.key) {
			plain[m.key], nodes[m.key] = m.val.str, m.val
		}
	}
	if len(plain) == 0 {
		return nil, nil
	}
	specs, moved, err := migrate(e.Name, plain)
	if err != nil {
		return nil, fmt.Errorf("secrets not moved, so not wrapped: %w", err)
	}
	if len(moved) == 0 {
		return nil, nil
	}
	mg := &migration{specs: append([]string(nil), specs...), moved: moved, envPath: path}
	sort.Strings(mg.specs)
	for k, name := range moved {
		n, ok := nodes[k]
		if !ok {
			return nil, fmt.Errorf("secrets not moved, so not wrapped: %q is not a plaintext value of this entry", k)
		}
		if strings.ContainsAny(name, "\"\\'\n") {
			return nil, fmt.Errorf("secrets not moved, so not wrapped: secret name %q cannot be written", name)
		}
		// A double-quoted string reads the same in JSON, TOML and YAML.
		ref := `"` + SecretRef(name) + `"`
		mg.splices = append(mg.splices, splice{n.start, n.end, ref})
		mg.swaps = append(mg.swaps, swap{string(src[n.start:n.end]), ref})
		if len(n.str) >= minBareValue {
			mg.swaps = append(mg.swaps, swap{n.str, SecretRef(name)})
		}
	}
	return mg, nil
}

// applyTo sets the migrated values in a decoded document (for validation).
func (mg *migration) applyTo(doc any) error {
	holder, err := lookup(doc, mg.envPath)
	if err != nil {
		return err
	}
	for k, name := range mg.moved {
		holder[k] = SecretRef(name)
	}
	return nil
}

// shimEnv is the --env specs for the shim (none for a nil migration).
func (mg *migration) shimEnv() []string {
	if mg == nil {
		return nil
	}
	return mg.specs
}

// keys lists an entry's moved keys and their secrets, sorted.
func (mg *migration) keys() []MigratedKey {
	out := make([]MigratedKey, 0, len(mg.moved))
	for k, n := range mg.moved {
		out = append(out, MigratedKey{Key: k, Secret: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// secretRefsInShim returns the --env flags of a wrapped argv that take a
// value from the keychain ("KEY=secret:NAME"), in order.
func secretRefsInShim(argv []string) []string {
	k := wrappedAt(argv)
	if k < 0 {
		if _, remote := isRemoteWrapped(argv); !remote {
			return nil
		}
		k = len(argv)
	}
	var out []string
	for i := 2; i < k; i++ {
		a := argv[i]
		var v, sep string
		switch {
		case (a == "--env" || a == "--header") && i+1 < k:
			v, sep = argv[i+1], map[string]string{"--env": "=", "--header": ":"}[a]
			i++
		case strings.HasPrefix(a, "--env="):
			v, sep = strings.TrimPrefix(a, "--env="), "="
		case strings.HasPrefix(a, "--header="):
			v, sep = strings.TrimPrefix(a, "--header="), ":"
		default:
			continue
		}
		if _, ref, ok := strings.Cut(v, sep); ok && strings.Contains(ref, "secret:") {
			out = append(out, v)
		}
	}
	return out
}

// swapsOf collects the backup scrubs of the wrapped entries.
func swapsOf(changes []Change) []swap {
	var out []swap
	for _, ch := range changes {
		if ch.Action == ActionWrapped {
			out = append(out, ch.swaps...)
		}
	}
	return out
}

// keychainMigration runs vault.MigrateEnv for Wrap and undoes what it
// stored when the entry, or the whole file, was not written.
type keychainMigration struct {
	kc    vault.Keychain
	dry   bool
	byKey map[string][]*vault.EnvMigration // server name -> migrations made
}

func newKeychainMigration(kc vault.Keychain, dry bool) *keychainMigration {
	if dry {
		kc = vault.Overlay(kc)
	}
	return &keychainMigration{kc: kc, dry: dry, byKey: map[string][]*vault.EnvMigration{}}
}

func (k *keychainMigration) migrate(ctx context.Context) MigrateFunc {
	return func(server string, env map[string]string) ([]string, map[string]string, error) {
		m, err := vault.MigrateEnv(ctx, k.kc, server, env)
		if err != nil {
			return nil, nil, err
		}
		k.byKey[server] = append(k.byKey[server], m)
		return m.Specs, m.Moved, nil
	}
}

// settle deletes the keychain items created for entries that did not end
// up wrapped in the written file (all of them when written is false).
func (k *keychainMigration) settle(ctx context.Context, written bool, changes []Change) error {
	if k.dry {
		return nil
	}
	kept := map[string]bool{}
	if written {
		for _, ch := range changes {
			if ch.Action == ActionWrapped && len(ch.Migrated) > 0 {
				kept[ch.Server] = true
			}
		}
	}
	var errs []error
	for server, ms := range k.byKey {
		if kept[server] {
			continue
		}
		for _, m := range ms {
			if err := m.Rollback(ctx, k.kc); err != nil {
				errs = append(errs, fmt.Errorf("remove the keychain items made for %s again: %w", server, err))
			}
		}
	}
	return errors.Join(errs...)
}
