//go:build linux || darwin

package localapi

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// The test backend's secret methods: they echo what crossed the socket.

var lastSecretUse = make(chan SecretUseReport, 1)

func (b *backend) Secrets(ctx context.Context) ([]SecretInfo, error) { return nil, nil }

func (b *backend) PutSecret(ctx context.Context, name string, req SecretPut) (SecretPutResult, error) {
	if name == "bad name" {
		return SecretPutResult{}, fmt.Errorf("%w: invalid secret name", ErrInvalid)
	}
	note := "(kept)"
	if req.Note != nil {
		note = *req.Note
	}
	return SecretPutResult{Secret: SecretInfo{Name: name, Note: note}, Created: req.Note != nil}, nil
}

func (b *backend) RemoveSecret(ctx context.Context, name string) error {
	if name != "known" {
		return fmt.Errorf("no secret named %q: %w", name, ErrNotFound)
	}
	return nil
}

func (b *backend) SecretsUsed(ctx context.Context, rep SecretUseReport) error {
	lastSecretUse <- rep
	return nil
}

func TestSecretRoutesCrossTheSocket(t *testing.T) {
	c := NewClient(serve(t, newBackend()))
	defer c.Close()
	ctx := context.Background()

	list, err := c.Secrets(ctx)
	if err != nil || list == nil || len(list) != 0 {
		t.Fatalf("Secrets = %#v, %v; want an empty, non-nil list", list, err)
	}
	empty := ""
	for _, tc := range []struct {
		name     string
		note     *string
		wantNote string
	}{
		{"openai", nil, "(kept)"},
		{"openai", &empty, ""},
		{"a.b-c_d", ptr("scope: read-only / project X"), "scope: read-only / project X"},
		{"odd/name?x=1", ptr("n"), "n"}, // escaped into one path segment
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.PutSecret(ctx, tc.name, SecretPut{Note: tc.note})
			if err != nil || res.Secret.Name != tc.name || res.Secret.Note != tc.wantNote || res.Created != (tc.note != nil) {
				t.Errorf("PutSecret(%q) = %+v, %v", tc.name, res, err)
			}
		})
	}
	if _, err := c.PutSecret(ctx, "bad name", SecretPut{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad name: %v, want ErrInvalid", err)
	}
	if err := c.RemoveSecret(ctx, "known"); err != nil {
		t.Errorf("RemoveSecret(known) = %v", err)
	}
	if err := c.RemoveSecret(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RemoveSecret(nope) = %v, want ErrNotFound", err)
	}
	rep := SecretUseReport{Server: "gh", Client: "cursor", PID: 42, Secrets: []string{"github", "openai"}}
	if err := c.SecretsUsed(ctx, rep); err != nil {
		t.Fatal(err)
	}
	if got := <-lastSecretUse; !reflect.DeepEqual(got, rep) {
		t.Errorf("use report crossed as %+v, want %+v", got, rep)
	}
}

func TestSecretInfoInUse(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name string
		info SecretInfo
		want bool
	}{
		{"unused", SecretInfo{}, false},
		{"used before, not running", SecretInfo{UsedBy: []SecretUse{{Server: "gh", LastUsedAt: now}}}, false},
		{"running", SecretInfo{UsedBy: []SecretUse{{Server: "gh", Running: true}}}, true},
		{"in a config", SecretInfo{ReferencedBy: []SecretReference{{Client: "cursor", Server: "gh"}}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.info.InUse(); got != tc.want {
				t.Errorf("InUse = %v, want %v", got, tc.want)
			}
		})
	}
}

func ptr(s string) *string { return &s }
