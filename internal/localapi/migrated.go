package localapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/countersign/countersign/internal/clients"
)

// SecretRecorder records a secret's metadata in the core: *Client over the
// socket (the CLI), or the core itself (the desktop app).
type SecretRecorder interface {
	PutSecret(ctx context.Context, name string, req SecretPut) (SecretPutResult, error)
}

// RecordMigrated tells the core about every secret a migration (wrap with
// secret migration) stored in the keychain, with a note saying where it came
// from, so `secrets list` shows it. The values are already in the keychain:
// an error here leaves them there, unlisted, and says which.
func RecordMigrated(ctx context.Context, r SecretRecorder, res clients.ApplyResult) error {
	var errs []error
	for _, f := range res.Files {
		for _, s := range f.Servers {
			for _, m := range s.Migrated {
				note := fmt.Sprintf("moved from the %s config (server %s, %s)", f.Client, s.Server, m.Key)
				if _, err := r.PutSecret(ctx, m.Secret, SecretPut{Note: &note}); err != nil {
					errs = append(errs, fmt.Errorf("secret %s is in the keychain but Countersign could not record it: %w", m.Secret, err))
				}
			}
		}
	}
	return errors.Join(errs...)
}
