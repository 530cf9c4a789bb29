package shim

import (
	"bytes"
	"encoding/json"
	"errors"
)

// The scanner walks just enough JSON to find the members the shim acts on,
// without copying or decoding values it does not need. It is exact about
// strings (escapes included) and nesting, so it splits a message the same
// way a strict JSON parser would; anything it cannot split is "invalid" and
// the caller fails closed.

var errSyntax = errors.New("malformed JSON")

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// stringEnd returns the index just past the closing quote of the string
// starting at b[i] == '"', and whether the string contains escapes.
func stringEnd(b []byte, i int) (end int, escaped bool, err error) {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return 0, false, errSyntax
		}
		q := j + k
		// Count the backslashes before the quote: odd means it is escaped.
		n := 0
		for p := q - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if !escaped && bytes.IndexByte(b[j:q], '\\') >= 0 {
			escaped = true
		}
		if n%2 == 0 {
			return q + 1, escaped, nil
		}
		j = q + 1
	}
}

// valueEnd returns the index just past the JSON value starting at b[i].
func valueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errSyntax
	}
	switch b[i] {
	case '"':
		end, _, err := stringEnd(b, i)
		return end, err
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, _, err := stringEnd(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errSyntax
	default: // number, true, false, null
		j := i
		for j < len(b) && !isSpace(b[j]) && b[j] != ',' && b[j] != '}' && b[j] != ']' {
			if b[j] == '{' || b[j] == '[' || b[j] == '"' || b[j] == ':' {
				return 0, errSyntax
			}
			j++
		}
		if j == i {
			return 0, errSyntax
		}
		return j, nil
	}
}

// decodeString returns the text of the JSON string token s.
func decodeString(s []byte, escaped bool) (string, error) {
	if !escaped {
		return string(s[1 : len(s)-1]), nil
	}
	var out string
	if err := json.Unmarshal(s, &out); err != nil {
		return "", errSyntax
	}
	return out, nil
}

// eachMember calls fn for every member of the object starting at b[i] and
// returns the index just past it. Keys are decoded exactly, so "m\u0065thod"
// is seen as "method".
func eachMember(b []byte, i int, fn func(key string, val []byte) error) (int, error) {
	if i >= len(b) || b[i] != '{' {
		return 0, errSyntax
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, errSyntax
		}
		kend, kesc, err := stringEnd(b, i)
		if err != nil {
			return 0, err
		}
		key, err := decodeString(b[i:kend], kesc)
		if err != nil {
			return 0, err
		}
		i = skipSpace(b, kend)
		if i >= len(b) || b[i] != ':' {
			return 0, errSyntax
		}
		i = skipSpace(b, i+1)
		vend, err := valueEnd(b, i)
		if err != nil {
			return 0, err
		}
		if err := fn(key, b[i:vend]); err != nil {
			return 0, err
		}
		next, done, err := afterValue(b, vend, '}')
		if err != nil || done {
			return next, err
		}
		i = next
	}
}

// eachElement calls fn for every element of the array starting at b[i].
func eachElement(b []byte, i int, fn func(val []byte) error) (int, error) {
	if i >= len(b) || b[i] != '[' {
		return 0, errSyntax
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		vend, err := valueEnd(b, i)
		if err != nil {
			return 0, err
		}
		if err := fn(b[i:vend]); err != nil {
			return 0, err
		}
		next, done, err := afterValue(b, vend, ']')
		if err != nil || done {
			return next, err
		}
		i = next
	}
}

// afterValue reads what follows a member or element ending at vend: a
// comma (done false, next is the start of the next one) or the closing
// bracket (done true, next is just past it).
func afterValue(b []byte, vend int, closing byte) (next int, done bool, err error) {
	i := skipSpace(b, vend)
	switch {
	case i >= len(b):
		return 0, false, errSyntax
	case b[i] == ',':
		return skipSpace(b, i+1), false, nil
	case b[i] == closing:
		return i + 1, true, nil
	}
	return 0, false, errSyntax
}

// stringValue reports whether a raw value is a JSON string and returns its text.
func stringValue(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	end, esc, err := stringEnd(v, 0)
	if err != nil || end != len(v) {
		return "", false
	}
	s, err := decodeString(v, esc)
	return s, err == nil
}
