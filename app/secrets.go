package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/store"
	"github.com/countersign/countersign/internal/vault"
)

// keychain is what Secrets needs from the OS keychain; *vault.OSKeychain
// implements it.
type keychain interface {
	Get(ctx context.Context, name string) (string, error)
	Set(ctx context.Context, name, value string) error
	Delete(ctx context.Context, name string) error
}

// Secrets is bound to the window: keychain secrets and the core's metadata
// about them, kept in step the way `countersign secrets set|rm` keeps them.
// No method logs a value or puts one in an error.
type Secrets struct {
	core Core
	kc   keychain
}

// List returns every secret's metadata (names, notes, times, references,
// uses), never a value.
func (s *Secrets) List() ([]localapi.SecretInfo, error) {
	list, err := s.core.Secrets(context.Background())
	if err != nil {
		return nil, fmt.Errorf("list secrets: %w", err)
	}
	return list, nil
}

// Set stores value under name in the keychain, then records it (with note)
// in the core. A new secret whose metadata cannot be recorded is removed
// from the keychain again.
func (s *Secrets) Set(name, value, note string) (localapi.SecretPutResult, error) {
	ctx := context.Background()
	if err := checkSecretPut(name, note); err != nil {
		return localapi.SecretPutResult{}, err
	}
	list, err := s.core.Secrets(ctx)
	if err != nil {
		return localapi.SecretPutResult{}, fmt.Errorf("nothing stored: %w", err)
	}
	_, existed := findSecret(list, name)
	if err := s.kc.Set(ctx, name, value); err != nil {
		return localapi.SecretPutResult{}, fmt.Errorf("nothing stored: %w", err)
	}
	res, err := s.core.PutSecret(ctx, name, localapi.SecretPut{Note: &note})
	if err != nil {
		return localapi.SecretPutResult{}, s.undoSet(ctx, name, existed, err)
	}
	return res, nil
}

// Remove deletes name from the keychain and the core. A secret that a
// client config references or a running server was launched with is kept
// unless force is set.
func (s *Secrets) Remove(name string, force bool) error {
	ctx := context.Background()
	if err := vault.ValidateName(name); err != nil {
		return err
	}
	list, err := s.core.Secrets(ctx)
	if err != nil {
		return fmt.Errorf("nothing removed: %w", err)
	}
	info, known := findSecret(list, name)
	if known && info.InUse() && !force {
		return fmt.Errorf("secret %s is still used by %s: those servers would not start without it; unwrap or edit them first, or remove it anyway", name, strings.Join(users(info), ", "))
	}
	kerr := s.kc.Delete(ctx, name)
	if kerr != nil && !errors.Is(kerr, vault.ErrNotFound) {
		return fmt.Errorf("nothing removed: %w", kerr)
	}
	if !known {
		if kerr != nil {
			return fmt.Errorf("no secret named %s", name)
		}
		return nil
	}
	if err := s.core.RemoveSecret(ctx, name); err != nil && !errors.Is(err, localapi.ErrNotFound) {
		return fmt.Errorf("removed %s from the keychain, but Countersign could not forget its metadata (remove it again): %w", name, err)
	}
	return nil
}

// Reveal returns the value of name from the keychain; the window calls it
// only when the person asks to see the value.
func (s *Secrets) Reveal(name string) (string, error) {
	v, err := s.kc.Get(context.Background(), name)
	if err != nil {
		return "", fmt.Errorf("reveal %s: %w", name, err)
	}
	return v, nil
}

// checkSecretPut refuses what the core would refuse, before the keychain is
// touched.
func checkSecretPut(name, note string) error {
	if err := vault.ValidateName(name); err != nil {
		return fmt.Errorf("nothing stored: %w", err)
	}
	if len(note) > store.MaxSecretNote {
		return fmt.Errorf("nothing stored: the note is %d bytes long, the limit is %d", len(note), store.MaxSecretNote)
	}
	if vault.ContainsSecretShape([]byte(note)) {
		return errors.New("nothing stored: the note looks like it contains a key; notes are shown everywhere, the key belongs in the value")
	}
	return nil
}

// undoSet undoes a keychain write the core could not record: a new secret
// is deleted again; a replaced value cannot be put back, which the error says.
func (s *Secrets) undoSet(ctx context.Context, name string, existed bool, err error) error {
	if existed {
		return fmt.Errorf("the value of %s was replaced in the keychain, but Countersign could not record it (save it again): %w", name, err)
	}
	uctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if derr := s.kc.Delete(uctx, name); derr != nil {
		return fmt.Errorf("Countersign could not record secret %s (%w), and removing it from the keychain again failed too: %v; remove it with: secret-tool clear service %s username %s", name, err, derr, vault.ServiceName, name)
	}
	return fmt.Errorf("nothing stored: Countersign could not record secret %s: %w", name, err)
}

func findSecret(list []localapi.SecretInfo, name string) (localapi.SecretInfo, bool) {
	for _, s := range list {
		if s.Name == name {
			return s, true
		}
	}
	return localapi.SecretInfo{}, false
}

// users names what keeps a secret in use: config references and running servers.
func users(info localapi.SecretInfo) []string {
	var out []string
	for _, r := range info.ReferencedBy {
		out = append(out, fmt.Sprintf("%s server %s (%s)", r.Client, r.Server, r.Config))
	}
	for _, u := range info.UsedBy {
		if u.Running {
			out = append(out, "running server "+u.Server)
		}
	}
	return out
}
