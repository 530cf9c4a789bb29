package vault

import "fmt"

// MaxNameLen is the longest secret name accepted.
const MaxNameLen = 128

// ValidateName reports whether name can be a secret name: 1 to MaxNameLen
// ASCII letters, digits, '-', '_' and '.', starting with a letter or digit
// (so a name never looks like a flag, a path or a hidden file). The error
// wraps ErrInvalidName.
func ValidateName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: the name is empty", ErrInvalidName)
	}
	if len(name) > MaxNameLen {
		return fmt.Errorf("%w: the name is %d bytes long, the limit is %d", ErrInvalidName, len(name), MaxNameLen)
	}
	if !isAlnum(name[0]) {
		return fmt.Errorf("%w %q: it must start with a letter or digit", ErrInvalidName, name)
	}
	for i := 0; i < len(name); i++ {
		if !isNameByte(name[i]) {
			return fmt.Errorf("%w %q: %s at byte %d; use only letters, digits, '-', '_' and '.'", ErrInvalidName, name, describeByte(name[i]), i)
		}
	}
	return nil
}

func isNameByte(c byte) bool { return isAlnum(c) || c == '-' || c == '_' || c == '.' }

func isAlnum(c byte) bool { return isDigit(c) || isUpper(c) || isLower(c) }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }

func describeByte(c byte) string {
	switch {
	case c == ' ':
		return "a space"
	case c == '/' || c == '\\':
		return fmt.Sprintf("a slash %q", c)
	case c >= 0x80:
		return "a non-ASCII character"
	case c < 0x20 || c == 0x7f:
		return "a control character"
	}
	return fmt.Sprintf("the character %q", c)
}
