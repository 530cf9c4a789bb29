package cli

import (
	"context"
	"fmt"

	"github.com/countersign/countersign/internal/oauth"
	"github.com/countersign/countersign/internal/shim"
	"github.com/countersign/countersign/internal/vault"
)

// runRemoteShim resolves the --header specs from the keychain (a missing
// secret stops the shim before anything is sent) and runs the shim against
// the remote server.
func (e *env) runRemoteShim(ctx context.Context, cfg shim.Config, headerSpecs []string) error {
	var redactor *vault.Redactor
	if len(headerSpecs) > 0 {
		kc := vault.NewOSKeychain()
		h, err := vault.ResolveHeaders(ctx, kc, headerSpecs)
		if err != nil {
			return fmt.Errorf("not starting %s: %w", cfg.Name, err)
		}
		cfg.Headers = h
		names, err := vault.ReferencedNames(nil, headerSpecs)
		if err != nil {
			return err
		}
		if len(names) > 0 {
			secrets := map[string]string{}
			for _, n := range names {
				v, err := kc.Get(ctx, n)
				if err != nil {
					return fmt.Errorf("not starting %s: %w", cfg.Name, err)
				}
				secrets[n] = v
			}
			if redactor, err = vault.NewRedactor(secrets); err != nil {
				return err
			}
			go reportSecretUse(ctx, cfg.Socket, cfg.Name, cfg.Client, nil, headerSpecs, cfg.Log)
		}
	}
	if cfg.Headers.Get("Authorization") == "" {
		cfg.Auth = oauthSession(cfg)
	}
	cfg.Redact = redactor.Redact
	cfg.SecretIn = func(args []byte) string { return secretIn(redactor, args) }
	code, err := shim.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if code != 0 {
		return exitError{code}
	}
	return nil
}

// oauthSession gives the shim the server's OAuth sign-in (`countersign auth
// login`), read from the keychain only when the server asks for a token.
// It is nil (no OAuth) when the name cannot name a keychain item; an
// explicit --header Authorization replaces it.
func oauthSession(cfg shim.Config) shim.BearerSource {
	if _, err := oauth.ItemName(cfg.Name); err != nil {
		return nil
	}
	s, err := oauth.NewSession(oauth.NewStore(vault.NewOSKeychain()), cfg.Name, cfg.URL, nil,
		func(msg string, err error) { cfg.Log.Warn(msg, "err", err) })
	if err != nil {
		return nil
	}
	return s
}
