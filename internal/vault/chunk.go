package vault

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// itemLimit is the largest value kept in a single keychain item, and the
// size of each chunk of a larger one. Windows Credential Manager refuses a
// credential blob over 2560 bytes; macOS's security(1) takes the base64 of
// the value in one 4096-byte command line, which 2560 bytes also fits. The
// same limit applies on every OS so that Linux tests exercise chunking.
const itemLimit = 2560

// manifestPrefix starts the item stored under a chunked secret's name.
// A value that itself starts with it is always chunked, so a stored value
// is never mistaken for a manifest.
const manifestPrefix = "countersign-chunked/v1 "

// manifest describes a chunked value: chunk i lives under the account
// "NAME#GEN.i" ('#' cannot occur in a name, so chunk accounts never clash
// with secret names). gen is random per Set, so new chunks never overwrite
// the chunks of the value they replace.
type manifest struct {
	gen    string
	count  int
	length int
	sum    [sha256.Size]byte
}

func (m *manifest) account(name string, i int) string {
	return name + "#" + m.gen + "." + strconv.Itoa(i)
}

func (m *manifest) String() string {
	return fmt.Sprintf("%sgen=%s n=%d len=%d sha256=%s", manifestPrefix, m.gen, m.count, m.length, hex.EncodeToString(m.sum[:]))
}

// verify checks the reassembled value against the manifest.
func (m *manifest) verify(v string) error {
	if len(v) != m.length {
		return fmt.Errorf("reassembled %d bytes, manifest says %d", len(v), m.length)
	}
	sum := sha256.Sum256([]byte(v))
	if subtle.ConstantTimeCompare(sum[:], m.sum[:]) != 1 {
		return errors.New("the chunks do not match the manifest checksum")
	}
	return nil
}

// newManifest splits value into chunks of at most itemLimit bytes.
func newManifest(value string) (*manifest, []string, error) {
	var g [8]byte
	if _, err := rand.Read(g[:]); err != nil {
		return nil, nil, fmt.Errorf("chunk generation id: %w", err)
	}
	m := &manifest{gen: hex.EncodeToString(g[:]), length: len(value), sum: sha256.Sum256([]byte(value))}
	var chunks []string
	for rest := value; rest != ""; {
		n := min(itemLimit, len(rest))
		chunks = append(chunks, rest[:n])
		rest = rest[n:]
	}
	m.count = len(chunks)
	return m, chunks, nil
}

// parseManifest is strict: every field once, in order, well formed.
func parseManifest(s string) (*manifest, error) {
	rest, ok := strings.CutPrefix(s, manifestPrefix)
	if !ok {
		return nil, errors.New("not a chunk manifest")
	}
	fields := strings.Split(rest, " ")
	if len(fields) != 4 {
		return nil, errors.New("malformed chunk manifest")
	}
	var m manifest
	for i, key := range []string{"gen", "n", "len", "sha256"} {
		v, ok := strings.CutPrefix(fields[i], key+"=")
		if !ok {
			return nil, fmt.Errorf("chunk manifest: field %d is not %s", i, key)
		}
		switch key {
		case "gen":
			if len(v) != 16 || !isLowerHex(v) {
				return nil, errors.New("chunk manifest: bad generation id")
			}
			m.gen = v
		case "n", "len":
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 || n > MaxValueLen || strconv.Itoa(n) != v {
				return nil, fmt.Errorf("chunk manifest: bad %s", key)
			}
			if key == "n" {
				m.count = n
			} else {
				m.length = n
			}
		case "sha256":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size || !isLowerHex(v) {
				return nil, errors.New("chunk manifest: bad checksum")
			}
			copy(m.sum[:], b)
		}
	}
	if m.count != (m.length+itemLimit-1)/itemLimit {
		return nil, errors.New("chunk manifest: chunk count does not fit the length")
	}
	return &m, nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
