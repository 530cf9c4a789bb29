package core

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/countersign/countersign/internal/clients"
	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/store"
	"github.com/countersign/countersign/internal/vault"
)

// Secrets: the core keeps metadata about keychain secrets (names, notes,
// which servers used them and when), never a value. The CLI writes values
// to the keychain itself and tells the core through PutSecret; shims tell
// it which secrets they injected through SecretsUsed.

// Secrets lists every secret with its metadata, the client config entries
// that reference it now, and the servers launched with it.
func (c *Core) Secrets(ctx context.Context) ([]localapi.SecretInfo, error) {
	secs, err := c.store.Secrets(ctx)
	if err != nil {
		return nil, fmt.Errorf("core: secrets: %w", err)
	}
	uses, err := c.store.SecretUses(ctx)
	if err != nil {
		return nil, fmt.Errorf("core: secrets: %w", err)
	}
	refs := configSecretRefs(c)
	running := c.runningShims()
	out := make([]localapi.SecretInfo, 0, len(secs))
	for _, s := range secs {
		out = append(out, secretInfo(s, uses, refs[s.Name], running))
	}
	return out, nil
}

// PutSecret records that the CLI stored (or replaced) the value of name in
// the keychain.
func (c *Core) PutSecret(ctx context.Context, name string, req localapi.SecretPut) (localapi.SecretPutResult, error) {
	if err := vault.ValidateName(name); err != nil {
		return localapi.SecretPutResult{}, fmt.Errorf("%w: %v", localapi.ErrInvalid, err)
	}
	if req.Note != nil && len(*req.Note) > store.MaxSecretNote {
		return localapi.SecretPutResult{}, fmt.Errorf("%w: the note is longer than %d bytes", localapi.ErrInvalid, store.MaxSecretNote)
	}
	if req.Note != nil && vault.ContainsSecretShape([]byte(*req.Note)) {
		// A note is shown everywhere; a key pasted into it would be too.
		return localapi.SecretPutResult{}, fmt.Errorf("%w: the note looks like it contains a key; notes are not secret, put the key in the value", localapi.ErrInvalid)
	}
	s, created, err := c.store.PutSecret(ctx, name, req.Note)
	if err != nil {
		return localapi.SecretPutResult{}, fmt.Errorf("core: put secret: %w", err)
	}
	uses, err := c.store.SecretUses(ctx)
	if err != nil {
		return localapi.SecretPutResult{}, fmt.Errorf("core: put secret: %w", err)
	}
	info := secretInfo(s, uses, configSecretRefs(c)[name], c.runningShims())
	c.log.Info("secret stored", "name", name, "created", created)
	return localapi.SecretPutResult{Secret: info, Created: created}, nil
}

// RemoveSecret deletes the metadata of name and its recorded uses. The
// caller has removed the value from the keychain.
func (c *Core) RemoveSecret(ctx context.Context, name string) error {
	found, err := c.store.DeleteSecret(ctx, name)
	if err != nil {
		return fmt.Errorf("core: remove secret: %w", err)
	}
	if !found {
		return fmt.Errorf("no secret named %q: %w", name, localapi.ErrNotFound)
	}
	c.log.Info("secret removed", "name", name)
	return nil
}

// SecretsUsed records that a shim launched its server with these secrets.
func (c *Core) SecretsUsed(ctx context.Context, rep localapi.SecretUseReport) error {
	if rep.Server == "" || len(rep.Secrets) == 0 {
		return fmt.Errorf("%w: a secret use needs a server and secret names", localapi.ErrInvalid)
	}
	for _, n := range rep.Secrets {
		if err := vault.ValidateName(n); err != nil {
			return fmt.Errorf("%w: %v", localapi.ErrInvalid, err)
		}
	}
	if err := c.store.RecordSecretUses(ctx, rep.Server, rep.Client, rep.PID, time.Now(), rep.Secrets...); err != nil {
		return fmt.Errorf("core: record secret use: %w", err)
	}
	for _, n := range rep.Secrets {
		c.recordEvent(store.Event{Kind: store.EventSecretUsed, Server: rep.Server, Client: rep.Client, Secret: n})
	}
	c.log.Debug("secrets used", "server", rep.Server, "client", rep.Client, "secrets", rep.Secrets)
	return nil
}

// RedactHeldArgs masks well-known key shapes (API keys, tokens, JWTs,
// private keys) in the raw arguments of a held call. The core does not know
// the values of stored secrets (the shim that injected them masks those and
// flags the call through CallRequest.SecretInArgs); shapes are what it can
// mask on its own. Use it for what leaves the core besides the store (whose
// own hook masks shapes before a row is written): the broker's Pending.Args
// shown in popups and `countersign pending`. It returns args itself when
// nothing matches.
func RedactHeldArgs(args []byte) []byte {
	return (*vault.Redactor)(nil).Redact(args)
}

// runningShims maps "server\x00pid" of every connected shim session.
func (c *Core) runningShims() map[string]bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]bool, len(c.sessions))
	for _, s := range c.sessions {
		out[fmt.Sprintf("%s\x00%d", s.req.Server, s.req.PID)] = true
	}
	return out
}

func secretInfo(s store.Secret, uses []store.SecretUse, refs []localapi.SecretReference, running map[string]bool) localapi.SecretInfo {
	info := localapi.SecretInfo{
		Name: s.Name, Note: s.Note, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
		ReferencedBy: refs, UsedBy: []localapi.SecretUse{},
	}
	if info.ReferencedBy == nil {
		info.ReferencedBy = []localapi.SecretReference{}
	}
	for _, u := range uses {
		if u.Secret != s.Name {
			continue
		}
		info.UsedBy = append(info.UsedBy, localapi.SecretUse{
			Server: u.Server, Client: u.Client, FirstUsedAt: u.FirstUsedAt, LastUsedAt: u.LastUsedAt, Uses: u.Uses,
			Running: u.LastPID > 0 && running[fmt.Sprintf("%s\x00%d", u.Server, u.LastPID)],
		})
		if info.LastUsedAt == nil || u.LastUsedAt.After(*info.LastUsedAt) {
			t := u.LastUsedAt
			info.LastUsedAt = &t
		}
	}
	return info
}

// configSecretRefs finds, in every client config on this machine, the
// wrapped servers whose shim arguments reference secrets, by secret name.
// A config that cannot be read is skipped (clients reports it elsewhere).
func configSecretRefs(c *Core) map[string][]localapi.SecretReference {
	env, err := clients.EnvFromOS()
	if err != nil {
		c.log.Warn("cannot look for secret references in client configs", "err", err)
		return nil
	}
	out := map[string][]localapi.SecretReference{}
	for _, cl := range clients.Discover(env) {
		for _, cfg := range cl.Configs {
			for _, srv := range cfg.Servers {
				if !srv.Wrapped {
					continue
				}
				name, names := ShimSecretRefs(srv.Args)
				if name == "" {
					name = srv.Name
				}
				for _, n := range names {
					out[n] = append(out[n], localapi.SecretReference{Client: cl.ID, Server: name, Config: cfg.Path})
				}
			}
		}
	}
	return out
}

// ShimSecretRefs reads a shim argument vector ("shim --name gh --env
// K=secret:N ... -- cmd") and returns the --name value and the distinct
// secret names its --env and --header flags reference, sorted. Arguments
// after "--" belong to the server and are not read; malformed specs are
// skipped (the shim refuses them at launch).
func ShimSecretRefs(args []string) (name string, secrets []string) {
	var envs, headers []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		flag, val, hasVal := strings.Cut(a, "=")
		switch flag {
		case "--name", "--env", "--header":
		default:
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				break
			}
			i++
			val = args[i]
		}
		switch flag {
		case "--name":
			name = val
		case "--env":
			if _, err := vault.ParseEnvSpec(val); err == nil {
				envs = append(envs, val)
			}
		case "--header":
			if _, err := vault.ParseHeaderSpec(val); err == nil {
				headers = append(headers, val)
			}
		}
	}
	names, err := vault.ReferencedNames(envs, headers)
	if err != nil { // not reached: every spec parsed above
		return name, nil
	}
	return name, names
}
