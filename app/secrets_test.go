package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/countersign/countersign/internal/core"
	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/vault"
)

// memKeychain is the keychain interface of this package, in memory, with
// failures on demand.
type memKeychain struct {
	mu      sync.Mutex
	items   map[string]string
	failSet error
}

func (m *memKeychain) Get(_ context.Context, name string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.items[name]
	if !ok {
		return "", fmt.Errorf("get %s: %w", name, vault.ErrNotFound)
	}
	return v, nil
}

func (m *memKeychain) Set(_ context.Context, name, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failSet != nil {
		return m.failSet
	}
	if value == "" {
		return fmt.Errorf("%w: empty", vault.ErrInvalidValue)
	}
	m.items[name] = value
	return nil
}

func (m *memKeychain) Delete(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.items[name]; !ok {
		return fmt.Errorf("delete %s: %w", name, vault.ErrNotFound)
	}
	delete(m.items, name)
	return nil
}

// refusingCore is a real core whose PutSecret fails, as a core that cannot
// write its database would.
type refusingCore struct{ *core.Core }

func (refusingCore) PutSecret(context.Context, string, localapi.SecretPut) (localapi.SecretPutResult, error) {
	return localapi.SecretPutResult{}, errors.New("database is locked")
}

func newSecrets(t *testing.T) (*Secrets, *core.Core, *memKeychain) {
	t.Helper()
	t.Setenv("HOME", t.TempDir()) // no client config of this machine references anything
	c := openCore(t)
	kc := &memKeychain{items: map[string]string{}}
	return &Secrets{core: c, kc: kc}, c, kc
}

const testValue = "value-that-must-never-be-listed-0123"

func TestSecretsSetListReveal(t *testing.T) {
	s, _, kc := newSecrets(t)
	res, err := s.Set("github", testValue, "project X, read-only")
	if err != nil || !res.Created {
		t.Fatalf("Set new: created=%v err=%v", res.Created, err)
	}
	res, err = s.Set("github", testValue+"-2", "project Y")
	if err != nil || res.Created {
		t.Fatalf("Set replace: created=%v err=%v", res.Created, err)
	}
	if got := kc.items["github"]; got != testValue+"-2" {
		t.Errorf("keychain holds %q, want the replaced value", got)
	}
	list, err := s.List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(list) != 1 || list[0].Name != "github" || list[0].Note != "project Y" {
		t.Fatalf("List = %+v, want github with note \"project Y\"", list)
	}
	b, _ := json.Marshal(list)
	if strings.Contains(string(b), testValue) {
		t.Errorf("List carries the value: %s", b)
	}
	v, err := s.Reveal("github")
	if err != nil || v != testValue+"-2" {
		t.Errorf("Reveal = %q, %v; want the stored value", v, err)
	}
	if _, err := s.Reveal("missing"); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("Reveal(missing) err = %v, want ErrNotFound", err)
	}
}

func TestSecretsSetRefusesBeforeTheKeychain(t *testing.T) {
	tests := []struct {
		name, secret, value, note, want string
	}{
		{"bad name", "no spaces", testValue, "", "nothing stored"},
		{"key in note", "openai", testValue, "sk-proj-" + strings.Repeat("a1B2", 12), "looks like it contains a key"},
		{"long note", "openai", testValue, strings.Repeat("n", 4097), "the limit is 4096"},
		{"empty value", "openai", "", "", "nothing stored"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, kc := newSecrets(t)
			_, err := s.Set(tt.secret, tt.value, tt.note)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Set err = %v, want it to say %q", err, tt.want)
			}
			if len(kc.items) != 0 {
				t.Errorf("keychain written: %v", kc.items)
			}
			if list, _ := s.List(); len(list) != 0 {
				t.Errorf("core recorded %+v", list)
			}
		})
	}
}

func TestSecretsSetRollsBack(t *testing.T) {
	t.Run("keychain fails: nothing recorded", func(t *testing.T) {
		s, _, kc := newSecrets(t)
		kc.failSet = fmt.Errorf("%w: locked", vault.ErrUnavailable)
		if _, err := s.Set("github", testValue, ""); !errors.Is(err, vault.ErrUnavailable) {
			t.Fatalf("Set err = %v, want ErrUnavailable", err)
		}
		if list, _ := s.List(); len(list) != 0 {
			t.Errorf("core recorded %+v", list)
		}
	})
	t.Run("core fails on a new secret: keychain item removed", func(t *testing.T) {
		s, c, kc := newSecrets(t)
		s.core = refusingCore{c}
		_, err := s.Set("github", testValue, "")
		if err == nil || !strings.Contains(err.Error(), "nothing stored") {
			t.Fatalf("Set err = %v, want nothing stored", err)
		}
		if strings.Contains(err.Error(), testValue) {
			t.Errorf("error carries the value: %v", err)
		}
		if _, ok := kc.items["github"]; ok {
			t.Error("keychain item left behind")
		}
	})
	t.Run("core fails on a replacement: says the value was replaced", func(t *testing.T) {
		s, c, kc := newSecrets(t)
		if _, err := s.Set("github", testValue, ""); err != nil {
			t.Fatal(err)
		}
		s.core = refusingCore{c}
		_, err := s.Set("github", testValue+"-2", "")
		if err == nil || !strings.Contains(err.Error(), "was replaced in the keychain") {
			t.Fatalf("Set err = %v, want it to say the value was replaced", err)
		}
		if kc.items["github"] != testValue+"-2" {
			t.Error("keychain does not hold the new value")
		}
	})
}

func TestSecretsRemove(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, c, kc := newSecrets(t)
	for _, n := range []string{"idle", "busy"} {
		if _, err := s.Set(n, testValue, ""); err != nil {
			t.Fatal(err)
		}
	}
	// A running shim (server gh, pid 4242) launched with "busy".
	started := make(chan struct{})
	var once sync.Once
	go c.OpenSession(ctx, localapi.SessionRequest{Server: "gh", Client: "test-client", PID: 4242}, func(u localapi.SessionUpdate) error {
		once.Do(func() { close(started) })
		return nil
	})
	<-started
	if err := c.SecretsUsed(ctx, localapi.SecretUseReport{Server: "gh", Client: "test-client", PID: 4242, Secrets: []string{"busy"}}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, secret string
		force        bool
		wantErr      string // "" for success
		wantGone     bool
	}{
		{"unknown", "nobody", false, "no secret named nobody", false},
		{"in use, not forced", "busy", false, "running server gh", false},
		{"unused", "idle", false, "", true},
		{"in use, forced", "busy", true, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Remove(tt.secret, tt.force)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Remove err = %v, want %q", err, tt.wantErr)
			}
			list, _ := s.List()
			_, listed := findSecret(list, tt.secret)
			_, inKC := kc.items[tt.secret]
			if tt.wantGone && (listed || inKC) {
				t.Errorf("still there: listed=%v keychain=%v", listed, inKC)
			}
			if tt.secret == "busy" && !tt.wantGone && (!listed || !inKC) {
				t.Errorf("removed although refused: listed=%v keychain=%v", listed, inKC)
			}
		})
	}
}
