package clients

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/countersign/countersign/internal/vault"
)

// emptyKeychain is a keychain with nothing in it; vault.Overlay keeps the
// writes of a test in memory on top of it.
type emptyKeychain struct{}

func (emptyKeychain) Get(_ context.Context, name string) (string, error) {
	return "", fmt.Errorf("%w: %s", vault.ErrNotFound, name)
}
func (emptyKeychain) Set(context.Context, string, string) error { return nil }
func (emptyKeychain) Delete(_ context.Context, name string) error {
	return fmt.Errorf("%w: %s", vault.ErrNotFound, name)
}

const fixtureSecret = "sk-test-REPLACE-ME"

// TestWrapMigrateEveryFixture wraps every fixture with secret migration:
// each wrapped entry that held the fixture key in its env now holds a
// secret:NAME reference in the same place, its shim gets --env KEY=secret:NAME,
// the value is in the keychain, and unwrap refuses to strip the references.
func TestWrapMigrateEveryFixture(t *testing.T) {
	migrated := 0
	for _, ff := range fixtureFiles(t) {
		t.Run(ff.path, func(t *testing.T) {
			src, err := os.ReadFile(ff.path)
			if err != nil {
				t.Fatal(err)
			}
			kc := vault.Overlay(emptyKeychain{})
			ctx := context.Background()
			opts := WrapOptions{ShimPath: testShim, ClientID: ff.client,
				Migrate: func(server string, env map[string]string) ([]string, map[string]string, error) {
					m, err := vault.MigrateEnv(ctx, kc, server, env)
					if err != nil {
						return nil, nil, err
					}
					return m.Specs, m.Moved, nil
				}}
			out, changes, err := Wrap(src, ff.adapter, nil, opts)
			if err != nil {
				t.Fatalf("wrap: %v", err)
			}
			_, before, err := parseEntries(src, ff.adapter)
			if err != nil {
				t.Fatal(err)
			}
			plain := map[string]string{} // locator/KEY -> value in the original
			wrappedBefore := false
			for _, e := range before {
				wrappedBefore = wrappedBefore || e.Wrapped
				if env, _ := envBlock(e); env != nil {
					for _, m := range env.members {
						plain[e.Locator+"/"+m.key] = m.val.str
					}
				}
			}
			_, entries, err := parseEntries(out, ff.adapter)
			if err != nil {
				t.Fatal(err)
			}
			byLoc := map[string]*entry{}
			for _, e := range entries {
				byLoc[e.Locator] = e
			}
			var refs []string
			for _, ch := range changes {
				if ch.Action != ActionWrapped || len(ch.Migrated) == 0 {
					continue
				}
				migrated++
				e := byLoc[ch.Locator]
				env, _ := envBlock(e)
				argv := append([]string{e.Command}, e.Args...)
				for _, m := range ch.Migrated {
					if ch.Transport == TransportRemote { // a header's secret: --header 'Key: [Scheme ]secret:NAME'
						i := slices.IndexFunc(argv, func(a string) bool {
							return strings.HasPrefix(a, m.Key+": ") && strings.HasSuffix(a, SecretRef(m.Secret))
						})
						got, err := kc.Get(ctx, m.Secret)
						if i < 1 || argv[i-1] != "--header" || err != nil || got == "" || !strings.Contains(string(src), got) {
							t.Errorf("%s: header %s: args %q, keychain %v", ch.Server, m.Key, argv, err)
						}
						refs = append(refs, ch.Locator)
						continue
					}
					if v, _ := env.get(m.Key); v == nil || v.str != SecretRef(m.Secret) {
						t.Errorf("%s: env %s is not %q after the migration", ch.Server, m.Key, SecretRef(m.Secret))
					}
					spec := m.Key + "=" + SecretRef(m.Secret)
					if !slices.Contains(argv, spec) || argv[slices.Index(argv, spec)-1] != "--env" {
						t.Errorf("%s: shim args %q lack --env %s", ch.Server, argv, spec)
					}
					if got, err := kc.Get(ctx, m.Secret); err != nil || got != plain[ch.Locator+"/"+m.Key] {
						t.Errorf("%s: keychain %s = %q, %v", ch.Server, m.Secret, got, err)
					}
					refs = append(refs, ch.Locator)
				}
			}
			for _, e := range entries {
				if env, _ := envBlock(e); env != nil && e.Wrapped {
					for _, m := range env.members {
						if m.val.kind == kString && vault.SecretLooking(m.key, m.val.str) {
							t.Errorf("%s: wrapped entry still holds the plaintext under %s", e.Name, m.key)
						}
					}
				}
			}
			var recs []Record
			for _, ch := range changes {
				if ch.Record != nil {
					recs = append(recs, *ch.Record)
				}
			}
			back, uchanges, err := Unwrap(out, ff.adapter, nil, UnwrapOptions{Records: recs})
			if err != nil {
				t.Fatalf("unwrap: %v", err)
			}
			for _, ch := range uchanges {
				if slices.Contains(refs, ch.Locator) && (ch.Action != ActionSkipped || !strings.Contains(ch.Reason, "keychain")) {
					t.Errorf("unwrap of migrated %s: %s (%s); want skipped", ch.Server, ch.Action, ch.Reason)
				}
			}
			if len(refs) == 0 && !wrappedBefore && string(back) != string(src) {
				t.Errorf("nothing migrated, but unwrap(wrap(x)) != x")
			}
		})
	}
	if migrated < 10 {
		t.Errorf("only %d entries migrated across the fixtures; the fixtures hold more plaintext keys", migrated)
	}
}

// TestApplyMigrateScrubsBackups runs Apply twice on a real file: a plain
// wrap and unwrap leave a backup with the key in it, then a wrap with
// migration must leave the key in no file under the home and the config.
func TestApplyMigrateScrubsBackups(t *testing.T) {
	home := t.TempDir()
	state := filepath.Join(home, "state")
	env := Env{OS: "linux", Home: home}
	copyFixture(t, "cursor/mcp.json", filepath.Join(home, ".cursor", "mcp.json"))
	ctx := context.Background()
	kc := vault.Overlay(emptyKeychain{})
	base := ApplyRequest{Client: "cursor", ShimPath: testShim, Home: state}

	wrap := base
	if res, err := Apply(ctx, env, wrap); err != nil || res.Failed() {
		t.Fatalf("wrap: %+v, %v", res, err)
	}
	unwrap := base
	unwrap.Unwrap, unwrap.ShimPath = true, ""
	if res, err := Apply(ctx, env, unwrap); err != nil || res.Failed() {
		t.Fatalf("unwrap: %+v, %v", res, err)
	}
	if n := filesHolding(t, home, fixtureSecret); n < 2 {
		t.Fatalf("setup: the key is in %d files, want the config and a backup", n)
	}

	dry := base
	dry.DryRun, dry.MigrateSecrets, dry.Keychain = true, true, kc
	res, err := Apply(ctx, env, dry)
	if err != nil || res.Failed() || len(res.Files) != 1 || !strings.Contains(res.Files[0].Diff, "secret:") {
		t.Fatalf("dry run: %+v, %v", res, err)
	}
	if strings.Contains(res.Files[0].Diff, fixtureSecret) {
		t.Errorf("the dry-run diff shows the key")
	}
	if _, err := kc.Get(ctx, "stripe-stripe_secret_key"); err == nil {
		t.Errorf("a dry run stored a secret")
	}

	mig := base
	mig.MigrateSecrets, mig.Keychain = true, kc
	res, err = Apply(ctx, env, mig)
	if err != nil || res.Failed() {
		t.Fatalf("migrate: %+v, %v", res, err)
	}
	moved := 0
	for _, s := range res.Files[0].Servers {
		moved += len(s.Migrated)
		for _, m := range s.Migrated {
			if v, err := kc.Get(ctx, m.Secret); err != nil || v != fixtureSecret {
				t.Errorf("keychain %s: %v", m.Secret, err)
			}
		}
	}
	if moved == 0 {
		t.Fatalf("nothing migrated: %+v", res)
	}
	if n := filesHolding(t, home, fixtureSecret); n != 0 {
		t.Errorf("after the migration the key is still in %d file(s) under the home", n)
	}
}

// filesHolding counts the files under dir whose bytes contain s.
func filesHolding(t *testing.T, dir, s string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), s) {
			t.Logf("holds the key: %s", p)
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A server present in two files of one client (VS Code and VS Code
// Insiders) is changed only in the file ApplyRequest.Path names.
func TestApplyPathLimitsToOneFile(t *testing.T) {
	home := t.TempDir()
	env := Env{OS: "linux", Home: home}
	stable := filepath.Join(home, ".config", "Code", "User", "mcp.json")
	insiders := filepath.Join(home, ".config", "Code - Insiders", "User", "mcp.json")
	copyFixture(t, "vscode/mcp.json", stable)
	copyFixture(t, "vscode/mcp.json", insiders)
	before, _ := os.ReadFile(insiders)
	all, err := Apply(context.Background(), env, ApplyRequest{Client: "vscode", Names: []string{"fetch"}, DryRun: true,
		ShimPath: testShim, Home: filepath.Join(home, "state")})
	if err != nil || len(all.Files) != 2 {
		t.Fatalf("without a path both files should be selected: %+v, %v", all, err)
	}
	res, err := Apply(context.Background(), env, ApplyRequest{Client: "vscode", Path: stable, Names: []string{"fetch"},
		ShimPath: testShim, Home: filepath.Join(home, "state")})
	if err != nil || res.Failed() || len(res.Files) != 1 || res.Files[0].Path != stable || !res.Files[0].Changed {
		t.Fatalf("Apply = %+v, %v", res, err)
	}
	if now, _ := os.ReadFile(insiders); string(now) != string(before) {
		t.Errorf("the other file of the client changed")
	}
	if now, _ := os.ReadFile(stable); string(now) == string(before) {
		t.Errorf("the named file did not change")
	}
}

// A remote entry whose Authorization header holds a literal token is wrapped
// only with migration: the token moves to the keychain, the shim gets
// --header 'Authorization: Bearer secret:NAME', no journal record keeps the
// original bytes, and the token is in no file afterwards (backups included).
func TestWrapRemoteMovesLiteralAuthorization(t *testing.T) {
	const token = "sk-live-0123456789abcdefghij"
	cfg := `{
  "mcpServers": {
    "linear": {
      "type": "http",
      "url": "https://mcp.linear.app/mcp",
      "headers": { "Authorization": "Bearer ` + token + `", "X-Team": "core" }
    }
  }
}
`
	src := []byte(cfg)
	opts := WrapOptions{ShimPath: testShim, ClientID: "claude-code"}
	_, changes, err := Wrap(src, AdapterMCPServers, nil, opts)
	if err != nil || len(changes) != 1 || changes[0].Action != ActionSkipped || !strings.Contains(changes[0].Reason, "--migrate-secrets") {
		t.Fatalf("without migration: %+v, %v", changes, err)
	}

	home := t.TempDir()
	path := filepath.Join(home, ".claude.json")
	writeFile(t, path, cfg, 0o600)
	kc := vault.Overlay(emptyKeychain{})
	res, err := Apply(context.Background(), Env{OS: "linux", Home: home}, ApplyRequest{Client: "claude-code", ShimPath: testShim,
		Home: filepath.Join(home, "state"), MigrateSecrets: true, Keychain: kc})
	if err != nil || res.Failed() || len(res.Files) != 1 {
		t.Fatalf("Apply: %+v, %v", res, err)
	}
	s := res.Files[0].Servers[0]
	if s.Action != "wrapped" || len(s.Migrated) != 1 || s.Migrated[0].Key != "Authorization" {
		t.Fatalf("change: %+v", s)
	}
	if v, err := kc.Get(context.Background(), s.Migrated[0].Secret); err != nil || v != token {
		t.Fatalf("keychain %s: %v (value matches %v)", s.Migrated[0].Secret, err, v == token)
	}
	out, _ := os.ReadFile(path)
	servers, err := Parse(out, AdapterMCPServers)
	if err != nil || len(servers) != 1 || !servers[0].Wrapped {
		t.Fatalf("rewritten: %v %+v\n%s", err, servers, out)
	}
	want := "Authorization: Bearer " + SecretRef(s.Migrated[0].Secret)
	if !slices.Contains(servers[0].Args, want) || !slices.Contains(servers[0].Args, "X-Team: core") {
		t.Errorf("shim args %q lack %q", servers[0].Args, want)
	}
	if n := filesHolding(t, home, token[8:]); n != 0 {
		t.Errorf("the token is still in %d file(s) (config, backup or journal)", n)
	}
	back, uch, err := Unwrap(out, AdapterMCPServers, nil, UnwrapOptions{})
	if err != nil || string(back) != string(out) || uch[0].Action != ActionSkipped || !strings.Contains(uch[0].Reason, "keychain") {
		t.Errorf("unwrap of the migrated entry: %+v, %v", uch, err)
	}
}

// Plain http to another machine is not wrapped unless the person chose it
// (mcp-remote's --allow-http, carried over); loopback http is fine.
func TestWrapRemotePlainHTTP(t *testing.T) {
	src := []byte(`{"mcpServers": {
  "lan": {"url": "http://10.0.0.5:8080/mcp"},
  "local": {"url": "http://127.0.0.1:3001/mcp"},
  "bridge": {"command": "npx", "args": ["-y", "mcp-remote", "http://10.0.0.6/mcp", "--allow-http"]}
}}`)
	_, changes, err := Wrap(src, AdapterMCPServers, nil, WrapOptions{ShimPath: testShim, ClientID: "cursor"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Change{}
	for _, ch := range changes {
		got[ch.Server] = ch
	}
	if ch := got["lan"]; ch.Action != ActionSkipped || !strings.Contains(ch.Reason, "plain http") {
		t.Errorf("lan: %+v", ch)
	}
	if ch := got["local"]; ch.Action != ActionWrapped {
		t.Errorf("local: %+v", ch)
	}
	if ch := got["bridge"]; ch.Action != ActionWrapped {
		t.Errorf("bridge: %+v", ch)
	}
	out, _, _ := Wrap(src, AdapterMCPServers, []string{"bridge"}, WrapOptions{ShimPath: testShim, ClientID: "cursor"})
	servers, _ := Parse(out, AdapterMCPServers)
	for _, s := range servers {
		if s.Name == "bridge" && !slices.Contains(s.Args, "--allow-http") {
			t.Errorf("the bridge's --allow-http was dropped: %q", s.Args)
		}
	}
}
