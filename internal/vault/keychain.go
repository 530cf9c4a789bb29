package vault

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// ServiceName is the keychain service every Countersign item is stored under.
const ServiceName = "countersign"

// MaxValueLen is the largest value Set accepts (64 KiB, 26 chunks).
// Larger values are refused before anything is written. Measured with
// gnome-keyring 42 (which rewrites its whole keyring file on every item
// change): a 64 KiB value stores in ~0.5 s, a 1 MiB value took 31 s to
// store and 13 s to delete, and would be 410 items in Windows Credential
// Manager. Keys, tokens, private keys and service-account files fit.
const MaxValueLen = 64 << 10

// opTimeout bounds one keychain operation. A Secret Service that pops an
// unlock prompt nobody answers would otherwise block forever.
const opTimeout = 20 * time.Second

// Keychain stores secret values by name. Implementations validate names
// (ValidateName) and values, and return errors wrapping ErrNotFound,
// ErrUnavailable, ErrInvalidName, ErrInvalidValue or ErrCorrupt; no error
// contains a value.
type Keychain interface {
	// Get returns the value stored under name.
	Get(ctx context.Context, name string) (string, error)
	// Set stores value under name, replacing any previous value. On
	// failure the previous value (if any) is left as it was.
	Set(ctx context.Context, name, value string) error
	// Delete removes name; it wraps ErrNotFound when there is nothing to remove.
	Delete(ctx context.Context, name string) error
}

// itemStore is one keychain item per (service, account): go-keyring in
// production. Tests wrap the real one to inject a failure mid-way.
type itemStore interface {
	get(service, account string) (string, error)
	set(service, account, value string) error
	delete(service, account string) error
}

type goKeyring struct{}

func (goKeyring) get(s, a string) (string, error) { return keyring.Get(s, a) }
func (goKeyring) set(s, a, v string) error        { return keyring.Set(s, a, v) }
func (goKeyring) delete(s, a string) error        { return keyring.Delete(s, a) }

// OSKeychain is the Keychain of the operating system, through
// github.com/zalando/go-keyring. Values up to itemLimit bytes are one item
// (account = name, readable with secret-tool or Keychain Access); larger
// values are chunked (see chunk.go). Safe for concurrent use.
type OSKeychain struct {
	service string
	items   itemStore
	timeout time.Duration
}

var _ Keychain = (*OSKeychain)(nil)

// NewOSKeychain returns the keychain of this OS under ServiceName.
func NewOSKeychain() *OSKeychain {
	return &OSKeychain{service: ServiceName, items: goKeyring{}, timeout: opTimeout}
}

// Get implements Keychain.
func (k *OSKeychain) Get(ctx context.Context, name string) (string, error) {
	if err := ValidateName(name); err != nil {
		return "", err
	}
	for attempt := 0; ; attempt++ {
		v, err := k.getOnce(ctx, name)
		// A concurrent Set may have replaced the chunks between reading
		// the manifest and reading a chunk; read the manifest once more.
		if errors.Is(err, errChunkMissing) && attempt == 0 {
			continue
		}
		if errors.Is(err, errChunkMissing) {
			return "", &corruptError{name: name, detail: "a chunk is missing"}
		}
		return v, err
	}
}

var errChunkMissing = errors.New("chunk missing")

func (k *OSKeychain) getOnce(ctx context.Context, name string) (string, error) {
	head, err := k.item(ctx, "read", name, name)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(head, manifestPrefix) {
		if head == "" {
			return "", &corruptError{name: name, detail: "the stored value is empty"}
		}
		return head, nil
	}
	m, err := parseManifest(head)
	if err != nil {
		return "", &corruptError{name: name, detail: err.Error()}
	}
	var b strings.Builder
	b.Grow(m.length)
	for i := range m.count {
		part, err := k.item(ctx, "read", name, m.account(name, i))
		if errors.Is(err, ErrNotFound) {
			return "", errChunkMissing
		}
		if err != nil {
			return "", err
		}
		b.WriteString(part)
	}
	v := b.String()
	if err := m.verify(v); err != nil {
		return "", &corruptError{name: name, detail: err.Error()}
	}
	return v, nil
}

// Set implements Keychain. A value that needs chunks is written as new
// chunks first, then the manifest under name is switched to them, then the
// previous chunks are removed: a failure at any step leaves the previous
// value intact and removes the chunks written so far.
func (k *OSKeychain) Set(ctx context.Context, name, value string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if err := validateValue(name, value); err != nil {
		return err
	}
	old, err := k.manifestOf(ctx, "store", name)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if len(value) <= itemLimit && !strings.HasPrefix(value, manifestPrefix) {
		if err := k.put(ctx, name, name, value, value); err != nil {
			return err
		}
		k.dropChunks(ctx, name, old)
		return nil
	}
	m, chunks, err := newManifest(value)
	if err != nil {
		return fmt.Errorf("vault: set secret %q: %w", name, err)
	}
	for i, c := range chunks {
		if err := k.put(ctx, name, m.account(name, i), c, value); err != nil {
			k.dropChunks(ctx, name, &manifest{gen: m.gen, count: i})
			return err
		}
	}
	if err := k.put(ctx, name, name, m.String(), value); err != nil {
		k.dropChunks(ctx, name, m)
		return err
	}
	k.dropChunks(ctx, name, old)
	return nil
}

// Delete implements Keychain. The item under name goes first, so the
// secret disappears at once; its chunks follow.
func (k *OSKeychain) Delete(ctx context.Context, name string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	old, err := k.manifestOf(ctx, "delete", name)
	if err != nil {
		return err
	}
	if err := k.call(ctx, "delete", name, "", func() error { return k.items.delete(k.service, name) }); err != nil {
		return err
	}
	if old == nil {
		return nil
	}
	for i := range old.count {
		err := k.call(ctx, "delete", name, "", func() error { return k.items.delete(k.service, old.account(name, i)) })
		if err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("vault: secret %q deleted, but not all of its chunks: %w", name, err)
		}
	}
	return nil
}

// manifestOf returns the manifest stored under name, nil when name holds
// a plain value, and an error wrapping ErrNotFound when name is absent.
func (k *OSKeychain) manifestOf(ctx context.Context, op, name string) (*manifest, error) {
	head, err := k.item(ctx, op, name, name)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(head, manifestPrefix) {
		return nil, nil
	}
	m, err := parseManifest(head)
	if err != nil {
		// A damaged manifest is replaced or deleted; its chunks cannot be
		// found without it and stay behind in the keychain.
		return nil, nil
	}
	return m, nil
}

// dropChunks removes the chunks of m, best effort: the value they held is
// no longer referenced, and what cannot be removed stays in the keychain,
// never on disk.
func (k *OSKeychain) dropChunks(ctx context.Context, name string, m *manifest) {
	if m == nil {
		return
	}
	for i := range m.count {
		_ = k.call(ctx, "delete", name, "", func() error { return k.items.delete(k.service, m.account(name, i)) })
	}
}

// item reads one keychain item.
func (k *OSKeychain) item(ctx context.Context, op, name, account string) (string, error) {
	return k.callValue(ctx, op, name, "", func() (string, error) { return k.items.get(k.service, account) })
}

// put writes one keychain item; secret is the whole value, scrubbed from
// any error text the keychain library produces.
func (k *OSKeychain) put(ctx context.Context, name, account, v, secret string) error {
	return k.call(ctx, "store", name, secret, func() error { return k.items.set(k.service, account, v) })
}

// call runs one keychain operation with a deadline and maps its error.
// The operation runs on its own goroutine because go-keyring cannot be
// cancelled; after a timeout that goroutine ends when the keychain call
// returns (D-Bus reply, prompt completion or connection loss).
func (k *OSKeychain) call(ctx context.Context, op, name, secret string, f func() error) error {
	_, err := k.callValue(ctx, op, name, secret, func() (string, error) { return "", f() })
	return err
}

// callValue is call for an operation that returns a value. The result
// travels over the channel only, so an abandoned operation shares nothing.
func (k *OSKeychain) callValue(ctx context.Context, op, name, secret string, f func() (string, error)) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("vault: %s secret %q: %w", op, name, err)
	}
	if err := sessionBusMissing(); err != nil {
		return "", &unavailableError{name: name, op: op, cause: err}
	}
	ctx, cancel := context.WithTimeout(ctx, k.timeout)
	defer cancel()
	type result struct {
		v   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, classify(op, name, secret, r.err)
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", &unavailableError{name: name, op: op, locked: true,
				cause: fmt.Errorf("no answer within %v (is it waiting for an unlock prompt?)", k.timeout)}
		}
		return "", fmt.Errorf("vault: %s secret %q: %w", op, name, ctx.Err())
	}
}

// classify turns a go-keyring error into one of this package's errors.
func classify(op, name, secret string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return &notFoundError{name: name}
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("%w: secret %q is too large for this keychain", ErrInvalidValue, name)
	}
	return &unavailableError{name: name, op: op, locked: looksLocked(err), cause: scrub(err, secret)}
}

// looksLocked recognises the Secret Service's answers for a locked
// collection or a dismissed unlock prompt.
func looksLocked(err error) bool {
	s := err.Error()
	return strings.Contains(s, "failed to unlock") || strings.Contains(s, "IsLocked") ||
		strings.Contains(s, "is locked")
}

// scrub returns err, or a replacement without the value when the keychain
// library's message happens to contain it (or any line of it).
func scrub(err error, secret string) error {
	if secret == "" {
		return err
	}
	s := err.Error()
	leak := strings.Contains(s, secret)
	for _, line := range strings.Split(secret, "\n") {
		if len(line) >= 4 && strings.Contains(s, line) {
			leak = true
		}
	}
	if leak {
		return errors.New("the keychain refused the value (its message contained the value and was withheld)")
	}
	return err
}

// validateValue enforces what every stored value must satisfy.
func validateValue(name, value string) error {
	switch {
	case value == "":
		return fmt.Errorf("%w: secret %q: the value is empty; pipe a non-empty value on stdin", ErrInvalidValue, name)
	case len(value) > MaxValueLen:
		return fmt.Errorf("%w: secret %q: the value is %d bytes, the limit is %d (64 KiB)", ErrInvalidValue, name, len(value), MaxValueLen)
	case strings.IndexByte(value, 0) >= 0:
		return fmt.Errorf("%w: secret %q: the value contains a NUL byte, which no environment variable can carry", ErrInvalidValue, name)
	}
	return nil
}

// Overlay returns a keychain that reads through to kc but keeps its writes
// and deletions in memory: a dry run can plan against the real contents
// without changing them.
func Overlay(kc Keychain) Keychain {
	return &overlay{base: kc, vals: map[string]*string{}}
}

type overlay struct {
	base Keychain
	vals map[string]*string // nil value: deleted here
}

func (o *overlay) Get(ctx context.Context, name string) (string, error) {
	if v, ok := o.vals[name]; ok {
		if v == nil {
			return "", fmt.Errorf("%w: %s", ErrNotFound, name)
		}
		return *v, nil
	}
	return o.base.Get(ctx, name)
}

func (o *overlay) Set(_ context.Context, name, value string) error {
	o.vals[name] = &value
	return nil
}

func (o *overlay) Delete(ctx context.Context, name string) error {
	if _, err := o.Get(ctx, name); err != nil {
		return err
	}
	o.vals[name] = nil
	return nil
}
