package vault

import (
	"context"
	"sync"
)

// memKeychain is an in-memory Keychain for the pure unit tests of
// references (refs_test.go) only. Everything that touches storage is
// tested against the real Secret Service in keychain_test.go.
type memKeychain struct {
	mu   sync.Mutex
	vals map[string]string
	gets int
	fail error // returned by every Get when set
}

func newMemKeychain(vals map[string]string) *memKeychain {
	m := &memKeychain{vals: map[string]string{}}
	for k, v := range vals {
		m.vals[k] = v
	}
	return m
}

func (m *memKeychain) Get(_ context.Context, name string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gets++
	if m.fail != nil {
		return "", m.fail
	}
	if err := ValidateName(name); err != nil {
		return "", err
	}
	v, ok := m.vals[name]
	if !ok {
		return "", &notFoundError{name: name}
	}
	return v, nil
}

func (m *memKeychain) Set(_ context.Context, name, value string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if err := validateValue(name, value); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.vals[name] = value
	return nil
}

func (m *memKeychain) Delete(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.vals[name]; !ok {
		return &notFoundError{name: name}
	}
	delete(m.vals, name)
	return nil
}
