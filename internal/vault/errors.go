package vault

import (
	"errors"
	"fmt"
	"runtime"
)

// Sentinel errors callers branch on. Errors returned by this package wrap
// one of these (check with errors.Is) and carry a message that names the
// secret and says what to do. No error ever contains a secret value.
var (
	// ErrNotFound: the keychain holds no secret with that name.
	ErrNotFound = errors.New("secret not found")
	// ErrUnavailable: the keychain cannot be reached, is locked, or did
	// not answer (no D-Bus session, no Secret Service, a prompt nobody
	// answers). Distinct from ErrNotFound: the secret may well exist.
	ErrUnavailable = errors.New("keychain unavailable")
	// ErrInvalidName: a secret name breaks the naming rules (see ValidateName).
	ErrInvalidName = errors.New("invalid secret name")
	// ErrInvalidValue: a value that cannot be stored or used (empty, too
	// large, contains a NUL byte, a line break in a header).
	ErrInvalidValue = errors.New("invalid secret value")
	// ErrInvalidReference: an env or header spec that is not a valid
	// secret reference.
	ErrInvalidReference = errors.New("invalid secret reference")
	// ErrCorrupt: the keychain holds a chunked secret whose parts are
	// missing or do not match; the secret must be stored again.
	ErrCorrupt = errors.New("secret damaged in keychain")
)

// notFoundError says which secret is missing and how to store it.
type notFoundError struct{ name string }

func (e *notFoundError) Error() string {
	return fmt.Sprintf("secret %q not found: store it with: printf %%s \"$VALUE\" | countersign secrets set %s", e.name, e.name)
}

func (e *notFoundError) Is(target error) bool { return target == ErrNotFound }

// unavailableError wraps the keychain's own failure with advice. The cause
// comes from the keychain library (D-Bus, wincred, security(1)); values are
// scrubbed from it before it is wrapped (see scrub).
type unavailableError struct {
	name   string
	op     string
	locked bool
	cause  error
}

func (e *unavailableError) Error() string {
	what := "unavailable"
	if e.locked {
		what = "locked"
	}
	return fmt.Sprintf("keychain %s: cannot %s secret %q: %v: %s", what, e.op, e.name, e.cause, unavailableAdvice(e.locked))
}

func (e *unavailableError) Is(target error) bool { return target == ErrUnavailable }
func (e *unavailableError) Unwrap() error        { return e.cause }

func unavailableAdvice(locked bool) string {
	switch runtime.GOOS {
	case "darwin":
		return "unlock the login keychain (Keychain Access) and allow countersign to use it"
	case "windows":
		return "make sure Windows Credential Manager is available to this user session"
	}
	if locked {
		return "unlock the default keyring (GNOME Keyring, KWallet or KeePassXC) in your desktop session"
	}
	return "run a Secret Service (GNOME Keyring, KWallet or KeePassXC) in your desktop session and unlock it; " +
		"without a desktop, run countersign under dbus-run-session with gnome-keyring-daemon --unlock"
}

// corruptError names a chunked secret whose parts do not add up.
type corruptError struct {
	name   string
	detail string
}

func (e *corruptError) Error() string {
	return fmt.Sprintf("secret %q is damaged in the keychain (%s): store it again with: printf %%s \"$VALUE\" | countersign secrets set %s", e.name, e.detail, e.name)
}

func (e *corruptError) Is(target error) bool { return target == ErrCorrupt }
