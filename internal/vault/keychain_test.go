package vault

// Integration tests against a real Secret Service. Run them with
//
//	scripts/with-keyring.sh go test ./internal/vault/
//
// which starts gnome-keyring-daemon in a private D-Bus session with a
// temporary HOME. Without a Secret Service they skip, unless
// COUNTERSIGN_REQUIRE_KEYRING=1 (set by make test / CI), where they fail.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// helperEnv makes the test binary act as a one-shot keychain client
// (TestMain): godbus caches the session bus per process, so a different
// bus needs a different process.
const helperEnv = "COUNTERSIGN_VAULT_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "get" {
		k := NewOSKeychain()
		k.timeout = 10 * time.Second
		start := time.Now()
		_, err := k.Get(context.Background(), "cstest-helper-probe")
		fmt.Printf("unavailable=%v notfound=%v took=%v\n%v\n", errors.Is(err, ErrUnavailable), errors.Is(err, ErrNotFound), time.Since(start).Round(time.Millisecond), err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var probe struct {
	once sync.Once
	err  error
}

// requireKeyring returns the real keychain, or skips (fails when
// COUNTERSIGN_REQUIRE_KEYRING=1) when no Secret Service answers.
func requireKeyring(t *testing.T) *OSKeychain {
	t.Helper()
	probe.once.Do(func() {
		_, err := NewOSKeychain().Get(context.Background(), "cstest-probe-"+randHex(t))
		if !errors.Is(err, ErrNotFound) {
			probe.err = err
		}
	})
	if probe.err != nil {
		if os.Getenv("COUNTERSIGN_REQUIRE_KEYRING") == "1" {
			t.Fatalf("COUNTERSIGN_REQUIRE_KEYRING=1 but the keychain does not answer: %v", probe.err)
		}
		t.Skipf("no usable keychain (%v); run under scripts/with-keyring.sh or set COUNTERSIGN_REQUIRE_KEYRING=1 to make this fatal", probe.err)
	}
	if _, err := exec.LookPath("secret-tool"); err != nil && runtime.GOOS == "linux" {
		t.Fatalf("a Secret Service answers but secret-tool is missing (apt-get install libsecret-tools): %v", err)
	}
	return NewOSKeychain()
}

func randHex(t testing.TB) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// testName returns a fresh secret name and deletes it after the test.
func testName(t *testing.T, k *OSKeychain) string {
	name := "cstest-" + randHex(t)
	t.Cleanup(func() { _ = k.Delete(context.Background(), name) })
	return name
}

// toolLookup reads an item with secret-tool, outside Countersign.
func toolLookup(t *testing.T, account string) (string, bool) {
	t.Helper()
	out, err := exec.Command("secret-tool", "lookup", "service", ServiceName, "username", account).Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 && len(out) == 0 {
		return "", false
	}
	if err != nil {
		t.Fatalf("secret-tool lookup %s: %v", account, err)
	}
	return string(out), true
}

// accounts lists the accounts under ServiceName that start with prefix,
// sorted: the Secret Service returns items in no particular order.
// secret-tool prints the attributes on stderr (values go to stdout, which
// is discarded here).
func accounts(t *testing.T, prefix string) []string {
	t.Helper()
	var attrs bytes.Buffer
	cmd := exec.Command("secret-tool", "search", "--all", "service", ServiceName)
	cmd.Stderr = &attrs
	err := cmd.Run()
	if err != nil && attrs.Len() > 0 {
		t.Fatalf("secret-tool search: %v: %s", err, attrs.String())
	}
	var got []string
	for _, line := range strings.Split(attrs.String(), "\n") {
		if a, ok := strings.CutPrefix(line, "attribute.username = "); ok && strings.HasPrefix(a, prefix) {
			got = append(got, a)
		}
	}
	slices.Sort(got)
	return got
}

func TestOSKeychainRoundTrip(t *testing.T) {
	k := requireKeyring(t)
	ctx := context.Background()
	tests := []struct {
		desc    string
		value   string
		chunked bool
	}{
		{"small", "ghp_" + body(36), false},
		{"unicode and newlines", "clé 🔑\nsecond line\n", false},
		{"exactly one item", strings.Repeat("a", itemLimit), false},
		{"one byte over", strings.Repeat("b", itemLimit) + "c", true},
		{"looks like a manifest", manifestPrefix + "gen=0123456789abcdef n=1 len=1 sha256=00", true},
		{"largest allowed", body(MaxValueLen), true},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			name := testName(t, k)
			if err := k.Set(ctx, name, tt.value); err != nil {
				t.Fatalf("Set: %v", err)
			}
			got, err := k.Get(ctx, name)
			if err != nil || got != tt.value {
				t.Fatalf("Get = %d bytes, %v; want the %d bytes stored", len(got), err, len(tt.value))
			}
			head, ok := toolLookup(t, name)
			if !ok {
				t.Fatalf("secret-tool does not see item %s", name)
			}
			var m *manifest
			if tt.chunked {
				if m, err = parseManifest(head); err != nil {
					t.Fatalf("item %s is not a manifest: %v", name, err)
				}
				var joined strings.Builder
				for i := range m.count {
					part, ok := toolLookup(t, m.account(name, i))
					if !ok || len(part) > itemLimit {
						t.Fatalf("chunk %d: found=%v, %d bytes", i, ok, len(part))
					}
					joined.WriteString(part)
				}
				if joined.String() != tt.value {
					t.Fatal("chunks read with secret-tool do not join to the value")
				}
			} else if head != tt.value {
				t.Fatalf("secret-tool reads %d bytes, want the %d stored", len(head), len(tt.value))
			}
			wantItems := 1
			if m != nil {
				wantItems += m.count
			}
			if got := accounts(t, name); len(got) != wantItems {
				t.Fatalf("secret-tool lists %d items %v, want %d", len(got), got, wantItems)
			}
			if err := k.Delete(ctx, name); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if _, err := k.Get(ctx, name); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get after Delete: %v", err)
			}
			if left := accounts(t, name); len(left) != 0 {
				t.Fatalf("items left after Delete: %v", left)
			}
		})
	}
}

func TestOSKeychainReplaceRemovesOldChunks(t *testing.T) {
	k := requireKeyring(t)
	ctx := context.Background()
	name := testName(t, k)
	big1, big2, small := body(3*itemLimit), strings.Repeat("z", 2*itemLimit+1), "small-value-1"
	for _, v := range []string{big1, big2, small, big1} {
		if err := k.Set(ctx, name, v); err != nil {
			t.Fatal(err)
		}
		if got, err := k.Get(ctx, name); err != nil || got != v {
			t.Fatalf("Get after replace: %d bytes, %v", len(got), err)
		}
		want := 1
		if len(v) > itemLimit {
			want += (len(v) + itemLimit - 1) / itemLimit
		}
		if got := accounts(t, name); len(got) != want {
			t.Fatalf("after storing %d bytes: %d items %v, want %d", len(v), len(got), got, want)
		}
	}
}

func TestOSKeychainRejectsBadInput(t *testing.T) {
	k := requireKeyring(t)
	ctx := context.Background()
	tests := []struct {
		desc, name, value string
		want              error
	}{
		{"empty value", "cstest-empty-" + randHex(t), "", ErrInvalidValue},
		{"value over the limit", "cstest-huge-" + randHex(t), body(MaxValueLen + 1), ErrInvalidValue},
		{"1 MiB value", "cstest-mib-" + randHex(t), body(1 << 20), ErrInvalidValue},
		{"NUL in value", "cstest-nul-" + randHex(t), "ab\x00cd", ErrInvalidValue},
		{"space in name", "cstest bad " + randHex(t), "v", ErrInvalidName},
		{"slash in name", "cstest/" + randHex(t), "v", ErrInvalidName},
		{"unicode name", "cstest-ключ-" + randHex(t), "v", ErrInvalidName},
		{"empty name", "", "v", ErrInvalidName},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			err := k.Set(ctx, tt.name, tt.value)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Set = %v, want %v", err, tt.want)
			}
			if tt.value != "" && len(tt.value) > 8 && strings.Contains(err.Error(), tt.value[:8]) {
				t.Fatalf("error shows the value: %v", err)
			}
			if tt.name != "" {
				if left := accounts(t, tt.name); len(left) != 0 {
					t.Fatalf("refused Set left items: %v", left)
				}
			}
			if _, err := k.Get(ctx, tt.name); err == nil {
				t.Fatal("Get found something after a refused Set")
			}
		})
	}
}

// failingStore is the real go-keyring store that fails the n-th write,
// to check that a Set interrupted half-way leaves nothing behind.
type failingStore struct {
	goKeyring
	mu     sync.Mutex
	writes int
	failAt int
}

func (f *failingStore) set(s, a, v string) error {
	f.mu.Lock()
	f.writes++
	n := f.writes
	f.mu.Unlock()
	if n == f.failAt {
		return errors.New("injected failure")
	}
	return f.goKeyring.set(s, a, v)
}

func TestOSKeychainFailedSetLeavesNoPartialState(t *testing.T) {
	real := requireKeyring(t)
	ctx := context.Background()
	value := body(4*itemLimit + 7) // 5 chunks + manifest = 6 writes
	for _, tc := range []struct {
		desc   string
		failAt int
		prior  string
	}{
		{"first chunk", 1, ""},
		{"middle chunk", 3, ""},
		{"manifest", 6, ""},
		{"middle chunk over a small value", 3, "previous-value"},
		{"manifest over a chunked value", 6, body(2*itemLimit + 1)},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			name := testName(t, real)
			if tc.prior != "" {
				if err := real.Set(ctx, name, tc.prior); err != nil {
					t.Fatal(err)
				}
			}
			before := accounts(t, name)
			k := &OSKeychain{service: ServiceName, items: &failingStore{failAt: tc.failAt}, timeout: opTimeout}
			err := k.Set(ctx, name, value)
			if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "injected failure") {
				t.Fatalf("Set = %v, want the injected failure as ErrUnavailable", err)
			}
			if after := accounts(t, name); strings.Join(after, ",") != strings.Join(before, ",") {
				t.Fatalf("items before %v, after failed Set %v", before, after)
			}
			got, err := real.Get(ctx, name)
			if tc.prior == "" && !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get after failed first Set: %v", err)
			}
			if tc.prior != "" && (err != nil || got != tc.prior) {
				t.Fatalf("previous value not intact: %d bytes, %v", len(got), err)
			}
		})
	}
}

func TestOSKeychainNotFound(t *testing.T) {
	k := requireKeyring(t)
	name := "cstest-missing-" + randHex(t)
	want := fmt.Sprintf(`secret %q not found: store it with: printf %%s "$VALUE" | countersign secrets set %s`, name, name)
	_, err := k.Get(context.Background(), name)
	if !errors.Is(err, ErrNotFound) || err.Error() != want {
		t.Fatalf("Get = %v\nwant %s", err, want)
	}
	if err := k.Delete(context.Background(), name); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Delete = %v, want ErrNotFound", err)
	}
}

func TestOSKeychainDamagedChunkedValue(t *testing.T) {
	k := requireKeyring(t)
	ctx := context.Background()
	name := testName(t, k)
	if err := k.Set(ctx, name, body(2*itemLimit)); err != nil {
		t.Fatal(err)
	}
	head, _ := toolLookup(t, name)
	m, err := parseManifest(head)
	if err != nil {
		t.Fatal(err)
	}
	// Damage it from outside, as another tool could.
	if err := (goKeyring{}).delete(ServiceName, m.account(name, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(ctx, name); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "countersign secrets set "+name) {
		t.Fatalf("Get of a damaged value = %v, want ErrCorrupt with advice", err)
	}
	if err := (goKeyring{}).set(ServiceName, m.account(name, 1), strings.Repeat("x", itemLimit)); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(ctx, name); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Get with a swapped chunk = %v, want ErrCorrupt", err)
	}
}

// slowStore is the real store behind a delay, like a keychain waiting on
// an unlock prompt.
type slowStore struct {
	goKeyring
	delay time.Duration
}

func (s slowStore) get(svc, a string) (string, error) {
	time.Sleep(s.delay)
	return s.goKeyring.get(svc, a)
}

func TestOSKeychainTimeoutIsUnavailable(t *testing.T) {
	requireKeyring(t)
	k := &OSKeychain{service: ServiceName, items: slowStore{delay: time.Second}, timeout: 50 * time.Millisecond}
	start := time.Now()
	_, err := k.Get(context.Background(), "cstest-slow")
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "no answer within") {
		t.Fatalf("Get = %v, want ErrUnavailable after the timeout", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("Get took %v with a 50ms timeout", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := k.Get(ctx, "cstest-slow"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Get with a cancelled context = %v", err)
	}
}

// runHelper runs this test binary as a keychain client with env added.
func runHelper(t *testing.T, wrap []string, env ...string) string {
	t.Helper()
	args := append(wrap, os.Args[0], "-test.run=^$")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), append(env, helperEnv+"=get", "COUNTERSIGN_KEYRING_INNER=")...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("helper %v: %v\nstdout: %s\nstderr: %s", args, err, out.String(), errOut.String())
	}
	return out.String()
}

func TestOSKeychainNoSessionBus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("D-Bus is how Linux reaches its keychain; other systems have no session bus to remove")
	}
	tests := []struct {
		desc string
		env  []string
		want string
	}{
		{"address points nowhere", []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(t.TempDir(), "no-bus-here")}, "no such file"},
		// Without an address godbus would autolaunch a dbus-daemon that
		// outlives the test; the vault must refuse before that.
		{"no address at all", []string{"DBUS_SESSION_BUS_ADDRESS=", "XDG_RUNTIME_DIR=" + t.TempDir()}, "DBUS_SESSION_BUS_ADDRESS is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			out := runHelper(t, nil, tt.env...)
			for _, want := range []string{"unavailable=true notfound=false", `keychain unavailable: cannot read secret "cstest-helper-probe"`, "dbus-run-session", tt.want} {
				if !strings.Contains(out, want) {
					t.Errorf("helper output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

func TestOSKeychainLocked(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("locks a gnome-keyring login collection, which exists on Linux only")
	}
	for _, tool := range []string{"dbus-run-session", "dbus-send", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("COUNTERSIGN_REQUIRE_KEYRING") == "1" {
				t.Fatalf("%s missing: %v", tool, err)
			}
			t.Skipf("%s missing (apt-get install gnome-keyring dbus-x11 libsecret-tools dbus): %v", tool, err)
		}
	}
	// A private session of its own, so the shared test keyring stays unlocked.
	lockThenRun := `dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets ` +
		`org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null && exec "$@"`
	out := runHelper(t, []string{"../../scripts/with-keyring.sh", "sh", "-c", lockThenRun, "sh"})
	for _, want := range []string{"unavailable=true notfound=false", "keychain locked", "unlock the default keyring"} {
		if !strings.Contains(out, want) {
			t.Errorf("helper output lacks %q:\n%s", want, out)
		}
	}
}
